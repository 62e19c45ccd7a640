"""Who is calling: the bearer token resolved to a key, a user and an org on every request.

No cache: a revoked key must stop working on the very next request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from deepworkzone.server.orm import ApiKeyRow, Org, User, table_of
from deepworkzone.server.ratelimit import Limits
from deepworkzone.server.timeutil import utcnow
from deepworkzone.server.tokens import PREFIX, token_hash

# Writing last_used_at on every request would turn each read into a write.
_LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    user_id: int
    org_id: int
    email: str
    key_id: int
    role: str

    @property
    def is_guest(self) -> bool:
        return self.role == "GUEST"


async def get_db(request: Request) -> AsyncIterator[Session]:
    # async only to skip a thread-pool round trip: opening and closing a Session does no I/O
    # worth the name; the queries run in the (sync) endpoints, on the pool.
    # A request waits for one of the pool's connections here, on the event loop. Waiting in
    # the pool instead would hold one of anyio's 40 worker threads, which the requests that
    # hold the connections need for their next step: past 40 in flight, none could finish.
    async with request.app.state.db_slots:
        with request.app.state.sessions() as db:
            yield db


Db = Annotated[Session, Depends(get_db)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def get_caller(request: Request, db: Db) -> Caller:
    """The key's caller; a failed authentication counts against the client's address and a
    valid key's request against the key (see ratelimit.py)."""
    limits: Limits = request.app.state.limits
    try:
        caller = _authenticate(request, db)
    except HTTPException as exc:
        raise limits.failed(request, exc, db) from None
    limits.check_key(request, caller.key_id, db)
    return caller


# Every request runs these: built once (building a statement costs more than running it
# on SQLite), the values bound per call.
_KEY_QUERY = (
    select(
        ApiKeyRow.id,
        ApiKeyRow.role,
        ApiKeyRow.revoked_at,
        ApiKeyRow.last_used_at,
        User.id,
        User.org_id,
        User.email,
        Org.sessions_generation,
    )
    .join(User, User.id == ApiKeyRow.user_id)
    .join(Org, Org.id == User.org_id)
    .where(ApiKeyRow.token_hash == bindparam("token_hash"))
)
_TOUCH_KEY = (
    update(table_of(ApiKeyRow))
    .where(table_of(ApiKeyRow).c.id == bindparam("key_id"))
    .values(last_used_at=bindparam("now"))
)


def _authenticate(request: Request, db: Session) -> Caller:
    token = bearer_token(request)
    if token is None:
        raise _unauthorized("missing or malformed Authorization header (use: Bearer <token>)")
    if not token.startswith(PREFIX):
        raise _unauthorized("unknown or revoked API key")
    row = db.connection().execute(_KEY_QUERY, {"token_hash": token_hash(token)}).first()
    if row is None or row[2] is not None:
        raise _unauthorized("unknown or revoked API key")
    key_id, role, _revoked, last_used, user_id, org_id, email, generation = row
    request.state.sessions_generation = generation
    now = utcnow()
    if last_used is None or now - last_used > _LAST_USED_RESOLUTION:
        db.connection().execute(_TOUCH_KEY, {"key_id": key_id, "now": now})
        db.commit()
    return Caller(user_id=user_id, org_id=org_id, email=email, key_id=key_id, role=role)


CurrentCaller = Annotated[Caller, Depends(get_caller)]


def require_user_role(caller: Caller, what: str) -> None:
    """GUEST keys may only read public sessions and join them."""
    if caller.is_guest:
        raise HTTPException(403, detail=f"a GUEST key cannot {what}; use a USER key")
