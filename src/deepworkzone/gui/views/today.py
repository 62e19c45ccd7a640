"""Today / Upcoming: today and the next 7 days, recurring occurrences included.

Everything it shows is fetched through the bridge (sessions, today's history, the running
session) and grouped off the GUI thread; each row can be started, edited and deleted.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.domain.occurrences import expand
from deepworkzone.engine.history import local_zone
from deepworkzone.gui import theme
from deepworkzone.gui.context import AppContext
from deepworkzone.gui.models.sessions import DaysModel, Row, RowRole, build_days
from deepworkzone.gui.widgets.badges import SessionDelegate
from deepworkzone.gui.widgets.messages import show_error

DAYS = 8


def load_days(engine: Any) -> list:
    """On a worker: the sessions, today's runs and the running session, grouped by day.

    The sessions are this machine's copy (what every sync refreshes), streamed one at a
    time: only the few that occur in these days are kept, so 10,000 sessions never sit in
    memory here (nor go over the network once a minute)."""
    tz = local_zone()
    now = engine.clock.now()
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tz)
    end = start + timedelta(days=DAYS)
    sessions = [s for s in engine.sessions.each_cached() if expand(s, start, end)]
    runs = engine.history.list(since=today - timedelta(days=1))
    return build_days(sessions, runs, now, tz, days=DAYS, running=engine.focus.status())


class TodayView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = DaysModel(self)
        self.loaded = 0  # how many loads have arrived (tests wait on it)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        top = QHBoxLayout()
        title = QLabel(self.tr("Today and the next 7 days"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        title.setFont(font)
        top.addWidget(title, 1)
        self.buttons: dict[str, QToolButton] = {}
        for key, icon, text in (
            ("start", "start", self.tr("Start now")),
            ("edit", "edit", self.tr("Edit…")),
            ("delete", "delete", self.tr("Delete…")),
        ):
            b = QToolButton(self)
            b.setIcon(theme.icon(icon))
            b.setText(text)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAccessibleName(text.rstrip("…"))
            b.setEnabled(False)
            top.addWidget(b)
            self.buttons[key] = b
        layout.addLayout(top)
        self.tree = QTreeView(self)
        self.tree.setAccessibleName(self.tr("Sessions by day"))
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setIndentation(0)
        self.tree.setMouseTracking(True)
        self.tree.setFrameShape(QTreeView.Shape.NoFrame)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Per item, not per pixel: per pixel Qt measures every row (a call into Python each,
        # thousands with 10,000 sessions) to size the scroll bar; per item only what shows.
        self.tree.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.tree.setItemDelegate(SessionDelegate(self._today, self.tree))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.doubleClicked.connect(lambda _i: self.edit())
        # The rows are painted cards: double-click and Enter open the session's editor.
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.selectionModel().selectionChanged.connect(self._selection)
        layout.addWidget(self.tree, 1)
        self.buttons["start"].clicked.connect(self.start_now)
        self.buttons["edit"].clicked.connect(self.edit)
        self.buttons["delete"].clicked.connect(self.delete)
        sig = ctx.signals
        for s in (sig.started, sig.ended, sig.sync_state, sig.clock_jumped, sig.sessions_changed):
            s.connect(self.refresh)
        # Statuses move with time (upcoming -> missed); a calm minute is enough.
        self._minute = QTimer(self)
        self._minute.setInterval(60_000)
        self._minute.timeout.connect(self.refresh)
        self._minute.start()
        self._task: Any = None
        self.refresh()

    def _today(self):
        return self.ctx.clock.now().astimezone(local_zone()).date()

    # -- data ------------------------------------------------------------------------------

    def refresh(self, *_: Any) -> None:
        if self._task is not None:
            self._task.cancel()  # only the newest answer is shown
        self._task = self.ctx.bridge.run_bulk(
            load_days, self.ctx.engine, on_done=self._loaded, on_error=self._failed
        )

    def _loaded(self, days: list) -> None:
        current = self.current_row()
        self.ctx.bridge.release(self.model.set_days(days))
        # Every day open: Qt lays the rows out without calling Python (models/sessions.py),
        # so all of them at once takes a few ms even with thousands of rows.
        self.tree.expandAll()
        self.loaded += 1
        if current is not None:
            self.select(current.occurrence.key)
        self._selection()

    def _failed(self, exc: BaseException) -> None:
        self.loaded += 1
        show_error(self, exc)

    # -- the selected row ------------------------------------------------------------------

    def current_row(self) -> Row | None:
        index = self.tree.currentIndex()
        return index.data(RowRole) if index.isValid() else None

    def select(self, key: tuple) -> bool:
        for d, day in enumerate(self.model.days()):  # plain Python: no Qt call per row
            for r, row in enumerate(day.rows):
                if row.occurrence.key == key:
                    self.tree.setCurrentIndex(self.model.index(r, 0, self.model.index(d, 0)))
                    return True
        return False

    def _selection(self, *_: Any) -> None:
        row = self.current_row()
        for b in self.buttons.values():
            b.setEnabled(row is not None)
        if row is not None:
            self.buttons["start"].setEnabled(row.status not in ("running", "completed"))

    def _context_menu(self, pos: QPoint) -> None:
        index: QModelIndex = self.tree.indexAt(pos)
        if not index.isValid() or index.data(RowRole) is None:
            return
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(theme.icon("start"), self.tr("Start now"), self.start_now)
        menu.addAction(theme.icon("edit"), self.tr("Edit…"), self.edit)
        menu.addSeparator()
        menu.addAction(theme.icon("delete"), self.tr("Delete…"), self.delete)
        menu.popup(self.tree.viewport().mapToGlobal(pos))

    # -- actions ---------------------------------------------------------------------------

    def start_now(self) -> None:
        row = self.current_row()
        if row is not None:
            self.ctx.bridge.run(
                self.ctx.engine.start_stored, row.occurrence.session_id, on_error=self._failed
            )

    def edit(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from deepworkzone.gui.window_actions import open_session_editor

        open_session_editor(self.ctx, self, row.session, row.occurrence.day)

    def delete(self) -> None:
        row = self.current_row()
        if row is None:
            return
        occurrence = self.ask_delete(row)
        if occurrence is False:
            return
        engine, sid = self.ctx.engine, row.occurrence.session_id

        def work() -> None:
            engine.sessions.delete(sid, occurrence)
            engine.session_changed(sid)

        self.ctx.bridge.run(
            work, on_done=lambda _r: self.ctx.signals.sessions_changed.emit(), on_error=self._failed
        )

    def ask_delete(self, row: Row) -> Any:
        """None: the whole session; a date: that occurrence only; False: cancelled. The
        question is the editor's own (dialogs/confirm.py), so the rule lives in one place."""
        from deepworkzone.gui.dialogs import confirm

        choice = confirm.confirm_delete(self, row.session, row.occurrence.day)
        if choice == "occurrence":
            return row.occurrence.day
        if choice == "series":
            return None
        return False


def create(ctx: AppContext, parent: QWidget | None = None) -> QWidget:
    return TodayView(ctx, parent)
