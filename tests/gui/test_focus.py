"""The focus view on a real engine with a manual clock: start, extend and end; the ring
shows the time left from the end time; strict mode offers only the emergency exit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.gui.conftest import wait_for
from tests.gui.shell_helpers import step


def _view(qtbot: Any, ctx: Any) -> Any:
    from deepworkzone.gui.views.focus import create as make

    ctx.engine.start(sync=False)
    view = make(ctx)
    qtbot.addWidget(view)
    view.resize(900, 600)
    wait_for(qtbot, ctx)
    return view


def _settle(qtbot: Any, ctx: Any) -> None:
    # An action's bridge call, then the refresh its event triggers.
    for _ in range(3):
        wait_for(qtbot, ctx)
        qtbot.wait(20)


def test_start_extend_and_end_early(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    view = _view(qtbot, ctx)
    assert view.stack.currentIndex() == 0 and not view.running
    view.quick_buttons[25].click()
    _settle(qtbot, ctx)
    assert view.running and view.stack.currentIndex() == 1
    hosts = Path(os.environ["DEEPWORKZONE_HOSTS_FILE"]).read_text()
    assert "deepworkzone" in hosts.lower()  # the real hosts blocker wrote its section
    assert view.ring.text() == "25:00"
    # The ring reads the end time: a minute of wall time with no tick counted.
    ctx.clock.advance(61)
    assert view.ring.text() == "23:59"
    view.extend_buttons["5"].click()
    _settle(qtbot, ctx)
    assert view.ring.text() == "28:59"
    assert "Blocking" in view.blocks_label.text()
    view.ask_minutes = lambda: 10
    view.extend_buttons["custom"].click()
    _settle(qtbot, ctx)
    assert view.ring.text() == "38:59"
    assert view.end_button.isVisibleTo(view) and not view.emergency_button.isVisibleTo(view)
    view.ask_reason = lambda: "a call"
    view.end_button.click()
    _settle(qtbot, ctx)
    assert not view.running and view.stack.currentIndex() == 0
    runs = ctx.engine.history.list()
    assert [(r.outcome, r.reason) for r in runs] == [("ended_early", "a call")]
    assert "deepworkzone" not in Path(os.environ["DEEPWORKZONE_HOSTS_FILE"]).read_text().lower()


def test_a_session_ends_by_itself_at_its_end_time(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    view = _view(qtbot, ctx)
    view.quick_start(25)
    _settle(qtbot, ctx)
    assert view.running
    step(ctx, 25 * 60 + 1)
    _settle(qtbot, ctx)
    assert not view.running
    assert [r.outcome for r in ctx.engine.history.list()] == ["completed"]


def test_strict_mode_hides_end_early_and_offers_the_emergency_exit(
    qtbot: Any, local_ctx: Any
) -> None:
    from deepworkzone.engine.requests import quick_request

    ctx = local_ctx
    view = _view(qtbot, ctx)
    ctx.engine.start_focus(quick_request(50, strict=True, settings=ctx.engine.settings))
    _settle(qtbot, ctx)
    assert view.running
    assert not view.end_button.isVisibleTo(view)
    assert view.emergency_button.isVisibleTo(view)
    assert "Strict" in view.note_label.text()
    view.confirm_emergency = lambda: True
    view.emergency_button.click()
    _settle(qtbot, ctx)
    assert not view.running
    assert ctx.engine.history.list()[0].emergency_exit


def test_blocked_attempts_count_live(qtbot: Any, local_ctx: Any) -> None:
    from deepworkzone.engine import events as ev

    ctx = local_ctx
    view = _view(qtbot, ctx)
    view.quick_start(25)
    _settle(qtbot, ctx)
    for n in (1, 2, 3):
        ctx.engine.events.emit(ev.BlockedHit("site", "reddit.com", n))
    _settle(qtbot, ctx)
    assert view.hits_label.text() == "Blocked attempts: 3"


def test_the_mini_timer_stays_on_top(qtbot: Any, local_ctx: Any) -> None:
    from PySide6.QtCore import Qt

    ctx = local_ctx
    view = _view(qtbot, ctx)
    view.quick_start(25)
    _settle(qtbot, ctx)
    assert view.mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert view.mini.ring.text() == "25:00"
