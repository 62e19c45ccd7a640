"""Native notifications with buttons over a real (private) session bus and dbus-daemon; the
desktop's notification server is the only fake, as it belongs to the desktop, not to us."""

from __future__ import annotations

import threading
from pathlib import Path

from deepworkzone.engine.desktop_notifications import CRITICAL, DesktopNotifications
from tests.fakes.fake_notifications import FakeNotificationServer
from tests.fakes.session_bus import private_session_bus


def test_buttons_are_offered_and_a_click_comes_back(tmp_path: Path) -> None:
    clicks: list[tuple[int, str]] = []
    closed: list[int] = []
    got = threading.Event()

    def on_action(nid: int, key: str) -> None:
        clicks.append((nid, key))
        got.set()

    with private_session_bus(tmp_path) as (address, _), FakeNotificationServer(address) as srv:
        dn = DesktopNotifications(address=address, on_action=on_action, on_closed=closed.append)
        assert dn.open()
        assert dn.supports_actions and dn.server is not None and dn.server.name == "fake-shell"
        nid = dn.notify(
            "Starting soon", "“Write” starts at 09:00.", [("start", "Start now"), ("skip", "Skip")]
        )
        [shown] = srv.wait_for(1)
        assert shown.id == nid and shown.app_name == "Deep Work Zone"
        assert shown.title == "Starting soon" and shown.actions == [
            ("start", "Start now"),
            ("skip", "Skip"),
        ]
        srv.click(shown, "skip")
        assert got.wait(5)
        assert clicks == [(nid, "skip")]
        dn.close()


def test_a_server_without_buttons_gets_the_text_alone(tmp_path: Path) -> None:
    with (
        private_session_bus(tmp_path) as (address, _),
        FakeNotificationServer(address, actions=False) as srv,
    ):
        dn = DesktopNotifications(address=address)
        assert dn.open() and not dn.supports_actions
        dn.notify(
            "Blocking is incomplete", "youtube.com: no helper", [("x", "X")], urgency=CRITICAL
        )
        [shown] = srv.wait_for(1)
        assert shown.actions == [] and shown.hints["urgency"][1] == CRITICAL
        dn.close()


def test_no_notification_server_or_no_bus_is_a_quiet_false(tmp_path: Path) -> None:
    with private_session_bus(tmp_path) as (address, _):
        dn = DesktopNotifications(address=address)
        assert not dn.open() and not dn.available
        assert dn.notify("t", "b") is None  # nothing raised, nothing shown
    nobus = DesktopNotifications(address=f"unix:path={tmp_path / 'no-such-bus'}")
    assert not nobus.open()


def test_the_server_going_away_is_logged_not_raised(tmp_path: Path) -> None:
    with private_session_bus(tmp_path) as (address, _):
        with FakeNotificationServer(address):
            dn = DesktopNotifications(address=address)
            assert dn.open()
        assert dn.notify("Focus started", "until 10:00") is None
        dn.close()
