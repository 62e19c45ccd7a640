"""Every test runs with its own DEEPWORKZONE_HOME, a file secret store and a private hosts
file, so no test can touch the machine's real settings, keyring or /etc/hosts."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

# The machine's zone is UTC for every test (and every process a test starts): expected local
# dates and times are written in UTC, and a developer in Sydney must get what CI gets. Tests of
# other zones (DST, a session's own zone) name their zone explicitly.
os.environ["TZ"] = "UTC"
time.tzset()

_SCRUBBED = (
    "DEEPWORKZONE_SERVER",
    "DEEPWORKZONE_TOKEN",
    "DEEPWORKZONE_SLACK_TOKEN",
    "DEEPWORKZONE_GRAPH_TOKEN",
    "DEEPWORKZONE_SLACK_API_URL",
    "DEEPWORKZONE_GRAPH_API_URL",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dwz-home"
    home.mkdir()
    monkeypatch.setenv("DEEPWORKZONE_HOME", str(home))
    monkeypatch.setenv("DEEPWORKZONE_SECRETS", "file")
    hosts = tmp_path / "hosts"
    hosts.write_bytes(b"127.0.0.1\tlocalhost\n::1\tlocalhost\n")
    monkeypatch.setenv("DEEPWORKZONE_HOSTS_FILE", str(hosts))
    # The system proxy is never changed by tests unless a test points it at a fake backend.
    monkeypatch.setenv("DEEPWORKZONE_SYSTEM_PROXY", "off")
    # Nor are browser policies written, or the machine's open connections closed.
    monkeypatch.setenv("DEEPWORKZONE_BROWSER_POLICIES", "off")
    monkeypatch.setenv("DEEPWORKZONE_CLOSE_CONNECTIONS", "off")
    monkeypatch.setenv("DEEPWORKZONE_NETWORK_NUDGE", "off")  # no address on the real lo
    # Start-at-login entries and anything else a desktop keeps in its config folder.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    return home


def can_unshare() -> bool:
    return os.geteuid() == 0 and os.path.exists("/usr/bin/unshare")


@pytest.fixture
def gnome_keyfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Real GNOME proxy settings in a private keyfile, preset to the user's own choice."""
    from tests.gnome_proxy import private_keyfile

    return private_keyfile(tmp_path, monkeypatch)
