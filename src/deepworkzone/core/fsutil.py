"""Crash-safe file writes."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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


def fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
