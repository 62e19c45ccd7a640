"""Start at login: the desktop app, or the headless agent (``deepworkzone run``).

One place for the app's setting and for ``deepworkzone autostart``, per system:

- Linux (and other freedesktop systems), the app: an XDG autostart entry,
  ``$XDG_CONFIG_HOME/autostart/deepworkzone.desktop`` (``~/.config`` when unset).
- Linux, the agent: a systemd user unit, ``$XDG_CONFIG_HOME/systemd/user/
  deepworkzone-agent.service``, enabled by its ``default.target.wants`` link, written here as
  ``systemctl --user enable`` would (so it works without a running user manager, e.g. over
  ssh); the manager is then asked to reload, when there is one.
- macOS: a LaunchAgent, ``~/Library/LaunchAgents/ai.deepworkzone.{app,agent}.plist``,
  read by launchd at the next login.
- Windows: a value under ``HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``.

Everything is per user and needs no administrator. ``System`` carries what differs between
machines (the platform, ``systemctl``, the registry) so tests can fake them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from deepworkzone.core.fsutil import atomic_write
from deepworkzone.engine import desktop_entry
from deepworkzone.engine.errors import EngineError

log = logging.getLogger(__name__)

Target = Literal["app", "agent"]
TARGETS: tuple[Target, ...] = ("app", "agent")
ENTRY_NAME = "deepworkzone.desktop"
UNIT_NAME = "deepworkzone-agent.service"
WANTED_BY = "default.target"
LAUNCH_AGENT_LABEL = {"app": "ai.deepworkzone.app", "agent": "ai.deepworkzone.agent"}
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = {"app": "DeepWorkZone", "agent": "DeepWorkZoneAgent"}
AGENT_ARGS = ("run", "--quiet")  # its lines go to the log file only
# `deepworkzone run` exits 1 for what a restart cannot fix (another instance holds the lock,
# a bad setting); 0 when the desktop app took over. Only a crash or exit 2 is restarted.
_NO_RESTART_STATUS = 1

Systemctl = Callable[[Sequence[str]], bool]
"""Runs ``systemctl --user <args>``; True when it succeeded."""


def _systemctl(args: Sequence[str]) -> bool:
    try:
        done = subprocess.run(
            ["systemctl", "--user", *args], capture_output=True, timeout=15, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("systemctl --user %s: %s", " ".join(args), exc)
        return False
    if done.returncode != 0:
        log.info("systemctl --user %s: %s", " ".join(args), done.stderr[-200:])
    return done.returncode == 0


class Registry(Protocol):
    """The part of ``winreg`` used here."""

    HKEY_CURRENT_USER: Any
    KEY_QUERY_VALUE: int
    KEY_SET_VALUE: int
    REG_SZ: int

    def OpenKey(self, key: Any, sub_key: str, reserved: int = 0, access: int = 0) -> Any: ...
    def CreateKeyEx(self, key: Any, sub_key: str, reserved: int = 0, access: int = 0) -> Any: ...
    def QueryValueEx(self, key: Any, name: str) -> tuple[Any, int]: ...
    def SetValueEx(self, key: Any, name: str, reserved: int, type: int, value: Any) -> None: ...
    def DeleteValue(self, key: Any, name: str) -> None: ...


def _winreg() -> Registry:
    import winreg  # only on Windows

    return winreg  # type: ignore[return-value]


@dataclass(frozen=True)
class System:
    platform: str = sys.platform
    systemctl: Systemctl = _systemctl
    registry: Callable[[], Registry] = _winreg
    which: Callable[[str], str | None] = shutil.which


@dataclass(frozen=True)
class AutostartStatus:
    supported: bool
    enabled: bool
    path: Path | None  # the file that does it (None for the Windows registry value)
    target: Target = "app"
    mechanism: str = "xdg"  # "xdg", "systemd", "launchagent", "run-key"
    location: str = ""  # where, in words: the file, or the registry value
    command: str = ""  # the command line it starts, when enabled
    note: str = ""  # why it is not supported, or what else to know


def config_home() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or ""
    # The spec: a relative XDG_CONFIG_HOME is invalid and is ignored.
    return Path(base) if os.path.isabs(base) else Path.home() / ".config"


def entry_path() -> Path:
    """The app's XDG autostart entry."""
    return config_home() / "autostart" / ENTRY_NAME


def unit_path() -> Path:
    return config_home() / "systemd" / "user" / UNIT_NAME


def wants_link() -> Path:
    return config_home() / "systemd" / "user" / f"{WANTED_BY}.wants" / UNIT_NAME


def launch_agent_path(target: Target) -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL[target]}.plist"


def supported(platform: str = sys.platform, target: Target = "app") -> bool:
    return _mechanism(System(platform=platform), target)[1] == ""


def _mechanism(system: System, target: Target) -> tuple[str, str]:
    """(the mechanism, why it cannot be used here or "")."""
    if system.platform == "win32":
        return "run-key", ""
    if system.platform == "darwin":
        return "launchagent", ""
    if target == "app":
        return "xdg", ""
    if system.which("systemctl") is None:
        return "systemd", "needs systemd (its user services) to start the agent at login"
    return "systemd", ""


def _argv(command: str | None, target: Target) -> tuple[str, ...]:
    command = command or desktop_entry.launch_command()
    return (command, *AGENT_ARGS) if target == "agent" else (command,)


# -- the files and the registry value ------------------------------------------------------


def entry_text(command: str | None = None) -> str:
    """The app's XDG autostart entry: its menu entry, marked as switched on."""
    return desktop_entry.entry_text(command, autostart=True)


def _systemd_arg(arg: str) -> str:
    arg = arg.replace("%", "%%")  # systemd's specifiers
    if not any(c.isspace() or c in "\"'\\;" for c in arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_text(argv: Sequence[str]) -> str:
    return (
        "[Unit]\n"
        "Description=Deep Work Zone agent: runs scheduled focus sessions\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={' '.join(_systemd_arg(a) for a in argv)}\n"
        "Restart=on-failure\n"
        "RestartSec=30\n"
        f"RestartPreventExitStatus={_NO_RESTART_STATUS}\n"
        "# SIGTERM ends a running session cleanly and puts every block back.\n"
        "TimeoutStopSec=30\n"
        "\n"
        "[Install]\n"
        f"WantedBy={WANTED_BY}\n"
    )


def launch_agent(argv: Sequence[str], target: Target) -> dict[str, Any]:
    plist: dict[str, Any] = {
        "Label": LAUNCH_AGENT_LABEL[target],
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        "ProcessType": "Interactive" if target == "app" else "Background",
    }
    if target == "agent":
        plist["KeepAlive"] = {"Crashed": True}  # not after a take-over or a refusal
    return plist


def _xdg_enabled(text: str) -> bool:
    lines = {line.strip().replace(" ", "") for line in text.splitlines()}
    return not {"Hidden=true", "X-GNOME-Autostart-enabled=false"} & lines


def _exec_of(text: str, key: str) -> str:
    for line in text.splitlines():
        if line.startswith(f"{key}="):
            return line.split("=", 1)[1].strip()
    return ""


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None


# -- the API ---------------------------------------------------------------------------------


def status(target: Target = "app", *, system: System | None = None) -> AutostartStatus:
    system = system or System()
    mechanism, why = _mechanism(system, target)
    if mechanism == "run-key":
        return _run_key_status(system, target)
    if mechanism == "launchagent":
        path = launch_agent_path(target)
        try:
            plist = plistlib.loads(path.read_bytes())
        except (OSError, ValueError, plistlib.InvalidFileException):
            plist = None
        on = isinstance(plist, dict) and not plist.get("Disabled")
        argv = shlex.join(plist.get("ProgramArguments") or ()) if on and plist else ""
        return AutostartStatus(
            True, on, path, target, mechanism, str(path), argv, "launchd reads it at login"
        )
    if mechanism == "xdg":
        path = entry_path()
        text = _read(path)
        on = text is not None and _xdg_enabled(text)
        argv = _exec_of(text, "Exec") if on and text else ""
        return AutostartStatus(True, on, path, target, mechanism, str(path), argv)
    path = unit_path()
    text = _read(path)
    on = text is not None and os.path.lexists(wants_link())
    argv = _exec_of(text, "ExecStart") if on and text else ""
    return AutostartStatus(not why, on, path, target, mechanism, str(path), argv, why)


def enable(
    command: str | None = None, target: Target = "app", *, system: System | None = None
) -> AutostartStatus:
    """Start ``command`` (this installation's ``deepworkzone`` by default) at login."""
    system = system or System()
    mechanism, why = _mechanism(system, target)
    if why:
        raise EngineError("autostart_unsupported", why, target=target)
    argv = _argv(command, target)
    try:
        if mechanism == "run-key":
            _run_key_set(system, target, subprocess.list2cmdline(argv))
        elif mechanism == "launchagent":
            _write(launch_agent_path(target), plistlib.dumps(launch_agent(argv, target)))
        elif mechanism == "xdg":
            _write(entry_path(), entry_text(argv[0]).encode("utf-8"))
        else:
            _write(unit_path(), unit_text(argv).encode("utf-8"))
            link = wants_link()
            link.parent.mkdir(parents=True, exist_ok=True)
            if os.path.lexists(link):
                link.unlink()
            link.symlink_to(Path("..") / UNIT_NAME)
            system.systemctl(["daemon-reload"])  # none running: it reads them at login
    except OSError as exc:
        raise _failed(exc, target) from exc
    return status(target, system=system)


def disable(target: Target = "app", *, system: System | None = None) -> AutostartStatus:
    system = system or System()
    mechanism, _why = _mechanism(system, target)
    try:
        if mechanism == "run-key":
            _run_key_delete(system, target)
        elif mechanism == "launchagent":
            launch_agent_path(target).unlink(missing_ok=True)
        elif mechanism == "xdg":
            entry_path().unlink(missing_ok=True)
        else:
            had = os.path.lexists(wants_link()) or unit_path().exists()
            wants_link().unlink(missing_ok=True)
            unit_path().unlink(missing_ok=True)
            if had:
                system.systemctl(["daemon-reload"])
    except OSError as exc:
        raise _failed(exc, target) from exc
    return status(target, system=system)


def set_enabled(
    on: bool, target: Target = "app", *, system: System | None = None
) -> AutostartStatus:
    """Enable or disable, doing nothing when it is already so."""
    current = status(target, system=system)
    if current.enabled == on:
        return current
    return enable(target=target, system=system) if on else disable(target, system=system)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, mode=0o644)


def _failed(exc: OSError, target: Target) -> EngineError:
    where = exc.filename or "the login settings"
    return EngineError(
        "autostart_failed",
        f"could not change {where}: {exc.strerror or exc}",
        target=target,
        path=str(where),
    )


# -- Windows -------------------------------------------------------------------------------


def _run_key_status(system: System, target: Target) -> AutostartStatus:
    where = f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE[target]}"
    value: Any = None
    with contextlib.suppress(OSError):
        reg = system.registry()
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_QUERY_VALUE) as key:
            value, _kind = reg.QueryValueEx(key, RUN_VALUE[target])
    on = isinstance(value, str) and bool(value.strip())
    return AutostartStatus(
        True,
        on,
        None,
        target,
        "run-key",
        where,
        value if on else "",
        "Windows reads it at login",
    )


def _run_key_set(system: System, target: Target, command_line: str) -> None:
    reg = system.registry()
    with reg.CreateKeyEx(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
        reg.SetValueEx(key, RUN_VALUE[target], 0, reg.REG_SZ, command_line)


def _run_key_delete(system: System, target: Target) -> None:
    reg = system.registry()
    try:
        with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
            reg.DeleteValue(key, RUN_VALUE[target])
    except FileNotFoundError:
        pass  # the key or the value is not there: off already
