"""Command-line values for sessions: ids, dates, and the create/update flags as a body.

Every parser here raises argparse.ArgumentTypeError (or UserError) with one readable line, so
a bad value never becomes a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from deepworkzone.cli.errors import UserError
from deepworkzone.domain.clock import format_clock, parse_clock, zone

WEEKDAYS = {"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}


def session_id(text: str) -> int:
    """``12`` is a server (or local-only) id; ``L3`` a create still waiting to be sent."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    if value[:1] in "Ll" and value[1:].isdigit() and int(value[1:]) > 0:
        return -int(value[1:])
    raise argparse.ArgumentTypeError(
        f"{text!r} is not a session id (a number, or L1 for one not yet sent)"
    )


def day(text: str) -> dt.date:
    word = text.strip().lower()
    today = dt.date.today()
    if word == "today":
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    if word == "yesterday":
        return today - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(word)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (use YYYY-MM-DD, today or tomorrow)"
        ) from None


def clock(text: str) -> str:
    try:
        return format_clock(parse_clock(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def minutes(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 1440:
        raise argparse.ArgumentTypeError(f"{text!r}: duration is minutes, 1..1440")
    return int(text)


def timezone_name(text: str) -> str:
    try:
        zone(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def weekdays(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        key = part.strip().lower()[:3]
        if key.isdigit() and 1 <= int(key) <= 7:
            out.append(int(key))
        elif key in WEEKDAYS:
            out.append(WEEKDAYS[key])
        else:
            raise argparse.ArgumentTypeError(f"{part.strip()!r} is not a weekday (mon..sun)")
    return sorted(set(out))


def apps(text: str) -> list[str]:
    chosen = [a.strip().lower() for a in text.split(",") if a.strip()]
    if not chosen or any(a not in ("slack", "teams") for a in chosen):
        raise argparse.ArgumentTypeError(f"{text!r}: choose slack, teams or slack,teams")
    return chosen


def csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def add_field_flags(parser: argparse.ArgumentParser, *, update: bool) -> None:
    """The flags shared by ``create`` and ``update``; unset ones are None (left alone)."""
    parser.add_argument("--name")
    parser.add_argument("--date", type=day, help="YYYY-MM-DD, today or tomorrow")
    parser.add_argument("--time", type=clock, help="start time: 9:00 AM, 09:00 or 21:30")
    parser.add_argument("--duration", type=minutes, metavar="MIN", help="minutes, 1..1440")
    parser.add_argument("--type", choices=("drop-in", "standard"))
    channel = parser.add_mutually_exclusive_group()
    channel.add_argument("--public", dest="is_public", action="store_const", const=True)
    channel.add_argument("--private", dest="is_public", action="store_const", const=False)
    parser.add_argument("--timezone", type=timezone_name, metavar="ZONE", help="IANA zone name")
    parser.add_argument(
        "--category",
        type=csv_list,
        action="extend",
        metavar="CATS",
        help="categories to block, e.g. social-media,gaming (turns blocking on)",
    )
    parser.add_argument(
        "--url",
        type=csv_list,
        action="extend",
        metavar="SITES",
        help="extra sites to block (turns blocking on)",
    )
    parser.add_argument("--mode", choices=("preset", "custom", "allowlist"), help="blocking mode")
    parser.add_argument("--snooze", type=apps, metavar="APPS", help="slack, teams or slack,teams")
    parser.add_argument("--repeat", choices=("daily", "weekly", "monthly", "none"))
    parser.add_argument("--days", type=weekdays, metavar="DAYS", help="weekly: e.g. mon,wed")
    parser.add_argument("--until", type=day, metavar="DATE", help="last day of the series")
    parser.add_argument("--org", type=int, dest="org_id", metavar="ORG_ID")
    parser.add_argument(
        "--collaborator",
        type=csv_list,
        action="extend",
        metavar="WHO",
        help="user ids or e-mails of org members",
    )
    if update:
        parser.add_argument("--status", choices=("waiting", "active", "completed", "cancelled"))
        parser.add_argument("--no-blocking", action="store_true", help="turn site blocking off")
        parser.add_argument("--no-snooze", action="store_true", help="turn snoozing off")
    parser.add_argument(
        "--json",
        dest="body_file",
        metavar="FILE|-",
        help="read the session body (the API's JSON) from a file or stdin",
    )


def fields_from_flags(args: argparse.Namespace) -> dict[str, Any]:
    """Only the fields the user gave, in the API's names."""
    out: dict[str, Any] = {}
    for flag, field in (
        ("name", "name"),
        ("time", "time"),
        ("duration", "duration"),
        ("type", "type"),
        ("is_public", "is_public"),
        ("timezone", "timezone"),
        ("org_id", "org_id"),
        ("status", "status"),
    ):
        value = getattr(args, flag, None)
        if value is not None:
            out[field] = value
    if args.date is not None:
        out["schedule"] = args.date.isoformat()
    if args.collaborator:
        out["collaborator"] = [int(c) if c.isdigit() else c for c in args.collaborator]
    if args.category or args.url or args.mode:
        out["website_blocker_enabled"] = True
        out["website_blocker"] = {
            "mode": args.mode or ("preset" if args.category else "custom"),
            "category": args.category or [],
            "urls": args.url or [],
        }
    if getattr(args, "no_blocking", False):
        out["website_blocker_enabled"] = False
    if args.snooze:
        out["snooze_enabled"] = True
        out["snooze_apps"] = {"slack": "slack" in args.snooze, "teams": "teams" in args.snooze}
    if getattr(args, "no_snooze", False):
        out["snooze_enabled"] = False
    if args.repeat == "none":
        out["is_recurring"] = 0
    elif args.repeat:
        out["is_recurring"] = 1
        out["occurrence"] = args.repeat
    if args.days:
        out["recurring_days"] = args.days
    if args.until:
        out["recurring_ends"] = args.until.isoformat()
    return out


def read_body(source: str) -> dict[str, Any]:
    """A JSON object from a file, or stdin for ``-``."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        where = "stdin" if source == "-" else source
        raise UserError(f"{where} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(body, dict):
        raise UserError("the session body must be a JSON object")
    return body
