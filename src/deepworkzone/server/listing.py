"""GET /sessions: filters, visibility, recurrence on ``date`` and ranges, paging."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from deepworkzone.domain.recurrence import Recurrence, SessionLike
from deepworkzone.server.auth import Caller
from deepworkzone.server.orm import Collaborator, DeletedOccurrence, SessionRow
from deepworkzone.server.series_index import ONCE, occurs_on_clause, overlaps_clause
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
    rows: list[SessionRow]
    collaborators: dict[int, list[int]]
    deleted: dict[int, list[dt.date]]
    total: int


def _conditions(caller: Caller, f: Filters) -> list[ColumnElement[bool]]:
    where = [visible(caller)]
    if f.org_id is not None:
        where.append(SessionRow.org_id == f.org_id)
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
        where.append(occurs_on_clause(f.date))
    if f.day_start is not None or f.day_ends is not None:
        where.append(overlaps_clause(f.day_start, f.day_ends))
    return where


def _order(f: Filters) -> tuple[Any, ...]:
    if f.date is not None:
        return (SessionRow.start_minute, SessionRow.id)
    return (SessionRow.first_date, SessionRow.start_minute, SessionRow.id)


def list_sessions(db: Session, caller: Caller, f: Filters, page: int, per_page: int) -> Page:
    where = _conditions(caller, f)
    offset = (page - 1) * per_page
    if f.day_start is None and f.day_ends is None:
        # SQL is exact here (series_index.py); page and count in SQL.
        total = db.scalar(select(func.count()).select_from(SessionRow).where(*where)) or 0
        rows = list(
            db.scalars(
                select(SessionRow).where(*where).order_by(*_order(f)).offset(offset).limit(per_page)
            )
        )
        result = _with_details(db, rows, total)
        if f.date is None or _all_confirmed(result, f.date):
            return result
        log.warning("SQL and Recurrence disagree on %s; confirming every candidate", f.date)
    day = f.date

    ranged = f.day_start is not None or f.day_ends is not None

    def check(rec: Recurrence) -> bool:
        if day is not None and not rec.occurs_on(day):
            return False
        return not ranged or _occurs_in(rec, f.day_start, f.day_ends)

    ids = _confirmed_ids(db, where, _order(f), check)
    rows = _rows_by_ids(db, ids[offset : offset + per_page])
    return _with_details(db, rows, len(ids))


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
    order: tuple[Any, ...],
    check: Callable[[Recurrence], bool],
) -> list[int]:
    candidates = db.execute(select(*_RECURRENCE_COLUMNS).where(*where).order_by(*order)).all()
    deleted: dict[int, list[dt.date]] = defaultdict(list)
    ids_subquery = select(SessionRow.id).where(*where, SessionRow.kind != ONCE)
    for session_id, day in db.execute(
        select(DeletedOccurrence.session_id, DeletedOccurrence.day).where(
            DeletedOccurrence.session_id.in_(ids_subquery)
        )
    ):
        deleted[session_id].append(day)
    confirmed = []
    for row in candidates:
        if (row.kind == ONCE and not deleted.get(row.id)) or check(
            Recurrence.from_session(cast(SessionLike, row), deleted.get(row.id, ()))
        ):
            confirmed.append(row.id)
    return confirmed


def _rows_by_ids(db: Session, ids: list[int]) -> list[SessionRow]:
    if not ids:
        return []
    found = {row.id: row for row in db.scalars(select(SessionRow).where(SessionRow.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _with_details(db: Session, rows: list[SessionRow], total: int) -> Page:
    ids = [row.id for row in rows]
    collaborators: dict[int, list[int]] = defaultdict(list)
    deleted: dict[int, list[dt.date]] = defaultdict(list)
    if ids:
        for session_id, user_id in db.execute(
            select(Collaborator.session_id, Collaborator.user_id)
            .where(Collaborator.session_id.in_(ids))
            .order_by(Collaborator.user_id)
        ):
            collaborators[session_id].append(user_id)
        for session_id, day in db.execute(
            select(DeletedOccurrence.session_id, DeletedOccurrence.day)
            .where(DeletedOccurrence.session_id.in_(ids))
            .order_by(DeletedOccurrence.day)
        ):
            deleted[session_id].append(day)
    return Page(rows, dict(collaborators), dict(deleted), total)


def _all_confirmed(page: Page, day: dt.date) -> bool:
    return all(
        Recurrence.from_session(row, page.deleted.get(row.id, ())).occurs_on(day)
        for row in page.rows
    )
