"""Sessions for the search view: a list model and a proxy that applies the API's filters.

Each row keeps what the filters read, prepared once when the model is filled (the lower-cased
name, the schedule as a domain Recurrence), so a keystroke costs one plain Python pass over
the rows: ``SearchProxy.set_filter`` computes which rows pass, and ``filterAcceptsRow`` only
looks the answer up. The rules are the API's (store.filters.SessionFilter.matches, which the
server shares); ``source`` and ``org_id`` need the server and are asked of it instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.engine.sessions_service import SessionFilter

SessionRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
# Far enough to find an occurrence of any pattern (every one repeats within a year).
RANGE_HORIZON = dt.timedelta(days=800)
SHORT_RANGE_DAYS = 62


@dataclass(frozen=True, slots=True)
class Row:
    session: Any
    key: str  # casefolded name
    public: bool
    type: str
    status: str
    rule: Recurrence | None  # None: a schedule that cannot be read occurs on no day

    @classmethod
    def of(cls, session: Any) -> Row:
        try:
            rule: Recurrence | None = Recurrence.from_session(session)
        except ValueError:
            rule = None
        return cls(
            session,
            session.name.casefold(),
            bool(session.is_public),
            session.type,
            session.status,
            rule,
        )


def _between(rule: Recurrence | None, start: dt.date, end: dt.date) -> bool:
    if rule is None or end < start:
        return False
    first, last = rule.series_bounds()
    low = max(start, first)
    high = min(end, last or dt.date.max, low + RANGE_HORIZON)
    if high < low:
        return False
    span = (high - low).days
    if span <= SHORT_RANGE_DAYS:
        # Day by day with occurs_on (arithmetic) beats building an rrule for short ranges.
        return any(rule.occurs_on(low + dt.timedelta(days=i)) for i in range(span + 1))
    return bool(rule.dates_between(low, high))


def predicate(flt: SessionFilter) -> Callable[[Row], bool]:
    """One function for this keystroke's filter, with the constant work done up front."""
    keyword = (flt.keyword or "").casefold()
    public = None if flt.channel is None else flt.channel == "public"
    kind, completed, day = flt.type, flt.completed, flt.date
    ranged = flt.day_start is not None or flt.day_ends is not None
    start, end = flt.day_start or dt.date.min, flt.day_ends or dt.date.max

    def accept(row: Row) -> bool:
        if keyword and keyword not in row.key:
            return False
        if public is not None and row.public != public:
            return False
        if kind is not None and row.type != kind:
            return False
        if completed is not None:
            done = row.status == "completed"
            if done != bool(completed) or (completed == 0 and row.status == "cancelled"):
                return False
        if day is not None and (row.rule is None or not row.rule.occurs_on(day)):
            return False
        return not ranged or _between(row.rule, start, end)

    return accept


class SessionListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def set_sessions(self, sessions: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = [Row.of(s) for s in sessions]
        self.endResetModel()

    def rows(self) -> list[Row]:
        return self._rows

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's API)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        session = self._rows[index.row()].session
        if role == Qt.ItemDataRole.DisplayRole:
            return session.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{session.name}, {session.schedule.isoformat()} {session.time}, {session.duration} min"
        if role == SessionRole:
            return session
        return None


class SearchProxy(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._filter = SessionFilter()
        self._accepted: list[bool] | None = None  # None: everything passes
        self.setDynamicSortFilter(False)

    def session_filter(self) -> SessionFilter:
        return self._filter

    def set_filter(self, flt: SessionFilter) -> None:
        self._filter = flt
        self.recompute()

    def recompute(self) -> None:
        """Decide every row in one pass, then let Qt ask row by row (a list lookup)."""
        source = self.sourceModel()
        local = SessionFilter(**{**self._filter.__dict__, "source": None, "org_id": None})
        if local.is_empty or not isinstance(source, SessionListModel):
            accepted = None
        else:
            accept = predicate(local)
            accepted = [accept(row) for row in source.rows()]
        # Qt 6.9+: the filter's state changes between begin and end (invalidateRowsFilter
        # is deprecated); only rows are filtered, so columns are left alone.
        self.beginFilterChange()
        self._accepted = accepted
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def setSourceModel(self, model: Any) -> None:
        super().setSourceModel(model)
        model.modelReset.connect(self.recompute)  # new rows: decide them again

    def filterAcceptsRow(self, row: int, _parent: Index) -> bool:
        accepted = self._accepted
        return True if accepted is None else row < len(accepted) and accepted[row]

    def session_at(self, index: Index) -> Any:
        return self.data(index, SessionRole)
