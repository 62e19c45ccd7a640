"""SessionsClient against the real server on loopback: the sessions endpoints and their errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import AuthError, NotFound, PreconditionFailed, ValidationFailed
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from tests.integration.conftest import SEED_SESSION, LiveServer

Body = Callable[..., dict[str, Any]]


@pytest.fixture
def owner(live_server: LiveServer) -> Iterator[SessionsClient]:
    with SessionsClient(live_server.url, live_server.create_user("owner@acme.test")) as client:
        yield client


def test_the_seed_example_sent_verbatim_is_read_back_field_for_field(
    live_server: LiveServer, owner: SessionsClient
) -> None:
    created = owner.create_session_json(SEED_SESSION)
    answer = owner.get_session_json(created["id"])
    for field, sent in SEED_SESSION.items():
        assert answer[field] == sent, field
    typed = owner.get_session(created["id"])
    assert typed.created_by == live_server.user_id("owner@acme.test")
    assert typed.participation is not None and typed.participation.role == "owner"
    assert typed.website_blocker.category == ["social-media", "gaming"]


def test_create_from_the_model_and_update_it(owner: SessionsClient, session_body: Body) -> None:
    body = SessionCreate.model_validate(session_body(name="Writing", time="21:30"))
    created = owner.create_session(body)
    assert (created.name, created.time) == ("Writing", "9:30 PM")

    changed = owner.update_session(created.id, SessionUpdate(duration=45, name="  Edited  "))
    assert (changed.name, changed.duration, changed.time) == ("Edited", 45, "9:30 PM")
    assert owner.get_session(created.id).duration == 45


def test_update_with_a_stale_etag_is_a_precondition_failure(
    owner: SessionsClient, session_body: Body
) -> None:
    sid = owner.create_session_json(session_body())["id"]
    _, etag = owner.get_session_versioned(sid)
    assert etag
    owner.update_session(sid, {"duration": 30}, if_match=etag)
    with pytest.raises(PreconditionFailed) as err:
        owner.update_session(sid, {"duration": 40}, if_match=etag)
    assert err.value.exit_code == 1
    assert owner.get_session(sid).duration == 30


def test_list_filters_are_sent_to_the_server(owner: SessionsClient, session_body: Body) -> None:
    owner.create_session_json(session_body(name="Public drop-in", type="drop-in", is_public=True))
    owner.create_session_json(
        session_body(name="Private standard", type="standard", is_public=False)
    )
    owner.create_session_json(
        session_body(
            name="Weekly review",
            schedule="2025-01-06",
            is_recurring=1,
            occurrence="weekly",
            recurring_days=[1],
        )
    )

    def names(**filters: Any) -> set[str]:
        return {s.name for s in owner.list_sessions(**filters)}

    assert names(channel="public") == {"Public drop-in", "Weekly review"}
    assert names(channel="private") == {"Private standard"}
    assert names(type="standard") == {"Private standard"}
    assert names(keyword="WEEKLY") == {"Weekly review"}
    # A recurring series occurs on later Mondays; the one-offs only on their day.
    assert names(date=dt.date(2025, 3, 3)) == {"Weekly review"}
    assert names(date=dt.date(2025, 3, 4)) == set()
    assert names(day_start=dt.date(2025, 1, 1), day_ends=dt.date(2025, 1, 1)) == {
        "Public drop-in",
        "Private standard",
    }
    assert names(completed=0, source="user") == {
        "Public drop-in",
        "Private standard",
        "Weekly review",
    }


def test_a_bad_filter_value_is_a_validation_error_naming_the_field(owner: SessionsClient) -> None:
    with pytest.raises(ValidationFailed) as err:
        owner.list_sessions(channel="everyone")
    assert "channel" in err.value.fields
    assert str(err.value).startswith("channel: ")


def test_iter_pages_follows_the_link_header(owner: SessionsClient, session_body: Body) -> None:
    for n in range(5):
        owner.create_session_json(session_body(name=f"S{n}"))
    first = owner.list_page(per_page=2)
    assert first.total == 5 and len(first.raw) == 2 and first.next_url
    pages = list(owner.iter_pages(per_page=2))
    assert [len(p.raw) for p in pages] == [2, 2, 1]
    assert sorted(s.name for s in owner.iter_sessions(per_page=2)) == [f"S{n}" for n in range(5)]


def test_422_names_each_bad_field_readably(owner: SessionsClient, session_body: Body) -> None:
    with pytest.raises(ValidationFailed) as err:
        owner.create_session_json(session_body(duration=2000, time="25:00"))
    assert set(err.value.fields) == {"duration", "time"}
    assert "duration: " in str(err.value) and "1440" in str(err.value)
    assert err.value.exit_code == 1


def test_delete_a_series_and_an_occurrence(owner: SessionsClient, session_body: Body) -> None:
    one_off = owner.create_session_json(session_body())["id"]
    owner.delete_session(one_off)
    with pytest.raises(NotFound) as err:
        owner.get_session(one_off)
    assert str(err.value) == f"session {one_off} not found"

    daily = owner.create_session_json(
        session_body(schedule="2025-01-01", is_recurring=1, occurrence="daily")
    )["id"]
    owner.delete_session(daily, occurrence=dt.date(2025, 1, 3))
    assert dt.date(2025, 1, 3) in owner.get_session(daily).deleted_occurrences
    assert [s.id for s in owner.list_sessions(date=dt.date(2025, 1, 3))] == []
    assert [s.id for s in owner.list_sessions(date=dt.date(2025, 1, 4))] == [daily]


def test_other_orgs_sessions_are_not_found_and_bad_tokens_are_auth_errors(
    live_server: LiveServer, owner: SessionsClient, session_body: Body
) -> None:
    sid = owner.create_session_json(session_body(is_public=True))["id"]
    with (
        SessionsClient(
            live_server.url, live_server.create_user("x@other.test", org="other")
        ) as outsider,
        pytest.raises(NotFound),
    ):
        outsider.get_session(sid)
    with (
        SessionsClient(live_server.url, "dwz_not_a_real_token") as stranger,
        pytest.raises(AuthError) as err,
    ):
        stranger.check_token()
    assert err.value.exit_code == 1
    assert "dwz_not_a_real_token" not in str(err.value)
