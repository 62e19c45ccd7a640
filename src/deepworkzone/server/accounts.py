"""Orgs, users and their API keys: the admin CLI and the api-keys endpoints share these."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from deepworkzone.server.orm import ApiKeyRow, Org, User
from deepworkzone.server.timeutil import utcnow
from deepworkzone.server.tokens import new_token, token_hash

ROLES = ("USER", "GUEST")


class AccountError(ValueError):
    """A request the admin made that cannot be done (shown to them as one line)."""


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKeyRow
    token: str


def ensure_user(db: Session, email: str, org_name: str) -> User:
    """The user with ``email`` in org ``org_name``, creating either as needed."""
    email = email.strip().lower()
    org_name = org_name.strip()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError(f"{email!r} is not an e-mail address")
    if not org_name:
        raise AccountError("the org name may not be empty")
    org = db.scalar(select(Org).where(Org.name == org_name))
    if org is None:
        org = Org(name=org_name, created_at=utcnow(), sessions_generation=0)
        db.add(org)
        db.flush()
    user = db.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(org_id=org.id, email=email, created_at=utcnow())
        db.add(user)
        db.flush()
    elif user.org_id != org.id:
        raise AccountError(f"{email} already belongs to another org")
    return user


def issue_key(db: Session, user: User, name: str, role: str) -> IssuedKey:
    if role not in ROLES:
        raise AccountError(f"role must be USER or GUEST, not {role!r}")
    token = new_token()
    key = ApiKeyRow(
        user_id=user.id, name=name, role=role, token_hash=token_hash(token), created_at=utcnow()
    )
    db.add(key)
    db.flush()
    return IssuedKey(key, token)


def revoke(db: Session, key: ApiKeyRow) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()


def find_key_by_token(db: Session, token: str) -> ApiKeyRow | None:
    return db.scalar(select(ApiKeyRow).where(ApiKeyRow.token_hash == token_hash(token)))
