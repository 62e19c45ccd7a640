"""A word-wrapped QLabel that asks for the height its text needs at its width.

Plain wrapped labels inside nested layouts are often given one line's height and clip the
rest (vertically centred, so the first line is cut too); this one never is.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QWidget


class WrapLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.width() <= 0:
            return
        # Measured from the font, not heightForWidth(), which counts the minimum height we set.
        margins = self.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        box = self.fontMetrics().boundingRect(
            QRect(0, 0, max(width, 1), 100_000), Qt.TextFlag.TextWordWrap, self.text()
        )
        wanted = box.height() + margins.top() + margins.bottom() if self.text() else 0
        if wanted != self.minimumHeight():
            self.setMinimumHeight(wanted)


class MessageLine(WrapLabel):
    """A view's one line of news: hidden until there is something to say; errors in red, in
    words (``error_text``), never an exception's repr."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setVisible(False)

    def say(self, text: str) -> None:
        self.setStyleSheet("")
        self.setText(text)
        self.setVisible(True)

    def error(self, exc: BaseException) -> None:
        from deepworkzone.gui.widgets.messages import error_text

        self.setStyleSheet("color: #d0312d;")
        self.setText(error_text(exc))
        self.setVisible(True)
