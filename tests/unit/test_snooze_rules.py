"""Pure rules of the snoozers: durations, status text, error classification, app names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from deepworkzone.snooze.errors import (
    ApiError,
    AuthRevoked,
    MissingScope,
    PermissionDenied,
    ServiceUnavailable,
)
from deepworkzone.snooze.factory import build_snoozers, parse_apps
from deepworkzone.snooze.graph_api import classify as classify_graph
from deepworkzone.snooze.http_retry import retry_after
from deepworkzone.snooze.slack_api import classify as classify_slack
from deepworkzone.snooze.slack_snoozer import focus_status_text, snooze_minutes, status_of
from deepworkzone.snooze.teams_snoozer import dnd_minutes, iso_minutes


@pytest.mark.parametrize(
    ("seconds_left", "minutes"),
    [(25 * 60, 25), (25 * 60 - 0.4, 25), (25 * 60 - 1, 25), (25 * 60 + 1, 26), (30, 1)],
)
def test_service_side_expiry_covers_the_whole_session(seconds_left: float, minutes: int) -> None:
    now = 1_000_000.0
    assert snooze_minutes(now + seconds_left, now) == minutes
    assert dnd_minutes(now + seconds_left, now) == minutes


@pytest.mark.parametrize("start", [1_000_000.0, 1_000_000.25, 1_000_000.5, 1_000_000.999])
@pytest.mark.parametrize("seconds_left", [30.0, 24 * 60 + 59.6, 25 * 60 - 0.3, 25 * 60, 90 * 60.5])
def test_a_snooze_counted_as_slack_counts_ends_within_a_minute_after_the_session(
    start: float, seconds_left: float
) -> None:
    """Slack ends a snooze at int(now) + num_minutes * 60: never before the session's end (a
    25-minute session once got 24 minutes), and less than a minute after it."""
    end = start + seconds_left
    for now in (start, start + 0.3, start + 1.7):  # apply runs a moment after the start
        slack_end = int(now) + snooze_minutes(end, now) * 60
        assert end <= slack_end < end + 60


@pytest.mark.parametrize(
    ("minutes", "iso"), [(1, "PT1M"), (25, "PT25M"), (60, "PT1H"), (90, "PT1H30M"), (600, "PT10H")]
)
def test_iso_durations(minutes: int, iso: str) -> None:
    assert iso_minutes(minutes) == iso


def test_focus_status_shows_the_local_end_time() -> None:
    ends = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
    text = focus_status_text(ends)
    assert text == f"Focusing — back at {ends.astimezone():%H:%M}"
    assert len(text) <= 100


def test_status_is_unescaped_as_slack_escapes_it() -> None:
    profile = {"status_text": "R&amp;D &lt;3 &gt;", "status_emoji": ":x:", "status_expiration": 5}
    assert status_of(profile) == {"text": "R&D <3 >", "emoji": ":x:", "expiration": 5}
    assert status_of({}) == {"text": "", "emoji": "", "expiration": 0}


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ("invalid_auth", AuthRevoked),
        ("token_revoked", AuthRevoked),
        ("account_inactive", AuthRevoked),
        ("not_authed", AuthRevoked),
        ("missing_scope", MissingScope),
        ("fatal_error", ServiceUnavailable),
        ("too_long", ApiError),
    ],
)
def test_slack_errors_are_classified(error: str, kind: type[Exception]) -> None:
    assert type(classify_slack({"ok": False, "error": error})) is kind


def test_missing_scope_names_what_is_needed() -> None:
    exc = classify_slack({"ok": False, "error": "missing_scope", "needed": "dnd:write"})
    assert "needs dnd:write" in str(exc) and "reconnect Slack" in str(exc)
    assert "deepworkzone" not in str(exc)
    assert exc.code == "snooze_missingscope"  # type: ignore[attr-defined]
    assert exc.data["needed"] == "dnd:write"  # type: ignore[attr-defined]


def graph_error(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": "msg"}})


def test_graph_errors_are_classified() -> None:
    assert isinstance(classify_graph(graph_error(401, "InvalidAuthenticationToken")), AuthRevoked)
    assert isinstance(classify_graph(graph_error(403, "Forbidden")), PermissionDenied)
    assert isinstance(classify_graph(graph_error(503, "ServiceUnavailable")), ServiceUnavailable)
    bad = classify_graph(graph_error(400, "BadRequest"))
    assert isinstance(bad, ApiError) and bad.code == "BadRequest"
    assert "HTTP 500" in str(classify_graph(httpx.Response(500, text="<html>")))


@pytest.mark.parametrize(
    ("header", "seconds"), [("1", 1.0), ("2.5", 2.5), ("", None), ("Wed, 21 Oct 2015", None)]
)
def test_retry_after_header(header: str, seconds: float | None) -> None:
    headers = {"Retry-After": header} if header else {}
    assert retry_after(httpx.Response(429, headers=headers)) == seconds


def test_app_names() -> None:
    assert parse_apps(["Slack", " teams", "slack", ""]) == ["slack", "teams"]
    with pytest.raises(ValueError, match="unknown app to snooze: 'discord'"):
        parse_apps(["slack", "discord"])


def test_factory_warns_for_services_not_connected() -> None:
    ends = datetime.now(UTC) + timedelta(minutes=30)
    snoozers, warnings = build_snoozers(["slack", "teams"], ends_at=ends, session_name="x")
    assert snoozers == []
    assert warnings == [
        "Slack is not connected: not snoozed",
        "Microsoft Teams is not connected: not snoozed",
    ]
    with pytest.raises(ValueError, match="timezone-aware"):
        build_snoozers(["slack"], ends_at=datetime.now(), session_name="x")
