"""Sessions start on time by themselves: the engine with an injected clock, in milliseconds.

Real local store, real hosts blocker on a private hosts file; only time is simulated.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from deepworkzone.core.settings import Settings
from deepworkzone.engine import events as ev
from deepworkzone.engine.errors import EngineError
from tests.unit.engine_harness import START, make_engine

BLOCKED = b"blocked.example"


def test_a_stored_session_starts_at_its_time_and_ends_on_time() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    sid = h.create(time="9:05 AM", duration=30)
    h.step(minutes=4, seconds=45)
    assert h.engine.focus.status() is None
    assert BLOCKED not in h.hosts.read_bytes()
    h.step(seconds=15)
    status = h.engine.focus.status()
    assert status is not None and status.session_id == sid
    assert status.ends_at == START + timedelta(minutes=35)
    assert BLOCKED in h.hosts.read_bytes()
    started = h.of(ev.Started)
    assert len(started) == 1 and started[0].late_by_seconds < 16
    h.step(minutes=29, seconds=45)
    assert h.engine.focus.status() is not None
    h.step(seconds=15)
    assert h.engine.focus.status() is None
    assert h.hosts.read_bytes() == original
    (ended,) = h.of(ev.Ended)
    assert (ended.reason, ended.focused_minutes) == ("completed", 30)
    (run,) = h.engine.history.list()
    assert (run.outcome, run.focused_minutes, run.session_id) == ("completed", 30, sid)
    # A one-off local session's status follows what happened.
    assert h.engine.sessions.get(sid).session.status == "completed"


def test_a_reminder_comes_before_the_start() -> None:
    h = make_engine()
    h.create(time="9:05 AM")
    h.step(minutes=2, seconds=45)
    assert h.of(ev.Reminder) == []
    h.step(seconds=15)
    (reminder,) = h.of(ev.Reminder)
    assert reminder.starts_at == START + timedelta(minutes=5)
    h.step(minutes=1)
    assert len(h.of(ev.Reminder)) == 1


def test_ask_first_asks_and_does_not_start() -> None:
    h = make_engine(settings=Settings(blocking_method="hosts", start_mode="ask"))
    h.create(time="9:05 AM")
    h.step(minutes=5)
    assert len(h.of(ev.StartRequested)) == 1
    assert h.engine.focus.status() is None
    h.step(minutes=5)
    assert len(h.of(ev.StartRequested)) == 1


def test_a_start_slept_through_runs_late_for_the_time_left() -> None:
    h = make_engine()
    h.create(time="9:05 AM", duration=60)
    h.sleep(minutes=20)  # wakes 15 minutes into the session
    status = h.engine.focus.status()
    assert status is not None
    assert status.ends_at == START + timedelta(minutes=65)
    (started,) = h.of(ev.Started)
    assert started.late_by_seconds == pytest.approx(15 * 60, abs=16)
    assert len(h.of(ev.ClockJumped)) == 1


def test_a_start_slept_through_with_too_little_left_is_missed() -> None:
    h = make_engine()
    sid = h.create(time="9:05 AM", duration=30)
    h.sleep(minutes=32)  # 3 minutes left, less than late_start_min_minutes
    assert h.engine.focus.status() is None
    (run,) = h.engine.history.list()
    assert (run.outcome, run.session_id) == ("missed", sid)
    (ended,) = h.of(ev.Ended)
    assert ended.reason == "missed"


def test_a_whole_session_slept_through_is_missed_once() -> None:
    h = make_engine()
    h.create(time="9:05 AM", duration=30)
    h.sleep(hours=3)
    h.step(minutes=5)
    runs = h.engine.history.list()
    assert [r.outcome for r in runs] == ["missed"]


def test_a_running_session_slept_through_its_end_ends_at_wake_up() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    h.create(time="9:05 AM", duration=30)
    h.step(minutes=6)
    assert h.engine.focus.status() is not None
    h.sleep(hours=2)
    assert h.engine.focus.status() is None
    assert h.hosts.read_bytes() == original
    (run,) = h.engine.history.list()
    assert (run.outcome, run.focused_minutes) == ("completed", 30)


def test_the_wall_clock_jumping_back_does_not_lengthen_a_session() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    h.create(time="9:05 AM", duration=30)
    h.step(minutes=5)
    assert h.engine.focus.status() is not None
    h.clock.jump(hours=-1)
    h.step(minutes=10)
    assert len(h.of(ev.ClockJumped)) == 1
    assert h.engine.focus.status() is not None
    h.step(minutes=20)  # 30 minutes of real (monotonic) time have passed
    assert h.engine.focus.status() is None
    assert h.hosts.read_bytes() == original


def test_a_daily_series_starts_every_day_at_local_time_across_dst() -> None:
    # Berlin switches to summer time on 2026-03-29: 09:05 local is 08:05 UTC, then 07:05 UTC.
    from datetime import UTC, datetime

    h = make_engine(start=datetime(2026, 3, 27, 8, 0, tzinfo=UTC))
    h.create(
        time="9:05 AM",
        duration=10,
        schedule="2026-03-27",
        is_recurring=1,
        occurrence="daily",
    )
    for _ in range(4 * 24 * 4):  # four days in 15-minute steps
        h.step(minutes=15)
    starts = [e.ends_at - timedelta(minutes=10) for e in h.of(ev.Started)]
    assert [s.strftime("%m-%d %H:%M") for s in starts] == [
        "03-27 08:05",
        "03-28 08:05",
        "03-29 07:05",
        "03-30 07:05",
        "03-31 07:05",
    ]
    assert [r.outcome for r in h.engine.history.list()] == ["completed"] * 5


def test_overlapping_sessions_join_union_of_blocks_latest_end_wins() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    first = h.create(time="9:05 AM", duration=30)
    second = h.create(
        name="Writing",
        time="9:20 AM",
        duration=30,
        website_blocker={"mode": "custom", "urls": ["other.example"]},
    )
    h.step(minutes=6)
    assert b"other.example" not in h.hosts.read_bytes()
    h.step(minutes=15)
    text = h.hosts.read_bytes()
    assert BLOCKED in text and b"other.example" in text
    assert h.engine.focus.status().ends_at == START + timedelta(minutes=50)
    h.step(minutes=30)
    assert h.engine.focus.status() is None
    assert h.hosts.read_bytes() == original
    runs = {r.session_id: r for r in h.engine.history.list()}
    assert runs[first].outcome == "completed"
    assert runs[second].outcome == "completed"


def test_strict_session_refuses_an_early_end_but_rations_an_emergency_exit() -> None:
    h = make_engine()
    blocker = {"mode": "custom", "urls": ["blocked.example"], "strict": True}
    h.create(time="9:05 AM", duration=30, website_blocker=blocker)
    h.step(minutes=6)
    with pytest.raises(EngineError) as refused:
        h.engine.focus.stop("bored")
    assert refused.value.code == "strict"
    ended = h.engine.focus.stop("family emergency", emergency=True)
    assert ended.reason == "emergency_exit"
    (run,) = h.engine.history.list()
    assert run.outcome == "ended_early" and run.emergency_exit
    h.create(time="10:00 AM", duration=30, website_blocker=blocker)
    h.step(hours=1)
    assert h.engine.focus.status() is not None
    with pytest.raises(EngineError) as used:
        h.engine.focus.stop("again", emergency=True)
    assert used.value.code == "emergency_exit_used"


def test_quitting_during_a_strict_session_keeps_the_block_and_the_next_start_resumes() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    h.create(
        time="9:05 AM",
        duration=30,
        website_blocker={"mode": "custom", "urls": ["blocked.example"], "strict": True},
    )
    h.step(minutes=6)
    h.engine.shutdown()
    assert BLOCKED in h.hosts.read_bytes()
    _pretend_owner_died(h)
    again = make_engine(start=h.clock.now())
    status = again.engine.focus.status()
    assert status is not None and status.here and status.strict
    assert status.ends_at == START + timedelta(minutes=35)
    again.step(minutes=30)
    assert again.hosts.read_bytes() == original


def _pretend_owner_died(h) -> None:
    """The journal names a process that is gone (what a kill -9 leaves)."""
    journal = h.engine.focus.journal
    data = journal.load()
    data["session"]["pid"] = 2**22 + 12345
    journal._write(data)


def test_a_strict_session_left_by_a_quit_is_not_lifted_by_unblock_or_a_quick_start() -> None:
    from deepworkzone.engine.requests import quick_request

    h = make_engine()
    original = h.hosts.read_bytes()
    h.create(
        time="9:05 AM",
        duration=30,
        website_blocker={"mode": "custom", "urls": ["blocked.example"], "strict": True},
    )
    h.step(minutes=6)
    h.engine.shutdown()
    _pretend_owner_died(h)
    other = make_engine(start=h.clock.now(), begin=False)
    with pytest.raises(EngineError) as refused:
        other.engine.focus.unblock()
    assert refused.value.code == "strict"
    with pytest.raises(EngineError) as pending:
        other.engine.start_focus(quick_request(10, urls=["x.example"]))
    assert pending.value.code == "strict_pending"
    assert BLOCKED in h.hosts.read_bytes()
    other.engine.focus.unblock(force=True)
    assert h.hosts.read_bytes() == original


def test_edits_through_the_engine_are_planned_at_once() -> None:
    from deepworkzone.domain.models import SessionUpdate

    h = make_engine()
    sid = h.create(time="9:05 AM", schedule="2026-03-02", is_recurring=1, occurrence="daily")
    assert h.engine.next_session().starts_at == START + timedelta(minutes=5)
    h.engine.sessions.update(sid, SessionUpdate(time="10:00 AM"))
    assert h.engine.next_session().starts_at == START + timedelta(hours=1)
    h.engine.sessions.delete(sid, START.date())
    assert h.engine.next_session().starts_at == START + timedelta(days=1, hours=1)
    h.engine.sessions.delete(sid)
    assert h.engine.next_session() is None


def test_the_block_preview_is_what_the_plan_would_do() -> None:
    from deepworkzone.engine.block_preview import preview

    custom = preview([], ["blocked.example"], "custom", "hosts")
    assert (custom.method, custom.hosts_domains) == ("hosts", ("blocked.example",))
    allow = preview([], ["docs.python.org"], "allowlist", "hosts")
    assert allow.method == "proxy" and allow.allowlist_only
    assert allow.allowed == ("docs.python.org",)
    with pytest.raises(ValueError):
        preview([], ["not a domain!"], "custom", "hosts")
