"""The SQLite connection helper on real files: WAL, schema version, migrations, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from deepworkzone.core.paths import app_paths
from deepworkzone.store import db
from deepworkzone.store.db import SCHEMA_VERSION, DatabaseError, connect, schema_version


def test_a_new_database_is_wal_at_the_current_schema_without_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    conn = connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(conn) == SCHEMA_VERSION >= 2
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "outbox", "id_map", "meta"} <= tables
    conn.close()
    assert list(tmp_path.glob("*.bak-v*")) == []


def test_the_default_path_is_the_app_database() -> None:
    connect().close()
    assert app_paths().database.exists()


def _make_v1(path: Path) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    for statement in db.MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.execute(
        "INSERT INTO outbox (scope, op, session_id, payload, created_at) "
        "VALUES ('s', 'update', 3, '{}', 'now')"
    )
    raw.close()


def test_an_old_database_is_backed_up_then_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    _make_v1(path)
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION
    row = conn.execute("SELECT op, state FROM outbox").fetchone()
    assert tuple(row) == ("update", "pending")  # v2 added state with its default
    conn.close()

    backup = tmp_path / "deepworkzone.db.bak-v1"
    assert backup.exists()
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1
    old.close()


def test_a_failing_migration_rolls_back_and_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deepworkzone.db"
    _make_v1(path)
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, ("CREATE TABLE broken (",)])
    monkeypatch.setattr(db, "SCHEMA_VERSION", len(db.MIGRATIONS))
    with pytest.raises(DatabaseError, match="cannot open"):
        connect(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [r[1] for r in raw.execute("PRAGMA table_info(outbox)")]
    assert "state" not in columns  # v2's change was rolled back with the rest
    raw.close()


def test_a_newer_database_is_refused_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(DatabaseError, match="newer than this app") as err:
        connect(path)
    assert err.value.exit_code == 1


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="cannot open the local database"):
        connect(path)


def test_two_connections_see_each_others_commits(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    first, second = connect(path), connect(path)
    first.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
    assert second.execute("SELECT value FROM meta WHERE key = 'k'").fetchone()[0] == "v"
    first.close()
    second.close()
