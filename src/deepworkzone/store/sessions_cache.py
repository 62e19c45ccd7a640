"""Sessions kept on this machine, as the JSON the API answered (or as made locally).

Rows are filed under a scope: '' holds local-only sessions (no server configured), a server's
URL holds that server's sessions. Keeping the answer's JSON whole (unknown fields included)
lets ``--json`` show the cache exactly as the server sent it. A row also keeps the ETag of the
answer it came from (GET, PUT, POST), so a later PUT can be sent with ``If-Match``.

``conn`` is a connection, or a ``ThreadConnections`` for a cache shared by threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from deepworkzone.domain.models import Session
from deepworkzone.store.db import Connectable, connection_of, transaction


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class SessionsCache:
    def __init__(self, conn: Connectable, scope: str) -> None:
        self._conn = conn
        self.scope = scope

    @property
    def conn(self) -> sqlite3.Connection:
        return connection_of(self._conn)

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

    def put(self, raw: dict[str, Any], etag: str | None = None) -> None:
        """Store one server answer; ``etag``: the answer's ETag header, if it had one."""
        with transaction(self.conn):
            self.put_many([raw])
            if etag is not None:
                self.conn.execute(
                    "UPDATE sessions SET etag = ? WHERE scope = ? AND id = ?",
                    (etag, self.scope, int(raw["id"])),
                )

    def put_many(
        self,
        raws: Iterable[dict[str, Any]],
        *,
        replace_all: bool = False,
        keep: Iterable[int] = (),
    ) -> None:
        """Store server answers; ``replace_all`` (after a full listing) drops what is gone.

        Queued creates (negative ids) survive a replace: the server does not know them yet.
        Rows in ``keep`` (sessions with edits still queued) are left as they are, so the
        cache goes on showing the user's own edit until the server has it. A row's ETag is
        kept while the row's ``updated_at`` is unchanged (a listing carries no ETags).
        """
        stamp = iso(utc_now())
        kept = {int(i) for i in keep}
        rows = [r for r in raws if int(r["id"]) not in kept]
        with transaction(self.conn):
            if replace_all:
                ids = [int(r["id"]) for r in rows] + sorted(kept)
                self.conn.execute(
                    "DELETE FROM sessions WHERE scope = ? AND id >= 0 "
                    "AND id NOT IN (SELECT value FROM json_each(?))",
                    (self.scope, json.dumps(ids)),
                )
            self.conn.executemany(
                "INSERT INTO sessions (scope, id, data, stored_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (scope, id) DO UPDATE SET data = excluded.data, "
                "stored_at = excluded.stored_at, etag = CASE WHEN "
                "json_extract(sessions.data, '$.updated_at') IS "
                "json_extract(excluded.data, '$.updated_at') THEN sessions.etag END",
                [(self.scope, int(r["id"]), json.dumps(r), stamp) for r in rows],
            )
            if replace_all:
                self._set_meta(f"refreshed:{self.scope}", stamp)

    def etag(self, session_id: int) -> str | None:
        """The ETag of the server answer the cached row came from, if known."""
        row = self.conn.execute(
            "SELECT etag FROM sessions WHERE scope = ? AND id = ?",
            (self.scope, self.resolve(session_id)),
        ).fetchone()
        return row["etag"] if row else None

    def touch_refreshed(self) -> None:
        """The server confirmed the cache is current (a 304 to a conditional listing)."""
        self._set_meta(f"refreshed:{self.scope}", iso(utc_now()))

    def list_etag(self) -> str | None:
        """The ETag of the last full listing stored with ``put_many(replace_all=True)``."""
        row = self.conn.execute(
            "SELECT value FROM meta WHERE key = ?", (f"list_etag:{self.scope}",)
        ).fetchone()
        return row["value"] if row else None

    def set_list_etag(self, etag: str | None) -> None:
        if etag is None:
            self.conn.execute("DELETE FROM meta WHERE key = ?", (f"list_etag:{self.scope}",))
        else:
            self._set_meta(f"list_etag:{self.scope}", etag)

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
        """A fresh id for a session only this machine knows: local-only mode, or a create
        queued until the server assigns its own. Negative (people see L1, L2...) and drawn
        from one counter for every scope, so an L-id keeps naming the same session after it
        is uploaded or sent (``id_map``), never another one. Never reused after a delete."""
        key = "next_local_id"
        with transaction(self.conn):
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            found = self.conn.execute(
                "SELECT MAX(m) FROM (SELECT MAX(-id) AS m FROM sessions WHERE id < 0 "
                "UNION ALL SELECT MAX(-local_id) FROM id_map WHERE local_id < 0)"
            ).fetchone()[0]
            value = max(int(row["value"]) if row else 1, (found or 0) + 1)
            self._set_meta(key, str(value + 1))
        return -value

    def new_temporary_id(self) -> int:
        """A create queued until the server assigns the real id: a local id (see above)."""
        return self.new_local_id()

    def map_id(
        self, temporary_id: int, server_id: int, raw: dict[str, Any], etag: str | None = None
    ) -> None:
        """A queued create was sent: its row now lives under the server's id."""
        with transaction(self.conn):
            self.conn.execute(
                "DELETE FROM sessions WHERE scope = ? AND id = ?", (self.scope, temporary_id)
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO id_map (scope, local_id, server_id) VALUES (?, ?, ?)",
                (self.scope, temporary_id, server_id),
            )
            self.put(raw, etag)

    def resolve(self, session_id: int) -> int:
        """The id to use now: a sent create's temporary id leads to its server id."""
        if session_id >= 0:
            return session_id
        row = self.conn.execute(
            "SELECT server_id FROM id_map WHERE scope = ? AND local_id = ?",
            (self.scope, session_id),
        ).fetchone()
        return int(row["server_id"]) if row else session_id
