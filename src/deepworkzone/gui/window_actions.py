"""What the main window opens: the session editor (new, or a session from any view), the
settings dialog, the about box and the quit question. A mixin of MainWindow, kept apart so
the window's layout and its flows each stay small."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QDialog, QMessageBox


class WindowActions:
    """Mixed into MainWindow after QMainWindow; needs ``self.ctx`` (AppContext) and
    ``self.account_changed`` (a Signal). Strings are in the "MainWindow" context, the one
    ``self.tr`` would use at run time, so lupdate and the translator agree."""

    ctx: Any
    account_changed: Any
    dialog: QDialog | None = None  # the last dialog opened (tests look at it)

    # -- the editor ------------------------------------------------------------------------

    def new_session(self) -> QDialog:
        return self.edit_session(None)

    def edit_session(self, session: Any = None, occurrence: dt.date | None = None) -> QDialog:
        """The editor for ``session`` (None: a new one), shown without blocking; once saved,
        every open view refreshes."""
        dialog = open_session_editor(self.ctx, self, session, occurrence)  # type: ignore[arg-type]
        self.dialog = dialog
        return dialog

    # -- settings and about ----------------------------------------------------------------

    def open_settings(self, page: str = "account") -> QDialog:
        from deepworkzone.gui.dialogs.settings import open_settings

        dialog = open_settings(self.ctx, self, page)  # type: ignore[arg-type]
        dialog.account_changed.connect(self.account_changed.emit)  # type: ignore[attr-defined]
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        open_dialog(self.ctx, dialog)

    def about(self) -> None:
        QMessageBox.about(
            self,  # type: ignore[arg-type]
            QCoreApplication.translate("MainWindow", "About Deep Work Zone"),
            QCoreApplication.translate(
                "MainWindow", "Deep Work Zone: timed deep-work sessions that block distractions."
            ),
        )

    # -- quitting --------------------------------------------------------------------------

    def confirm_quit(self) -> bool:
        """Quitting while a session runs says what happens, and asks."""
        live = self.ctx.live
        if live is None or not live.running or not live.focus.here:
            return True
        status = live.focus
        ends = status.ends_at.astimezone().strftime("%H:%M")
        if status.strict:
            text = (
                QCoreApplication.translate(
                    "MainWindow",
                    "“%1” is a strict session. Quitting keeps its blocks until %2; they are put back the next time Deep Work Zone starts after that.",
                )
                .replace("%1", status.name)
                .replace("%2", ends)
            )
        else:
            text = (
                QCoreApplication.translate(
                    "MainWindow",
                    "“%1” is running until %2. Quitting ends it now and removes every block and snooze.",
                )
                .replace("%1", status.name)
                .replace("%2", ends)
            )
        answer = QMessageBox.question(
            self,  # type: ignore[arg-type]
            QCoreApplication.translate("MainWindow", "Quit Deep Work Zone?"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes


def open_dialog(ctx: Any, dialog: QDialog) -> None:
    """Show ``dialog`` without blocking; once closed it is deleted, but only when no bridge
    call is in flight (a call it started may still answer into its widgets)."""

    def dispose() -> None:
        if ctx.bridge.busy:
            QTimer.singleShot(250, dialog, dispose)  # dropped if the window took it down
        else:
            dialog.deleteLater()

    dialog.finished.connect(lambda _result: dispose())
    dialog.open()


def open_session_editor(
    ctx: Any, parent: Any, session: Any = None, occurrence: dt.date | None = None
) -> QDialog:
    """The editor, shown without blocking, from any view: a save or a delete in it tells
    every open view (``sessions_changed``)."""
    from deepworkzone.gui.dialogs.editor import open_editor

    dialog = open_editor(ctx, parent, session=session, occurrence=occurrence)
    changed = ctx.signals.sessions_changed
    dialog.saved.connect(lambda _edit: changed.emit())  # type: ignore[attr-defined]
    dialog.deleted.connect(lambda _what: changed.emit())  # type: ignore[attr-defined]
    open_dialog(ctx, dialog)
    return dialog
