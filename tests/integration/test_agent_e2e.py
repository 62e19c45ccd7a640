"""The whole promise, all real: a session made through the API starts by itself.

The real server on loopback; a session created through its API that starts about a minute
later and lasts two; `deepworkzone run` in a private mount namespace with a temporary file
bound over /etc/hosts, so `getent` inside it sees what a browser would; the fake Slack. The
agent must start the session within 2 s of its time, block the site while it runs, show it in
`status --json`, end it on time, put the hosts file back byte for byte, lift the Slack snooze,
tell the server it was completed with its minutes, and list it in `history --json`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import can_unshare
from tests.fakes.fake_slack import FakeSlack
from tests.integration.conftest import LiveServer
from tests.integration.focus_helpers import run_cli, wait_for
from tests.integration.snooze_fixtures import SLACK_TOKEN, slack_fixture

__all__ = ["slack_fixture"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(420),
    pytest.mark.skipif(not can_unshare(), reason="needs root and unshare"),
]

HOSTS = b"127.0.0.1\tlocalhost\n::1\tlocalhost\n10.1.2.3\tintranet.example\n"


def _status(env: dict[str, str]) -> dict:
    done = run_cli(["status", "--json"], **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _getent(pid: int, name: str) -> str:
    done = subprocess.run(
        ["nsenter", "--mount", "--target", str(pid), "getent", "hosts", name],
        capture_output=True,
        text=True,
        timeout=10,
    )
    return done.stdout.strip()


def test_a_session_made_on_the_server_runs_by_itself_on_time(
    live_server: LiveServer, slack: FakeSlack, tmp_path: Path
) -> None:
    token = live_server.create_user("me@acme.test")
    api = live_server.client(token)
    now = datetime.now(UTC)
    starts = (now + timedelta(seconds=75)).replace(second=0, microsecond=0)
    if starts - now < timedelta(seconds=50):
        starts += timedelta(minutes=1)
    created = api.post(
        "/sessions",
        json={
            "name": "End to end",
            "duration": 2,
            "schedule": starts.date().isoformat(),
            "time": starts.strftime("%H:%M"),
            "timezone": "UTC",
            "website_blocker_enabled": True,
            "website_blocker": {"mode": "custom", "urls": ["blocked.example"]},
            "snooze_enabled": True,
            "snooze_apps": {"slack": True, "teams": False},
        },
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]

    hosts = tmp_path / "hosts"
    hosts.write_bytes(HOSTS)
    upper, work = tmp_path / "upper", tmp_path / "work"
    upper.mkdir()
    work.mkdir()
    env = {
        "DEEPWORKZONE_SERVER": live_server.url,
        "DEEPWORKZONE_TOKEN": token,
        "DEEPWORKZONE_SLACK_TOKEN": SLACK_TOKEN,
    }
    shell = (
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={upper},workdir={work} /etc || exit 97; "
        f'mount --bind "{hosts}" /etc/hosts || exit 98; '
        f'exec "{sys.executable}" -m deepworkzone.cli.main run'
    )
    agent = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, DEEPWORKZONE_HOSTS_FILE="/etc/hosts", **env),
    )
    try:
        wait_for(lambda: _status(env)["next"] is not None, timeout=30, what="the agent's plan")
        status = _status(env)
        assert status["process"] == {"kind": "agent"}
        assert status["next"]["session_id"] == sid
        assert status["next"]["starts_at"] == starts.isoformat().replace("+00:00", "Z")
        assert _getent(agent.pid, "blocked.example") == ""

        wait_for(
            lambda: _status(env)["running"] is not None,
            timeout=(starts - datetime.now(UTC)).total_seconds() + 10,
            what="the session to start",
        )
        seen_at = datetime.now(UTC)
        running = _status(env)["running"]
        started_at = datetime.fromisoformat(running["started_at"].replace("Z", "+00:00"))
        assert timedelta(0) <= started_at - starts < timedelta(seconds=2)
        assert seen_at - starts < timedelta(seconds=5)
        assert running["session_id"] == sid
        assert running["ends_at"] == (starts + timedelta(minutes=2)).isoformat().replace(
            "+00:00", "Z"
        )
        assert running["blocked"]["method"] == "hosts" and running["snoozed"] == ["slack"]
        assert _getent(agent.pid, "blocked.example").split()[0] in ("0.0.0.0", "::")
        assert _getent(agent.pid, "intranet.example").split()[0] == "10.1.2.3"
        # Slack is snoozed through the end of the session, not a minute short of it.
        assert slack.snooze_end >= (starts + timedelta(minutes=2)).timestamp()

        wait_for(
            lambda: _status(env)["running"] is None,
            timeout=(starts + timedelta(minutes=2) - datetime.now(UTC)).total_seconds() + 10,
            what="the session to end",
        )
        assert datetime.now(UTC) - (starts + timedelta(minutes=2)) < timedelta(seconds=5)
        assert hosts.read_bytes() == HOSTS
        assert _getent(agent.pid, "blocked.example") == ""
        assert slack.snooze_end <= time.time() + 1

        def completed_on_server() -> bool:
            listed = api.get(f"/sessions/{sid}/participants").json()
            return any(p.get("completed_at") and p.get("focused_minutes") == 2 for p in listed)

        wait_for(completed_on_server, timeout=20, what="the server to hear of the completion")
        done = run_cli(["history", "--json"], **env)
        assert done.returncode == 0, done.stderr
        (run,) = json.loads(done.stdout)
        assert (run["session_id"], run["outcome"], run["focused_minutes"]) == (sid, "completed", 2)
    finally:
        agent.send_signal(signal.SIGTERM)
        _out, err = agent.communicate(timeout=30)
    if agent.returncode in (97, 98):
        pytest.skip(f"cannot build the private /etc here: {err.strip()}")
    assert agent.returncode == 0, err
    assert "started 'End to end'" in err and "'End to end' completed" in err
    assert hosts.read_bytes() == HOSTS
