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
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

log = logging.getLogger(__name__)

Job = Callable[[], None]


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
        from apscheduler.triggers.interval import IntervalTrigger

        with self._lock:
            self._scheduler.add_job(
                self._guard(key, job, once=False),
                IntervalTrigger(seconds=seconds),
                id=key,
                replace_existing=True,
            )
            self._keys.add(key)

    def cancel(self, key: str) -> None:
        from apscheduler.jobstores.base import JobLookupError

        with self._lock:
            self._keys.discard(key)
            with contextlib.suppress(JobLookupError):
                self._scheduler.remove_job(key)

    def keys(self) -> set[str]:
        with self._lock:
            return set(self._keys)

    def start(self) -> None:
        if not self._scheduler.running:
            self._scheduler.start()

    def shutdown(self) -> None:
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


@dataclass
class _ManualJob:
    when: datetime
    job: Job
    interval: float | None


class ManualTimers:
    """Jobs that run only when a test says how far the clock has come: ``run_due(now)``."""

    def __init__(self) -> None:
        self._jobs: dict[str, _ManualJob] = {}
        self._lock = threading.RLock()
        self.now: datetime = datetime(1970, 1, 1, tzinfo=UTC)

    def at(self, key: str, when: datetime, job: Job) -> None:
        with self._lock:
            self._jobs[key] = _ManualJob(when.astimezone(UTC), job, None)

    def every(self, key: str, seconds: float, job: Job) -> None:
        with self._lock:
            self._jobs[key] = _ManualJob(self.now + timedelta(seconds=seconds), job, seconds)

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

    def run_due(self, now: datetime) -> int:
        """Run every job due at ``now``, earliest first (coalesced, like the real one)."""
        self.now = now
        ran = 0
        while True:
            with self._lock:
                due = [(j.when, k) for k, j in self._jobs.items() if j.when <= now]
                if not due:
                    return ran
                _, key = min(due)
                entry = self._jobs[key]
                if entry.interval is None:
                    del self._jobs[key]
                else:
                    entry.when = now + timedelta(seconds=entry.interval)
            entry.job()
            ran += 1
