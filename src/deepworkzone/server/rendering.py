"""Sessions as listed, rendered to JSON once per version.

A list answer is mostly the same sessions again and again; rendering them (ORM rows, their
collaborators and deleted days, pydantic validation, JSON) costs more than finding them. Each
rendering is kept under (id, version): every change to a session bumps its version (see
session_store.touch), so an entry can never be stale, and a cache per process stays correct
when several processes share one database.
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
        for row, rendered in _render_rows(db, missing):
            # Keyed by the version just read with the row, not the one passed in: a change in
            # between must not be filed under the old version.
            cache.put((row.id, row.version), rendered)
            out[row.id] = rendered
    return [out[i] for i in ids if i in out]


def _render_rows(db: Session, ids: list[int]) -> list[tuple[SessionRow, Rendered]]:
    rows = list(db.scalars(select(SessionRow).where(SessionRow.id.in_(ids))))
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
