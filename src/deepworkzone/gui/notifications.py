"""Desktop notifications behind one small interface.

The desktop's notification server (``desktop_actions.DesktopActions``, the freedesktop
protocol on the session bus) shows them where there is one; otherwise
``QSystemTrayIcon.showMessage`` where there is a tray; otherwise the message goes to the log
(the window shows the same state anyway). Buttons (Start / Skip on a reminder, and when
sessions "ask first") are offered in the notification where its server shows buttons; where
not (Qt's tray messages have none) the same question is the window's non-modal
``StartPrompt``.
Start calls ``engine.start_stored``, Skip ``engine.scheduler.skip``, both through the bridge.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from deepworkzone.engine import events as ev
from deepworkzone.gui.widgets.start_prompt import StartPrompt

log = logging.getLogger(__name__)

Choice = tuple[str, Callable[[], None]]  # a button's label, what it does


class Actions:
    """Notifications with buttons. This one has none (``supported`` False); a platform
    library can subclass it, and tests use a fake that records and clicks."""

    supported = False  # buttons are shown
    available = False  # notifications without buttons go here too, not to the tray

    def notify(self, title: str, body: str, choices: list[Choice]) -> None:
        raise NotImplementedError

    def post(self, title: str, body: str, warning: bool = False) -> None:
        raise NotImplementedError


class Notifier(QObject):
    def __init__(
        self,
        ctx: Any,
        tray: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
        actions: Actions | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.tray = tray
        self.actions = actions or Actions()
        self.prompt = StartPrompt()
        self.prompt.start.connect(self.start)
        self.prompt.skip.connect(self.skip)
        self.sent: list[tuple[str, str]] = []  # what was shown, for tests and the log
        signals = ctx.signals
        signals.reminder.connect(self.on_reminder)
        signals.start_requested.connect(self.on_start_requested)
        signals.started.connect(self.on_started)
        signals.ended.connect(self.on_ended)
        signals.applied.connect(self.on_applied)
        signals.warning.connect(lambda w: self.show(self.tr("Deep Work Zone"), w.message, True))

    def show(self, title: str, body: str, warning: bool = False) -> None:
        self.sent.append((title, body))
        if self.actions.available:
            self.actions.post(title, body, warning)
            return
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

    # -- Start / Skip ----------------------------------------------------------------------

    def start(self, session_id: int) -> None:
        self.prompt.dismiss(session_id)
        engine = self.ctx.engine
        self.ctx.bridge.run(engine.start_stored, session_id, on_error=self._failed)

    def skip(self, session_id: int, day: dt.date | None) -> None:
        self.prompt.dismiss(session_id)
        self.ctx.bridge.run(self.ctx.engine.scheduler.skip, session_id, day)

    def _failed(self, exc: BaseException) -> None:
        self.show(self.tr("Deep Work Zone"), str(exc) or type(exc).__name__, True)

    def _choices(self, session_id: int, day: dt.date | None, start: str) -> list[Choice]:
        return [
            (start, lambda: self.start(session_id)),
            (self.tr("Skip"), lambda: self.skip(session_id, day)),
        ]

    # -- events ----------------------------------------------------------------------------

    def on_reminder(self, event: ev.Reminder) -> None:
        at = event.starts_at.astimezone().strftime("%H:%M")
        title = self.tr("Starting soon")
        body = self.tr("“%1” starts at %2.").replace("%1", event.name).replace("%2", at)
        if self.actions.supported:
            self.sent.append((title, body))
            choices = self._choices(event.session_id, event.day, self.tr("Start now"))
            self.actions.notify(title, body, choices)
        else:
            self.show(title, body)

    def on_start_requested(self, event: ev.StartRequested) -> None:
        title = self.tr("Time to focus")
        if self.actions.supported:
            body = self.tr("“%1” is due.").replace("%1", event.name)
            self.sent.append((title, body))
            self.actions.notify(
                title, body, self._choices(event.session_id, event.day, self.tr("Start"))
            )
        else:
            self.show(
                title,
                self.tr("“%1” is due. Start it, or skip it, in the window.").replace(
                    "%1", event.name
                ),
            )
        # In the window too: a notification can be dismissed or expire unanswered.
        self.prompt.ask(
            event.session_id,
            event.day,
            self.tr("“%1” is due. Start it now?").replace("%1", event.name),
        )

    def on_started(self, event: ev.Started) -> None:
        if event.session_id is not None:
            self.prompt.dismiss(event.session_id)
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
