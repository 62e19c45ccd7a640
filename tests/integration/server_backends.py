"""The server's two databases for tests that must hold on both: a fresh SQLite file, and the
PostgreSQL named by DEEPWORKZONE_TEST_PG_URL (a database the tests may wipe; .ci/postgres.sh
starts one in CI), skipped when that is unset."""

from __future__ import annotations

import os

import pytest

PG_URL = os.environ.get("DEEPWORKZONE_TEST_PG_URL", "")
BACKENDS = ["sqlite", "postgresql"]


def fresh_postgres() -> str:
    """PG_URL with an empty public schema (the test skips without PG_URL)."""
    if not PG_URL:
        pytest.skip("DEEPWORKZONE_TEST_PG_URL is not set")
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return PG_URL


def database_url(backend: str) -> str | None:
    """None: the live server's own fresh SQLite file."""
    return fresh_postgres() if backend == "postgresql" else None
