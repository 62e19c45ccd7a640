"""`deepworkzone focus`: run a focus session in the foreground with a live countdown."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING, Any

from deepworkzone.cli.errors import UserError
from deepworkzone.cli.session_args import apps, session_id

if TYPE_CHECKING:
    from deepworkzone.domain.models import Session
    from deepworkzone.engine.focus_plan import FocusRequest

DEFAULT_CATEGORIES = ("social-media", "video")


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
        help=f"preset category to block (repeatable; default {', '.join(DEFAULT_CATEGORIES)} "
        "when no --url is given); see `deepworkzone blocklists`",
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
        "--snooze", type=apps, default=[], metavar="APPS", help="slack, teams or slack,teams"
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
    from deepworkzone.core.settings import load_settings
    from deepworkzone.domain.hostnames import InvalidDomain
    from deepworkzone.engine.focus_plan import FocusRequest, build_plan
    from deepworkzone.engine.recovery import unblock
    from deepworkzone.engine.runner import FocusRunner, run_until_end
    from deepworkzone.store.journal import Journal

    settings = load_settings()
    stored = _stored_session(args.session) if args.session is not None else None
    if args.minutes is None and stored is None:
        raise UserError("say how long: --minutes N (or run a stored session with --session ID)")
    request = FocusRequest(
        name=args.name or (stored.name if stored else "Focus"),
        minutes=args.minutes or (stored.duration if stored else 25),
        method=args.method or settings.blocking_method,
        proxy_port=args.proxy_port or settings.proxy_port,
        system_proxy=settings.set_system_proxy and not args.no_system_proxy,
        snooze=args.snooze,
        allow=args.allow,
    )
    if stored is not None:
        _take_from_session(request, stored)
    categories = list(request.categories) + args.category
    urls = list(request.urls) + args.url
    if not (categories or urls or args.allowlist or stored is not None):
        categories = list(DEFAULT_CATEGORIES)
    request.categories, request.urls = categories, urls
    if args.allowlist:
        request.mode = "allowlist"
    elif stored is None or args.category or args.url:
        request.mode = "preset" if categories else "custom"
    journal = Journal()
    leftover = unblock(journal)  # raises if another session is running right now
    if leftover is not None:
        _say("An earlier session had not finished; its blocks were removed first.")
    ends_at = datetime.now(UTC) + timedelta(minutes=request.minutes)
    try:
        plan = build_plan(request, ends_at)
    except (InvalidDomain, ValueError) as exc:
        raise UserError(str(exc)) from exc
    for note in plan.notes:
        _say(f"note: {note}")
    runner = FocusRunner(
        request.name,
        ends_at,
        plan.effects,
        journal=journal,
        session_info={"minutes": request.minutes, "method": plan.method},
        on_warning=lambda message: _say(f"warning: {message}"),
    )
    _stop_on_signals(runner)
    local_end = ends_at.astimezone().strftime("%H:%M")
    what = f"{plan.blocked_count} sites via {plan.method}" if plan.method != "none" else "no sites"
    _say(
        f"Focusing on {request.name!r} until {local_end} ({request.minutes} min), blocking {what}."
    )
    _say("Ctrl-C ends the session early and puts everything back.")
    countdown = _Countdown(request.name) if sys.stdout.isatty() else None
    report = run_until_end(runner, countdown.tick if countdown else None)
    if countdown:
        countdown.close()
    if report.undo_errors:
        for problem in report.undo_errors:
            _say(f"error: {problem}")
        _say("Run `deepworkzone unblock` to try again.")
        return 2
    if stored is not None and not report.ended_early:
        _report_completed(stored.id, request.minutes)
    ended = "ended early" if report.ended_early else "is over"
    _say(f"Session {ended}; every block was removed and your settings were restored.")
    return 0


def _stored_session(wanted: int) -> Session:
    from deepworkzone.cli.session_backend import open_backend
    from deepworkzone.domain.models import Session

    with open_backend() as backend:
        raw = backend.get(wanted).raw
    if raw is None:
        raise UserError(f"there is no session {wanted}")
    return Session.model_validate(raw)


def _take_from_session(request: FocusRequest, stored: Session) -> None:
    """What to block and snooze comes from the session, as the seed's fields describe it."""
    blocker = stored.website_blocker
    if stored.website_blocker_enabled:
        request.mode = blocker.mode
        request.urls = list(blocker.urls)
        request.categories = list(blocker.category) if blocker.mode == "preset" else []
    else:
        request.method = "none"
    if stored.snooze_enabled and not request.snooze:
        chosen = stored.snooze_apps
        request.snooze = [
            name for name, on in (("slack", chosen.slack), ("teams", chosen.teams)) if on
        ]


def _report_completed(sid: int, focused_minutes: int) -> None:
    """Tell the server; offline, the edit waits in the outbox. Never fails the session."""
    from deepworkzone.cli.session_backend import open_backend

    try:
        with open_backend() as backend:
            complete = getattr(backend, "complete", None)
            if complete is not None:
                complete(sid, focused_minutes=focused_minutes)
    except Exception as exc:
        _say(f"note: could not mark the session complete on the server: {exc}")


def _stop_on_signals(runner: Any) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        runner.request_stop()

    # Ctrl-C too: a KeyboardInterrupt raised halfway through applying would skip the undo.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


class _Countdown:
    def __init__(self, name: str) -> None:
        self.name = name

    def tick(self, left: timedelta) -> None:
        seconds = int(left.total_seconds())
        hours, rest = divmod(seconds, 3600)
        clock = (
            f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
            if hours
            else f"{rest // 60:02d}:{rest % 60:02d}"
        )
        sys.stdout.write(f"\r{self.name}: {clock} left ")
        sys.stdout.flush()

    def close(self) -> None:
        sys.stdout.write("\n")
        sys.stdout.flush()


def _say(message: str) -> None:
    print(message, flush=True)
