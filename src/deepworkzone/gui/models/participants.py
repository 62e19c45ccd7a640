"""Who is in a drop-in session: one row per participant (domain.models.Participant)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

Index = QModelIndex | QPersistentModelIndex
ROLE_WORDS = {"owner": "host", "collaborator": "collaborator", "participant": ""}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ParticipantsModel", text)


def who(p: Any) -> str:
    return p.email or _tr("user {id}").format(id=p.user_id)


class ParticipantsModel(QAbstractListModel):
    """Only people in the session now: those who left (``left_at``) drop out of the list."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._people: list[Any] = []

    def set_participants(self, people: list[Any]) -> None:
        present = [p for p in people if p.left_at is None]
        self.beginResetModel()
        self._people = sorted(present, key=lambda p: (p.role != "owner", who(p)))
        self.endResetModel()

    def people(self) -> list[Any]:
        return list(self._people)

    def emails(self) -> list[str]:
        return [p.email for p in self._people if p.email]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._people)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._people):
            return None
        p = self._people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            word = ROLE_WORDS.get(p.role, "")
            return f"{who(p)} ({_tr(word)})" if word else who(p)
        if role == Qt.ItemDataRole.UserRole:
            return p
        return None
