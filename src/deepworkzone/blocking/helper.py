"""``deepworkzone-helper``: the only code that runs with administrator rights.

Three commands and nothing else::

    deepworkzone-helper apply --until 2026-05-01T10:00:00Z facebook.com youtube.com
    deepworkzone-helper apply --until 2026-05-01T10:00:00Z < domains.txt
    deepworkzone-helper clear
    deepworkzone-helper status

It takes no path and no line from its caller: it writes only our marked section of the OS
hosts file, and every name must already be a plain domain in normal form (what
``normalise_domain`` returns); anything else is refused whole, before the file is read.
Exit codes: 0 done, 1 refused (bad input), 2 the change failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn, TextIO

from deepworkzone.blocking import hosts_blocker, hosts_file
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
    return parser


def target_path(env: dict[str, str] | None = None) -> Path:
    """The OS hosts file; the test override only when nobody gained rights by running us."""
    env = dict(os.environ) if env is None else env
    override = env.get(hosts_blocker.HOSTS_ENV)
    if override and _elevated_for_someone_else(env):
        raise Refused(
            f"{hosts_blocker.HOSTS_ENV} is not accepted when running with administrator "
            "rights for another user"
        )
    return Path(override) if override else hosts_blocker.os_hosts_path()


def _elevated_for_someone_else(env: dict[str, str]) -> bool:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    callers = (env.get("PKEXEC_UID"), env.get("SUDO_UID"))
    return os.getuid() != 0 or any(uid not in (None, "", "0") for uid in callers)


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


def run(argv: Sequence[str], stdin: TextIO, stdout: TextIO) -> int:
    args = _parser().parse_args(argv)
    path = target_path()
    if args.command == "apply":
        until = parse_until(args.until)
        domains = validate_domains(args.domains or _read_stdin(stdin))
        backup_dir = SYSTEM_STATE_DIR if _elevated_for_someone_else(dict(os.environ)) else None
        how = hosts_blocker.write_block(path, domains, until, backup_dir)
        flushed = flush_dns()
        print(
            f"blocked {len(domains)} domains until {until} ({how}; flushed: {', '.join(flushed) or 'none'})",
            file=stdout,
        )
    elif args.command == "clear":
        removed = hosts_blocker.clear_block(path)
        flush_dns()
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


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv, sys.stdin, sys.stdout)
    except Refused as exc:
        print(f"{PROG}: refused: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
