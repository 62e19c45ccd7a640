"""join / leave / complete / participants of a session."""

from __future__ import annotations

from fastapi import APIRouter

from deepworkzone.domain.models import CompleteRequest, JoinRequest, Participant, Participation
from deepworkzone.server import participation as service
from deepworkzone.server.auth import CurrentCaller, Db, require_user_role
from deepworkzone.server.routes.params import DateFilter, SessionId
from deepworkzone.server.visibility import load_visible

router = APIRouter(tags=["participation"])


@router.post("/sessions/{session_id}/join", response_model=Participation)
def join_session(
    session_id: SessionId, caller: CurrentCaller, db: Db, body: JoinRequest | None = None
) -> Participation:
    row = load_visible(db, caller, session_id)
    return service.join(db, caller, row, body.date if body else None)


@router.post("/sessions/{session_id}/leave", response_model=Participation)
def leave_session(
    session_id: SessionId, caller: CurrentCaller, db: Db, body: JoinRequest | None = None
) -> Participation:
    row = load_visible(db, caller, session_id)
    require_user_role(caller, "leave sessions")
    return service.leave(db, caller, row, body.date if body else None)


@router.post("/sessions/{session_id}/complete", response_model=Participation)
def complete_session(
    session_id: SessionId, caller: CurrentCaller, db: Db, body: CompleteRequest | None = None
) -> Participation:
    row = load_visible(db, caller, session_id)
    require_user_role(caller, "complete sessions")
    body = body or CompleteRequest()
    return service.complete(db, caller, row, body.date, body.focused_minutes)


@router.get("/sessions/{session_id}/participants", response_model=list[Participant])
def get_participants(
    session_id: SessionId, caller: CurrentCaller, db: Db, date: DateFilter = None
) -> list[Participant]:
    row = load_visible(db, caller, session_id)
    return service.participants(db, row, date)
