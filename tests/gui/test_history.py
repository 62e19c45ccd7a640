"""History view: the chart per day and per week, the streak, the runs, and the CSV export
(the same bytes as `deepworkzone history --csv`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from deepworkzone.engine.history import csv_text
from deepworkzone.gui.views import history
from tests.gui.conftest import wait_for


def _runs(ctx: Any) -> None:
    h, now = ctx.engine.history, ctx.clock.now()
    for days_ago, minutes in ((0, 50), (1, 25), (2, 90), (9, 30)):
        start = now - timedelta(days=days_ago, hours=1)
        h.record_finished(
            name=f"Run {days_ago}",
            started_at=start,
            planned_minutes=minutes,
            ended_at=start + timedelta(minutes=minutes),
        )
    start = now - timedelta(days=3)
    h.record_finished(
        name="Cut short",
        started_at=start,
        planned_minutes=60,
        ended="ended_early",
        ended_at=start + timedelta(minutes=20),
        reason="a call",
    )
    h.record_missed(
        name="Slept in",
        session_id=4,
        occurrence=(now - timedelta(days=4)).date(),
        planned_minutes=45,
    )


def test_chart_streak_runs_and_csv(qtbot: Any, local_ctx: Any, tmp_path: Path) -> None:
    _runs(local_ctx)
    view = history.create(local_ctx)
    qtbot.addWidget(view)
    wait_for(qtbot, local_ctx)
    bars = view.chart.bars()
    assert len(bars) == 30 and [b.value for b in bars[-3:]] == [90, 25, 50]
    assert "4-day streak" in view.streak.text()  # today, yesterday, 2 and 3 days ago
    assert view.model.rowCount() == 6
    outcomes = {view.model.index(r, 4).data() for r in range(6)}
    assert {"Completed", "Ended early", "Missed"} <= outcomes
    reasons = {view.model.index(r, 5).data() for r in range(6)}
    assert "a call" in reasons

    view.per_week.click()
    weeks = view.chart.bars()
    assert 12 <= len(weeks) <= 13 and sum(b.value for b in weeks) == 50 + 25 + 90 + 30 + 20

    target = tmp_path / "out.csv"
    with qtbot.waitSignal(view.exported, timeout=10_000):
        view.export_to(str(target))
    assert target.read_bytes() == csv_text(local_ctx.engine.history.list()).encode()
    assert target.read_bytes().startswith(b"name,session_id,occurrence,started_at")


def test_a_finished_session_refreshes_the_view(qtbot: Any, local_ctx: Any) -> None:
    from deepworkzone.engine import events as ev

    view = history.create(local_ctx)
    qtbot.addWidget(view)
    wait_for(qtbot, local_ctx)
    assert view.model.rowCount() == 0 and "No streak" in view.streak.text()
    _runs(local_ctx)
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        local_ctx.engine.events.emit(ev.Ended("Run", None, "completed", 50))
    assert view.model.rowCount() == 6
