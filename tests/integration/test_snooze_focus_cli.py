"""The real `deepworkzone focus --snooze slack,teams` against the fakes: a normal early end,
and kill -9 followed by `deepworkzone unblock` in a new process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from deepworkzone.cli.main import main
from deepworkzone.core.secrets import SecretStore
from deepworkzone.store.journal import Journal
from tests.fakes.fake_graph import FakeGraph
from tests.fakes.fake_slack import FakeSlack

DND = ("DoNotDisturb", "DoNotDisturb")


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeSlack, FakeGraph]]:
    slack, graph = FakeSlack("xoxp-cli"), FakeGraph("good")
    monkeypatch.setenv("DEEPWORKZONE_SLACK_API_URL", slack.url)
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_API_URL", graph.url)
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    with pytest.warns(UserWarning):
        SecretStore().set("slack_token", "xoxp-cli")
    slack.set_status("Writing docs", ":memo:")
    yield slack, graph
    slack.close()
    graph.close()


def start_focus() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deepworkzone.cli.main",
            "focus",
            "--minutes",
            "20",
            "--method",
            "none",
            "--name",
            "Deep work",
            "--snooze",
            "slack,teams",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def wait_for(condition: Callable[[], bool], child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        if child.poll() is not None:
            pytest.fail(f"focus exited early: {child.communicate()}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"timed out: {child.communicate()}")
        time.sleep(0.05)


def snoozed_and_journaled(slack: FakeSlack, graph: FakeGraph) -> Callable[[], bool]:
    def check() -> bool:
        try:
            data = Journal().load()
        except Exception:
            return False
        effects = set((data or {}).get("effects", {}))
        return slack.snoozing() and graph.visible() == DND and {"slack", "teams"} <= effects

    return check


def test_focus_with_snooze_ends_early_and_restores(fakes: tuple[FakeSlack, FakeGraph]) -> None:
    slack, graph = fakes
    child = start_focus()
    wait_for(snoozed_and_journaled(slack, graph), child)
    assert slack.profile["status_text"].startswith("Focusing — back at")
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    assert child.returncode == 0, out + err
    assert "Traceback" not in err
    assert not slack.snoozing()
    assert slack.profile["status_text"] == "Writing docs"
    assert graph.visible() == ("Available", "Available")
    assert Journal().load() is None


def test_focus_killed_then_unblock_restores(
    fakes: tuple[FakeSlack, FakeGraph], capsys: pytest.CaptureFixture[str]
) -> None:
    slack, graph = fakes
    child = start_focus()
    wait_for(snoozed_and_journaled(slack, graph), child)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)

    assert main(["unblock"]) == 0, capsys.readouterr()

    assert not slack.snoozing()
    assert slack.profile["status_text"] == "Writing docs"
    assert slack.profile["status_emoji"] == ":memo:"
    assert graph.visible() == ("Available", "Available")
    assert "dnd.endDnd" not in slack.methods_called()
    assert Journal().load() is None
