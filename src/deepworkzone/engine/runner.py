"""One focus session's life: journal, apply every change, wait for the end time, put it all back.

Qt-free: it reports through plain callbacks, and the GUI turns them into signals. The timer
runs on the wall-clock end time, not on ticks, so a laptop that sleeps through the end of a
session finishes it as soon as it wakes.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import psutil

from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.domain.effects import Effect
from deepworkzone.store.journal import Journal

log = logging.getLogger(__name__)

# Losing these degrades a session but must not cancel it: the sites are still blocked.
OPTIONAL_KINDS = frozenset({"slack", "teams", "system_proxy", "apps"})
# Changes that live in this process (a thread, a listening socket), gone when it exits.
IN_PROCESS_KINDS = frozenset({"proxy", "apps"})


class StartFailed(Exception):
    """A session could not start; everything it had changed was put back."""

    exit_code = 2


@dataclass
class RunReport:
    """What a session did, for the CLI/GUI to tell the user."""

    applied: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    undo_errors: list[str] = field(default_factory=list)
    ended_early: bool = False


def owner_info() -> dict[str, Any]:
    """Who runs the session: pid plus start time, so a recycled pid is not taken for us."""
    proc = psutil.Process(os.getpid())
    return {"pid": proc.pid, "pid_started": proc.create_time()}


def owner_alive(session: dict[str, Any]) -> bool:
    pid = session.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        proc = psutil.Process(pid)
        # A zombie has exited; where nothing reaps it (a container without init) it lingers.
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        started = session.get("pid_started")
        return started is None or abs(proc.create_time() - float(started)) < 1.0
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


class FocusRunner:
    def __init__(
        self,
        name: str,
        ends_at: datetime,
        effects: Sequence[Effect],
        *,
        journal: Journal | None = None,
        session_info: dict[str, Any] | None = None,
        on_warning: Callable[[str], None] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.clock = clock
        self.name = name
        self.ends_at = ends_at
        self.effects = list(effects)
        self.journal = journal or Journal()
        self.session_info = session_info or {}
        self.report = RunReport()
        self._applied: list[Effect] = []
        self._on_warning = on_warning or (lambda message: None)
        self._stop = threading.Event()
        self._finished = False

    def _warn(self, message: str) -> None:
        log.warning(message)
        self.report.warnings.append(message)
        self._on_warning(message)

    def start(self) -> None:
        """Journal first, then each change in order. A failing essential change undoes the rest."""
        self.journal.begin(
            {"name": self.name, **self.session_info, **owner_info()},
            self.ends_at,
            started_at=self.clock.now(),
        )
        for effect in self.effects:
            kind = effect.kind

            def save(record: dict[str, Any], kind: str = kind) -> None:
                self.journal.record(kind, record)

            try:
                effect.apply(save)
            except Exception as exc:
                # The effect may have changed something before failing; its undo is idempotent.
                self._undo_one(effect)
                if kind in OPTIONAL_KINDS:
                    self._warn(f"{_label(kind)} skipped: {exc}")
                    continue
                self._undo_all()
                if not self.report.undo_errors:
                    # All put back: a journal left now would show an "interrupted" session.
                    self.journal.clear()
                raise StartFailed(f"could not start the session: {_label(kind)}: {exc}") from exc
            self._applied.append(effect)
            self.report.applied.append(kind)
            # Soft problems an effect lived with (e.g. Teams presence not visible yet).
            for message in getattr(effect, "warnings", ()):
                self._warn(message)

    def remaining(self) -> timedelta:
        return max(self.ends_at - self.clock.now(), timedelta(0))

    def wait(self, tick: Callable[[timedelta], None] | None = None, interval: float = 1.0) -> bool:
        """Block until the end time or ``request_stop()``; True if the session ran to its end."""
        while not self._stop.is_set():
            left = self.remaining()
            if tick:
                tick(left)
            if left <= timedelta(0):
                return True
            # Short waits against the wall clock: a suspend or clock jump is noticed next wake.
            self._stop.wait(min(interval, left.total_seconds()))
        return False

    def extend(self, ends_at: datetime) -> None:
        """Move the end: the journal first, then every change that carries the end time."""
        self.ends_at = ends_at
        self.journal.set_ends_at(ends_at)
        for effect in self._applied:
            extend = getattr(effect, "extend", None)
            if extend is None:
                continue

            def save(record: dict[str, Any], kind: str = effect.kind) -> None:
                self.journal.record(kind, record)

            try:
                extend(ends_at, save)
            except Exception as exc:
                self._warn(f"{_label(effect.kind)} keeps its old end time: {exc}")

    @property
    def applied_effects(self) -> list[Effect]:
        return list(self._applied)

    def detach(self) -> None:
        """Leave the session's changes in place for another process (strict mode, a hand-over)
        but stop what lives only in this one: the blocking proxy and the app watcher would end
        with the process anyway. Their journal entries stay; undoing them later is a no-op."""
        for effect in self._applied:
            if effect.kind in IN_PROCESS_KINDS:
                try:
                    effect.undo()
                except Exception as exc:
                    log.warning("%s did not stop cleanly: %s", _label(effect.kind), exc)
        self._applied.clear()
        self._finished = True

    def request_stop(self) -> None:
        """Safe from signal handlers and other threads."""
        self._stop.set()

    def finish(self, *, early: bool = False) -> RunReport:
        """Put everything back (idempotent). The journal is cleared last, and only if all undid."""
        if self._finished:
            return self.report
        self._finished = True
        self.report.ended_early = early
        self._undo_all()
        if not self.report.undo_errors:
            self.journal.clear()
        return self.report

    def _undo_all(self) -> None:
        for effect in reversed(self._applied):
            self._undo_one(effect)
        self._applied.clear()

    def _undo_one(self, effect: Effect) -> None:
        try:
            effect.undo()
        except Exception as exc:
            message = f"{_label(effect.kind)} could not be put back: {exc}"
            log.error(message)
            self.report.undo_errors.append(message)
            return
        self.journal.forget(effect.kind)


def run_until_end(
    runner: FocusRunner, tick: Callable[[timedelta], None] | None = None
) -> RunReport:
    """start + wait + finish, with the finish guaranteed even on Ctrl-C."""
    runner.start()
    ended = False
    try:
        ended = runner.wait(tick)
    finally:
        report = runner.finish(early=not ended)
    return report


_LABELS = {
    "hosts": "Hosts-file blocking",
    "proxy": "Blocking proxy",
    "system_proxy": "System proxy setting",
    "apps": "App blocking",
    "browser_policies": "Browser policies",
    "close_connections": "Closing connections to blocked sites",
    "slack": "Slack snooze",
    "teams": "Teams Do Not Disturb",
}


def _label(kind: str) -> str:
    return _LABELS.get(kind, kind)
