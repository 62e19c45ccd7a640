"""History and stats of focus runs, for every front end: what to record, and what it adds up to.

Days are the user's local days (``tz``, by default the system's zone, DST included): a run
counts, whole, for the day it started on. The streak is the number of consecutive days, ending
today, with at least one focused minute; while today has none yet the streak ending yesterday
still counts (it is not broken until a whole day passes without focus).
"""

from __future__ import annotations

import contextlib
import csv
import io
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from dateutil import tz as dateutil_tz

from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.engine.events import EndReason
from deepworkzone.store.history import OUTCOMES, HistoryStore, Outcome, RunRecord

if TYPE_CHECKING:
    from deepworkzone.engine.focus_status import RunOutcome

__all__ = [
    # RunRecord, Outcome and OUTCOMES are re-exported: front ends do not import store/.
    "CSV_FIELDS",
    "OUTCOMES",
    "PERIOD_DAYS",
    "DayTotal",
    "HistoryService",
    "Outcome",
    "Period",
    "RunRecord",
    "Stats",
    "csv_text",
    "local_zone",
    "open_history",
    "run_fields",
    "week_totals",
]

Period = Literal["week", "month", "quarter"]
# A period is the last N days, today included; a quarter is 12 whole weeks (the app's
# per-week chart).
PERIOD_DAYS: dict[str, int] = {"week": 7, "month": 30, "quarter": 84}

ConnSource = sqlite3.Connection | Callable[[], sqlite3.Connection]


def local_zone() -> tzinfo:
    """The system's local time zone, with its DST rules (not just today's offset)."""
    return dateutil_tz.tzlocal()


@dataclass(frozen=True)
class DayTotal:
    day: date
    focused_minutes: int


@dataclass(frozen=True)
class Stats:
    period: Period
    since: date
    until: date
    days: tuple[DayTotal, ...]  # every day of the period, oldest first, days with 0 included
    total_minutes: int
    streak_days: int

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "days": [
                {"date": d.day.isoformat(), "focused_minutes": d.focused_minutes} for d in self.days
            ],
            "total_minutes": self.total_minutes,
            "streak_days": self.streak_days,
        }


# The columns of a CSV export, in order (the CLI's --csv and the app's export write the same).
CSV_FIELDS = (
    "name",
    "session_id",
    "occurrence",
    "started_at",
    "ended_at",
    "planned_minutes",
    "focused_minutes",
    "outcome",
    "reason",
)


def _utc(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def run_fields(run: RunRecord) -> dict[str, Any]:
    """One run as the export columns (UTC times, ISO dates, None for what is missing)."""
    return {
        "name": run.name,
        "session_id": run.session_id,
        "occurrence": run.occurrence.isoformat() if run.occurrence else None,
        "started_at": _utc(run.started_at),
        "ended_at": _utc(run.ended_at),
        "planned_minutes": run.planned_minutes,
        "focused_minutes": run.focused_minutes,
        "outcome": run.outcome,
        "reason": run.reason,
    }


def csv_text(runs: list[RunRecord]) -> str:
    """RFC 4180: CRLF line ends and a header row; a missing value is an empty field. Write it
    as bytes (or with newline=""), so nothing translates the CRLFs."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(CSV_FIELDS)
    for run in runs:
        fields = run_fields(run)
        writer.writerow(["" if fields[k] is None else fields[k] for k in CSV_FIELDS])
    return buf.getvalue()


def _outcome(ended: EndReason) -> tuple[Outcome, str | None]:
    if ended == "completed":
        return "completed", None
    if ended == "ended_early":
        return "ended_early", None
    if ended == "emergency_exit":
        return "ended_early", "emergency exit"
    if ended == "recovered":
        return "ended_early", "the app stopped during the session"
    raise ValueError(f"{ended!r} is not how a run ends (use record_missed for a missed one)")


def streak(days_with_focus: set[date], today: date) -> int:
    """Consecutive days with focus ending today, or ending yesterday while today has none."""
    day = today if today in days_with_focus else today - timedelta(days=1)
    count = 0
    while day in days_with_focus:
        count += 1
        day -= timedelta(days=1)
    return count


class HistoryService:
    """``conn``: a connection to use, or a function opening one per call (closed after)."""

    def __init__(
        self, conn: ConnSource, clock: Clock = SYSTEM_CLOCK, tz: tzinfo | None = None
    ) -> None:
        self._conn = conn
        self.clock = clock
        self.tz = tz or local_zone()

    @contextlib.contextmanager
    def _store(self) -> Iterator[HistoryStore]:
        if isinstance(self._conn, sqlite3.Connection):
            yield HistoryStore(self._conn)
            return
        conn = self._conn()
        try:
            yield HistoryStore(conn)
        finally:
            conn.close()

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    # -- recording -------------------------------------------------------------------------

    def record(self, run: RunRecord) -> RunRecord:
        """Store ``run`` as is; answer it as stored (see HistoryStore.record)."""
        with self._store() as store:
            return store.record(run, now=self.clock.now())

    def record_finished(
        self,
        *,
        name: str,
        started_at: datetime,
        planned_minutes: int,
        ended: EndReason = "completed",
        ended_at: datetime | None = None,
        focused_minutes: int | None = None,
        reason: str | None = None,
        scope: str = "",
        session_id: int | None = None,
        occurrence: date | None = None,
        strict: bool = False,
    ) -> RunRecord:
        """A run that ended (at ``ended_at``, by default now). ``focused_minutes`` defaults to
        the whole minutes from start to end. "emergency_exit" and "recovered" are recorded as
        ended early; an emergency exit is also counted for strict mode's ration."""
        end = ended_at or self.clock.now()
        outcome, default_reason = _outcome(ended)
        if focused_minutes is None:
            focused_minutes = max(int((end - started_at).total_seconds() // 60), 0)
        return self.record(
            RunRecord(
                scope=scope,
                session_id=session_id,
                occurrence=occurrence,
                name=name,
                started_at=started_at,
                ended_at=end,
                planned_minutes=planned_minutes,
                focused_minutes=focused_minutes,
                outcome=outcome,
                reason=reason or default_reason,
                strict=strict,
                emergency_exit=ended == "emergency_exit",
            )
        )

    def record_outcome(self, outcome: RunOutcome, ended: EndReason) -> RunRecord:
        """A finished run as the focus service (or crash recovery) describes it."""
        return self.record_finished(
            name=outcome.name,
            started_at=outcome.started_at,
            planned_minutes=outcome.planned_minutes,
            ended=ended,
            ended_at=outcome.ended_at,
            focused_minutes=outcome.focused_minutes,
            reason=outcome.reason,
            scope=outcome.scope,
            session_id=outcome.session_id,
            occurrence=outcome.occurrence,
            strict=outcome.strict,
        )

    def record_missed(
        self,
        *,
        name: str,
        session_id: int,
        occurrence: date,
        planned_minutes: int,
        scope: str = "",
        reason: str | None = None,
    ) -> RunRecord:
        """A scheduled occurrence that did not run; a run already recorded for it stays."""
        return self.record(
            RunRecord(
                scope=scope,
                session_id=session_id,
                occurrence=occurrence,
                name=name,
                started_at=None,
                ended_at=None,
                planned_minutes=planned_minutes,
                outcome="missed",
                reason=reason,
            )
        )

    # -- reading ---------------------------------------------------------------------------

    def has_run(self, scope: str, session_id: int, day: date) -> bool:
        with self._store() as store:
            return store.has_run(scope, session_id, day)

    def emergency_exits_since(self, moment: datetime) -> int:
        with self._store() as store:
            return store.emergency_exits_since(moment)

    def list(self, since: date | None = None, until: date | None = None) -> list[RunRecord]:
        """Runs of local days since..until (inclusive, either open), oldest first."""
        with self._store() as store:
            return store.runs(since, until, tz=self.tz)

    def stats(self, period: Period = "week", today: date | None = None) -> Stats:
        """Focused minutes per local day of the last week (7 days) or month (30 days) up to
        ``today`` (by default the clock's today), their total, and the current streak."""
        if period not in PERIOD_DAYS:
            raise ValueError(f"unknown period {period!r} (week or month)")
        until = today or self.today()
        since = until - timedelta(days=PERIOD_DAYS[period] - 1)
        with self._store() as store:
            focused = store.focused_since(None)
        per_day: dict[date, int] = {}
        for started, minutes in focused:
            day = started.astimezone(self.tz).date()
            if day <= until:
                per_day[day] = per_day.get(day, 0) + minutes
        days = tuple(
            DayTotal(d, per_day.get(d, 0))
            for d in (since + timedelta(days=i) for i in range((until - since).days + 1))
        )
        return Stats(
            period=period,
            since=since,
            until=until,
            days=days,
            total_minutes=sum(d.focused_minutes for d in days),
            streak_days=streak(set(per_day), until),
        )


def week_totals(stats_days: tuple[DayTotal, ...]) -> tuple[DayTotal, ...]:
    """Per-day totals summed into weeks (each labelled by its Monday), oldest first."""
    weeks: dict[date, int] = {}
    for d in stats_days:
        monday = d.day - timedelta(days=d.day.weekday())
        weeks[monday] = weeks.get(monday, 0) + d.focused_minutes
    return tuple(DayTotal(day, minutes) for day, minutes in sorted(weeks.items()))


def open_history(clock: Clock = SYSTEM_CLOCK, tz: tzinfo | None = None) -> HistoryService:
    """History in the app's database (opened, and migrated if needed, per call)."""
    from deepworkzone.store.db import connect

    return HistoryService(connect, clock, tz)
