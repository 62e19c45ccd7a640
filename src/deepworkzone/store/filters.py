"""The list filters of the Sessions API, applied to local sessions the way the server does.

One definition serves both sides: ``as_params()`` is the query string for the server, and
``matches()`` filters the local store (local-only mode, or the cache when offline).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Literal

from deepworkzone.domain.models import Session
from deepworkzone.domain.recurrence import Recurrence

Channel = Literal["public", "private"]
Source = Literal["user", "organization"]


@dataclass(frozen=True)
class SessionFilter:
    org_id: int | None = None
    channel: Channel | None = None
    type: Literal["drop-in", "standard"] | None = None
    date: dt.date | None = None
    completed: Literal[0, 1] | None = None
    source: Source | None = None
    keyword: str | None = None
    day_start: dt.date | None = None
    day_ends: dt.date | None = None

    def as_params(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            out[f.name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        return out

    @property
    def is_empty(self) -> bool:
        return not self.as_params()

    def matches(self, session: Session) -> bool:
        if self.org_id is not None and session.org_id != self.org_id:
            return False
        if self.channel is not None and session.is_public != (self.channel == "public"):
            return False
        if self.type is not None and session.type != self.type:
            return False
        if self.completed is not None and (session.status == "completed") != bool(self.completed):
            return False
        if self.completed == 0 and session.status == "cancelled":
            return False  # "0 = active": a cancelled session is not active either
        if self.keyword and self.keyword.casefold() not in session.name.casefold():
            return False
        # source: every local session is the user's own, so both scopes match it.
        if self.date is not None and not occurs_on(session, self.date):
            return False
        if self.day_start is not None or self.day_ends is not None:
            start = self.day_start or dt.date.min
            end = self.day_ends or dt.date.max
            if not occurs_between(session, start, end):
                return False
        return True


def occurs_on(session: Session, day: dt.date) -> bool:
    try:
        return Recurrence.from_session(session).occurs_on(day)
    except ValueError:  # a session whose schedule cannot be read occurs on no day
        return False


def occurs_between(session: Session, start: dt.date, end: dt.date) -> bool:
    """Whether any occurrence of ``session`` falls in [start, end] (inclusive)."""
    if end < start:
        return False
    try:
        rule = Recurrence.from_session(session)
    except ValueError:
        return False
    first, last = rule.series_bounds()
    low = max(start, first)
    # Every pattern repeats within a year, so looking ~2 years past the start is enough to
    # know whether an open range holds an occurrence (and keeps date.max from spinning rrule).
    high = min(end, last or dt.date.max, low + dt.timedelta(days=800))
    return high >= low and bool(rule.dates_between(low, high))
