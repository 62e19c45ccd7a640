"""Sessions kept on this machine, as the JSON the API answered (or as made locally).

Rows are filed under a scope: '' holds local-only sessions (no server configured), a server's
URL holds that server's sessions. Keeping the answer's JSON whole (unknown fields included)
lets ``--json`` show the cache exactly as the server sent it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from deepworkzone.domain.models import Session
from deepworkzone.store.db import transaction


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def display_id(session_id: int) -> str:
    """Queued creates have negative ids; people see and type them as L1, L2..."""
    return f"L{-session_id}" if session_id < 0 else str(session_id)


class SessionsCache:
    def __init__(self, conn: sqlite3.Connection, scope: str) -> None:
        self.conn = conn
        self.scope = scope

    def get(self, session_id: int) -> dict[str, Any] | None:
        row = self.conn.execute(
            "SELECT data FROM sessions WHERE scope = ? AND id = ?",
            (self.scope, self.resolve(session_id)),
        ).fetchone()
        return json.loads(row["data"]) if row else None

    def all(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT data FROM sessions WHERE scope = ? ORDER BY id", (self.scope,)
        ).fetchall()
        return [json.loads(r["data"]) for r in rows]

    def sessions(self) -> list[tuple[dict[str, Any], Session]]:
        """Every row with its parsed model; rows that no longer parse are skipped, not fatal."""
        out = []
        for raw in self.all():
            try:
                out.append((raw, Session.model_validate(raw)))
            except ValueError:
                continue
        return out

    def put(self, raw: dict[str, Any]) -> None:
        self.put_many([raw])

    def put_many(self, raws: Iterable[dict[str, Any]], *, replace_all: bool = False) -> None:
        """Store server answers; ``replace_all`` (after a full listing) drops what is gone.

        Queued creates (negative ids) survive a replace: the server does not know them yet.
        """
        stamp = iso(utc_now())
        with transaction(self.conn):
            if replace_all:
                self.conn.execute("DELETE FROM sessions WHERE scope = ? AND id >= 0", (self.scope,))
            self.conn.executemany(
                "INSERT OR REPLACE INTO sessions (scope, id, data, stored_at) VALUES (?, ?, ?, ?)",
                [(self.scope, int(r["id"]), json.dumps(r), stamp) for r in raws],
            )
            if replace_all:
                self._set_meta(f"refreshed:{self.scope}", stamp)

    def delete(self, session_id: int) -> bool:
        cur = self.conn.execute(
            "DELETE FROM sessions WHERE scope = ? AND id = ?",
            (self.scope, self.resolve(session_id)),
        )
        return cur.rowcount > 0

    def refreshed_at(self) -> datetime | None:
        """When the last full listing from the server was stored, if ever."""
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (f"refreshed:{self.scope}",)
        ).fetchone()
        return datetime.fromisoformat(row["value"].replace("Z", "+00:00")) if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- ids -------------------------------------------------------------------------------

    def new_local_id(self) -> int:
        """A fresh positive id for a local-only session (never reused after a delete)."""
        return self._next_counter(f"next_local_id:{self.scope}", sign=1)

    def new_temporary_id(self) -> int:
        """A fresh negative id for a create queued until the server assigns the real one."""
        return -self._next_counter(f"next_temp_id:{self.scope}", sign=-1)

    def _next_counter(self, key: str, sign: int) -> int:
        with transaction(self.conn):
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            found = self.conn.execute(
                "SELECT MAX(id * ?) FROM sessions WHERE scope = ?", (sign, self.scope)
            ).fetchone()[0]
            value = max(int(row["value"]) if row else 1, (found or 0) + 1)
            self._set_meta(key, str(value + 1))
        return value

    def map_id(self, temporary_id: int, server_id: int, raw: dict[str, Any]) -> None:
        """A queued create was sent: its row now lives under the server's id."""
        with transaction(self.conn):
            self.conn.execute(
                "DELETE FROM sessions WHERE scope = ? AND id = ?", (self.scope, temporary_id)
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO id_map (scope, local_id, server_id) VALUES (?, ?, ?)",
                (self.scope, temporary_id, server_id),
            )
            self.put(raw)

    def resolve(self, session_id: int) -> int:
        """The id to use now: a sent create's temporary id leads to its server id."""
        if session_id >= 0:
            return session_id
        row = self.conn.execute(
            "SELECT server_id FROM id_map WHERE scope = ? AND local_id = ?",
            (self.scope, session_id),
        ).fetchone()
        return int(row["server_id"]) if row else session_id
