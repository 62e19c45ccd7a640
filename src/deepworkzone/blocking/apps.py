"""Closing distracting apps for the length of a session (journal kind "apps").

Listed processes are asked to quit (SIGTERM on POSIX), killed if still there after a grace
period, and a watcher thread closes them again when relaunched. Only the current user's
processes are touched, never this process or its ancestors (the shell or launcher that
started us), and processes are matched by name only, never by a pattern.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, Self

import psutil

from deepworkzone.domain.effects import JournalRecord, SaveRecord

log = logging.getLogger(__name__)

GRACE_SECONDS = 3.0


def normalise_process_name(name: str) -> str:
    """``"Steam.EXE "`` -> ``"steam"``: case-insensitive, ``.exe`` stripped."""
    name = name.strip().lower()
    return name[:-4] if name.endswith(".exe") else name


def _protected_pids() -> set[int]:
    pids = {os.getpid()}
    with contextlib.suppress(psutil.Error):
        pids.update(p.pid for p in psutil.Process().parents())
    return pids


def _same_user(proc: psutil.Process, me: psutil.Process) -> bool:
    try:
        if sys.platform != "win32":
            return proc.uids().real == me.uids().real
        return proc.username() == me.username()
    except psutil.Error:
        return False  # cannot tell whose it is: leave it alone


def find_processes(names: Iterable[str]) -> list[psutil.Process]:
    """Running processes of this user whose name is one of ``names`` (normalised)."""
    wanted = {normalise_process_name(n) for n in names if n.strip()}
    if not wanted:
        return []
    protected = _protected_pids()
    me = psutil.Process()
    found = []
    for proc in psutil.process_iter(["name", "status"]):
        info = proc.info
        if proc.pid in protected or not info.get("name"):
            continue
        if normalise_process_name(info["name"]) not in wanted:
            continue
        if info.get("status") == psutil.STATUS_ZOMBIE or not _same_user(proc, me):
            continue
        found.append(proc)
    return found


def close_processes(procs: Sequence[psutil.Process], grace: float = GRACE_SECONDS) -> list[str]:
    """Terminate, wait up to ``grace`` seconds, then kill what is left; names of the closed."""
    names: dict[int, str] = {}
    asked: list[psutil.Process] = []
    for proc in procs:
        try:
            names[proc.pid] = proc.name()
            proc.terminate()
            asked.append(proc)
        except psutil.NoSuchProcess:
            continue
        except psutil.AccessDenied:
            log.warning("not allowed to close %s (pid %d)", names.get(proc.pid, "?"), proc.pid)
    _, alive = psutil.wait_procs(asked, timeout=grace)
    for proc in alive:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
        except psutil.AccessDenied:
            log.warning("not allowed to kill %s (pid %d)", names[proc.pid], proc.pid)
    if alive:
        psutil.wait_procs(alive, timeout=1.0)
    return [names[p.pid] for p in asked]


class AppBlocker:
    kind: ClassVar[str] = "apps"

    def __init__(
        self,
        process_names: Sequence[str],
        *,
        poll_interval: float = 1.5,
        on_closed: Callable[[str], None] | None = None,
        grace: float = GRACE_SECONDS,
    ) -> None:
        """``on_closed(name)`` runs on the watcher thread each time an app is closed."""
        self.process_names = sorted({normalise_process_name(n) for n in process_names if n.strip()})
        self._poll = max(0.05, poll_interval)
        self._on_closed = on_closed
        self._grace = grace
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def apply(self, save: SaveRecord) -> None:
        save({"names": list(self.process_names)})
        if not self.process_names:
            return
        self._stop.clear()
        self.close_now()
        self._thread = threading.Thread(target=self._watch, name="dwz-app-blocker", daemon=True)
        self._thread.start()

    def close_now(self) -> list[str]:
        """One sweep: close every listed app that runs now."""
        try:
            closed = close_processes(find_processes(self.process_names), self._grace)
        except psutil.Error as exc:  # e.g. /proc unreadable; try again next poll
            log.warning("app blocker sweep failed: %s", exc)
            return []
        for name in closed:
            log.info("closed %s during the focus session", name)
            if self._on_closed is not None:
                try:
                    self._on_closed(name)
                except Exception:
                    log.exception("on_closed callback failed")
        return closed

    def _watch(self) -> None:
        while not self._stop.wait(self._poll):
            self.close_now()

    def undo(self) -> None:
        """Stop watching; closed apps are not relaunched (we cannot know how they were run)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(self._grace + 5.0)

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        names = record.get("names") if isinstance(record, dict) else None
        if not isinstance(names, list):
            names = []
        # After a crash the watcher died with its process: undo has nothing left to stop.
        return cls([n for n in names if isinstance(n, str)])
