"""The real gsettings tool, writing to a private keyfile (GSETTINGS_BACKEND=keyfile under a
temporary XDG_CONFIG_HOME), never the user's dconf database.

Includes the crash case: a process sets the system proxy and is killed with SIGKILL; a fresh
process restores the user's settings from the journal record alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import httpx
import pytest

from deepworkzone.blocking.system_proxy import SystemProxySetting, restore_from_record, run_command
from deepworkzone.blocking.system_proxy.gnome import GnomeBackend
from tests.gnome_proxy import SCHEMA, USER_URL, current_proxy, gsettings


def test_apply_and_undo_in_process(gnome_keyfile: Path) -> None:
    pac = "http://127.0.0.1:48271/proxy.pac"
    records: list[dict[str, object]] = []
    setting = SystemProxySetting(pac)
    setting.apply(records.append)
    assert setting.status == "applied"
    assert current_proxy() == ("'auto'", f"'{pac}'")
    assert records[-1]["saved"] == {"mode": "'manual'", "autoconfig-url": f"'{USER_URL}'"}
    setting.undo()
    assert current_proxy() == ("'manual'", f"'{USER_URL}'")
    setting.undo()  # idempotent
    assert current_proxy() == ("'manual'", f"'{USER_URL}'")


_CHILD = textwrap.dedent(
    """
    import json, os, sys, time
    from deepworkzone.blocking.proxy_blocker import ProxyBlocker
    from deepworkzone.blocking.system_proxy import SystemProxySetting
    from deepworkzone.domain.hostnames import DomainMatcher

    journal = sys.argv[1]
    def save(record):
        tmp = journal + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record, f)
        os.replace(tmp, journal)

    blocker = ProxyBlocker(DomainMatcher(["blocked.test"]))
    blocker.apply(lambda record: None)
    SystemProxySetting(blocker.proxy.pac_url).apply(save)
    print(blocker.proxy.pac_url, flush=True)
    time.sleep(120)
    """
)


def _run_and_kill(tmp_path: Path) -> tuple[dict[str, object], str]:
    journal = tmp_path / "system_proxy.json"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(journal)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        pac_url = child.stdout.readline().strip()
        assert pac_url.startswith("http://127.0.0.1:"), pac_url
        # Mid-session: the desktop points at the live proxy's PAC file.
        assert current_proxy() == ("'auto'", f"'{pac_url}'")
        assert "FindProxyForURL" in httpx.get(pac_url, trust_env=False).text
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return json.loads(journal.read_text()), pac_url


def test_sigkill_mid_session_then_restore_from_the_journal(
    gnome_keyfile: Path, tmp_path: Path
) -> None:
    record, pac_url = _run_and_kill(tmp_path)
    # The process is gone: its proxy with it, but the setting is still there.
    with pytest.raises(httpx.ConnectError):
        httpx.get(pac_url, trust_env=False, timeout=2)
    assert current_proxy() == ("'auto'", f"'{pac_url}'")
    # What `deepworkzone unblock` (or the next start) does, in this fresh process.
    assert SystemProxySetting.from_record(record).restore() is True
    assert current_proxy() == ("'manual'", f"'{USER_URL}'")
    SystemProxySetting.from_record(record).undo()  # a second unblock changes nothing
    assert current_proxy() == ("'manual'", f"'{USER_URL}'")


def test_after_a_crash_a_setting_the_user_changed_is_left_alone(
    gnome_keyfile: Path, tmp_path: Path
) -> None:
    record, _ = _run_and_kill(tmp_path)
    gsettings("set", SCHEMA, "mode", "none")  # the user fixed it by hand meanwhile
    # Their mode stays; our PAC URL, which "auto" would bring back, gives way to theirs.
    assert restore_from_record(record) is True
    assert current_proxy() == ("'none'", f"'{USER_URL}'")
    gsettings("set", SCHEMA, "autoconfig-url", "http://mine.example/new.pac")
    assert restore_from_record(record) is False  # nothing of ours left: nothing touched
    assert current_proxy() == ("'none'", "'http://mine.example/new.pac'")


class Killed(BaseException):
    """kill -9 stand-in: nothing in the app catches it."""


def _dies_at(change: int) -> Callable[[Sequence[str]], str]:
    """The real gsettings, but the process "dies" right after its ``change``-th set."""
    sets = 0

    def run(argv: Sequence[str]) -> str:
        nonlocal sets
        out = run_command(argv)
        if argv[1] == "set":
            sets += 1
            if sets == change:
                raise Killed
        return out

    return run


@pytest.mark.parametrize(
    "users",
    [
        ("manual", USER_URL),
        ("auto", "http://corp.example/own.pac"),
        ("none", ""),
    ],
    ids=["manual", "auto-own-pac", "none"],
)
@pytest.mark.parametrize("phase", ["apply", "restore"])
@pytest.mark.parametrize("change", [1, 2])
def test_a_crash_between_the_two_sets_is_undone(
    gnome_keyfile: Path,
    monkeypatch: pytest.MonkeyPatch,
    users: tuple[str, str],
    phase: str,
    change: int,
) -> None:
    """Apply and restore each make two `gsettings set` calls; a crash after either leaves a
    mix of our PAC URL and the user's mode, which recovery must recognise and put back."""
    gsettings("set", SCHEMA, "mode", users[0])
    gsettings("set", SCHEMA, "autoconfig-url", users[1])
    before = current_proxy()
    pac = "http://127.0.0.1:48271/proxy.pac?session=1790000000"
    records: list[dict[str, object]] = []
    dying = GnomeBackend(run=_dies_at(change))
    real = GnomeBackend()
    backend = dying if phase == "apply" else real
    monkeypatch.setattr("deepworkzone.blocking.system_proxy.current_backend", lambda: backend)
    monkeypatch.setattr("deepworkzone.blocking.system_proxy.backend_by_name", lambda n: backend)
    setting = SystemProxySetting(pac)
    with contextlib.suppress(Killed):
        setting.apply(records.append)
        backend = dying
        setting.undo()
    if phase == "apply":
        assert current_proxy() != before  # the crash left a half-made change

    backend = real  # a new process: `deepworkzone unblock`, or the next start
    SystemProxySetting.from_record(records[-1]).undo()
    assert current_proxy() == before
    SystemProxySetting.from_record(records[-1]).undo()
    assert current_proxy() == before


def test_the_keyfile_is_private(gnome_keyfile: Path) -> None:
    # Guard for the guard: the fixture really redirected gsettings away from the user's dconf.
    assert os.environ["GSETTINGS_BACKEND"] == "keyfile"
    assert "mode='manual'" in gnome_keyfile.read_text()
