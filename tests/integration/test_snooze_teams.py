"""The Teams snoozer against a fake Microsoft Graph presence API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepworkzone.snooze import connections
from deepworkzone.snooze.errors import AuthRevoked, PermissionDenied, RateLimited
from deepworkzone.snooze.factory import build_snoozers
from deepworkzone.snooze.graph_api import GraphApi
from deepworkzone.snooze.http_retry import RetryPolicy
from deepworkzone.snooze.teams_snoozer import TeamsSnoozer
from deepworkzone.snooze.tokens import StaticToken, TokenProvider
from tests.fakes.fake_graph import FakeGraph
from tests.integration.snooze_fixtures import graph_fixture  # noqa: F401

DND = ("DoNotDisturb", "DoNotDisturb")


class RefreshingToken:
    """MSAL stand-in: its cached access token has expired; a silent refresh gets a good one."""

    def __init__(self) -> None:
        self.current = "expired"
        self.refreshes = 0

    def token(self) -> str:
        return self.current

    def refresh(self) -> str | None:
        self.refreshes += 1
        self.current = "good"
        return self.current


def make(
    fake: FakeGraph,
    minutes: int = 30,
    tokens: TokenProvider | None = None,
    sleeps: list[float] | None = None,
) -> TeamsSnoozer:
    recorded = sleeps if sleeps is not None else []
    api = GraphApi(tokens or StaticToken("good"), policy=RetryPolicy(sleep=recorded.append))
    ends_at = datetime.now(UTC) + timedelta(minutes=minutes)
    return TeamsSnoozer(ends_at, "Deep work", api=api, clock=fake.now, sleep=recorded.append)


def saves() -> tuple[list[dict[str, Any]], Any]:
    records: list[dict[str, Any]] = []
    return records, lambda record: records.append(json.loads(json.dumps(record)))


def test_happy_path_sets_dnd_with_expiry_and_clears_it(graph: FakeGraph) -> None:
    records, save = saves()
    snoozer = make(graph, minutes=90)
    snoozer.apply(save)

    assert graph.visible() == DND
    posted = [body for m, path, body in graph.calls if path.endswith("setUserPreferredPresence")]
    # Covers the whole 90 minutes, rounded up to whole minutes (never 89 any more).
    assert [body["expirationDuration"] for body in posted] in (["PT1H30M"], ["PT1H31M"])
    assert posted[0]["availability"] == posted[0]["activity"] == "DoNotDisturb"
    assert records[0]["ours"] is True  # journaled before the POST
    assert records[0]["prev"] == {"availability": "Available", "activity": "Available"}
    assert snoozer.warnings == []

    snoozer.undo()
    assert graph.visible() == ("Available", "Available")
    assert graph.paths_called("POST")[-1].endswith("clearUserPreferredPresence")


def test_user_already_in_dnd_is_left_alone(graph: FakeGraph) -> None:
    graph.set_by_user(*DND)
    records, save = saves()
    snoozer = make(graph)
    snoozer.apply(save)
    snoozer.undo()
    assert records[-1]["ours"] is False
    assert graph.paths_called("POST") == []
    assert graph.visible() == DND


def test_presence_changed_by_the_user_mid_session_is_kept(graph: FakeGraph) -> None:
    snoozer = make(graph)
    snoozer.apply(saves()[1])
    graph.set_by_user("Busy", "Busy")
    snoozer.undo()
    assert graph.visible() == ("Busy", "Busy")
    assert not any(p.endswith("clearUserPreferredPresence") for p in graph.paths_called())


def test_presence_that_applies_late_is_read_back_before_warning(graph: FakeGraph) -> None:
    graph.late_reads = 2
    sleeps: list[float] = []
    snoozer = make(graph, sleeps=sleeps)
    snoozer.apply(saves()[1])
    assert snoozer.warnings == []
    assert sleeps == [1.0, 2.0]  # read at once, then 1 s and 2 s later: the third shows DND
    assert graph.visible() == DND


def test_presence_that_never_shows_is_a_warning_not_a_failure(graph: FakeGraph) -> None:
    graph.late_reads = 10
    snoozer = make(graph)
    snoozer.apply(saves()[1])
    assert "few minutes" in snoozer.warnings[0]


def test_expired_token_is_refreshed_silently_once(graph: FakeGraph) -> None:
    tokens = RefreshingToken()
    make(graph, tokens=tokens).apply(saves()[1])
    assert tokens.refreshes == 1
    assert graph.visible() == DND


def test_token_that_cannot_be_refreshed_marks_disconnected(graph: FakeGraph) -> None:
    snoozer = make(graph, tokens=StaticToken("stale"))
    with pytest.raises(AuthRevoked, match="reconnect Microsoft Teams") as raised:
        snoozer.apply(saves()[1])
    assert "deepworkzone" not in str(raised.value)
    assert raised.value.code == "snooze_authrevoked"  # type: ignore[attr-defined]
    assert raised.value.data == {"service": "teams", "error": "InvalidAuthenticationToken"}  # type: ignore[attr-defined]
    assert len(graph.calls) == 1
    assert connections.disconnected_reason("teams")


def test_forbidden_explains_consent_account_and_policy(graph: FakeGraph) -> None:
    graph.forbidden = "Insufficient privileges to complete the operation."
    with pytest.raises(PermissionDenied) as info:
        make(graph).apply(saves()[1])
    message = str(info.value)
    assert "consent" in message and "personal Microsoft account" in message
    assert "tenant policy" in message and "Insufficient privileges" in message


def test_429_then_success(graph: FakeGraph) -> None:
    graph.rate_limit_next(retry_after=1)
    sleeps: list[float] = []
    make(graph, sleeps=sleeps).apply(saves()[1])
    assert sleeps[0] == 1.0
    assert graph.visible() == DND


def test_throttled_beyond_the_budget_is_reported(graph: FakeGraph) -> None:
    graph.rate_limit_next(retry_after=300)
    with pytest.raises(RateLimited, match="Microsoft Teams is rate limiting"):
        make(graph).apply(saves()[1])


def test_after_our_expiry_a_dnd_is_not_ours(graph: FakeGraph) -> None:
    records, save = saves()
    make(graph, minutes=10).apply(save)
    graph.advance(12 * 60)  # our DND lasted at most 11 minutes
    assert graph.visible() == ("Available", "Available")  # Graph dropped our preference
    graph.set_by_user(*DND)  # later, the user chose DND themselves
    TeamsSnoozer.from_record(records[-1], api=GraphApi(StaticToken("good")), clock=graph.now).undo()
    assert graph.visible() == DND


def test_restart_mid_session_clears_our_dnd(
    graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    records, save = saves()
    make(graph).apply(save)
    assert "good" not in json.dumps(records)
    snoozer = TeamsSnoozer.from_record(records[-1])  # a new process: token from the env again
    snoozer.undo()
    snoozer.undo()
    assert graph.visible() == ("Available", "Available")


def test_factory_builds_teams_from_env_token(
    graph: FakeGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    ends_at = datetime.now(UTC) + timedelta(minutes=30)
    snoozers, warnings = build_snoozers(["teams"], ends_at=ends_at, session_name="x")
    assert snoozers == [] and "Microsoft Teams is not connected" in warnings[0]
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    snoozers, warnings = build_snoozers(["Teams"], ends_at=ends_at, session_name="x")
    assert warnings == [] and [s.kind for s in snoozers] == ["teams"]


# ------------------------------------------------- Graph lags, and crashes around the set
def test_the_intent_is_journaled_before_the_set(graph: FakeGraph) -> None:
    graph.auto = ("Busy", "Busy")  # in a meeting, by the calendar
    saved: list[tuple[int, dict[str, Any]]] = []
    make(graph).apply(
        lambda record: saved.append((len(graph.calls), json.loads(json.dumps(record))))
    )
    set_at = graph.paths_called().index("/v1.0/me/presence/setUserPreferredPresence")
    before_set = [record for calls, record in saved if calls <= set_at]
    assert before_set, "nothing journaled before setUserPreferredPresence"
    intent = before_set[-1]
    assert intent["ours"] is True
    assert intent["prev"] == {"availability": "Busy", "activity": "Busy"}
    assert intent["setting"]["availability"] == intent["setting"]["activity"] == "DoNotDisturb"
    assert intent["setting"]["expirationDuration"] in ("PT30M", "PT31M")
    assert intent["expires_at"] >= intent["ends_at"]


def test_recovery_clears_our_dnd_while_graph_still_shows_the_old_presence(
    graph: FakeGraph,
) -> None:
    """Killed while applying, then `deepworkzone unblock` at once: Graph has not caught up
    with our set, so reads still show the presence from before. That is no proof the user
    changed anything: our DND must be cleared, not kept until it expires."""
    graph.lag_seconds = 30
    records, save = saves()
    make(graph).apply(save)  # the read-backs see the old presence: a warning only
    assert graph.visible() == DND
    assert graph.get_shown() == ("Available", "Available")

    TeamsSnoozer.from_record(records[-1], api=GraphApi(StaticToken("good")), clock=graph.now).undo()
    assert graph.visible() == ("Available", "Available")
    assert graph.preferred is None


def test_the_normal_end_clears_our_dnd_while_graph_lags(graph: FakeGraph) -> None:
    graph.lag_seconds = 30
    snoozer = make(graph)
    snoozer.apply(saves()[1])
    snoozer.undo()  # a session stopped seconds after it started
    assert graph.preferred is None


def test_killed_before_the_set_reached_graph_clears_harmlessly(graph: FakeGraph) -> None:
    class Killed(BaseException):
        pass

    records: list[dict[str, Any]] = []

    def save_then_die(record: dict[str, Any]) -> None:
        records.append(json.loads(json.dumps(record)))
        if record.get("ours"):
            raise Killed  # the intent is on disk; the POST never leaves

    with pytest.raises(Killed):
        make(graph).apply(save_then_die)
    assert graph.paths_called("POST") == []
    TeamsSnoozer.from_record(records[-1], api=GraphApi(StaticToken("good")), clock=graph.now).undo()
    assert graph.visible() == ("Available", "Available")


def test_a_presence_the_user_picked_is_kept_even_while_graph_lags(graph: FakeGraph) -> None:
    graph.lag_seconds = 30
    records, save = saves()
    make(graph).apply(save)
    graph.advance(60)  # the lag is over; then the user picks Busy in Teams
    graph.set_by_user("Away", "Away")
    TeamsSnoozer.from_record(records[-1], api=GraphApi(StaticToken("good")), clock=graph.now).undo()
    assert graph.visible() == ("Away", "Away")
