"""Which sessions occur on a day, answered in SQL.

Expanding every recurring series per request does not scale (a third of 10,000 rows), so each
session carries columns derived from its recurrence at write time: its first and last possible
date, a kind, a weekday bitmask, the day of month and the month week position. On those, "does
it occur on day D" is plain portable SQL that agrees with ``Recurrence.occurs_on``; the list
endpoint still confirms the rows it returns with ``occurs_on`` (see listing.py).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Date, Integer, and_, bindparam, exists, false, or_, select

from deepworkzone.domain.recurrence import LAST_WEEK, Recurrence
from deepworkzone.server.orm import DeletedOccurrence, SessionRow

OPEN_END = dt.date(9999, 12, 31)
"""last_date of an open-ended series: a real date keeps the range test a plain comparison."""

ONCE, DAILY, WEEKLY, MONTH_DAY, MONTH_WEEK = range(5)


@dataclass(frozen=True)
class SeriesIndex:
    first_date: dt.date
    last_date: dt.date
    kind: int
    weekday_mask: int = 0
    month_day: int = 0
    week_pos: int = 0

    def columns(self) -> dict[str, object]:
        return {
            "first_date": self.first_date,
            "last_date": self.last_date,
            "kind": self.kind,
            "weekday_mask": self.weekday_mask,
            "month_day": self.month_day,
            "week_pos": self.week_pos,
        }


def _bit(iso_weekday: int) -> int:
    return 1 << (iso_weekday - 1)


def index_for(rec: Recurrence) -> SeriesIndex:
    first, last = rec.series_bounds()
    last_date = OPEN_END if last is None else last
    if not rec.is_recurring:
        return SeriesIndex(first, last_date, ONCE)
    if rec.occurrence == "daily":
        return SeriesIndex(first, last_date, DAILY)
    if rec.occurrence == "weekly":
        days = rec.recurring_days or (rec.schedule.isoweekday(),)
        mask = 0
        for day in days:
            mask |= _bit(day)
        return SeriesIndex(first, last_date, WEEKLY, weekday_mask=mask)
    if rec.month_option == "exact":
        return SeriesIndex(first, last_date, MONTH_DAY, month_day=rec.schedule.day)
    assert rec.week_day is not None and rec.week_pos is not None
    return SeriesIndex(
        first, last_date, MONTH_WEEK, weekday_mask=_bit(rec.week_day), week_pos=rec.week_pos
    )


def _occurs_on_template() -> ColumnElement[bool]:
    day = bindparam("occ_day", type_=Date)
    org = SessionRow.org_id == bindparam("occ_org", type_=Integer)
    has_weekday = SessionRow.weekday_mask.op("&")(bindparam("occ_bit", type_=Integer)) != 0
    in_bounds = and_(SessionRow.first_date <= day, SessionRow.last_date >= day)
    no_extras = and_(SessionRow.month_day == 0, SessionRow.week_pos == 0)
    pattern = or_(
        and_(org, SessionRow.kind == ONCE, no_extras, SessionRow.first_date == day),
        and_(org, SessionRow.kind == DAILY, no_extras, in_bounds),
        and_(org, SessionRow.kind == WEEKLY, no_extras, in_bounds, has_weekday),
        and_(
            org,
            SessionRow.kind == MONTH_DAY,
            SessionRow.month_day.in_(bindparam("occ_month_days", expanding=True)),
            SessionRow.week_pos == 0,
            in_bounds,
            # The days after the month's last one only count with fallback 1.
            or_(
                SessionRow.month_day == bindparam("occ_month_day", type_=Integer),
                SessionRow.fallback_option == 1,
            ),
        ),
        and_(
            org,
            SessionRow.kind == MONTH_WEEK,
            SessionRow.month_day == 0,
            SessionRow.week_pos.in_(bindparam("occ_positions", expanding=True)),
            in_bounds,
            has_weekday,
        ),
    )
    return and_(
        pattern,
        ~exists(
            select(DeletedOccurrence.session_id).where(
                DeletedOccurrence.session_id == SessionRow.id, DeletedOccurrence.day == day
            )
        ),
    )


OCCURS_ON: ColumnElement[bool] = _occurs_on_template()
"""SQL for "this session of org ``occ_org`` has an occurrence on ``occ_day``" (deleted
occurrences excluded); execute it with ``occurs_on_params``.

One branch per kind, each led by equalities on the columns of ix_sessions_series (the org
repeated in every branch, which is what lets SQLite plan a multi-index OR), so the answer takes
a few index seeks (one-off sessions: an exact seek on the date) instead of a scan of every
series: 0.2 ms instead of 10 ms for 10,000 sessions. Built once with bound parameters:
building it per request cost more than running it.
"""


def occurs_on_params(day: dt.date, org_id: int) -> dict[str, object]:
    month_length = calendar.monthrange(day.year, day.month)[1]
    positions = [(day.day - 1) // 7 + 1]
    if day.day + 7 > month_length:
        positions.append(LAST_WEEK)
    month_days = [day.day]
    if day.day == month_length:
        # Fallback 1 moves the 29th..31st to the last day of shorter months.
        month_days += list(range(day.day + 1, 32))
    return {
        "occ_day": day,
        "occ_org": org_id,
        "occ_bit": _bit(day.isoweekday()),
        "occ_month_day": day.day,
        "occ_month_days": month_days,
        "occ_positions": positions,
    }


def overlaps_clause(start: dt.date | None, end: dt.date | None) -> ColumnElement[bool]:
    """SQL for "the series' bounds overlap [start, end]": exact for one-off sessions, a
    prefilter for series (confirmed with ``Recurrence.dates_between``)."""
    if start is not None and end is not None and end < start:
        return false()
    clauses = []
    if end is not None:
        clauses.append(SessionRow.first_date <= end)
    if start is not None:
        clauses.append(SessionRow.last_date >= start)
    clauses.append(SessionRow.first_date <= SessionRow.last_date)
    return and_(*clauses)
