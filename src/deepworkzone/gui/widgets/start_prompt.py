"""A small non-modal question above the views: "“Name” is due: Start / Skip".

Where desktop notifications have no actions, this is where "ask before starting" asks. It
never blocks the window, and answering (or the session starting anyway) hides it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from deepworkzone.gui import theme


class StartPrompt(QFrame):
    start = Signal(int)  # session id
    skip = Signal(int, object)  # session id, the occurrence's day

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPrompt")
        self.setAutoFillBackground(True)
        self.session_id: int | None = None
        self.day: dt.date | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.icon = QLabel(self)
        self.icon.setPixmap(theme.icon("focus").pixmap(18, 18))
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.start_button = QPushButton(theme.icon("start"), self.tr("&Start"), self)
        self.skip_button = QPushButton(self.tr("S&kip"), self)
        self.start_button.setDefault(True)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.start_button)
        layout.addWidget(self.skip_button)
        self.setAccessibleName(self.tr("Start a session?"))
        self.start_button.clicked.connect(self._start)
        self.skip_button.clicked.connect(self._skip)
        self._tint()
        self.hide()

    def _tint(self) -> None:
        pal = self.palette()
        blue = QColor("#22305c") if theme.is_dark(pal) else QColor("#e6ecff")
        pal.setColor(QPalette.ColorRole.Window, blue)
        self.setPalette(pal)

    def ask(self, session_id: int, day: dt.date | None, text: str) -> None:
        self.session_id, self.day = session_id, day
        self.label.setText(text)
        self.setAccessibleDescription(text)
        self.show()

    def dismiss(self, session_id: int | None = None) -> None:
        """Hide it (only if it asks about ``session_id``, when one is given)."""
        if session_id is None or session_id == self.session_id:
            self.session_id = None
            self.hide()

    def _start(self) -> None:
        if self.session_id is not None:
            sid = self.session_id
            self.dismiss()
            self.start.emit(sid)

    def _skip(self) -> None:
        if self.session_id is not None:
            sid, day = self.session_id, self.day
            self.dismiss()
            self.skip.emit(sid, day)
