"""The server's tables (SQLAlchemy 2, portable: SQLite and PostgreSQL).

Datetimes are stored naive in UTC; the wire layer adds the zone back. The ``first_date`` ..
``week_pos`` columns on sessions are derived from the recurrence fields at write time so that
"which sessions occur on day D" is a cheap indexed SQL question (see series_index.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class, for the hot statements built once at import. They
    run on the request's connection (``db.connection().execute``): Core statements skip the
    ORM's unit of work and execute layer, which cost more than the SQL they send."""
    return cast(Table, model.__table__)


class Org(Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # Bumped by every change to the org's sessions or participations; list answers are
    # cached under it (see list_cache.py).
    sessions_generation: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    duration: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[dt.date] = mapped_column(Date)
    time: Mapped[str] = mapped_column(String(8))
    start_minute: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    is_public: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))
    website_blocker_enabled: Mapped[bool] = mapped_column(Boolean)
    website_blocker: Mapped[dict[str, Any]] = mapped_column(JSON)
    snooze_enabled: Mapped[bool] = mapped_column(Boolean)
    snooze_apps: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_recurring: Mapped[int] = mapped_column(Integer)
    recurring_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    recurring_ends: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    occurrence: Mapped[str | None] = mapped_column(String(10), nullable=True)
    recurring_days: Mapped[list[int]] = mapped_column(JSON)
    recurring_month_option: Mapped[str | None] = mapped_column(String(10), nullable=True)
    recurring_month_week_pos: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recurring_month_week_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fallback_option: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Derived at write time; see series_index.py.
    first_date: Mapped[dt.date] = mapped_column(Date)
    last_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[int] = mapped_column(Integer)
    weekday_mask: Mapped[int] = mapped_column(Integer)
    month_day: Mapped[int] = mapped_column(Integer)
    week_pos: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        # Covers OCCURS_ON: equality on the leading columns per kind, then the range;
        # the visibility, sort and version columns at the end make a day's page an index-only
        # query.
        Index(
            "ix_sessions_series",
            "org_id",
            "kind",
            "month_day",
            "week_pos",
            "first_date",
            "last_date",
            "weekday_mask",
            "is_public",
            "created_by",
            "start_minute",
            "version",
        ),
        Index("ix_sessions_org_last", "org_id", "last_date"),
    )


class Collaborator(Base):
    __tablename__ = "session_collaborators"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class DeletedOccurrence(Base):
    __tablename__ = "deleted_occurrences"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class ParticipationRow(Base):
    __tablename__ = "participations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The occurrence joined: the schedule date for a one-off session.
    day: Mapped[dt.date] = mapped_column(Date)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    focused_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (UniqueConstraint("session_id", "user_id", "day"),)


class IdempotencyKeyRow(Base):
    """The first answer to a POST sent with an ``Idempotency-Key`` (see idempotency.py)."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # What the key was used for: method, path and a hash of the body.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)

    __table_args__ = (UniqueConstraint("user_id", "key"),)


class IdCounter(Base):
    """The highest id ever given, per table (SQLite reuses the id of a deleted last row)."""

    __tablename__ = "id_counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class RateLimitHit(Base):
    """Hits of one rate-limit bucket in its current window (see ratelimit.DatabaseCounter)."""

    __tablename__ = "rate_limit_hits"

    bucket: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_no: Mapped[int] = mapped_column(BigInteger, index=True)
    hits: Mapped[int] = mapped_column(Integer)
