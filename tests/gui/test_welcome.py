"""First run: the welcome offers local use at once or a server (the real one on loopback),
shows what this computer offers for blocking (the doctor's machine checks), and is shown once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from deepworkzone.engine import account
from deepworkzone.engine.helper_status import HelperStatus
from deepworkzone.gui.dialogs.welcome import MACHINE_CHECKS, WelcomeDialog, should_welcome
from tests.gui.conftest import wait_for


def _settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


def _dialog(qtbot: Any, ctx: Any, settings: QSettings) -> WelcomeDialog:
    dialog = WelcomeDialog(ctx, None, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for(qtbot, ctx)
    return dialog


def test_local_use_at_once_and_shown_only_once(qtbot: Any, local_ctx: Any, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert should_welcome(settings)
    dialog = _dialog(qtbot, local_ctx, settings)
    # What this computer offers: one row per machine check, in words.
    assert [c.id for c in dialog.report.checks] == list(MACHINE_CHECKS)
    names = [w.accessibleName() for w in dialog._rows if w.accessibleName()]
    assert len(names) == len(MACHINE_CHECKS)
    assert any(n.startswith(dialog.report.get("hosts_file").title) for n in names)
    assert dialog.local_button.isDefault()
    dialog.local_button.click()
    assert not dialog.isVisible()
    assert not should_welcome(settings)  # remembered: not shown at the next start
    assert account.default_server() is None  # local only: no server was set


def test_connecting_a_server_from_the_welcome(
    qtbot: Any, local_ctx: Any, live_server: Any, tmp_path: Path
) -> None:
    token = live_server.create_user("new@acme.test")
    dialog = _dialog(qtbot, local_ctx, _settings(tmp_path))
    assert not dialog.server_box.isVisibleTo(dialog)
    dialog.server_button.click()
    assert dialog.server_box.isVisibleTo(dialog)
    dialog.sign_in_button.click()  # nothing typed: said, not sent
    assert "address" in dialog.message.text()
    qtbot.keyClicks(dialog.server, live_server.url)
    qtbot.keyClicks(dialog.token, "dwz_not-a-real-token")
    dialog.sign_in_button.click()
    wait_for(qtbot, local_ctx)
    assert dialog.isVisible() and dialog.message.text()  # refused, in words
    assert "Traceback" not in dialog.message.text()
    dialog.token.clear()
    qtbot.keyClicks(dialog.token, token)
    with qtbot.waitSignal(dialog.account_changed, timeout=10_000):
        qtbot.keyClick(dialog.token, "\r")
    wait_for(qtbot, local_ctx)
    assert not dialog.isVisible()
    from deepworkzone.core.settings import load_settings

    assert load_settings().server_url == live_server.url


def test_settings_offer_the_helper_setup_only_where_it_is_needed(
    qtbot: Any, local_ctx: Any
) -> None:
    from deepworkzone.gui.dialogs.settings import open_settings

    dialog = open_settings(local_ctx, None, "blocking")
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for(qtbot, local_ctx)
    page = dialog.blocking
    assert not page.setup_button.isVisibleTo(page)  # the hosts file is writable here
    page.set_helper(HelperStatus(False, True, None, sentence="needs setting up once"))
    assert page.setup_button.isVisibleTo(page)
    page.set_helper(HelperStatus(True, True, "/usr/libexec/deepworkzone/deepworkzone-helper"))
    assert not page.setup_button.isVisibleTo(page)
