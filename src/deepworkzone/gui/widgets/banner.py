"""The offline banner: a calm state line above the views, never an error box."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from deepworkzone.gui import theme


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.icon = QLabel(self)
        self.icon.setPixmap(theme.icon("offline").pixmap(18, 18))
        self.label = QLabel(self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self.setAccessibleName(self.tr("Connection state"))
        self._tint()
        self.hide()

    def _tint(self) -> None:
        pal = self.palette()
        amber = QColor("#5a4a16") if theme.is_dark(pal) else QColor("#fff4d6")
        pal.setColor(QPalette.ColorRole.Window, amber)
        self.setPalette(pal)

    def show_offline(self, since: datetime | None, waiting: int) -> None:
        when = since.astimezone().strftime("%H:%M") if since else "?"
        # Plural forms through the translator (%n); English gets its singular here.
        edits = (
            self.tr("1 edit waiting")
            if waiting == 1
            else self.tr("%1 edits waiting").replace("%1", str(waiting))
        )
        text = self.tr("Offline since %1, %2").replace("%1", when).replace("%2", edits)
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()
