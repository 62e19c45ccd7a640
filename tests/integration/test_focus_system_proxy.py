"""A proxy session through the real command with real GNOME settings (a private keyfile):
kill -9 mid-session, then `deepworkzone unblock`, and the user's proxy settings are back."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.gnome_proxy import SCHEMA, USER_URL, current_proxy, gsettings
from tests.integration.focus_helpers import journal_has, run_cli, start_focus, wait_for

USERS_OWN = ("'manual'", f"'{USER_URL}'")


def _points_at_our_pac() -> bool:
    mode, url = current_proxy()
    return mode == "'auto'" and "127.0.0.1" in url and "/proxy.pac" in url


def test_kill_9_then_unblock_restores_the_system_proxy(
    gnome_keyfile: Path, isolated_home: Path
) -> None:
    proc = start_focus(["--minutes", "30", "--url", "distraction.example", "--method", "proxy"])
    wait_for(lambda: journal_has(isolated_home, "system_proxy"), what="the system proxy change")
    wait_for(_points_at_our_pac, what="the PAC setting")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert _points_at_our_pac()  # the crash left it in place

    result = run_cli(["unblock"])
    assert result.returncode == 0, result.stderr
    assert "restored: system_proxy" in result.stdout
    assert current_proxy() == USERS_OWN


def test_a_normal_end_restores_the_system_proxy(gnome_keyfile: Path, isolated_home: Path) -> None:
    proc = start_focus(["--minutes", "30", "--url", "distraction.example", "--method", "proxy"])
    try:
        wait_for(_points_at_our_pac, what="the PAC setting")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert current_proxy() == USERS_OWN


def test_unblock_switches_off_a_leftover_pac_setting_when_the_journal_is_lost(
    gnome_keyfile: Path,
) -> None:
    gsettings("set", SCHEMA, "mode", "auto")
    gsettings("set", SCHEMA, "autoconfig-url", "http://127.0.0.1:48271/proxy.pac?session=1")
    result = run_cli(["unblock"])
    assert result.returncode == 0, result.stderr
    assert "leftover Deep Work Zone PAC setting" in result.stdout
    assert current_proxy() == ("'none'", "''")
