"""Closing the connections this machine already has open to blocked sites, at the start.

A browser keeps an idle keep-alive connection for minutes and reuses it for new tabs, so a
site loaded before the session would keep loading whatever the hosts file or the PAC says.
The names are resolved *before* the block goes in (afterwards they resolve to 0.0.0.0), and
once the block is in, the TCP connections to those addresses are closed:

- Linux: the kernel's SOCK_DESTROY (``ss -K dst ADDR``, needs CONFIG_INET_DIAG_DESTROY and
  CAP_NET_ADMIN, so it runs in the privileged helper); the browser sees a reset connection
  and opens a new one, which the block catches.
- Windows: ``SetTcpEntry`` with MIB_TCP_STATE_DELETE_TCB on each IPv4 row whose remote
  address matches (IP Helper API, administrator rights). IPv6 rows cannot be deleted.
- macOS has no call that closes another program's socket; ``pfctl -k`` drops the packet
  filter's states for an address, which ends the connections only while pf is enabled.

Nothing here is journaled: closing a connection changes nothing that needs putting back.
Addresses only reach the helper as separate, validated arguments (``validate_addresses``).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ENV = "DEEPWORKZONE_CLOSE_CONNECTIONS"  # "off": leave open connections alone (tests)
MAX_ADDRESSES = 4096
MAX_NAMES = 600  # names resolved at the start (the hosts-file domains and their www.)
RESOLVE_BUDGET = 2.0  # seconds for all lookups together: the start must stay quick
_OFF = frozenset({"off", "0", "no", "false", "none"})

Run = Callable[..., Any]


class BadAddress(ValueError):
    pass


def enabled() -> bool:
    return os.environ.get(ENV, "on").strip().lower() not in _OFF


def validate_addresses(items: Sequence[str]) -> list[str]:
    """Each item must be one plain IPv4 or IPv6 address (no ranges, no names, no paths).

    Loopback and unspecified addresses are refused: closing every connection to 127.0.0.1
    would cut the user's local tools, and 0.0.0.0 is the block itself."""
    out: dict[str, None] = {}
    problems = []
    for item in items:
        try:
            address = ipaddress.ip_address(item)
        except ValueError:
            problems.append(f"{item!r} is not an IP address")
            continue
        if address.is_loopback or address.is_unspecified or address.is_multicast:
            problems.append(f"{item} is a loopback, unspecified or multicast address")
            continue
        if str(address) != item:
            problems.append(f"{item!r} is not in normal form (expected {address})")
            continue
        out.setdefault(item, None)
    if problems:
        raise BadAddress("; ".join(problems[:5]))
    if len(out) > MAX_ADDRESSES:
        raise BadAddress(f"{len(out)} addresses is more than the limit of {MAX_ADDRESSES}")
    return list(out)


def names_to_resolve(domains: Iterable[str]) -> list[str]:
    names: dict[str, None] = {}
    for domain in domains:
        for name in (domain, "www." + domain):
            names.setdefault(name, None)
        if len(names) >= MAX_NAMES:
            break
    return list(names)[:MAX_NAMES]


def resolve(
    names: Sequence[str],
    lookup: Callable[[str], list[str]] | None = None,
    budget: float = RESOLVE_BUDGET,
) -> list[str]:
    """The addresses ``names`` resolve to now, in parallel, within ``budget`` seconds; what
    does not answer in time is left out (its connections stay, as without this feature)."""
    lookup = lookup or _lookup
    found: dict[str, None] = {}
    if not names:
        return []
    pool = ThreadPoolExecutor(max_workers=min(16, len(names)), thread_name_prefix="dwz-resolve")
    futures = [pool.submit(lookup, name) for name in names]
    done, _late = wait(futures, timeout=budget)
    pool.shutdown(wait=False, cancel_futures=True)
    for future in done:
        try:
            for address in future.result():
                found.setdefault(address, None)
        except Exception:
            continue
    usable = []
    for address in found:
        try:
            usable.append(validate_addresses([address])[0])
        except BadAddress:
            continue
    return usable


def _lookup(name: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(name, 443, proto=socket.IPPROTO_TCP)
    except OSError:
        return []
    out = []
    for info in infos:
        address = str(info[4][0]).partition("%")[0]
        out.append(str(ipaddress.ip_address(address)))
    return out


def support(
    platform: str = sys.platform, which: Callable[[str], str | None] = shutil.which
) -> tuple[bool, str]:
    """(can close, how or why not) on this platform, without closing anything."""
    if not enabled():
        return False, f"turned off ({ENV}=off)"
    if platform.startswith("linux"):
        if which("ss") is None:
            return False, "ss (iproute2) is not installed"
        if not _kernel_can_destroy():
            return False, "this kernel cannot close sockets (CONFIG_INET_DIAG_DESTROY is off)"
        return True, "the helper closes them (ss -K, SOCK_DESTROY)"
    if platform == "win32":
        return True, "the helper closes them (SetTcpEntry); IPv6 connections stay open"
    if platform == "darwin":
        if which("pfctl") is None:
            return False, "macOS cannot close another program's connections"
        return False, "macOS can only drop them when the pf firewall is on (pfctl -k)"
    return False, f"not supported on {platform}"


def _kernel_can_destroy() -> bool:
    """CONFIG_INET_DIAG_DESTROY: from /proc/config.gz or the boot config when readable;
    unknown counts as yes (``ss -K`` then simply closes nothing)."""
    import gzip

    try:
        with gzip.open("/proc/config.gz", "rt") as fh:
            text = fh.read()
    except OSError:
        try:
            with open(f"/boot/config-{os.uname().release}") as fh:
                text = fh.read()
        except OSError:
            return True
    return "CONFIG_INET_DIAG_DESTROY=y" in text


@dataclass(frozen=True)
class Closed:
    count: int  # connections closed
    tool: str


def close_connections(
    addresses: Sequence[str], platform: str = sys.platform, run: Run = subprocess.run
) -> Closed:
    """Close every TCP connection to ``addresses`` (already validated). OSError on failure."""
    addresses = validate_addresses(addresses)
    if not addresses:
        return Closed(0, "none")
    if platform.startswith("linux"):
        return _close_linux(addresses, run)
    if platform == "win32":
        return _close_windows(addresses)
    if platform == "darwin":
        return _close_macos(addresses, run)
    raise OSError(f"closing connections is not supported on {platform}")


def _close_linux(addresses: Sequence[str], run: Run) -> Closed:
    total = 0
    # One ss per chunk: a filter of thousands of terms is slow to parse.
    for start in range(0, len(addresses), 64):
        chunk = addresses[start : start + 64]
        expression: list[str] = []
        for address in chunk:
            if expression:
                expression.append("or")
            expression += ["dst", address]
        done = run(
            ["ss", "-K", "-t", "-n", "-H", *expression],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if done.returncode != 0:
            raise OSError(f"ss -K failed: {(done.stderr or '').strip() or done.returncode}")
        total += sum(1 for line in (done.stdout or "").splitlines() if line.strip())
    return Closed(total, "ss -K")


def _close_macos(addresses: Sequence[str], run: Run) -> Closed:
    info = run(["pfctl", "-s", "info"], capture_output=True, text=True, timeout=10, check=False)
    if "Status: Enabled" not in (info.stdout or ""):
        raise OSError("the pf firewall is off: macOS cannot close these connections")
    for address in addresses:
        run(
            ["pfctl", "-k", "0.0.0.0/0", "-k", address],
            capture_output=True,
            timeout=10,
            check=False,
        )
    return Closed(len(addresses), "pfctl -k")


# Windows: the IP Helper API through ctypes; ``_win_api`` is replaced by a fake in tests.
MIB_TCP_STATE_DELETE_TCB = 12


def _close_windows(addresses: Sequence[str], api: Any = None) -> Closed:
    api = api or _win_api()
    wanted = {str(ipaddress.ip_address(a)) for a in addresses if ":" not in a}
    closed = 0
    for row in api.tcp_rows():
        if row.remote in wanted:
            api.delete(row)
            closed += 1
    return Closed(closed, "SetTcpEntry")


def _win_api() -> Any:  # pragma: no cover - Windows
    from deepworkzone.blocking.socket_closer_windows import IpHelper

    return IpHelper()
