"""What the engine tells its front ends: plain dataclasses through a small observer.

Callbacks run on whichever engine thread produced the event; the GUI turns them into queued
Qt signals, the agent logs them, the CLI prints them. A failing listener is logged and never
breaks the engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

log = logging.getLogger(__name__)

EndReason = Literal["completed", "ended_early", "recovered", "missed", "emergency_exit"]


@dataclass(frozen=True)
class Reminder:
    session_id: int
    name: str
    starts_at: datetime
    day: date | None = None  # the occurrence's day (what ``scheduler.skip`` takes)


@dataclass(frozen=True)
class StartRequested:
    """The start setting is "ask first": the front end asks, then calls start or skip."""

    session_id: int
    name: str
    starts_at: datetime
    day: date | None = None  # the occurrence's day (what ``scheduler.skip`` takes)


@dataclass(frozen=True)
class Started:
    name: str
    session_id: int | None
    ends_at: datetime
    late_by_seconds: float = 0.0


@dataclass(frozen=True)
class Applied:
    name: str
    applied: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # The method leaves a gap on this machine (engine.coverage): a front end says where to
    # read what to do about it.
    coverage_gaps: bool = False


@dataclass(frozen=True)
class Extended:
    name: str
    ends_at: datetime


@dataclass(frozen=True)
class BlockedHit:
    """A blocked site was asked for (proxy), or a blocked app was closed."""

    what: Literal["site", "app"]
    target: str
    count: int


@dataclass(frozen=True)
class Ended:
    name: str
    session_id: int | None
    reason: EndReason
    focused_minutes: int
    detail: str | None = None
    undo_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyncState:
    online: bool
    offline_since: datetime | None = None
    outbox: int = 0
    conflicts: tuple[dict[str, Any], ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ClockJumped:
    seconds: float


@dataclass(frozen=True)
class Warning_:
    message: str
    code: str = "warning"


Event = (
    Reminder
    | StartRequested
    | Started
    | Applied
    | Extended
    | BlockedHit
    | Ended
    | SyncState
    | ClockJumped
    | Warning_
)
Listener = Callable[[Any], None]


@dataclass
class EventBus:
    _listeners: list[Listener] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Any) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("an event listener failed on %s", type(event).__name__)
