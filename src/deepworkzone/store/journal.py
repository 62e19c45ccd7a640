"""The run journal: what a running session changed, written before each change.

One JSON file in the state folder, replaced atomically, so a crash leaves either the old or
the new journal and never a torn one. It is cleared last, after everything is put back.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deepworkzone.core.fsutil import atomic_write, sweep_stale_temps
from deepworkzone.core.paths import app_paths
from deepworkzone.domain.effects import JournalRecord

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class CorruptJournal(Exception):
    """The journal exists but cannot be read; its text is kept beside it for the user."""


class Journal:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or app_paths().journal_file

    def load(self) -> dict[str, Any] | None:
        """The journal, or None when no session is running."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or "effects" not in data:
                raise ValueError("not a journal")
        except ValueError as exc:
            kept = self.path.with_suffix(".corrupt")
            self.path.replace(kept)
            raise CorruptJournal(f"unreadable run journal moved to {kept}: {exc}") from exc
        return data

    def begin(
        self, session: dict[str, Any], ends_at: datetime, started_at: datetime | None = None
    ) -> None:
        """Start a journal for a session that runs until ``ends_at`` (aware datetime)."""
        self._write(
            {
                "version": FORMAT_VERSION,
                "session": session,
                "started_at": (started_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
                "ends_at": ends_at.astimezone(UTC).isoformat(),
                "effects": {},
            }
        )

    def record(self, kind: str, record: JournalRecord) -> None:
        data = self.load()
        if data is None:
            raise RuntimeError("journal.record() before journal.begin()")
        data["effects"][kind] = record
        self._write(data)

    def set_ends_at(self, ends_at: datetime) -> None:
        data = self.load()
        if data is None:
            raise RuntimeError("journal.set_ends_at() before journal.begin()")
        data["ends_at"] = ends_at.astimezone(UTC).isoformat()
        self._write(data)

    def forget(self, kind: str) -> None:
        data = self.load()
        if data is not None and data["effects"].pop(kind, None) is not None:
            self._write(data)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def keep_copy(self, label: str) -> Path | None:
        """Copy the journal as it is now to ``journal.json.<label>`` beside it (0600), for a
        person to read; None when there is no journal or the copy could not be written."""
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", label)[:60] or "copy"
        kept = self.path.with_name(f"{self.path.name}.{safe}")
        try:
            atomic_write(kept, self.path.read_bytes(), mode=0o600)
        except OSError as exc:
            log.warning("could not keep a copy of the run journal in %s: %s", kept, exc)
            return None
        return kept

    def sweep_temps(self) -> list[Path]:
        """Remove the temporary journal files a killed write left in the state folder."""
        return sweep_stale_temps(self.path)

    @staticmethod
    def ends_at(data: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(data["ends_at"])

    def _write(self, data: dict[str, Any]) -> None:
        atomic_write(
            self.path, json.dumps(data, indent=2, sort_keys=True).encode("utf-8"), mode=0o600
        )
