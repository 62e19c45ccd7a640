"""The tray icon: minutes left drawn on the icon and in the tooltip; its menu is rebuilt
each time it opens, from the cached LiveStatus, so it never waits on the engine."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from deepworkzone.engine.requests import quick_request
from deepworkzone.gui import theme
from deepworkzone.gui.context import AppContext
from deepworkzone.gui.widgets.messages import show_error

QUICK = (25, 50, 90)


def minutes_left(ctx: AppContext) -> int | None:
    live = ctx.live
    if live is None or not live.running:
        return None
    return math.ceil(live.focus.remaining(ctx.clock.now()).total_seconds() / 60)


def badge_icon(base: QIcon, minutes: int | None, size: int = 64) -> QIcon:
    """The app icon, with the minutes left on a round badge while a session runs."""
    if minutes is None:
        return base
    pix = base.pixmap(size, size)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    text = str(minutes) if minutes < 100 else f"{minutes // 60}h"
    rect = QRectF(size * 0.12, size * 0.22, size * 0.76, size * 0.6)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(20, 24, 40, 225))
    p.drawRoundedRect(rect, rect.height() / 2.2, rect.height() / 2.2)
    font = QFont()
    font.setPixelSize(int(size * (0.42 if len(text) < 3 else 0.32)))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("#ffffff"))
    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    p.end()
    return QIcon(pix)


class Tray(QObject):
    def __init__(
        self,
        ctx: AppContext,
        show_window: Callable[[], None],
        quit_app: Callable[[], None],
        parent=None,
    ):
        super().__init__(parent)
        self.ctx = ctx
        self.show_window, self.quit_app = show_window, quit_app
        self.base = theme.app_icon()
        self.icon = QSystemTrayIcon(self.base, self)
        self.menu = QMenu()
        self.menu.aboutToShow.connect(self.rebuild)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.actions: dict[str, QAction] = {}
        self._minutes: int | None = -1
        self._timer = QTimer(self)  # the minute on the icon; cheap, reads the cached end time
        self._timer.setInterval(5_000)
        self._timer.timeout.connect(self.update_icon)
        self._timer.start()
        if ctx.live is not None:
            ctx.live.changed.connect(self.update_icon)
        self.rebuild()
        self.update_icon()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def update_icon(self) -> None:
        minutes = minutes_left(self.ctx)
        live = self.ctx.live
        if live is not None and live.running:
            tip = (
                self.tr("%1: %2 min left")
                .replace("%1", live.focus.name)
                .replace("%2", str(minutes))
            )
        else:
            tip = self.tr("Deep Work Zone: no session running")
        self.icon.setToolTip(tip)
        if minutes != self._minutes:
            self._minutes = minutes
            self.icon.setIcon(badge_icon(self.base, minutes))

    def rebuild(self) -> None:
        """The menu from what is known now (called on every show)."""
        m, live = self.menu, self.ctx.live
        m.clear()
        self.actions = {}
        running = live is not None and live.running
        if running:
            status = live.focus
            head = m.addAction(
                self.tr("%1 — %2 min left")
                .replace("%1", status.name)
                .replace("%2", str(minutes_left(self.ctx)))
            )
            head.setEnabled(False)
        else:
            for minutes in QUICK:
                a = m.addAction(
                    theme.icon("start"), self.tr("Focus for %1 minutes").replace("%1", str(minutes))
                )
                a.triggered.connect(lambda _c=False, n=minutes: self.quick_start(n))
                self.actions[f"quick{minutes}"] = a
        m.addSeparator()
        nxt = live.next if live is not None else None
        if nxt is not None:
            when = nxt.starts_at.astimezone().strftime("%a %H:%M")
            a = m.addAction(self.tr("Next: %1 at %2").replace("%1", nxt.name).replace("%2", when))
            a.setEnabled(False)
        else:
            m.addAction(self.tr("No session planned")).setEnabled(False)
        m.addSeparator()
        self.actions["open"] = m.addAction(
            theme.icon("today"), self.tr("Open Deep Work Zone"), self.show_window
        )
        self.actions["quit"] = m.addAction(theme.icon("quit"), self.tr("Quit"), self.quit_app)

    def quick_start(self, minutes: int) -> None:
        engine = self.ctx.engine
        self.ctx.bridge.run(
            lambda: engine.start_focus(quick_request(minutes, settings=engine.settings)),
            on_error=lambda e: show_error(None, e),
        )

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window()
