"""Start the app at login: an XDG autostart entry (Linux and other freedesktop systems).

``$XDG_CONFIG_HOME/autostart/deepworkzone.desktop`` (``~/.config`` when unset) runs
``deepworkzone``, the desktop app. A `deepworkzone autostart` command and the systemd,
LaunchAgent and Run-key variants come with the packaging work.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from deepworkzone.core.fsutil import atomic_write

ENTRY_NAME = "deepworkzone.desktop"
COMMAND = "deepworkzone"


@dataclass(frozen=True)
class AutostartStatus:
    supported: bool  # an XDG desktop (not macOS or Windows, for now)
    enabled: bool
    path: Path


def entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    # The spec: a relative XDG_CONFIG_HOME is invalid and is ignored.
    config = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return config / "autostart" / ENTRY_NAME


def supported(platform: str = sys.platform) -> bool:
    return platform not in ("darwin", "win32")


def _exec_arg(path: str) -> str:
    """One Exec= argument, quoted as the Desktop Entry spec asks when it must be."""
    if not any(c in path for c in " \t\n\"'\\><~|&;$*?#()`"):
        return path
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in path)
    return f'"{escaped}"'.replace("\\", "\\\\")


def entry_text(command: str | None = None) -> str:
    # An absolute path when we can find one: a login session's PATH may lack ~/.local/bin.
    command = command or shutil.which(COMMAND) or COMMAND
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=Deep Work Zone\n"
        "Comment=Timed deep-work sessions; scheduled sessions start on time\n"
        f"Exec={_exec_arg(command)}\n"
        "Icon=deepworkzone\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def status() -> AutostartStatus:
    path = entry_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return AutostartStatus(supported(), False, path)
    lines = {line.strip().replace(" ", "") for line in text.splitlines()}
    off = {"Hidden=true", "X-GNOME-Autostart-enabled=false"} & lines
    return AutostartStatus(supported(), not off, path)


def enable(command: str | None = None) -> AutostartStatus:
    if not supported():
        raise OSError("starting at login is set up by the installer on this system")
    path = entry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, entry_text(command).encode("utf-8"))
    return status()


def disable() -> AutostartStatus:
    entry_path().unlink(missing_ok=True)
    return status()


def set_enabled(on: bool) -> AutostartStatus:
    """Enable or disable, doing nothing when it is already so."""
    current = status()
    if current.enabled == on:
        return current
    return enable() if on else disable()
