"""Edits made while the server was unreachable, kept in order until they are sent.

Entries are sent oldest first (``seq``), and an entry is removed only after the server took
it, in the same transaction as the rest of its bookkeeping (engine/sync.py), so a crash
between "sent" and "removed" repeats at most that one call, which is safe to repeat: a POST
carries the entry's ``idem_key`` as its Idempotency-Key, a PUT its If-Match. An entry the
server refuses for good (422, 404, a conflicting PUT...) is marked ``failed`` and kept for
the user to see, instead of blocking everything queued after it.

Several processes (and threads) may share one outbox. Whoever sends an entry first claims it
(``claim_next``, one BEGIN IMMEDIATE transaction): the claim is a lease, ``claimed_by`` until
``claimed_until``. While the oldest pending entry is claimed by someone else, ``claim_next``
raises OutboxBusy: the others wait rather than send it twice, or send a later one first. A
claim runs out after ``lease`` seconds, or at once when its owner is a process of this
machine that is gone, so a claimer that crashed never blocks the queue for long.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from deepworkzone.store.db import Connectable, connection_of, transaction
from deepworkzone.store.sessions_cache import iso, utc_now

Op = Literal["create", "update", "delete", "join", "leave", "complete"]
OPS: tuple[Op, ...] = ("create", "update", "delete", "join", "leave", "complete")
POST_OPS: frozenset[str] = frozenset({"create", "join", "leave", "complete"})
DEFAULT_LEASE = 120.0  # longer than one request with all its retries (see api/transport.py)


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
    idem_key: str | None = None
    conflict: dict[str, Any] | None = None
    claimed_by: str | None = None

    def describe(self) -> str:
        target = f" session {self.session_id}" if self.session_id is not None else ""
        return f"#{self.seq} {self.op}{target}"


class OutboxBusy(Exception):
    """The oldest pending entry is being sent by another process or thread."""

    def __init__(self, entry: Entry) -> None:
        super().__init__(f"outbox entry {entry.describe()} is being sent by {entry.claimed_by}")
        self.entry = entry


def new_owner() -> str:
    """A claimer's name: host and process (to spot a dead one), and a unique part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _owner_gone(owner: str) -> bool:
    """Whether ``owner`` names a process of this machine that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, but is not ours to signal
        return False
    return False


class Outbox:
    def __init__(
        self,
        conn: Connectable,
        scope: str,
        *,
        lease: float = DEFAULT_LEASE,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._conn = conn
        self.scope = scope
        self.lease = lease
        self.now = now

    @property
    def conn(self) -> sqlite3.Connection:
        return connection_of(self._conn)

    def add(
        self,
        op: Op,
        session_id: int | None,
        payload: dict[str, Any] | None = None,
        *,
        idem_key: str | None = None,
    ) -> int:
        """Queue an edit; a POST (create, join, leave, complete) gets its Idempotency-Key now,
        so every later try of it sends the same one."""
        if op not in OPS:
            raise ValueError(f"unknown outbox operation {op!r}")
        if idem_key is None and op in POST_OPS:
            idem_key = str(uuid.uuid4())
        cur = self.conn.execute(
            "INSERT INTO outbox (scope, op, session_id, payload, created_at, idem_key) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (self.scope, op, session_id, json.dumps(payload or {}), iso(utc_now()), idem_key),
        )
        return int(cur.lastrowid or 0)

    def pending(self) -> list[Entry]:
        return self._select("pending")

    def failed(self) -> list[Entry]:
        return self._select("failed")

    def conflicts(self) -> list[Entry]:
        """Failed entries that are PUTs conflicting with someone else's change."""
        return [e for e in self.failed() if e.conflict is not None]

    def first(self) -> Entry | None:
        entries = self._select("pending", limit=1)
        return entries[0] if entries else None

    def get(self, seq: int) -> Entry | None:
        rows = self.conn.execute(
            "SELECT * FROM outbox WHERE scope = ? AND seq = ?", (self.scope, seq)
        ).fetchall()
        return _entries(rows)[0] if rows else None

    def count(self) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE scope = ? AND state = 'pending'", (self.scope,)
        ).fetchone()
        return int(row[0])

    def pending_session_ids(self) -> set[int]:
        rows = self.conn.execute(
            "SELECT DISTINCT session_id FROM outbox WHERE scope = ? AND state = 'pending' "
            "AND session_id IS NOT NULL",
            (self.scope,),
        ).fetchall()
        return {int(r[0]) for r in rows}

    # -- claims ----------------------------------------------------------------------------

    def claim_next(self, owner: str) -> Entry | None:
        """Claim the oldest pending entry for ``owner``; None when there is none.

        Raises OutboxBusy when another owner holds a live claim on it.
        """
        with transaction(self.conn):
            entry = self.first()
            if entry is None:
                return None
            row = self.conn.execute(
                "SELECT claimed_until FROM outbox WHERE seq = ?", (entry.seq,)
            ).fetchone()
            now = self.now()
            holder = entry.claimed_by
            if (
                holder is not None
                and holder != owner
                and (row["claimed_until"] or 0) > now
                and not _owner_gone(holder)
            ):
                raise OutboxBusy(entry)
            self.conn.execute(
                "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE seq = ?",
                (owner, now + self.lease, entry.seq),
            )
        return entry

    def holds(self, seq: int, owner: str) -> bool:
        row = self.conn.execute(
            "SELECT claimed_by FROM outbox WHERE seq = ? AND state = 'pending'", (seq,)
        ).fetchone()
        return row is not None and row["claimed_by"] == owner

    def exists(self, seq: int) -> bool:
        return (
            self.conn.execute("SELECT 1 FROM outbox WHERE seq = ?", (seq,)).fetchone() is not None
        )

    def release(self, seq: int, owner: str) -> None:
        """Let go of a claim without an outcome."""
        self.conn.execute(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL "
            "WHERE seq = ? AND claimed_by = ?",
            (seq, owner),
        )

    # -- outcomes --------------------------------------------------------------------------

    def done(self, seq: int) -> None:
        self.conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))

    def attempt_failed(self, seq: int, error: str) -> None:
        """A try that may succeed later (offline, 5xx, 429): keep it first in line."""
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, "
            "claimed_until = NULL WHERE seq = ?",
            (error, seq),
        )

    def give_up(self, seq: int, error: str, conflict: dict[str, Any] | None = None) -> None:
        self.conn.execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, "
            "conflict = ?, claimed_by = NULL, claimed_until = NULL WHERE seq = ?",
            (error, json.dumps(conflict) if conflict is not None else None, seq),
        )

    def give_up_on_session(self, session_id: int, error: str) -> list[Entry]:
        """A queued create was refused: every later edit of that session is moot."""
        with transaction(self.conn):
            moot = [e for e in self.pending() if e.session_id == session_id]
            for entry in moot:
                self.give_up(entry.seq, error)
        return moot

    def remap(self, temporary_id: int, server_id: int) -> None:
        """A queued create got its server id: later entries must use it."""
        self.conn.execute(
            "UPDATE outbox SET session_id = ? WHERE scope = ? AND session_id = ? AND state = 'pending'",
            (server_id, self.scope, temporary_id),
        )

    def rebase_etag(self, session_id: int, after_seq: int, etag: str | None) -> None:
        """A PUT of ``session_id`` was taken: later queued PUTs of it were made on top of it,
        so their base is now the version the server answered (None: check them afresh)."""
        self.conn.execute(
            "UPDATE outbox SET payload = json_set(payload, '$.base_etag', ?) "
            "WHERE scope = ? AND session_id = ? AND state = 'pending' AND op = 'update' "
            "AND seq > ?",
            (etag, self.scope, session_id, after_seq),
        )

    def retry(self, seq: int, payload: dict[str, Any] | None = None) -> None:
        """Put a failed entry back in line (at its old place), e.g. to keep our side of a
        conflict; ``payload`` replaces what it sends."""
        self.conn.execute(
            "UPDATE outbox SET state = 'pending', conflict = NULL, last_error = NULL, "
            "payload = COALESCE(?, payload) WHERE seq = ? AND scope = ?",
            (json.dumps(payload) if payload is not None else None, seq, self.scope),
        )

    def discard(self, seq: int) -> None:
        self.conn.execute("DELETE FROM outbox WHERE seq = ? AND scope = ?", (seq, self.scope))

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
        return _entries(rows)


def _entries(rows: list[sqlite3.Row]) -> list[Entry]:
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
            idem_key=r["idem_key"],
            conflict=json.loads(r["conflict"]) if r["conflict"] else None,
            claimed_by=r["claimed_by"],
        )
        for r in rows
    ]
