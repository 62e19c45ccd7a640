"""Seven toggles, Monday to Sunday, for a weekly series (ISO weekdays 1..7, as the API)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from deepworkzone.gui.widgets.chips import CHIP_STYLE


class DayToggles(QWidget):
    changed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        locale = QLocale()
        self._buttons: dict[int, QToolButton] = {}
        for day in range(1, 8):
            button = QToolButton(self)
            button.setCheckable(True)
            # Qt.DayOfWeek is ISO too (1 = Monday), so the short names follow the locale.
            button.setText(locale.dayName(day, QLocale.FormatType.ShortFormat))
            button.setAccessibleName(locale.dayName(day, QLocale.FormatType.LongFormat))
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            button.setMinimumWidth(44)
            button.toggled.connect(lambda _on: self.changed.emit(self.days()))
            layout.addWidget(button)
            self._buttons[day] = button
        layout.addStretch(1)
        self.setStyleSheet(CHIP_STYLE)

    def days(self) -> list[int]:
        return [day for day, button in self._buttons.items() if button.isChecked()]

    def set_days(self, days: Iterable[int]) -> None:
        wanted = {7 if d == 0 else d for d in days}
        for day, button in self._buttons.items():
            button.blockSignals(True)
            button.setChecked(day in wanted)
            button.blockSignals(False)
        self.changed.emit(self.days())

    def button(self, day: int) -> QToolButton:
        return self._buttons[day]
