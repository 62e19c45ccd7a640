"""The one worker bridge: every engine call from the GUI runs here, off the GUI thread.

Picard's ``run_task`` idea: ``Bridge.run(fn, *args, on_done=..., on_error=...)`` runs ``fn``
on a QThreadPool and hands its result (or the exception it raised) back on the GUI thread
through a queued signal, so callbacks may touch widgets. Nothing else in gui/ creates
threads; the network, the database and the privileged helper are never called on the GUI
thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)

from deepworkzone.gui.responsiveness import free_in_slices, freeze_what_lasts

log = logging.getLogger(__name__)
# A callback that holds the GUI thread longer than this is logged (at debug): the window
# cannot repaint meanwhile.
SLOW_CALLBACK_S = 0.02
_LANE_FREE = QEvent.Type(QEvent.registerEventType())
_LOW_PRIORITY = Qt.EventPriority.LowEventPriority.value  # postEvent takes an int

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class Task:
    """A handle on one call: ``cancel()`` drops it if it has not started, and drops its
    callbacks if it has (a view closed while its call was in flight)."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kw: dict, done, error) -> None:
        self.fn, self.args, self.kw = fn, args, kw
        self.on_done: Done | None = done
        self.on_error: Failed | None = error
        self._cancelled = threading.Event()
        self.bulk = False  # a view's reload: what it built is frozen once delivered
        self.queued = False  # on the bulk lane

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


class _Job(QRunnable):
    def __init__(self, task: Task, relay: _Relay) -> None:
        super().__init__()
        self.task, self.relay = task, relay

    def run(self) -> None:
        task = self.task
        if task.cancelled:
            self.relay.finished.emit(task, None, None)
            return
        try:
            result = task.fn(*task.args, **task.kw)
        except BaseException as exc:  # handed to the GUI thread, never lost in the pool
            self.relay.finished.emit(task, None, exc)
        else:
            self.relay.finished.emit(task, result, None)


class _Relay(QObject):
    # Emitted on a pool thread; the queued connection runs _deliver on the GUI thread.
    finished = Signal(object, object, object)


class Bridge(QObject):
    """``failed`` carries errors no ``on_error`` took, for the window to show."""

    failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        # Reads that walk every session, one at a time: two of them side by side only take
        # turns at the interpreter, and the GUI thread waits behind both.
        self._bulk = QThreadPool(self)
        self._bulk.setMaxThreadCount(1)
        # And the next one starts only once the previous one's result has been shown: the
        # callback and the paint after it run while no worker competes for the interpreter
        # (beside a busy worker, they took twice as long).
        self._queue: deque[Task] = deque()
        self._lane_busy = False
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._pending: set[Task] = set()

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        **kw: Any,
    ) -> Task:
        return self._start(self._pool, Task(fn, args, kw, on_done, on_error))

    def run_bulk(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Done | None = None,
        on_error: Failed | None = None,
        **kw: Any,
    ) -> Task:
        """``run`` for a read over every session (a view's reload): queued behind the
        previous one instead of beside it, and started once that one's result is shown."""
        task = Task(fn, args, kw, on_done, on_error)
        task.bulk = True
        return self._enqueue(task)

    def release(self, rows: list[Any]) -> None:
        """Let go of a view's previous rows on the bulk lane, a slice at a time
        (responsiveness.free_in_slices): on the GUI thread, freeing 10,000 of them is one
        20-40 ms stall. The caller keeps no reference to ``rows``."""
        self._enqueue(Task(free_in_slices, ([rows],), {}, None, None))

    def _track(self, task: Task) -> None:
        self._pending.add(task)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)

    def _start(self, pool: QThreadPool, task: Task) -> Task:
        self._track(task)
        pool.start(_Job(task, self._relay))
        return task

    def _enqueue(self, task: Task) -> Task:
        task.queued = True
        self._track(task)
        self._queue.append(task)
        self._next_in_lane()
        return task

    def _next_in_lane(self) -> None:
        if self._lane_busy or not self._queue:
            return
        self._lane_busy = True
        self._bulk.start(_Job(self._queue.popleft(), self._relay))

    def customEvent(self, event: QEvent) -> None:
        if event.type() == _LANE_FREE:
            self._lane_busy = False
            self._next_in_lane()

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait(self, msecs: int = 10_000) -> bool:
        """Block until every running call has returned (at quit), the bulk lane's queue
        included. Callbacks still arrive through the event loop afterwards."""
        began = time.monotonic()
        while self._queue:  # no result is shown meanwhile: nothing to wait for
            self._bulk.start(_Job(self._queue.popleft(), self._relay))
        if not self._bulk.waitForDone(msecs):
            return False
        left = max(int(msecs - (time.monotonic() - began) * 1000), 0)
        return self._pool.waitForDone(left)

    def cancel_all(self) -> None:
        for task in list(self._pending):
            task.cancel()

    @Slot(object, object, object)
    def _deliver(self, task: Task, result: Any, error: BaseException | None) -> None:
        self._pending.discard(task)
        try:
            self._show(task, result, error)
        finally:
            if task.queued:
                # The lane's next call starts after this callback and the repaint it asked
                # for (an UpdateRequest, posted earlier at the same low priority).
                QCoreApplication.postEvent(self, QEvent(_LANE_FREE), _LOW_PRIORITY)

    def _show(self, task: Task, result: Any, error: BaseException | None) -> None:
        if not self._pending:
            self.busy_changed.emit(False)
        if task.cancelled:
            return
        began = time.perf_counter()
        try:
            self._call_back(task, result, error)
            if task.bulk:
                # What a view just built from every session lives until its next reload:
                # out of the collector's full passes, which would walk it again and again.
                freeze_what_lasts()
        finally:
            spent = time.perf_counter() - began
            if spent > SLOW_CALLBACK_S:
                log.debug("slow callback for %s: %.0f ms", _name(task), spent * 1000)

    def _call_back(self, task: Task, result: Any, error: BaseException | None) -> None:
        try:
            if error is None:
                if task.on_done is not None:
                    task.on_done(result)
            elif task.on_error is not None:
                task.on_error(error)
            else:
                log.warning("%s failed: %s", _name(task), error)
                self.failed.emit(error)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                log.exception("a bridge callback failed")
                self.failed.emit(exc)
                return
            # The widget that asked was closed while the work ran: nobody is left to tell.
            log.debug("a result arrived for a closed widget: %s", exc)
        except Exception as exc:  # a callback's own bug: shown, never a crash of the loop
            log.exception("a bridge callback failed")
            self.failed.emit(exc)


def _name(task: Task) -> str:
    return str(getattr(task.fn, "__qualname__", task.fn))
