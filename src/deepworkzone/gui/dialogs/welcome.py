"""First run: a short welcome. Local use at once, or a Sessions server; and what this computer
offers for blocking (the doctor's checks for the hosts file and its helper, the system proxy
and the keyring), with the helper's setup one click away.

Shown once: the window settings remember it was answered (or closed).
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.engine import account, doctor
from deepworkzone.gui.dialogs.settings_pages import ServerFields
from deepworkzone.gui.setup_flow import offer_setup
from deepworkzone.gui.widgets.messages import error_text
from deepworkzone.gui.widgets.wrap_label import WrapLabel

SHOWN_KEY = "welcome/shown"
MACHINE_CHECKS = ("hosts_file", "hosts_helper", "system_proxy", "keyring")
_MARKS = {"ok": ("✓", "#2e7d32"), "na": ("–", "#777777"), "warning": ("!", "#b26a00")}
_MISSING = ("✗", "#c62828")


def machine_report() -> Any:
    """On a worker: only what this machine offers, never the network."""
    return doctor.run_checks(online=False, only=MACHINE_CHECKS)


def should_welcome(settings: Any) -> bool:
    return not settings.value(SHOWN_KEY, False, type=bool)


class WelcomeDialog(QDialog):
    account_changed = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None, settings: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.settings = ctx, settings
        self.report: Any = None
        self.setWindowTitle(self.tr("Welcome to Deep Work Zone"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        heading = QLabel(self.tr("Welcome to Deep Work Zone"), self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        layout.addWidget(heading)
        layout.addWidget(
            WrapLabel(
                self.tr(
                    "Plan focus sessions; while one runs, distracting sites are blocked and "
                    "Slack and Teams are snoozed, and everything is put back when it ends."
                ),
                self,
            )
        )
        choices = QHBoxLayout()
        self.local_button = QPushButton(self.tr("&Use it on this computer"), self)
        self.local_button.setDefault(True)
        self.local_button.setAccessibleDescription(
            self.tr("Sessions stay on this computer; you can connect a server later in Settings")
        )
        self.server_button = QPushButton(self.tr("&Connect to a Sessions server…"), self)
        self.server_button.setCheckable(True)
        choices.addWidget(self.local_button)
        choices.addWidget(self.server_button)
        choices.addStretch(1)
        layout.addLayout(choices)
        self.server_box = ServerFields(self)
        self.server, self.token = self.server_box.server, self.server_box.token
        self.sign_in_button = QPushButton(self.tr("Sign &in"), self.server_box)
        self.server_box.form.addRow(self.sign_in_button)
        self.server_box.setVisible(False)
        layout.addWidget(self.server_box)
        self.message = WrapLabel("", self)
        self.message.setAccessibleName(self.tr("Welcome message"))
        self.message.setVisible(False)
        layout.addWidget(self.message)
        box = QGroupBox(self.tr("This computer"), self)
        inner = QVBoxLayout(box)
        self.checks = QGridLayout()
        self.checks.setColumnStretch(1, 1)
        inner.addLayout(self.checks)
        self.checking = QLabel(self.tr("Checking what this computer offers…"), box)
        inner.addWidget(self.checking)
        self.setup_button = QPushButton(self.tr("Set up &website blocking…"), box)
        self.setup_button.setVisible(False)
        inner.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(box)
        layout.addStretch(1)
        self._rows: list[QWidget] = []
        self.local_button.clicked.connect(self.accept)
        self.server_button.toggled.connect(self.server_box.setVisible)
        self.server_button.toggled.connect(lambda on: on and self.server.setFocus())
        self.sign_in_button.clicked.connect(self.sign_in)
        self.token.returnPressed.connect(self.sign_in)
        self.setup_button.clicked.connect(self.set_up)
        self.finished.connect(self._remember)
        self.refresh_checks()

    # -- the machine -----------------------------------------------------------------------

    def refresh_checks(self) -> None:
        self.ctx.bridge.run(machine_report, on_done=self._checked, on_error=self._failed)

    def _checked(self, report: Any) -> None:
        self.report = report
        self.checking.setVisible(False)
        for widget in self._rows:
            self.checks.removeWidget(widget)
            widget.deleteLater()
        self._rows = []
        for r, check in enumerate(report.checks):
            sign, color = _MARKS.get(check.status, _MISSING)
            mark = QLabel(sign, self)
            mark.setStyleSheet(f"color: {color}; font-weight: bold;")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            text = f"<b>{escape(check.title)}</b>: {escape(check.detail)}"
            if check.status not in ("ok", "na") and check.remedy:
                text += f"<br><i>{escape(check.remedy)}</i>"
            body = WrapLabel(text, self)
            body.setTextFormat(Qt.TextFormat.RichText)
            body.setAccessibleName(f"{check.title}: {check.status}")
            body.setAccessibleDescription(check.detail)
            self.checks.addWidget(mark, r, 0)
            self.checks.addWidget(body, r, 1)
            self._rows += [mark, body]
        helper = next((c for c in report.checks if c.id == "hosts_helper"), None)
        self.setup_button.setVisible(helper is not None and helper.fix == "setup")

    def set_up(self) -> None:
        self.setup_button.setEnabled(False)
        offer_setup(self.ctx, self, self._set_up)

    def _set_up(self, ok: bool, text: str) -> None:
        self.setup_button.setEnabled(True)
        if text:
            self._say(text)
        if ok:
            self.refresh_checks()

    # -- the account -----------------------------------------------------------------------

    def sign_in(self) -> None:
        server, token = self.server.text().strip(), self.token.text().strip()
        if not server or not token:
            self._say(self.tr("Type the server's address and your API token."))
            return
        self.sign_in_button.setEnabled(False)
        self._say(self.tr("Signing in…"))
        self.ctx.bridge.run(
            account.login, server, token, on_done=self._signed_in, on_error=self._sign_in_failed
        )

    def _signed_in(self, result: Any) -> None:
        self.sign_in_button.setEnabled(True)
        self.account_changed.emit()
        self._say(self.tr("Signed in to {server}.").format(server=result.server))
        self.accept()

    def _sign_in_failed(self, exc: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self._say(error_text(exc))

    # -- helpers ---------------------------------------------------------------------------

    def _failed(self, exc: BaseException) -> None:
        self.checking.setText(error_text(exc))

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _remember(self, _result: int) -> None:
        if self.settings is not None:
            self.settings.setValue(SHOWN_KEY, True)
            self.settings.sync()
