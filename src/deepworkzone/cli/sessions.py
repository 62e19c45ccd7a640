"""`deepworkzone sessions ...`: list, show, create, update, delete, join, leave, sync.

With no server configured the local store is the only home of sessions (local-only mode).
With one, reads go to the server and refresh the cache, falling back to the cache when it is
unreachable; edits made while unreachable are queued and sent in order later.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from deepworkzone.cli import session_args as sa
from deepworkzone.cli.errors import UserError
from deepworkzone.cli.output import format_id, print_json, session_details, sessions_table
from deepworkzone.cli.session_backend import open_service

DEFAULT_DURATION = 60


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sessions",
        help="list, create and edit focus sessions",
        description="Sessions on the server, or on this machine when no "
        "server is configured (`deepworkzone login`).",
    )
    cmds = parser.add_subparsers(
        title="sessions commands", metavar="COMMAND", parser_class=type(parser)
    )
    parser.set_defaults(func=lambda _args: parser.print_help() or 0)

    ls = cmds.add_parser("list", help="list sessions")
    ls.add_argument("--date", type=sa.day, help="sessions on that day: YYYY-MM-DD, today, tomorrow")
    ls.add_argument("--channel", choices=("public", "private"))
    ls.add_argument("--type", choices=("drop-in", "standard"))
    ls.add_argument("--completed", type=int, choices=(0, 1), help="0 active, 1 done")
    ls.add_argument("--source", choices=("user", "organization"))
    ls.add_argument("--keyword", help="case-insensitive search in names")
    ls.add_argument("--day-start", type=sa.day, metavar="DATE", help="range start (inclusive)")
    ls.add_argument("--day-ends", type=sa.day, metavar="DATE", help="range end (inclusive)")
    ls.add_argument("--org", type=int, dest="org_id", metavar="ORG_ID")
    ls.add_argument("--json", action="store_true", help="print the API's JSON")
    ls.set_defaults(func=cmd_list)

    show = cmds.add_parser("show", help="show one session")
    show.add_argument("id", type=sa.session_id)
    show.add_argument("--json", action="store_true", help="print the API's JSON")
    show.set_defaults(func=cmd_show)

    create = cmds.add_parser("create", help="create a session (flags, or --json FILE|-)")
    sa.add_field_flags(create, update=False)
    create.set_defaults(func=cmd_create)

    update = cmds.add_parser("update", help="change fields of a session")
    update.add_argument("id", type=sa.session_id)
    sa.add_field_flags(update, update=True)
    update.set_defaults(func=cmd_update)

    delete = cmds.add_parser("delete", help="delete a session, or one day of a recurring one")
    delete.add_argument("id", type=sa.session_id)
    delete.add_argument(
        "--occurrence",
        type=sa.day,
        metavar="YYYY-MM-DD",
        help="remove only this day of a recurring session",
    )
    delete.set_defaults(func=cmd_delete)

    for name, verb in (
        ("join", "join a drop-in, public or invited session"),
        ("leave", "leave a session you joined"),
    ):
        p = cmds.add_parser(name, help=verb)
        p.add_argument("id", type=sa.session_id)
        p.add_argument("--date", type=sa.day, help="the occurrence, for a recurring session")
        p.set_defaults(func=cmd_join if name == "join" else cmd_leave)

    sync = cmds.add_parser("sync", help="send queued offline edits and refresh the cache")
    sync.add_argument(
        "--discard-failed", action="store_true", help="forget queued edits the server refused"
    )
    sync.set_defaults(func=cmd_sync)


def _stale_warning(outcome: Any, what: str) -> None:
    if outcome.from_cache:
        since = outcome.stale_since
        if since is None:
            # Nothing was ever listed from the server: only what was made or read here.
            print(f"offline: showing {what} known on this machine (never synced)", file=sys.stderr)
        else:
            when = since.astimezone().strftime("%Y-%m-%d %H:%M %Z")
            print(f"offline: showing cached {what} from {when}", file=sys.stderr)


def _queued_note(outcome: Any) -> None:
    if outcome.queued:
        print(
            "offline: queued; it will be sent when the server is reachable "
            "(or run `deepworkzone sessions sync`)",
            file=sys.stderr,
        )


def cmd_list(args: argparse.Namespace) -> int:
    from deepworkzone.engine.sessions_service import SessionFilter

    if args.day_start and args.day_ends and args.day_ends < args.day_start:
        raise UserError("--day-ends is before --day-start")
    flt = SessionFilter(
        org_id=args.org_id,
        channel=args.channel,
        type=args.type,
        date=args.date,
        completed=args.completed,
        source=args.source,
        keyword=args.keyword,
        day_start=args.day_start,
        day_ends=args.day_ends,
    )
    outcome = open_service().list(flt)
    _stale_warning(outcome, "sessions")
    if args.json:
        print_json(outcome.raw)
    else:
        print(sessions_table(outcome.raw))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    outcome = open_service().get(args.id)
    _stale_warning(outcome, "session")
    if args.json:
        print_json(outcome.raw)
    else:
        print(session_details(outcome.raw))
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from deepworkzone.domain.models import SessionCreate

    body = sa.read_body(args.body_file) if args.body_file else {}
    body.update(sa.fields_from_flags(args))
    if (args.days or args.until) and not body.get("is_recurring"):
        raise UserError("--days and --until need --repeat daily, weekly or monthly")
    if "name" not in body:
        raise UserError("a session needs a name: --name NAME (or a --json body)")
    if "time" not in body:
        raise UserError("a session needs a start time: --time 9:00 AM (or a --json body)")
    body.setdefault("schedule", sa.day("today").isoformat())
    body.setdefault("duration", DEFAULT_DURATION)
    body.setdefault("timezone", default_timezone())
    session = _validated(SessionCreate, body)
    outcome = open_service().create(session)
    raw = outcome.raw
    print(
        f"created session {format_id(raw['id'])}: {raw['name']} "
        f"({raw['schedule']} {raw['time']} {raw['timezone']})"
    )
    _queued_note(outcome)
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    from deepworkzone.domain.models import SessionUpdate

    body = sa.read_body(args.body_file) if args.body_file else {}
    body.update(sa.fields_from_flags(args))
    if not body:
        raise UserError("nothing to change: give at least one field flag, e.g. --duration 45")
    changes = _validated(SessionUpdate, body)
    outcome = open_service().update(args.id, changes)
    print(f"updated session {format_id(args.id)}")
    _queued_note(outcome)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    outcome = open_service().delete(args.id, args.occurrence)
    what = f" on {args.occurrence.isoformat()}" if args.occurrence else ""
    print(f"deleted session {format_id(args.id)}{what}")
    _queued_note(outcome)
    return 0


def cmd_join(args: argparse.Namespace) -> int:
    outcome = open_service().join(args.id, args.date)
    print(f"joined session {format_id(args.id)}")
    _queued_note(outcome)
    return 0


def cmd_leave(args: argparse.Namespace) -> int:
    outcome = open_service().leave(args.id, args.date)
    print(f"left session {format_id(args.id)}")
    _queued_note(outcome)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    result = open_service(quiet_stuck=True).sync(discard_failed=args.discard_failed)
    if args.discard_failed:
        print(f"discarded {result['discarded']} refused edit(s)")
    failed = "" if not result["refused"] else f", {result['refused']} refused"
    print(f"sent {result['sent']} queued edit(s){failed}; {result['cached']} session(s) cached")
    return 0


def _validated(model: Any, body: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from deepworkzone.engine.sessions_service import validation_message

    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise UserError(f"invalid session: {validation_message(exc)}") from None


def default_timezone() -> str:
    """settings.timezone, else the system's zone, else UTC."""
    from deepworkzone.core.settings import load_settings

    configured = load_settings().timezone
    if configured:
        return configured
    try:
        import tzlocal

        name = str(tzlocal.get_localzone_name() or "")
        sa.timezone_name(name)
        return name
    except (
        Exception
    ):  # tzlocal missing or the system zone unreadable: UTC is the contract's default
        return "UTC"
