"""`deepworkzone block status` and `deepworkzone unblock`: see and remove what a session left."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from deepworkzone.cli.errors import ServiceError


def register(sub: Any) -> None:
    block = sub.add_parser("block", help="what is blocked right now")
    block_sub = block.add_subparsers(title="commands", metavar="COMMAND", required=True)
    status = block_sub.add_parser("status", help="show the running session and what it changed")
    status.set_defaults(func=status_command)

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
