"""Settings: values round trip through core.settings (the theme too, moved over from the
window's QSettings once); sign in to the
real server with a token and out again; errors shown in the dialog."""

from __future__ import annotations

from typing import Any

from deepworkzone.core.settings import load_settings
from deepworkzone.engine import account
from deepworkzone.gui import theme
from deepworkzone.gui.dialogs.settings import open_settings
from deepworkzone.gui.main_window import window_settings
from tests.gui.conftest import wait_for


def _dialog(qtbot: Any, ctx: Any, page: str = "account") -> Any:
    dialog = open_settings(ctx, None, page)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for(qtbot, ctx)
    return dialog


def test_settings_round_trip(qtbot: Any, local_ctx: Any) -> None:
    d = _dialog(qtbot, local_ctx, "blocking")
    assert d.tabs.currentWidget() is d.blocking
    assert sorted(d.blocking.categories.selected()) == ["social-media", "video"]  # the defaults
    d.blocking.method.setCurrentIndex(d.blocking.method.findData("both"))
    d.blocking.categories.set_selected(["gaming", "news"])
    d.reminders.reminder.setValue(10)
    d.reminders.start_mode.setCurrentIndex(d.reminders.start_mode.findData("ask"))
    d.appearance.theme.setCurrentIndex(d.appearance.theme.findData("light"))
    with qtbot.waitSignal(d.saved, timeout=10_000):
        d.buttons.button(d.buttons.StandardButton.Ok).click()
    saved = load_settings()
    assert (saved.blocking_method, saved.reminder_minutes, saved.start_mode) == ("both", 10, "ask")
    assert sorted(saved.default_categories) == ["gaming", "news"]
    assert saved.theme == "light" and theme.setting() == "light"
    assert not window_settings().contains(theme.OLD_THEME_KEY)
    assert local_ctx.engine.settings.reminder_minutes == 10  # the running engine follows

    again = _dialog(qtbot, local_ctx)
    assert again.blocking.method.currentData() == "both"
    assert sorted(again.blocking.categories.selected()) == ["gaming", "news"]
    assert (again.reminders.reminder.value(), again.reminders.start_mode.currentData()) == (
        10,
        "ask",
    )
    assert again.appearance.theme.currentData() == "light"


def test_sign_in_with_a_token_and_out(qtbot: Any, local_ctx: Any, live_server: Any) -> None:
    token = live_server.create_user("me@acme.test")
    d = _dialog(qtbot, local_ctx)
    assert d.account.local.isChecked() and "Local only" in d.account.status.text()
    d.account.remote.setChecked(True)
    d.account.server.setText(live_server.url)
    d.account.token.setText("not-a-token")
    d.account.sign_in_button.click()
    wait_for(qtbot, local_ctx)
    assert not d.message.isHidden() and d.message.text()  # refused: said in the dialog
    assert account.default_server() is None
    d.account.token.setText(token)
    with qtbot.waitSignal(d.account_changed, timeout=10_000):
        d.account.sign_in_button.click()
    wait_for(qtbot, local_ctx)
    assert account.default_server() == live_server.url
    assert d.account.remote.isChecked() and d.account.sign_out_button.isEnabled()
    with qtbot.waitSignal(d.account_changed, timeout=10_000):
        d.account.sign_out_button.click()
    wait_for(qtbot, local_ctx)
    assert account.default_server() is None and d.account.local.isChecked()


def test_connections_page_shows_status(qtbot: Any, local_ctx: Any) -> None:
    d = _dialog(qtbot, local_ctx, "connections")
    assert d.connections.status["slack"].text().startswith("no")
    assert not d.connections.disconnect_buttons["teams"].isEnabled()


def test_escape_closes(qtbot: Any, local_ctx: Any) -> None:
    from PySide6.QtCore import Qt

    d = _dialog(qtbot, local_ctx)
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert not d.isVisible()


def test_a_theme_kept_in_the_window_settings_moves_to_core_settings(qtbot: Any) -> None:
    qs = window_settings()
    qs.setValue(theme.OLD_THEME_KEY, "dark")
    assert load_settings().theme == "system"
    theme.migrate_window_theme(qs)
    assert load_settings().theme == "dark" and theme.setting() == "dark"
    assert not window_settings().contains(theme.OLD_THEME_KEY)
    # A choice already in core settings wins over a stale window key.
    qs.setValue(theme.OLD_THEME_KEY, "light")
    theme.migrate_window_theme(qs)
    assert load_settings().theme == "dark"
