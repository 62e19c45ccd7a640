"""`deepworkzone block status` and `deepworkzone unblock`: see and remove what a session left."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from deepworkzone.cli.errors import ServiceError
from deepworkzone.cli.session_args import session_id


def register(sub: Any) -> None:
    block = sub.add_parser("block", help="what is blocked right now")
    block_sub = block.add_subparsers(title="commands", metavar="COMMAND", required=True)
    status = block_sub.add_parser("status", help="show the running session and what it changed")
    status.set_defaults(func=status_command)
    coverage = block_sub.add_parser(
        "coverage",
        help="which browsers and programs a blocking method reaches on this computer",
        description="What the blocking method reaches here (Chromium, Firefox, Firefox with "
        "DNS-over-HTTPS, connections already open, curl and other programs), why, and what "
        "you can do where it does not.",
    )
    coverage.add_argument(
        "--method",
        choices=("hosts", "proxy", "both"),
        help="the method to check (default: the running session's, else your setting)",
    )
    coverage.add_argument("--json", action="store_true", help="print the report as JSON")
    coverage.set_defaults(func=coverage_command)
    why = block_sub.add_parser(
        "why",
        help="why a site is or is not blocked",
        description="Answers for the running session, else for --session ID (planned), else "
        "for a quick session with your default categories and sites.",
    )
    why.add_argument("url", help="a site or web address, e.g. https://www.reddit.com/r/x")
    why.add_argument("--session", type=session_id, help="a stored session (planned)")
    why.add_argument("--json", action="store_true", help="print the answer as JSON")
    why.set_defaults(func=why_command)

    unblock = sub.add_parser(
        "unblock",
        help="remove every block and restore settings (after a crash)",
        description="Remove whatever a focus session left: hosts-file entries, proxy settings, "
        "app blocking, Slack and Teams snoozes that are still ours.",
    )
    unblock.add_argument(
        "--force", action="store_true", help="also end a session that is still running"
    )
    unblock.set_defaults(func=unblock_command)


def status_command(args: argparse.Namespace) -> int:
    from deepworkzone.domain.clock import SYSTEM_CLOCK
    from deepworkzone.engine import events as ev
    from deepworkzone.engine.focus_service import FocusService
    from deepworkzone.engine.recovery import describe_effect, journal_effects, orphan_hosts_count
    from deepworkzone.engine.timers import ManualTimers

    status = FocusService(timers=ManualTimers(SYSTEM_CLOCK), events=ev.EventBus()).status()
    if status is None:
        print("No focus session is running; nothing is blocked by Deep Work Zone.")
        orphan = orphan_hosts_count()
        if orphan:
            print(
                f"But the hosts file still holds {orphan} blocked names from an earlier run: "
                "run `deepworkzone unblock`."
            )
        return 0
    ends_at = status.ends_at
    left = max(int((ends_at - datetime.now(UTC)).total_seconds() // 60), 0)
    state = (
        f"running in process {status.pid}" if status.alive else "interrupted (its process is gone)"
    )
    print(f"Focus session {status.name!r}: {state}")
    print(f"  ends {ends_at.astimezone().strftime('%Y-%m-%d %H:%M')} ({left} min left)")
    for kind, record in journal_effects().items():
        print(f"  {kind}: {describe_effect(kind, record)}")
    if status.proxy_needs_manual_setup:
        print(
            "  browsers are not using the blocking proxy: set the automatic proxy configuration "
            f"URL to {status.pac_url}"
        )
    if not status.alive:
        print("Its changes stay until the end time; `deepworkzone unblock` removes them now.")
    return 0


def unblock_command(args: argparse.Namespace) -> int:
    from deepworkzone.domain.clock import SYSTEM_CLOCK
    from deepworkzone.engine import events as ev
    from deepworkzone.engine.errors import EngineError
    from deepworkzone.engine.focus_service import FocusService
    from deepworkzone.engine.ipc import AgentNotRunning, call
    from deepworkzone.engine.timers import ManualTimers

    if not args.force:
        try:
            answer = call("stop", {"reason": "unblocked"})
        except AgentNotRunning:
            pass
        except EngineError as exc:
            if exc.code != "not_running":
                raise
        else:
            print(f"Ended {answer['ended']['name']!r} in the running Deep Work Zone.")
    focus = FocusService(timers=ManualTimers(SYSTEM_CLOCK), events=ev.EventBus())
    result = focus.unblock(force=args.force)
    if result.nothing:
        print("Nothing to undo: no session left anything behind.")
        return 0
    if result.corrupt:
        print(f"note: the run journal was unreadable ({result.corrupt}); leftovers were removed")
    for kind in result.unknown:
        print(f"note: the journal named a change this version does not know ({kind}); kept aside")
    for kind in result.restored:
        print(f"restored: {kind}")
    if result.errors:
        raise ServiceError(
            "could not restore " + "; ".join(result.errors) + " (try again, or see the log)"
        )
    if result.orphan_hosts:
        print("restored: hosts (removed a leftover Deep Work Zone section)")
    if result.orphan_system_proxy:
        print("restored: system proxy (switched off a leftover Deep Work Zone PAC setting)")
    print("Everything Deep Work Zone changed has been put back.")
    return 0


def _engine() -> Any:
    from deepworkzone.domain.clock import SYSTEM_CLOCK
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import open_sessions
    from deepworkzone.engine.timers import ManualTimers

    return Engine(open_sessions(), timers=ManualTimers(SYSTEM_CLOCK))


_MARK = {"yes": "blocked", "partial": "partly", "no": "NOT blocked"}


def coverage_command(args: argparse.Namespace) -> int:
    from deepworkzone.cli.output import print_json

    report = _engine().coverage(args.method)
    if args.json:
        print_json(report.to_json())
        return 0
    print(f"Coverage of the {report.method} method on this computer:")
    for cell in report.cells:
        print(f"  {_MARK[cell.reached]:<12} {cell.label}")
        print(f"  {'':<12}   {cell.reason}")
        if cell.remedy:
            print(f"  {'':<12}   what to do: {cell.remedy}")
    for note in report.notes:
        print(f"note: {note}")
    print(report.summary[:1].upper() + report.summary[1:] + ".")
    return 0


def why_command(args: argparse.Namespace) -> int:
    from deepworkzone.cli.output import print_json

    answer = _engine().why(args.url, args.session)
    if args.json:
        print_json(answer.to_json())
        return 0
    state = "the running session" if answer.session == "running" else "a planned session"
    print(f"{answer.sentence} ({state}, method {answer.method}).")
    if answer.blocked:
        for cell in answer.gaps:
            print(
                f"  but not in {cell.label}: {cell.reason}"
                + (f"; {cell.remedy}" if cell.remedy else "")
            )
    return 0
