"""`deepworkzone run`: the agent without a window (autostart, servers, tiling desktops).

It syncs, schedules and runs sessions, and logs what it does (to the log file, and one line
per event on stderr). SIGTERM or SIGINT end it cleanly with everything put back; a strict
session keeps its blocks until its end time.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any


def register(sub: Any) -> None:
    run = sub.add_parser(
        "run",
        help="run the agent: sessions start on time by themselves (no window)",
        description="Run Deep Work Zone in the background without a window: sync with the "
        "server, start scheduled sessions at their time, end them on time. SIGTERM or Ctrl-C "
        "stops it and puts everything back.",
    )
    run.add_argument("--quiet", action="store_true", help="log to the log file only")
    run.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from deepworkzone.engine.agent import run_agent
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import open_sessions

    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)
    engine = Engine(open_sessions(retries=4, timeout=20.0))
    say = (lambda line: None) if args.quiet else _say
    say(f"Deep Work Zone agent started ({engine.sessions.server_url or 'local sessions only'}).")
    handed_over = run_agent(engine, stop=stop, on_event=lambda event: say(describe(event)))
    if handed_over:
        say("Deep Work Zone agent handed over to the desktop app; a running session goes on there.")
    else:
        say("Deep Work Zone agent stopped; everything was put back.")
    return 0


def describe(event: Any) -> str:
    """One line per engine event, in the CLI's words."""
    from deepworkzone.engine import events as ev

    if isinstance(event, ev.Reminder):
        return f"reminder: {event.name!r} starts at {event.starts_at.astimezone():%H:%M}"
    if isinstance(event, ev.StartRequested):
        return f"{event.name!r} is due: start it with `deepworkzone start {event.session_id}`"
    if isinstance(event, ev.Started):
        late = (
            f" ({int(event.late_by_seconds // 60)} min late)" if event.late_by_seconds > 60 else ""
        )
        return f"started {event.name!r}{late}, ends at {event.ends_at.astimezone():%H:%M}"
    if isinstance(event, ev.Applied):
        parts = [f"applied: {', '.join(event.applied) or 'nothing'}"]
        parts += [f"warning: {w}" for w in event.warnings]
        return "; ".join(parts)
    if isinstance(event, ev.Extended):
        return f"extended {event.name!r} to {event.ends_at.astimezone():%H:%M}"
    if isinstance(event, ev.BlockedHit):
        return f"blocked {event.what} {event.target} ({event.count} so far)"
    if isinstance(event, ev.Ended):
        detail = f": {event.detail}" if event.detail else ""
        return (
            f"{event.name!r} {event.reason.replace('_', ' ')}{detail} ({event.focused_minutes} min)"
        )
    if isinstance(event, ev.SyncState):
        if event.online:
            return f"synced ({event.outbox} edit(s) queued)"
        return f"sync: offline ({event.error})"
    if isinstance(event, ev.ClockJumped):
        return f"the clock moved {event.seconds:+.0f} s (suspend, resume or a clock change)"
    if isinstance(event, ev.Warning_):
        return f"warning: {event.message}"
    return type(event).__name__


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
