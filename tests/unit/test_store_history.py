"""History of focus runs: the store (records, occurrences, ranges, migration) and the stats
service over it (per-day totals in local days, DST, streaks), on a ManualClock."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from deepworkzone.domain.clock import ManualClock
from deepworkzone.engine.history import HistoryService, streak
from deepworkzone.store import db
from deepworkzone.store.db import SCHEMA_VERSION, connect, schema_version
from deepworkzone.store.history import HistoryStore, RunRecord

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    c = connect(tmp_path / "deepworkzone.db")
    yield c
    c.close()


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def done(
    start: datetime,
    minutes: int = 50,
    *,
    name: str = "Deep work",
    session_id: int | None = None,
    occurrence: date | None = None,
    outcome: str = "completed",
    emergency: bool = False,
) -> RunRecord:
    return RunRecord(
        session_id=session_id,
        occurrence=occurrence,
        name=name,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        planned_minutes=50,
        focused_minutes=minutes,
        outcome=outcome,  # type: ignore[arg-type]
        emergency_exit=emergency,
        strict=emergency,
    )


def missed(session_id: int, day: date, reason: str = "asleep") -> RunRecord:
    return RunRecord(
        session_id=session_id,
        occurrence=day,
        name="Standup focus",
        started_at=None,
        ended_at=None,
        planned_minutes=30,
        outcome="missed",
        reason=reason,
    )


# -- the store ----------------------------------------------------------------------------


def test_a_run_is_recorded_and_read_back_whole(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    run = RunRecord(
        scope="https://dwz.example",
        session_id=7,
        occurrence=date(2026, 1, 5),
        name="Writing",
        started_at=datetime(2026, 1, 5, 9, 0, 12, 345678, tzinfo=UTC),
        ended_at=utc(2026, 1, 5, 9, 40),
        planned_minutes=90,
        focused_minutes=39,
        outcome="ended_early",
        reason="meeting",
        strict=True,
        emergency_exit=True,
    )
    stored = store.record(run)
    assert stored.id is not None
    [back] = store.runs(tz=UTC)
    assert back == stored
    # Whole seconds are kept: text order is time order.
    assert back.started_at == utc(2026, 1, 5, 9, 0, 12)
    assert (back.scope, back.session_id, back.occurrence) == (
        "https://dwz.example",
        7,
        run.occurrence,
    )
    assert (back.outcome, back.reason, back.strict, back.emergency_exit) == (
        "ended_early",
        "meeting",
        True,
        True,
    )


@pytest.mark.parametrize(
    "bad",
    [
        dict(
            outcome="missed", started_at=utc(2026, 1, 5), ended_at=None, occurrence=date(2026, 1, 5)
        ),
        dict(outcome="missed", started_at=None, ended_at=None, occurrence=None),
        dict(outcome="completed", started_at=None, ended_at=None, occurrence=None),
        dict(outcome="done", started_at=utc(2026, 1, 5), ended_at=utc(2026, 1, 5)),
        dict(outcome="completed", started_at=datetime(2026, 1, 5), ended_at=utc(2026, 1, 5)),
    ],
)
def test_impossible_records_are_refused(bad: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"session_id": 1, "name": "x", "planned_minutes": 10, **bad}
    with pytest.raises(ValueError):
        RunRecord(**fields)


def test_an_occurrence_is_recorded_once_and_the_real_run_wins(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    day = date(2026, 1, 5)
    first = store.record(missed(3, day))
    assert not store.has_run("", 3, day)
    assert store.occurrence("", 3, day) == first

    late = store.record(done(utc(2026, 1, 5, 10), 20, session_id=3, occurrence=day))
    assert late.id == first.id and late.outcome == "completed"
    assert store.has_run("", 3, day)

    # The scheduler's catch-up, later, does not turn the run back into "missed".
    again = store.record(missed(3, day))
    assert again == late
    assert [r.outcome for r in store.runs(tz=UTC)] == ["completed"]
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1

    # The same day of another session, or in another scope, is another occurrence.
    store.record(missed(4, day))
    store.record(RunRecord(**{**missed(3, day).__dict__, "scope": "https://s"}))
    assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 3
    assert not store.has_run("", 3, day + timedelta(days=1))


def test_the_unique_index_holds_without_the_store(conn: sqlite3.Connection) -> None:
    row = (
        "INSERT INTO runs (scope, session_id, occurrence, name, planned_minutes, outcome, "
        "recorded_at) VALUES ('', 1, '2026-01-05', 'x', 10, 'missed', 'now')"
    )
    conn.execute(row)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(row)


def test_an_emergency_exit_stays_counted_when_the_occurrence_is_run_again(
    conn: sqlite3.Connection,
) -> None:
    store = HistoryStore(conn)
    day = date(2026, 1, 5)
    store.record(done(utc(2026, 1, 5, 9), 5, session_id=1, occurrence=day, emergency=True))
    store.record(done(utc(2026, 1, 5, 11), 50, session_id=1, occurrence=day))
    assert store.emergency_exits_since(utc(2026, 1, 5)) == 1


def test_emergency_exits_are_counted_from_a_moment(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    store.record(done(utc(2026, 1, 1, 9), 5, outcome="ended_early", emergency=True))
    store.record(done(utc(2026, 1, 6, 9), 5, outcome="ended_early", emergency=True))
    store.record(done(utc(2026, 1, 6, 12), 5, outcome="ended_early"))
    assert store.emergency_exits_since(utc(2026, 1, 1)) == 2
    assert store.emergency_exits_since(utc(2026, 1, 6, 9, 5)) == 1  # ended at 9:05 counts
    assert store.emergency_exits_since(utc(2026, 1, 6, 9, 6)) == 0


def test_ranges_are_local_days_inclusive_and_oldest_first(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    # 23:30 on Jan 4 in Paris is 22:30 UTC; 00:30 on Jan 6 in Paris is 23:30 UTC on Jan 5.
    store.record(done(utc(2026, 1, 5, 23, 30), name="after midnight Jan 6"))
    store.record(done(utc(2026, 1, 4, 22, 30), name="late Jan 4"))
    store.record(done(utc(2026, 1, 5, 8), name="morning Jan 5"))
    store.record(missed(9, date(2026, 1, 5)))

    names = [r.name for r in store.runs(date(2026, 1, 5), date(2026, 1, 5), tz=PARIS)]
    assert names == ["Standup focus", "morning Jan 5"]  # missed sorts at its day's start
    assert [r.name for r in store.runs(tz=PARIS)] == [
        "late Jan 4",
        "Standup focus",
        "morning Jan 5",
        "after midnight Jan 6",
    ]
    assert [r.name for r in store.runs(since=date(2026, 1, 6), tz=PARIS)] == [
        "after midnight Jan 6"
    ]
    assert [r.name for r in store.runs(until=date(2026, 1, 4), tz=PARIS)] == ["late Jan 4"]
    # In UTC the same runs fall on other days.
    assert [r.name for r in store.runs(date(2026, 1, 5), date(2026, 1, 5), tz=UTC)] == [
        "Standup focus",
        "morning Jan 5",
        "after midnight Jan 6",
    ]
    assert store.runs(date(2026, 2, 1), tz=PARIS) == []


def test_a_run_of_a_queued_create_shows_the_server_id_once_sent(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    store.record(done(utc(2026, 1, 5, 9), session_id=-2))
    conn.execute("INSERT INTO id_map (scope, local_id, server_id) VALUES ('', -2, 41)")
    assert [r.session_id for r in store.runs(tz=UTC)] == [41]


def _make_v2(path: Path) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    for migration in db.MIGRATIONS[:2]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("PRAGMA user_version = 2")
    raw.execute("INSERT INTO sessions (scope, id, data, stored_at) VALUES ('', 1, '{}', 'then')")
    raw.close()


def test_a_v2_database_is_migrated_to_hold_history(tmp_path: Path) -> None:
    path = tmp_path / "deepworkzone.db"
    _make_v2(path)
    conn = connect(path)
    assert schema_version(conn) == SCHEMA_VERSION >= 3
    assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    store = HistoryStore(conn)
    store.record(missed(1, date(2026, 1, 5)))
    assert not store.has_run("", 1, date(2026, 1, 5))
    assert len(store.runs(tz=UTC)) == 1
    conn.close()
    assert (tmp_path / "deepworkzone.db.bak-v2").exists()


# -- the service: recording ------------------------------------------------------------------


def test_the_service_records_finished_runs_with_the_clock(conn: sqlite3.Connection) -> None:
    clock = ManualClock(utc(2026, 1, 5, 9))
    service = HistoryService(conn, clock, tz=UTC)
    started = clock.now()
    clock.advance(minutes=37, seconds=40)
    run = service.record_finished(
        name="Writing", started_at=started, planned_minutes=50, ended="emergency_exit", strict=True
    )
    assert run.ended_at == utc(2026, 1, 5, 9, 37, 40)
    assert (run.focused_minutes, run.outcome, run.reason) == (37, "ended_early", "emergency exit")
    assert run.emergency_exit and service.emergency_exits_since(utc(2026, 1, 5)) == 1

    service.record_missed(
        name="Standup", session_id=2, occurrence=date(2026, 1, 5), planned_minutes=15
    )
    assert not service.has_run("", 2, date(2026, 1, 5))
    service.record_finished(
        name="Standup",
        started_at=clock.now(),
        ended_at=clock.now() + timedelta(minutes=15),
        planned_minutes=15,
        session_id=2,
        occurrence=date(2026, 1, 5),
    )
    assert service.has_run("", 2, date(2026, 1, 5))
    assert [r.outcome for r in service.list()] == ["ended_early", "completed"]
    with pytest.raises(ValueError):
        service.record_finished(name="x", started_at=started, planned_minutes=1, ended="missed")


def test_a_connection_factory_is_opened_per_call_and_closed(tmp_path: Path) -> None:
    opened: list[sqlite3.Connection] = []

    def factory() -> sqlite3.Connection:
        opened.append(connect(tmp_path / "deepworkzone.db"))
        return opened[-1]

    service = HistoryService(factory, ManualClock(), tz=UTC)
    service.record(done(utc(2026, 1, 5, 8)))
    assert len(service.list()) == 1
    assert len(opened) == 2
    with pytest.raises(sqlite3.ProgrammingError):
        opened[0].execute("SELECT 1")  # closed


# -- the service: stats ------------------------------------------------------------------


def test_stats_of_an_empty_history_list_every_day_with_zero(conn: sqlite3.Connection) -> None:
    service = HistoryService(conn, ManualClock(utc(2026, 1, 5, 8)), tz=PARIS)
    week = service.stats("week")
    assert (week.since, week.until) == (date(2025, 12, 30), date(2026, 1, 5))
    assert [d.focused_minutes for d in week.days] == [0] * 7
    assert (week.total_minutes, week.streak_days) == (0, 0)
    month = service.stats("month")
    assert len(month.days) == 30 and month.days[-1].day == date(2026, 1, 5)
    assert month.to_json()["days"][0] == {"date": "2025-12-07", "focused_minutes": 0}
    with pytest.raises(ValueError):
        service.stats("year")  # type: ignore[arg-type]


def test_a_week_with_the_spring_dst_change_uses_local_days(conn: sqlite3.Connection) -> None:
    # Paris moves from +01:00 to +02:00 on Sunday 2026-03-29 (a 23-hour day).
    store = HistoryStore(conn)
    store.record(done(utc(2026, 3, 28, 22, 30), 30))  # 23:30 Sat 28 (+01:00)
    store.record(done(utc(2026, 3, 28, 23, 30), 40))  # 00:30 Sun 29 (+01:00)
    store.record(done(utc(2026, 3, 29, 21, 30), 20))  # 23:30 Sun 29 (+02:00)
    store.record(done(utc(2026, 3, 29, 22, 30), 10))  # 00:30 Mon 30 (+02:00)
    store.record(done(utc(2026, 3, 31, 12, 0), 0, outcome="ended_early"))  # no focus: no day
    clock = ManualClock(utc(2026, 4, 1, 6))  # 08:00 Wed 1 April in Paris
    stats = HistoryService(conn, clock, tz=PARIS).stats("week")
    per_day = {d.day.isoformat(): d.focused_minutes for d in stats.days}
    assert per_day == {
        "2026-03-26": 0,
        "2026-03-27": 0,
        "2026-03-28": 30,
        "2026-03-29": 60,
        "2026-03-30": 10,
        "2026-03-31": 0,
        "2026-04-01": 0,
    }
    assert stats.total_minutes == 100
    assert stats.streak_days == 0  # Tuesday had no focus and neither has Wednesday yet
    # The same runs in UTC days: the 28th has both late runs.
    utc_stats = HistoryService(conn, clock, tz=UTC).stats("week", today=date(2026, 3, 30))
    assert [d.focused_minutes for d in utc_stats.days][-3:] == [70, 30, 0]
    # Listing by local day follows the same boundaries.
    assert [
        r.focused_minutes
        for r in HistoryService(conn, clock, tz=PARIS).list(date(2026, 3, 29), date(2026, 3, 29))
    ] == [40, 20]


def test_the_autumn_dst_change_is_a_25_hour_day(conn: sqlite3.Connection) -> None:
    store = HistoryStore(conn)
    store.record(done(utc(2026, 10, 24, 22, 30), 15))  # 00:30 Sun 25 (+02:00)
    store.record(done(utc(2026, 10, 25, 22, 30), 25))  # 23:30 Sun 25 (+01:00)
    stats = HistoryService(conn, ManualClock(utc(2026, 10, 26, 12)), tz=PARIS).stats("week")
    assert [d.focused_minutes for d in stats.days][-3:] == [0, 40, 0]
    assert stats.streak_days == 1  # Sunday; Monday has none yet


def test_the_streak_counts_back_from_today_or_yesterday_across_a_month_gap(
    conn: sqlite3.Connection,
) -> None:
    store = HistoryStore(conn)
    for day in (1, 2, 3):  # January 1-3, then a month without focus
        store.record(done(utc(2026, 1, day, 9), 25))
    for day in (10, 11, 12):  # February 10-12
        store.record(done(utc(2026, 2, day, 9), 25))
    clock = ManualClock(utc(2026, 2, 12, 20))
    service = HistoryService(conn, clock, tz=PARIS)
    assert service.stats("month").streak_days == 3
    clock.advance(days=1)  # Feb 13, nothing yet today: yesterday's streak still stands
    stats = service.stats("month")
    assert stats.streak_days == 3
    assert stats.total_minutes == 75  # the January days are outside the last 30 days
    clock.advance(days=1)  # Feb 14: a whole day without focus
    assert service.stats("week").streak_days == 0
    assert service.stats("week", today=date(2026, 1, 3)).streak_days == 3
    assert service.stats("week", today=date(2026, 1, 2)).streak_days == 2  # later runs ignored


def test_streak_rule() -> None:
    today = date(2026, 1, 10)
    days = {today - timedelta(days=n) for n in (1, 2, 3, 5)}
    assert streak(days, today) == 3
    assert streak(days | {today}, today) == 4
    assert streak(set(), today) == 0
    assert streak({today - timedelta(days=2)}, today) == 0
