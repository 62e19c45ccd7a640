"""The Today list's painting: day headers, and session rows with small rounded badges.

One delegate paints everything (no widget per row), so a long list scrolls smoothly.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from deepworkzone.gui.models.sessions import DayRole, RowRole
from deepworkzone.gui.theme import ACCENT

STATUS_COLORS = {
    "upcoming": QColor("#6b7280"),
    "running": ACCENT,
    "completed": QColor("#1f9d55"),
    "ended_early": QColor("#c27c0e"),
    "missed": QColor("#d64545"),
}


def paint_badge(
    p: QPainter, x: float, y: float, text: str, color: QColor, font: QFont, dark: bool = False
) -> float:
    """A rounded badge at (x, y) top-left; returns the x after it. On a dark palette the
    text is lightened so it keeps its contrast against the tinted fill."""
    fm = QFontMetrics(font)
    w, h = fm.horizontalAdvance(text) + 12, fm.height() + 4
    fill = QColor(color)
    fill.setAlphaF(0.16)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawRoundedRect(QRectF(x, y, w, h), h / 2, h / 2)
    p.setPen(color.lighter(170) if dark else color)
    p.setFont(font)
    p.drawText(QRectF(x, y, w, h), Qt.AlignmentFlag.AlignCenter, text)
    return x + w + 6


class SessionDelegate(QStyledItemDelegate):
    ROW_HEIGHT = 64
    DAY_HEIGHT = 34

    def __init__(self, today: callable, parent=None) -> None:  # type: ignore[valid-type]
        super().__init__(parent)
        self._today = today  # () -> date, from the engine's clock

    def status_label(self, status: str) -> str:
        return {
            "upcoming": self.tr("Upcoming"),
            "running": self.tr("Running"),
            "completed": self.tr("Completed"),
            "ended_early": self.tr("Ended early"),
            "missed": self.tr("Missed"),
        }.get(status, status)

    def day_label(self, day: date) -> str:
        today = self._today()
        if day == today:
            return self.tr("Today")
        if day == today + timedelta(days=1):
            return self.tr("Tomorrow")
        return day.strftime("%A %-d %B")

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        day = index.data(DayRole)
        return QSize(option.rect.width(), self.DAY_HEIGHT if day is not None else self.ROW_HEIGHT)

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = option.palette
        day = index.data(DayRole)
        rect = QRectF(option.rect)
        if day is not None:
            self._paint_day(p, rect, pal, day)
        else:
            self._paint_row(p, option, rect, pal, index.data(RowRole))
        p.restore()

    def _paint_day(self, p: QPainter, rect: QRectF, pal: QPalette, day) -> None:
        font = QFont(p.font())
        font.setWeight(QFont.Weight.Bold)
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.WindowText))
        text = self.day_label(day.day)
        count = len(day.rows)
        if count == 0:
            text += "  ·  " + self.tr("nothing planned")
        p.drawText(rect.adjusted(4, 10, 0, 0), Qt.AlignmentFlag.AlignLeft, text)

    def _paint_row(self, p: QPainter, option, rect: QRectF, pal: QPalette, row) -> None:
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hover = bool(option.state & QStyle.StateFlag.State_MouseOver)
        card = rect.adjusted(2, 3, -4, -3)
        base = QColor(pal.color(QPalette.ColorRole.Base))
        if selected:
            base = QColor(pal.color(QPalette.ColorRole.Highlight))
            base.setAlphaF(0.18)
        elif hover:
            base = base.darker(104) if base.lightness() > 128 else base.lighter(115)
        p.setPen(QColor(pal.color(QPalette.ColorRole.Mid)))
        p.setBrush(base)
        p.drawRoundedRect(card, 8, 8)
        stripe = STATUS_COLORS.get(row.status, ACCENT)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(stripe)
        p.drawRoundedRect(QRectF(card.left() + 6, card.top() + 10, 4, card.height() - 20), 2, 2)

        occ = row.occurrence
        dark = base.lightness() < 128
        text = pal.color(QPalette.ColorRole.Text)
        muted = QColor(text)
        muted.setAlphaF(0.62)
        left = card.left() + 20
        bold = QFont(p.font())
        bold.setWeight(QFont.Weight.DemiBold)
        p.setFont(bold)
        p.setPen(text)
        start = occ.starts_at.astimezone().strftime("%H:%M")
        end = occ.ends_at.astimezone().strftime("%H:%M")
        fm = QFontMetrics(bold)
        top = card.top() + 8
        p.drawText(QPointF(left, top + fm.ascent()), f"{start}–{end}")
        name_x = left + fm.horizontalAdvance("00:00–00:00") + 14
        name = fm.elidedText(
            occ.name, Qt.TextElideMode.ElideRight, int(card.right() - name_x - 110)
        )
        p.drawText(QPointF(name_x, top + fm.ascent()), name)

        small = QFont(p.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        small.setWeight(QFont.Weight.Normal)
        # The status badge at the right of the first line.
        sfm = QFontMetrics(small)
        label = self.status_label(row.status)
        bw = sfm.horizontalAdvance(label) + 12
        paint_badge(p, card.right() - bw - 10, top, label, stripe, small, dark)

        y2 = top + fm.height() + 6
        x = left
        session = occ.session
        x = paint_badge(
            p, x, y2, self.tr("%1 min").replace("%1", str(session.duration)), muted, small, dark
        )
        kind = self.tr("Drop-in") if session.type == "drop-in" else self.tr("Standard")
        x = paint_badge(p, x, y2, kind, QColor("#7c3aed"), small, dark)
        channel = self.tr("Public") if session.is_public else self.tr("Private")
        x = paint_badge(p, x, y2, channel, QColor("#0e7490"), small, dark)
        if row.recurring:
            x = paint_badge(p, x, y2, self.tr("Repeats"), muted, small, dark)
        if row.strict:
            x = paint_badge(p, x, y2, self.tr("Strict"), QColor("#b91c1c"), small, dark)
        parts = []
        if row.blocks:
            parts.append(self.tr("Blocks %1").replace("%1", row.blocks))
        if row.snoozes:
            parts.append(self.tr("snoozes %1").replace("%1", row.snoozes))
        if parts:
            p.setFont(small)
            p.setPen(muted)
            detail = sfm.elidedText(
                " · ".join(parts), Qt.TextElideMode.ElideRight, int(card.right() - x - 10)
            )
            p.drawText(QPointF(x + 4, y2 + 2 + sfm.ascent()), detail)
