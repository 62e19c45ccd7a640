"""Errors as a clear sentence in the window: never a traceback, never a raw repr."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from deepworkzone.engine.errors import EngineError

log = logging.getLogger(__name__)


def error_text(exc: BaseException) -> str:
    if isinstance(exc, EngineError):
        return str(exc) or exc.code.replace("_", " ")
    log.error("unexpected error in the app", exc_info=exc)
    return f"Something went wrong: {exc}" if str(exc) else "Something went wrong."


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or box.tr("Deep Work Zone"))
    box.setText(error_text(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()  # window-modal, never a nested event loop inside a bridge callback
