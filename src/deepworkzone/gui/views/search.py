"""Search and filters over sessions: every filter of the API, applied as you type.

Channel, type, date, date range, completed and keyword are decided locally by the proxy
(models/search.py), so a keystroke never waits for the network; ``source`` (mine or the whole
organisation) changes what the server answers, so choosing it lists again through the bridge.
"""

from __future__ import annotations

import itertools
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.engine.sessions_service import SessionFilter
from deepworkzone.gui.models.search import (
    Row,
    SearchProxy,
    SessionListModel,
    SessionRole,
    rows_of,
)


def load_rows(engine: Any, source: str | None) -> tuple[list[Row], bool]:
    """On a worker: the compact rows of every session the search can show, and whether they
    are an offline copy. Everything this user may see is this machine's copy (each sync
    refreshes it), streamed into rows without keeping a model or the raw JSON; mine or the
    whole organisation is asked of the server."""
    if source is None:
        return rows_of(engine.sessions.each_cached()), False
    listing = engine.sessions.list(SessionFilter(source=source))
    return rows_of(listing.sessions), listing.from_cache


class SessionDelegate(QStyledItemDelegate):
    """Two lines: the name, then when, how long and the badges (type, channel, repeat, done)."""

    def sizeHint(self, option: QStyleOptionViewItem, _index: Any) -> QSize:
        return QSize(200, option.fontMetrics.height() * 2 + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        session = index.data(SessionRole)
        if session is None:
            return
        painter.save()
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = option.rect.adjusted(10, 6, -10, -6)
        line = option.fontMetrics.height()
        bold = painter.font()
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line),
            Qt.AlignmentFlag.AlignLeft,
            session.name,
        )
        painter.setFont(option.font)
        muted = text if selected else pal.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        badges = [session.type, "public" if session.is_public else "private"]
        if session.is_recurring:
            badges.append(session.occurrence or "repeats")
        if session.status != "waiting":
            badges.append(session.status)
        detail = f"{session.schedule.isoformat()}  {session.time}  ·  {session.duration} min  ·  {'  ·  '.join(badges)}"
        painter.drawText(
            QRect(rect.left(), rect.top() + line + 2, rect.width(), line),
            Qt.AlignmentFlag.AlignLeft,
            detail,
        )
        painter.restore()


def _optional_date(parent: QWidget, text: str) -> tuple[QCheckBox, QDateEdit]:
    check = QCheckBox(text, parent)
    edit = QDateEdit(parent)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setEnabled(False)
    edit.setAccessibleName(text.replace("&", ""))
    check.toggled.connect(edit.setEnabled)
    return check, edit


def _combo(parent: QWidget, name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox(parent)
    for text, data in items:
        combo.addItem(text, data)
    combo.setAccessibleName(name)
    return combo


class SearchView(QWidget):
    open_session = Signal(object)  # a Session, double-clicked or Enter: the shell edits it
    loaded = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._task: Any = None
        layout = QVBoxLayout(self)
        self.keyword = QLineEdit(self)
        self.keyword.setPlaceholderText(self.tr("Search sessions by name"))
        self.keyword.setClearButtonEnabled(True)
        self.keyword.setAccessibleName(self.tr("Keyword"))
        layout.addWidget(self.keyword)
        grid = QGridLayout()
        tr = self.tr
        self.channel = _combo(
            self,
            tr("Channel"),
            [
                (tr("Public and private"), None),
                (tr("Public"), "public"),
                (tr("Private"), "private"),
            ],
        )
        self.type = _combo(
            self,
            tr("Type"),
            [(tr("Every type"), None), (tr("Drop-in"), "drop-in"), (tr("Standard"), "standard")],
        )
        self.completed = _combo(
            self,
            tr("Completed"),
            [(tr("Active and done"), None), (tr("Active"), 0), (tr("Done"), 1)],
        )
        self.source = _combo(
            self,
            tr("Source"),
            [
                (tr("All I may see"), None),
                (tr("Mine and shared with me"), "user"),
                (tr("Whole organisation"), "organization"),
            ],
        )
        self.on_day, self.day = _optional_date(self, tr("&On"))
        self.from_day, self.day_start = _optional_date(self, tr("&From"))
        self.to_day, self.day_ends = _optional_date(self, tr("&To"))
        for col, widget in enumerate((self.channel, self.type, self.completed, self.source)):
            grid.addWidget(widget, 0, col * 2, 1, 2)
        for col, (check, edit) in enumerate(
            ((self.on_day, self.day), (self.from_day, self.day_start), (self.to_day, self.day_ends))
        ):
            grid.addWidget(check, 1, col * 2)
            grid.addWidget(edit, 1, col * 2 + 1)
        layout.addLayout(grid)
        self.count = QLabel(self)
        layout.addWidget(self.count)
        self.model = SessionListModel(self)
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView(self)
        self.list.setUniformItemSizes(True)  # 10,000 rows: Qt measures one, not all
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setItemDelegate(SessionDelegate(self.list))
        self.list.setModel(self.proxy)
        self.list.setAccessibleName(self.tr("Sessions found"))
        self.list.activated.connect(self._activated)
        layout.addWidget(self.list, 1)
        today = ctx.clock.now().astimezone().date()
        for edit in (self.day, self.day_start, self.day_ends):
            edit.setDate(QDate(today.year, today.month, today.day))
        self.keyword.textChanged.connect(self.apply)
        for combo in (self.channel, self.type, self.completed):
            combo.currentIndexChanged.connect(self.apply)
        for widget in (self.on_day, self.from_day, self.to_day):
            widget.toggled.connect(self.apply)
        for edit in (self.day, self.day_start, self.day_ends):
            edit.dateChanged.connect(self.apply)
        self.source.currentIndexChanged.connect(self.refresh)
        ctx.signals.sync_state.connect(
            lambda state: state.online and not state.error and self.refresh()
        )
        order = [
            self.keyword,
            self.channel,
            self.type,
            self.completed,
            self.source,
            self.on_day,
            self.day,
            self.from_day,
            self.day_start,
            self.to_day,
            self.day_ends,
            self.list,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.refresh()

    def session_filter(self) -> SessionFilter:
        def day(check: QCheckBox, edit: QDateEdit) -> Any:
            return edit.date().toPython() if check.isChecked() else None

        return SessionFilter(
            channel=self.channel.currentData(),
            type=self.type.currentData(),
            completed=self.completed.currentData(),
            source=self.source.currentData(),
            keyword=self.keyword.text().strip() or None,
            date=day(self.on_day, self.day),
            day_start=day(self.from_day, self.day_start),
            day_ends=day(self.to_day, self.day_ends),
        )

    def apply(self) -> None:
        """One keystroke: the proxy decides every row once, the list shows the result; the
        current session stays current when it still passes."""
        current = self.proxy.session_at(self.list.currentIndex())
        self.proxy.set_filter(self.session_filter())
        if current is not None:
            self._select(current.id)
        self._count()

    def _select(self, session_id: int) -> None:
        for source_row, row in enumerate(self.model.rows()):
            if row.id == session_id:
                index = self.proxy.mapFromSource(self.model.index(source_row, 0))
                if index.isValid():
                    self.list.setCurrentIndex(index)
                return

    def refresh(self) -> None:
        if self._task is not None:
            self._task.cancel()  # only the newest answer is shown
        self._task = self.ctx.bridge.run_bulk(
            load_rows,
            self.ctx.engine,
            self.source.currentData(),
            on_done=self._loaded,
            on_error=self._error,
        )

    def set_sessions(self, sessions: list[Any]) -> None:
        """Session models or compact rows."""
        self._show(rows_of(sessions))

    def _show(self, rows: list[Row]) -> None:
        self.ctx.bridge.release(self.model.set_rows(rows))
        self.apply()

    def _activated(self, index: QModelIndex) -> None:
        """The shell edits a whole Session: read it through the bridge, then hand it on."""
        row = self.proxy.session_at(index)
        if row is None:
            return
        self.ctx.bridge.run(
            self.ctx.engine.sessions.get,
            row.id,
            on_done=lambda edit: edit.session is not None and self.open_session.emit(edit.session),
            on_error=self._error,
        )

    def _loaded(self, result: tuple[list[Row], bool]) -> None:
        self._task = None
        rows, from_cache = result
        self._show(rows)  # built on the worker
        if from_cache:
            self.count.setText(
                self.count.text() + "  " + self.tr("(offline: from this machine's copy)")
            )
        self.loaded.emit()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.count.setText(
            self.tr("{shown} of {total} sessions").format(shown=f"{shown:,}", total=f"{total:,}")
        )

    def _error(self, exc: BaseException) -> None:
        self.count.setStyleSheet("color: #d0312d;")
        self.count.setText(str(exc) or type(exc).__name__)


def create(ctx: Any, parent: QWidget | None = None) -> QWidget:
    return SearchView(ctx, parent)
