"""How the CLI shows sessions: a readable table, a detail block, or the API's JSON as is."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pydantic import ValidationError

from deepworkzone.domain.ids import display_id
from deepworkzone.domain.models import Session

COLUMNS = ("ID", "NAME", "WHEN", "LENGTH", "TYPE", "CHANNEL", "STATUS", "RECURS")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NTH = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "last"}
NAME_WIDTH = 32


def print_json(value: Any, out: TextIO | None = None) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False), file=out or sys.stdout)


def format_id(session_id: int) -> str:
    return display_id(session_id)


def length(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if not hours:
        return f"{mins}m"
    return f"{hours}h" if not mins else f"{hours}h {mins:02d}m"


def when(s: Session) -> str:
    """A series shows its next occurrence (today or later, in its own zone), not its first."""
    import datetime as dt

    from deepworkzone.domain.clock import zone
    from deepworkzone.domain.occurrences import next_day

    day: dt.date | None = s.schedule
    if s.is_recurring:
        try:
            today = dt.datetime.now(zone(s.timezone)).date()
        except ValueError:
            today = dt.date.today()
        day = next_day(s, today)
        if day is None:
            return f"ended {s.recurring_ends.isoformat() if s.recurring_ends else ''} {s.time} {s.timezone}".replace(
                "  ", " "
            )
    assert day is not None
    return f"{day.isoformat()} {s.time} {s.timezone}"


def recurs(s: Session) -> str:
    if not s.is_recurring:
        return "-"
    if s.occurrence == "weekly":
        text = "weekly " + ",".join(_WEEKDAYS[d - 1] for d in s.recurring_days if 1 <= d <= 7)
    elif s.occurrence == "monthly" and s.recurring_month_option == "week":
        day = _WEEKDAYS[(s.recurring_month_week_day or 1) - 1]
        text = f"monthly {_NTH.get(s.recurring_month_week_pos or 1, '?')} {day}"
    elif s.occurrence == "monthly":
        text = f"monthly day {s.schedule.day}"
    else:
        text = s.occurrence or "?"
    if s.recurring_ends:
        text += f" until {s.recurring_ends.isoformat()}"
    return text


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def row(raw: dict[str, Any]) -> list[str]:
    try:
        s = Session.model_validate(raw)
    except ValidationError:
        # An answer we cannot fully read is still listed, not dropped silently.
        return [str(raw.get("id", "?")), _short(str(raw.get("name", "?")), NAME_WIDTH)] + ["?"] * 6
    return [
        format_id(s.id),
        _short(s.name, NAME_WIDTH),
        when(s),
        length(s.duration),
        s.type,
        "public" if s.is_public else "private",
        s.status,
        recurs(s),
    ]


def table(rows: Sequence[Sequence[str]], header: Sequence[str] = COLUMNS) -> str:
    widths = [len(h) for h in header]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
        for cells in (header, *rows)
    ]
    return "\n".join(lines)


def sessions_table(raws: Sequence[dict[str, Any]]) -> str:
    if not raws:
        return "no sessions"
    return table([row(r) for r in raws])


def session_details(raw: dict[str, Any]) -> str:
    s = Session.model_validate(raw)
    blocker = s.website_blocker
    blocks = "off"
    if s.website_blocker_enabled:
        what = [*blocker.category, *blocker.urls]
        blocks = f"{blocker.mode}: {', '.join(what) if what else '(nothing listed)'}"
    snooze = [app for app in ("slack", "teams") if getattr(s.snooze_apps, app)]
    fields = [
        ("ID", format_id(s.id)),
        ("Name", s.name),
        ("When", when(s)),
        ("Length", length(s.duration)),
        ("Type", s.type),
        ("Channel", "public" if s.is_public else "private"),
        ("Status", s.status),
        ("Recurs", recurs(s)),
        ("Blocking", blocks),
        ("Snooze", ", ".join(snooze) if s.snooze_enabled and snooze else "off"),
    ]
    if s.collaborator:
        fields.append(("Collaborators", ", ".join(str(c) for c in s.collaborator)))
    if s.deleted_occurrences:
        fields.append(("Skipped", ", ".join(d.isoformat() for d in s.deleted_occurrences)))
    if s.participation and s.participation.role:
        joined = "joined" if s.participation.joined else "not joined"
        fields.append(("You", f"{s.participation.role}, {joined}"))
    if s.created_at:
        fields.append(("Created", s.created_at.isoformat()))
    width = max(len(k) for k, _ in fields)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in fields)
