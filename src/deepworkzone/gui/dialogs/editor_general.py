"""The editor's first page: name, type, length, date and time, who sees and shares it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.domain.clock import format_clock, parse_clock
from deepworkzone.gui.dialogs.field_errors import FieldErrors, error_label


def field_box(widget: QWidget, errors: FieldErrors, *names: str) -> QWidget:
    """``widget`` with its error line right under it, registered for ``names``."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    label = error_label(box)
    layout.addWidget(label)
    for name in names:
        errors.register(name, label)
    return box


class GeneralPage(QWidget):
    def __init__(self, errors: FieldErrors, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(self.tr("Morning deep work"))
        self.name.setMaxLength(200)
        self.type = QComboBox(self)
        self.type.addItem(self.tr("Standard"), "standard")
        self.type.addItem(self.tr("Drop-in (others in the org may join)"), "drop-in")
        self.duration = QSpinBox(self)
        self.duration.setRange(1, 1440)
        self.duration.setSingleStep(5)
        self.duration.setSuffix(self.tr(" min"))
        self.duration.setValue(50)
        self.date = QDateEdit(self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        self.date.setDate(QDate(today.year, today.month, today.day))
        self.time = QTimeEdit(self)
        self.time.setDisplayFormat("HH:mm")
        self.time.setTime(QTime(9, 0))
        self.public = QCheckBox(self.tr("Public: everyone in the organisation can see it"), self)
        self.collaborators = QLineEdit(self)
        self.collaborators.setPlaceholderText(self.tr("ana@example.com, 12"))
        self.collaborators.setToolTip(
            self.tr("E-mail addresses or user ids of people in your organisation, comma-separated")
        )
        form.addRow(self.tr("&Name"), field_box(self.name, errors, "name"))
        form.addRow(self.tr("&Type"), field_box(self.type, errors, "type"))
        form.addRow(self.tr("&Length"), field_box(self.duration, errors, "duration"))
        form.addRow(self.tr("&Date"), field_box(self.date, errors, "schedule"))
        form.addRow(self.tr("T&ime"), field_box(self.time, errors, "time", "timezone"))
        form.addRow("", field_box(self.public, errors, "is_public"))
        form.addRow(
            self.tr("&Collaborators"), field_box(self.collaborators, errors, "collaborator")
        )

    def focus_order(self) -> list[QWidget]:
        return [
            self.name,
            self.type,
            self.duration,
            self.date,
            self.time,
            self.public,
            self.collaborators,
        ]

    def load(self, s: Any) -> None:
        self.name.setText(s.name)
        self.type.setCurrentIndex(max(self.type.findData(s.type), 0))
        self.duration.setValue(s.duration)
        self.date.setDate(QDate(s.schedule.year, s.schedule.month, s.schedule.day))
        clock = parse_clock(s.time)
        self.time.setTime(QTime(clock.hour, clock.minute))
        self.public.setChecked(s.is_public)
        self.collaborators.setText(", ".join(str(c) for c in s.collaborator))

    def schedule(self) -> dt.date:
        return self.date.date().toPython()  # type: ignore[no-any-return]

    def values(self) -> dict[str, Any]:
        t = self.time.time()
        return {
            "name": self.name.text(),
            "type": self.type.currentData(),
            "duration": self.duration.value(),
            "schedule": self.schedule().isoformat(),
            "time": format_clock(dt.time(t.hour(), t.minute())),
            "is_public": self.public.isChecked(),
            "collaborator": [
                _collaborator(c) for c in self.collaborators.text().split(",") if c.strip()
            ],
        }


def _collaborator(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.isdigit() else text
