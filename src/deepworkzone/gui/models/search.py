"""Sessions for the search view: a list model of compact rows and a proxy that applies the
API's filters.

A row keeps only what the list paints and the filters read (no pydantic model, no raw JSON):
the lower-cased name, the badges, the schedule as a domain Recurrence. Rows are built on a
worker (``rows_of``), the GUI thread only swaps the list in. A keystroke is one plain Python
pass that lists the source rows which pass (a substring test over a list of keys when only the
keyword changed, and only over the rows that passed before when the keyword grew), then one
reset of the proxy's row map: Qt never calls into Python per row. The rules are the API's
(store.filters.SessionFilter.matches, which the server shares); ``source`` and ``org_id`` need
the server and are asked of it instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
)

from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.engine.sessions_service import SessionFilter

SessionRole = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex
# Far enough to find an occurrence of any pattern (every one repeats within a year).
RANGE_HORIZON = dt.timedelta(days=800)
SHORT_RANGE_DAYS = 62


class Row:
    """One session as the search list needs it: the fields it paints, filters on and opens
    by (``id``), about a tenth of a Session model's memory."""

    __slots__ = (
        "duration",
        "id",
        "is_public",
        "is_recurring",
        "key",
        "name",
        "occurrence",
        "public",
        "rule",
        "schedule",
        "status",
        "time",
        "type",
    )

    def __init__(self, session: Any) -> None:
        self.id: int = session.id
        self.name: str = session.name
        self.key: str = session.name.casefold()
        self.is_public = self.public = bool(session.is_public)
        self.type: str = session.type
        self.status: str = session.status
        self.schedule: dt.date = session.schedule
        self.time: str = session.time
        self.duration: int = session.duration
        self.is_recurring = bool(session.is_recurring)
        self.occurrence: str | None = session.occurrence
        try:
            rule: Recurrence | None = Recurrence.from_session(session)
        except ValueError:
            rule = None  # a schedule that cannot be read occurs on no day
        self.rule = rule

    @classmethod
    def of(cls, session: Any) -> Row:
        return session if isinstance(session, Row) else cls(session)

    def __repr__(self) -> str:
        return f"Row({self.id}, {self.name!r})"


def rows_of(sessions: Iterable[Any]) -> list[Row]:
    """On a worker: the compact rows of ``sessions`` (models, or rows already)."""
    return [Row.of(s) for s in sessions]


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
        self._keys: list[str] = []
        self._names: list[str] = []

    def set_sessions(self, sessions: Sequence[Any]) -> None:
        """Models or rows; rows built by ``rows_of`` on a worker are taken as they are."""
        self.set_rows(rows_of(sessions))

    def set_rows(self, rows: list[Row]) -> list[Row]:
        """One reset for the whole list (the view lays out only what it shows). Answers the
        rows shown before, for the caller to let go of off the GUI thread (Bridge.release)."""
        old = self._rows
        self.beginResetModel()
        self._rows = rows
        self._keys = [r.key for r in rows]
        self._names = [r.name for r in rows]
        self.endResetModel()
        return old

    def rows(self) -> list[Row]:
        return self._rows

    def keys(self) -> list[str]:
        return self._keys

    def names(self) -> list[str]:
        return self._names

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's API)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == SessionRole:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.name}, {row.schedule.isoformat()} {row.time}, {row.duration} min"
        return None


def _local(flt: SessionFilter) -> SessionFilter:
    return SessionFilter(**{**flt.__dict__, "source": None, "org_id": None})


class SearchProxy(QStringListModel):
    """The source rows that pass the filter, in source order: the list the view shows.

    A filtering proxy written in Python is asked for an index (or ``filterAcceptsRow``) once
    per source row by Qt's own code, about 1 µs each from C++ into Python, which is most of
    a keystroke over 10,000 rows. So the passing rows are listed in Python (one pass), and
    shown through a QStringListModel of their names: the view lays the rows out in C++ and
    calls Python only for the rows it paints (``data``). ``mapToSource`` / ``mapFromSource``
    translate rows as a QAbstractProxyModel's would."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._source: SessionListModel | None = None
        self._filter = SessionFilter()
        self._passed: list[int] = []
        self._inverse: dict[int, int] | None = None
        self._last: tuple[SessionFilter, list[int] | None] | None = None

    def session_filter(self) -> SessionFilter:
        return self._filter

    def set_filter(self, flt: SessionFilter) -> None:
        self._filter = flt
        self.recompute()

    def sourceModel(self) -> SessionListModel | None:
        return self._source

    def setSourceModel(self, model: SessionListModel) -> None:
        if self._source is not None:
            self._source.modelReset.disconnect(self._source_reset)
        self._source = model
        model.modelReset.connect(self._source_reset)  # new rows: decide them again
        self._source_reset()

    def _source_reset(self) -> None:
        self.recompute(fresh=True)

    def recompute(self, *, fresh: bool = False) -> None:
        """Decide every row in one pass, then swap the shown list in one reset."""
        source = self._source
        if source is None:
            return
        local = _local(self._filter)
        everything = local.is_empty
        passed = (
            list(range(len(source.rows())))
            if everything
            else self._decide(source, local, None if fresh else self._last)
        )
        self._last = (local, None if everything else passed)
        self._passed, self._inverse = passed, None
        names = source.names()
        self.setStringList(names if everything else [names[i] for i in passed])

    @staticmethod
    def _decide(
        source: SessionListModel,
        flt: SessionFilter,
        last: tuple[SessionFilter, list[int] | None] | None,
    ) -> list[int]:
        keyword = (flt.keyword or "").casefold()
        rest = SessionFilter(**{**flt.__dict__, "keyword": None})
        # Typing on: the same other filters and a longer keyword, so only the rows that
        # passed before can pass now.
        among: list[int] | None = None
        if last is not None and keyword:
            before, passed = last
            old = (before.keyword or "").casefold()
            if old in keyword and SessionFilter(**{**before.__dict__, "keyword": None}) == rest:
                among = passed
        keys, rows = source.keys(), source.rows()
        if rest.is_empty:  # the keyword alone: a substring test over the keys
            if among is None:
                return [i for i, k in enumerate(keys) if keyword in k]
            return [i for i in among if keyword in keys[i]]
        accept = predicate(flt)
        if among is None:
            return [i for i, r in enumerate(rows) if accept(r)]
        return [i for i in among if accept(rows[i])]

    # -- rows ------------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self._source
        if source is None or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._passed):
            return None
        return source.data(source.index(self._passed[row], 0), role)

    def setData(self, _index: Index, _value: Any, _role: int = Qt.ItemDataRole.EditRole) -> bool:
        return False  # a list of results, not an editor

    def mapToSource(self, proxy: Index) -> QModelIndex:
        source = self._source
        if source is None or not proxy.isValid() or not 0 <= proxy.row() < len(self._passed):
            return QModelIndex()
        return source.index(self._passed[proxy.row()], 0)

    def mapFromSource(self, index: Index) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        if self._inverse is None:  # built when first asked (a selection, not a keystroke)
            self._inverse = {s: p for p, s in enumerate(self._passed)}
        found = self._inverse.get(index.row())
        return QModelIndex() if found is None else self.index(found, 0)

    def source_row(self, row: int) -> int:
        return self._passed[row]

    def session_at(self, index: Index) -> Any:
        """The compact Row at ``index`` (its ``id`` names the session)."""
        return self.data(index, SessionRole)
