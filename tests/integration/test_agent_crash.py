"""The real agent (`deepworkzone run`) killed mid-session, then started again.

Local sessions only; each agent has its own DEEPWORKZONE_HOME and a temporary hosts file
(DEEPWORKZONE_HOSTS_FILE), so nothing here touches the machine's /etc/hosts.

- kill -9 mid-session, restarted within the session's time: the new agent resumes it for the
  time left (same end time, the block back in the hosts file) and ends it on time, the hosts
  file byte-identical afterwards, one honest run in the history;
- kill -9 mid-session, restarted after its end time: the new agent puts everything back at
  start (hosts byte-identical, no journal) and the history records the run as ended early
  (not as missed, and not nothing);
- SIGTERM mid-session: the agent ends it cleanly, everything put back, recorded as ended early;
- SIGTERM during a strict session: the blocks stay, and a restarted agent takes the session up
  again and ends it at its end time.

The two kill -9 cases run side by side (two homes, two agents), so the whole file stays
around two and a half minutes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.focus_helpers import HOSTS_MARK, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

HOSTS = b"127.0.0.1\tlocalhost\n::1\tlocalhost\n10.1.2.3\tintranet.example\n"
SITE = b"crash.example"


@dataclass
class Home:
    """One machine, as far as Deep Work Zone can tell: its home, its hosts file, its agent."""

    root: Path
    hosts: Path
    agent: subprocess.Popen[str] | None = None
    runs: int = 0

    @classmethod
    def make(cls, tmp_path: Path, name: str) -> Home:
        root = tmp_path / name
        (root / "home").mkdir(parents=True)
        hosts = root / "hosts"
        hosts.write_bytes(HOSTS)
        return cls(root, hosts)

    @property
    def env(self) -> dict[str, str]:
        return dict(
            os.environ,
            DEEPWORKZONE_HOME=str(self.root / "home"),
            DEEPWORKZONE_HOSTS_FILE=str(self.hosts),
            DEEPWORKZONE_SYSTEM_PROXY="off",
        )

    @property
    def journal(self) -> Path:
        return self.root / "home" / "state" / "journal.json"

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "deepworkzone.cli.main", *args],
            capture_output=True,
            text=True,
            timeout=30,
            env=self.env,
        )

    def start_agent(self) -> None:
        assert self.agent is None
        self.runs += 1
        log = (self.root / f"agent-{self.runs}.log").open("w")
        self.agent = subprocess.Popen(
            [sys.executable, "-m", "deepworkzone.cli.main", "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        log.close()
        wait_for(lambda: self.process() == "agent", timeout=30, what="the agent to answer")

    def agent_log(self) -> str:
        return (self.root / f"agent-{self.runs}.log").read_text()

    def status(self) -> dict[str, Any]:
        done = self.cli("status", "--json")
        assert done.returncode == 0, done.stderr
        out: dict[str, Any] = json.loads(done.stdout)
        return out

    def process(self) -> str | None:
        process = self.status().get("process")
        return process["kind"] if process else None

    def running(self) -> dict[str, Any] | None:
        running: dict[str, Any] | None = self.status()["running"]
        return running

    def history(self) -> list[dict[str, Any]]:
        done = self.cli("history", "--json")
        assert done.returncode == 0, done.stderr
        runs: list[dict[str, Any]] = json.loads(done.stdout)
        return runs

    def kill(self, sig: int) -> int:
        agent = self.agent
        assert agent is not None
        agent.send_signal(sig)
        code = agent.wait(timeout=30)
        self.agent = None
        return code

    def close(self) -> None:
        if self.agent is not None and self.agent.poll() is None:
            self.agent.kill()
            self.agent.wait(timeout=30)
        self.agent = None


@pytest.fixture
def homes(tmp_path: Path) -> Any:
    made: list[Home] = []

    def make(name: str) -> Home:
        home = Home.make(tmp_path, name)
        made.append(home)
        return home

    yield make
    for home in made:
        home.close()


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _same_second(a: str, b: str) -> bool:
    """The history keeps whole seconds; status answers with microseconds."""
    return abs((_when(a) - _when(b)).total_seconds()) < 1


def _start_quick(home: Home, *extra: str) -> dict[str, Any]:
    done = home.cli("start", "--minutes", "1", *extra)
    assert done.returncode == 0, done.stderr
    assert "in the running Deep Work Zone agent" in done.stdout, done.stdout
    running = home.running()
    assert running is not None
    return running


def _schedule_now(home: Home) -> None:
    """A one-minute stored session of the current minute (started up to a minute late), or of
    the next one when too little of this one is left."""
    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0)
    if now.second > 35:
        start += timedelta(minutes=1)
    done = home.cli(
        "sessions",
        "create",
        "--name",
        "Crashed",
        "--date",
        start.date().isoformat(),
        "--time",
        start.strftime("%H:%M"),
        "--timezone",
        "UTC",
        "--duration",
        "1",
        "--url",
        SITE.decode(),
    )
    assert done.returncode == 0, done.stderr


def _assert_put_back(home: Home) -> None:
    assert home.hosts.read_bytes() == HOSTS
    assert not home.journal.exists()


def test_kill_9_mid_session_then_restart_within_and_after_its_time(homes: Any) -> None:
    within, after = homes("within"), homes("after")

    # After: a stored session starts by itself, then its agent is killed.
    _schedule_now(after)
    after.start_agent()
    wait_for(lambda: after.running() is not None, timeout=70, what="the stored session to start")
    gone = after.running()
    assert gone is not None and gone["session_id"] is not None
    gone_ends = _when(gone["ends_at"])
    assert SITE in after.hosts.read_bytes()
    assert after.kill(signal.SIGKILL) == -signal.SIGKILL

    # Within: a quick session started against the running agent, which is then killed.
    within.start_agent()
    first = _start_quick(within)
    assert HOSTS_MARK in within.hosts.read_bytes()
    assert within.kill(signal.SIGKILL) == -signal.SIGKILL
    # What a crash leaves: the blocks and the journal, until a Deep Work Zone starts again.
    assert HOSTS_MARK in within.hosts.read_bytes() and within.journal.exists()
    time.sleep(2)
    within.start_agent()
    resumed = within.running()
    assert resumed is not None, within.agent_log()
    assert resumed["ends_at"] == first["ends_at"]
    assert within.agent is not None
    assert resumed["process_alive"] and resumed["pid"] == within.agent.pid
    assert resumed["name"] == first["name"]
    assert HOSTS_MARK in within.hosts.read_bytes()
    assert "resumed" in within.agent_log() or "started" in within.agent_log()

    ends = _when(first["ends_at"])
    wait_for(
        lambda: within.running() is None,
        timeout=(ends - datetime.now(UTC)).total_seconds() + 10,
        what="the resumed session to end",
    )
    assert datetime.now(UTC) - ends < timedelta(seconds=5), "ended late"
    _assert_put_back(within)
    (run,) = within.history()
    assert run["outcome"] == "completed", run
    assert _same_second(run["started_at"], first["started_at"]), "it started before the crash"
    assert (run["planned_minutes"], run["focused_minutes"]) == (1, 1), run

    # After: started again once the end time has passed; it cleans up at start.
    wait_for(
        lambda: datetime.now(UTC) > gone_ends + timedelta(seconds=1),
        timeout=70,
        what="the killed session's end time",
    )
    assert SITE in after.hosts.read_bytes() and after.journal.exists()
    after.start_agent()
    _assert_put_back(after)
    assert after.running() is None
    (run,) = after.history()
    assert run["session_id"] == gone["session_id"]
    assert run["outcome"] == "ended_early", run
    assert _same_second(run["started_at"], gone["started_at"])
    assert run["reason"], "says why it ended early"
    assert after.kill(signal.SIGTERM) == 0
    _assert_put_back(after)


def test_sigterm_mid_session_ends_it_cleanly(homes: Any) -> None:
    home = homes("term")
    home.start_agent()
    running = _start_quick(home)
    assert HOSTS_MARK in home.hosts.read_bytes()
    assert home.kill(signal.SIGTERM) == 0
    _assert_put_back(home)
    assert "everything was put back" in home.agent_log()
    (run,) = home.history()
    assert (run["name"], run["outcome"]) == (running["name"], "ended_early")
    assert run["focused_minutes"] == 0


def test_a_strict_session_survives_sigterm_and_the_next_agent_ends_it_on_time(
    homes: Any,
) -> None:
    home = homes("strict")
    home.start_agent()
    first = _start_quick(home, "--strict")
    assert first["strict"]
    done = home.cli("stop")
    assert done.returncode != 0 and "strict" in done.stderr
    assert home.kill(signal.SIGTERM) == 0
    # The blocks stay until the end time; the journal says so.
    assert HOSTS_MARK in home.hosts.read_bytes() and home.journal.exists()
    offline = home.running()
    assert offline is not None and offline["strict"] and not offline["process_alive"]

    home.start_agent()
    resumed = home.running()
    assert resumed is not None and resumed["process_alive"] and resumed["strict"]
    assert resumed["ends_at"] == first["ends_at"]
    assert HOSTS_MARK in home.hosts.read_bytes()
    ends = _when(first["ends_at"])
    wait_for(
        lambda: home.running() is None,
        timeout=(ends - datetime.now(UTC)).total_seconds() + 10,
        what="the strict session to end",
    )
    assert datetime.now(UTC) - ends < timedelta(seconds=5), "ended late"
    _assert_put_back(home)
    (run,) = home.history()
    assert run["outcome"] == "completed" and run["strict"], run
    assert _same_second(run["started_at"], first["started_at"])
    assert home.kill(signal.SIGTERM) == 0
    _assert_put_back(home)
