"""The compact always-on-top timer: a small ring and the session's name, draggable."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from deepworkzone.domain.clock import Clock
from deepworkzone.gui.widgets.countdown import CountdownRing


class MiniTimer(QWidget):
    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        # A tool window: stays above others, no taskbar entry; the parent only owns it.
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(self.tr("Deep Work Zone timer"))
        self.setAccessibleName(self.tr("Mini timer"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.ring = CountdownRing(clock, self, thickness=0.09)
        self.ring.setMinimumSize(96, 96)
        self.name = QLabel(self)
        self.name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.ring, 1)
        layout.addWidget(self.name)
        self.resize(150, 170)
        self._drag: QPoint | None = None

    def set_run(self, name: str, started_at: datetime | None, ends_at: datetime) -> None:
        self.name.setText(name)
        self.ring.set_run(started_at, ends_at)

    def clear(self) -> None:
        self.ring.clear()
        self.hide()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.globalPosition().toPoint() - self.frameGeometry().topLeft()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self.move(event.globalPosition().toPoint() - self._drag)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag = None

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)
