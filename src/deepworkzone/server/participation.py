"""Joining, leaving and completing a session (one occurrence of it for a series)."""

from __future__ import annotations

import datetime as dt

from fastapi import HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from deepworkzone.domain.clock import zone
from deepworkzone.domain.models import Participant, ParticipantRole, Participation
from deepworkzone.server.auth import Caller
from deepworkzone.server.errors import unprocessable
from deepworkzone.server.list_cache import bump
from deepworkzone.server.orm import ParticipationRow, SessionRow, User
from deepworkzone.server.session_store import advance_version
from deepworkzone.server.timeutil import aware, utcnow
from deepworkzone.server.visibility import collaborator_ids, deleted_days
from deepworkzone.server.wire import recurrence_of

CLOSED = ("completed", "cancelled")


def role_of(
    row: SessionRow, user_id: int, collaborators: list[int], joined: bool
) -> ParticipantRole | None:
    if row.created_by == user_id:
        return "owner"
    if user_id in collaborators:
        return "collaborator"
    return "participant" if joined else None


def _latest(db: Session, session_id: int, user_id: int) -> ParticipationRow | None:
    return db.scalar(
        select(ParticipationRow)
        .where(ParticipationRow.session_id == session_id, ParticipationRow.user_id == user_id)
        .order_by(ParticipationRow.joined_at.desc(), ParticipationRow.id.desc())
        .limit(1)
    )


def _as_participation(
    row: SessionRow, caller: Caller, collaborators: list[int], part: ParticipationRow | None
) -> Participation:
    joined = part is not None and part.left_at is None
    return Participation(
        joined=joined,
        role=role_of(row, caller.user_id, collaborators, part is not None),
        joined_at=aware(part.joined_at) if part else None,
        completed_at=aware(part.completed_at) if part else None,
    )


def participation_for(db: Session, caller: Caller, row: SessionRow) -> Participation:
    """The caller's part in ``row``: their most recent participation, if any."""
    part = _latest(db, row.id, caller.user_id)
    return _as_participation(row, caller, collaborator_ids(db, row.id), part)


def occurrence_day(db: Session, row: SessionRow, requested: dt.date | None) -> dt.date:
    """The occurrence a join or complete is about: the one asked for, else today's, else the
    next one; a one-off session has only its schedule date."""
    rec = recurrence_of(row, deleted_days(db, row.id))
    if requested is not None:
        if not rec.occurs_on(requested):
            unprocessable(("body", "date"), f"session {row.id} has no occurrence on {requested}")
        return requested
    if not row.is_recurring:
        return row.schedule
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(zone(row.timezone)).date()
    if rec.occurs_on(today):
        return today
    upcoming = rec.next_start(now)
    if upcoming is None:
        raise HTTPException(409, detail=f"session {row.id} has no occurrence left to join")
    return upcoming.date()


def _row_for_day(db: Session, row: SessionRow, caller: Caller, day: dt.date) -> ParticipationRow:
    part = db.scalar(
        select(ParticipationRow).where(
            ParticipationRow.session_id == row.id,
            ParticipationRow.user_id == caller.user_id,
            ParticipationRow.day == day,
        )
    )
    if part is None:
        part = ParticipationRow(
            session_id=row.id, user_id=caller.user_id, day=day, joined_at=utcnow()
        )
        db.add(part)
    return part


def join(db: Session, caller: Caller, row: SessionRow, day: dt.date | None) -> Participation:
    if row.status in CLOSED:
        raise HTTPException(409, detail=f"session {row.id} is {row.status}; it cannot be joined")
    # "shared with me" and who sees a private session change. The org's lock first, as
    # every write takes it (see session_store.update), so writers never deadlock.
    bump(db, row.org_id)
    part = _row_for_day(db, row, caller, occurrence_day(db, row, day))
    if part.left_at is not None:
        part.left_at = None
        part.joined_at = utcnow()
    db.commit()
    return _as_participation(row, caller, collaborator_ids(db, row.id), part)


def leave(db: Session, caller: Caller, row: SessionRow, day: dt.date | None) -> Participation:
    query = select(ParticipationRow).where(
        ParticipationRow.session_id == row.id,
        ParticipationRow.user_id == caller.user_id,
        ParticipationRow.left_at.is_(None),
    )
    if day is not None:
        query = query.where(ParticipationRow.day == day)
    part = db.scalar(query.order_by(ParticipationRow.joined_at.desc()).limit(1))
    if part is None:
        raise HTTPException(409, detail=f"you have not joined session {row.id}")
    bump(db, row.org_id)
    part.left_at = utcnow()
    db.commit()
    return _as_participation(row, caller, collaborator_ids(db, row.id), part)


def complete(
    db: Session, caller: Caller, row: SessionRow, day: dt.date | None, minutes: int | None
) -> Participation:
    """Record the caller's completion; completing joins first when needed (the desktop app
    reports a session it ran without a separate join). When the owner completes a one-off
    session, the session itself becomes ``completed``."""
    if row.status == "cancelled":
        raise HTTPException(409, detail=f"session {row.id} is cancelled")
    if day is None:
        active = _latest(db, row.id, caller.user_id)
        day = active.day if active is not None and active.left_at is None else None
    bump(db, row.org_id)  # the org's lock first, as in join
    part = _row_for_day(db, row, caller, occurrence_day(db, row, day))
    part.completed_at = utcnow()
    if minutes is not None:
        part.focused_minutes = minutes
    if row.created_by == caller.user_id and not row.is_recurring and row.status != "completed":
        advance_version(db, row, status="completed")
    db.commit()
    return _as_participation(row, caller, collaborator_ids(db, row.id), part)


def participants(db: Session, row: SessionRow, day: dt.date | None) -> list[Participant]:
    """Everyone who joined (per occurrence), then the owner and invitees who have not."""
    collaborators = collaborator_ids(db, row.id)
    query = (
        select(ParticipationRow, User.email)
        .join(User, User.id == ParticipationRow.user_id)
        .where(ParticipationRow.session_id == row.id)
        .order_by(ParticipationRow.joined_at, ParticipationRow.id)
    )
    if day is not None:
        query = query.where(ParticipationRow.day == day)
    out: list[Participant] = []
    seen: set[int] = set()
    for part, email in db.execute(query):
        seen.add(part.user_id)
        out.append(
            Participant(
                user_id=part.user_id,
                email=email,
                role=role_of(row, part.user_id, collaborators, True),
                date=part.day,
                joined_at=aware(part.joined_at),
                left_at=aware(part.left_at),
                completed_at=aware(part.completed_at),
                focused_minutes=part.focused_minutes,
            )
        )
    invited = [row.created_by, *collaborators]
    missing = [uid for uid in invited if uid not in seen]
    if missing:
        emails: dict[int, str] = dict(
            db.execute(select(User.id, User.email).where(User.id.in_(missing))).all()
        )
        for uid in dict.fromkeys(missing):
            role: ParticipantRole = "owner" if uid == row.created_by else "collaborator"
            out.append(Participant(user_id=uid, email=emails.get(uid), role=role))
    return out
