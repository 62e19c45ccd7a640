"""The real `gsettings` tool on a private keyfile (GSETTINGS_BACKEND=keyfile under a temporary
XDG_CONFIG_HOME): real GNOME proxy settings that are never the user's dconf database."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCHEMA = "org.gnome.system.proxy"
USER_URL = "http://corp.example/wpad.dat"


def gsettings(*args: str) -> str:
    return subprocess.run(
        ["gsettings", *args], capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


def current_proxy() -> tuple[str, str]:
    return gsettings("get", SCHEMA, "mode"), gsettings("get", SCHEMA, "autoconfig-url")


def private_keyfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point gsettings (ours and the app's) at a keyfile holding the user's own settings."""
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
    gsettings("set", SCHEMA, "mode", "manual")
    gsettings("set", SCHEMA, "autoconfig-url", USER_URL)
    keyfile = config / "glib-2.0" / "settings" / "keyfile"
    assert keyfile.exists(), "gsettings did not use the private keyfile"
    return keyfile
