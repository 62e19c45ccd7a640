"""Engine events as Qt signals, always delivered on the GUI thread.

The engine calls its listeners on whichever thread produced the event (a timer job, a
bridge worker, the proxy thread). The listener only emits ``_raw``, whose queued connection
runs ``_dispatch`` on the GUI thread later, so widgets are never touched from an engine
thread and no slot runs inside an engine call, even when the event came from the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from deepworkzone.engine import events as ev


class EngineSignals(QObject):
    reminder = Signal(object)  # ev.Reminder
    start_requested = Signal(object)  # ev.StartRequested
    started = Signal(object)  # ev.Started
    applied = Signal(object)  # ev.Applied
    extended = Signal(object)  # ev.Extended
    blocked_hit = Signal(object)  # ev.BlockedHit
    ended = Signal(object)  # ev.Ended
    sync_state = Signal(object)  # ev.SyncState
    clock_jumped = Signal(object)  # ev.ClockJumped
    warning = Signal(object)  # ev.Warning_
    any_event = Signal(object)  # every event, after its own signal
    # Not an engine event: the app changed sessions (an edit, a delete, another account).
    # The main window refreshes every view that is open on it.
    sessions_changed = Signal()

    _raw = Signal(object)

    def __init__(self, bus: ev.EventBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._raw.connect(self._dispatch, Qt.ConnectionType.QueuedConnection)
        self._by_type: dict[type, Any] = {
            ev.Reminder: self.reminder,
            ev.StartRequested: self.start_requested,
            ev.Started: self.started,
            ev.Applied: self.applied,
            ev.Extended: self.extended,
            ev.BlockedHit: self.blocked_hit,
            ev.Ended: self.ended,
            ev.SyncState: self.sync_state,
            ev.ClockJumped: self.clock_jumped,
            ev.Warning_: self.warning,
        }
        self._unsubscribe: Callable[[], None] | None = None
        if bus is not None:
            self.attach(bus)

    def attach(self, bus: ev.EventBus) -> None:
        self.detach()
        self._unsubscribe = bus.subscribe(self._raw.emit)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @Slot(object)
    def _dispatch(self, event: Any) -> None:
        signal = self._by_type.get(type(event))
        if signal is not None:
            signal.emit(event)
        self.any_event.emit(event)


class LiveStatus(QObject):
    """The running session, the next one and the sync state, kept fresh for the tray, the
    status bar and the focus view. Refreshed through the bridge after each engine event
    (and once a minute), so reading it on the GUI thread costs nothing."""

    changed = Signal()

    def __init__(self, engine: Any, bridge: Any, signals: EngineSignals, parent=None) -> None:
        super().__init__(parent)
        self.engine, self.bridge = engine, bridge
        self.focus: Any = None  # FocusStatus | None
        self.next: Any = None  # NextSession | None
        self.sync: ev.SyncState = ev.SyncState(online=True)
        self.hits = 0
        self._task: Any = None
        for name in ("started", "applied", "extended", "ended", "clock_jumped"):
            getattr(signals, name).connect(self.refresh)
        signals.sync_state.connect(self._on_sync)
        signals.blocked_hit.connect(self._on_hit)

    def refresh(self, *_: Any) -> None:
        engine = self.engine
        self._task = self.bridge.run(
            lambda: (engine.focus.status(), engine.next_session()),
            on_done=self._done,
            on_error=lambda _exc: None,  # the next event or minute tries again
        )

    @property
    def running(self) -> bool:
        return self.focus is not None and self.focus.alive

    def _done(self, pair: tuple[Any, Any]) -> None:
        focus, nxt = pair
        if focus is None or not focus.alive:
            self.hits = 0
        else:
            self.hits = max(self.hits, focus.blocked_hits)
        self.focus, self.next = focus, nxt
        self.changed.emit()

    @Slot(object)
    def _on_sync(self, state: ev.SyncState) -> None:
        self.sync = state
        self.refresh()

    @Slot(object)
    def _on_hit(self, hit: ev.BlockedHit) -> None:
        # The event carries the run's running total: no double counting after a refresh.
        if hit.what == "site":
            self.hits = max(self.hits, hit.count)
        self.changed.emit()
