"""The engine driven from four threads at once, as the desktop app's worker pool will drive it.

A real ``Engine`` on local sessions, with the real timers (APScheduler and the heartbeat
ticker) started and the real hosts blocker on the test's private hosts file. Four threads
loop over a few hundred operations in a random mix: list sessions, create a session (and plan
it, as a front end does after an edit), start a quick focus session, end it early, read the
status, and run a heartbeat as the timer thread would. Racing makes "already_running" and
"not_running" expected answers; anything else (another EngineError, an AttributeError, a
sqlite ProgrammingError, a thread still busy after its time: a deadlock) fails the test.

Afterwards the machine and the records must add up: the hosts file byte-identical to before,
no journal left, one history row per session that really started (and none for the refused
starts), and every created session listed.
"""

from __future__ import annotations

import faulthandler
import os
import random
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deepworkzone.core.paths import app_paths
from deepworkzone.core.settings import Settings
from deepworkzone.domain.models import SessionCreate
from deepworkzone.engine.engine import Engine
from deepworkzone.engine.errors import EngineError
from deepworkzone.engine.requests import quick_request
from deepworkzone.engine.sessions_service import SessionsService

pytestmark = pytest.mark.timeout(180)

THREADS = 4
OPS_PER_THREAD = 80
# A thread still running after this long is stuck: a deadlock, or a lock held forever.
JOIN_TIMEOUT = 120.0
RACING = frozenset({"already_running", "not_running"})
URL = "threads.example"


@dataclass
class Tally:
    """What one thread did, gathered after the threads are joined."""

    started: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    created: list[int] = field(default_factory=list)
    refused: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    ops: int = 0


def _session_body(n: int) -> SessionCreate:
    """A session far enough ahead that the scheduler never starts it during the test."""
    day = (datetime.now(UTC) + timedelta(days=30 + n % 200)).date()
    return SessionCreate.model_validate(
        {
            "name": f"Planned {n}",
            "duration": 30,
            "schedule": day.isoformat(),
            "time": f"{6 + n % 12}:{(n * 7) % 60:02d}",
            "timezone": "UTC",
            "website_blocker_enabled": True,
            "website_blocker": {"mode": "custom", "urls": [URL]},
            "is_recurring": n % 3 == 0,
            **({"occurrence": "weekly", "days": ["mon", "thu"]} if n % 3 == 0 else {}),
        }
    )


def _worker(engine: Engine, index: int, tally: Tally, barrier: threading.Barrier) -> None:
    rng = random.Random(1000 + index)
    counter = iter(range(10**6))

    def list_sessions() -> None:
        listing = engine.sessions.list()
        assert all(s.id is not None for s in listing.sessions)

    def create() -> None:
        edit = engine.sessions.create(_session_body(index * 1000 + next(counter)))
        assert edit.session is not None
        engine.session_changed(edit.session.id)
        tally.created.append(edit.session.id)

    def start() -> None:
        name = f"t{index}-{next(counter)}"
        request = quick_request(1, name=name, urls=[URL], method="hosts", settings=engine.settings)
        status = engine.start_focus(request)
        assert status.name == name and status.here and status.alive
        tally.started.append(name)

    def stop() -> None:
        ended = engine.focus.stop("threads test")
        assert ended.reason == "ended_early"
        assert not ended.undo_errors, ended.undo_errors
        tally.stopped.append(ended.name)

    def status() -> None:
        out = engine.status()
        running = out["running"]
        assert running is None or running["blocked"]["method"] == "hosts"

    ops: list[tuple[Callable[[], None], int]] = [
        (list_sessions, 3),
        (create, 3),
        (start, 4),
        (stop, 4),
        (status, 3),
        (engine.heartbeat, 1),
    ]
    choices = [fn for fn, weight in ops for _ in range(weight)]
    barrier.wait(timeout=30)
    for _ in range(OPS_PER_THREAD):
        op = rng.choice(choices)
        try:
            op()
        except EngineError as exc:
            if exc.code in RACING:
                tally.refused[exc.code] = tally.refused.get(exc.code, 0) + 1
            else:
                tally.failures.append(f"{op.__name__}: EngineError {exc.code}: {exc}")
        except BaseException as exc:
            tally.failures.append(f"{op.__name__}: {type(exc).__name__}: {exc}")
        tally.ops += 1


def test_four_threads_list_create_start_stop_and_everything_adds_up() -> None:
    hosts = Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])
    original = hosts.read_bytes()
    engine = Engine(SessionsService(None), settings=Settings(blocking_method="hosts"))
    engine.start(sync=False)
    try:
        tallies = [Tally() for _ in range(THREADS)]
        barrier = threading.Barrier(THREADS)
        threads = [
            threading.Thread(
                target=_worker, args=(engine, i, tallies[i], barrier), name=f"pool-{i}"
            )
            for i in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=JOIN_TIMEOUT)
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            pytest.fail(f"threads still busy after {JOIN_TIMEOUT:.0f} s (a deadlock?): {stuck}")
        failures = [f for t in tallies for f in t.failures]
        assert failures == [], "\n".join(failures)
        assert sum(t.ops for t in tallies) == THREADS * OPS_PER_THREAD

        started = [name for t in tallies for name in t.started]
        stopped = [name for t in tallies for name in t.stopped]
        created = [sid for t in tallies for sid in t.created]
        # The mix really raced: sessions ran, and both refusals happened.
        assert len(started) >= 10 and len(created) >= 10
        refused = {code for t in tallies for code in t.refused}
        assert refused == RACING, refused

        # At most one left running; end it the way the user would.
        leftover = engine.focus.status()
        if leftover is not None:
            assert leftover.name in started and leftover.name not in stopped
            stopped.append(engine.focus.stop("end of test").name)
        assert sorted(stopped) == sorted(started), "every started session ended exactly once"
    finally:
        engine.shutdown()

    assert hosts.read_bytes() == original
    assert not app_paths().journal_file.exists()
    runs = engine.history.list()
    assert sorted(r.name for r in runs) == sorted(started)
    assert all(r.outcome == "ended_early" for r in runs)
    listed = {s.id for s in engine.sessions.list().sessions}
    assert set(created) <= listed
    assert len(created) == len(set(created))
