"""The main window and the tray: quick starts from the tray, the offline banner from a sync
event, close-to-tray, and the window's state remembered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deepworkzone.engine import events as ev
from tests.gui.conftest import wait_for


@pytest.fixture(autouse=True)
def offscreen_noise() -> Any:
    """The offscreen platform cannot raise windows or hint their size; those notes are
    about the test platform, not the app. Every other message still reaches the
    fail-on-warning handler."""
    from PySide6.QtCore import qInstallMessageHandler

    noise = ("This plugin does not support", "systemTrayWindowChanged")
    previous = None

    def handler(kind: Any, context: Any, message: str) -> None:
        if not any(n in message for n in noise) and previous is not None:
            previous(kind, context, message)

    previous = qInstallMessageHandler(handler)
    yield
    qInstallMessageHandler(previous)


@pytest.fixture
def shell(qtbot: Any, local_ctx: Any) -> Any:
    from PySide6.QtWidgets import QApplication

    from deepworkzone.gui.app import Shell

    engine = local_ctx.engine
    engine.start(sync=False)
    made = Shell(QApplication.instance(), engine, tray=True, start_engine=False)
    qtbot.addWidget(made.window)
    yield made
    made.ctx.bridge.wait()
    made.tray.hide()


def _settle(qtbot: Any, ctx: Any) -> None:
    for _ in range(3):
        wait_for(qtbot, ctx)
        qtbot.wait(20)


def test_tray_quick_start_and_time_left(qtbot: Any, shell: Any) -> None:
    ctx = shell.ctx
    tray = shell.tray
    tray.rebuild()
    assert {"quick25", "quick50", "quick90", "open", "quit"} <= set(tray.actions)
    tray.actions["quick50"].trigger()
    _settle(qtbot, ctx)
    status = ctx.engine.focus.status()
    assert status is not None and status.alive
    assert round((status.ends_at - ctx.clock.now()).total_seconds() / 60) == 50
    assert list(status.categories) == list(ctx.engine.settings.default_categories)
    tray.update_icon()
    assert tray.icon.toolTip() == "Focus: 50 min left"
    tray.rebuild()  # while running: the header line instead of quick starts
    assert "quick25" not in tray.actions
    assert shell.window.current_view() == "focus"  # a start shows the focus view
    ctx.engine.focus.stop()
    _settle(qtbot, ctx)
    tray.update_icon()
    assert "no session running" in tray.icon.toolTip()


def test_tray_shows_the_next_session(qtbot: Any, shell: Any) -> None:
    from tests.gui.shell_helpers import create

    ctx = shell.ctx
    create(ctx, name="Planning", time="11:00 AM")
    ctx.live.refresh()
    _settle(qtbot, ctx)
    shell.tray.rebuild()
    texts = [a.text() for a in shell.tray.menu.actions()]
    assert any(t.startswith("Next: Planning at") for t in texts)


def test_offline_banner_on_a_sync_event(qtbot: Any, shell: Any) -> None:
    window = shell.window
    assert window.banner.isHidden()
    since = datetime(2026, 11, 16, 7, 42, tzinfo=UTC)
    shell.engine.events.emit(ev.SyncState(online=False, offline_since=since, outbox=3))
    _settle(qtbot, shell.ctx)
    assert not window.banner.isHidden()
    hhmm = since.astimezone().strftime("%H:%M")
    assert window.banner.label.text() == f"Offline since {hhmm}, 3 edits waiting"
    assert window.sync_label.text() == "Offline"
    shell.engine.events.emit(ev.SyncState(online=True))
    _settle(qtbot, shell.ctx)
    assert window.banner.isHidden()


def test_closing_the_window_keeps_the_app_in_the_tray(qtbot: Any, shell: Any) -> None:
    window = shell.window
    window.show()
    qtbot.waitExposed(window)
    window.close()
    assert not window.isVisible()
    assert not shell.quitting
    shell.tray.actions["open"].trigger()
    assert window.isVisible()


def test_the_window_remembers_its_view_and_size(qtbot: Any, shell: Any) -> None:
    from deepworkzone.gui.main_window import MainWindow

    window = shell.window
    window.resize(700, 500)
    window.show_view("history")
    window._save()
    again = MainWindow(shell.ctx, request_quit=lambda: None)
    qtbot.addWidget(again)
    assert again.current_view() == "history"
    assert again.size().width() == 700


def test_views_open_from_the_sidebar_and_shortcuts(qtbot: Any, shell: Any) -> None:
    from deepworkzone.gui.main_window import VIEWS

    window = shell.window
    for key, *_ in VIEWS:
        widget = window.show_view(key)
        assert window.stack.currentWidget() is widget
    shortcuts = {a.text(): a.shortcut().toString() for a in window.actions()}
    assert shortcuts["&New Session…"] == "Ctrl+N"
    assert shortcuts["&Settings…"] == "Ctrl+,"
    assert shortcuts["&Quit"] == "Ctrl+Q"
    assert shortcuts["Search"] == "Ctrl+F"


def test_quit_asks_while_a_session_runs_and_says_strict_keeps_blocks(
    qtbot: Any, shell: Any, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from deepworkzone.engine.requests import quick_request

    ctx = shell.ctx
    ctx.engine.start_focus(quick_request(25, strict=True, settings=ctx.engine.settings))
    ctx.live.refresh()
    _settle(qtbot, ctx)
    asked: list[str] = []

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", question)
    assert shell.window.confirm_quit() is False
    assert "strict session" in asked[0] and "keeps its blocks" in asked[0]
