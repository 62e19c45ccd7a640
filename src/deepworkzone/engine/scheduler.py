"""Sessions start on time by themselves: reminders, starts, late starts and misses.

The plan is derived from the store (``OccurrenceIndex`` over the next days), rebuilt at start,
after every change and after every sync; it is never pickled. One timer job waits for the next
moment that matters (a reminder or a start), and the engine's heartbeat calls ``reconcile``
too, so a suspend or a clock change is caught within a heartbeat of waking up.

``reconcile`` is the one place that decides, from the injected clock:
- a reminder ``reminder_minutes`` before a start;
- at the start: start it (``auto_start``), or ask the front end first (``StartRequested``);
- a start that passed while the machine slept (or the agent was not running): started late
  for the time left if at least ``late_start_min_minutes`` are left, else recorded missed;
- an occurrence whose whole time passed unrun since the last look: recorded missed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.domain.models import Session
from deepworkzone.domain.occurrences import Occurrence, OccurrenceIndex, expand
from deepworkzone.engine import events as ev
from deepworkzone.engine.timers import Timers

log = logging.getLogger(__name__)

NEXT_JOB = "schedule:next"
HORIZON = timedelta(days=2)
# Looked back at, at most, for starts and misses after a long suspend or a stopped agent.
LOOKBACK = timedelta(days=1)
# A start this late is still "on time" (the timer thread, a busy machine).
ON_TIME = timedelta(seconds=60)


@dataclass
class ScheduleSettings:
    reminder_minutes: int = 2
    auto_start: bool = True
    late_start_min_minutes: int = 5


@dataclass(frozen=True)
class Decision:
    """What ``reconcile`` did, for tests and the log."""

    reminded: tuple[Occurrence, ...] = ()
    started: tuple[Occurrence, ...] = ()
    asked: tuple[Occurrence, ...] = ()
    missed: tuple[Occurrence, ...] = ()


StartFn = Callable[[Occurrence, float], None]
Key = tuple[int, object]


class Scheduler:
    def __init__(
        self,
        *,
        timers: Timers,
        events: ev.EventBus,
        load_sessions: Callable[[], Iterable[Session]],
        start: StartFn,
        already_handled: Callable[[Occurrence], bool],
        record_missed: Callable[[Occurrence, str], None],
        clock: Clock = SYSTEM_CLOCK,
        settings: ScheduleSettings | None = None,
        checked_since: datetime | None = None,
        save_checked: Callable[[datetime], None] | None = None,
    ) -> None:
        self.timers = timers
        self.events = events
        self.clock = clock
        self.settings = settings or ScheduleSettings()
        self._load = load_sessions
        self._start = start
        self._handled_elsewhere = already_handled
        self._record_missed = record_missed
        self._save_checked = save_checked
        self._lock = threading.RLock()
        now = clock.now()
        self._index = OccurrenceIndex(now - LOOKBACK, now + HORIZON)
        self._checked = max(checked_since or now, now - LOOKBACK)
        self._reminded: set[Key] = set()
        self._handled: set[Key] = set()

    # -- the plan --------------------------------------------------------------------------

    def rebuild(self, sessions: list[Session] | None = None) -> None:
        """The whole plan again from the store (start, after a sync)."""
        now = self.clock.now()
        start, end = now - LOOKBACK, now + HORIZON
        # Only the sessions that occur in the horizon are kept (a few hundred of 10,000):
        # when the horizon moves on, the plan is read from the store again.
        kept = [
            s
            for s in (self._load() if sessions is None else sessions)
            if _takes_part(s) and expand(s, start, end)
        ]
        with self._lock:
            self._index.rebuild(kept, start, end)
            self._arm(now)

    def changed(self, session: Session | None, session_id: int | None = None) -> None:
        """One session was created, edited or deleted: only it is planned again."""
        now = self.clock.now()
        with self._lock:
            if session is not None and _takes_part(session):
                self._index.upsert(session)
            else:
                self._index.remove(session.id if session is not None else int(session_id or 0))
            self._arm(now)

    def upcoming(self, limit: int = 1) -> list[Occurrence]:
        now = self.clock.now()
        with self._lock:
            out: list[Occurrence] = []
            moment = now
            while len(out) < limit:
                nxt = self._index.next_after(moment)
                if nxt is None:
                    break
                out.extend(self._index.next_starts_after(moment)[: limit - len(out)])
                moment = nxt.starts_at
            return out

    def occurrences(self) -> list[Occurrence]:
        with self._lock:
            return self._index.occurrences()

    # -- deciding --------------------------------------------------------------------------

    def reconcile(self) -> Decision:
        now = self.clock.now()
        with self._lock:
            if now - self._index.start > LOOKBACK + timedelta(hours=12):
                self._move_horizon(now)
            reminder = timedelta(minutes=self.settings.reminder_minutes)
            since = min(self._checked, now)
            candidates = self._index.between(
                since - timedelta(minutes=1), now + reminder + timedelta(seconds=1)
            )
            reminded: list[Occurrence] = []
            started: list[Occurrence] = []
            asked: list[Occurrence] = []
            missed: list[Occurrence] = []
            for occ in candidates:
                key: Key = (occ.session_id, occ.day)
                if key in self._handled:
                    continue
                if occ.starts_at > now:
                    if occ.starts_at - reminder <= now and key not in self._reminded:
                        self._reminded.add(key)
                        reminded.append(occ)
                    continue
                if self._handled_elsewhere(occ):
                    self._handled.add(key)
                    continue
                self._handled.add(key)
                if now >= occ.ends_at:
                    if occ.ends_at > since:
                        missed.append(occ)
                    continue
                late = now - occ.starts_at
                left = occ.ends_at - now
                if late > ON_TIME and left < timedelta(
                    minutes=self.settings.late_start_min_minutes
                ):
                    missed.append(occ)
                elif self.settings.auto_start:
                    started.append(occ)
                else:
                    asked.append(occ)
            self._checked = now
            self._arm(now)
        if self._save_checked is not None:
            self._save_checked(now)
        for occ in reminded:
            self.events.emit(ev.Reminder(occ.session_id, occ.name, occ.starts_at, occ.day))
        for occ in missed:
            log.info("session %r of %s missed", occ.name, occ.day)
            self._record_missed(occ, "its time passed while Deep Work Zone was not running")
            self.events.emit(ev.Ended(occ.name, occ.session_id, "missed", 0))
        for occ in started:
            late_by = max((now - occ.starts_at).total_seconds(), 0.0)
            try:
                self._start(occ, late_by)
            except Exception as exc:
                log.error("session %r could not start: %s", occ.name, exc)
                self.events.emit(ev.Warning_(f"{occ.name}: {exc}", getattr(exc, "code", "start")))
        for occ in asked:
            self.events.emit(ev.StartRequested(occ.session_id, occ.name, occ.starts_at, occ.day))
        return Decision(tuple(reminded), tuple(started), tuple(asked), tuple(missed))

    def _move_horizon(self, now: datetime) -> None:
        """The index holds only the sessions of its horizon: a new one is read again."""
        try:
            self.rebuild()
        except Exception as exc:  # the store unreadable for a moment: what is held moves
            log.warning("could not read the sessions again to move the plan on: %s", exc)
            self._index.set_horizon(now - LOOKBACK, now + HORIZON)

    def skip(self, session_id: int, day: object) -> None:
        """The user said no to a start that was asked for (or to a reminder)."""
        with self._lock:
            self._handled.add((session_id, day))

    def _arm(self, now: datetime) -> None:
        """One job on the next moment that matters: a start, or a reminder before one."""
        reminder = timedelta(minutes=self.settings.reminder_minutes)
        wakes = []
        first = self._index.next_after(now)
        if first is not None:
            wakes.append(first.starts_at)
        # The first start whose reminder is still ahead of us.
        reminded = self._index.next_after(now + reminder)
        if reminded is not None:
            wakes.append(reminded.starts_at - reminder)
        if wakes:
            self.timers.at(NEXT_JOB, min(wakes), self.reconcile)
        else:
            self.timers.cancel(NEXT_JOB)


def _takes_part(session: Session) -> bool:
    """Sessions this user runs: local ones, their own, and the ones they joined."""
    participation = session.participation
    return participation is None or participation.joined
