"""`deepworkzone status`, `stop`, `extend` and `start`: the running agent or app, from here.

They talk to whichever Deep Work Zone process holds the instance lock (the agent, the app,
or a foreground `focus`) over its local socket. With none running, `status` answers from the
journal and the local store, and `start` runs the session in the foreground like `focus`.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from deepworkzone.cli.errors import UserError
from deepworkzone.cli.output import format_id
from deepworkzone.cli.session_args import session_id


def register(sub: Any) -> None:
    status = sub.add_parser("status", help="the running session and the next one")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(func=cmd_status)

    stop = sub.add_parser("stop", help="end the running session early")
    stop.add_argument("--reason", help="why (kept in the history)")
    stop.add_argument(
        "--emergency",
        action="store_true",
        help="strict sessions: use the rationed emergency exit",
    )
    stop.set_defaults(func=cmd_stop)

    extend = sub.add_parser("extend", help="make the running session longer")
    extend.add_argument("minutes", type=_minutes, metavar="MINUTES")
    extend.set_defaults(func=cmd_extend)

    start = sub.add_parser(
        "start",
        help="start a stored session or a quick one now",
        description="Ask the running agent or app to start a session; with none running, run "
        "it here in the foreground, like `focus`.",
    )
    start.add_argument(
        "id", type=session_id, nargs="?", help="a stored session (see `sessions list`)"
    )
    start.add_argument("--minutes", type=_minutes, help="length (a quick session, or override)")
    start.add_argument("--strict", action="store_true", help="quick session: no early end")
    start.set_defaults(func=cmd_start)


def _minutes(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 1440:
        raise argparse.ArgumentTypeError(f"{text!r}: minutes, 1..1440")
    return int(text)


def _call(op: str, args: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The running instance's answer, or None when nothing runs."""
    from deepworkzone.engine.ipc import AgentNotRunning, call

    try:
        return call(op, args)
    except AgentNotRunning:
        return None


def cmd_status(args: argparse.Namespace) -> int:
    answer = _call("status")
    if answer is None:
        answer = _offline_status()
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    _print_status(answer)
    return 0


def _offline_status() -> dict[str, Any]:
    from deepworkzone.domain.clock import SYSTEM_CLOCK
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import open_sessions
    from deepworkzone.engine.timers import ManualTimers

    engine = Engine(open_sessions(), timers=ManualTimers(SYSTEM_CLOCK))
    engine.scheduler.rebuild()
    out = engine.status()
    out["process"] = None
    return out


def _print_status(answer: dict[str, Any]) -> None:
    running = answer.get("running")
    process = answer.get("process")
    if running is None:
        print("No focus session is running.")
    else:
        ends = _when(running["ends_at"])
        left = _minutes_left(running["ends_at"])
        blocked = running["blocked"]
        print(f"Focusing on {running['name']!r} until {ends} ({left} min left)")
        if running.get("strict"):
            print("  strict: no early end")
        if blocked.get("mode") == "allowlist" and blocked["method"] != "none":
            print("  blocking every site but the allowed ones, via the proxy")
        elif blocked["method"] != "none" and blocked["count"]:
            print(f"  blocking {blocked['count']} sites via {blocked['method']}")
            if blocked.get("hits"):
                print(f"  {blocked['hits']} blocked attempts so far")
        if blocked.get("proxy_needs_manual_setup"):
            print(
                "  browsers are not using the blocking proxy: set the automatic proxy "
                f"configuration URL to {blocked['pac_url']}"
            )
        if running["snoozed"]:
            print(f"  snoozed: {', '.join(running['snoozed'])}")
        if not running.get("process_alive", True):
            print(
                "  its process is gone; its blocks stay until the end time "
                "(`deepworkzone unblock` removes them now)"
            )
    if process:
        print(f"Deep Work Zone is running ({process['kind']}).")
    else:
        print("Deep Work Zone is not running in the background (`deepworkzone run` starts it).")
    nxt = answer.get("next")
    if nxt:
        sid = format_id(nxt["session_id"])
        print(f"Next: {nxt['name']!r} (session {sid}) at {_when(nxt['starts_at'])}")
    sync = answer.get("sync") or {}
    if sync.get("online") is False:
        since = sync.get("offline_since")
        print(
            f"Offline{' since ' + _when(since) if since else ''}; "
            f"{sync.get('outbox', 0)} edit(s) waiting to be sent."
        )


def cmd_stop(args: argparse.Namespace) -> int:
    answer = _call("stop", {"reason": args.reason, "emergency": args.emergency})
    if answer is None:
        raise UserError("no focus session is running")
    ended = answer["ended"]
    exit_note = " with the emergency exit" if ended["reason"] == "emergency_exit" else ""
    print(
        f"Ended {ended['name']!r} early{exit_note} after {ended['focused_minutes']} min; "
        "every block was removed."
    )
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    answer = _call("extend", {"minutes": args.minutes})
    if answer is None:
        raise UserError("no focus session is running")
    print(
        f"Extended: {answer['running']['name']!r} now ends at {_when(answer['running']['ends_at'])}."
    )
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    from deepworkzone.cli.focus import run_session

    if args.id is None and args.minutes is None:
        raise UserError("which session? give an ID, or --minutes N for a quick one")
    if args.id is not None:
        return run_session({"session_id": args.id, "minutes": args.minutes}, None)
    from deepworkzone.cli.focus import _wire
    from deepworkzone.engine.requests import quick_request

    request = quick_request(args.minutes, strict=args.strict)
    return run_session(_wire(request), request)


def _when(iso: str) -> str:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    today = datetime.now(UTC).astimezone().date()
    return moment.strftime("%H:%M" if moment.date() == today else "%Y-%m-%d %H:%M")


def _minutes_left(iso: str) -> int:
    end = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return max(int((end - datetime.now(UTC)).total_seconds() // 60), 0)
