"""How far the scheduler has looked, kept across restarts.

A restarted agent records as missed only the sessions whose time passed since it last looked,
so installing the app, or a week without it, never fills the history with old misses.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

KEY = "scheduler_checked_at"


class CheckedMark:
    def __init__(self, db_path: Path | None, scope: str) -> None:
        self.db_path = db_path
        self.key = f"{KEY}:{scope}"
        self._saved: datetime | None = None

    def load(self) -> datetime | None:
        from deepworkzone.store.db import connect

        try:
            conn = connect(self.db_path)
        except Exception:
            return None
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (self.key,)).fetchone()
        finally:
            conn.close()
        return datetime.fromisoformat(row[0]) if row else None

    def save(self, moment: datetime) -> None:
        from deepworkzone.store.db import connect

        # Kept to the minute: the idle agent should not write every heartbeat.
        last = self._saved
        if last is not None and timedelta(0) <= moment - last < timedelta(seconds=60):
            return
        self._saved = moment
        conn = connect(self.db_path)
        try:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (self.key, moment.astimezone(UTC).isoformat()),
            )
        finally:
            conn.close()
