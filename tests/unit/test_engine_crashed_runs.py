"""What the history says of a run whose process died (kill -9, a crash, power loss).

Injected clock, real local store and hosts blocker (tests/unit/engine_harness.py).
"""

from __future__ import annotations

from datetime import timedelta

from deepworkzone.engine.recovery import recover_expired
from tests.unit.engine_harness import START, Harness, make_engine


def _crash(h: Harness) -> None:
    """What a kill -9 leaves: the journal and the blocks, naming a process that is gone."""
    h.engine.timers.shutdown()
    journal = h.engine.focus.journal
    data = journal.load()
    assert data is not None
    data["session"]["pid"] = 2**22 + 12345
    journal._write(data)


def test_a_run_resumed_after_a_crash_keeps_its_first_start() -> None:
    h = make_engine()
    sid = h.create(time="9:05 AM", duration=30)
    h.step(minutes=10)
    _crash(h)
    again = make_engine(start=h.clock.now() + timedelta(minutes=5))
    status = again.engine.focus.status()
    assert status is not None and status.started_at == START + timedelta(minutes=5)
    # Crashed again while resumed: the first start still holds.
    _crash(again)
    third = make_engine(start=again.clock.now() + timedelta(minutes=5))
    third.step(minutes=20)
    (run,) = third.engine.history.list()
    assert (run.session_id, run.outcome) == (sid, "completed")
    assert run.started_at == START + timedelta(minutes=5)
    assert (run.planned_minutes, run.focused_minutes) == (30, 30)


def test_a_crashed_run_restarted_after_its_end_is_ended_early_not_missed() -> None:
    h = make_engine()
    original = h.hosts.read_bytes()
    sid = h.create(time="9:05 AM", duration=30)
    h.step(minutes=10)
    _crash(h)
    again = make_engine(start=h.clock.now() + timedelta(hours=1))
    again.step(minutes=1)
    assert again.hosts.read_bytes() == original
    (run,) = again.engine.history.list()
    assert (run.session_id, run.outcome) == (sid, "ended_early")
    assert run.reason == "the app stopped during the session"
    assert run.started_at == START + timedelta(minutes=5)
    assert run.ended_at == START + timedelta(minutes=35)
    assert (run.planned_minutes, run.focused_minutes) == (30, 30)


def test_any_command_that_puts_a_crashed_run_back_records_it_once() -> None:
    h = make_engine()
    h.create(time="9:05 AM", duration=30)
    h.step(minutes=10)
    _crash(h)
    result = recover_expired(now=START + timedelta(hours=2))
    assert result is not None and result.complete
    assert recover_expired(now=START + timedelta(hours=2)) is None
    again = make_engine(start=START + timedelta(hours=2))
    again.step(minutes=1)
    (run,) = again.engine.history.list()
    assert run.outcome == "ended_early" and run.focused_minutes == 30
