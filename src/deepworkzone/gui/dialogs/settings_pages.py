"""The settings dialog's pages. Each reads from and writes to a plain dict of core.settings
fields; the dialog loads and saves them through the bridge."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.gui.dialogs.field_errors import error_label
from deepworkzone.gui.widgets.chips import CategoryChips
from deepworkzone.gui.widgets.wrap_label import WrapLabel

MUTED = "color: palette(placeholder-text);"


class ServerFields(QWidget):
    """A Sessions server's address and an API token (Settings, Account; the welcome)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.server = QLineEdit(self)
        self.server.setPlaceholderText("https://sessions.example.com")
        self.token = QLineEdit(self)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(self.tr("paste your API token"))
        self.form.addRow(self.tr("Server &URL"), self.server)
        self.form.addRow(self.tr("API &token"), self.token)


class AccountPage(QWidget):
    sign_in = Signal(str, str)  # server URL, token
    sign_out = Signal()
    upload = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.local = QRadioButton(self.tr("&Local only: sessions stay on this machine"), self)
        self.remote = QRadioButton(self.tr("Sync with a &Sessions server"), self)
        group = QButtonGroup(self)
        group.addButton(self.local)
        group.addButton(self.remote)
        layout.addWidget(self.local)
        layout.addWidget(self.remote)
        self.form_box = ServerFields(self)
        form = self.form_box.form
        form.setContentsMargins(18, 0, 0, 0)
        self.server, self.token = self.form_box.server, self.form_box.token
        buttons = QHBoxLayout()
        self.sign_in_button = QPushButton(self.tr("Sign &in"), self.form_box)
        self.sign_out_button = QPushButton(self.tr("Sign &out"), self.form_box)
        self.upload_button = QPushButton(self.tr("&Upload local sessions…"), self.form_box)
        for button in (self.sign_in_button, self.sign_out_button, self.upload_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form.addRow(buttons)
        layout.addWidget(self.form_box)
        self.status = WrapLabel("", self)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.remote.toggled.connect(self.form_box.setEnabled)
        self.sign_in_button.clicked.connect(
            lambda: self.sign_in.emit(self.server.text(), self.token.text())
        )
        self.sign_out_button.clicked.connect(self.sign_out.emit)
        self.upload_button.clicked.connect(self.upload.emit)
        self.local.toggled.connect(self._local_chosen)

    def _local_chosen(self, on: bool) -> None:
        # Choosing local-only while signed in is signing out.
        if on and self.sign_out_button.isEnabled():
            self.sign_out.emit()

    def set_state(self, server: str | None, local_count: int) -> None:
        signed_in = bool(server)
        for radio, on in ((self.remote, signed_in), (self.local, not signed_in)):
            radio.blockSignals(True)
            radio.setChecked(on)
            radio.blockSignals(False)
        self.form_box.setEnabled(signed_in or self.remote.isChecked())
        self.server.setText(server or self.server.text())
        self.token.clear()
        self.sign_out_button.setEnabled(signed_in)
        self.upload_button.setEnabled(signed_in and local_count > 0)
        if signed_in:
            text = self.tr("Signed in to {server}.").format(server=server)
        else:
            text = self.tr("Local only.")
        if local_count:
            text += " " + self.tr(
                "{n} session(s) made on this machine are not on a server."
            ).format(n=local_count)
        self.status.setText(text)


def _entries(text: str) -> list[str]:
    """One site per line (commas and spaces separate them too); blank lines dropped."""
    return [part for part in text.replace(",", " ").split() if part]


class SitesField(QWidget):
    """A list of sites, one per line, with its own error line under it."""

    def __init__(self, title: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(title, self)
        self.edit = QPlainTextEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(self.edit.fontMetrics().lineSpacing() * 4 + 12)
        self.label.setBuddy(self.edit)
        self.error = error_label(self)
        for widget in (self.label, self.edit, self.error):
            layout.addWidget(widget)
        self.edit.textChanged.connect(lambda: self.error.setVisible(False))

    def set_sites(self, sites: list[str]) -> None:
        self.edit.setPlainText("\n".join(sites))

    def sites(self) -> list[str]:
        return _entries(self.edit.toPlainText())


class BlockingPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.method = QComboBox(self)
        for key, text in (
            ("hosts", self.tr("Hosts file (every app on this machine)")),
            ("proxy", self.tr("Blocking proxy (browsers that use the system proxy)")),
            ("both", self.tr("Both")),
        ):
            self.method.addItem(text, key)
        form.addRow(self.tr("Block &with"), self.method)
        self.helper = WrapLabel(self.tr("checking…"), self)
        self.helper.setAccessibleName(self.tr("Hosts helper"))
        self.helper.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        helper_row = QVBoxLayout()
        helper_row.addWidget(self.helper)
        self.setup_button = QPushButton(self.tr("Set &up website blocking…"), self)
        self.setup_button.setToolTip(
            self.tr("Installs the small helper that edits the hosts file (one password prompt)")
        )
        self.setup_button.setVisible(False)
        helper_row.addWidget(self.setup_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Hosts helper"), helper_row)
        layout.addLayout(form)
        label = QLabel(self.tr("Categories a quick session blocks:"), self)
        layout.addWidget(label)
        self.categories = CategoryChips(self)
        self.categories.setAccessibleName(self.tr("Default categories"))
        layout.addWidget(self.categories)
        self.urls = SitesField(
            self.tr("Sites a quick session &also blocks (one per line):"), "reddit.com", self
        )
        self.urls.edit.setAccessibleName(self.tr("Default blocked sites"))
        self.allow = SitesField(
            self.tr("Sites &never blocked (one per line):"), "docs.python.org", self
        )
        self.allow.edit.setAccessibleName(self.tr("Sites never blocked"))
        layout.addWidget(self.urls)
        layout.addWidget(self.allow)
        self.autostart = QCheckBox(self.tr("&Start Deep Work Zone when I log in"), self)
        self.autostart.setEnabled(False)  # until its state has been read
        layout.addWidget(self.autostart)
        layout.addStretch(1)
        self.loaded_autostart: bool | None = None

    def field_labels(self) -> dict[str, QLabel]:
        return {"default_urls": self.urls.error, "default_allow": self.allow.error}

    def load(self, values: dict[str, Any]) -> None:
        self.method.setCurrentIndex(max(self.method.findData(values["blocking_method"]), 0))
        self.categories.set_selected(values["default_categories"])
        self.urls.set_sites(values.get("default_urls", []))
        self.allow.set_sites(values.get("default_allow", []))
        autostart = values.get("autostart")
        if autostart is not None:
            self.loaded_autostart = bool(autostart.enabled)
            self.autostart.setChecked(self.loaded_autostart)
            self.autostart.setEnabled(bool(autostart.supported))
            if not autostart.supported:
                self.autostart.setToolTip(self.tr("Set up by the installer on this system."))

    def set_helper(self, status: Any) -> None:
        self.helper.setText(str(status.sentence))
        self.setup_button.setVisible(bool(status.needed and not status.installed))
        if status.looked_in:
            self.helper.setToolTip(
                self.tr("Looked in: {places}").format(places=", ".join(status.looked_in))
            )

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "blocking_method": self.method.currentData(),
            "default_categories": self.categories.selected(),
            "default_urls": self.urls.sites(),
            "default_allow": self.allow.sites(),
        }
        if (
            self.loaded_autostart is not None
            and self.autostart.isChecked() != self.loaded_autostart
        ):
            out["autostart"] = self.autostart.isChecked()
        return out


class ConnectionsPage(QWidget):
    disconnect = Signal(str)
    connect_slack = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.status: dict[str, QLabel] = {}
        self.disconnect_buttons: dict[str, QPushButton] = {}
        for row, (key, title) in enumerate((("slack", "Slack"), ("teams", "Microsoft Teams"))):
            grid.addWidget(QLabel(f"<b>{title}</b>", self), row, 0)
            status = QLabel(self.tr("checking…"), self)
            button = QPushButton(self.tr("Disconnect"), self)
            button.setAccessibleName(self.tr("Disconnect {service}").format(service=title))
            button.clicked.connect(lambda _c=False, k=key: self.disconnect.emit(k))
            grid.addWidget(status, row, 1)
            grid.addWidget(button, row, 2)
            self.status[key], self.disconnect_buttons[key] = status, button
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.slack_button = QPushButton(self.tr("Connect Slack with a &token…"), self)
        self.slack_button.clicked.connect(self.connect_slack.emit)
        row = QHBoxLayout()
        row.addWidget(self.slack_button)
        row.addStretch(1)
        layout.addLayout(row)
        hint = WrapLabel(
            self.tr(
                "Teams signs in through the browser: run “deepworkzone connect teams” once; "
                "this page then shows it."
            ),
            self,
        )
        hint.setStyleSheet(MUTED)
        layout.addWidget(hint)
        layout.addStretch(1)

    def set_rows(self, rows: list[Any]) -> None:
        for row in rows:
            if row.service not in self.status:
                continue
            connected = str(row.connected)
            who = "" if row.account in ("", "-") else f" · {row.account}"
            self.status[row.service].setText(connected + who)
            self.disconnect_buttons[row.service].setEnabled(connected.startswith("yes"))


class RemindersPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.reminder = QSpinBox(self)
        self.reminder.setRange(0, 120)
        self.reminder.setSuffix(self.tr(" min before"))
        self.reminder.setSpecialValueText(self.tr("No reminder"))
        self.start_mode = QComboBox(self)
        self.start_mode.addItem(self.tr("Start by themselves on time"), "auto")
        self.start_mode.addItem(self.tr("Ask me first"), "ask")
        form.addRow(self.tr("&Reminder"), self.reminder)
        form.addRow(self.tr("Scheduled &sessions"), self.start_mode)

    def load(self, values: dict[str, Any]) -> None:
        self.reminder.setValue(int(values["reminder_minutes"]))
        self.start_mode.setCurrentIndex(max(self.start_mode.findData(values["start_mode"]), 0))

    def values(self) -> dict[str, Any]:
        return {
            "reminder_minutes": self.reminder.value(),
            "start_mode": self.start_mode.currentData(),
        }


class AppearancePage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.theme = QComboBox(self)
        for key, text in (
            ("system", self.tr("Follow the system")),
            ("light", self.tr("Light")),
            ("dark", self.tr("Dark")),
        ):
            self.theme.addItem(text, key)
        form.addRow(self.tr("&Theme"), self.theme)

    def load(self, values: dict[str, Any]) -> None:
        self.theme.setCurrentIndex(max(self.theme.findData(values.get("theme", "system")), 0))

    def values(self) -> dict[str, Any]:
        return {"theme": self.theme.currentData()}
