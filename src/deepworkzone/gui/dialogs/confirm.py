"""Asking before a delete: a one-off session is simply confirmed; a recurring one asks
"this occurrence or the whole series", as calendar apps do."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QMessageBox, QWidget

Choice = Literal["occurrence", "series"]


def _tr(text: str) -> str:
    return QCoreApplication.translate("confirm_delete", text)


def delete_box(parent: QWidget | None, session: Any, occurrence: dt.date | None) -> QMessageBox:
    """The question itself, built apart from exec() so tests can click its buttons."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_tr("Delete session"))
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setEscapeButton(cancel)
    if session.is_recurring:
        day = occurrence or session.schedule
        when = QLocale().toString(day, QLocale.FormatType.LongFormat)
        box.setText(_tr("Delete “{name}”?").format(name=session.name))
        box.setInformativeText(
            _tr("It repeats. Delete only the occurrence on {day}, or every occurrence?").format(
                day=when
            )
        )
        one = box.addButton(_tr("This &occurrence"), QMessageBox.ButtonRole.AcceptRole)
        one.setProperty("choice", "occurrence")
        every = box.addButton(_tr("The whole &series"), QMessageBox.ButtonRole.DestructiveRole)
        every.setProperty("choice", "series")
        box.setDefaultButton(one)
    else:
        box.setText(_tr("Delete “{name}”?").format(name=session.name))
        box.setInformativeText(_tr("This cannot be undone."))
        only = box.addButton(_tr("&Delete"), QMessageBox.ButtonRole.DestructiveRole)
        only.setProperty("choice", "series")
        box.setDefaultButton(cancel)
    return box


def choice_of(box: QMessageBox) -> Choice | None:
    clicked = box.clickedButton()
    value = clicked.property("choice") if clicked is not None else None
    return value if value in ("occurrence", "series") else None


def confirm_delete(
    parent: QWidget | None, session: Any, occurrence: dt.date | None
) -> Choice | None:
    """ "occurrence", "series" (a one-off session's only choice) or None for cancel. Then call
    ``engine.sessions.delete(id, occurrence if choice == "occurrence" else None)``."""
    box = delete_box(parent, session, occurrence)
    box.exec()
    return choice_of(box)
