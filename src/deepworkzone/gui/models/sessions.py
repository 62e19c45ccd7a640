"""Today and the next days: occurrences grouped by local day, with their status.

``build_days`` is plain Python (what the view shows, testable without Qt); ``DaysModel`` is a
two-level item model over its result: a day, then that day's occurrences. The model
is filled from engine results the view fetched through the bridge; it never fetches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from deepworkzone.domain.models import Session
from deepworkzone.domain.occurrences import Occurrence, occurrences_between

RowRole = Qt.ItemDataRole.UserRole + 1
DayRole = Qt.ItemDataRole.UserRole + 2
STATUSES = ("upcoming", "running", "completed", "ended_early", "missed")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


@dataclass(frozen=True)
class Row:
    occurrence: Occurrence
    status: str
    blocks: str
    snoozes: str

    @property
    def session(self) -> Session:
        return self.occurrence.session

    @property
    def recurring(self) -> bool:
        return bool(self.session.is_recurring)

    @property
    def strict(self) -> bool:
        return bool(self.session.website_blocker_enabled and self.session.website_blocker.strict)


@dataclass(frozen=True)
class Day:
    day: date
    rows: tuple[Row, ...]


def blocks_of(session: Session) -> str:
    if not session.website_blocker_enabled:
        return ""
    wb = session.website_blocker
    if wb.mode == "allowlist":
        return f"everything but {', '.join(wb.urls)}" if wb.urls else "everything"
    parts = [c.replace("-", " ") for c in wb.category] if wb.mode == "preset" else []
    if wb.urls:
        parts.append(wb.urls[0] if len(wb.urls) == 1 else f"{len(wb.urls)} sites")
    return ", ".join(parts)


def snoozes_of(session: Session) -> str:
    if not session.snooze_enabled:
        return ""
    apps = session.snooze_apps
    return ", ".join(n for n, on in (("Slack", apps.slack), ("Teams", apps.teams)) if on)


def build_days(
    sessions: Iterable[Session],
    runs: Iterable[Any],
    now: datetime,
    tz: tzinfo,
    *,
    days: int = 8,
    running: Any = None,
) -> list[Day]:
    """Today and the next ``days - 1`` local days, each with its occurrences in order.
    ``runs``: history records (their outcome marks an occurrence done); ``running``: the
    engine's FocusStatus, if a session runs."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tz)
    end = start + timedelta(days=days)
    runs = [r for r in runs if r.session_id is not None]
    done: dict[Any, str] = {(r.session_id, r.occurrence): r.outcome for r in runs}
    # "Start now" runs carry no occurrence: they count for the session's row today.
    for r in runs:
        if r.occurrence is None and r.started_at and r.started_at.astimezone(tz).date() == today:
            done[(r.session_id, "today")] = r.outcome
    by_day: dict[date, list[Row]] = {today + timedelta(days=i): [] for i in range(days)}
    for occ in occurrences_between(list(sessions), start, end):
        local = occ.starts_at.astimezone(tz).date()
        if local not in by_day:
            continue  # began yesterday, runs into today: shown under yesterday's session
        by_day[local].append(
            Row(
                occ,
                _status(occ, done, now, running, local == today),
                blocks_of(occ.session),
                snoozes_of(occ.session),
            )
        )
    return [Day(d, tuple(rows)) for d, rows in by_day.items()]


def _status(occ: Occurrence, done: dict, now: datetime, running: Any, today: bool) -> str:
    alive = running is not None and getattr(running, "alive", False)
    # Started at its time, or with "Start now" (no occurrence): today's row runs.
    if (
        alive
        and running.session_id == occ.session_id
        and (running.occurrence == occ.day or (running.occurrence is None and today))
    ):
        return "running"
    outcome = done.get((occ.session_id, occ.day)) or (
        done.get((occ.session_id, "today")) if today else None
    )
    if outcome in STATUSES:
        return outcome
    return "missed" if occ.ends_at <= now else "upcoming"


class DaysModel(QStandardItemModel):
    """Top level: days; children: that day's rows.

    The tree's shape lives in C++: a day is one QStandardItem with as many empty rows as it
    has sessions (no item per row). Opening and laying out thousands of rows then asks
    Python nothing; a model written in Python was asked for an index, its flags (twice) and
    its row count for every row, about 20 µs a row, 15-20 ms a day of 800 rows, more while a
    worker held the interpreter. Only ``data`` is Python, for the rows Qt paints. The empty
    rows carry Qt's default flags (editable among them): the view edits nothing."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._days: list[Day] = []

    def set_days(self, days: Sequence[Day]) -> list[Row]:
        """Show ``days``; answers the rows shown before, for the caller to let go of off the
        GUI thread (Bridge.release)."""
        items = []
        for day in days:
            item = QStandardItem()
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            item.setColumnCount(1)
            item.setRowCount(len(day.rows))
            items.append(item)
        old = self.rows()
        self.clear()  # one reset
        self._days = list(days)
        if items:
            self.invisibleRootItem().appendRows(items)
        return old

    def days(self) -> list[Day]:
        return list(self._days)

    def rows(self) -> list[Row]:
        return [row for d in self._days for row in d.rows]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        parent = index.parent()
        if not parent.isValid():
            day = self._days[index.row()]
            if role == DayRole:
                return day
            if role in _TEXT_ROLES:
                return day.day.isoformat()
            return None
        row = self._days[parent.row()].rows[index.row()]
        if role == RowRole:
            return row
        if role in _TEXT_ROLES:
            return f"{row.occurrence.name}, {row.status}"
        return None
