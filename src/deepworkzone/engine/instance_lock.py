"""One engine process at a time: the agent, the desktop app or a foreground ``focus``.

The lock is an OS lock on a file in the state folder (``flock`` on POSIX, ``msvcrt.locking``
on Windows), so taking it is atomic and it dies with its process: a crash or ``kill -9``
frees it at once, with nothing stale to clean up. After taking it, the owner writes who it
is into the same file (pid, process start time, kind, IPC socket path), so another process
can say who holds it. Those words are only a description; the OS lock is the truth.

The file is never deleted: unlinking a lock file lets two processes lock two different
files of the same name. ``release`` empties it instead.

Order for a front end: take the lock first, then start the IPC server, whose start removes
a stale socket file; only the lock holder may do that.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import psutil

from deepworkzone.core.paths import app_paths
from deepworkzone.engine.errors import EngineError

log = logging.getLogger(__name__)

Kind = Literal["agent", "app", "focus"]
KINDS: frozenset[str] = frozenset({"agent", "app", "focus"})
LOCK_NAME = "instance.lock"

# A holder that has the lock but has not written its description yet is given this long.
_DESCRIBE_GRACE = 1.0
# acquire() retries this long: a holder() probe takes the free lock for a few microseconds.
_ACQUIRE_RETRY = 0.05
# Start times are read from /proc (or the OS) in ticks; two reads of one process agree far
# closer than this, and a recycled pid cannot have started within it.
_START_TOLERANCE = 1.0

if sys.platform == "win32":
    import msvcrt

    # Windows locks are mandatory: the locked byte must lie outside the text others read.
    _LOCK_OFFSET = 1 << 20

    def _try_lock(fd: int, *, shared: bool = False) -> bool:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, _LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, *, shared: bool = False) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class LockHolder:
    """Who holds the instance lock. ``started`` is the process start time (epoch seconds)."""

    pid: int
    started: float
    kind: str
    socket: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "started": self.started, "kind": self.kind, "socket": self.socket}


class AlreadyRunning(EngineError):
    """Another agent, app or foreground session holds the instance lock."""

    def __init__(self, holder: LockHolder | None) -> None:
        super().__init__("already_running", "Deep Work Zone is already running")
        # Set, not passed: the holder's "kind" would clash with EngineError's own ``kind``.
        self.data = holder.to_dict() if holder else {}
        self.holder = holder


def default_lock_path() -> Path:
    return app_paths().state_dir / LOCK_NAME


def process_start_time(pid: int) -> float | None:
    """The start time of a live, non-zombie process, or None."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return proc.create_time()
    except (psutil.Error, OSError, ValueError):
        return None


def _parse(raw: bytes) -> LockHolder | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    pid, started, kind, sock = (data.get(k) for k in ("pid", "started", "kind", "socket"))
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return None
    if not isinstance(started, int | float) or isinstance(started, bool):
        return None
    if not isinstance(kind, str) or not (sock is None or isinstance(sock, str)):
        return None
    return LockHolder(pid, float(started), kind, sock)


def holder_alive(holder: LockHolder) -> bool:
    """The process that took the lock still runs (not a zombie, not a recycled pid)."""
    started = process_start_time(holder.pid)
    return started is not None and abs(started - holder.started) < _START_TOLERANCE


class InstanceLock:
    """The one-instance lock. ``acquire`` never blocks; it answers whether we got it.

    Usable as a context manager once a kind is known: ``with InstanceLock(kind="agent"):``
    takes the lock or raises ``AlreadyRunning`` (with the holder in its data).
    """

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        kind: Kind | None = None,
        socket: Path | str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else default_lock_path()
        self.kind = kind
        self.socket = socket
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, kind: Kind | None = None, socket: Path | str | None = None) -> bool:
        """Take the lock for ``kind`` and describe ourselves in the file; False if it is taken.

        ``socket`` (default: the IPC module's default path) is where others can reach us.
        """
        kind = kind or self.kind
        if kind not in KINDS:
            raise ValueError(f"unknown instance kind: {kind!r}")
        if self._fd is not None:
            raise RuntimeError("the instance lock is already held by this object")
        if socket is None:
            socket = self.socket
        if socket is None:
            from deepworkzone.engine.ipc import default_socket_path

            socket = default_socket_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            deadline = time.monotonic() + _ACQUIRE_RETRY
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.005)
            started = process_start_time(os.getpid())
            me = {
                "pid": os.getpid(),
                "started": started if started is not None else time.time(),
                "kind": kind,
                "socket": str(socket),
            }
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, json.dumps(me).encode("utf-8"))
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing drops the lock too
            raise
        self._fd = fd
        self.kind = kind
        self.socket = socket
        return True

    def release(self) -> None:
        """Empty the file, then let go of the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def holder(self) -> LockHolder | None:
        """Who holds the lock now, or None when nobody does.

        A free lock means nobody, whatever the file says. A held one is described by the
        file if that process is alive with the same start time (a recycled pid is not the
        holder); if not, its new owner is still writing its description, and we wait for it.
        """
        deadline = time.monotonic() + _DESCRIBE_GRACE
        while True:
            if self._lock_is_free():
                return None
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return None
            found = _parse(raw)
            if found is not None and holder_alive(found):
                return found
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def _lock_is_free(self) -> bool:
        if self._fd is not None:
            return False  # we hold it ourselves
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            return True
        try:
            if _try_lock(fd, shared=True):
                _unlock(fd)
                return True
            return False
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        if not self.acquire():
            raise AlreadyRunning(self.holder())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:
        # An abandoned lock object must not keep the descriptor open (and the lock) forever.
        with contextlib.suppress(Exception):
            self.release()
