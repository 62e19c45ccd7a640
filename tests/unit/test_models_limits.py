"""The wire models accept exactly what the OpenAPI document says: bounded lists, dates as
YYYY-MM-DD only, known category ids, http(s) urls, no booleans for numbers."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deepworkzone.domain.category_ids import CATEGORY_IDS
from deepworkzone.domain.clock import CLOCK_PATTERN, parse_clock
from deepworkzone.domain.limits import (
    MAX_CATEGORIES,
    MAX_COLLABORATORS,
    MAX_RECURRING_DAYS,
    MAX_URLS,
)
from deepworkzone.domain.models import CompleteRequest, JoinRequest, SessionCreate, SessionUpdate
from deepworkzone.domain.wire_types import SITE_PATTERN

BASE: dict[str, Any] = {"name": "Focus", "duration": 60, "schedule": "2031-01-06", "time": "9:00"}


def fields_of(**changes: Any) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        SessionCreate.model_validate({**BASE, **changes})
    return {".".join(str(p) for p in err["loc"]) for err in caught.value.errors()}


def test_a_huge_collaborator_list_is_refused_at_once_not_deduplicated() -> None:
    # 40,000 ints stalled the server for 12 s when the de-duplication was quadratic.
    started = time.perf_counter()
    assert fields_of(collaborator=list(range(1, 40_001))) == {"collaborator"}
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("collaborator", [f"p{i}@acme.test" for i in range(MAX_COLLABORATORS + 1)]),
        ("recurring_days", [1] * (MAX_RECURRING_DAYS + 1)),
    ],
)
def test_every_list_is_bounded(field: str, value: list[Any]) -> None:
    assert fields_of(**{field: value}) == {field}


def test_blocker_lists_are_bounded() -> None:
    urls = [f"site{i}.example" for i in range(MAX_URLS + 1)]
    assert fields_of(website_blocker={"urls": urls}) == {"website_blocker.urls"}
    categories = ["news"] * (MAX_CATEGORIES + 1)
    assert fields_of(website_blocker={"category": categories}) == {"website_blocker.category"}


def test_the_largest_lists_are_accepted_and_deduplicated_in_order() -> None:
    people: list[int | str] = [*range(MAX_COLLABORATORS // 2, 0, -1)]
    people += [f"P{i}@Acme.test" for i in range(MAX_COLLABORATORS - len(people))]
    created = SessionCreate.model_validate(
        {
            **BASE,
            "collaborator": people,
            "website_blocker": {"urls": [f"s{i}.example" for i in range(MAX_URLS)]},
        }
    )
    assert created.collaborator[:2] == [MAX_COLLABORATORS // 2, MAX_COLLABORATORS // 2 - 1]
    assert created.collaborator[-1] == f"p{MAX_COLLABORATORS // 2 - 1}@acme.test"
    assert len(created.website_blocker.urls) == MAX_URLS


@pytest.mark.parametrize(
    "value", [0, 86400, "86400", "2025-01-01T00:00:00", dt.datetime(2025, 1, 1), "20250101"]
)
def test_dates_are_yyyy_mm_dd_only(value: Any) -> None:
    assert fields_of(schedule=value) == {"schedule"}
    assert fields_of(is_recurring=1, recurring_ends=value) == {"recurring_ends"}
    with pytest.raises(ValidationError, match="date"):
        JoinRequest.model_validate({"date": value})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("duration", True),
        ("duration", "60"),
        ("duration", 60.5),
        ("org_id", True),
        ("recurring_month_week_pos", True),
        ("recurring_days", [True]),
        ("collaborator", [True]),
        ("is_public", 1),
        ("is_public", "true"),
        ("website_blocker_enabled", 0),
        ("is_recurring", 2),
        ("is_recurring", "1"),
        ("is_recurring", 1.0),
    ],
)
def test_booleans_are_not_numbers_nor_numbers_booleans(field: str, value: Any) -> None:
    expected = f"{field}.0" if isinstance(value, list) else field
    assert fields_of(**{field: value}) == {expected}


def test_focused_minutes_true_is_refused_like_duration_true() -> None:
    with pytest.raises(ValidationError, match="focused_minutes"):
        CompleteRequest.model_validate({"focused_minutes": True})
    assert CompleteRequest.model_validate({"focused_minutes": 25}).focused_minutes == 25


def test_category_ids_must_exist_and_are_matched_in_any_case() -> None:
    with pytest.raises(ValidationError, match="unknown category no-such-category"):
        SessionCreate.model_validate(
            {**BASE, "website_blocker": {"category": ["no-such-category"]}}
        )
    created = SessionCreate.model_validate({**BASE, "website_blocker": {"category": [" News "]}})
    assert created.website_blocker.category == ["news"]


def test_the_category_ids_are_the_blocklists_files() -> None:
    from deepworkzone.blocking.categories import category_ids

    assert list(CATEGORY_IDS) == category_ids()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://example.com", "data:text/html,hi", "localhost", "10.0.0.1"],
)
def test_urls_must_be_domains_or_http_urls(url: str) -> None:
    assert fields_of(website_blocker={"urls": [url]}) == {"website_blocker.urls.0"}


@pytest.mark.parametrize(
    "url",
    ["example.com", "HTTPS://www.example.com/feed?x=1", "news.example.co.uk:8080", "bücher.de"],
)
def test_domains_and_http_urls_are_kept_as_written(url: str) -> None:
    created = SessionCreate.model_validate({**BASE, "website_blocker": {"urls": [f" {url} "]}})
    assert created.website_blocker.urls == [url]


def test_put_refuses_null_where_a_create_does_and_accepts_it_where_it_does() -> None:
    for field in ("type", "name", "duration", "website_blocker"):
        with pytest.raises(ValidationError, match=f"{field}\n.*may not be null"):
            SessionUpdate.model_validate({field: None})
    update = SessionUpdate.model_validate({"recurring_ends": None, "org_id": None})
    assert update.model_fields_set == {"recurring_ends", "org_id"}
    schema = SessionUpdate.model_json_schema()["properties"]
    assert "null" not in str(schema["type"]) and "null" in str(schema["recurring_ends"])


@settings(max_examples=300, deadline=None)
@given(st.from_regex(CLOCK_PATTERN))
def test_every_time_the_pattern_allows_is_read(text: str) -> None:
    parse_clock(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789: aApPmM.\t", max_size=10))
def test_a_time_the_pattern_refuses_is_refused(text: str) -> None:
    if not re.search(CLOCK_PATTERN, text):
        with pytest.raises(ValueError):
            parse_clock(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(SITE_PATTERN))
def test_every_site_the_pattern_allows_is_accepted(text: str) -> None:
    SessionCreate.model_validate({**BASE, "website_blocker": {"urls": [text]}})


def test_a_session_too_large_for_one_request_is_refused_where_it_can_be_fixed() -> None:
    """The server answers 413 past MAX_BODY_BYTES without reading the body; the models say
    so first, so an edit queued offline never waits for a sync that cannot happen."""
    from pydantic import ValidationError

    from deepworkzone.domain.limits import MAX_BODY_BYTES
    from deepworkzone.domain.models import SessionCreate, SessionUpdate

    base = {
        "name": "Big",
        "type": "standard",
        "duration": 30,
        "schedule": "2026-12-01",
        "time": "9:00 AM",
    }
    long_sites = [f"{'a' * 60}{i}.example.com" for i in range(400)]  # ~32 KB
    longer = [f"https://{'b' * 40}{i}.example.com/{'p' * 150}" for i in range(400)]  # ~85 KB
    ok = {
        "website_blocker_enabled": True,
        "website_blocker": {"mode": "custom", "urls": long_sites},
    }
    SessionCreate(**base, **ok)  # under the limit: accepted
    too_big = {
        "website_blocker_enabled": True,
        "website_blocker": {"mode": "custom", "urls": longer},
    }
    for model, body in ((SessionCreate, {**base, **too_big}), (SessionUpdate, too_big)):
        try:
            model(**body)
        except ValidationError as exc:
            assert "too large to send" in str(exc) and f"{MAX_BODY_BYTES // 1024} KB" in str(exc)
        else:
            raise AssertionError(f"{model.__name__} took a body the server refuses unread")
