"""kill -9 in the middle of a session, then a new process puts Slack and Teams back.

A real child process builds the snoozers with the factory, applies them with the run journal
(store.journal.Journal) as their ``save``, and is killed with SIGKILL while it "focuses". The
fake Slack and Graph servers then hold what the crash left; this process rebuilds each snoozer
from its journal record alone and undoes it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepworkzone.core.secrets import SecretStore
from deepworkzone.snooze import snoozer_base
from deepworkzone.snooze.factory import SNOOZER_KINDS
from deepworkzone.store.journal import Journal
from tests.fakes.fake_graph import FakeGraph
from tests.fakes.fake_slack import FakeSlack

SLACK_TOKEN = "xoxp-crash"
CHILD = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime, timedelta
    from deepworkzone.snooze.factory import build_snoozers
    from deepworkzone.store.journal import Journal

    ends_at = datetime.now(UTC) + timedelta(minutes=int(sys.argv[1]))
    journal = Journal()
    journal.begin({"name": "Crash test"}, ends_at)
    snoozers, warnings = build_snoozers(["slack", "teams"], ends_at=ends_at, session_name="Crash test")
    assert not warnings, warnings
    for snoozer in snoozers:
        snoozer.apply(lambda record, kind=snoozer.kind: journal.record(kind, record))
    print("applied", flush=True)
    time.sleep(300)
    """
)


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeSlack, FakeGraph]]:
    slack, graph = FakeSlack(SLACK_TOKEN), FakeGraph("good")
    monkeypatch.setenv("DEEPWORKZONE_SLACK_API_URL", slack.url)
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_API_URL", graph.url)
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    with pytest.warns(UserWarning):
        SecretStore().set("slack_token", SLACK_TOKEN)  # the child reads it from the store
    yield slack, graph
    slack.close()
    graph.close()


def run_and_kill(tmp_path: Path, minutes: int) -> dict[str, dict[str, object]]:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), str(minutes)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "applied", child.stderr.read() if child.stderr else ""
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    data = Journal().load()
    assert data is not None
    text = json.dumps(data)
    assert SLACK_TOKEN not in text and "good" not in text  # no token in the journal
    return data["effects"]


def test_kill_9_mid_session_then_restart_restores(
    fakes: tuple[FakeSlack, FakeGraph], tmp_path: Path
) -> None:
    slack, graph = fakes
    slack.set_status("On the train", ":train:", 0)
    effects = run_and_kill(tmp_path, minutes=30)

    # What the dead process left: snoozed, focus status, Teams DND.
    assert slack.snoozing()
    assert slack.profile["status_text"].startswith("Focusing")
    assert graph.visible() == ("DoNotDisturb", "DoNotDisturb")
    assert set(effects) == {"slack", "teams"}

    for kind, record in effects.items():
        SNOOZER_KINDS[kind].from_record(record).undo()

    assert not slack.snoozing()
    assert slack.profile["status_text"] == "On the train"
    assert slack.profile["status_emoji"] == ":train:"
    assert graph.visible() == ("Available", "Available")
    assert "dnd.endDnd" not in slack.methods_called()


def test_kill_9_then_restart_after_the_end_restores_only_what_is_ours(
    fakes: tuple[FakeSlack, FakeGraph], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack, graph = fakes
    slack.set_status("Reviewing PRs", ":eyes:", 0)
    effects = run_and_kill(tmp_path, minutes=5)

    # The machine was off for ten minutes: both services' expiries have run.
    for fake in (slack, graph):
        fake.advance(10 * 60)
    # One machine clock for both snoozers; the two fakes have moved on by the same amount.
    monkeypatch.setattr(snoozer_base, "wall_clock", slack.now)
    assert not slack.snoozing()
    assert slack.visible_profile()["status_text"] == ""  # Slack reset our expired status
    graph.set_by_user("Busy", "Busy")  # the user picked Busy after the session ended
    calls_before = len(slack.calls)

    for kind, record in effects.items():
        SNOOZER_KINDS[kind].from_record(record).undo()

    assert slack.profile["status_text"] == "Reviewing PRs"  # Slack cleared ours; we put theirs back
    assert slack.profile["status_emoji"] == ":eyes:"
    assert "dnd.endSnooze" not in slack.methods_called()[calls_before:]
    assert graph.visible() == ("Busy", "Busy")
    assert not any(p.endswith("clearUserPreferredPresence") for p in graph.paths_called())


def test_kill_9_while_applying_teams_then_unblock_at_once_while_graph_lags(
    fakes: tuple[FakeSlack, FakeGraph], tmp_path: Path
) -> None:
    """The 10-in-52 case of the kill suite: killed right after setting DND (while reading it
    back), then recovery a moment later, while Graph still shows the presence from before."""
    _, graph = fakes
    graph.auto = ("Away", "Away")
    graph.lag_seconds = 20
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen(
        [sys.executable, str(script), "30"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while not any(p.endswith("setUserPreferredPresence") for p in graph.paths_called()):
            assert child.poll() is None and time.monotonic() < deadline, child.stderr
            time.sleep(0.01)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert graph.visible() == ("DoNotDisturb", "DoNotDisturb")
    assert graph.get_shown() == ("Away", "Away")  # what reads still answer
    data = Journal().load()
    assert data is not None and data["effects"]["teams"]["ours"] is True

    for kind, record in data["effects"].items():
        SNOOZER_KINDS[kind].from_record(record).undo()

    assert graph.visible() == ("Away", "Away")
    assert graph.preferred is None
