"""Drop-in: the organisation's public drop-in sessions running now or later today, who is
in each one (refreshed every 30 s while the view is visible), Join and Leave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.engine.sessions_service import SessionFilter
from deepworkzone.gui.models.participants import ParticipantsModel
from deepworkzone.gui.widgets.wrap_label import MessageLine

REFRESH_MS = 30_000


@dataclass(frozen=True)
class DropIn:
    session: Any
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime

    def running(self, now: dt.datetime) -> bool:
        return self.starts_at <= now < self.ends_at


def load_dropins(sessions: Any, now: dt.datetime) -> list[DropIn]:
    """On a worker: today's public drop-ins that have not ended yet, soonest first, each
    with my participation (a handful of sessions: one read each)."""
    today = now.astimezone().date()
    listing = sessions.list(SessionFilter(type="drop-in", channel="public", date=today))
    out = []
    for s in listing.sessions:
        try:
            starts = Recurrence.from_session(s).start_at(today)
        except ValueError:
            continue
        ends = starts + dt.timedelta(minutes=s.duration)
        if ends > now:
            out.append(DropIn(with_participation(sessions, s), today, starts, ends))
    return sorted(out, key=lambda d: d.starts_at)


def with_participation(sessions: Any, session: Any) -> Any:
    """The list leaves out my participation; one session read has it (whether I joined,
    here or anywhere else). Offline, the listed session as it is."""
    if getattr(session, "participation", None) is not None:
        return session
    try:
        edit = sessions.get(session.id)
    except Exception:  # offline or gone: the list's copy still shows the session
        return session
    return edit.session if edit.session is not None else session


class DropInView(QWidget):
    refreshed = Signal()
    participants_shown = Signal()

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dropins: list[DropIn] = []
        # Join/Leave answered since the last load; otherwise the server's participation.
        self.joined: dict[tuple[int, dt.date], bool] = {}
        layout = QVBoxLayout(self)
        self.message = MessageLine(self)
        layout.addWidget(self.message)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget(splitter)
        self.list.setAccessibleName(self.tr("Drop-in sessions today"))
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(3)  # two-line rows need air between them to read as separate
        detail = QWidget(splitter)
        dl = QVBoxLayout(detail)
        self.title = QLabel(detail)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.when = QLabel(detail)
        self.people_label = QLabel(self.tr("In this session:"), detail)
        self.people = QListView(detail)
        self.people.setAccessibleName(self.tr("Participants"))
        self.people.setUniformItemSizes(True)
        self.model = ParticipantsModel(self)
        self.people.setModel(self.model)
        buttons = QHBoxLayout()
        self.join_button = QPushButton(self.tr("&Join"), detail)
        self.leave_button = QPushButton(self.tr("&Leave"), detail)
        buttons.addWidget(self.join_button)
        buttons.addWidget(self.leave_button)
        buttons.addStretch(1)
        for widget in (self.title, self.when, self.people_label, self.people):
            dl.addWidget(widget)
        dl.addLayout(buttons)
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        layout.addWidget(splitter, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.list.currentRowChanged.connect(lambda _r: self._selected())
        self.join_button.clicked.connect(self.join)
        self.leave_button.clicked.connect(self.leave)
        ctx.signals.sync_state.connect(lambda state: state.online and self.refresh())
        self._selected()
        self.refresh()

    # -- visibility: refresh only while someone looks ------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.timer.start()
        self.refresh()

    def hideEvent(self, event: Any) -> None:
        super().hideEvent(event)
        self.timer.stop()

    # -- loading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.ctx.engine.sessions.can("join"):
            self._say(
                self.tr(
                    "Drop-in sessions are shared through a server: sign in under Settings to see and join them."
                )
            )
            return
        now = self.ctx.clock.now()
        self.ctx.bridge.run(
            load_dropins, self.ctx.engine.sessions, now, on_done=self._loaded, on_error=self._error
        )

    def _loaded(self, dropins: list[DropIn]) -> None:
        current = self.current()
        key = (current.session.id, current.day) if current else None
        self.dropins = dropins
        self.joined.clear()  # the server's answer is newer than any click
        now = self.ctx.clock.now()
        self.list.blockSignals(True)
        self.list.clear()
        row = 0 if dropins else -1
        for i, d in enumerate(dropins):
            item = QListWidgetItem(f"{d.session.name}\n{self._when(d, now)}")
            self.list.addItem(item)
            if key == (d.session.id, d.day):
                row = i
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        if not dropins:
            self._say(self.tr("No public drop-in sessions are running or starting later today."))
        else:
            self.message.setVisible(False)
        self._selected()
        self.refreshed.emit()

    def current(self) -> DropIn | None:
        row = self.list.currentRow()
        return self.dropins[row] if 0 <= row < len(self.dropins) else None

    def _when(self, d: DropIn, now: dt.datetime) -> str:
        locale = QLocale()
        ends = locale.toString(d.ends_at.astimezone().time(), QLocale.FormatType.ShortFormat)
        if d.running(now):
            return self.tr("Running now · until {end}").format(end=ends)
        minutes = int((d.starts_at - now).total_seconds() // 60)
        if minutes < 60:
            return self.tr("Starts in {n} min").format(n=max(minutes, 1))
        start = locale.toString(d.starts_at.astimezone().time(), QLocale.FormatType.ShortFormat)
        return self.tr("Today {start}–{end}").format(start=start, end=ends)

    def _selected(self) -> None:
        d = self.current()
        for widget in (self.join_button, self.leave_button, self.people, self.people_label):
            widget.setEnabled(d is not None)
        if d is None:
            self.title.setText(self.tr("Drop-in sessions"))
            self.when.setText("")
            self.model.set_participants([])
            return
        self.title.setText(d.session.name)
        self.when.setText(self._when(d, self.ctx.clock.now()))
        joined = self.is_joined(d)
        self.join_button.setEnabled(not joined)
        self.leave_button.setEnabled(joined)
        self.load_participants()

    def is_joined(self, d: DropIn) -> bool:
        """Whether I am in it: my last Join/Leave here, else the server's participation."""
        key = (d.session.id, d.day)
        if key in self.joined:
            return self.joined[key]
        part = getattr(d.session, "participation", None)
        return bool(part is not None and part.joined)

    def load_participants(self) -> None:
        d = self.current()
        if d is None:
            return
        sid = d.session.id

        def done(people: list[Any]) -> None:
            now = self.current()
            if now is not None and now.session.id == sid:
                self.model.set_participants(people)
                self.participants_shown.emit()

        self.ctx.bridge.run(
            self.ctx.engine.sessions.participants, sid, d.day, on_done=done, on_error=self._error
        )

    # -- join and leave --------------------------------------------------------------------------

    def join(self) -> None:
        self._change(self.ctx.engine.sessions.join, joined=True)

    def leave(self) -> None:
        self._change(self.ctx.engine.sessions.leave, joined=False)

    def _change(self, call: Any, *, joined: bool) -> None:
        d = self.current()
        if d is None:
            return
        key = (d.session.id, d.day)

        def done(_edit: Any) -> None:
            self.joined[key] = joined
            self._selected()

        self.join_button.setEnabled(False)
        self.leave_button.setEnabled(False)
        self.ctx.bridge.run(call, d.session.id, d.day, on_done=done, on_error=self._error)

    def _say(self, text: str) -> None:
        self.message.say(text)

    def _error(self, exc: BaseException) -> None:
        self.message.error(exc)
        self._selected()


def create(ctx: Any, parent: QWidget | None = None) -> QWidget:
    return DropInView(ctx, parent)
