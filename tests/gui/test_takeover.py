"""Opening the app while the agent runs a session: the real thing.

`deepworkzone run` runs as a subprocess on this test's DEEPWORKZONE_HOME with a quick session
(`deepworkzone start --minutes 5`, method hosts, on the test's private hosts file). Then the
app's own start-up path (gui/app.py `startup`) runs here: the agent hands over and exits, the
app holds the instance lock (`status --json` says process kind "app"), and it resumed the
same session: the same end time, the hosts file still blocking. Quitting the app ends it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gui.test_window_tray import offscreen_noise  # noqa: F401 (autouse fixture)
from tests.integration.focus_helpers import HOSTS_MARK, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(90)]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepworkzone.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ),
    )


def _status() -> dict[str, Any] | None:
    out = _cli("status", "--json")
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout)
    except ValueError:
        return None


def _kind(status: dict[str, Any] | None) -> str | None:
    return ((status or {}).get("process") or {}).get("kind")


def test_the_app_takes_over_a_running_session_from_the_agent(
    qtbot: Any, tmp_path: Path, isolated_home: Path, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QApplication

    from deepworkzone.gui import app as gui_app

    # No event loop runs here: the app's exit(0) at quit must not reach pytest-qt's.
    monkeypatch.setattr(QApplication.instance(), "exit", lambda *_a: None)

    hosts = Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])
    original = hosts.read_bytes()
    log = (tmp_path / "agent.log").open("w")
    agent = subprocess.Popen(
        [sys.executable, "-m", "deepworkzone.cli.main", "run"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    shell: Any = None
    try:
        wait_for(lambda: _kind(_status()) == "agent", timeout=30, what="the agent")
        started = _cli("start", "--minutes", "5")
        assert started.returncode == 0, started.stderr
        before = _status()
        assert before and before["running"], before
        ends_at = before["running"]["ends_at"]
        assert before["running"]["blocked"]["method"] == "hosts"
        assert HOSTS_MARK in hosts.read_bytes()

        shell = gui_app.startup([])
        assert not isinstance(shell, int), f"the app refused to start ({shell})"
        qtbot.addWidget(shell.window)
        # The agent left (a hand-over, not a stop) and the app holds the lock and socket.
        assert agent.wait(timeout=20) == 0
        qtbot.waitUntil(lambda: shell.started, timeout=20_000)
        after = _status()
        assert _kind(after) == "app", after
        assert after["running"] and after["running"]["ends_at"] == ends_at
        assert HOSTS_MARK in hosts.read_bytes()  # blocking never stopped
        status = shell.engine.focus.status()
        assert status.alive and status.ends_at.isoformat().startswith(ends_at[:19])
        agent_log = (tmp_path / "agent.log").read_text()
        assert "handed over to the desktop app" in agent_log
        assert "everything was put back" not in agent_log
    finally:
        if shell is not None and not isinstance(shell, int):
            shell.quit()  # ends the session and puts the hosts file back
        if agent.poll() is None:
            agent.terminate()
            agent.wait(timeout=20)
        log.close()
    assert hosts.read_bytes() == original
    assert _status() is None or _kind(_status()) is None
