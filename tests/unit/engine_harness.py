"""An Engine on the test's DEEPWORKZONE_HOME, with a manual clock and manual timers.

Local-only sessions, the hosts blocker on the private hosts file that tests/conftest.py sets
up. ``step(**delta)`` moves time as if awake and runs whatever became due.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from deepworkzone.core.settings import Settings
from deepworkzone.domain.clock import ManualClock
from deepworkzone.domain.models import SessionCreate
from deepworkzone.engine.engine import Engine
from deepworkzone.engine.sessions_service import SessionsService
from deepworkzone.engine.timers import ManualTimers

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin


@dataclass
class Harness:
    clock: ManualClock
    timers: ManualTimers
    engine: Engine
    events: list[Any] = field(default_factory=list)

    @property
    def hosts(self) -> Path:
        return Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])

    def step(self, seconds: float = 0, **delta: float) -> None:
        """Time passes while awake, in heartbeat-sized steps, running what is due."""
        total = timedelta(seconds=seconds, **delta).total_seconds()
        while total > 0:
            chunk = min(total, 15.0)
            self.clock.advance(chunk)
            self.timers.run_due()
            total -= chunk
        self.timers.run_due()

    def sleep(self, seconds: float = 0, **delta: float) -> None:
        """A suspend: the wall clock moves, the monotonic one does not; then the machine is
        awake for one heartbeat."""
        self.clock.sleep(seconds, **delta)
        self.timers.run_due()
        self.step(15)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def create(self, **fields: Any) -> int:
        body = {
            "name": "Deep work",
            "duration": 30,
            "schedule": START.date().isoformat(),
            "time": "9:05 AM",
            "timezone": "Europe/Berlin",
            "website_blocker_enabled": True,
            "website_blocker": {"mode": "custom", "urls": ["blocked.example"]},
        }
        body.update(fields)
        edit = self.engine.sessions.create(SessionCreate.model_validate(body))
        assert edit.session is not None
        self.engine.session_changed(edit.session.id)
        return edit.session.id


def make_engine(
    start: datetime = START, settings: Settings | None = None, *, begin: bool = True
) -> Harness:
    clock = ManualClock(start)
    timers = ManualTimers(clock)
    engine = Engine(
        SessionsService(None, clock=clock),
        timers=timers,
        clock=clock,
        settings=settings or Settings(blocking_method="hosts"),
    )
    harness = Harness(clock, timers, engine)
    engine.events.subscribe(harness.events.append)
    if begin:
        engine.start(sync=False)
    return harness
