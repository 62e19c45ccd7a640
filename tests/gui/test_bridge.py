"""The worker bridge and the engine's events as signals: work off the GUI thread, results
and errors back on it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from deepworkzone.engine import events as ev


def test_results_arrive_on_the_gui_thread_and_work_never_runs_on_it(qtbot: Any) -> None:
    from deepworkzone.gui.bridge import Bridge

    bridge = Bridge()
    gui = threading.get_ident()
    ran_on: list[int] = []
    got: list[tuple[Any, int]] = []

    def work(x: int, *, y: int) -> int:
        ran_on.append(threading.get_ident())
        return x + y

    with qtbot.waitSignal(bridge.busy_changed, check_params_cb=lambda busy: not busy):
        bridge.run(work, 2, y=3, on_done=lambda r: got.append((r, threading.get_ident())))
    assert got == [(5, gui)]
    assert ran_on and ran_on[0] != gui


def test_errors_arrive_on_the_gui_thread(qtbot: Any) -> None:
    from deepworkzone.engine.errors import EngineError
    from deepworkzone.gui.bridge import Bridge

    bridge = Bridge()
    gui = threading.get_ident()
    seen: list[tuple[BaseException, int]] = []

    def boom() -> None:
        raise EngineError("not_running", "no focus session is running")

    bridge.run(boom, on_error=lambda e: seen.append((e, threading.get_ident())))
    qtbot.waitUntil(lambda: bool(seen))
    assert isinstance(seen[0][0], EngineError) and seen[0][1] == gui
    # No on_error: the bridge's failed signal carries it (the window shows it).
    with qtbot.waitSignal(bridge.failed) as blocker:
        bridge.run(boom)
    assert blocker.args[0].code == "not_running"


def test_a_cancelled_call_delivers_nothing(qtbot: Any) -> None:
    from deepworkzone.gui.bridge import Bridge

    bridge = Bridge()
    gate = threading.Event()
    got: list[Any] = []
    task = bridge.run(gate.wait, 5, on_done=got.append)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not bridge.busy)
    assert got == []


def test_engine_events_become_signals_on_the_gui_thread(qtbot: Any) -> None:
    from deepworkzone.gui.events import EngineSignals

    bus = ev.EventBus()
    signals = EngineSignals(bus)
    gui = threading.get_ident()
    seen: list[tuple[Any, int]] = []
    signals.sync_state.connect(lambda e: seen.append((e, threading.get_ident())))
    state = ev.SyncState(online=False, offline_since=datetime(2026, 1, 1, tzinfo=UTC), outbox=2)
    worker = threading.Thread(target=bus.emit, args=(state,))
    worker.start()
    worker.join()
    assert seen == []  # queued: nothing ran on the engine's thread
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(state, gui)]


@pytest.mark.parametrize(
    ("event", "name"),
    [
        (ev.Reminder(1, "a", datetime(2026, 1, 1, tzinfo=UTC)), "reminder"),
        (ev.Started("a", None, datetime(2026, 1, 1, tzinfo=UTC)), "started"),
        (ev.BlockedHit("site", "x.test", 1), "blocked_hit"),
        (ev.Warning_("careful"), "warning"),
    ],
)
def test_each_event_type_has_its_signal(qtbot: Any, event: Any, name: str) -> None:
    from deepworkzone.gui.events import EngineSignals

    bus = ev.EventBus()
    signals = EngineSignals(bus)
    with qtbot.waitSignal(getattr(signals, name)) as blocker:
        bus.emit(event)
    assert blocker.args == [event]


def test_a_result_for_a_closed_widget_is_dropped_quietly(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLabel

    from deepworkzone.gui.bridge import Bridge

    bridge = Bridge()
    label = QLabel()
    release = threading.Event()
    failures: list[BaseException] = []
    bridge.failed.connect(failures.append)
    bridge.run(lambda: release.wait(5) and "done", on_done=label.setText)
    label.deleteLater()
    qtbot.wait(50)  # the label is gone before the work returns
    release.set()
    qtbot.waitUntil(lambda: not bridge.busy, timeout=5000)
    assert failures == []
