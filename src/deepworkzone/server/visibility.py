"""Who may see and change a session.

A USER key sees the sessions of its org that are public, its own, those it is invited to
(collaborator) and those it joined. A GUEST key sees the org's public sessions only. Anything
else is answered 404, so that a session's existence never leaks.
"""

from __future__ import annotations

import datetime as dt
import functools

from fastapi import HTTPException
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from deepworkzone.server.auth import Caller
from deepworkzone.server.orm import Collaborator, DeletedOccurrence, ParticipationRow, SessionRow


def invited(caller: Caller) -> ColumnElement[bool]:
    return exists(
        select(Collaborator.user_id).where(
            Collaborator.session_id == SessionRow.id, Collaborator.user_id == caller.user_id
        )
    )


def joined(caller: Caller) -> ColumnElement[bool]:
    return exists(
        select(ParticipationRow.id).where(
            ParticipationRow.session_id == SessionRow.id,
            ParticipationRow.user_id == caller.user_id,
        )
    )


def mine_or_shared(caller: Caller) -> ColumnElement[bool]:
    return or_(SessionRow.created_by == caller.user_id, invited(caller), joined(caller))


@functools.lru_cache(maxsize=1024)
def visible(caller: Caller, *, org_scoped: bool = True) -> ColumnElement[bool]:
    """Sessions the caller may see. ``org_scoped=False`` leaves out the org test for a query
    that already restricts the org in a better place (see series_index.OCCURS_ON)."""
    shown = (
        SessionRow.is_public.is_(True)
        if caller.is_guest
        else or_(SessionRow.is_public.is_(True), mine_or_shared(caller))
    )
    return and_(SessionRow.org_id == caller.org_id, shown) if org_scoped else shown


def not_found(session_id: int) -> HTTPException:
    return HTTPException(404, detail=f"session {session_id} not found")


def load_visible(db: Session, caller: Caller, session_id: int) -> SessionRow:
    row = db.scalar(select(SessionRow).where(SessionRow.id == session_id, visible(caller)))
    if row is None:
        raise not_found(session_id)
    return row


def collaborator_ids(db: Session, session_id: int) -> list[int]:
    return list(
        db.scalars(
            select(Collaborator.user_id)
            .where(Collaborator.session_id == session_id)
            .order_by(Collaborator.user_id)
        )
    )


def deleted_days(db: Session, session_id: int) -> list[dt.date]:
    return list(
        db.scalars(
            select(DeletedOccurrence.day)
            .where(DeletedOccurrence.session_id == session_id)
            .order_by(DeletedOccurrence.day)
        )
    )


def may_edit(caller: Caller, row: SessionRow, collaborators: list[int]) -> bool:
    return not caller.is_guest and (
        row.created_by == caller.user_id or caller.user_id in collaborators
    )


def require_edit(caller: Caller, row: SessionRow, collaborators: list[int]) -> None:
    if caller.is_guest:
        raise HTTPException(403, detail="a GUEST key cannot change sessions; use a USER key")
    if not may_edit(caller, row, collaborators):
        raise HTTPException(403, detail="only the session's owner or a collaborator may change it")
