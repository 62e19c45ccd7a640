"""History of focus runs: one row per run that ended, and one per scheduled occurrence missed.

A scheduled occurrence (``session_id`` + ``occurrence`` day, within a scope) is recorded at
most once. Recording it again updates the row: a run replaces a "missed" (started late: the
real run wins), a later run replaces an earlier one, but a "missed" never replaces a run.
An emergency exit, once recorded for an occurrence, stays counted (strict mode rations them).

Times are stored as UTC text in whole seconds, so text order is time order. Which local day a
run belongs to is the caller's choice of time zone (``tz``): the day its start falls on, and
for a missed occurrence (which never started) the occurrence's own date.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal, get_args

from deepworkzone.store.db import transaction

Outcome = Literal["completed", "ended_early", "missed"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    id: int | None = None
    scope: str = ""
    session_id: int | None = None
    occurrence: date | None = None
    name: str
    started_at: datetime | None
    ended_at: datetime | None
    planned_minutes: int
    focused_minutes: int = 0
    outcome: Outcome
    reason: str | None = None
    strict: bool = False
    emergency_exit: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")
        for label, moment in (("started_at", self.started_at), ("ended_at", self.ended_at)):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{label} must be an aware datetime")
        if self.outcome == "missed":
            if self.started_at is not None or self.ended_at is not None:
                raise ValueError("a missed run has no start or end")
            if self.occurrence is None:
                raise ValueError("a missed run is a scheduled occurrence: give its day")
        elif self.started_at is None or self.ended_at is None:
            raise ValueError(f"a run that is {self.outcome} has a start and an end")
        if self.occurrence is not None and self.session_id is None:
            raise ValueError("an occurrence belongs to a session: give session_id")
        if self.planned_minutes < 0 or self.focused_minutes < 0:
            raise ValueError("minutes cannot be negative")

    def day(self, tz: tzinfo) -> date:
        """The local day this run counts for: its start's, or a missed occurrence's."""
        if self.started_at is None:
            assert self.occurrence is not None
            return self.occurrence
        return self.started_at.astimezone(tz).date()


def stamp(moment: datetime) -> str:
    """UTC, whole seconds, with Z: the stored (and shown) form of a moment."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str | None) -> datetime | None:
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def day_start(day: date, tz: tzinfo) -> datetime:
    """The first moment of ``day`` in ``tz`` (DST-aware: days are 23 to 25 hours), in UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


_COLUMNS = (
    "scope, session_id, occurrence, name, started_at, ended_at, planned_minutes, "
    "focused_minutes, outcome, reason, strict, emergency_exit, recorded_at"
)

# On a second record of an occurrence: a run replaces anything; "missed" replaces only
# "missed". emergency_exit is kept once set.
_UPSERT = f"""
    INSERT INTO runs ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (scope, session_id, occurrence) WHERE occurrence IS NOT NULL DO UPDATE SET
        name = excluded.name,
        started_at = excluded.started_at,
        ended_at = excluded.ended_at,
        planned_minutes = excluded.planned_minutes,
        focused_minutes = excluded.focused_minutes,
        outcome = excluded.outcome,
        reason = excluded.reason,
        strict = excluded.strict,
        emergency_exit = MAX(runs.emergency_exit, excluded.emergency_exit),
        recorded_at = excluded.recorded_at
    WHERE excluded.outcome <> 'missed' OR runs.outcome = 'missed'
    RETURNING id
"""

# A run recorded under a create's temporary id (negative) is shown under the server's id
# once the create was sent.
_SELECT = """
    SELECT r.id, r.scope, COALESCE(m.server_id, r.session_id) AS session_id, r.occurrence,
           r.name, r.started_at, r.ended_at, r.planned_minutes, r.focused_minutes, r.outcome,
           r.reason, r.strict, r.emergency_exit
    FROM runs r LEFT JOIN id_map m ON m.scope = r.scope AND m.local_id = r.session_id
"""


def _record(row: sqlite3.Row) -> RunRecord:
    return RunRecord(
        id=int(row["id"]),
        scope=row["scope"],
        session_id=row["session_id"],
        occurrence=date.fromisoformat(row["occurrence"]) if row["occurrence"] else None,
        name=row["name"],
        started_at=parse_stamp(row["started_at"]),
        ended_at=parse_stamp(row["ended_at"]),
        planned_minutes=int(row["planned_minutes"]),
        focused_minutes=int(row["focused_minutes"]),
        outcome=row["outcome"],
        reason=row["reason"],
        strict=bool(row["strict"]),
        emergency_exit=bool(row["emergency_exit"]),
    )


def _sort_key(run: RunRecord, tz: tzinfo) -> tuple[datetime, int]:
    # A missed occurrence sorts at the start of its day (its planned time is not stored).
    moment = run.started_at or day_start(run.day(tz), tz)
    return moment, run.id or 0


class HistoryStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(self, run: RunRecord, *, now: datetime | None = None) -> RunRecord:
        """Store ``run``; answer it as stored (with its id; for an occurrence already
        recorded as run, a "missed" answers the stored run, which it does not replace)."""
        params: tuple[Any, ...] = (
            run.scope,
            run.session_id,
            run.occurrence.isoformat() if run.occurrence else None,
            run.name,
            stamp(run.started_at) if run.started_at else None,
            stamp(run.ended_at) if run.ended_at else None,
            run.planned_minutes,
            run.focused_minutes,
            run.outcome,
            run.reason,
            int(run.strict),
            int(run.emergency_exit),
            stamp(now or datetime.now(UTC)),
        )
        with transaction(self.conn):
            row = self.conn.execute(_UPSERT, params).fetchone()
            if row is not None:
                stored = self.conn.execute("SELECT * FROM runs WHERE id = ?", (row["id"],))
                return _record(stored.fetchone())
            kept = self._occurrence(run.scope, run.session_id, run.occurrence)
        assert kept is not None  # the update was skipped only because a run is stored
        return kept

    def runs(
        self, since: date | None = None, until: date | None = None, *, tz: tzinfo
    ) -> list[RunRecord]:
        """Runs whose local day (in ``tz``) is within since..until (both inclusive, either
        open), oldest first; missed occurrences sort at the start of their day."""
        where, params = ["1"], []
        if since is not None:
            where.append("(r.started_at >= ? OR (r.started_at IS NULL AND r.occurrence >= ?))")
            params += [stamp(day_start(since, tz)), since.isoformat()]
        if until is not None:
            after = until + timedelta(days=1)
            where.append("(r.started_at < ? OR (r.started_at IS NULL AND r.occurrence <= ?))")
            params += [stamp(day_start(after, tz)), until.isoformat()]
        rows = self.conn.execute(_SELECT + " WHERE " + " AND ".join(where), params).fetchall()
        return sorted((_record(r) for r in rows), key=lambda run: _sort_key(run, tz))

    def focused_since(self, moment: datetime | None = None) -> list[tuple[datetime, int]]:
        """(start, focused minutes) of every run with focus that started at or after
        ``moment`` (all when None), newest first: what stats and streaks are made of."""
        sql = "SELECT started_at, focused_minutes FROM runs WHERE focused_minutes > 0"
        params: list[str] = []
        if moment is not None:
            sql += " AND started_at >= ?"
            params.append(stamp(moment))
        rows = self.conn.execute(sql + " ORDER BY started_at DESC", params).fetchall()
        out = []
        for row in rows:
            started = parse_stamp(row["started_at"])
            if started is not None:
                out.append((started, int(row["focused_minutes"])))
        return out

    def emergency_exits_since(self, moment: datetime) -> int:
        """How many runs ended by an emergency exit at or after ``moment``."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM runs WHERE emergency_exit = 1 AND ended_at >= ?",
            (stamp(moment),),
        ).fetchone()
        return int(row[0])

    def has_run(self, scope: str, session_id: int, day: date) -> bool:
        """Whether that occurrence was run (completed or ended early); a missed one is not."""
        run = self._occurrence(scope, session_id, day)
        return run is not None and run.outcome != "missed"

    def occurrence(self, scope: str, session_id: int, day: date) -> RunRecord | None:
        """The record of that occurrence (run or missed), if there is one."""
        return self._occurrence(scope, session_id, day)

    def _occurrence(self, scope: str, session_id: int | None, day: date | None) -> RunRecord | None:
        if session_id is None or day is None:
            return None
        row = self.conn.execute(
            "SELECT * FROM runs WHERE scope = ? AND session_id = ? AND occurrence = ?",
            (scope, session_id, day.isoformat()),
        ).fetchone()
        return _record(row) if row else None
