"""Creating, changing and deleting sessions: the rules the routes share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from deepworkzone.domain.models import Session as SessionModel
from deepworkzone.domain.models import SessionCreate, SessionFields, SessionUpdate
from deepworkzone.server.auth import Caller
from deepworkzone.server.errors import unprocessable
from deepworkzone.server.list_cache import bump
from deepworkzone.server.orm import (
    Collaborator,
    DeletedOccurrence,
    IdCounter,
    SessionRow,
    User,
    table_of,
)
from deepworkzone.server.routes.params import MAX_ID
from deepworkzone.server.timeutil import utcnow
from deepworkzone.server.visibility import (
    collaborator_ids,
    deleted_days,
    load_visible,
    require_edit,
)
from deepworkzone.server.wire import (
    column_values,
    recurrence_of,
    to_fields,
    to_session,
    write_fields,
)


def check_org(caller: Caller, org_id: int | None) -> None:
    """Sessions live in the caller's org; naming another one is a 422 (not a 404: the caller
    knows their own org id, so nothing leaks)."""
    if org_id is not None and org_id != caller.org_id:
        unprocessable(
            ("body", "org_id"),
            f"you can only use your own organization ({caller.org_id}), not {org_id}",
        )


def resolve_collaborators(db: Session, caller: Caller, items: list[int | str]) -> list[int]:
    """User ids of the org members named by id or e-mail; 422 for anyone else."""
    # Out-of-range ids cannot name anyone (and would overflow the column in the query).
    wanted_ids = {item for item in items if isinstance(item, int) and 1 <= item <= MAX_ID}
    wanted_emails = {item for item in items if isinstance(item, str)}
    by_id: dict[int, int] = {}
    by_email: dict[str, int] = {}
    if wanted_ids:
        for user_id in db.scalars(
            select(User.id).where(User.org_id == caller.org_id, User.id.in_(wanted_ids))
        ):
            by_id[user_id] = user_id
    if wanted_emails:
        for user_id, email in db.execute(
            select(User.id, User.email).where(
                User.org_id == caller.org_id, User.email.in_(wanted_emails)
            )
        ):
            by_email[email] = user_id
    resolved: list[int] = []
    for index, item in enumerate(items):
        found = by_id.get(item) if isinstance(item, int) else by_email.get(item)
        if found is None:
            unprocessable(
                ("body", "collaborator", index),
                f"{item!r} is not a member of your organization",
            )
            continue
        if found not in resolved:
            resolved.append(found)
    return resolved


def _set_collaborators(db: Session, session_id: int, user_ids: list[int]) -> None:
    db.execute(delete(Collaborator).where(Collaborator.session_id == session_id))
    db.add_all(Collaborator(session_id=session_id, user_id=uid) for uid in user_ids)


def reject_nul(data: object, loc: tuple[str | int, ...] = ("body",)) -> None:
    """422 for a NUL character anywhere: PostgreSQL cannot store one in text."""
    if isinstance(data, str) and "\x00" in data:
        unprocessable(loc, "may not contain NUL characters")
    elif isinstance(data, dict):
        for key, value in data.items():
            reject_nul(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            reject_nul(value, (*loc, index))


def create(
    db: Session,
    caller: Caller,
    body: SessionCreate,
    before_commit: Callable[[SessionRow, SessionModel], None] | None = None,
) -> SessionRow:
    """Insert the session; ``before_commit(row, session)`` runs in the same transaction (the
    row has its id, ``session`` is its answer), e.g. to remember an Idempotency-Key with it.

    Everything that takes time (validation, look-ups, rendering the answer) is done before
    the first write: from that statement on, other writers wait (SQLite has one writer).
    """
    reject_nul(body.model_dump())
    check_org(caller, body.org_id)
    collaborators = resolve_collaborators(db, caller, body.collaborator)
    now = utcnow()
    row = SessionRow(
        org_id=caller.org_id, created_by=caller.user_id, created_at=now, updated_at=now, version=1
    )
    write_fields(row, body)
    # Rendered with a stand-in id; the real one is copied in without validating again.
    row.id = 0
    answer = to_session(row, collaborators, []) if before_commit else None
    values = {c.key: getattr(row, c.key) for c in _sessions.columns}
    # The row stays out of the ORM session: Core inserts, as the ORM's unit of work costs
    # more than the statements themselves. None: PostgreSQL's sequence chooses.
    values["id"] = _new_session_id(db)
    if values["id"] is None:
        del values["id"]
    row.id = db.connection().execute(_INSERT_SESSION, values).scalar_one()
    if collaborators:
        db.connection().execute(
            _INSERT_COLLABORATOR, [{"session_id": row.id, "user_id": uid} for uid in collaborators]
        )
    if before_commit is not None and answer is not None:
        before_commit(row, answer.model_copy(update={"id": row.id}))
    # The org's lock last, so the org's other writers wait only for this and the commit: a
    # create waits for nothing once it holds it, so this order cannot deadlock with the
    # updates that take it first.
    bump(db, row.org_id)
    db.commit()
    return row


_sessions = table_of(SessionRow)
_counters = table_of(IdCounter).c
# Built once: every create runs them.
_INSERT_SESSION = insert(_sessions).returning(_sessions.c.id)
_INSERT_COLLABORATOR = insert(table_of(Collaborator))
_NEXT_SESSION_ID = (
    sql_update(table_of(IdCounter))
    .where(_counters.name == "sessions")
    .values(
        value=func.max(
            _counters.value + 1,
            select(func.coalesce(func.max(_sessions.c.id), 0) + 1).scalar_subquery(),
        )
    )
    .returning(_counters.value)
)


def _new_session_id(db: Session) -> int | None:
    """An id never given before. SQLite (without AUTOINCREMENT) would give a deleted last
    row's id again, and ETags and the render cache, keyed by (id, version), would confuse
    the two sessions; PostgreSQL's sequence never reuses one (None: let it choose)."""
    if db.get_bind().dialect.name != "sqlite":
        return None
    return db.connection().execute(_NEXT_SESSION_ID).scalar_one()


def merged(current: SessionFields, body: SessionUpdate) -> SessionCreate:
    """The session after ``body``, validated whole; problems are 422s on the body."""
    try:
        return body.apply_to(current)
    except ValidationError as exc:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in exc.errors()]
        raise RequestValidationError(errors) from exc


def precondition_failed(row: SessionRow, why: str) -> HTTPException:
    return HTTPException(412, detail=f"session {row.id} changed since {why}")


def update(
    db: Session, caller: Caller, row: SessionRow, body: SessionUpdate, expected: int | None
) -> SessionRow:
    """Apply ``body`` to the session by compare-and-set on its version.

    ``expected``: the version a precondition (If-Match, If-Unmodified-Since) was checked
    against; if the row is no longer at it when the write lands, 412. Without one, a write
    that finds the row changed since it was read applies ``body`` again to the newer row
    (so concurrent PUTs of different fields all land), now holding the org's lock.
    """
    reject_nul(body.model_dump(exclude_unset=True))
    if "org_id" in body.model_fields_set and body.org_id != row.org_id:
        check_org(caller, body.org_id)

    def changes(current: SessionRow) -> tuple[dict[str, Any], list[int] | None]:
        fields = merged(to_fields(current, collaborator_ids(db, current.id)), body)
        collaborators = None
        if "collaborator" in body.model_fields_set:
            collaborators = resolve_collaborators(db, caller, fields.collaborator)
        return column_values(fields), collaborators

    values, collaborators = changes(row)  # the work, before any lock is taken
    # Every write to an org's sessions bumps the org first: from here on, writers of this
    # org wait for this transaction, so a retry below cannot be overtaken again.
    bump(db, row.org_id)
    if not _compare_and_set(db, row, values):
        if expected is not None:
            db.rollback()
            raise precondition_failed(row, "your precondition was checked")
        db.expire(row)
        row = load_visible(db, caller, row.id)  # 404 if it was deleted meanwhile
        require_edit(caller, row, collaborator_ids(db, row.id))
        values, collaborators = changes(row)
        if not _compare_and_set(db, row, values):
            raise RuntimeError(f"session {row.id} changed while its org was locked")
    if collaborators is not None:
        _set_collaborators(db, row.id, collaborators)
    db.commit()
    return row


def _compare_and_set(db: Session, row: SessionRow, values: dict[str, Any]) -> bool:
    """``UPDATE ... SET version = version + 1 WHERE id = :id AND version = :read``; on a
    match ``row`` takes the values and the version the database answers."""
    found = db.execute(
        sql_update(SessionRow)
        .where(SessionRow.id == row.id, SessionRow.version == row.version)
        .values(**values, version=SessionRow.version + 1, updated_at=utcnow())
        .returning(SessionRow.version, SessionRow.updated_at)
        .execution_options(synchronize_session=False)
    ).first()
    if found is None:
        return False
    _took(row, {**values, "version": found[0], "updated_at": found[1]})
    return True


def _took(row: SessionRow, values: dict[str, Any]) -> None:
    # As loaded, not as pending changes: the database already holds them.
    for name, value in values.items():
        set_committed_value(row, name, value)


def touch(db: Session, row: SessionRow, **values: Any) -> None:
    """Mark a change to the session's dependants (deleted occurrences, completion), with
    ``values`` set on the session: a new version counted in SQL (``version + 1``, never lost
    nor going back under concurrent writers), updated_at, and the org's lists out of date.
    Call it before adding the dependants, so the org's lock comes first (as in update)."""
    bump(db, row.org_id)
    advance_version(db, row, **values)


def advance_version(db: Session, row: SessionRow, **values: Any) -> None:
    """``touch`` without the bump, for a caller that bumped the org first."""
    found = db.execute(
        sql_update(SessionRow)
        .where(SessionRow.id == row.id)
        .values(**values, version=SessionRow.version + 1, updated_at=utcnow())
        .returning(SessionRow.version, SessionRow.updated_at)
        .execution_options(synchronize_session=False)
    ).one()
    _took(row, {**values, "version": found[0], "updated_at": found[1]})


def delete_series(db: Session, row: SessionRow) -> None:
    bump(db, row.org_id)
    db.delete(row)
    db.commit()


def delete_occurrence(db: Session, row: SessionRow, day: dt.date | None) -> None:
    if day is None:
        unprocessable(("query", "date"), "required with scope=occurrence (YYYY-MM-DD)")
    if not row.is_recurring:
        unprocessable(
            ("query", "scope"),
            "scope=occurrence needs a recurring session; use scope=series to delete this one",
        )
    deleted = deleted_days(db, row.id)
    if day in deleted:
        return
    if not recurrence_of(row, deleted).occurs_on(day):
        unprocessable(("query", "date"), f"session {row.id} has no occurrence on {day}")
    touch(db, row)
    db.add(DeletedOccurrence(session_id=row.id, day=day))
    db.commit()
