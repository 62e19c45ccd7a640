"""The Today view: the next days grouped by local day, recurring occurrences on the right
days, statuses from the history, and the recurring delete choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deepworkzone.engine.history import local_zone
from tests.gui.conftest import wait_for
from tests.gui.shell_helpers import create


def _view(qtbot: Any, ctx: Any) -> Any:
    from deepworkzone.gui.views.today import create as make

    view = make(ctx)
    qtbot.addWidget(view)
    view.resize(800, 600)
    wait_for(qtbot, ctx)
    return view


def test_a_weekly_session_shows_on_its_days(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    today = ctx.clock.now().astimezone(local_zone()).date()  # a Monday
    sid = create(
        ctx,
        name="Writing",
        time="3:00 PM",
        is_recurring=1,
        occurrence="weekly",
        recurring_days=[1, 3, 5],  # ISO: Monday, Wednesday, Friday
        recurring_start=today.isoformat(),
        snooze_enabled=True,
        snooze_apps={"slack": True},
    )
    create(ctx, name="One-off", schedule=(today + timedelta(days=1)).isoformat(), time="10:00 AM")
    view = _view(qtbot, ctx)
    days = view.model.days()
    assert [d.day for d in days] == [today + timedelta(days=i) for i in range(8)]
    writing = {d.day: [r for r in d.rows if r.occurrence.session_id == sid] for d in days}
    assert [day.isoweekday() for day, rows in writing.items() if rows] == [1, 3, 5, 1]
    row = writing[today][0]
    assert row.status == "upcoming" and row.recurring
    assert row.blocks == "blocked.example" and row.snoozes == "Slack"
    assert [r.occurrence.name for r in days[1].rows] == ["One-off"]
    # The tree shows one top-level row per day, each with its sessions.
    assert view.model.rowCount() == 8
    assert view.model.rowCount(view.model.index(0, 0)) == 1
    view.grab()  # the delegate paints every row without a warning


def test_a_run_marks_its_row_and_start_now_runs_it(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    ctx.engine.start(sync=False)
    sid = create(ctx, name="Now", time="8:30 AM")
    view = _view(qtbot, ctx)
    assert view.select((sid, ctx.clock.now().date()))
    assert view.buttons["start"].isEnabled()
    view.buttons["start"].click()
    wait_for(qtbot, ctx)
    assert ctx.engine.focus.status().session_id == sid
    view.refresh()
    wait_for(qtbot, ctx)
    assert view.current_row().status == "running"
    ctx.engine.focus.stop("done for now")
    view.refresh()
    wait_for(qtbot, ctx)
    assert view.current_row().status == "ended_early"


def test_deleting_one_occurrence_of_a_series_keeps_the_others(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    today = ctx.clock.now().astimezone(local_zone()).date()
    sid = create(
        ctx, name="Daily", is_recurring=1, occurrence="daily", recurring_start=today.isoformat()
    )
    view = _view(qtbot, ctx)
    tomorrow = today + timedelta(days=1)
    assert view.select((sid, tomorrow))
    asked: list[Any] = []
    view.ask_delete = lambda row: asked.append(row) or row.occurrence.day  # "This occurrence"
    view.delete()
    wait_for(qtbot, ctx)
    wait_for(qtbot, ctx)
    days = {d.day: d.rows for d in view.model.days()}
    assert asked and asked[0].recurring
    assert days[tomorrow] == ()
    assert len(days[today]) == 1 and len(days[today + timedelta(days=2)]) == 1
    # "Whole series": every row goes.
    view.select((sid, today))
    view.ask_delete = lambda row: None
    view.delete()
    wait_for(qtbot, ctx)
    wait_for(qtbot, ctx)
    assert view.model.rows() == []


def test_delete_asks_the_one_confirm_delete_question(
    qtbot: Any, local_ctx: Any, monkeypatch: Any
) -> None:
    """The Today view asks dialogs/confirm.py's question (one place for the rule), and maps
    its answer to the engine's delete."""
    from deepworkzone.gui.dialogs import confirm

    ctx = local_ctx
    today = ctx.clock.now().date()
    create(ctx, name="Daily", is_recurring=1, occurrence="daily", recurring_start=today.isoformat())
    create(ctx, name="Once", time="11:00 AM")
    view = _view(qtbot, ctx)
    assert not hasattr(view, "delete_box")
    daily, once = sorted(view.model.days()[0].rows, key=lambda r: r.occurrence.name)
    asked: list[Any] = []
    answers = iter(["occurrence", "series", None])

    def fake(parent: Any, session: Any, occurrence: Any) -> Any:
        asked.append((parent, session.name, occurrence))
        return next(answers)

    monkeypatch.setattr(confirm, "confirm_delete", fake)
    assert view.ask_delete(daily) == daily.occurrence.day
    assert view.ask_delete(once) is None
    assert view.ask_delete(once) is False
    assert asked[0] == (view, "Daily", daily.occurrence.day)
