"""Edits made while the server was unreachable, kept in order until they are sent.

Entries are sent oldest first (``seq``), and an entry is removed only after the server took
it, so a crash between "sent" and "removed" repeats at most that one (idempotent) call. An
entry the server refuses for good (422, 404...) is marked ``failed`` and kept for the user to
see, instead of blocking everything queued after it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from deepworkzone.store.db import transaction
from deepworkzone.store.sessions_cache import iso, utc_now

Op = Literal["create", "update", "delete", "join", "leave", "complete"]
OPS: tuple[Op, ...] = ("create", "update", "delete", "join", "leave", "complete")


@dataclass(frozen=True)
class Entry:
    seq: int
    op: Op
    session_id: int | None
    payload: dict[str, Any]
    created_at: str
    attempts: int
    last_error: str | None
    state: str

    def describe(self) -> str:
        target = f" session {self.session_id}" if self.session_id is not None else ""
        return f"#{self.seq} {self.op}{target}"


class Outbox:
    def __init__(self, conn: sqlite3.Connection, scope: str) -> None:
        self.conn = conn
        self.scope = scope

    def add(self, op: Op, session_id: int | None, payload: dict[str, Any] | None = None) -> int:
        if op not in OPS:
            raise ValueError(f"unknown outbox operation {op!r}")
        cur = self.conn.execute(
            "INSERT INTO outbox (scope, op, session_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            (self.scope, op, session_id, json.dumps(payload or {}), iso(utc_now())),
        )
        return int(cur.lastrowid or 0)

    def pending(self) -> list[Entry]:
        return self._select("pending")

    def failed(self) -> list[Entry]:
        return self._select("failed")

    def first(self) -> Entry | None:
        entries = self._select("pending", limit=1)
        return entries[0] if entries else None

    def count(self) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE scope = ? AND state = 'pending'", (self.scope,)
        ).fetchone()
        return int(row[0])

    def done(self, seq: int) -> None:
        self.conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def attempt_failed(self, seq: int, error: str) -> None:
        """A try that may succeed later (offline, 5xx, 429): keep it first in line."""
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
            (error, seq),
        )

    def give_up(self, seq: int, error: str) -> None:
        self.conn.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? "
            "WHERE seq = ?",
            (error, seq),
        )

    def give_up_on_session(self, session_id: int, error: str) -> list[Entry]:
        """A queued create was refused: every later edit of that session is moot."""
        moot = [e for e in self.pending() if e.session_id == session_id]
        with transaction(self.conn):
            for entry in moot:
                self.give_up(entry.seq, error)
        return moot

    def remap(self, temporary_id: int, server_id: int) -> None:
        """A queued create got its server id: later entries must use it."""
        self.conn.execute(
            "UPDATE outbox SET session_id = ? WHERE scope = ? AND session_id = ? AND state = 'pending'",
            (server_id, self.scope, temporary_id),
        )

    def clear_failed(self) -> int:
        cur = self.conn.execute(
            "DELETE FROM outbox WHERE scope = ? AND state = 'failed'", (self.scope,)
        )
        return cur.rowcount

    def _select(self, state: str, limit: int = -1) -> list[Entry]:
        rows = self.conn.execute(
            "SELECT * FROM outbox WHERE scope = ? AND state = ? ORDER BY seq LIMIT ?",
            (self.scope, state, limit),
        ).fetchall()
        return [
            Entry(
                seq=r["seq"],
                op=r["op"],
                session_id=r["session_id"],
                payload=json.loads(r["payload"]),
                created_at=r["created_at"],
                attempts=r["attempts"],
                last_error=r["last_error"],
                state=r["state"],
            )
            for r in rows
        ]
