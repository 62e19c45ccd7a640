"""A focus session through the real command: it blocks, it ends, and it never leaves the
machine blocked, even when killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.focus_helpers import (
    HOSTS_MARK,
    journal_has,
    journal_path,
    run_cli,
    start_focus,
    wait_for,
)

USER_HOSTS = (
    b"\xef\xbb\xbf# my hosts\r\n127.0.0.1\tlocalhost\r\n10.0.0.5 nas.home # my NAS\r\n::1 localhost"
)


@pytest.fixture
def hosts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hosts-under-test"
    path.write_bytes(USER_HOSTS)
    monkeypatch.setenv("DEEPWORKZONE_HOSTS_FILE", str(path))
    return path


def test_a_session_blocks_the_sites_and_sigterm_puts_the_file_back(hosts_file: Path) -> None:
    proc = start_focus(["--minutes", "5", "--url", "distraction.example", "--method", "hosts"])
    try:
        wait_for(lambda: HOSTS_MARK in hosts_file.read_bytes(), what="the hosts section")
        text = hosts_file.read_bytes()
        assert b"0.0.0.0 distraction.example" in text
        assert b"www.distraction.example" in text
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "ended early" in out
    assert hosts_file.read_bytes() == USER_HOSTS


def test_kill_9_then_unblock_restores_the_hosts_file(hosts_file: Path, isolated_home: Path) -> None:
    proc = start_focus(["--minutes", "30", "--category", "social-media", "--method", "hosts"])
    wait_for(lambda: journal_has(isolated_home, "hosts"), what="the journal")
    wait_for(lambda: b"facebook.com" in hosts_file.read_bytes(), what="the block")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert b"facebook.com" in hosts_file.read_bytes()  # the crash left the block in place

    status = run_cli(["block", "status"])
    assert status.returncode == 0
    assert "interrupted" in status.stdout

    result = run_cli(["unblock"])
    assert result.returncode == 0, result.stderr
    assert "put back" in result.stdout
    assert hosts_file.read_bytes() == USER_HOSTS
    assert not journal_path(isolated_home).exists()
    again = run_cli(["unblock"])
    assert again.returncode == 0 and "Nothing to undo" in again.stdout


def test_the_next_start_after_the_end_time_undoes_a_crashed_session(
    hosts_file: Path, isolated_home: Path
) -> None:
    proc = start_focus(["--minutes", "1", "--url", "distraction.example", "--method", "hosts"])
    wait_for(lambda: journal_has(isolated_home, "hosts"), what="the journal")
    wait_for(lambda: HOSTS_MARK in hosts_file.read_bytes(), what="the block")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    # Before the end time a restart leaves the block alone: a crash is no way out of a session.
    run_cli(["block", "status"])
    assert HOSTS_MARK in hosts_file.read_bytes()

    # Move the end time into the past, as if the machine had been off until after it.
    journal = journal_path(isolated_home)
    data = json.loads(journal.read_text())
    data["ends_at"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    journal.write_text(json.dumps(data))
    status = run_cli(["block", "status"])
    assert status.returncode == 0, status.stderr
    assert "No focus session is running" in status.stdout
    assert hosts_file.read_bytes() == USER_HOSTS


def test_a_second_session_is_refused_while_one_runs(hosts_file: Path, isolated_home: Path) -> None:
    proc = start_focus(["--minutes", "5", "--url", "distraction.example"])
    try:
        wait_for(lambda: journal_has(isolated_home, "hosts"), what="the journal")
        second = run_cli(["focus", "--minutes", "5", "--url", "other.example"])
        assert second.returncode == 1
        assert "a focus session is running" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert hosts_file.read_bytes() == USER_HOSTS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "0"], "between 1 and 1440"),
        (["--minutes", "ten"], "not a whole number"),
        (["--minutes", "5", "--url", "a.com\n1.2.3.4 bank.com"], "spaces or control characters"),
        (["--minutes", "5", "--url", "10.0.0.1"], "IP address"),
        (["--minutes", "5", "--category", "no-such-thing"], "no-such-thing"),
        (["--minutes", "5", "--snooze", "skype"], "choose slack, teams"),
    ],
)
def test_bad_input_is_one_clear_line_and_nothing_changes(
    hosts_file: Path, args: list[str], message: str
) -> None:
    result = run_cli(["focus", *args])
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert hosts_file.read_bytes() == USER_HOSTS


def test_proxy_only_lists_bring_in_the_proxy_instead_of_blocking_nothing(
    hosts_file: Path, isolated_home: Path
) -> None:
    port = _free_port()
    proc = start_focus(
        ["--minutes", "5", "--category", "adult", "--method", "hosts", "--proxy-port", str(port)]
    )
    try:
        wait_for(lambda: journal_has(isolated_home, "proxy"), what="the proxy")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"CONNECT pornhub.com:443 HTTP/1.1\r\nHost: pornhub.com:443\r\n\r\n")
            assert conn.recv(100).startswith(b"HTTP/1.1 403")
        assert b"pornhub" not in hosts_file.read_bytes()  # a big list never goes to the hosts file
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert "using hosts file and proxy" in out
    assert proc.returncode == 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_a_stored_session_runs_with_its_own_sites_and_snooze_settings(
    hosts_file: Path, isolated_home: Path
) -> None:
    created = run_cli(
        [
            "sessions",
            "create",
            "--name",
            "Writing",
            "--date",
            # Tomorrow: a session created for today at 9:00 is refused after 9:45 (over).
            (datetime.now().astimezone() + timedelta(days=1)).date().isoformat(),
            "--time",
            "9:00",
            "--duration",
            "45",
            "--url",
            "distraction.example",
            "--snooze",
            "slack",
        ]
    )
    assert created.returncode == 0, created.stderr
    proc = start_focus(["--session", "L1"])
    try:
        wait_for(lambda: HOSTS_MARK in hosts_file.read_bytes(), what="the block")
        assert b"0.0.0.0 distraction.example" in hosts_file.read_bytes()
        assert b"facebook.com" not in hosts_file.read_bytes()  # no default categories added
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "'Writing'" in out and "(45 min)" in out
    assert "Slack is not connected" in out  # its snooze_apps asked for Slack
    assert hosts_file.read_bytes() == USER_HOSTS


def test_an_unknown_stored_session_is_a_clear_error(hosts_file: Path) -> None:
    result = run_cli(["focus", "--session", "99"])
    assert result.returncode == 1
    assert "99" in result.stderr and "Traceback" not in result.stderr


def test_a_start_that_fails_and_is_undone_leaves_no_interrupted_session(
    tmp_path: Path, isolated_home: Path
) -> None:
    missing = tmp_path / "no-such-folder" / "hosts"
    result = run_cli(
        ["focus", "--minutes", "5", "--url", "distraction.example", "--method", "hosts"],
        DEEPWORKZONE_HOSTS_FILE=str(missing),
    )
    assert result.returncode == 2 and "could not start the session" in result.stderr
    assert not journal_path(isolated_home).exists()
    status = run_cli(["block", "status"], DEEPWORKZONE_HOSTS_FILE=str(missing))
    assert status.returncode == 0, status.stderr
    assert "interrupted" not in status.stdout
    assert "No focus session is running" in status.stdout


def test_unblock_after_a_kill_with_a_corrupt_journal_still_clears_the_hosts_file(
    hosts_file: Path, isolated_home: Path
) -> None:
    proc = start_focus(["--minutes", "30", "--url", "distraction.example", "--method", "hosts"])
    wait_for(lambda: journal_has(isolated_home, "hosts"), what="the journal")
    wait_for(lambda: HOSTS_MARK in hosts_file.read_bytes(), what="the block")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    journal = journal_path(isolated_home)
    journal.write_text('{"version": 1, "effects": {"hos')  # unreadable

    result = run_cli(["unblock"])
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert hosts_file.read_bytes() == USER_HOSTS
    assert not journal.exists() and journal.with_suffix(".corrupt").exists()
    again = run_cli(["unblock"])
    assert again.returncode == 0 and "Nothing to undo" in again.stdout


def test_a_proxy_only_session_the_browsers_do_not_use_says_so_with_the_pac_url(
    isolated_home: Path,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = start_focus(
        ["--minutes", "5", "--allowlist", "--allow", "docs.python.org", "--method", "proxy",
         "--proxy-port", str(port)],
    )  # fmt: skip
    try:
        wait_for(lambda: journal_has(isolated_home, "proxy"), what="the proxy")
        status = run_cli(["status"])
        assert f"http://127.0.0.1:{port}/proxy.pac" in status.stdout
        assert "browsers are not using the blocking proxy" in status.stdout
        running = json.loads(run_cli(["status", "--json"]).stdout)["running"]
        assert running["blocked"]["proxy_needs_manual_setup"] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    start = next(line for line in out.splitlines() if line.startswith("Focusing"))
    assert "which browsers do not use yet" in start
    warning = next(line for line in out.splitlines() if line.startswith("warning:"))
    assert f"set http://127.0.0.1:{port}/proxy.pac" in warning and "nothing is blocked" in warning
