"""The countdown ring: time left drawn as an antialiased arc around the digits.

It never counts ticks: each repaint reads the engine's clock against the session's end time,
and one single-shot timer wakes just after the next whole second, so the digits change on the
second and stay right after a suspend, an extension or a clock change.
"""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from deepworkzone.domain.clock import Clock
from deepworkzone.gui.theme import ACCENT


def format_left(seconds: float) -> str:
    """12:05, or 1:02:05 past an hour; whole seconds rounded up (0:01 until it ends)."""
    total = max(math.ceil(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class CountdownRing(QWidget):
    def __init__(self, clock: Clock, parent: QWidget | None = None, *, thickness: float = 0.07):
        super().__init__(parent)
        self.clock = clock
        self.thickness = thickness
        self.started_at: datetime | None = None
        self.ends_at: datetime | None = None
        self.caption = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)
        self.setAccessibleName(self.tr("Time left"))

    def sizeHint(self) -> QSize:
        return QSize(300, 300)

    def set_run(self, started_at: datetime | None, ends_at: datetime, caption: str = "") -> None:
        self.started_at, self.ends_at, self.caption = started_at, ends_at, caption
        self._tick()

    def clear(self) -> None:
        self.started_at = self.ends_at = None
        self._timer.stop()
        self.update()

    def seconds_left(self) -> float:
        if self.ends_at is None:
            return 0.0
        return max((self.ends_at - self.clock.now()).total_seconds(), 0.0)

    def text(self) -> str:
        return format_left(self.seconds_left()) if self.ends_at else "--:--"

    def fraction_left(self) -> float:
        if self.ends_at is None or self.started_at is None:
            return 1.0 if self.ends_at else 0.0
        total = (self.ends_at - self.started_at).total_seconds()
        return min(max(self.seconds_left() / total, 0.0), 1.0) if total > 0 else 0.0

    def _tick(self) -> None:
        self.update()
        self.setAccessibleDescription(self.text())
        if self.ends_at is None or self.seconds_left() <= 0:
            return
        # Wake just after the digits change: the fractional part of what is left.
        frac = self.seconds_left() % 1.0
        self._timer.start(max(int(frac * 1000) + 5, 20))

    def paintEvent(self, _event: object) -> None:
        side = min(self.width(), self.height())
        pen_w = max(side * self.thickness, 3.0)
        rect = QRectF(
            (self.width() - side) / 2 + pen_w / 2,
            (self.height() - side) / 2 + pen_w / 2,
            side - pen_w,
            side - pen_w,
        )
        pal = self.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QColor(pal.color(QPalette.ColorRole.WindowText))
        track.setAlphaF(0.12)
        p.setPen(QPen(track, pen_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawEllipse(rect)
        span = self.fraction_left()
        if span > 0:
            p.setPen(QPen(ACCENT, pen_w, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            # Qt angles: 1/16 degree, counter-clockwise from 3 o'clock; start at 12, run clockwise.
            p.drawArc(rect, 90 * 16, -round(span * 360 * 16))
        font = QFont(self.font())
        text = self.text()
        # Seven characters past an hour: smaller, so the digits stay inside the ring.
        font.setPixelSize(max(int(side * (0.2 if len(text) <= 5 else 0.15)), 10))
        font.setWeight(QFont.Weight.DemiBold)
        font.setFeature(QFont.Tag("tnum"), 1) if hasattr(QFont, "Tag") else None
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        if self.caption and side > 160:
            small = QFont(self.font())
            small.setPixelSize(max(int(side * 0.055), 9))
            p.setFont(small)
            muted = QColor(pal.color(QPalette.ColorRole.WindowText))
            muted.setAlphaF(0.6)
            p.setPen(muted)
            below = rect.adjusted(0, rect.height() * 0.62, 0, 0)
            p.drawText(
                below, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self.caption
            )
        p.end()
