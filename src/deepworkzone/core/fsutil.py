"""Crash-safe file writes."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".tmp"
STALE_TEMP_AGE = 10.0
"""Seconds after which a temporary file of ours is taken as left by a killed writer: a
write takes milliseconds, so one this old has no writer left to finish it."""


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def temp_name_pattern(path: Path) -> re.Pattern[str]:
    """The exact names ``atomic_write`` gives its temporary files beside ``path``:
    ``.NAME.`` + the eight characters ``tempfile.mkstemp`` draws (a-z, 0-9, _) + ``.tmp``."""
    return re.compile(re.escape(_temp_prefix(path)) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def atomic_write(
    path: Path, data: bytes, mode: int | None = None, *, keep_attributes: bool = False
) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never half.

    The temporary file sits beside the target (same filesystem, so ``os.replace`` is atomic)
    and is fsynced before the swap; the folder is fsynced after, so the rename survives power loss.
    ``keep_attributes``: the new file takes the old one's mode (and owner, when we are root),
    as a system file such as /etc/hosts must.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    owner: tuple[int, int] | None = None
    if keep_attributes and path.exists():
        st = path.stat()
        mode = st.st_mode & 0o7777
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            owner = (st.st_uid, st.st_gid)
    fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=TEMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        if owner is not None:
            os.chown(tmp_name, *owner)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(path.parent)


def sweep_stale_temps(path: Path, *, older_than: float = STALE_TEMP_AGE) -> list[Path]:
    """Delete the temporary files ``atomic_write`` left beside ``path`` when it was killed
    between creating and renaming one (SIGKILL, power loss). Answers what was removed.

    Only what we certainly created goes: a regular file (not a link) whose name matches
    ``temp_name_pattern(path)`` exactly, owned by this user (POSIX), last changed more than
    ``older_than`` seconds ago, so a write in progress in another process is left alone.
    Best effort: a folder we may not write, or a file that vanished, is skipped.
    """
    pattern = temp_name_pattern(path)
    folder = path.parent
    try:
        names = [name for name in os.listdir(folder) if pattern.fullmatch(name)]
    except OSError:
        return []
    removed: list[Path] = []
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for name in names:
        candidate = folder / name
        try:
            st = candidate.lstat()
            if not stat.S_ISREG(st.st_mode):
                continue
            if uid is not None and st.st_uid != uid:
                continue
            if now - st.st_mtime < older_than:
                continue
            candidate.unlink()
        except OSError as exc:
            log.debug("left %s: %s", candidate, exc)
            continue
        log.info("removed a temporary file a killed write left: %s", candidate)
        removed.append(candidate)
    return removed


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
