"""``deepworkzone-helper``: the only code that runs with administrator rights.

The hosts commands below, and the browser ones of blocking/helper_browser.py
(``close-connections ADDR...``, ``policies-apply [--block-list] DOMAIN...``,
``policies-clear``), and nothing else::

    deepworkzone-helper apply --until 2026-05-01T10:00:00Z facebook.com youtube.com
    deepworkzone-helper apply --until 2026-05-01T10:00:00Z < domains.txt
    deepworkzone-helper clear
    deepworkzone-helper status

``apply`` and ``clear`` on the OS hosts file end with the network nudge
(blocking/network_nudge.py), so running browsers drop the addresses they cached.

It takes no path and no line from its caller: it writes only our marked section of the OS
hosts file, and every name must already be a plain domain in normal form (what
``normalise_domain`` returns); anything else is refused whole, before the file is read.
Exit codes: 0 done, 1 refused (bad input), 2 the change failed.

Run with administrator rights (root, however it got them: pkexec, sudo, cron, a macOS
administrator prompt, UAC) it reads no ``DEEPWORKZONE_*`` variable at all: the target is the
OS hosts file, the backup goes to the root-owned ``SYSTEM_STATE_DIR`` (0700, files 0600) and
PATH is reset before any tool is looked up. Only unprivileged runs honour
``DEEPWORKZONE_HOSTS_FILE`` and ``DEEPWORKZONE_HOME`` (they cannot reach what the user could
not write anyway). Tests that run as root pass ``Targets`` to ``run()`` from a test-only entry
point (tests/helper_entry.py); the installed copy refuses that (``_installed``).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, TextIO

from deepworkzone.blocking import helper_browser, hosts_blocker, hosts_file, network_nudge
from deepworkzone.blocking.dns_flush import flush_dns
from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain

PROG = "deepworkzone-helper"
MAX_DOMAINS = 10_000
MAX_SPAN = timedelta(hours=24)
# Backups when elevated for another user: a root-owned folder, never one named by the caller.
SYSTEM_STATE_DIR = (
    Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "DeepWorkZone"
    if sys.platform == "win32"
    else Path("/var/lib/deepworkzone")
)
# Where `deepworkzone setup` and the package put the helper's root-owned copy of its modules.
INSTALLED_LIB = Path("/usr/lib/deepworkzone/helper")
# Tools (dns_flush) are looked up here only when running as administrator.
SAFE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Targets:
    """The only two places the helper writes: the hosts file and its backup folder."""

    hosts: Path
    state_dir: Path


class Refused(Exception):
    """Bad input: nothing was changed."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Write or clear Deep Work Zone's hosts-file block.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    apply = sub.add_parser("apply", help="block these domains until the given time")
    apply.add_argument("--until", required=True, help="end of the block, ISO 8601 with zone")
    apply.add_argument("domains", nargs="*", help="domains (else one per line on stdin)")
    sub.add_parser("clear", help="remove the block")
    sub.add_parser("status", help="print the block as JSON")
    helper_browser.add_commands(sub)  # close-connections, policies-apply, policies-clear
    return parser


def running_as_admin() -> bool:
    """Root on Unix, an elevated administrator on Windows."""
    if hasattr(os, "geteuid"):
        return os.geteuid() == 0
    try:  # pragma: no cover - Windows
        import ctypes

        return bool(ctypes.windll.shell32.IsUserAnAdmin())  # type: ignore[attr-defined]
    except (AttributeError, OSError):  # pragma: no cover
        return False


def system_targets() -> Targets:
    """Fixed at build time: nothing the caller sets can move them."""
    return Targets(hosts_blocker.os_hosts_path(), SYSTEM_STATE_DIR)


def targets_for(env: Mapping[str, str], admin: bool) -> Targets:
    """As administrator the system targets, whatever ``env`` says; else the user's own."""
    if admin:
        return system_targets()
    from deepworkzone.core.paths import app_paths

    override = env.get(hosts_blocker.HOSTS_ENV)
    hosts = Path(override) if override else hosts_blocker.os_hosts_path()
    return Targets(hosts, app_paths().state_dir)


def _installed() -> bool:
    """True when this module is the root-owned copy that `deepworkzone setup` installed."""
    return Path(__file__).resolve().is_relative_to(INSTALLED_LIB)


def _system_state_dir(folder: Path) -> Path:
    """The backup folder as root: created 0700, and refused unless it is a real folder owned
    by root that nobody else may write (a planted symlink or a user's folder is never used)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = folder.lstat()
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "geteuid") and st.st_uid != 0):
        raise OSError(f"{folder} is not a folder owned by the administrator")
    os.chmod(folder, 0o700)
    return folder


def parse_until(text: str, now: datetime | None = None) -> str:
    """The end time in UTC (``...Z``); it must be in the future and within a day."""
    try:
        until = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Refused(f"{text!r} is not an ISO 8601 time") from None
    if until.tzinfo is None:
        raise Refused(f"{text!r} has no time zone; add Z or an offset")
    now = now or datetime.now(UTC)
    if until <= now:
        raise Refused(f"{text} is already past")
    if until - now > MAX_SPAN:
        raise Refused(f"{text} is more than {MAX_SPAN.total_seconds() / 3600:.0f} hours away")
    return until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_domains(items: Sequence[str]) -> list[str]:
    """Every item must be a domain in normal form; all problems are reported at once."""
    names: dict[str, None] = {}
    problems = []
    for item in items:
        try:
            name = normalise_domain(item)
        except InvalidDomain as exc:
            problems.append(str(exc))
            continue
        if name != item or not hosts_file.is_hosts_name(name):
            problems.append(f"{item!r} is not a plain domain name (expected {name!r})")
        else:
            names.setdefault(name, None)
    if problems:
        raise Refused(
            "; ".join(problems[:5])
            + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
    if not names:
        raise Refused("no domains given")
    if len(names) > MAX_DOMAINS:
        raise Refused(f"{len(names)} domains is more than the limit of {MAX_DOMAINS}")
    return list(names)


def _read_stdin(stream: TextIO) -> list[str]:
    return [line.strip() for line in stream.read(2_000_000).splitlines() if line.strip()]


def run(argv: Sequence[str], stdin: TextIO, stdout: TextIO, targets: Targets | None = None) -> int:
    """One command. ``targets`` only from the test entry point, never in the installed copy."""
    admin = running_as_admin()
    if targets is not None and _installed():
        raise Refused("the installed helper writes only the system hosts file")
    if admin and os.name == "posix":
        os.environ["PATH"] = SAFE_PATH
    args = _parser().parse_args(argv)
    chosen = targets or targets_for(os.environ, admin)
    path = chosen.hosts
    if args.command in helper_browser.COMMANDS:
        return helper_browser.run(
            args,
            _system_state_dir(chosen.state_dir) if admin else chosen.state_dir,
            validate_domains=validate_domains,
            refused=Refused,
            stdout=stdout,
        )
    if args.command == "apply":
        until = parse_until(args.until)
        domains = validate_domains(args.domains or _read_stdin(stdin))
        backup_dir = _system_state_dir(chosen.state_dir) if admin else chosen.state_dir
        how = hosts_blocker.write_block(path, domains, until, backup_dir)
        flushed = flush_dns()
        if _nudge_for(path):
            flushed.append("browsers (network change)")
        print(
            f"blocked {len(domains)} domains until {until} ({how}; flushed: {', '.join(flushed) or 'none'})",
            file=stdout,
        )
    elif args.command == "clear":
        removed = hosts_blocker.clear_block(path)
        flush_dns()
        network_nudge.clear_leftover()
        if removed:
            _nudge_for(path)
        print("block removed" if removed else "no block to remove", file=stdout)
    else:
        doc = hosts_file.decode(path.read_bytes())
        section = hosts_file.read_section(doc)
        status: dict[str, object] = {"path": str(path), "active": section is not None}
        if section is not None:
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            expired = section.until is not None and section.until < now
            status.update(domains=len(section.domains), until=section.until, expired=expired)
        print(json.dumps(status), file=stdout)
    return 0


def _nudge_for(path: Path) -> bool:
    """Running browsers drop cached addresses (blocking/network_nudge.py); only for the OS
    hosts file, the one they read."""
    return path == hosts_blocker.os_hosts_path() and network_nudge.nudge()


def main(argv: Sequence[str] | None = None, targets: Targets | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv, sys.stdin, sys.stdout, targets)
    except Refused as exc:
        print(f"{PROG}: refused: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
