"""API keys of the calling user: create (token shown once), list, revoke."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy import select

from deepworkzone.domain.models import ApiKey, ApiKeyCreate, ApiKeyCreated
from deepworkzone.server.accounts import issue_key, revoke
from deepworkzone.server.auth import CurrentCaller, Db, require_user_role
from deepworkzone.server.orm import ApiKeyRow, User
from deepworkzone.server.routes.params import KeyId
from deepworkzone.server.session_store import reject_nul
from deepworkzone.server.timeutil import aware

router = APIRouter(tags=["api-keys"])


def _wire(key: ApiKeyRow) -> ApiKey:
    return ApiKey(
        id=key.id,
        name=key.name,
        role=key.role,
        created_at=aware(key.created_at),
        last_used_at=aware(key.last_used_at),
    )


@router.post("/api-keys", status_code=201, response_model=ApiKeyCreated)
def create_key(body: ApiKeyCreate, caller: CurrentCaller, db: Db) -> ApiKeyCreated:
    require_user_role(caller, "manage API keys")
    reject_nul(body.model_dump())
    user = db.get(User, caller.user_id)
    assert user is not None  # the caller's key was just resolved to this user
    issued = issue_key(db, user, body.name, body.role)
    db.commit()
    return ApiKeyCreated(**_wire(issued.key).model_dump(), token=issued.token)


@router.get("/api-keys", response_model=list[ApiKey])
def list_keys(caller: CurrentCaller, db: Db) -> list[ApiKey]:
    require_user_role(caller, "manage API keys")
    keys = db.scalars(
        select(ApiKeyRow)
        .where(ApiKeyRow.user_id == caller.user_id, ApiKeyRow.revoked_at.is_(None))
        .order_by(ApiKeyRow.id)
    )
    return [_wire(key) for key in keys]


@router.delete("/api-keys/{key_id}", status_code=204)
def revoke_key(key_id: KeyId, caller: CurrentCaller, db: Db) -> Response:
    require_user_role(caller, "manage API keys")
    key = db.get(ApiKeyRow, key_id)
    if key is None or key.user_id != caller.user_id or key.revoked_at is not None:
        raise HTTPException(404, detail=f"API key {key_id} not found")
    revoke(db, key)
    db.commit()
    return Response(status_code=204)
