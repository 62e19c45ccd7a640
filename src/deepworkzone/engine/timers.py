"""When the engine wakes up: one small interface over APScheduler, and a manual twin for tests.

Jobs are derived from state (a session's end, the next starts, the heartbeat) and added again
whenever that state changes; nothing is pickled into a job store. Every job only calls back
into the engine, which then reads the injected clock and decides: a job that fires late (after
a suspend) or early (after the wall clock jumped) does the right thing anyway.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from deepworkzone.domain.clock import Clock

log = logging.getLogger(__name__)

Job = Callable[[], object]


class Timers(Protocol):
    def at(self, key: str, when: datetime, job: Job) -> None:
        """Run ``job`` once at ``when`` (replacing any job of that key); late runs still run."""

    def every(self, key: str, seconds: float, job: Job) -> None: ...

    def cancel(self, key: str) -> None: ...

    def keys(self) -> set[str]: ...

    def start(self) -> None: ...

    def shutdown(self) -> None: ...


class ApsTimers:
    """APScheduler 3's BackgroundScheduler: one thread, sleeping until the next job.

    ``misfire_grace_time=None``: a job whose time passed while the machine slept runs as soon
    as it wakes (the engine then decides whether it is late or missed); ``coalesce``: runs
    missed several times run once.
    """

    def __init__(self) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._scheduler: Any = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        )
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        self._tickers: dict[str, _Ticker] = {}

    def at(self, key: str, when: datetime, job: Job) -> None:
        from apscheduler.triggers.date import DateTrigger

        with self._lock:
            self._scheduler.add_job(
                self._guard(key, job, once=True),
                DateTrigger(run_date=when.astimezone(UTC)),
                id=key,
                replace_existing=True,
            )
            self._keys.add(key)

    def every(self, key: str, seconds: float, job: Job) -> None:
        """Not an APScheduler interval job: those follow the wall clock, so one set back an
        hour would silence the heartbeat for an hour. A ticker on the monotonic clock."""
        with self._lock:
            old = self._tickers.pop(key, None)
            ticker = _Ticker(key, seconds, self._guard(key, job, once=False))
            self._tickers[key] = ticker
            self._keys.add(key)
        if old is not None:
            old.stop()
        if self._scheduler.running:
            ticker.start()

    def cancel(self, key: str) -> None:
        from apscheduler.jobstores.base import JobLookupError

        with self._lock:
            self._keys.discard(key)
            ticker = self._tickers.pop(key, None)
            if ticker is not None:
                ticker.stop()
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(key)

    def keys(self) -> set[str]:
        with self._lock:
            return set(self._keys)

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()
            with self._lock:
                tickers = list(self._tickers.values())
            for ticker in tickers:
                ticker.start()

    def shutdown(self) -> None:
        with self._lock:
            tickers = list(self._tickers.values())
            self._tickers.clear()
        for ticker in tickers:
            ticker.stop()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)

    def _guard(self, key: str, job: Job, *, once: bool) -> Job:
        def run() -> None:
            if once:
                with self._lock:
                    self._keys.discard(key)
            try:
                job()
            except Exception:
                log.exception("scheduled job %s failed", key)

        return run


class _Ticker:
    """Runs a job every ``seconds`` of monotonic time on its own thread; stops promptly."""

    def __init__(self, key: str, seconds: float, job: Job) -> None:
        self.key, self.seconds, self.job = key, seconds, job
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name=f"dwz-{self.key}", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            self.job()

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)


@dataclass
class _ManualJob:
    when: datetime
    job: Job
    interval: float | None
    mono_due: float = 0.0


class ManualTimers:
    """Jobs that run only when a test says so: ``run_due()`` runs what the clock says is due."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._jobs: dict[str, _ManualJob] = {}
        self._lock = threading.RLock()

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def at(self, key: str, when: datetime, job: Job) -> None:
        with self._lock:
            self._jobs[key] = _ManualJob(when.astimezone(UTC), job, None)

    def every(self, key: str, seconds: float, job: Job) -> None:
        """Monotonic, like the real ticker: a suspend or a wall-clock jump does not move it."""
        with self._lock:
            due = self.clock.monotonic() + seconds
            self._jobs[key] = _ManualJob(self.now, job, seconds, due)

    def cancel(self, key: str) -> None:
        with self._lock:
            self._jobs.pop(key, None)

    def keys(self) -> set[str]:
        with self._lock:
            return set(self._jobs)

    def when(self, key: str) -> datetime | None:
        with self._lock:
            job = self._jobs.get(key)
            return job.when if job else None

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        with self._lock:
            self._jobs.clear()

    def run_due(self) -> int:
        """Run every job due now, earliest first (coalesced, like the real one)."""
        ran = 0
        while True:
            now, mono = self.clock.now(), self.clock.monotonic()
            with self._lock:
                due = [
                    (j.when if j.interval is None else now, k)
                    for k, j in self._jobs.items()
                    if (j.when <= now if j.interval is None else j.mono_due <= mono)
                ]
                if not due:
                    return ran
                _, key = min(due)
                entry = self._jobs[key]
                if entry.interval is None:
                    del self._jobs[key]
                else:
                    entry.mono_due = mono + entry.interval
            entry.job()
            ran += 1
