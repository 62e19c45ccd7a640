"""Sessions as listed, rendered to JSON once per version.

A list answer is mostly the same sessions again and again; rendering them (ORM rows, their
collaborators and deleted days, pydantic validation, JSON) costs more than finding them. Each
rendering is kept under (id, version) as the database answered them: every change to a
session, its collaborators or its deleted days moves its version in SQL in the same
transaction (a compare-and-set, see session_store.update), so an entry can never be stale,
and a cache per process stays correct when several processes share one database.

A session is read in three statements (row, collaborators, deleted days), which may see
different commits (SQLite outside a write, PostgreSQL's READ COMMITTED). A rendering is
therefore kept only if the version is still the same after them: then no commit touched the
session in between.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.server.list_cache import LruCache
from deepworkzone.server.orm import Collaborator, DeletedOccurrence, SessionRow
from deepworkzone.server.wire import recurrence_of, to_session


@dataclass(frozen=True, slots=True)
class Rendered:
    json: bytes
    recurrence: Recurrence


class RenderCache(LruCache[tuple[int, int], Rendered]):
    """Rendered sessions by (session id, version)."""

    def __init__(self, size: int = 20_000) -> None:
        super().__init__(size)


def render(
    db: Session, cache: RenderCache, ids: list[int], versions: list[int] | None = None
) -> list[Rendered]:
    """The sessions ``ids`` in that order (ids deleted meanwhile are left out). ``versions``,
    when the caller read them with the ids, saves a query."""
    if not ids:
        return []
    if versions is None:
        current = dict(
            db.execute(
                select(SessionRow.id, SessionRow.version).where(SessionRow.id.in_(ids))
            ).all()
        )
    else:
        current = dict(zip(ids, versions, strict=True))
    out: dict[int, Rendered] = {}
    missing = []
    for session_id, version in current.items():
        hit = cache.get((session_id, version))
        if hit is None:
            missing.append(session_id)
        else:
            out[session_id] = hit
    if missing:
        fresh = _render_rows(db, missing)
        still: dict[int, int] = dict(
            db.execute(
                select(SessionRow.id, SessionRow.version).where(SessionRow.id.in_(missing))
            ).all()
        )
        for row, rendered in fresh:
            # Keyed by the version read with the row, not the one passed in, and only if no
            # commit changed it while its parts were read.
            if still.get(row.id) == row.version:
                cache.put((row.id, row.version), rendered)
            out[row.id] = rendered
    return [out[i] for i in ids if i in out]


def _render_rows(db: Session, ids: list[int]) -> list[tuple[SessionRow, Rendered]]:
    # populate_existing: what the database says now, never an older copy in the identity map.
    query = select(SessionRow).where(SessionRow.id.in_(ids))
    rows = list(db.scalars(query.execution_options(populate_existing=True)))
    collaborators: dict[int, list[int]] = defaultdict(list)
    deleted: dict[int, list[dt.date]] = defaultdict(list)
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
    out = []
    for row in rows:
        session = to_session(row, collaborators[row.id], deleted[row.id])
        rendered = Rendered(session.model_dump_json().encode(), recurrence_of(row, deleted[row.id]))
        out.append((row, rendered))
    return out
