"""Telling running browsers that the network changed, so they drop the addresses they cached.

A running Firefox keeps the address it looked up for a name for a minute or more
(network.dnsCacheExpiration, 60 s, plus as much again of grace) and never reads the hosts
file for it again in that time, so a site it had open before the session keeps loading under
the hosts method, and after the session a blocked site it tried stays blocked for a minute.
Firefox empties that cache when the OS reports a network change: its netlink listener
(NetlinkService on Linux) sees an address come or go, waits one second for more, then sends
``network:link-status-changed`` / ``changed`` and the resolver drops its records (measured in
the browser suite: blocked 1.1 to 1.5 s after the hosts file changed, loading again 1.2 s
after the end).

The nudge: the address 192.0.2.86/32 (TEST-NET-1, RFC 5737: documentation only, never used
on a real network) added to the loopback device and removed again at once, with the label
``lo:dwz``. Nothing can use the address in those milliseconds, no route but its own local
one comes with it, and it is gone after a reboot in any case. The label is the change's own
record, made in the same kernel call as the address: whatever stops us between the add and
the remove (kill -9, a crash), ``clear_leftover`` later removes exactly the address with our
label and nothing else (an administrator's own 192.0.2.86 without it is never touched).

What else reacts: Chromium-based browsers see the same change (NETWORK_IP_ADDRESSES_CHANGED
in their net log), empty their host cache and close idle connections; a request in flight
at that moment can fail with ERR_NETWORK_CHANGED (a download then offers to resume). Other
programs that watch addresses (NetworkManager, systemd-networkd) only note an address on
``lo`` they do not manage. Needs CAP_NET_ADMIN: it runs where the hosts file is written (the
privileged helper, or the app when it runs as root). Linux only; ``ip`` from iproute2.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

ENV = "DEEPWORKZONE_NETWORK_NUDGE"  # "off": never touch the network (the test suite's default)
ADDRESS = "192.0.2.86/32"
DEVICE = "lo"
LABEL = "lo:dwz"
# Firefox waits this long after the last address event before it flushes (NetlinkService's
# one-second timer), plus a margin for a loaded machine.
SETTLE = 1.3
_OFF = frozenset({"off", "0", "no", "false", "none"})

Run = Callable[..., Any]
_last_nudge: float | None = None  # time.monotonic() of this process's last nudge


def enabled(platform: str = sys.platform) -> bool:
    return platform.startswith("linux") and os.environ.get(ENV, "on").strip().lower() not in _OFF


def available(which: Callable[[str], str | None] = shutil.which) -> bool:
    return enabled() and which("ip") is not None


def _ip(run: Run, *args: str) -> Any:
    return run(["ip", "-4", "addr", *args], capture_output=True, text=True, timeout=10, check=False)


def nudge(run: Run = subprocess.run) -> bool:
    """Add our address to ``lo`` and remove it again; True when both happened. Never raises:
    a browser that keeps its cache a minute longer must not stop a session."""
    global _last_nudge
    if not available():
        return False
    try:
        added = _ip(run, "add", ADDRESS, "dev", DEVICE, "label", LABEL)
        if added.returncode != 0:
            # Already there (a leftover of ours is removed below; anyone else's stays).
            log.info("network nudge: ip addr add failed: %s", (added.stderr or "").strip())
            clear_leftover(run)
            return False
        removed = _ip(run, "del", ADDRESS, "dev", DEVICE, "label", LABEL)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("network nudge failed: %s", exc)
        return False
    _last_nudge = time.monotonic()
    if removed.returncode != 0:
        log.warning("network nudge: %s stays on %s: %s", ADDRESS, DEVICE, removed.stderr)
        return False
    return True


def leftover(run: Run = subprocess.run) -> bool:
    """Is an address with our label on ``lo`` (a nudge interrupted)? Readable without rights."""
    if not enabled() or shutil.which("ip") is None:
        return False
    try:
        shown = _ip(run, "show", "dev", DEVICE, "label", LABEL)
    except (OSError, subprocess.SubprocessError):
        return False
    return ADDRESS.partition("/")[0] in (shown.stdout or "")


def clear_leftover(run: Run = subprocess.run) -> bool:
    """Remove our labelled address if an interrupted nudge left it; True when one was removed."""
    if not leftover(run):
        return False
    try:
        done = _ip(run, "del", ADDRESS, "dev", DEVICE, "label", LABEL)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("could not remove the leftover %s from %s: %s", ADDRESS, DEVICE, exc)
        return False
    return bool(done.returncode == 0)


def note_nudged_elsewhere() -> None:
    """The helper nudged on our behalf (its own process): start the settle time now."""
    global _last_nudge
    _last_nudge = time.monotonic()


def wait_for_browsers(clock: Callable[[], float] = time.monotonic) -> bool:
    """Sleep until browsers have acted on this process's last nudge (if it was recent);
    True when there was one to wait for."""
    if _last_nudge is None or clock() - _last_nudge > 30:
        return False
    left = _last_nudge + SETTLE - clock()
    if left > SETTLE:  # the clock went odd: never sleep longer than one settle time
        left = SETTLE
    if left > 0:
        time.sleep(left)
    return True
