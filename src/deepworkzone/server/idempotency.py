"""``Idempotency-Key`` on POST: a retried request answers what the first one did.

The same key from the same user within 24 hours answers the first result, status, body and
headers (plus ``Idempotent-Replayed: true``) instead of doing the work again; another user's
identical key is another request. The key is stored in the transaction that does the work
(``remember``), so a crash can never leave work done without its key, nor a key without its
work. A key reused for a different request (method, path or body) is a 422. Two requests with
one key racing, in one process or in several: the second one's insert violates the unique
(user, key) (on PostgreSQL it waits for the first one's commit to find out) and it answers
the first one's result (``replay``) instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from fastapi import Response
from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from deepworkzone.server.auth import Caller
from deepworkzone.server.errors import JSON_MEDIA_TYPE, unprocessable
from deepworkzone.server.orm import IdempotencyKeyRow, table_of
from deepworkzone.server.timeutil import utcnow

KEY_TTL = dt.timedelta(hours=24)
SWEEP_EVERY = dt.timedelta(minutes=10)
_next_sweep = dt.datetime.min
MAX_KEY_LENGTH = 255
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def check_key(key: str) -> str:
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
        unprocessable(
            ("header", HEADER), f"must be 1..{MAX_KEY_LENGTH} printable characters (e.g. a UUID)"
        )
    return key


def fingerprint(method: str, path: str, body: Any) -> str:
    """What a key was used for: a retry must be the same request."""
    text = json.dumps([method.upper(), path, body], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


_keys = table_of(IdempotencyKeyRow).c
# Built once: every POST with a key runs them.
_FIND = select(_keys.id, _keys.created_at >= bindparam("since")).where(
    _keys.user_id == bindparam("user_id"), _keys.key == bindparam("key")
)
_STORE = insert(table_of(IdempotencyKeyRow))


def replay(db: Session, caller: Caller, key: str, print_: str) -> Response | None:
    """The first answer given to ``key``, or None when the key is new (or older than 24 h)."""
    found = (
        db.connection()
        .execute(_FIND, {"user_id": caller.user_id, "key": key, "since": utcnow() - KEY_TTL})
        .first()
    )
    if found is None:
        return None
    if not found[1]:
        # Expired: gone with the work this request is about to do (same transaction), so
        # that the key can be stored again.
        db.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.id == found[0]))
        return None
    row = db.get_one(IdempotencyKeyRow, found[0])
    if row.fingerprint != print_:
        unprocessable(
            ("header", HEADER),
            "this key was already used for a different request; use a new key per request",
        )
    headers = {**row.headers, REPLAYED_HEADER: "true"}
    return Response(
        row.body.encode(), status_code=row.status, media_type=JSON_MEDIA_TYPE, headers=headers
    )


def remember(
    db: Session,
    caller: Caller,
    key: str,
    print_: str,
    status: int,
    body: bytes,
    headers: dict[str, str],
) -> None:
    """Keep the answer to ``key``; call inside the transaction that did the work."""
    global _next_sweep
    now = utcnow()
    if now >= _next_sweep:
        # Expired keys of everyone, by the created_at index, now and then: not on every
        # POST, whose write transaction should be short (replay drops a reused one).
        _next_sweep = now + SWEEP_EVERY
        db.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < now - KEY_TTL))
    # A Core insert: the ORM's unit of work costs more than the statement itself.
    db.connection().execute(
        _STORE,
        {
            "user_id": caller.user_id,
            "key": key,
            "fingerprint": print_,
            "status": status,
            "body": body.decode(),
            "headers": headers,
            "created_at": now,
        },
    )
