"""The desktop's own notifications, with buttons where its server shows them.

``DesktopActions`` is the ``Actions`` of notifications.py over
``engine.desktop_notifications`` (the freedesktop protocol on the session bus). Connecting and
every notification are D-Bus round trips, so they go through the bridge; a click arrives on
the bus reader's thread and comes to the GUI thread by a queued signal, where the choice's
function runs.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from deepworkzone.engine.desktop_notifications import CRITICAL, NORMAL, DesktopNotifications
from deepworkzone.gui.notifications import Actions, Choice

log = logging.getLogger(__name__)


class _Relay(QObject):
    clicked = Signal(int, str)
    closed = Signal(int)


class DesktopActions(Actions):
    def __init__(
        self,
        bridge: Any,
        *,
        address: str = "SESSION",
        on_default: Callable[[], None] | None = None,
    ) -> None:
        self.bridge = bridge
        self.on_default = on_default  # the notification's body clicked: open the window
        self.relay = _Relay()
        self.relay.clicked.connect(self._clicked, Qt.ConnectionType.QueuedConnection)
        self.relay.closed.connect(self._closed, Qt.ConnectionType.QueuedConnection)
        self.client = DesktopNotifications(
            address=address, on_action=self.relay.clicked.emit, on_closed=self.relay.closed.emit
        )
        self._keys = itertools.count(1)
        self._waiting: dict[int, dict[str, Callable[[], None]]] = {}
        self.opened = False

    def open(self, on_done: Callable[[bool], None] | None = None) -> None:
        def done(ok: bool) -> None:
            self.opened = ok
            if ok and self.client.server is not None:
                server = self.client.server
                log.info(
                    "notifications: %s %s (buttons: %s)",
                    server.name,
                    server.version,
                    server.actions,
                )
            if on_done is not None:
                on_done(ok)

        self.bridge.run(self.client.open, on_done=done, on_error=lambda e: done(False))

    @property  # type: ignore[override]
    def supported(self) -> bool:
        return self.client.supports_actions

    @property
    def available(self) -> bool:
        return self.client.available

    def post(self, title: str, body: str, warning: bool = False) -> None:
        """A notification without buttons."""
        self.bridge.run(self.client.notify, title, body, urgency=CRITICAL if warning else NORMAL)

    def notify(self, title: str, body: str, choices: list[Choice]) -> None:
        keyed = {f"c{next(self._keys)}": fn for _label, fn in choices}
        buttons = [("default", ""), *zip(keyed, (label for label, _ in choices), strict=True)]

        def shown(notification_id: int | None) -> None:
            if notification_id is not None:
                self._waiting[notification_id] = keyed

        self.bridge.run(self.client.notify, title, body, buttons, on_done=shown)

    def close(self) -> None:
        self.client.close()

    def _clicked(self, notification_id: int, key: str) -> None:
        choices = self._waiting.pop(notification_id, None)
        if key == "default":
            if self.on_default is not None:
                self.on_default()
            return
        if choices is not None and key in choices:
            choices[key]()

    def _closed(self, notification_id: int) -> None:
        # Dismissed without a choice: the window's own question still stands.
        self._waiting.pop(notification_id, None)
