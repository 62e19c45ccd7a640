"""Orgs, users, API keys, sessions with their series index, collaborators, participations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "orgs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("sessions_generation", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("orgs.id"), nullable=False, index=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime, nullable=True),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("org_id", sa.Integer, sa.ForeignKey("orgs.id"), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("duration", sa.Integer, nullable=False),
        sa.Column("schedule", sa.Date, nullable=False),
        sa.Column("time", sa.String(8), nullable=False),
        sa.Column("start_minute", sa.Integer, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("website_blocker_enabled", sa.Boolean, nullable=False),
        sa.Column("website_blocker", sa.JSON, nullable=False),
        sa.Column("snooze_enabled", sa.Boolean, nullable=False),
        sa.Column("snooze_apps", sa.JSON, nullable=False),
        sa.Column("is_recurring", sa.Integer, nullable=False),
        sa.Column("recurring_start", sa.Date, nullable=True),
        sa.Column("recurring_ends", sa.Date, nullable=True),
        sa.Column("occurrence", sa.String(10), nullable=True),
        sa.Column("recurring_days", sa.JSON, nullable=False),
        sa.Column("recurring_month_option", sa.String(10), nullable=True),
        sa.Column("recurring_month_week_pos", sa.Integer, nullable=True),
        sa.Column("recurring_month_week_day", sa.Integer, nullable=True),
        sa.Column("fallback_option", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("first_date", sa.Date, nullable=False),
        sa.Column("last_date", sa.Date, nullable=False),
        sa.Column("kind", sa.Integer, nullable=False),
        sa.Column("weekday_mask", sa.Integer, nullable=False),
        sa.Column("month_day", sa.Integer, nullable=False),
        sa.Column("week_pos", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_sessions_series",
        "sessions",
        [
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
        ],
    )
    op.create_index("ix_sessions_org_last", "sessions", ["org_id", "last_date"])
    op.create_table(
        "session_collaborators",
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True, index=True),
    )
    op.create_table(
        "deleted_occurrences",
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("day", sa.Date, primary_key=True),
    )
    op.create_table(
        "participations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "session_id",
            sa.Integer,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("joined_at", sa.DateTime, nullable=False),
        sa.Column("left_at", sa.DateTime, nullable=True),
        sa.Column("completed_at", sa.DateTime, nullable=True),
        sa.Column("focused_minutes", sa.Integer, nullable=True),
        sa.UniqueConstraint("session_id", "user_id", "day"),
    )


def downgrade() -> None:
    for table in (
        "participations",
        "deleted_occurrences",
        "session_collaborators",
        "sessions",
        "api_keys",
        "users",
        "orgs",
    ):
        op.drop_table(table)
