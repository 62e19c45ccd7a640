"""The outbox and the session cache on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deepworkzone.store.db import connect
from deepworkzone.store.outbox import Outbox
from deepworkzone.store.sessions_cache import SessionsCache

SERVER = "http://server.test"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = connect(tmp_path / "deepworkzone.db")
    yield conn
    conn.close()


def raw(session_id: int, name: str = "S") -> dict[str, object]:
    return {
        "id": session_id,
        "name": name,
        "duration": 30,
        "schedule": "2025-01-01",
        "time": "9:00 AM",
    }


def test_entries_come_out_in_the_order_they_went_in(conn: sqlite3.Connection) -> None:
    box = Outbox(conn, SERVER)
    box.add("create", -1, {"body": {"name": "a"}})
    box.add("update", 5, {"changes": {"duration": 20}})
    box.add("delete", 6)
    assert [e.op for e in box.pending()] == ["create", "update", "delete"]
    first = box.first()
    assert first is not None and first.payload == {"body": {"name": "a"}}
    box.done(first.seq)
    assert [e.op for e in box.pending()] == ["update", "delete"]
    assert box.count() == 2


def test_a_failed_attempt_keeps_the_entry_first_and_counts_it(conn: sqlite3.Connection) -> None:
    box = Outbox(conn, SERVER)
    seq = box.add("update", 5, {})
    box.add("delete", 6)
    box.attempt_failed(seq, "offline")
    entry = box.first()
    assert entry is not None and entry.seq == seq
    assert (entry.attempts, entry.last_error) == (1, "offline")


def test_giving_up_on_a_create_gives_up_on_the_edits_of_its_session(
    conn: sqlite3.Connection,
) -> None:
    box = Outbox(conn, SERVER)
    create = box.add("create", -1, {})
    box.add("update", -1, {})
    box.add("update", 9, {})
    box.give_up(create, "name: too long")
    moot = box.give_up_on_session(-1, "never created")
    assert [e.op for e in moot] == ["update"]
    assert [e.session_id for e in box.pending()] == [9]
    assert [e.last_error for e in box.failed()] == ["name: too long", "never created"]
    assert box.clear_failed() == 2 and box.failed() == []


def test_remap_points_later_entries_at_the_server_id(conn: sqlite3.Connection) -> None:
    box = Outbox(conn, SERVER)
    box.add("update", -2, {})
    box.add("join", -2, {})
    box.remap(-2, 41)
    assert [e.session_id for e in box.pending()] == [41, 41]


def test_scopes_do_not_mix(conn: sqlite3.Connection) -> None:
    Outbox(conn, SERVER).add("delete", 1)
    assert Outbox(conn, "http://other.test").pending() == []
    SessionsCache(conn, SERVER).put(raw(1))
    assert SessionsCache(conn, "").get(1) is None


def test_unknown_operations_are_refused(conn: sqlite3.Connection) -> None:
    with pytest.raises(ValueError, match="unknown outbox operation"):
        Outbox(conn, SERVER).add("explode", 1)  # type: ignore[arg-type]


def test_cache_replace_all_keeps_queued_creates_and_stamps_the_refresh(
    conn: sqlite3.Connection,
) -> None:
    cache = SessionsCache(conn, SERVER)
    cache.put_many([raw(1), raw(2)])
    temp = cache.new_temporary_id()
    cache.put(raw(temp, "queued"))
    assert cache.refreshed_at() is None
    cache.put_many([raw(2, "renamed"), raw(3)], replace_all=True)
    assert sorted(r["id"] for r in cache.all()) == [temp, 2, 3]
    assert cache.get(2) == raw(2, "renamed")
    assert cache.refreshed_at() is not None


def test_temporary_ids_map_to_server_ids_and_are_never_reused(conn: sqlite3.Connection) -> None:
    cache = SessionsCache(conn, SERVER)
    first = cache.new_temporary_id()
    cache.put(raw(first))
    assert first < 0
    cache.map_id(first, 77, raw(77, "sent"))
    assert cache.resolve(first) == 77
    assert cache.get(first) == raw(77, "sent")  # the old id still finds the session
    second = cache.new_temporary_id()
    assert second < first  # -1 is taken for good, even though its row moved
    # One counter for every L-id of every scope: a local-only session's id never collides
    # with a queued create's, so uploading keeps what an id names.
    assert SessionsCache(conn, "").new_local_id() < second
