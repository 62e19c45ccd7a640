"""The engine every front end holds: sessions, focus, the scheduler, sync and history.

``Engine`` wires the services together and owns the timers. The CLI builds one for a
command, ``deepworkzone run`` and the desktop app build one for their whole life and call
``start()``. Every public method is safe from several threads at once (the app's worker pool).

Overlapping sessions: one focus session runs at a time on a machine. A scheduled session (or a
joined drop-in) that starts while another runs joins it: the blocks become the union of both,
the snoozes too, and the later end wins. Each occurrence gets its own line in the history.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from deepworkzone.core.settings import Settings, load_settings
from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.domain.occurrences import Occurrence
from deepworkzone.engine import events as ev
from deepworkzone.engine.errors import EngineError
from deepworkzone.engine.focus_plan import FocusRequest
from deepworkzone.engine.focus_service import FocusService, FocusStatus, RunOutcome
from deepworkzone.engine.history import HistoryService, open_history
from deepworkzone.engine.requests import request_for_session
from deepworkzone.engine.scheduler import Scheduler, ScheduleSettings
from deepworkzone.engine.scheduler_state import CheckedMark
from deepworkzone.engine.sessions_service import SessionsService
from deepworkzone.engine.timers import Timers
from deepworkzone.store.journal import Journal

log = logging.getLogger(__name__)

HEARTBEAT_JOB = "engine:heartbeat"
SYNC_JOB = "engine:sync"
HEARTBEAT_SECONDS = 15.0
# Wall time moving this much more (or less) than monotonic time between two heartbeats is a
# suspend, a resume or a clock change.
JUMP_THRESHOLD = 30.0


@dataclass(frozen=True)
class NextSession:
    name: str
    session_id: int
    starts_at: datetime
    ends_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "session_id": self.session_id,
            "starts_at": _iso(self.starts_at),
            "ends_at": _iso(self.ends_at),
        }


class Engine:
    def __init__(
        self,
        sessions: SessionsService,
        *,
        timers: Timers | None = None,
        clock: Clock = SYSTEM_CLOCK,
        journal: Journal | None = None,
        history: HistoryService | None = None,
        settings: Settings | None = None,
    ) -> None:
        from deepworkzone.engine.timers import ApsTimers

        self.clock = clock
        self.settings = settings or load_settings()
        self.events = ev.EventBus()
        self.timers: Timers = timers or ApsTimers()
        self.sessions = sessions
        sessions.on_change = self._edited
        self.history = history or open_history(clock)
        self.focus = FocusService(
            timers=self.timers,
            events=self.events,
            clock=clock,
            journal=journal,
            on_finished=self._finished,
            emergency_allowed=self._emergency_allowed,
        )
        self._checked = CheckedMark(sessions.db_path, sessions.scope)
        self.scheduler = Scheduler(
            timers=self.timers,
            events=self.events,
            load_sessions=self.sessions.each_cached,
            start=self._start_occurrence,
            already_handled=self._already_handled,
            record_missed=self._record_missed,
            clock=clock,
            settings=ScheduleSettings(
                reminder_minutes=self.settings.reminder_minutes,
                auto_start=self.settings.start_mode == "auto",
                late_start_min_minutes=self.settings.late_start_min_minutes,
            ),
            checked_since=self._checked.load(),
            save_checked=self._checked.save,
        )
        self._last_wall = clock.now()
        self._last_mono = clock.monotonic()
        self._beat_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._sync_state = ev.SyncState(online=True)
        self._merged: list[tuple[Occurrence, datetime]] = []
        self._sync_service: Any = None
        self._signature: tuple[int, str] | None = None
        self._started = False

    # -- life ------------------------------------------------------------------------------

    def start(self, *, sync: bool = True) -> None:
        """Recover or resume what a crash left, plan the schedule, start the timers."""
        outcome = self.focus.resume_or_recover()
        if outcome:
            log.info("at start-up: %s an unfinished session", outcome)
        if sync and self.sessions.can("sync"):
            self.sync_now()
        self._signature = _safe_signature(self.sessions)
        self.scheduler.rebuild()
        self.timers.every(HEARTBEAT_JOB, HEARTBEAT_SECONDS, self.heartbeat)
        if self.sessions.can("sync"):
            self.timers.every(SYNC_JOB, float(self.settings.sync_interval_seconds), self.sync_now)
        self.timers.start()
        self._started = True
        self.heartbeat()

    def shutdown(self, reason: str = "the app quit", *, hand_over: bool = False) -> ev.Ended | None:
        """End cleanly: everything put back (a strict session keeps its blocks until its end
        time; the next start re-applies them). ``hand_over``: a running session is left for
        the instance taking over, which resumes it."""
        ended = self.focus.shutdown(reason, hand_over=hand_over)
        self.timers.shutdown()
        if self._sync_service is not None:
            self._sync_service.close()
            self._sync_service = None
        self._started = False
        return ended

    def heartbeat(self) -> None:
        """Every few seconds: notice suspends and clock changes, end what is due, start what
        is due. Cheap when there is nothing to do."""
        if not self._beat_lock.acquire(blocking=False):
            return
        try:
            now, mono = self.clock.now(), self.clock.monotonic()
            drift = (now - self._last_wall).total_seconds() - (mono - self._last_mono)
            self._last_wall, self._last_mono = now, mono
            if abs(drift) > JUMP_THRESHOLD:
                log.warning(
                    "the wall clock moved %+.0f s against the monotonic clock (suspend, resume "
                    "or a clock change)",
                    drift,
                )
                self.events.emit(ev.ClockJumped(drift))
            self.focus.check()
            signature = _safe_signature(self.sessions)
            if signature is not None and signature != self._signature:
                # Another process (the CLI, a sync) wrote the store: plan again.
                self._signature = signature
                self.scheduler.rebuild()
            self.scheduler.reconcile()
        finally:
            self._beat_lock.release()

    # -- focus -----------------------------------------------------------------------------

    def start_focus(self, request: FocusRequest) -> FocusStatus:
        """A quick session, now."""
        return self.focus.start(request, scope=self.sessions.scope)

    def start_stored(self, session_id: int, *, minutes: int | None = None) -> FocusStatus:
        """A stored session, now (its occurrence today if it has one)."""
        edit = self.sessions.get(session_id)
        if edit.session is None:
            raise EngineError("not_found", f"session {session_id} not found", id=session_id)
        request = request_for_session(edit.session, self.settings, minutes=minutes)
        running = self._occurrence_now(edit.session.id)
        if running is not None and minutes is None:
            return self.focus.start(
                request,
                ends_at=running.ends_at,
                session_id=edit.session.id,
                occurrence=running.day,
                scope=self.sessions.scope,
            )
        return self.focus.start(request, session_id=edit.session.id, scope=self.sessions.scope)

    def _occurrence_now(self, session_id: int) -> Occurrence | None:
        now = self.clock.now()
        for occ in self.scheduler.occurrences():
            if occ.session_id == session_id and occ.is_running_at(now):
                return occ
        return None

    def _start_occurrence(self, occ: Occurrence, late_by: float) -> None:
        request = request_for_session(occ.session, self.settings)
        if self.focus.running_here:
            self._merge(occ, request)
            return
        status = self.focus.status()
        if status is not None and status.alive:
            raise EngineError(
                "already_running", "another Deep Work Zone process runs a focus session"
            )
        self.focus.start(
            request,
            ends_at=occ.ends_at,
            session_id=occ.session_id,
            occurrence=occ.day,
            scope=self.sessions.scope,
            late_by=late_by,
        )

    def _merge(self, occ: Occurrence, request: FocusRequest) -> None:
        self.focus.merge(request, ends_at=occ.ends_at)
        self._merged.append((occ, self.clock.now()))
        log.info("session %r joined the running one (union of blocks, later end)", occ.name)

    def status(self) -> dict[str, Any]:
        """What ``status --json`` prints: the running session and the next one."""
        running = self.focus.status()
        nxt = self.next_session()
        return {
            "running": running.to_json() if running else None,
            "next": nxt.to_json() if nxt else None,
            "sync": {
                "online": self._sync_state.online,
                "offline_since": _iso(self._sync_state.offline_since)
                if self._sync_state.offline_since
                else None,
                "outbox": self._sync_state.outbox,
            },
        }

    def next_session(self) -> NextSession | None:
        for occ in self.scheduler.upcoming(1):
            return NextSession(occ.name, occ.session_id, occ.starts_at, occ.ends_at)
        return None

    # -- coverage --------------------------------------------------------------------------

    def coverage(self, method: str | None = None) -> Any:
        """engine.coverage.CoverageReport of ``method`` (default: the running session's, else
        the settings' method) on this machine."""
        from deepworkzone.engine.coverage import coverage_report

        running = self.focus.status()
        chosen = method or (running.method if running else self.settings.blocking_method)
        return coverage_report(chosen)

    def why(self, url: str, session_id: int | None = None) -> Any:
        """engine.coverage.WhyAnswer for ``url``: the stored session ``session_id`` (planned),
        else the running session, else a quick session with the settings' defaults."""
        from deepworkzone.engine.coverage import why_blocked
        from deepworkzone.engine.requests import quick_request

        if session_id is not None:
            edit = self.sessions.get(session_id)
            if edit.session is None:
                raise EngineError("not_found", f"session {session_id} not found", id=session_id)
            planned = request_for_session(edit.session, self.settings)
            return _why(why_blocked, url, planned, "planned")
        running = self.focus.running_request()
        if running is not None:
            return _why(why_blocked, url, running, "running")
        return _why(why_blocked, url, quick_request(25, settings=self.settings), "planned")

    # -- after a run -----------------------------------------------------------------------

    def _finished(self, outcome: RunOutcome) -> None:
        if outcome.emergency_exit:
            ended: ev.EndReason = "emergency_exit"
        else:
            ended = "completed" if outcome.outcome == "completed" else "ended_early"
        self.history.record_outcome(outcome, ended)
        if outcome.outcome == "completed" and outcome.session_id is not None:
            self._report_complete(outcome.session_id, outcome.occurrence, outcome.focused_minutes)
        merged, self._merged = self._merged, []
        for occ, joined_at in merged:
            end = min(outcome.ended_at, occ.ends_at)
            done = end >= occ.ends_at
            minutes = max(int((end - joined_at).total_seconds() // 60), 0)
            self.history.record_finished(
                name=occ.name,
                started_at=joined_at,
                planned_minutes=occ.session.duration,
                ended="completed" if done else "ended_early",
                ended_at=end,
                focused_minutes=minutes,
                reason=None if done else outcome.reason,
                scope=self.sessions.scope,
                session_id=occ.session_id,
                occurrence=occ.day,
            )
            if done:
                self._report_complete(occ.session_id, occ.day, minutes)

    def _report_complete(self, session_id: int, day: date | None, minutes: int) -> None:
        """Queued in the outbox at once, sent by the next sync; never fails the session."""
        try:
            self.sessions.complete(session_id, day, minutes, queue_only=True)
        except Exception as exc:
            log.warning("could not record session %s as completed: %s", session_id, exc)
            return
        self._sync_soon()

    def _already_handled(self, occ: Occurrence) -> bool:
        if self.history.has_run(self.sessions.scope, occ.session_id, occ.day):
            return True
        status = self.focus.status()
        return bool(
            status
            and status.session_id == occ.session_id
            and status.occurrence == occ.day
            and status.alive
        )

    def _record_missed(self, occ: Occurrence, reason: str) -> None:
        self.history.record_missed(
            name=occ.name,
            session_id=occ.session_id,
            occurrence=occ.day,
            planned_minutes=occ.session.duration,
            scope=self.sessions.scope,
            reason=reason,
        )

    def _emergency_allowed(self, now: datetime) -> bool:
        since = now - timedelta(days=self.settings.emergency_exit_days)
        return self.history.emergency_exits_since(since) < self.settings.emergency_exits

    # -- sync ------------------------------------------------------------------------------

    def sync_now(self) -> ev.SyncState:
        """Push the outbox, pull the sessions (one small request when nothing changed), plan
        again. One sync at a time; never raises for a server or network failure."""
        if not self.sessions.can("sync"):
            return self._sync_state
        if not self._sync_lock.acquire(blocking=False):
            return self._sync_state
        try:
            if self._sync_service is None:
                self._sync_service = self.sessions.background_sync()
            try:
                state = self._sync_service.sync_once()
            except Exception as exc:  # a broken store or a bug: report, keep the agent up
                log.exception("sync failed")
                state = ev.SyncState(online=False, error=str(exc))
            if state.online and not state.error:
                self.scheduler.rebuild()
                self._signature = _safe_signature(self.sessions)
            self._sync_state = state
        finally:
            self._sync_lock.release()
        self.events.emit(state)
        return state

    def _edited(self, session_id: int | None, session: Any) -> None:
        """An edit through this engine: plan that one session again, and send it soon."""
        if session_id is None:
            return
        if session is not None and session.id == session_id:
            self.scheduler.changed(session, session_id)
        else:  # deleted, or one occurrence of it: what is left, from the store
            self.session_changed(session_id)
        self._signature = _safe_signature(self.sessions)
        self._sync_soon()

    def _sync_soon(self) -> None:
        """A sync off the caller's thread (an edit, a completed run): queued edits go out
        at once instead of at the next interval."""
        if self._started and self.sessions.can("sync"):
            threading.Thread(target=self.sync_now, name="dwz-sync", daemon=True).start()

    def session_changed(self, session_id: int) -> None:
        """After an edit through this engine: plan that session again."""
        try:
            edit = self.sessions.get(session_id)
        except EngineError:
            self.scheduler.changed(None, session_id)
            return
        self.scheduler.changed(edit.session, session_id)


def _why(why_blocked: Any, url: str, request: FocusRequest, state: str) -> Any:
    try:
        return why_blocked(url, request, session=state)
    except ValueError as exc:
        raise EngineError("invalid_url", str(exc), url=url) from exc


def _safe_signature(sessions: SessionsService) -> tuple[int, str] | None:
    try:
        return sessions.store_signature()
    except Exception:
        return None


def _safe(fn: Callable[[], int], default: int) -> int:
    try:
        return fn()
    except Exception:
        return default


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
