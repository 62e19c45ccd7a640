"""Native desktop notifications with buttons: org.freedesktop.Notifications on the session bus.

GNOME, KDE, XFCE, Cinnamon, MATE and the notification daemons of tiling desktops (dunst, mako)
all speak it. A server that lists the ``actions`` capability shows our buttons (Start / Skip
on a reminder) and answers a click with ``ActionInvoked``; one that does not still shows the
text, and the front end asks its question another way. With no session bus (a server, a
container, macOS, Windows) ``open()`` answers False and nothing else happens.

Calls are D-Bus round trips (IPC): front ends make them off their GUI thread. Clicks arrive
on the bus reader's thread, handed to ``on_action``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
CALL_TIMEOUT_S = 2.0
# The spec's urgency hint: 1 normal, 2 critical (a warning that blocking is incomplete).
NORMAL, CRITICAL = 1, 2
# NotificationClosed reasons: 1 expired, 2 dismissed, 3 closed by a call, 4 undefined.

OnAction = Callable[[int, str], None]  # notification id, the action's key
OnClosed = Callable[[int], None]


@dataclass(frozen=True)
class Server:
    name: str
    vendor: str
    version: str
    actions: bool  # it shows buttons


class DesktopNotifications:
    """One connection to the session bus's notification server."""

    def __init__(
        self,
        *,
        address: str = "SESSION",
        app_name: str = "Deep Work Zone",
        icon: str = "ai.deepworkzone.DeepWorkZone",
        on_action: OnAction | None = None,
        on_closed: OnClosed | None = None,
    ) -> None:
        self.address, self.app_name, self.icon = address, app_name, icon
        self.on_action, self.on_closed = on_action, on_closed
        self.server: Server | None = None
        self._router: Any = None
        self._filter: Any = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.server is not None

    @property
    def supports_actions(self) -> bool:
        return self.server is not None and self.server.actions

    def open(self) -> bool:
        """Connect and ask the server what it offers. False (and logged) where there is no
        bus or no notification server; never raises."""
        try:
            from jeepney import MatchRule, message_bus
            from jeepney.io.threading import DBusRouter, open_dbus_connection
        except ImportError:  # not a Linux desktop build
            return False
        try:
            router = DBusRouter(open_dbus_connection(bus=self.address))
        except Exception as exc:  # no bus: a headless machine, macOS, Windows
            log.debug("no session bus for notifications: %s", exc)
            return False
        try:
            caps = self._call(router, "GetCapabilities", "", ())[0]
            name, vendor, version, _spec = self._call(router, "GetServerInformation", "", ())
            rule = MatchRule(type="signal", interface=INTERFACE, path=PATH)
            router.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # a bus without a notification server
            log.debug("no notification server on the session bus: %s", exc)
            router.close()
            router.conn.close()
            return False
        self._filter = router.filter(rule, queue=_Dispatch(self._signal))
        self._router = router
        self.server = Server(str(name), str(vendor), str(version), "actions" in caps)
        return True

    def notify(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]] = (),
        *,
        urgency: int = NORMAL,
        replaces: int = 0,
        timeout_ms: int = -1,
    ) -> int | None:
        """Show a notification; ``actions``: (key, label) pairs for its buttons, offered only
        where the server shows them. Its id, or None when it could not be shown."""
        if self._router is None:
            return None
        flat: list[str] = []
        if self.supports_actions:
            for key, label in actions:
                flat += [key, label]
        hints = {"urgency": ("y", urgency), "desktop-entry": ("s", self.icon)}
        args = (self.app_name, replaces, self.icon, title, body, flat, hints, timeout_ms)
        try:
            return int(self._call(self._router, "Notify", "susssasa{sv}i", args)[0])
        except Exception as exc:  # the server went away: the window still says it
            log.warning("the notification could not be shown: %s", exc)
            return None

    def close_notification(self, notification_id: int) -> None:
        if self._router is None:
            return
        try:
            self._call(self._router, "CloseNotification", "u", (notification_id,))
        except Exception as exc:
            log.debug("closing notification %s: %s", notification_id, exc)

    def close(self) -> None:
        with self._lock:
            router, self._router, self.server = self._router, None, None
        if router is not None:
            if self._filter is not None:
                self._filter.close()
            router.close()
            router.conn.close()

    # -- the bus ---------------------------------------------------------------------------

    @staticmethod
    def _call(router: Any, method: str, signature: str, body: tuple) -> tuple:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        address = DBusAddress(PATH, bus_name=BUS_NAME, interface=INTERFACE)
        message = new_method_call(address, method, signature, body)
        return tuple(unwrap_msg(router.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)))

    def _signal(self, message: Any) -> None:
        member = message.header.fields.get(_MEMBER)
        try:
            if member == "ActionInvoked" and self.on_action is not None:
                notification_id, key = message.body
                self.on_action(int(notification_id), str(key))
            elif member == "NotificationClosed" and self.on_closed is not None:
                self.on_closed(int(message.body[0]))
        except Exception:  # a listener's bug must not stop the bus reader
            log.exception("a notification listener failed")


class _Dispatch:
    """A filter "queue" that hands each matched signal straight to a function."""

    def __init__(self, fn: Callable[[Any], None]) -> None:
        self.fn = fn

    def put_nowait(self, message: Any) -> None:
        self.fn(message)


def _member_field() -> Any:
    try:
        from jeepney import HeaderFields
    except ImportError:
        return None
    return HeaderFields.member


_MEMBER = _member_field()
