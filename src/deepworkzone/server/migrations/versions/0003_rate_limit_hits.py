"""Rate-limit counts shared by every server process on the database: one row per bucket
(an API key, or a client address that failed to authenticate) with its current window.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("bucket", sa.String(100), primary_key=True),
        sa.Column("window_no", sa.BigInteger, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.create_index("ix_rate_limit_hits_window_no", "rate_limit_hits", ["window_no"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_hits_window_no", "rate_limit_hits")
    op.drop_table("rate_limit_hits")
