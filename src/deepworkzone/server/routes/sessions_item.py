"""POST /sessions, and GET / PUT / DELETE /sessions/{id}."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from deepworkzone.domain.models import Participation, Session, SessionCreate, SessionUpdate
from deepworkzone.server import idempotency, session_store
from deepworkzone.server.auth import Caller, CurrentCaller, Db, require_user_role
from deepworkzone.server.conditional import expected_version
from deepworkzone.server.errors import JSON_MEDIA_TYPE
from deepworkzone.server.orm import SessionRow
from deepworkzone.server.participation import participation_for
from deepworkzone.server.routes.params import DateFilter, SessionId
from deepworkzone.server.visibility import (
    collaborator_ids,
    deleted_days,
    load_visible,
    require_edit,
)
from deepworkzone.server.wire import etag, to_session

router = APIRouter(tags=["sessions"])


def _version_headers(row: SessionRow) -> dict[str, str]:
    modified = format_datetime(row.updated_at.replace(tzinfo=dt.UTC), usegmt=True)
    return {"ETag": etag(row), "Last-Modified": modified}


def _answer(
    db: DbSession, row: SessionRow, response: Response, participation: Participation | None
) -> Session:
    response.headers.update(_version_headers(row))
    return to_session(row, collaborator_ids(db, row.id), deleted_days(db, row.id), participation)


@router.post(
    "/sessions",
    status_code=201,
    response_model=Session,
    summary="Create a session",
    responses={
        201: {
            "headers": {
                "Idempotent-Replayed": {"description": "true: the first answer to this key"}
            }
        }
    },
)
def create_session(
    body: SessionCreate,
    caller: CurrentCaller,
    db: Db,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            description="the same key from the same user within 24 h answers the first "
            "result instead of creating another session"
        ),
    ] = None,
) -> Session | Response:
    require_user_role(caller, "create sessions")
    if idempotency_key is None:
        row = session_store.create(db, caller, body)
        response.headers["Location"] = f"/api/v1/sessions/{row.id}"
        return _answer(db, row, response, None)
    key = idempotency.check_key(idempotency_key)
    print_ = idempotency.fingerprint("POST", "/sessions", body.model_dump(mode="json"))
    first = idempotency.replay(db, caller, key, print_)
    if first is not None:
        return first
    answer: dict[str, bytes | dict[str, str]] = {}

    def remember(row: SessionRow, session: Session) -> None:
        headers = {"Location": f"/api/v1/sessions/{row.id}", **_version_headers(row)}
        payload = session.model_dump_json().encode()
        idempotency.remember(db, caller, key, print_, 201, payload, headers)
        answer.update(body=payload, headers=headers)

    try:
        session_store.create(db, caller, body, before_commit=remember)
    except IntegrityError:  # the same key raced us and won: answer what it got
        db.rollback()
        first = idempotency.replay(db, caller, key, print_)
        if first is None:
            raise
        return first
    payload, headers = answer["body"], answer["headers"]
    assert isinstance(payload, bytes) and isinstance(headers, dict)
    return Response(payload, status_code=201, media_type=JSON_MEDIA_TYPE, headers=headers)


@router.get(
    "/sessions/{session_id}",
    response_model=Session,
    summary="One session with the caller's participation",
)
def get_session(
    session_id: SessionId, caller: CurrentCaller, db: Db, response: Response
) -> Session:
    row = load_visible(db, caller, session_id)
    return _answer(db, row, response, participation_for(db, caller, row))


@router.put(
    "/sessions/{session_id}",
    response_model=Session,
    summary="Change a session (owner or collaborator)",
    responses={412: {"description": "If-Match / If-Unmodified-Since no longer match"}},
)
def put_session(
    session_id: SessionId,
    body: SessionUpdate,
    caller: CurrentCaller,
    db: Db,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
    if_unmodified_since: Annotated[str | None, Header()] = None,
) -> Session:
    row = _editable(db, caller, session_id)
    expected = expected_version(row, if_match, if_unmodified_since)
    row = session_store.update(db, caller, row, body, expected)
    return _answer(db, row, response, participation_for(db, caller, row))


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    summary="Delete a session, or one occurrence of a recurring one",
)
def delete_session(
    session_id: SessionId,
    caller: CurrentCaller,
    db: Db,
    scope: Literal["series", "occurrence"] = "series",
    date: Annotated[DateFilter, Query(description="the occurrence, with scope=occurrence")] = None,
) -> Response:
    row = _editable(db, caller, session_id)
    if scope == "occurrence":
        session_store.delete_occurrence(db, row, date)
    else:
        if row.created_by != caller.user_id:
            raise HTTPException(403, detail="only the owner may delete the whole session")
        session_store.delete_series(db, row)
    return Response(status_code=204)


def _editable(db: DbSession, caller: Caller, session_id: int) -> SessionRow:
    row = load_visible(db, caller, session_id)
    require_edit(caller, row, collaborator_ids(db, row.id))
    return row
