"""Whether the hosts file is a bind mount (containers, some sandboxes), read from mountinfo.

A bind-mounted file cannot be swapped by a rename (EBUSY), so it is rewritten in place, and
programs that watch its folder for a new file (Chromium's own resolver) never see the change.
"""

from __future__ import annotations

import os
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and len(field[i + 1 : i + 4]) == 3 and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_points(mountinfo: str) -> set[str]:
    """Every mount point named in a mountinfo text (field 5)."""
    points = set()
    for line in mountinfo.splitlines():
        parts = line.split(" ")
        if len(parts) > 4:
            points.add(_unescape(parts[4]))
    return points


def is_bind_mounted(path: Path, mountinfo: str | None = None) -> bool:
    """True when ``path`` itself is a mount point (a file bind-mounted over it).

    Linux only; elsewhere (no mountinfo) False."""
    if mountinfo is None:
        try:
            mountinfo = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    real = os.path.realpath(path)
    return real in mount_points(mountinfo) or str(path) in mount_points(mountinfo)


BIND_MOUNT_MEANING = (
    "the hosts file {path} is a bind mount (a container or sandbox): it is rewritten in place, "
    "and a running Chromium-based browser does not notice the change until it restarts"
)
