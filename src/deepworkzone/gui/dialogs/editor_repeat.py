"""The editor's repeat page: daily, weekly on chosen days, monthly on a date or on the Nth /
last weekday; when the series starts and ends; what a month without that date does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QLocale
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QRadioButton,
    QWidget,
)

from deepworkzone.gui.dialogs.editor_general import field_box
from deepworkzone.gui.dialogs.field_errors import FieldErrors
from deepworkzone.gui.widgets.day_toggles import DayToggles


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _optional_date(parent: QWidget, check_text: str) -> tuple[QCheckBox, QDateEdit, QWidget]:
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    check = QCheckBox(check_text, row)
    edit = QDateEdit(row)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd d MMM yyyy")
    edit.setEnabled(False)
    edit.setAccessibleName(check_text.replace("&", ""))
    check.toggled.connect(edit.setEnabled)
    layout.addWidget(check)
    layout.addWidget(edit, 1)
    return check, edit, row


class RepeatPage(QWidget):
    def __init__(self, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        self.repeat = QCheckBox(self.tr("&Repeat this session"), self)
        form.addRow(self.repeat)
        self.occurrence = QComboBox(self)
        for key, text in (
            ("daily", self.tr("Every day")),
            ("weekly", self.tr("Every week")),
            ("monthly", self.tr("Every month")),
        ):
            self.occurrence.addItem(text, key)
        form.addRow(self.tr("&How often"), field_box(self.occurrence, errors, "occurrence"))
        self.days = DayToggles(self)
        form.addRow(self.tr("On"), field_box(self.days, errors, "recurring_days"))
        # Monthly: the same date, or the Nth (or last) weekday.
        monthly = QWidget(self)
        mlay = QFormLayout(monthly)
        mlay.setContentsMargins(0, 0, 0, 0)
        self.month_group = QButtonGroup(self)
        self.on_date = QRadioButton(self)
        self.on_weekday = QRadioButton(self.tr("On the"), self)
        self.month_group.addButton(self.on_date)
        self.month_group.addButton(self.on_weekday)
        self.on_date.setChecked(True)
        self.fallback = QComboBox(self)
        self.fallback.addItem(self.tr("skip months without that date"), 0)
        self.fallback.addItem(self.tr("use the month's last day instead"), 1)
        self.fallback.setAccessibleName(self.tr("Months without that date"))
        date_row = QWidget(monthly)
        dlay = QHBoxLayout(date_row)
        dlay.setContentsMargins(0, 0, 0, 0)
        dlay.addWidget(self.on_date)
        dlay.addWidget(self.fallback, 1)
        self.week_pos = QComboBox(self)
        for pos, text in (
            (1, self.tr("first")),
            (2, self.tr("second")),
            (3, self.tr("third")),
            (4, self.tr("fourth")),
            (5, self.tr("last")),
        ):
            self.week_pos.addItem(text, pos)
        self.week_pos.setAccessibleName(self.tr("Which week of the month"))
        self.week_day = QComboBox(self)
        locale = QLocale()
        for day in range(1, 8):
            self.week_day.addItem(locale.dayName(day), day)
        self.week_day.setAccessibleName(self.tr("Weekday"))
        week_row = QWidget(monthly)
        wlay = QHBoxLayout(week_row)
        wlay.setContentsMargins(0, 0, 0, 0)
        wlay.addWidget(self.on_weekday)
        wlay.addWidget(self.week_pos)
        wlay.addWidget(self.week_day, 1)
        mlay.addRow(date_row)
        mlay.addRow(week_row)
        form.addRow(self.tr("Which day"), field_box(monthly, errors, "recurring_month_option"))
        self.has_start, self.start, start_row = _optional_date(self, self.tr("&From"))
        self.has_end, self.end, end_row = _optional_date(self, self.tr("&Until"))
        form.addRow(self.tr("Starts"), field_box(start_row, errors, "recurring_start"))
        form.addRow(self.tr("Ends"), field_box(end_row, errors, "recurring_ends"))
        self._form = form
        self._monthly = monthly
        self.repeat.toggled.connect(self._update)
        self.occurrence.currentIndexChanged.connect(self._update)
        self.on_weekday.toggled.connect(self._update)
        self._update()

    def focus_order(self) -> list[QWidget]:
        days = [self.days.button(d) for d in range(1, 8)]
        return [
            self.repeat,
            self.occurrence,
            *days,
            self.on_date,
            self.fallback,
            self.on_weekday,
            self.week_pos,
            self.week_day,
            self.has_start,
            self.start,
            self.has_end,
            self.end,
        ]

    def set_schedule(self, day: dt.date) -> None:
        """The first date shapes the defaults: its weekday, its day of the month."""
        self.on_date.setText(self.tr("On day {n}").format(n=day.day))
        for edit in (self.start, self.end):
            if not edit.isEnabled():
                edit.setDate(_qdate(day))
        if not self.days.days():
            self.days.set_days([day.isoweekday()])

    def _update(self) -> None:
        on = self.repeat.isChecked()
        kind = self.occurrence.currentData()
        for widget, visible in ((self.days, kind == "weekly"), (self._monthly, kind == "monthly")):
            self._form.setRowVisible(self._row_of(widget), visible)
        for i in range(1, self._form.rowCount()):
            self._form.itemAt(i, QFormLayout.ItemRole.FieldRole).widget().setEnabled(on)
            label = self._form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            if label is not None and label.widget() is not None:
                label.widget().setEnabled(on)
        by_week = self.on_weekday.isChecked()
        self.week_pos.setEnabled(by_week)
        self.week_day.setEnabled(by_week)
        self.fallback.setEnabled(not by_week)

    def _row_of(self, widget: QWidget) -> int:
        row, _role = self._form.getWidgetPosition(widget.parentWidget())
        return row

    def load(self, s: Any) -> None:
        self.repeat.setChecked(bool(s.is_recurring))
        self.occurrence.setCurrentIndex(max(self.occurrence.findData(s.occurrence or "daily"), 0))
        self.days.set_days(s.recurring_days)
        (self.on_weekday if s.recurring_month_option == "week" else self.on_date).setChecked(True)
        self.week_pos.setCurrentIndex(
            max(self.week_pos.findData(s.recurring_month_week_pos or 1), 0)
        )
        self.week_day.setCurrentIndex(
            max(self.week_day.findData(s.recurring_month_week_day or 1), 0)
        )
        self.fallback.setCurrentIndex(1 if s.fallback_option else 0)
        self.set_schedule(s.schedule)
        for check, edit, value in (
            (self.has_start, self.start, s.recurring_start),
            (self.has_end, self.end, s.recurring_ends),
        ):
            check.setChecked(value is not None)
            if value is not None:
                edit.setDate(_qdate(value))
        self._update()

    def values(self) -> dict[str, Any]:
        def day(check: QCheckBox, edit: QDateEdit) -> str | None:
            return edit.date().toPython().isoformat() if check.isChecked() else None

        return {
            "is_recurring": 1 if self.repeat.isChecked() else 0,
            "occurrence": self.occurrence.currentData(),
            "recurring_days": self.days.days() if self.occurrence.currentData() == "weekly" else [],
            "recurring_month_option": "week" if self.on_weekday.isChecked() else "exact",
            "recurring_month_week_pos": self.week_pos.currentData(),
            "recurring_month_week_day": self.week_day.currentData(),
            "fallback_option": self.fallback.currentData(),
            "recurring_start": day(self.has_start, self.start),
            "recurring_ends": day(self.has_end, self.end),
        }
