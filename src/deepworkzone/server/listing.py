"""GET /sessions: filters, visibility, recurrence on ``date`` and ranges, paging."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from deepworkzone.domain.recurrence import Recurrence, SessionLike
from deepworkzone.server.auth import Caller
from deepworkzone.server.orm import DeletedOccurrence, SessionRow
from deepworkzone.server.rendering import RenderCache, Rendered, render
from deepworkzone.server.series_index import (
    DAILY,
    OCCURS_ON,
    ONCE,
    WEEKLY,
    occurs_on_params,
    overlaps_clause,
)
from deepworkzone.server.visibility import mine_or_shared, visible

log = logging.getLogger(__name__)

# What Recurrence.from_session reads, loaded without building ORM objects.
_RECURRENCE_COLUMNS = (
    SessionRow.id,
    SessionRow.kind,
    SessionRow.schedule,
    SessionRow.time,
    SessionRow.timezone,
    SessionRow.is_recurring,
    SessionRow.recurring_start,
    SessionRow.recurring_ends,
    SessionRow.occurrence,
    SessionRow.recurring_days,
    SessionRow.recurring_month_option,
    SessionRow.recurring_month_week_pos,
    SessionRow.recurring_month_week_day,
    SessionRow.fallback_option,
    SessionRow.first_date,
    SessionRow.last_date,
)


@dataclass(frozen=True)
class Filters:
    org_id: int | None = None
    channel: str | None = None
    type: str | None = None
    date: dt.date | None = None
    completed: int | None = None
    source: str | None = None
    keyword: str | None = None
    day_start: dt.date | None = None
    day_ends: dt.date | None = None


@dataclass(frozen=True)
class Page:
    sessions: list[Rendered]
    total: int


def _conditions(caller: Caller, f: Filters) -> tuple[list[ColumnElement[bool]], dict[str, object]]:
    """The WHERE terms of ``f`` and the values of their bound parameters."""
    params: dict[str, object] = {}
    # With a date the org test sits inside OCCURS_ON: a top-level one would lead
    # SQLite to scan the org instead of seeking the series index.
    where = [visible(caller, org_scoped=f.date is None)]
    if f.org_id is not None and f.org_id != caller.org_id:
        where.append(false())  # another org's id: nothing, and nothing leaked
    if f.channel is not None:
        where.append(SessionRow.is_public.is_(f.channel == "public"))
    if f.type is not None:
        where.append(SessionRow.type == f.type)
    if f.completed == 1:
        where.append(SessionRow.status == "completed")
    elif f.completed == 0:
        where.append(SessionRow.status.not_in(("completed", "cancelled")))
    if f.source == "user":
        where.append(mine_or_shared(caller))
    if f.keyword:
        where.append(func.lower(SessionRow.name).contains(f.keyword.lower(), autoescape=True))
    if f.date is not None:
        where.append(OCCURS_ON)
        params.update(occurs_on_params(f.date, caller.org_id))
    if f.day_start is not None or f.day_ends is not None:
        where.append(overlaps_clause(f.day_start, f.day_ends))
    return where, params


def _order(f: Filters) -> tuple[Any, ...]:
    if f.date is not None:
        return (SessionRow.start_minute, SessionRow.id)
    return (SessionRow.first_date, SessionRow.start_minute, SessionRow.id)


def list_sessions(
    db: Session, cache: RenderCache, caller: Caller, f: Filters, page: int, per_page: int
) -> Page:
    where, params = _conditions(caller, f)
    offset = (page - 1) * per_page
    if f.day_start is None and f.day_ends is None:
        # SQL is exact here (series_index.py): page and count in SQL.
        versions: list[int] | None
        if f.date is not None:
            # A day matches a few hundred rows at most: one index-only query gives the sorted
            # ids and their count (a COUNT plus a sorted page of full rows costs twice that).
            # Core, not ORM execution: hundreds of plain tuples, no entities to build.
            found = (
                db.connection()
                .execute(
                    select(SessionRow.id, SessionRow.version).where(*where).order_by(*_order(f)),
                    params,
                )
                .all()
            )
            total = len(found)
            page_ids = [row[0] for row in found[offset : offset + per_page]]
            versions = [row[1] for row in found[offset : offset + per_page]]
        else:
            count = select(func.count()).select_from(SessionRow).where(*where)
            total = db.scalar(count, params) or 0
            versions = None
            page_ids = list(
                db.scalars(
                    select(SessionRow.id)
                    .where(*where)
                    .order_by(*_order(f))
                    .offset(offset)
                    .limit(per_page),
                    params,
                )
            )
        sessions = render(db, cache, page_ids, versions)
        day = f.date
        if day is None or all(s.recurrence.occurs_on(day) for s in sessions):
            return Page(sessions, total)
        log.warning("SQL and Recurrence disagree on %s; confirming every candidate", day)
    day = f.date
    ranged = f.day_start is not None or f.day_ends is not None

    def check(rec: Recurrence) -> bool:
        if day is not None and not rec.occurs_on(day):
            return False
        return not ranged or _occurs_in(rec, f.day_start, f.day_ends)

    def certain(kind: int, first: dt.date, last: dt.date) -> bool:
        """Whether the bounds alone prove an occurrence in the range (no deleted days):
        SQL has checked that they meet it."""
        if day is not None:
            return False  # double-checking a day: trust nothing but Recurrence
        if kind in (ONCE, DAILY):
            return True
        low = first if f.day_start is None else max(first, f.day_start)
        high = last if f.day_ends is None else min(last, f.day_ends)
        return kind == WEEKLY and (high - low).days >= 6

    ids = _confirmed_ids(db, where, params, _order(f), check, certain)
    return Page(render(db, cache, ids[offset : offset + per_page]), len(ids))


_HORIZON = dt.timedelta(days=400)


def _occurs_in(rec: Recurrence, start: dt.date | None, end: dt.date | None) -> bool:
    first, last = rec.series_bounds()
    low = first if start is None else max(start, first)
    high = last if end is None else (end if last is None else min(end, last))
    # Every pattern we have repeats within a year, so the cheap day-by-day occurs_on finds an
    # occurrence quickly; only deleted days can push it past the horizon.
    scan_end = low + _HORIZON if high is None else min(high, low + _HORIZON)
    day = low
    while day <= scan_end:
        if rec.occurs_on(day):
            return True
        day += dt.timedelta(days=1)
    if high is not None and high <= scan_end:
        return False
    far = high if high is not None else scan_end + dt.timedelta(days=3660)
    return bool(rec.dates_between(scan_end + dt.timedelta(days=1), far))


def _confirmed_ids(
    db: Session,
    where: Sequence[ColumnElement[bool]],
    params: dict[str, object],
    order: tuple[Any, ...],
    check: Callable[[Recurrence], bool],
    certain: Callable[[int, dt.date, dt.date], bool],
) -> list[int]:
    candidates = db.execute(
        select(*_RECURRENCE_COLUMNS).where(*where).order_by(*order), params
    ).all()
    deleted: dict[int, list[dt.date]] = defaultdict(list)
    ids_subquery = select(SessionRow.id).where(*where, SessionRow.kind != ONCE)
    for session_id, day in db.execute(
        select(DeletedOccurrence.session_id, DeletedOccurrence.day).where(
            DeletedOccurrence.session_id.in_(ids_subquery)
        ),
        params,
    ):
        deleted[session_id].append(day)
    confirmed = []
    for row in candidates:
        removed = deleted.get(row.id)
        if (not removed and certain(row.kind, row.first_date, row.last_date)) or check(
            Recurrence.from_session(cast(SessionLike, row), removed or ())
        ):
            confirmed.append(row.id)
    return confirmed
