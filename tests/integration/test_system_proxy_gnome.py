"""The real gsettings tool, writing to a private keyfile (GSETTINGS_BACKEND=keyfile under a
temporary XDG_CONFIG_HOME), never the user's dconf database.

Includes the crash case: a process sets the system proxy and is killed with SIGKILL; a fresh
process restores the user's settings from the journal record alone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from deepworkzone.blocking.system_proxy import SystemProxySetting, restore_from_record

SCHEMA = "org.gnome.system.proxy"
USER_URL = "http://corp.example/wpad.dat"


def _gsettings(*args: str) -> str:
    return subprocess.run(
        ["gsettings", *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


@pytest.fixture
def keyfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("gsettings") is None:
        pytest.skip("gsettings not installed (Debian: libglib2.0-bin)")
    config = tmp_path / "xdg-config"
    config.mkdir()
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    monkeypatch.setenv("DEEPWORKZONE_SYSTEM_PROXY", "gnome")
    probe = subprocess.run(
        ["gsettings", "list-keys", SCHEMA], capture_output=True, text=True, timeout=30
    )
    if probe.returncode != 0:
        pytest.skip("GNOME proxy schema missing (Debian: gsettings-desktop-schemas)")
    # The user's own settings, which must come back exactly.
    _gsettings("set", SCHEMA, "mode", "manual")
    _gsettings("set", SCHEMA, "autoconfig-url", USER_URL)
    keyfile = config / "glib-2.0" / "settings" / "keyfile"
    assert keyfile.exists(), "gsettings did not use the private keyfile"
    return keyfile


def _current() -> tuple[str, str]:
    return _gsettings("get", SCHEMA, "mode"), _gsettings("get", SCHEMA, "autoconfig-url")


def test_apply_and_undo_in_process(keyfile: Path) -> None:
    pac = "http://127.0.0.1:48271/proxy.pac"
    records: list[dict[str, object]] = []
    setting = SystemProxySetting(pac)
    setting.apply(records.append)
    assert setting.status == "applied"
    assert _current() == ("'auto'", f"'{pac}'")
    assert records[-1]["saved"] == {"mode": "'manual'", "autoconfig-url": f"'{USER_URL}'"}
    setting.undo()
    assert _current() == ("'manual'", f"'{USER_URL}'")
    setting.undo()  # idempotent
    assert _current() == ("'manual'", f"'{USER_URL}'")


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
        assert _current() == ("'auto'", f"'{pac_url}'")
        assert "FindProxyForURL" in httpx.get(pac_url, trust_env=False).text
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return json.loads(journal.read_text()), pac_url


def test_sigkill_mid_session_then_restore_from_the_journal(keyfile: Path, tmp_path: Path) -> None:
    record, pac_url = _run_and_kill(tmp_path)
    # The process is gone: its proxy with it, but the setting is still there.
    with pytest.raises(httpx.ConnectError):
        httpx.get(pac_url, trust_env=False, timeout=2)
    assert _current() == ("'auto'", f"'{pac_url}'")
    # What `deepworkzone unblock` (or the next start) does, in this fresh process.
    assert SystemProxySetting.from_record(record).restore() is True
    assert _current() == ("'manual'", f"'{USER_URL}'")
    SystemProxySetting.from_record(record).undo()  # a second unblock changes nothing
    assert _current() == ("'manual'", f"'{USER_URL}'")


def test_after_a_crash_a_setting_the_user_changed_is_left_alone(
    keyfile: Path, tmp_path: Path
) -> None:
    record, _ = _run_and_kill(tmp_path)
    _gsettings("set", SCHEMA, "mode", "none")  # the user fixed it by hand meanwhile
    assert restore_from_record(record) is False
    assert _gsettings("get", SCHEMA, "mode") == "'none'"


def test_the_keyfile_is_private(keyfile: Path) -> None:
    # Guard for the guard: the fixture really redirected gsettings away from the user's dconf.
    assert os.environ["GSETTINGS_BACKEND"] == "keyfile"
    assert "mode='manual'" in keyfile.read_text()
