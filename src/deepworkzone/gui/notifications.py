"""Desktop notifications behind one small interface.

``QSystemTrayIcon.showMessage`` works wherever there is a tray; where there is none the
message goes to the log (the window shows the same state anyway). A library with actions
(Start / Skip) can replace ``Notifier.show`` later without touching the callers.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from deepworkzone.engine import events as ev
from deepworkzone.gui.events import EngineSignals

log = logging.getLogger(__name__)


class Notifier(QObject):
    def __init__(self, signals: EngineSignals, tray: QSystemTrayIcon | None = None, parent=None):
        super().__init__(parent)
        self.tray = tray
        self.sent: list[tuple[str, str]] = []  # what was shown, for tests and the log
        signals.reminder.connect(self.on_reminder)
        signals.start_requested.connect(self.on_start_requested)
        signals.started.connect(self.on_started)
        signals.ended.connect(self.on_ended)
        signals.applied.connect(self.on_applied)
        signals.warning.connect(lambda w: self.show(self.tr("Deep Work Zone"), w.message, True))

    def show(self, title: str, body: str, warning: bool = False) -> None:
        self.sent.append((title, body))
        tray = self.tray
        if tray is not None and tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if warning
                else QSystemTrayIcon.MessageIcon.Information
            )
            tray.showMessage(title, body, icon, 8000)
        else:
            log.info("notification: %s: %s", title, body)

    def on_reminder(self, event: ev.Reminder) -> None:
        at = event.starts_at.astimezone().strftime("%H:%M")
        self.show(
            self.tr("Starting soon"),
            self.tr("“%1” starts at %2.").replace("%1", event.name).replace("%2", at),
        )

    def on_start_requested(self, event: ev.StartRequested) -> None:
        self.show(
            self.tr("Time to focus"),
            self.tr("“%1” is due. Start it from the window or the tray.").replace("%1", event.name),
        )

    def on_started(self, event: ev.Started) -> None:
        at = event.ends_at.astimezone().strftime("%H:%M")
        self.show(
            self.tr("Focus started"),
            self.tr("“%1” runs until %2.").replace("%1", event.name).replace("%2", at),
        )

    def on_ended(self, event: ev.Ended) -> None:
        if event.reason == "missed":
            return
        minutes = self.tr("%1 minutes focused").replace("%1", str(event.focused_minutes))
        title = (
            self.tr("Session complete") if event.reason == "completed" else self.tr("Session ended")
        )
        body = f"“{event.name}”: {minutes}."
        if event.undo_errors:
            body += " " + self.tr("Some blocks could not be removed: %1").replace(
                "%1", "; ".join(event.undo_errors)
            )
        self.show(title, body, bool(event.undo_errors))

    def on_applied(self, event: ev.Applied) -> None:
        if event.warnings:
            self.show(self.tr("Blocking is incomplete"), "\n".join(event.warnings), True)


def quiet(_: Any) -> None:
    """A listener that drops an event (tests replace notifiers with it)."""
