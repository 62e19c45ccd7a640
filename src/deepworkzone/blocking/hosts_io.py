"""Reading and writing the hosts file itself: atomic where possible, in place where not.

Used both by the app (when it may write the file) and by the privileged helper.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from deepworkzone.core.fsutil import atomic_write, sweep_stale_temps

log = logging.getLogger(__name__)

BACKUP_NAME = "hosts.backup"


class HostsWriteError(OSError):
    """The hosts file could not be changed, or did not read back as written."""


def real_path(path: Path) -> Path:
    """Follow symlinks (macOS /etc/hosts -> /private/etc/hosts) so a rename replaces the file,
    not the link."""
    return Path(os.path.realpath(path))


def sweep_temps(path: Path) -> list[Path]:
    """Remove the temporary files a killed atomic write of ours left beside the hosts file.

    Only names matching ``atomic_write``'s exact pattern for this file, owned by the user we
    run as (so the helper, as root, removes its own and the app its own), and old enough that
    no write is still in progress. Anything else in the folder is never touched.
    """
    return sweep_stale_temps(real_path(path))


def read_bytes(path: Path) -> bytes:
    return real_path(path).read_bytes()


def save_backup(data: bytes, folder: Path) -> Path | None:
    """Keep a copy of the file as it was before our change, in our own state folder (tools
    overwrite ``/etc/hosts.bak``). Best effort: undo relies on the markers, not on this.

    Owner-only (0600), also when an older copy had wider rights: the hosts file may hold
    names its owner keeps private."""
    backup = folder / BACKUP_NAME
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(backup, flags, 0o600), "wb") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), 0o600)
            out.write(data)
    except OSError as exc:
        log.warning("no backup of the hosts file in %s: %s", folder, exc)
        return None
    return backup


def is_mount_point(target: Path) -> bool:
    """True when ``target`` is itself mounted (a bind-mounted /etc/hosts in containers,
    Flatpak, WSL): a rename over it can only fail, so we write in place at once and leave
    no temporary file in its folder."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
            points = {line.split(" ")[4] for line in info if line.count(" ") > 4}
    except OSError:
        return False
    escaped = (
        str(target)
        .replace("\\", "\\134")
        .replace(" ", "\\040")
        .replace("\t", "\\011")
        .replace("\n", "\\012")
    )
    return escaped in points


def write_bytes(path: Path, data: bytes) -> str:
    """Replace the file's content with ``data`` and check it; returns "atomic" or "in place".

    The temporary file sits beside the target and takes its mode and owner before the rename.
    A rename fails over a bind-mounted file (EBUSY), across devices (EXDEV), or on Windows when
    an antivirus or the read-only attribute holds the file: then the content is written in
    place instead, which is not atomic but is what every hosts tool falls back to.
    """
    target = real_path(path)
    sweep_stale_temps(target)
    how = "atomic"
    try:
        if sys.platform.startswith("linux") and is_mount_point(target):
            raise OSError(errno.EBUSY, "bind-mounted file")
        _replace(target, data)
    except OSError as exc:
        log.info("atomic replace of %s failed (%s); writing in place", target, exc)
        how = "in place"
        try:
            _write_in_place(target, data)
        except OSError as exc2:
            raise HostsWriteError(
                exc2.errno or errno.EIO, f"cannot write {target}: {exc2.strerror or exc2}"
            ) from exc2
    _restore_selinux_label(target)
    if target.read_bytes() != data:
        raise HostsWriteError(errno.EIO, f"{target} did not read back as written")
    return how


def _replace(target: Path, data: bytes) -> None:
    if sys.platform == "win32":
        _clear_readonly(target)
    atomic_write(target, data, keep_attributes=True)


def _write_in_place(target: Path, data: bytes) -> None:
    if sys.platform == "win32":
        _clear_readonly(target)
    with open(target, "r+b") as out:
        out.write(data)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())


def _clear_readonly(target: Path) -> None:
    import stat

    with contextlib.suppress(OSError):
        os.chmod(target, target.stat().st_mode | stat.S_IWRITE)


def _restore_selinux_label(target: Path) -> None:
    """A file renamed into /etc carries the temp file's label (etc_t, not net_conf_t), and
    confined services then cannot read it; restorecon puts the right label back."""
    if not sys.platform.startswith("linux") or not os.path.exists("/sys/fs/selinux/enforce"):
        return
    tool = shutil.which("restorecon")
    if tool:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run([tool, str(target)], check=False, timeout=10, capture_output=True)
