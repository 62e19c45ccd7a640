"""The shell's wiring: Search opens the editor, signing in builds the engine again for the
server, edits refresh every open view, and "ask before starting" asks (Start / Skip) in a
notification with actions or, where there are none, in a non-modal prompt in the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deepworkzone.engine import account
from deepworkzone.engine.history import local_zone
from tests.fakes.fake_notifications import FakeNotificationServer
from tests.fakes.session_bus import private_session_bus
from tests.gui.conftest import make_ctx, wait_for
from tests.gui.shell_helpers import create, step
from tests.gui.test_window_tray import offscreen_noise  # noqa: F401 (autouse fixture)


def _engine_factory(clock: Any, **settings: Any) -> Any:
    def make() -> Any:
        from deepworkzone.engine.sessions_service import open_sessions

        return make_ctx(open_sessions(), clock, **settings).engine

    return make


def _shell(qtbot: Any, engine: Any, clock: Any, **kwargs: Any) -> Any:
    from PySide6.QtWidgets import QApplication

    from deepworkzone.gui.app import Shell

    engine.start(sync=False)
    shell = Shell(
        QApplication.instance(),
        engine,
        tray=True,
        start_engine=False,
        make_engine=_engine_factory(clock),
        **kwargs,
    )
    # pytest-qt closes widgets before fixtures tear down: settle first, window still there.
    qtbot.addWidget(shell.window, before_close_func=lambda _w: _close(qtbot, shell))
    return shell


@pytest.fixture
def shell(qtbot: Any, local_ctx: Any, gui_clock: Any) -> Any:
    made = _shell(qtbot, local_ctx.engine, gui_clock)
    yield made
    if made.engine is not local_ctx.engine:
        made.engine.shutdown()


def _close(qtbot: Any, shell: Any) -> None:
    """Every callback delivered while the window is still there; then no engine event (the
    engine's shutdown ends a running session) reaches a window that is going away."""
    _settle(qtbot, shell.ctx)
    shell.ctx.signals.detach()
    shell.ctx.bridge.cancel_all()
    shell.tray.hide()


def _settle(qtbot: Any, ctx: Any) -> None:
    for _ in range(3):
        wait_for(qtbot, ctx)
        qtbot.wait(20)


def test_search_opens_the_editor_for_its_session(qtbot: Any, shell: Any) -> None:
    from deepworkzone.gui.dialogs.editor import SessionEditor

    ctx = shell.ctx
    sid = create(ctx, name="Write the report")
    search = shell.window.show_view("search")
    search.refresh()
    _settle(qtbot, ctx)
    session = ctx.engine.sessions.get(sid).session
    search.open_session.emit(session)
    dialog = shell.window.dialog
    assert isinstance(dialog, SessionEditor) and dialog.isVisible()
    assert dialog.general.name.text() == "Write the report"
    _settle(qtbot, ctx)
    # A delete from the editor refreshes the views too.
    with qtbot.waitSignal(ctx.signals.sessions_changed, timeout=2_000):
        dialog.deleted.emit((sid, "series"))
    dialog.reject()


def test_file_menu_opens_the_editor_and_settings(qtbot: Any, shell: Any) -> None:
    from deepworkzone.gui.dialogs.editor import SessionEditor
    from deepworkzone.gui.dialogs.settings import SettingsDialog

    shell.window.new_session()
    assert isinstance(shell.window.dialog, SessionEditor) and shell.window.dialog.isVisible()
    shell.window.dialog.reject()
    shell.window.open_settings()
    assert isinstance(shell.window.dialog, SettingsDialog) and shell.window.dialog.isVisible()
    _settle(qtbot, shell.ctx)
    shell.window.dialog.reject()


def test_a_delete_in_today_refreshes_search(qtbot: Any, shell: Any, monkeypatch: Any) -> None:
    from deepworkzone.gui.dialogs import confirm

    ctx = shell.ctx
    sid = create(ctx, name="Going away")
    search = shell.window.show_view("search")
    search.refresh()
    today = shell.window.show_view("today")
    today.refresh()  # made with the window, before the session was
    _settle(qtbot, ctx)
    assert search.model.rowCount() == 1
    assert today.select((sid, ctx.clock.now().astimezone(local_zone()).date()))
    monkeypatch.setattr(confirm, "confirm_delete", lambda *_a: "series")
    with qtbot.waitSignal(search.loaded, timeout=10_000):
        today.delete()
    _settle(qtbot, ctx)
    assert search.model.rowCount() == 0
    assert today.model.rows() == []


def test_signing_in_builds_the_engine_again_for_the_server(
    qtbot: Any, shell: Any, live_server: Any
) -> None:
    ctx = shell.ctx
    old = ctx.engine
    assert not old.sessions.can("sync")
    assert shell.window.sync_label.text() == "Local only"
    account.login(live_server.url, live_server.create_user("me@acme.test"))
    dialog = shell.window.open_settings()
    _settle(qtbot, ctx)
    dialog.account_changed.emit()
    qtbot.waitUntil(lambda: shell.swaps == 1, timeout=15_000)
    _settle(qtbot, ctx)
    assert ctx.engine is shell.engine is not old
    assert ctx.engine.sessions.can("sync") and ctx.live.engine is ctx.engine
    assert not old._started and ctx.engine._started
    assert shell.window.sync_label.text() == "Online"
    # Engine events now come from the new engine's bus.
    seen: list[Any] = []
    ctx.signals.any_event.connect(seen.append)
    ctx.engine.sync_now()
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    dialog.reject()
    # Signing out: local only again.
    account.logout()
    shell.window.account_changed.emit()
    qtbot.waitUntil(lambda: shell.swaps == 2, timeout=15_000)
    assert not ctx.engine.sessions.can("sync")
    assert shell.window.sync_label.text() == "Local only"


def _ask_first(qtbot: Any, shell: Any) -> int:
    ctx = shell.ctx
    ctx.engine.settings.start_mode = "ask"
    ctx.engine.scheduler.settings.auto_start = False
    sid = create(ctx, name="Ask me first")  # 9:05 UTC today; the clock is at 8:00
    step(ctx, 65 * 60 + 5)
    _settle(qtbot, ctx)
    return sid


def test_ask_first_without_actions_asks_in_the_window(qtbot: Any, shell: Any) -> None:
    ctx = shell.ctx
    sid = _ask_first(qtbot, shell)
    prompt = shell.notifier.prompt
    assert not prompt.isHidden() and "Ask me first" in prompt.label.text()
    assert shell.window.isAncestorOf(prompt)
    assert ctx.engine.focus.status() is None or not ctx.engine.focus.status().alive
    prompt.start_button.click()
    _settle(qtbot, ctx)
    assert ctx.engine.focus.status().session_id == sid
    assert prompt.isHidden()


def test_skip_in_the_window_prompt_skips_that_occurrence(qtbot: Any, shell: Any) -> None:
    ctx = shell.ctx
    sid = _ask_first(qtbot, shell)
    prompt = shell.notifier.prompt
    assert not prompt.isHidden()
    prompt.skip_button.click()
    _settle(qtbot, ctx)
    assert prompt.isHidden()
    day = ctx.clock.now().date()
    assert (sid, day) in ctx.engine.scheduler._handled
    step(ctx, 60)
    _settle(qtbot, ctx)
    assert prompt.isHidden()  # not asked again


def test_a_reminder_offers_start_and_skip_where_notifications_have_actions(
    qtbot: Any, local_ctx: Any, gui_clock: Any, tmp_path: Path
) -> None:
    """The desktop's notification server on a private session bus (a real dbus-daemon):
    the reminder's buttons are its buttons, and its clicks start or skip."""
    from deepworkzone.gui.desktop_actions import DesktopActions

    with private_session_bus(tmp_path) as (address, _), FakeNotificationServer(address) as srv:
        shell = _shell(qtbot, local_ctx.engine, gui_clock)
        desktop = DesktopActions(shell.ctx.bridge, address=address)
        desktop.open()
        qtbot.waitUntil(lambda: desktop.opened, timeout=5000)
        shell.notifier.actions = desktop
        try:
            _reminder_flow(qtbot, shell, srv)
        finally:
            desktop.close()
            shell.ctx.bridge.wait()


def _reminder_flow(qtbot: Any, shell: Any, srv: FakeNotificationServer) -> None:
    def titled(title: str) -> Any:
        qtbot.waitUntil(lambda: any(n.title == title for n in srv.shown), timeout=5000)
        return [n for n in srv.shown if n.title == title][-1]

    def click(shown: Any, label: str) -> None:
        [key] = [k for k, text in shown.actions if text == label]
        srv.click(shown, key)

    ctx = shell.ctx
    sid = create(ctx, name="Reminded")  # 9:05; reminder 2 minutes before
    step(ctx, 63 * 60 + 5)
    _settle(qtbot, ctx)
    reminder = titled("Starting soon")
    assert "Reminded" in reminder.body and reminder.app_name == "Deep Work Zone"
    assert [text for key, text in reminder.actions if key != "default"] == ["Start now", "Skip"]
    click(reminder, "Skip")
    _settle(qtbot, ctx)
    step(ctx, 3 * 60)  # past its start: skipped, so not started
    _settle(qtbot, ctx)
    status = ctx.engine.focus.status()
    assert status is None or status.session_id != sid
    # "Ask first": the notification's buttons, and the window's question beside them.
    ctx.engine.scheduler.settings.auto_start = False
    other = create(ctx, name="Later", time="9:30 AM")
    step(ctx, 24 * 60)  # 9:30:05: its reminder, then its start
    _settle(qtbot, ctx)
    due = titled("Time to focus")
    assert "Later" in due.body
    assert not shell.notifier.prompt.isHidden()  # asked in the window as well
    click(due, "Start")
    _settle(qtbot, ctx)
    qtbot.waitUntil(
        lambda: getattr(ctx.engine.focus.status(), "session_id", None) == other, timeout=5000
    )
    assert shell.notifier.prompt.isHidden()  # answered in one place: gone from both
    started = titled("Focus started")  # plain notifications go to the desktop too
    assert "Later" in started.body and started.actions == []
