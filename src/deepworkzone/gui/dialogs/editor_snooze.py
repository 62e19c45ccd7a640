"""The editor's snooze page: Slack and Teams, each greyed with a "connect" link until the
service is connected (engine.connections), so a session never promises a snooze it cannot do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QVBoxLayout, QWidget

from deepworkzone.gui.dialogs.editor_general import field_box
from deepworkzone.gui.dialogs.field_errors import FieldErrors

SERVICES = (("slack", "Slack"), ("teams", "Microsoft Teams"))


def usable(row: Any) -> bool:
    """Connected, or unknown (Slack did not answer): only a clear "no" greys it out."""
    return not str(row.connected).startswith("no")


class SnoozePage(QWidget):
    connect_requested = Signal(str)  # "slack" or "teams": the editor opens Settings there

    def __init__(self, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.enabled = QCheckBox(self.tr("&Snooze chat notifications during this session"), self)
        layout.addWidget(field_box(self.enabled, errors, "snooze_enabled"))
        self.body = QWidget(self)
        grid = QGridLayout(self.body)
        grid.setContentsMargins(18, 0, 0, 0)
        self.apps: dict[str, QCheckBox] = {}
        self.status: dict[str, QLabel] = {}
        for row, (key, title) in enumerate(SERVICES):
            box = QCheckBox(title, self.body)
            status = QLabel(self.tr("checking…"), self.body)
            status.setStyleSheet("color: palette(placeholder-text);")
            status.linkActivated.connect(self.connect_requested.emit)
            grid.addWidget(box, row, 0)
            grid.addWidget(status, row, 1)
            self.apps[key], self.status[key] = box, status
        grid.setColumnStretch(2, 1)
        layout.addWidget(self.body)
        hint = QLabel(
            self.tr(
                "Do Not Disturb is set for the session's length on the service's side, so a "
                "crash never leaves you snoozed for longer."
            ),
            self,
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        layout.addStretch(1)
        self.enabled.toggled.connect(self.body.setEnabled)
        self.body.setEnabled(False)

    def focus_order(self) -> list[QWidget]:
        return [self.enabled, *self.apps.values()]

    def set_connections(self, rows: list[Any]) -> None:
        by_service = {r.service: r for r in rows}
        for key, box in self.apps.items():
            row = by_service.get(key)
            label = self.status[key]
            if row is not None and usable(row):
                box.setEnabled(True)
                account = "" if row.account in ("", "-") else f" ({row.account})"
                label.setText(self.tr("connected{account}").format(account=account))
            else:
                box.setEnabled(False)
                label.setText(
                    self.tr('not connected · <a href="{key}">Connect…</a>').format(key=key)
                )
            box.setAccessibleDescription(label.text())

    def load(self, s: Any) -> None:
        self.enabled.setChecked(s.snooze_enabled)
        self.apps["slack"].setChecked(s.snooze_apps.slack)
        self.apps["teams"].setChecked(s.snooze_apps.teams)

    def values(self) -> dict[str, Any]:
        return {
            "snooze_enabled": self.enabled.isChecked(),
            "snooze_apps": {key: box.isChecked() for key, box in self.apps.items()},
        }
