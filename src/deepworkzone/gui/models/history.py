"""Focus runs for the history view's table: newest first, one row per run."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from deepworkzone.domain.ids import display_id
from deepworkzone.gui.widgets.chart import minutes_text

Index = QModelIndex | QPersistentModelIndex
RunRole = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("When", "Session", "Planned", "Focused", "Outcome", "Reason")
OUTCOME_WORDS = {"completed": "Completed", "ended_early": "Ended early", "missed": "Missed"}
# Qt's translation context for this module's words (a model is not a widget with tr()).
CONTEXT = "HistoryModel"


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def when_text(run: Any, tz: tzinfo) -> str:
    if run.started_at is None:
        return run.occurrence.isoformat() if run.occurrence else "?"
    start = run.started_at.astimezone(tz)
    text = start.strftime("%a %d %b %Y, %H:%M")
    if run.ended_at is not None:
        end = run.ended_at.astimezone(tz)
        text += (
            end.strftime("–%H:%M") if end.date() == start.date() else end.strftime(" – %d %b %H:%M")
        )
    return text


def outcome_text(run: Any) -> str:
    text = _tr(OUTCOME_WORDS.get(run.outcome, run.outcome))
    return text + (_tr(" (emergency exit)") if run.emergency_exit else "")


class RunsModel(QAbstractTableModel):
    def __init__(self, tz: tzinfo, parent: Any = None) -> None:
        super().__init__(parent)
        self._runs: list[Any] = []
        self._tz = tz

    def set_runs(self, runs: list[Any]) -> None:
        self.beginResetModel()
        self._runs = list(reversed(runs))  # the engine lists oldest first; people read newest
        self.endResetModel()

    def runs(self) -> list[Any]:
        return list(self._runs)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._runs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _tr(COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._runs):
            return None
        run = self._runs[index.row()]
        column = index.column()
        if role == RunRole:
            return run
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return when_text(run, self._tz)
            if column == 1:
                sid = f" · {display_id(run.session_id)}" if run.session_id is not None else ""
                return run.name + sid
            if column == 2:
                return minutes_text(run.planned_minutes)
            if column == 3:
                return minutes_text(run.focused_minutes) if run.outcome != "missed" else "–"
            if column == 4:
                return outcome_text(run)
            return run.reason or ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 5 and run.reason:
            return run.reason
        return None
