"""`deepworkzone focus`: run a focus session in the foreground with a live countdown."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from deepworkzone.cli.errors import UserError
from deepworkzone.cli.session_args import apps, session_id

if TYPE_CHECKING:
    from deepworkzone.engine.focus_plan import FocusRequest

# Appended to the engine's coverage line when the method leaves a gap (Applied.coverage_gaps).
COVERAGE_HINT = " (`deepworkzone block coverage` says what to do)"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "focus",
        help="run a focus session now, blocking sites until it ends",
        description="Run a focus session in the foreground. Sites are blocked until the time is "
        "up, Ctrl-C, or SIGTERM; then everything is put back as it was.",
    )
    parser.add_argument("--minutes", type=_minutes, help="length, 1..1440")
    parser.add_argument("--name", default=None, help="shown in the countdown and Slack status")
    parser.add_argument(
        "--session",
        type=session_id,
        metavar="ID",
        help="run a stored session now: its length, sites and snooze settings (see `sessions list`)",
    )
    parser.add_argument(
        "--category",
        action="append",
        default=[],
        metavar="CAT",
        help="preset category to block (repeatable; default: the settings' default "
        "categories, social-media and video, when no --url is given); see `deepworkzone blocklists`",
    )
    parser.add_argument(
        "--url", action="append", default=[], metavar="DOMAIN", help="extra site to block"
    )
    parser.add_argument(
        "--allow", action="append", default=[], metavar="DOMAIN", help="never block this site"
    )
    parser.add_argument(
        "--allowlist",
        action="store_true",
        help="block every site except the --allow ones (works through the proxy)",
    )
    parser.add_argument("--method", choices=("hosts", "proxy", "both", "none"), default=None)
    parser.add_argument("--proxy-port", type=_port, default=None, metavar="P")
    parser.add_argument(
        "--no-system-proxy", action="store_true", help="do not point the system at the proxy"
    )
    parser.add_argument(
        "--browser-block-list",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also put the blocked sites into the browsers' policies (blocked in private "
        "windows and whatever DNS says; default: the browser_block_list setting)",
    )
    parser.add_argument(
        "--snooze", type=apps, default=[], metavar="APPS", help="slack, teams or slack,teams"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="no early end until the time is up (a rationed emergency exit aside)",
    )
    parser.set_defaults(func=run)


def _minutes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of minutes") from None
    if not 1 <= value <= 1440:
        raise argparse.ArgumentTypeError("minutes must be between 1 and 1440")
    return value


def _port(text: str) -> int:
    if not text.isdigit() or not 1024 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port between 1024 and 65535")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from deepworkzone.engine.requests import quick_request

    if args.minutes is None and args.session is None:
        raise UserError("say how long: --minutes N (or run a stored session with --session ID)")
    if args.session is not None:
        if args.category or args.url or args.allowlist:
            raise UserError("--session runs the stored session's own blocks; drop --category/--url")
        wire: dict[str, Any] = {"session_id": args.session, "minutes": args.minutes}
        return run_session(wire, None)
    request = quick_request(
        args.minutes,
        name=args.name,
        categories=args.category,
        urls=args.url,
        allow=args.allow,
        allowlist=args.allowlist,
        method=args.method,
        proxy_port=args.proxy_port,
        system_proxy=not args.no_system_proxy,
        snooze=args.snooze,
        strict=getattr(args, "strict", False),
        browser_block_list=args.browser_block_list,
    )
    return run_session(_wire(request), request)


def _wire(request: FocusRequest) -> dict[str, Any]:
    """The request as the control socket's ``start`` takes it."""
    return {
        "minutes": request.minutes,
        "name": request.name,
        "categories": list(request.categories),
        "urls": list(request.urls),
        "allow": list(request.allow),
        "allowlist": request.mode == "allowlist",
        "method": request.method,
        "proxy_port": request.proxy_port,
        "system_proxy": request.system_proxy,
        "snooze": list(request.snooze),
        "strict": request.strict,
        "browser_block_list": request.policy_blocklist,
    }


def run_session(wire: dict[str, Any], request: FocusRequest | None) -> int:
    """Ask the running agent or app to start it; with none, run it here in the foreground."""
    from deepworkzone.engine.agent import running_instance, start_from_args
    from deepworkzone.engine.ipc import call

    holder = running_instance()
    if holder is not None and holder.kind == "focus":
        raise UserError(
            f"a focus session is running in process {holder.pid}; end it there with Ctrl-C, "
            "or `deepworkzone stop`"
        )
    if holder is not None and holder.kind in ("agent", "app"):
        answer = call("start", {k: v for k, v in wire.items() if v is not None})
        running = answer["running"]
        _say(
            f"Started {running['name']!r} in the running Deep Work Zone {holder.kind} "
            f"(process {holder.pid}); it ends at {_local(running['ends_at'])}."
        )
        _say("`deepworkzone status` shows it, `deepworkzone stop` ends it early.")
        return 0
    return _foreground(lambda engine: start_from_args(engine, wire))


def _foreground(begin: Any) -> int:
    import threading

    from deepworkzone.engine import events as ev
    from deepworkzone.engine.agent import run_foreground
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import open_sessions

    engine = Engine(open_sessions())
    stop = threading.Event()
    _stop_on_signals(stop)
    countdown = _Countdown() if sys.stdout.isatty() else None

    def started(engine: Any) -> Any:
        status = begin(engine)
        _announce(status)
        return status

    def on_event(event: Any) -> None:
        if isinstance(event, ev.Applied):
            # The warnings come with the start line (_announce), from the status.
            for note in event.notes:
                gap = event.coverage_gaps and note.startswith("coverage:")
                _say(f"note: {note}{COVERAGE_HINT if gap else ''}")
        elif isinstance(event, ev.Extended):
            _say(f"\nExtended: the session now ends at {event.ends_at.astimezone():%H:%M}.")

    ended = run_foreground(
        engine, started, stop=stop, tick=countdown.tick if countdown else None, on_event=on_event
    )
    if countdown:
        countdown.close()
    if ended is None:
        status = engine.focus.status()
        until = f" until {status.ends_at.astimezone():%H:%M}" if status else ""
        _say(f"Strict session: its blocks stay{until}; the next start puts them back in place.")
        return 0
    if ended.undo_errors:
        for problem in ended.undo_errors:
            _say(f"error: {problem}")
        _say("Run `deepworkzone unblock` to try again.")
        return 2
    if engine.sessions.can("sync") and ended.session_id is not None:
        try:
            engine.sessions.flush()
        except Exception as exc:  # the outbox keeps it for the next sync
            _say(f"note: the server will hear of this session at the next sync ({exc})")
    what = "ended early" if ended.reason != "completed" else "is over"
    _say(
        f"Session {what} after {ended.focused_minutes} min; every block was removed and your "
        "settings were restored."
    )
    return 0


def _announce(status: Any) -> None:
    local_end = status.ends_at.astimezone().strftime("%H:%M")
    minutes = max(1, round((status.ends_at - status.started_at).total_seconds() / 60))
    if status.mode == "allowlist" and status.method != "none":
        what = "every site but the allowed ones, via the proxy"
        if status.proxy_needs_manual_setup:
            what += ", which browsers do not use yet"
    elif status.method == "none" or not status.blocked_count:
        what = "no sites"
    elif status.proxy_needs_manual_setup and status.method == "proxy":
        what = f"{status.blocked_count} sites via the proxy, which browsers do not use yet"
    else:
        what = f"{status.blocked_count} sites via {status.method}"
    _say(f"Focusing on {status.name!r} until {local_end} ({minutes} min), blocking {what}.")
    for warning in status.warnings:
        _say(f"warning: {warning}")
    if status.strict:
        _say("Strict session: it cannot be ended early (see `deepworkzone stop --emergency`).")
    else:
        _say("Ctrl-C ends the session early and puts everything back.")


def _local(iso: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone().strftime("%H:%M")


def _stop_on_signals(stop: Any) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Ctrl-C too: a KeyboardInterrupt raised halfway through applying would skip the undo.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


class _Countdown:
    def tick(self, status: Any) -> None:
        from datetime import UTC, datetime

        left = max(status.ends_at - datetime.now(UTC), timedelta(0))
        seconds = int(left.total_seconds())
        hours, rest = divmod(seconds, 3600)
        clock = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60:02d}:{rest % 60:02d}"
        )
        sys.stdout.write(f"\r{status.name}: {clock} left ")
        sys.stdout.flush()

    def close(self) -> None:
        sys.stdout.write("\n")
        sys.stdout.flush()


def _say(message: str) -> None:
    print(message, flush=True)
