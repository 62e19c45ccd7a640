"""Settings: account, blocking (with start at login), connections, reminders, theme.

Every read and write of core.settings, the keyring and the server goes through the bridge.
Everything, the theme included, lives in core.settings, shared with the CLI and the agent
(gui/theme.py reads the theme from there and moves an older window-settings choice over).
Errors appear in the dialog's message line, never as a traceback.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.core.settings import Settings, load_settings, save_settings
from deepworkzone.engine import account, autostart, catalog, connections, helper_status
from deepworkzone.gui.dialogs.field_errors import FieldErrors, error_label, pydantic_fields
from deepworkzone.gui.dialogs.settings_pages import (
    AccountPage,
    AppearancePage,
    BlockingPage,
    ConnectionsPage,
    RemindersPage,
)
from deepworkzone.gui.setup_flow import offer_setup
from deepworkzone.gui.widgets.coverage_panel import CoveragePanel

PAGES = ("account", "blocking", "coverage", "connections", "reminders", "appearance")
FIELDS = (
    "blocking_method",
    "default_categories",
    "default_urls",
    "default_allow",
    "reminder_minutes",
    "start_mode",
    "theme",
)
SITE_FIELDS = ("default_urls", "default_allow")  # checked before saving, errors by the field


def read_settings() -> dict[str, Any]:
    """What the pages show, from disk (a worker thread: it reads files and the keyring)."""
    settings = load_settings()
    out = {name: getattr(settings, name) for name in FIELDS}
    out["server_url"] = account.default_server()
    out["local_count"] = account.local_session_count()
    out["autostart"] = autostart.status()
    return out


def write_settings(values: dict[str, Any]) -> Any:
    """Only the fields this dialog owns are changed; the rest of the file is kept.
    ``values["autostart"]``, when there, turns the login entry on or off."""
    settings = load_settings()
    for name in FIELDS:
        if name in values:
            setattr(settings, name, values[name])  # validate_assignment: a bad value raises
    save_settings(settings)
    if "autostart" in values:
        autostart.set_enabled(bool(values["autostart"]))
    return settings


class SettingsDialog(QDialog):
    account_changed = Signal()  # signed in or out: the shell builds its engine again
    saved = Signal(object)  # the core Settings as written

    def __init__(self, ctx: Any, parent: QWidget | None = None, page: str = "account") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.message = error_label(self)
        self.message.setAccessibleName(self.tr("Settings message"))
        layout.addWidget(self.message)
        self.account = AccountPage(self)
        self.blocking = BlockingPage(self)
        self.coverage = CoveragePanel(ctx, self)
        self.connections = ConnectionsPage(self)
        self.reminders = RemindersPage(self)
        self.appearance = AppearancePage(self)
        self.tabs = QTabWidget(self)
        titles = (
            self.tr("&Account"),
            self.tr("&Blocking"),
            self.tr("Co&verage"),
            self.tr("&Connections"),
            self.tr("&Reminders"),
            self.tr("A&ppearance"),
        )
        pages = (
            self.account,
            self.blocking,
            _padded(self.coverage),
            self.connections,
            self.reminders,
            self.appearance,
        )
        for widget, title in zip(pages, titles, strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.setCurrentIndex(PAGES.index(page) if page in PAGES else 0)
        layout.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)  # until the current values have been read
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.account.sign_in.connect(self._sign_in)
        self.account.sign_out.connect(self._sign_out)
        self.account.upload.connect(self._upload)
        self.connections.disconnect.connect(self._disconnect)
        self.connections.connect_slack.connect(self._connect_slack)
        # The coverage page follows the method chosen here, before it is saved.
        self.blocking.method.currentIndexChanged.connect(
            lambda _i: self.coverage.show_method(self.blocking.method.currentData())
        )
        self.field_errors = FieldErrors(self.message)
        for name, label in self.blocking.field_labels().items():
            self.field_errors.register(name, label)
        self.loaded: dict[str, Any] | None = None
        ctx.bridge.run(catalog.categories, on_done=self._categories, on_error=self.show_error)
        self.blocking.setup_button.clicked.connect(self._set_up)
        self._read_helper()
        self.reload()
        self.refresh_connections()

    # -- loading ---------------------------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.bridge.run(read_settings, on_done=self._loaded, on_error=self.show_error)

    def _loaded(self, values: dict[str, Any]) -> None:
        self.loaded = values
        self.account.set_state(values["server_url"], values["local_count"])
        self.blocking.load(values)
        self.coverage.show_method(self.blocking.method.currentData())
        self.reminders.load(values)
        self.appearance.load(values)
        self.ok_button.setEnabled(True)

    def _categories(self, infos: list[Any]) -> None:
        self.blocking.categories.set_categories(infos)
        if self.loaded is not None:
            self.blocking.load(self.loaded)

    def refresh_connections(self) -> None:
        self.ctx.bridge.run(
            connections.connection_rows,
            on_done=self.connections.set_rows,
            on_error=self.show_error,
        )

    # -- saving ----------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {**self.blocking.values(), **self.reminders.values(), **self.appearance.values()}

    def save(self) -> None:
        values = self.values()
        try:
            Settings.model_validate({name: values[name] for name in SITE_FIELDS})
        except ValidationError as exc:
            self._show_fields(exc)
            return
        self.field_errors.clear()
        self.ok_button.setEnabled(False)
        self.ctx.bridge.run(
            write_settings, values, on_done=self._written, on_error=self._write_failed
        )

    def _written(self, settings: Any) -> None:
        # The running engine reads these on its next plan (reminders, start mode, method).
        engine = self.ctx.engine
        for name in FIELDS:
            setattr(engine.settings, name, getattr(settings, name))
        plan = engine.scheduler.settings  # reminders and "ask first" from the next look on
        plan.reminder_minutes = settings.reminder_minutes
        plan.auto_start = settings.start_mode == "auto"
        self._apply_theme(settings.theme)
        self.saved.emit(settings)
        self.accept()

    def _write_failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_fields(exc)
        else:
            self.show_error(exc)

    def _show_fields(self, exc: ValidationError) -> None:
        used = self.field_errors.show(pydantic_fields(exc))
        if any(label is not self.message for label in used):
            self.tabs.setCurrentWidget(self.blocking)

    def _apply_theme(self, mode: str) -> None:
        from deepworkzone.gui import theme

        app = QApplication.instance()
        if isinstance(app, QApplication):
            theme.apply_theme(app, mode)

    def show_error(self, exc: BaseException | str) -> None:
        self.message.setStyleSheet("color: #d0312d;")
        self.message.setText(str(exc) or type(exc).__name__)
        self.message.setVisible(True)

    def show_info(self, text: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("")
        self.message.setVisible(True)

    # -- account and connections ------------------------------------------------------------------

    def _read_helper(self) -> None:
        self.ctx.bridge.run(
            helper_status.helper_status, on_done=self.blocking.set_helper, on_error=self.show_error
        )

    def _set_up(self) -> None:
        def done(ok: bool, text: str) -> None:
            self.blocking.setup_button.setEnabled(True)
            if text:
                (self.show_info if ok else self.show_error)(text)
            self._read_helper()

        self.blocking.setup_button.setEnabled(False)
        offer_setup(self.ctx, self, done)

    def _sign_in(self, server: str, token: str) -> None:
        self.message.setVisible(False)
        self.ctx.bridge.run(
            account.login, server, token, on_done=self._signed_in, on_error=self.show_error
        )

    def _signed_in(self, result: Any) -> None:
        self.show_info(self.tr("Signed in to {server}.").format(server=result.server))
        self.account_changed.emit()
        self.reload()

    def _sign_out(self) -> None:
        def done(_result: Any) -> None:
            self.show_info(self.tr("Signed out: this machine is local only."))
            self.account_changed.emit()
            self.reload()

        self.ctx.bridge.run(account.logout, on_done=done, on_error=self.show_error)

    def _upload(self) -> None:
        count = (self.loaded or {}).get("local_count", 0)
        asked = QMessageBox.question(
            self,
            self.tr("Upload local sessions"),
            self.tr("Upload the {n} session(s) made on this machine to the server?").format(
                n=count
            ),
        )
        if asked != QMessageBox.StandardButton.Yes:
            return

        def done(result: Any) -> None:
            self.show_info(
                self.tr("{up} uploaded, {queued} waiting to be sent.").format(
                    up=result.uploaded, queued=result.queued
                )
            )
            self.reload()

        self.ctx.bridge.run(account.upload_local_sessions, on_done=done, on_error=self.show_error)

    def _disconnect(self, service: str) -> None:
        def done(_result: Any) -> None:
            self.refresh_connections()

        self.ctx.bridge.run(connections.disconnect, service, on_done=done, on_error=self.show_error)

    def _connect_slack(self) -> None:
        token, ok = QInputDialog.getText(
            self,
            self.tr("Connect Slack"),
            self.tr("Your Slack User OAuth Token (xoxp-…):"),
            QLineEdit.EchoMode.Password,
        )
        if ok and token.strip():
            self.ctx.bridge.run(
                connections.connect_slack_token,
                token,
                on_done=lambda _r: self.refresh_connections(),
                on_error=self.show_error,
            )


def _padded(widget: QWidget) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.addWidget(widget)
    return page


def open_settings(ctx: Any, parent: QWidget | None, page: str = "account") -> QDialog:
    """The settings dialog, not yet shown; ``page``: one of PAGES."""
    dialog = SettingsDialog(ctx, parent, page)
    dialog.setModal(True)
    return dialog
