"""Tell the OS resolvers that the hosts file changed.

glibc reads the hosts file on every lookup, but caching daemons do not: nscd keeps answers,
systemd-resolved keeps upstream answers, macOS and Windows keep their own caches. Only the
caches that exist on this machine are flushed, and a failure is logged, never raised: a stale
cache delays a block by a minute, it must not stop the session from starting or ending.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

Runner = Callable[[Sequence[str]], bool]


def _run(argv: Sequence[str]) -> bool:
    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("%s: %s", argv[0], exc)
        return False
    if done.returncode != 0:
        log.info("%s exited %s: %s", " ".join(argv), done.returncode, done.stderr[-200:])
    return done.returncode == 0


def flush_commands(
    platform: str = sys.platform,
    which: Callable[[str], str | None] = shutil.which,
    exists: Callable[[str], bool] = os.path.exists,
) -> list[list[str]]:
    """The commands that flush this machine's DNS caches (none when there is no cache)."""
    if platform == "darwin":
        return [["dscacheutil", "-flushcache"], ["killall", "-HUP", "mDNSResponder"]]
    if platform == "win32":
        return [["ipconfig", "/flushdns"]]
    commands = []
    resolvectl = which("resolvectl")
    if resolvectl and exists("/run/systemd/resolve"):
        commands.append([resolvectl, "flush-caches"])
    nscd = which("nscd")
    if nscd and (exists("/run/nscd/socket") or exists("/var/run/nscd/socket")):
        commands.append([nscd, "-i", "hosts"])
    return commands


def flush_dns(run: Runner = _run) -> list[str]:
    """Flush what exists; returns the commands that succeeded (for the log and `status`)."""
    done = []
    for argv in flush_commands():
        if run(argv):
            done.append(" ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(argv)))
    return done
