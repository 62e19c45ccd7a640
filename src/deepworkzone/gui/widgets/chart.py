"""A small bar chart painted with QPainter: focused minutes per day or per week.

Our own widget rather than QtCharts: a few dozen bars need no scene graph, it follows the
palette (light and dark) by itself, and it keeps the app's start-up and memory small.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QHelpEvent, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar ("Mon", "3 Nov")
    value: int  # minutes
    tooltip: str = ""


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


class BarChart(QWidget):
    """Bars scaled to the largest value; a faint guide line at the top value's height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._highlight: int | None = None  # today's (or this week's) bar, drawn stronger
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setAccessibleName(self.tr("Focused time chart"))

    def set_bars(self, bars: list[Bar], highlight: int | None = None) -> None:
        self._bars = list(bars)
        self._highlight = highlight
        total = sum(b.value for b in bars)
        # Screen readers get the numbers the picture shows.
        self.setAccessibleDescription(
            self.tr("{count} bars, total {total}").format(
                count=len(bars), total=minutes_text(total)
            )
        )
        self.update()

    def bars(self) -> list[Bar]:
        return list(self._bars)

    def sizeHint(self) -> QSize:
        return QSize(480, 200)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 120)

    # -- geometry ---------------------------------------------------------------------------

    def _plot(self) -> QRectF:
        fm = QFontMetrics(self.font())
        top = fm.height() + 6  # room for the top value's label
        bottom = fm.height() + 8  # room for the bar labels
        return QRectF(8, top, max(self.width() - 16, 1), max(self.height() - top - bottom, 1))

    def _bar_rect(self, index: int, peak: int) -> QRectF:
        plot = self._plot()
        slot = plot.width() / max(len(self._bars), 1)
        width = max(min(slot * 0.62, 48.0), 2.0)
        value = self._bars[index].value
        height = 0.0 if peak <= 0 else plot.height() * value / peak
        if value > 0:
            height = max(height, 2.0)  # a minute of focus is still visible
        x = plot.left() + slot * index + (slot - width) / 2
        return QRectF(x, plot.bottom() - height, width, height)

    def bar_at(self, x: float) -> int | None:
        if not self._bars:
            return None
        plot = self._plot()
        slot = plot.width() / len(self._bars)
        index = int((x - plot.left()) // slot)
        return index if 0 <= index < len(self._bars) else None

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        plot = self._plot()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlphaF(0.55)
        guide = QColor(text)
        guide.setAlphaF(0.15)
        painter.setPen(guide)
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        peak = max((b.value for b in self._bars), default=0)
        if peak <= 0:
            painter.setPen(muted)
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.tr("No focused time yet"))
            return
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.right(), plot.top()))
        painter.setPen(muted)
        fm = QFontMetrics(self.font())
        painter.drawText(
            QRectF(plot.left(), 0, plot.width(), fm.height() + 4),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            minutes_text(peak),
        )
        accent = pal.color(QPalette.ColorRole.Highlight)
        soft = QColor(accent)
        soft.setAlphaF(0.55)
        slot = plot.width() / len(self._bars)
        # Thin out labels when they would collide (a 30-day month on a narrow window).
        widest = max(fm.horizontalAdvance(b.label) for b in self._bars) + 6
        every = max(1, int(widest // max(slot, 1)) + (1 if widest % max(slot, 1) else 0))
        for i, bar in enumerate(self._bars):
            rect = self._bar_rect(i, peak)
            if rect.height() > 0:
                path = QPainterPath()
                radius = min(4.0, rect.width() / 3)
                path.addRoundedRect(rect, radius, radius)
                painter.fillPath(path, accent if i == self._highlight else soft)
            near = self._highlight is not None and 0 < abs(i - self._highlight) < every
            if (i % every == 0 and not near) or i == self._highlight:
                painter.setPen(text if i == self._highlight else muted)
                label_rect = QRectF(
                    plot.left() + slot * i - 20, plot.bottom() + 4, slot + 40, fm.height()
                )
                painter.drawText(label_rect, Qt.AlignmentFlag.AlignHCenter, bar.label)

    def event(self, event: object) -> bool:
        if isinstance(event, QHelpEvent):
            index = self.bar_at(event.pos().x())
            if index is None:
                QToolTip.hideText()
            else:
                bar = self._bars[index]
                tip = bar.tooltip or f"{bar.label}: {minutes_text(bar.value)}"
                QToolTip.showText(event.globalPos(), tip, self)
            return True
        return super().event(event)
