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
    from deepworkzone.engine.runner import owner_alive
    from deepworkzone.store.journal import Journal

    data = Journal().load()
    orphan = _orphan_hosts_section()
    if data is None:
        print("No focus session is running; nothing is blocked by Deep Work Zone.")
        if orphan:
            print(
                f"But the hosts file still holds {orphan} blocked names from an earlier run: "
                "run `deepworkzone unblock`."
            )
        return 0
    session = data.get("session", {})
    ends_at = datetime.fromisoformat(data["ends_at"])
    left = max(int((ends_at - datetime.now(UTC)).total_seconds() // 60), 0)
    running = owner_alive(session)
    state = (
        f"running in process {session.get('pid')}"
        if running
        else "interrupted (its process is gone)"
    )
    print(f"Focus session {session.get('name', 'Focus')!r}: {state}")
    print(f"  ends {ends_at.astimezone().strftime('%Y-%m-%d %H:%M')} ({left} min left)")
    for kind, record in data.get("effects", {}).items():
        print(f"  {kind}: {_describe(kind, record)}")
    if not running:
        print("Its changes stay until the end time; `deepworkzone unblock` removes them now.")
    return 0


def unblock_command(args: argparse.Namespace) -> int:
    from deepworkzone.engine.recovery import unblock

    result = unblock(force=args.force)
    removed_orphan = _remove_orphan_hosts_section()
    cleared_proxy = result is None and _clear_orphan_system_proxy()
    if result is None and not removed_orphan and not cleared_proxy:
        print("Nothing to undo: no session left anything behind.")
        return 0
    if result is not None:
        for kind in result.restored:
            print(f"restored: {kind}")
        if result.errors:
            raise ServiceError(
                "could not restore " + "; ".join(result.errors) + " (try again, or see the log)"
            )
    if removed_orphan:
        print("restored: hosts (removed a leftover Deep Work Zone section)")
    if cleared_proxy:
        print("restored: system proxy (switched off a leftover Deep Work Zone PAC setting)")
    print("Everything Deep Work Zone changed has been put back.")
    return 0


def _describe(kind: str, record: Any) -> str:
    if not isinstance(record, dict):
        return "changed"
    if kind == "hosts":
        count = record.get("count") or len(record.get("domains", []))
        return f"{count} names in {record.get('path', 'the hosts file')}"
    if kind == "proxy":
        return f"blocking proxy on 127.0.0.1:{record.get('port')}"
    if kind == "system_proxy":
        return (
            "skipped (no desktop proxy settings)"
            if record.get("skipped")
            else "set to our PAC file"
        )
    if kind == "apps":
        names: list[str] = record.get("names") or record.get("process_names") or []
        return "closing " + ", ".join(names)
    return "snoozed until the session ends"


def _orphan_hosts_section() -> int:
    from deepworkzone.blocking.hosts_blocker import section_status

    try:
        domains = section_status()
    except OSError:
        return 0
    return len(domains) if domains else 0


def _remove_orphan_hosts_section() -> bool:
    from deepworkzone.blocking.hosts_blocker import remove_section

    try:
        return remove_section()
    except OSError as exc:
        raise ServiceError(f"could not clean the hosts file: {exc}") from exc


def _clear_orphan_system_proxy() -> bool:
    """With the journal lost, a proxy setting still pointing at our PAC file is switched off."""
    from deepworkzone.blocking.system_proxy import clear_leftover

    return clear_leftover()
