"""What works on this machine, and what to do about the rest (`deepworkzone doctor`, and the
app's own check page).

``run_checks`` asks each part of the machine Deep Work Zone uses and returns a
``DoctorReport``: one ``Check`` per part, with a status (ok, warning, missing, na), what was
found, what to do in plain words, a ``fix`` code the front end turns into its own command or
button, and ``needed_by``: the configured sessions that cannot work without it. A report
whose missing parts some session needs is not ``ok`` (the CLI exits 1).

Nothing here changes the machine. Every probe of the system is a field of ``Probes``, so a
test can fake one tool, or a whole machine, and the defaults ask the real one. Qt is never
imported: the display, the tray and notifications are judged from the environment and the
D-Bus session bus (``gdbus`` or ``dbus-send``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from deepworkzone.core.settings import Settings, load_settings
from deepworkzone.domain.ids import display_id
from deepworkzone.domain.models import Session

log = logging.getLogger(__name__)

Status = Literal["ok", "warning", "missing", "na"]
STATUSES: tuple[Status, ...] = ("ok", "warning", "missing", "na")
NOTIFICATIONS = "org.freedesktop.Notifications"
SNI_WATCHER = "org.kde.StatusNotifierWatcher"
_MAX_NAMES = 5  # sessions named in needed_by; the rest are counted


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    status: Status
    detail: str  # what was found, in plain words
    remedy: str = ""  # what to do about it, in plain words (no command: see ``fix``)
    fix: str | None = None  # "setup", "connect_slack", "autostart", ...: each front end's own way
    needed_by: tuple[str, ...] = ()  # the configured sessions that need this part

    @property
    def blocks_sessions(self) -> bool:
        """Missing, and a configured session needs it."""
        return self.status == "missing" and bool(self.needed_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "remedy": self.remedy or None,
            "fix": self.fix,
            "needed_by": list(self.needed_by),
        }


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def problems(self) -> tuple[Check, ...]:
        """The checks that stop a configured session from working."""
        return tuple(c for c in self.checks if c.blocks_sessions)

    @property
    def ok(self) -> bool:
        return not self.problems

    def get(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [c.id for c in self.problems],
            "checks": [c.to_json() for c in self.checks],
        }


# -- what the configured sessions need -------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """Which upcoming sessions need which part (names as people see them)."""

    hosts: tuple[str, ...] = ()  # block through the hosts file
    system_proxy: tuple[str, ...] = ()  # block through the proxy and set the system proxy
    slack: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    scheduled: tuple[str, ...] = ()  # every upcoming session (start at login, the agent)
    quick_method: str = "hosts"  # how quick sessions block (the settings)


def _label(session: Session) -> str:
    return f"{session.name} ({display_id(session.id)})"


def _capped(names: list[str]) -> tuple[str, ...]:
    if len(names) <= _MAX_NAMES:
        return tuple(names)
    return (*names[:_MAX_NAMES], f"{len(names) - _MAX_NAMES} more sessions")


def needs_of(sessions: Iterable[Session], settings: Settings, today: dt.date) -> Needs:
    """What the sessions still to come need: each as the runner would start it."""
    from deepworkzone.domain.occurrences import next_day
    from deepworkzone.engine.requests import request_for_session

    found: dict[str, list[str]] = {k: [] for k in Needs.__dataclass_fields__}
    for session in sessions:
        if session.status in ("completed", "cancelled"):
            continue
        if session.participation is not None and not session.participation.joined:
            continue  # someone else's session this user has not joined: never run here
        try:
            day = next_day(session, today)
        except ValueError:
            continue
        if day is None or day < today:
            continue
        label = _label(session)
        request = request_for_session(session, settings)
        found["scheduled"].append(label)
        if request.method in ("hosts", "both"):
            found["hosts"].append(label)
        if request.method in ("proxy", "both") and request.system_proxy:
            found["system_proxy"].append(label)
        for service in request.snooze:
            if service in ("slack", "teams"):
                found[service].append(label)
    found.pop("quick_method")
    capped = {k: _capped(v) for k, v in found.items()}
    return Needs(**capped, quick_method=settings.blocking_method)


# -- the probes --------------------------------------------------------------------------------

CommandRunner = Callable[[Sequence[str]], "tuple[int, str]"]
"""Runs a command, returns (exit status, stdout); (127, "") when it cannot be started."""


def run_command(argv: Sequence[str]) -> tuple[int, str]:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("%s: %s", argv[0], exc)
        return 127, ""
    return done.returncode, done.stdout


def _sessions() -> Iterable[Session]:
    from deepworkzone.api.config import Connection, configured_server
    from deepworkzone.engine.sessions_service import SessionsService

    server = configured_server()
    # The store's copy of the sessions the engine would run: no network, no token needed.
    return SessionsService(Connection(server, "") if server else None).each_cached()


def _helper() -> Any:
    from deepworkzone.engine.helper_status import helper_status

    return helper_status()


def _polkit_policy() -> Path:
    from deepworkzone.engine.helper_status import POLKIT_POLICY

    return POLKIT_POLICY


def _hosts_file() -> Path:
    from deepworkzone.blocking.hosts_blocker import hosts_path

    return hosts_path()


def _hosts_writable(path: Path) -> bool:
    from deepworkzone.blocking.privilege import can_write_directly

    return can_write_directly(path)


def _proxy_backend() -> tuple[str | None, str | None]:
    """(backend name or None, why it cannot be used or None). Reads, never sets."""
    from deepworkzone.blocking import system_proxy

    if os.environ.get(system_proxy.ENV, "").strip().lower() in ("off", "none", "0", "false", "no"):
        return None, "turned off"
    backend = system_proxy.current_backend()
    if backend is None:
        return None, None
    try:
        backend.snapshot()
    except system_proxy.BackendError as exc:
        return backend.name, str(exc)
    return backend.name, None


def _dns_commands() -> list[list[str]]:
    from deepworkzone.blocking.dns_flush import flush_commands

    return flush_commands()


def _keyring() -> tuple[bool, str]:
    from deepworkzone.core.secrets import SecretStore

    store = SecretStore()
    return store.uses_keyring, store.location


def _connections() -> list[Any]:
    from deepworkzone.engine.connections import connection_rows

    return connection_rows()


def _autostart(target: str) -> Any:
    from deepworkzone.engine import autostart

    return autostart.status("agent" if target == "agent" else "app")


def _instance() -> Any:
    from deepworkzone.engine.agent import running_instance

    return running_instance()


def _ping(socket: str | None) -> bool:
    from deepworkzone.engine.ipc import call

    try:
        call("ping", path=socket, timeout=3.0)
    except Exception as exc:
        log.info("the running instance did not answer: %s", exc)
        return False
    return True


def _server() -> tuple[str | None, str | None]:
    """(the configured server, its token or None)."""
    from deepworkzone.api.config import TOKEN_ENV, TOKEN_SECRET, configured_server
    from deepworkzone.core.secrets import SecretStore

    server = configured_server()
    if server is None:
        return None, None
    token = os.environ.get(TOKEN_ENV, "").strip() or SecretStore().get(TOKEN_SECRET)
    return server, token or None


def _reach(server: str, token: str) -> tuple[Status, str]:
    """One list request, no retries: does the server answer, and take the token?"""
    from deepworkzone.api.client import SessionsClient
    from deepworkzone.api.errors import ApiError, AuthError, Offline

    try:
        with SessionsClient(server, token, timeout=5.0, max_retries=0) as client:
            client.list_page(per_page=1)
    except AuthError:
        return "missing", "the server refused the API token"
    except Offline as exc:
        return "warning", f"cannot be reached ({exc})"
    except ApiError as exc:
        return "warning", f"answered with an error: {exc}"
    return "ok", "reachable; the API token is accepted"


def _menu_entry() -> bool:
    from deepworkzone.engine import desktop_entry

    if desktop_entry.installed():
        return True
    dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return any(
        (Path(d) / "applications" / desktop_entry.DESKTOP_FILE).is_file()
        for d in dirs.split(":")
        if d
    )


def _today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class Probes:
    """Everything the checks ask the machine, one callable each (tests replace some)."""

    platform: str = sys.platform
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    which: Callable[[str], str | None] = shutil.which
    run: CommandRunner = run_command
    exists: Callable[[str], bool] = os.path.exists
    settings: Callable[[], Settings] = load_settings
    sessions: Callable[[], Iterable[Session]] = _sessions
    today: Callable[[], dt.date] = _today
    helper: Callable[[], Any] = _helper  # a HelperStatus
    polkit_policy: Callable[[], Path] = _polkit_policy
    hosts_file: Callable[[], Path] = _hosts_file
    hosts_writable: Callable[[Path], bool] = _hosts_writable
    proxy_backend: Callable[[], tuple[str | None, str | None]] = _proxy_backend
    dns_commands: Callable[[], list[list[str]]] = _dns_commands
    keyring: Callable[[], tuple[bool, str]] = _keyring
    connections: Callable[[], list[Any]] = _connections  # ConnectionRow-like
    autostart: Callable[[str], Any] = _autostart  # "app" | "agent" -> AutostartStatus
    instance: Callable[[], Any] = _instance  # LockHolder | None
    ping: Callable[[str | None], bool] = _ping
    server: Callable[[], tuple[str | None, str | None]] = _server
    reach: Callable[[str, str], tuple[Status, str]] = _reach
    menu_entry: Callable[[], bool] = _menu_entry


# -- the checks --------------------------------------------------------------------------------


def _hosts_file_check(p: Probes, needs: Needs) -> Check:
    title = "Hosts file"
    path = p.hosts_file()
    if not p.exists(str(path)):
        return Check(
            "hosts_file",
            title,
            "missing",
            f"{path} does not exist",
            "Blocking through the hosts file needs it; block with the proxy instead.",
            needed_by=needs.hosts,
        )
    if p.hosts_writable(path):
        return Check("hosts_file", title, "ok", f"{path} is writable by this user")
    return Check(
        "hosts_file",
        title,
        "ok",
        f"{path} is writable only by an administrator, as usual: the hosts helper changes it",
    )


def _helper_check(p: Probes, needs: Needs) -> Check:
    title = "Hosts helper"
    status = p.helper()
    if not status.needed:
        return Check("hosts_helper", title, "na", "not needed: the hosts file is writable")
    where = status.helper or (status.looked_in[0] if status.looked_in else "")
    setup = "Set it up once (one administrator password), or block with the proxy instead."
    if not status.installed:
        found = (
            f"{where} cannot be used: {status.problem}"
            if status.problem
            else f"not installed ({where})"
        )
        return Check("hosts_helper", title, "missing", found, setup, "setup", needs.hosts)
    if p.platform in ("darwin", "win32"):
        prompt = "UAC" if p.platform == "win32" else "an administrator password"
        return Check("hosts_helper", title, "ok", f"installed ({where}); asks for {prompt}")
    if p.which("pkexec") is None:
        if p.which("sudo") is not None:
            return Check(
                "hosts_helper",
                title,
                "warning",
                f"installed ({where}), no polkit: it runs through sudo, which works only where "
                "an administrator allowed the helper without a password",
                "Install polkit (Debian: the pkexec package).",
            )
        return Check(
            "hosts_helper",
            title,
            "missing",
            f"installed ({where}), but neither pkexec (polkit) nor sudo is there to run it",
            "Install polkit (Debian: the pkexec package), or block with the proxy instead.",
            needed_by=needs.hosts,
        )
    if not p.exists(str(p.polkit_policy())):
        return Check(
            "hosts_helper",
            title,
            "warning",
            f"installed ({where}) without its polkit policy: every change asks for an "
            "administrator password",
            "Set it up again to install the policy.",
            "setup",
        )
    return Check(
        "hosts_helper",
        title,
        "ok",
        f"installed ({where}); polkit asks for your password once and remembers it a while",
    )


def _proxy_check(p: Probes, needs: Needs) -> Check:
    title = "System proxy"
    name, problem = p.proxy_backend()
    if problem == "turned off":
        return Check(
            "system_proxy",
            title,
            "na",
            "turned off (DEEPWORKZONE_SYSTEM_PROXY): browsers must be pointed at the proxy by hand",
        )
    if name is None:
        desktop = p.env.get("XDG_CURRENT_DESKTOP") or "no desktop session"
        used = bool(needs.system_proxy) or needs.quick_method in ("proxy", "both")
        return Check(
            "system_proxy",
            title,
            "missing" if needs.system_proxy else ("warning" if used else "na"),
            f"no way to set the system proxy here ({desktop}); GNOME, KDE, macOS and Windows "
            "have one",
            "Point the browser at the proxy's PAC file by hand, or block with the hosts file.",
            needed_by=needs.system_proxy,
        )
    if problem:
        return Check(
            "system_proxy",
            title,
            "missing" if needs.system_proxy else "warning",
            f"the {name} proxy settings cannot be read: {problem}",
            "Check that the desktop's settings tool works, or block with the hosts file.",
            needed_by=needs.system_proxy,
        )
    return Check("system_proxy", title, "ok", f"set through {name} while a proxy session runs")


def _dns_check(p: Probes, needs: Needs) -> Check:
    title = "DNS cache flush"
    commands = p.dns_commands()
    if commands:
        names = ", ".join(" ".join([os.path.basename(c[0]), *c[1:]]) for c in commands)
        return Check("dns_flush", title, "ok", f"flushed after each change: {names}")
    if p.platform.startswith("linux") and p.exists("/run/systemd/resolve"):
        return Check(
            "dns_flush",
            title,
            "warning",
            "systemd-resolved runs but resolvectl is missing: a cached answer may delay a block "
            "by a minute",
            "Install resolvectl (Debian: the systemd-resolved package).",
        )
    return Check("dns_flush", title, "ok", "no DNS cache on this machine: nothing to flush")


def _keyring_check(p: Probes, needs: Needs) -> Check:
    title = "Secret storage"
    uses, where = p.keyring()
    if uses:
        return Check("keyring", title, "ok", f"tokens are kept in {where}")
    forced = p.env.get("DEEPWORKZONE_SECRETS", "").lower() == "file"
    return Check(
        "keyring",
        title,
        "na" if forced else "warning",
        f"no OS keyring{' (DEEPWORKZONE_SECRETS=file)' if forced else ''}: tokens are kept in "
        f"{where} (readable only by you)",
        ""
        if forced
        else "Install and unlock a keyring (GNOME Keyring, KWallet) to keep tokens there instead.",
    )


def _has_display(p: Probes) -> bool:
    if p.platform in ("darwin", "win32"):
        return True
    return bool(p.env.get("DISPLAY") or p.env.get("WAYLAND_DISPLAY"))


def _display_check(p: Probes, needs: Needs) -> Check:
    title = "Display"
    if p.platform in ("darwin", "win32"):
        return Check("display", title, "ok", "a desktop session")
    wayland, x11 = p.env.get("WAYLAND_DISPLAY"), p.env.get("DISPLAY")
    if wayland or x11:
        found = f"Wayland ({wayland})" if wayland else f"X11 ({x11})"
        return Check("display", title, "ok", found)
    return Check(
        "display",
        title,
        "warning",
        "no display (neither WAYLAND_DISPLAY nor DISPLAY): the app cannot open its window here",
        "Use the app in a desktop session; here, the headless agent runs scheduled sessions.",
    )


def _bus_address(p: Probes) -> str | None:
    """The session bus this user's programs would use (the variable, or the runtime
    folder's socket where systemd puts it), or None."""
    address = p.env.get("DBUS_SESSION_BUS_ADDRESS")
    if address:
        return address
    runtime = p.env.get("XDG_RUNTIME_DIR")
    if runtime and p.exists(os.path.join(runtime, "bus")):
        return f"unix:path={os.path.join(runtime, 'bus')}"
    return None


def _bus_argv(p: Probes, address: str, method: str) -> tuple[list[str], str] | None:
    """(the command that lists the bus's names with ``method``, the pattern of a name)."""
    call = f"org.freedesktop.DBus.{method}"
    if p.which("gdbus"):
        argv = ["gdbus", "call", "--address", address, "--dest", "org.freedesktop.DBus"]
        return [*argv, "--object-path", "/org/freedesktop/DBus", "--method", call], r"'([^']+)'"
    if p.which("dbus-send"):
        argv = ["dbus-send", f"--bus={address}", "--print-reply", "--dest=org.freedesktop.DBus"]
        return [*argv, "/org/freedesktop/DBus", call], r'string "([^"]+)"'
    return None


def bus_state(p: Probes) -> tuple[set[str] | None, str]:
    """(the names on the session bus, running or activatable; or None and why not)."""
    address = _bus_address(p)
    if address is None:
        return None, "no D-Bus session bus"
    names: set[str] = set()
    answered = False
    for method in ("ListNames", "ListActivatableNames"):
        made = _bus_argv(p, address, method)
        if made is None:
            return None, "the D-Bus session bus cannot be asked (neither gdbus nor dbus-send)"
        argv, pattern = made
        code, out = p.run(argv)
        if code == 0:
            answered = True
            names.update(re.findall(pattern, out))
    if not answered:
        return None, "the D-Bus session bus does not answer"
    return names, ""


def bus_names(p: Probes) -> set[str] | None:
    return bus_state(p)[0]


def _desktop_checks(p: Probes, needs: Needs) -> list[Check]:
    """Notifications and the tray: through the tray icon on every system; on Linux both go
    over the session bus (Qt's tray is a StatusNotifierItem where a watcher runs)."""
    if p.platform in ("darwin", "win32"):
        return [
            Check("notifications", "Notifications", "ok", "the system's own"),
            Check("tray", "Tray icon", "ok", "the system's own"),
        ]
    if not _has_display(p):
        why = "no display: only the app shows them, and it needs one"
        return [
            Check("notifications", "Notifications", "na", why),
            Check("tray", "Tray icon", "na", why),
        ]
    names, why = bus_state(p)
    if names is None:
        return [
            Check(
                "notifications",
                "Notifications",
                "warning",
                f"{why}: reminders and session ends show in the app's window only",
                "Log in to a desktop session (it starts the bus).",
            ),
            Check(
                "tray",
                "Tray icon",
                "warning",
                f"{why}: the tray icon may not show; closing the window then quits the app",
            ),
        ]
    out = []
    if NOTIFICATIONS in names:
        out.append(Check("notifications", "Notifications", "ok", f"{NOTIFICATIONS} answers"))
    else:
        out.append(
            Check(
                "notifications",
                "Notifications",
                "warning",
                "no notification service on the session bus: reminders and session ends show "
                "in the app's window only",
                "Install a notification daemon (e.g. dunst, mako) or use a full desktop.",
            )
        )
    if SNI_WATCHER in names:
        out.append(
            Check(
                "tray",
                "Tray icon",
                "ok",
                "a StatusNotifierItem tray (KDE, GNOME with AppIndicator, most panels)",
            )
        )
    elif p.env.get("DISPLAY") and not p.env.get("WAYLAND_DISPLAY"):
        out.append(
            Check(
                "tray",
                "Tray icon",
                "warning",
                "no StatusNotifierWatcher: the icon shows only in a classic X11 system tray, "
                "if the panel has one; without a tray, closing the window quits the app",
            )
        )
    else:
        out.append(
            Check(
                "tray",
                "Tray icon",
                "warning",
                "no StatusNotifierWatcher: no tray icon on this desktop, so closing the window "
                "quits the app",
                "On GNOME, the AppIndicator extension adds one.",
            )
        )
    return out


def _chat_checks(p: Probes, needs: Needs) -> list[Check]:
    rows = {str(getattr(r, "service", "")): r for r in p.connections()}
    out = []
    for service, title, wanted in (
        ("slack", "Slack", needs.slack),
        ("teams", "Microsoft Teams", needs.teams),
    ):
        fix = f"connect_{service}"
        row = rows.get(service)
        connected = str(getattr(row, "connected", "no")) if row else "no"
        who = str(getattr(row, "account", "-")) if row else "-"
        scopes = str(getattr(row, "scopes", "-")) if row else "-"
        if connected.startswith("yes"):
            extra = f" as {who}" if who not in ("", "-") else ""
            if scopes.startswith("missing"):
                out.append(
                    Check(
                        service,
                        title,
                        "missing" if wanted else "warning",
                        f"connected{extra}, but the sign-in lacks a permission ({scopes})",
                        f"Connect {title} again and allow what it asks for.",
                        fix,
                        wanted,
                    )
                )
            else:
                out.append(Check(service, title, "ok", f"connected{extra}"))
        elif connected.startswith("unknown"):
            out.append(
                Check(
                    service,
                    title,
                    "warning",
                    f"connected, but it could not be checked now: {connected.removeprefix('unknown').strip(' ()')}",
                )
            )
        else:
            refused = "refused" in connected
            found = "the sign-in was refused" if refused else "not connected"
            if wanted:
                out.append(
                    Check(
                        service,
                        title,
                        "missing",
                        found,
                        f"Connect {title}, or sessions cannot snooze it.",
                        fix,
                        wanted,
                    )
                )
            else:
                out.append(
                    Check(
                        service,
                        title,
                        "warning" if refused else "na",
                        f"{found}; no session snoozes {title}",
                        f"Connect {title} to snooze it during sessions.",
                        fix,
                    )
                )
    return out


def _autostart_check(p: Probes, needs: Needs) -> Check:
    title = "Start at login"
    app, agent = p.autostart("app"), p.autostart("agent")
    on = [name for name, state in (("the app", app), ("the agent", agent)) if state.enabled]
    if on:
        return Check(
            "autostart",
            title,
            "ok",
            f"{' and '.join(on)} start{'s' if len(on) == 1 else ''} at login",
        )
    if not app.supported and not agent.supported:
        return Check("autostart", title, "na", app.note or "not available on this system")
    return Check(
        "autostart",
        title,
        "warning" if needs.scheduled else "na",
        "neither the app nor the agent starts at login: scheduled sessions start only while "
        "one of them runs",
        "Turn on starting at login (the app, or the headless agent).",
        "autostart",
    )


def _agent_check(p: Probes, needs: Needs) -> Check:
    title = "Agent"
    holder = p.instance()
    if holder is None:
        return Check(
            "agent",
            title,
            "warning" if needs.scheduled else "na",
            "neither the app nor the agent runs now"
            + (": scheduled sessions will not start" if needs.scheduled else ""),
            "Start the app, or the headless agent.",
            "run_agent",
        )
    kind = {"agent": "the agent", "app": "the app", "focus": "a foreground session"}.get(
        str(holder.kind), str(holder.kind)
    )
    if not p.ping(holder.socket):
        return Check(
            "agent",
            title,
            "warning",
            f"{kind} (pid {holder.pid}) runs but does not answer on its control socket",
            "Wait a moment and check again; if it stays so, restart it.",
        )
    if holder.kind == "focus":
        return Check(
            "agent",
            title,
            "warning" if needs.scheduled else "ok",
            f"a foreground session (pid {holder.pid}) runs; it does not start scheduled sessions",
        )
    return Check("agent", title, "ok", f"{kind} runs (pid {holder.pid}) and answers")


def _server_check(p: Probes, needs: Needs, *, online: bool) -> Check:
    title = "Sessions server"
    server, token = p.server()
    if server is None:
        return Check("server", title, "na", "none configured: sessions stay on this machine")
    if not token:
        return Check(
            "server",
            title,
            "missing",
            f"{server} is configured but there is no API token for it",
            "Sign in to the server, or set DEEPWORKZONE_TOKEN.",
            "login",
            (f"sync with {server}",),
        )
    if not online:
        return Check("server", title, "ok", f"{server} (not asked: offline check)")
    status, detail = p.reach(server, token)
    if status == "missing":
        return Check(
            "server",
            title,
            "missing",
            f"{server}: {detail}",
            "Sign in to the server again.",
            "login",
            (f"sync with {server}",),
        )
    remedy = "" if status == "ok" else "Sessions run from the copy on this machine meanwhile."
    return Check("server", title, status, f"{server}: {detail}", remedy)


def _menu_check(p: Probes, needs: Needs) -> Check:
    title = "Menu entry"
    if p.platform in ("darwin", "win32"):
        return Check("menu_entry", title, "na", "made by the installer on this system")
    if not _has_display(p):
        return Check("menu_entry", title, "na", "no display: no application menu here")
    if p.menu_entry():
        return Check("menu_entry", title, "ok", "Deep Work Zone is in the application menu")
    return Check(
        "menu_entry",
        title,
        "warning",
        "Deep Work Zone is not in the application menu",
        "Add it for this user (menu entry, icon).",
        "install_desktop",
    )


CHECK_IDS = (
    "hosts_file",
    "hosts_helper",
    "system_proxy",
    "dns_flush",
    "keyring",
    "display",
    "notifications",
    "tray",
    "slack",
    "teams",
    "autostart",
    "agent",
    "server",
    "menu_entry",
)


def run_checks(
    probes: Probes | None = None,
    *,
    online: bool = True,
    only: Collection[str] | None = None,
) -> DoctorReport:
    """Every check (or those in ``only``), in CHECK_IDS' order. ``online``: also ask the
    Sessions server and Slack (a few seconds at most); offline, neither is asked."""
    p = probes or Probes()
    if not online and p.connections is _connections:
        p = _replace(p, connections=_offline_connections)
    settings = _safely(p.settings, Settings())
    try:
        needs = needs_of(p.sessions(), settings, p.today())
    except Exception as exc:  # a damaged store must not stop the rest of the report
        log.warning("doctor: the sessions could not be read: %s", exc)
        needs = Needs()
    steps: list[tuple[tuple[str, ...], Callable[[], list[Check]]]] = [
        (("hosts_file",), lambda: [_hosts_file_check(p, needs)]),
        (("hosts_helper",), lambda: [_helper_check(p, needs)]),
        (("system_proxy",), lambda: [_proxy_check(p, needs)]),
        (("dns_flush",), lambda: [_dns_check(p, needs)]),
        (("keyring",), lambda: [_keyring_check(p, needs)]),
        (("display",), lambda: [_display_check(p, needs)]),
        (("notifications", "tray"), lambda: _desktop_checks(p, needs)),
        (("slack", "teams"), lambda: _chat_checks(p, needs)),
        (("autostart",), lambda: [_autostart_check(p, needs)]),
        (("agent",), lambda: [_agent_check(p, needs)]),
        (("server",), lambda: [_server_check(p, needs, online=online)]),
        (("menu_entry",), lambda: [_menu_check(p, needs)]),
    ]
    checks: list[Check] = []
    for ids, step in steps:
        if only is not None and not set(ids) & set(only):
            continue
        try:
            made = step()
        except Exception as exc:
            log.warning("doctor: checking %s failed", ", ".join(ids), exc_info=True)
            made = [
                Check(
                    i, i.replace("_", " ").capitalize(), "warning", f"could not be checked: {exc}"
                )
                for i in ids
            ]
        checks.extend(c for c in made if only is None or c.id in only)
    return DoctorReport(tuple(checks))


def _safely(fn: Callable[[], Settings], default: Settings) -> Settings:
    try:
        return fn()
    except Exception as exc:
        log.warning("doctor: settings unreadable: %s", exc)
        return default


def _replace(p: Probes, **changes: Any) -> Probes:
    import dataclasses

    return dataclasses.replace(p, **changes)


def _offline_connections() -> list[Any]:
    """Without the network: Slack is connected when a token is stored (not asked whether it
    still works); Teams answers from its last sign-in, as online."""
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.snooze import connections
    from deepworkzone.snooze.status import ConnectionRow, teams_row
    from deepworkzone.snooze.tokens import SLACK_TOKEN_ENV, SLACK_TOKEN_SECRET

    known = connections.load_all()
    token = os.environ.get(SLACK_TOKEN_ENV) or SecretStore().get(SLACK_TOKEN_SECRET)
    info = known.get("slack") or {}
    who = f"{info.get('user', '-')} @ {info.get('team', '-')}" if info else "-"
    slack = ConnectionRow("slack", "yes" if token else "no", who, "unknown")
    return [slack, teams_row(known.get("teams"))]
