"""Category chips: one checkable pill per preset category, with its domain count, wrapping
like words in a paragraph. What blocking a category may also break is in its tooltip and in
the note line under the chips, so the user reads it before the session, not during."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QToolButton, QWidget


class FlowLayout(QLayout):
    """Left to right, wrapping at the widget's width (Qt's flow layout example, trimmed)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x + hint.width() > rect.right() and line > 0:
                x, y, line = rect.x(), y + line + self._spacing, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


CHIP_STYLE = """
QToolButton { border: 1px solid rgba(128, 128, 128, 0.55); border-radius: 12px; padding: 3px 10px; }
QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);
                      border-color: palette(highlight); }
QToolButton:focus { border: 2px solid palette(highlight); }
"""


class CategoryChips(QWidget):
    """``changed`` fires with the chosen ids whenever a chip is toggled."""

    changed = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chips: dict[str, QToolButton] = {}
        self._notes: dict[str, tuple[str, ...]] = {}
        self._layout = FlowLayout(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # more lines of chips when the dialog is narrower
        self.setSizePolicy(policy)
        self.setStyleSheet(CHIP_STYLE)

    def set_categories(self, infos: Iterable[Any]) -> None:
        """``infos``: engine.catalog.categories() rows (id, title, domain_count, notes...)."""
        chosen = self.selected()
        for chip in self._chips.values():
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self._chips.clear()
        for info in infos:
            chip = QToolButton(self)
            chip.setCheckable(True)
            chip.setText(
                self.tr("{title} · {count}").format(title=info.title, count=info.domain_count)
            )
            chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            notes = tuple(info.notes)
            self._notes[info.id] = notes
            tip = self.tr("{count} sites").format(count=info.domain_count)
            if info.app_names:
                tip += "\n" + self.tr("Also closes: {apps}").format(apps=", ".join(info.app_names))
            if not info.hosts_ok:
                tip += "\n" + self.tr("Blocked by the proxy only (too large for the hosts file)")
            for note in notes:
                tip += "\n" + note
            chip.setToolTip(tip)
            chip.setAccessibleName(info.title)
            chip.setAccessibleDescription(tip)
            chip.setChecked(info.id in chosen)
            chip.toggled.connect(self._toggled)
            self._chips[info.id] = chip
            self._layout.addWidget(chip)
        self.updateGeometry()

    def resizeEvent(self, event: Any) -> None:
        # Nested layouts do not always ask a child for its height at a width: say it here,
        # so wrapped chips never overlap what follows.
        super().resizeEvent(event)
        wanted = self._layout.heightForWidth(self.width())
        if wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)

    def chips(self) -> dict[str, QToolButton]:
        return dict(self._chips)

    def selected(self) -> list[str]:
        return [cid for cid, chip in self._chips.items() if chip.isChecked()]

    def set_selected(self, ids: Iterable[str]) -> None:
        wanted = set(ids)
        for cid, chip in self._chips.items():
            chip.blockSignals(True)
            chip.setChecked(cid in wanted)
            chip.blockSignals(False)
        self.changed.emit(self.selected())

    def notes(self) -> list[str]:
        """The "may also break" notes of the chosen categories."""
        return [note for cid in self.selected() for note in self._notes.get(cid, ())]

    def _toggled(self, _on: bool) -> None:
        self.changed.emit(self.selected())
