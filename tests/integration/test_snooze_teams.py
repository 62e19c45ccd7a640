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
    assert posted == [
        {
            "availability": "DoNotDisturb",
            "activity": "DoNotDisturb",
            "expirationDuration": "PT1H29M",
        }
    ] or posted == [
        {
            "availability": "DoNotDisturb",
            "activity": "DoNotDisturb",
            "expirationDuration": "PT1H30M",
        }
    ]
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
    assert len(sleeps) == 3  # two stale reads, the third shows DND
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
    with pytest.raises(AuthRevoked, match="connect teams"):
        snoozer.apply(saves()[1])
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
    graph.advance(11 * 60)
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
