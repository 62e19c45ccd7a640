"""A desktop's notification server (org.freedesktop.Notifications), on a private bus.

It behaves as GNOME Shell's does: it lists its capabilities (with or without ``actions``),
hands out ids, records what it was asked to show, and a test "clicks" a button or dismisses a
notification, which sends ActionInvoked / NotificationClosed as a real server would.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from jeepney import MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.wrappers import DBusAddress

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@dataclass
class Shown:
    id: int
    app_name: str
    title: str
    body: str
    actions: list[tuple[str, str]]
    hints: dict[str, Any] = field(default_factory=dict)
    closed: bool = False


class FakeNotificationServer:
    def __init__(self, address: str, *, actions: bool = True) -> None:
        self.address = address
        self.capabilities = ["body", "icon-static", "persistence"] + (
            ["actions"] if actions else []
        )
        self.shown: list[Shown] = []
        self._outgoing: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> FakeNotificationServer:
        self._thread.start()
        assert self._ready.wait(10), "the fake notification server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Shown]:
        deadline = time.monotonic() + timeout
        while len(self.shown) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.shown) >= count, f"{len(self.shown)} notifications, wanted {count}"
        return self.shown

    def click(self, notification: Shown, key: str) -> None:
        emitter = DBusAddress(PATH, interface=NAME)
        self._outgoing.put(new_signal(emitter, "ActionInvoked", "us", (notification.id, key)))
        self.dismiss(notification, reason=2)

    def dismiss(self, notification: Shown, reason: int = 2) -> None:
        emitter = DBusAddress(PATH, interface=NAME)
        notification.closed = True
        self._outgoing.put(
            new_signal(emitter, "NotificationClosed", "uu", (notification.id, reason))
        )

    # -- the server's loop -----------------------------------------------------------------

    def _serve(self) -> None:
        conn = open_dbus_connection(bus=self.address)
        try:
            conn.send_and_get_reply(message_bus.RequestName(NAME), timeout=5)
            self._ready.set()
            while not self._stop.is_set():
                while not self._outgoing.empty():
                    conn.send(self._outgoing.get())
                try:
                    msg = conn.receive(timeout=0.02)
                except TimeoutError:
                    continue
                if msg.header.message_type == MessageType.method_call:
                    conn.send(self._answer(msg))
        finally:
            conn.close()

    def _answer(self, msg: Any) -> Any:
        member = msg.header.fields.get(3)  # HeaderFields.member
        if member == "GetCapabilities":
            return new_method_return(msg, "as", (self.capabilities,))
        if member == "GetServerInformation":
            return new_method_return(msg, "ssss", ("fake-shell", "tests", "1.0", "1.2"))
        if member == "Notify":
            app, _replaces, _icon, title, body, flat, hints, _timeout = msg.body
            shown = Shown(
                len(self.shown) + 1, app, title, body, list(zip(flat[::2], flat[1::2], strict=True))
            )
            shown.hints = dict(hints)
            self.shown.append(shown)
            return new_method_return(msg, "u", (shown.id,))
        if member == "CloseNotification":
            for shown in self.shown:
                if shown.id == msg.body[0] and not shown.closed:
                    self.dismiss(shown, reason=3)
            return new_method_return(msg, "", ())
        return new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (str(member),))
