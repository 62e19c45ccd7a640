"""Focus sessions for every front end: start, extend, end early, status, unblock, resume.

No thread waits for a session's end: the end is a job on the end time (``Timers``), and the
engine's heartbeat checks it too, so a session ends on time after a suspend, and after the
wall clock jumped back (the monotonic deadline then comes first). Whichever of the two comes
first ends the session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.engine import events as ev
from deepworkzone.engine.errors import EngineError, ServiceFailed
from deepworkzone.engine.focus_plan import FocusPlan, FocusRequest, PlanHooks, build_plan
from deepworkzone.engine.focus_status import FocusStatus, RunOutcome
from deepworkzone.engine.focus_status import iso as _iso
from deepworkzone.engine.focus_status import status_from_journal as _status_from_journal
from deepworkzone.engine.runner import FocusRunner, StartFailed, owner_alive
from deepworkzone.engine.timers import Timers
from deepworkzone.store.journal import CorruptJournal, Journal

log = logging.getLogger(__name__)

END_JOB = "focus:end"
MIN_EXTEND, MAX_EXTEND = 1, 240


@dataclass
class Run:
    """The session this process runs."""

    request: FocusRequest
    runner: FocusRunner
    plan: FocusPlan
    started_at: datetime
    ends_at: datetime
    mono_deadline: float
    session_id: int | None = None
    occurrence: date | None = None
    scope: str = ""
    blocked_hits: int = 0
    apps_closed: int = 0
    warnings: list[str] = field(default_factory=list)


EmergencyCheck = Callable[[datetime], bool]


class FocusService:
    def __init__(
        self,
        *,
        timers: Timers,
        events: ev.EventBus,
        clock: Clock = SYSTEM_CLOCK,
        journal: Journal | None = None,
        on_finished: Callable[[RunOutcome], None] | None = None,
        emergency_allowed: EmergencyCheck | None = None,
    ) -> None:
        self.timers = timers
        self.events = events
        self.clock = clock
        self.journal = journal or Journal()
        self._on_finished = on_finished
        self._emergency_allowed = emergency_allowed or (lambda now: True)
        self._lock = threading.RLock()
        self._run: Run | None = None

    # -- start -----------------------------------------------------------------------------

    def start(
        self,
        request: FocusRequest,
        *,
        ends_at: datetime | None = None,
        session_id: int | None = None,
        occurrence: date | None = None,
        scope: str = "",
        late_by: float = 0.0,
        started_at: datetime | None = None,
    ) -> FocusStatus:
        """Apply the session's blocks and snoozes now; the end is a job on its end time.
        ``started_at``: when a resumed run first started (before a crash)."""
        with self._lock:
            if self._run is not None:
                raise EngineError(
                    "already_running",
                    f"a focus session ({self._run.request.name!r}) is already running",
                    name=self._run.request.name,
                    ends_at=_iso(self._run.ends_at),
                )
            self._clear_leftover()
            now = self.clock.now()
            started_at = min(started_at or now, now)
            ends_at = ends_at or now + timedelta(minutes=request.minutes)
            if ends_at <= now:
                raise EngineError("already_over", "that session's time is already over")
            holder: dict[str, Run] = {}
            hooks = PlanHooks(
                on_site_blocked=lambda host: self._hit("site", host, holder),
                on_app_closed=lambda name: self._hit("app", name, holder),
            )
            try:
                plan = build_plan(request, ends_at, hooks)
            except ValueError as exc:
                raise EngineError("invalid_request", str(exc)) from exc
            runner = FocusRunner(
                request.name,
                ends_at,
                plan.effects,
                journal=self.journal,
                session_info={
                    "minutes": request.minutes,
                    "method": plan.method,
                    "session_id": session_id,
                    "occurrence": occurrence.isoformat() if occurrence else None,
                    "scope": scope,
                    "strict": request.strict,
                    "request": request.to_record(),
                    "blocked_count": plan.blocked_count,
                    "pac_url": plan.pac_url,
                    # The journal's own started_at is this process's start (a resume's).
                    "first_started_at": _iso(started_at),
                },
                on_warning=lambda message: None,
                clock=self.clock,
            )
            try:
                runner.start()
            except StartFailed as exc:
                raise ServiceFailed("start_failed", str(exc)) from exc
            run = Run(
                request=request,
                runner=runner,
                plan=plan,
                started_at=started_at,
                ends_at=ends_at,
                mono_deadline=self.clock.monotonic() + (ends_at - now).total_seconds(),
                session_id=session_id,
                occurrence=occurrence,
                scope=scope,
                warnings=list(runner.report.warnings),
            )
            holder["run"] = run
            self._note_manual_proxy(run)
            coverage_notes, coverage_gaps = _coverage_notes(plan.method)
            plan.notes.extend(coverage_notes)
            self._run = run
            self.timers.at(END_JOB, ends_at, self.check)
            status = self._status_of(run)
        self.events.emit(ev.Started(request.name, session_id, ends_at, late_by))
        self.events.emit(
            ev.Applied(
                request.name,
                tuple(runner.report.applied),
                tuple(run.warnings),
                tuple(plan.notes),
                coverage_gaps,
            )
        )
        log.info("focus session %r started, ends %s", request.name, _iso(ends_at))
        return status

    def _note_manual_proxy(self, run: Run) -> None:
        """A proxy-only plan whose system proxy could not be set blocks nothing a browser
        sees: say so, with the PAC URL to set by hand."""
        plan = run.plan
        if plan.pac_url is None:
            return
        for effect in run.runner.applied_effects:
            if effect.kind == "system_proxy" and getattr(effect, "status", "") != "applied":
                plan.proxy_needs_manual_setup = True
        if plan.proxy_needs_manual_setup and "hosts" not in run.runner.report.applied:
            run.warnings.append(
                f"browsers are not pointed at the blocking proxy: set {plan.pac_url} as the "
                "automatic proxy configuration (PAC) URL, or nothing is blocked"
            )

    def _clear_leftover(self) -> None:
        """A journal of a dead session is undone first; a live one means another runs."""
        from deepworkzone.engine.recovery import undo_journal

        try:
            data = self.journal.load()
        except CorruptJournal as exc:
            log.error("%s", exc)
            return
        if data is None:
            return
        info = data.get("session", {})
        if (
            info.get("strict")
            and Journal.ends_at(data) > self.clock.now()
            and not owner_alive(info)
        ):
            raise EngineError(
                "strict_pending",
                f"the strict session {info.get('name', 'Focus')!r} runs until "
                f"{Journal.ends_at(data).astimezone():%H:%M}; its blocks stay until then",
                ends_at=data.get("ends_at"),
            )
        if owner_alive(info):
            raise EngineError(
                "already_running",
                f"a focus session ({info.get('name', 'Focus')!r}) is running in process "
                f"{info.get('pid')}",
                name=info.get("name"),
                pid=info.get("pid"),
                ends_at=data.get("ends_at"),
            )
        result = undo_journal(self.journal, data)
        if not result.complete:
            raise ServiceFailed(
                "leftover_not_undone",
                "an earlier session's changes could not all be put back: "
                + "; ".join(result.errors),
                errors=result.errors,
            )

    def _hit(self, what: str, target: str, holder: dict[str, Run]) -> None:
        run = holder.get("run")
        if run is None:
            return
        if what == "site":
            run.blocked_hits += 1
            count = run.blocked_hits
        else:
            run.apps_closed += 1
            count = run.apps_closed
        self.events.emit(ev.BlockedHit("site" if what == "site" else "app", target, count))

    # -- while it runs ---------------------------------------------------------------------

    def status(self) -> FocusStatus | None:
        """This process's session, else whatever the journal says another process runs."""
        with self._lock:
            if self._run is not None:
                return self._status_of(self._run)
        try:
            data = self.journal.load()
        except CorruptJournal:
            return None
        if data is None:
            return None
        return _status_from_journal(data)

    def running_request(self) -> FocusRequest | None:
        """What the running session (here, or in another live process) blocks."""
        with self._lock:
            if self._run is not None:
                return self._run.request
        try:
            data = self.journal.load()
        except CorruptJournal:
            return None
        record = (data or {}).get("session", {}).get("request")
        return FocusRequest.from_record(record) if isinstance(record, dict) else None

    @property
    def running_here(self) -> bool:
        with self._lock:
            return self._run is not None

    def extend(self, minutes: int) -> FocusStatus:
        if not MIN_EXTEND <= minutes <= MAX_EXTEND:
            raise EngineError(
                "bad_minutes",
                f"extend by {MIN_EXTEND} to {MAX_EXTEND} minutes",
                low=MIN_EXTEND,
                high=MAX_EXTEND,
            )
        with self._lock:
            run = self._require_run()
            run.ends_at += timedelta(minutes=minutes)
            run.mono_deadline += minutes * 60
            run.request.minutes += minutes
            run.runner.extend(run.ends_at)
            self.timers.at(END_JOB, run.ends_at, self.check)
            status = self._status_of(run)
        self.events.emit(ev.Extended(run.request.name, run.ends_at))
        return status

    def merge(self, request: FocusRequest, *, ends_at: datetime) -> FocusStatus:
        """Another session starts while this one runs: the union of both blocks and snoozes,
        the later end. Applied anew in one step when the blocks differ."""
        from deepworkzone.engine.requests import merged

        with self._lock:
            run = self._require_run()
            union = merged(run.request, request)
            new_end = max(run.ends_at, ends_at)
            if _blocks(union) != _blocks(run.request):
                now = self.clock.now()
                union.minutes = max(1, round((new_end - now).total_seconds() / 60))
                plan = build_plan(
                    union,
                    new_end,
                    PlanHooks(
                        on_site_blocked=lambda host: self._hit("site", host, {"run": run}),
                        on_app_closed=lambda name: self._hit("app", name, {"run": run}),
                    ),
                )
                runner = FocusRunner(
                    union.name,
                    new_end,
                    plan.effects,
                    journal=self.journal,
                    session_info={
                        **run.runner.session_info,
                        "request": union.to_record(),
                        "strict": union.strict,
                        "method": plan.method,
                        "blocked_count": plan.blocked_count,
                        "pac_url": plan.pac_url,
                    },
                    clock=self.clock,
                )
                run.runner.finish(early=True)
                try:
                    runner.start()
                except StartFailed as exc:
                    self._run = None
                    self.timers.cancel(END_JOB)
                    raise ServiceFailed("start_failed", str(exc)) from exc
                run.runner, run.plan = runner, plan
                run.warnings.extend(runner.report.warnings)
                self._note_manual_proxy(run)
            elif new_end > run.ends_at:
                run.runner.extend(new_end)
            extra = (new_end - run.ends_at).total_seconds()
            run.mono_deadline += max(extra, 0.0)
            run.ends_at = new_end
            run.request = union
            self.timers.at(END_JOB, run.ends_at, self.check)
            status = self._status_of(run)
        self.events.emit(ev.Extended(run.request.name, run.ends_at))
        return status

    def stop(self, reason: str | None = None, *, emergency: bool = False) -> ev.Ended:
        """End early. Refused in strict mode, except the rationed emergency exit."""
        with self._lock:
            run = self._require_run()
            if run.request.strict:
                if not emergency:
                    raise EngineError(
                        "strict",
                        "this is a strict session: it cannot be ended early",
                        ends_at=_iso(run.ends_at),
                    )
                if not self._emergency_allowed(self.clock.now()):
                    raise EngineError(
                        "emergency_exit_used",
                        "the emergency exit was already used within its period",
                    )
            elif emergency:
                emergency = False  # nothing to ration outside strict mode
            return self._finish(run, "emergency_exit" if emergency else "ended_early", reason)

    def check(self) -> ev.Ended | None:
        """End the session if its time is up (called by the end job and the heartbeat)."""
        with self._lock:
            run = self._run
            if run is None:
                return None
            now = self.clock.now()
            if now >= run.ends_at or self.clock.monotonic() >= run.mono_deadline:
                return self._finish(run, "completed", None)
            # Early (the wall clock jumped back): wake again at the end time.
            self.timers.at(END_JOB, run.ends_at, self.check)
            return None

    def shutdown(self, reason: str = "the app quit", *, hand_over: bool = False) -> ev.Ended | None:
        """The process is quitting. A strict session keeps its blocks until its end time
        (the next start re-applies them); any other ends early now. ``hand_over``: another
        instance (the app taking over from the agent) resumes it, so it is left in place."""
        with self._lock:
            run = self._run
            if run is None:
                return None
            if (hand_over or run.request.strict) and self.clock.now() < run.ends_at:
                self.timers.cancel(END_JOB)
                self._run = None
                run.runner.detach()
                log.info("session %r left in place until %s", run.request.name, run.ends_at)
                return None
            return self._finish(run, "ended_early", reason)

    def _require_run(self) -> Run:
        if self._run is None:
            if self.status() is not None:
                raise EngineError(
                    "not_here", "the running session belongs to another Deep Work Zone process"
                )
            raise EngineError("not_running", "no focus session is running")
        return self._run

    def _finish(self, run: Run, reason: ev.EndReason, detail: str | None) -> ev.Ended:
        self.timers.cancel(END_JOB)
        self._run = None
        report = run.runner.finish(early=reason != "completed")
        now = self.clock.now()
        ended_at = min(now, run.ends_at)
        elapsed = max((ended_at - run.started_at).total_seconds(), 0.0)
        if reason == "completed":
            elapsed = max(elapsed, (run.ends_at - run.started_at).total_seconds())
        focused = round(elapsed / 60)
        event = ev.Ended(
            run.request.name,
            run.session_id,
            reason,
            focused,
            detail,
            tuple(report.undo_errors),
        )
        outcome = RunOutcome(
            name=run.request.name,
            session_id=run.session_id,
            occurrence=run.occurrence,
            scope=run.scope,
            started_at=run.started_at,
            ended_at=ended_at if reason != "completed" else run.ends_at,
            planned_minutes=round((run.ends_at - run.started_at).total_seconds() / 60),
            focused_minutes=focused,
            outcome="completed" if reason == "completed" else "ended_early",
            reason=detail,
            strict=run.request.strict,
            emergency_exit=reason == "emergency_exit",
        )
        log.info("focus session %r ended (%s, %d min)", run.request.name, reason, focused)
        if self._on_finished is not None:
            try:
                self._on_finished(outcome)
            except Exception:
                log.exception("recording the finished session failed")
        self.events.emit(event)
        return event

    # -- after a crash ---------------------------------------------------------------------

    def resume_or_recover(self) -> str | None:
        """At start-up: a dead session's journal within its time is resumed for the time
        left (blocks re-applied); past its end it is undone. Answers what was done."""
        from deepworkzone.engine.crashed_runs import first_started_at
        from deepworkzone.engine.recovery import undo_journal

        try:
            data = self.journal.load()
        except CorruptJournal as exc:
            log.error("%s", exc)
            return None
        if data is None:
            return None
        info = data.get("session", {})
        if owner_alive(info):
            return None
        ends_at = Journal.ends_at(data)
        now = self.clock.now()
        result = undo_journal(self.journal, data)
        if not result.complete:
            log.error("could not put back what a crashed session changed: %s", result.errors)
            return "recovery_failed"
        record = info.get("request")
        if ends_at <= now or not isinstance(record, dict):
            name = str(info.get("name") or "Focus")
            self._record_recovered(data, now)
            self.events.emit(ev.Ended(name, info.get("session_id"), "recovered", 0))
            return "recovered"
        request = FocusRequest.from_record(record)
        occurrence = info.get("occurrence")
        self.start(
            request,
            ends_at=ends_at,
            session_id=info.get("session_id"),
            occurrence=date.fromisoformat(occurrence) if occurrence else None,
            scope=str(info.get("scope") or ""),
            started_at=first_started_at(data),
        )
        return "resumed"

    def _record_recovered(self, data: dict[str, Any], now: datetime) -> None:
        """A dead run whose end passed: into the history as ended early (crashed_runs)."""
        from deepworkzone.engine.crashed_runs import crashed_outcome

        outcome = crashed_outcome(data, now)
        if self._on_finished is None or outcome is None:
            return
        try:
            self._on_finished(outcome)
        except Exception:
            log.exception("recording the recovered session failed")

    def unblock(self, *, force: bool = False) -> Any:
        """Undo what a session left at once, whatever its end time, and anything of ours no
        journal names. A strict session (here, or left by a process that quit) is refused
        unless ``force``; one run by another live process is refused unless ``force``.
        Answers engine.recovery.UnblockResult."""
        from deepworkzone.engine.recovery import SessionStillRunning, unblock_everything

        with self._lock:
            if self._run is not None:
                if self._run.request.strict and not force:
                    raise EngineError(
                        "strict", "this is a strict session: it cannot be ended early"
                    )
                self._finish(self._run, "ended_early", "unblocked")
        status = self.status()
        if status is not None and status.strict and not force and status.ends_at > self.clock.now():
            raise EngineError(
                "strict",
                f"the strict session {status.name!r} runs until "
                f"{status.ends_at.astimezone():%H:%M}: it cannot be ended early",
            )
        try:
            return unblock_everything(self.journal, force=force)
        except SessionStillRunning as exc:
            raise EngineError("running_elsewhere", str(exc), pid=exc.pid) from exc

    def _status_of(self, run: Run) -> FocusStatus:
        import os

        request = run.request
        return FocusStatus(
            name=request.name,
            session_id=run.session_id,
            occurrence=run.occurrence,
            started_at=run.started_at,
            ends_at=run.ends_at,
            strict=request.strict,
            method=run.plan.method,
            blocked_count=run.plan.blocked_count,
            blocked_hits=run.blocked_hits,
            categories=tuple(request.categories),
            urls=tuple(request.urls),
            mode=request.mode,
            snoozed=tuple(k for k in run.runner.report.applied if k in ("slack", "teams")),
            pac_url=run.plan.pac_url,
            proxy_needs_manual_setup=run.plan.proxy_needs_manual_setup,
            warnings=tuple(run.warnings),
            pid=os.getpid(),
            here=True,
            alive=True,
        )


def _coverage_notes(method: str) -> tuple[list[str], bool]:
    """What the method does not reach here, in one line (engine.coverage), and the machine's
    facts that matter at the start (a bind-mounted hosts file, restarting Firefox); and
    whether it leaves a gap."""
    from deepworkzone.engine.coverage import coverage_report

    if method == "none":
        return [], False
    try:
        report = coverage_report(method)
    except Exception:  # a probe failing must never stop a session that already started
        log.exception("the coverage report failed")
        return [], False
    return [*report.notes, f"coverage: {report.summary}"], bool(report.gaps)


def _blocks(request: FocusRequest) -> tuple[object, ...]:
    return (
        request.mode,
        request.method,
        tuple(sorted(request.categories)),
        tuple(sorted(request.urls)),
        tuple(sorted(request.allow)),
        tuple(sorted(request.snooze)),
    )
