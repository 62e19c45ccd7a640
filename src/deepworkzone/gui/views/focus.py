"""The focus view: the countdown ring while a session runs, quick starts when none does.

It reads the running session from the shell's LiveStatus (refreshed through the bridge on
every engine event) and acts only through the bridge: extend, end early, or in strict mode
the rationed emergency exit (end early is not offered there at all).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.engine.requests import quick_request
from deepworkzone.gui import theme
from deepworkzone.gui.context import AppContext
from deepworkzone.gui.events import LiveStatus
from deepworkzone.gui.widgets.countdown import CountdownRing
from deepworkzone.gui.widgets.messages import show_error
from deepworkzone.gui.widgets.mini_timer import MiniTimer

QUICK = (25, 50, 90)


def _heading(text: str, parent: QWidget, scale: float = 1.6) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


class FocusView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        if ctx.live is None:
            ctx.live = LiveStatus(ctx.engine, ctx.bridge, ctx.signals, ctx.bridge)
            ctx.live.refresh()
        self.live: LiveStatus = ctx.live
        self.stack = QStackedLayout(self)
        self.stack.addWidget(self._idle_page())
        self.stack.addWidget(self._running_page())
        self.mini = MiniTimer(ctx.clock, self)
        self.live.changed.connect(self.update_from_status)
        self.update_from_status()

    # -- pages -----------------------------------------------------------------------------

    def _idle_page(self) -> QWidget:
        page = QWidget(self)
        col = QVBoxLayout(page)
        col.setContentsMargins(32, 32, 32, 32)
        col.addStretch(1)
        col.addWidget(_heading(self.tr("Ready to focus"), page), 0, Qt.AlignmentFlag.AlignHCenter)
        self.next_label = QLabel(page)
        self.next_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        col.addWidget(self.next_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.quick_buttons: dict[int, QPushButton] = {}
        for minutes in QUICK:
            b = QPushButton(
                theme.icon("start"), self.tr("%1 minutes").replace("%1", str(minutes)), page
            )
            b.setMinimumHeight(40)
            b.setAccessibleDescription(self.tr("Start a quick session with the default blocklist"))
            b.clicked.connect(lambda _c=False, m=minutes: self.quick_start(m))
            row.addWidget(b)
            self.quick_buttons[minutes] = b
        row.addStretch(1)
        col.addLayout(row)
        col.addStretch(2)
        return page

    def _running_page(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        grid.setContentsMargins(24, 24, 24, 24)
        self.ring = CountdownRing(self.ctx.clock, page)
        grid.addWidget(self.ring, 0, 0, 2, 1)
        side = QVBoxLayout()
        side.addStretch(1)
        self.name_label = _heading("", page)
        self.ends_label = QLabel(page)
        self.blocks_label = QLabel(page)
        self.blocks_label.setWordWrap(True)
        self.hits_label = QLabel(page)
        self.snooze_label = QLabel(page)
        self.note_label = QLabel(page)
        self.note_label.setWordWrap(True)
        for w in (
            self.name_label,
            self.ends_label,
            self.blocks_label,
            self.hits_label,
            self.snooze_label,
            self.note_label,
        ):
            side.addWidget(w)
        side.addSpacing(16)
        buttons = QGridLayout()
        self.extend_buttons: dict[str, QPushButton] = {}
        for i, (key, text) in enumerate(
            (("5", self.tr("+5 min")), ("15", self.tr("+15 min")), ("custom", self.tr("Extend…")))
        ):
            b = QPushButton(theme.icon("extend"), text, page)
            b.setAccessibleName(
                self.tr("Extend by %1 minutes").replace("%1", key)
                if key != "custom"
                else self.tr("Extend by a chosen time")
            )
            buttons.addWidget(b, 0, i)
            self.extend_buttons[key] = b
        self.extend_buttons["5"].clicked.connect(lambda: self.extend(5))
        self.extend_buttons["15"].clicked.connect(lambda: self.extend(15))
        self.extend_buttons["custom"].clicked.connect(self.extend_custom)
        self.end_button = QPushButton(theme.icon("stop"), self.tr("End early…"), page)
        self.end_button.clicked.connect(self.end_early)
        self.emergency_button = QPushButton(theme.icon("lock"), self.tr("Emergency exit…"), page)
        self.emergency_button.clicked.connect(self.emergency_exit)
        self.mini_button = QPushButton(theme.icon("mini"), self.tr("Mini timer"), page)
        self.mini_button.setCheckable(True)
        self.mini_button.toggled.connect(self.show_mini)
        self.coverage_button = QPushButton(self.tr("What’s covered…"), page)
        self.coverage_button.setAccessibleName(self.tr("What blocking reaches"))
        self.coverage_button.setToolTip(
            self.tr(
                "Which browsers and apps this session's blocking reaches, and why a site is or isn't blocked"
            )
        )
        self.coverage_button.clicked.connect(self.show_coverage)
        buttons.addWidget(self.end_button, 1, 0)
        buttons.addWidget(self.emergency_button, 1, 0)
        buttons.addWidget(self.coverage_button, 1, 1)
        buttons.addWidget(self.mini_button, 1, 2)
        side.addLayout(buttons)
        side.addStretch(1)
        grid.addLayout(side, 0, 1, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        return page

    def show_coverage(self) -> None:
        from deepworkzone.gui.widgets.coverage_panel import CoverageDialog

        dialog = CoverageDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.coverage_dialog = dialog  # tests reach it here
        dialog.open()

    # -- state -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.live.running

    def update_from_status(self) -> None:
        status = self.live.focus
        nxt = self.live.next
        if nxt is not None:
            self.next_label.setText(
                self.tr("Next: %1 at %2")
                .replace("%1", nxt.name)
                .replace("%2", nxt.starts_at.astimezone().strftime("%a %H:%M"))
            )
        else:
            self.next_label.setText(self.tr("Nothing else planned. Start a quick session:"))
        if status is None or not status.alive:
            self.stack.setCurrentIndex(0)
            self.ring.clear()
            self.mini_button.setChecked(False)
            self.mini.clear()
            return
        self.stack.setCurrentIndex(1)
        self.name_label.setText(status.name)
        self.ring.set_run(status.started_at, status.ends_at, self.tr("left"))
        self.mini.set_run(status.name, status.started_at, status.ends_at)
        self.ends_label.setText(
            self.tr("Ends at %1").replace("%1", status.ends_at.astimezone().strftime("%H:%M"))
        )
        self.blocks_label.setText(self._blocks_text(status))
        self.hits_label.setText(self.tr("Blocked attempts: %1").replace("%1", str(self.live.hits)))
        snoozed = ", ".join(s.capitalize() for s in status.snoozed)
        self.snooze_label.setText(self.tr("Snoozed: %1").replace("%1", snoozed) if snoozed else "")
        self.snooze_label.setVisible(bool(snoozed))
        here = status.here
        for b in (*self.extend_buttons.values(), self.end_button, self.emergency_button):
            b.setEnabled(here)
        # Strict mode: no end early at all; only the rationed emergency exit.
        self.end_button.setVisible(not status.strict)
        self.emergency_button.setVisible(status.strict)
        notes = list(status.warnings)
        if not here:
            notes.insert(0, self.tr("Run by another Deep Work Zone process."))
        if status.strict:
            notes.insert(0, self.tr("Strict session: it cannot be ended early."))
        self.note_label.setText("\n".join(notes))

    def _blocks_text(self, status: Any) -> str:
        if status.method == "none" or not (status.blocked_count or status.mode == "allowlist"):
            return self.tr("Nothing blocked")
        if status.mode == "allowlist":
            what = self.tr("everything but your allowlist")
        else:
            what = ", ".join([c.replace("-", " ") for c in status.categories] + list(status.urls))
        return (
            self.tr("Blocking %1 (%2 sites, by %3)")
            .replace("%1", what)
            .replace("%2", str(status.blocked_count))
            .replace("%3", status.method)
        )

    # -- actions ---------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any, **kw: Any) -> None:
        self.ctx.bridge.run(fn, *args, on_error=lambda e: show_error(self, e), **kw)

    def quick_start(self, minutes: int) -> None:
        engine = self.ctx.engine
        self._run(lambda: engine.start_focus(quick_request(minutes, settings=engine.settings)))

    def extend(self, minutes: int) -> None:
        self._run(self.ctx.engine.focus.extend, minutes)

    def ask_minutes(self) -> int | None:
        value, ok = QInputDialog.getInt(
            self, self.tr("Extend"), self.tr("More minutes:"), 10, 1, 240
        )
        return value if ok else None

    def extend_custom(self) -> None:
        minutes = self.ask_minutes()
        if minutes:
            self.extend(minutes)

    def ask_reason(self) -> str | None:
        text, ok = QInputDialog.getText(
            self, self.tr("End early"), self.tr("Why are you ending this session early?")
        )
        return text if ok else None

    def end_early(self) -> None:
        reason = self.ask_reason()
        if reason is not None:
            self._run(self.ctx.engine.focus.stop, reason.strip() or None)

    def confirm_emergency(self) -> bool:
        engine = self.ctx.engine
        answer = QMessageBox.warning(
            self,
            self.tr("Emergency exit"),
            self.tr(
                "This strict session can only be ended with the emergency exit, which you "
                "can use %1 time(s) every %2 days. Use it now?"
            )
            .replace("%1", str(engine.settings.emergency_exits))
            .replace("%2", str(engine.settings.emergency_exit_days)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def emergency_exit(self) -> None:
        if self.confirm_emergency():
            self._run(self.ctx.engine.focus.stop, "emergency exit", emergency=True)

    def show_mini(self, on: bool) -> None:
        if on and self.running:
            self.mini.show()
            self.mini.raise_()
        else:
            self.mini.hide()


def create(ctx: AppContext, parent: QWidget | None = None) -> QWidget:
    return FocusView(ctx, parent)
