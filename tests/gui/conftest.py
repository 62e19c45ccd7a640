"""GUI tests: offscreen Qt, any Qt warning fails the test, and an AppContext over a real
engine on the test's own DEEPWORKZONE_HOME (manual clock and timers), local-only or signed
in to the real server on loopback."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Never the desktop's own bus: no test notification may pop up on a developer's screen (tests
# that want notifications start a private bus).
os.environ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/deepworkzone-tests-bus"

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.integration.conftest import (  # noqa: F401 (fixtures used by GUI tests)
    LiveServer,
    live_server,
    live_server_factory,
    session_body,
)

# Messages of the offscreen platform itself, about what it cannot do (not our bugs).
PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings() -> Iterator[list[str]]:
    """Like qutebrowser's tests: a Qt warning is a bug, so the test that caused it fails."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    seen: list[str] = []

    def handler(kind: QtMsgType, _context: Any, message: str) -> None:
        if message in PLATFORM_NOISE:
            return
        if kind in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            seen.append(message)

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)
    assert not seen, f"Qt warnings: {seen}"


def make_ctx(sessions: Any, clock: Any, **settings: Any) -> Any:
    from deepworkzone.core.settings import Settings
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.timers import ManualTimers
    from deepworkzone.gui.bridge import Bridge
    from deepworkzone.gui.context import AppContext
    from deepworkzone.gui.events import EngineSignals

    engine = Engine(
        sessions,
        timers=ManualTimers(clock),
        clock=clock,
        settings=Settings(**{"blocking_method": "hosts", **settings}),
    )
    return AppContext(engine, Bridge(), EngineSignals(engine.events), clock)


@pytest.fixture
def gui_clock() -> Any:
    from deepworkzone.domain.clock import ManualClock

    return ManualClock(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))


@pytest.fixture
def local_ctx(qtbot: Any, gui_clock: Any) -> Iterator[Any]:
    """An AppContext in local-only mode."""
    from deepworkzone.engine.sessions_service import SessionsService

    ctx = make_ctx(SessionsService(None, clock=gui_clock), gui_clock)
    yield ctx
    ctx.bridge.wait()
    ctx.engine.shutdown()


@pytest.fixture
def server_ctx_factory(
    qtbot: Any,
    live_server: LiveServer,  # noqa: F811 (the imported fixture, by name)
    gui_clock: Any,
) -> Iterator[Callable[[str], Any]]:
    """``server_ctx_factory(email)``: an AppContext signed in to the live server as ``email``."""
    from deepworkzone.api.config import Connection
    from deepworkzone.engine.sessions_service import SessionsService

    made: list[Any] = []

    def make(email: str = "me@acme.test") -> Any:
        token = live_server.create_user(email)
        ctx = make_ctx(
            SessionsService(Connection(live_server.url, token), clock=gui_clock), gui_clock
        )
        ctx.token = token  # type: ignore[attr-defined]
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.bridge.wait()
        ctx.engine.shutdown()


def wait_for(qtbot: Any, ctx: Any, timeout: int = 10_000) -> None:
    """Until every bridge call has returned and its callback has run."""
    qtbot.waitUntil(lambda: not ctx.bridge.busy, timeout=timeout)
