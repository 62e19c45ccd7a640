"""The helper's browser commands: close connections, write and clear browser policies.

    deepworkzone-helper close-connections 203.0.113.7 2001:db8::7
    deepworkzone-helper policies-apply [--block-list] facebook.com youtube.com
    deepworkzone-helper policies-clear

Same rules as the hosts commands (blocking/helper.py): no path and no text from the caller.
``close-connections`` takes plain IP addresses only (no ranges, no names, no loopback);
``policies-*`` write only our own file in each installed browser's fixed system policy
folder (browser_policies.LINUX_BROWSERS), with the ledger in the helper's root-owned state
folder. Tests redirect nothing here: they run the helper in a private mount namespace with
temporary folders mounted over the system ones.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from deepworkzone.blocking import browser_policies, socket_closer

COMMANDS = ("close-connections", "policies-apply", "policies-clear")
LEDGER_NAME = "browser-policies.json"


def add_commands(sub: Any) -> None:
    close = sub.add_parser("close-connections", help="close TCP connections to these addresses")
    close.add_argument("addresses", nargs="+", help="IPv4 or IPv6 addresses")
    apply = sub.add_parser("policies-apply", help="browser policies for a session")
    apply.add_argument("--block-list", action="store_true", help="also block these domains")
    apply.add_argument("domains", nargs="+", help="domains in normal form")
    sub.add_parser("policies-clear", help="remove our browser policies")


def run(
    args: argparse.Namespace,
    state_dir: Path,
    *,
    validate_domains: Callable[[Sequence[str]], list[str]],
    refused: Callable[[str], Exception],
    stdout: TextIO,
) -> int:
    if args.command == "close-connections":
        try:
            addresses = socket_closer.validate_addresses(args.addresses)
        except socket_closer.BadAddress as exc:
            raise refused(str(exc)) from None
        closed = socket_closer.close_connections(addresses)
        print(f"closed {closed.count} connections ({closed.tool})", file=stdout)
        return 0
    ledger = state_dir / LEDGER_NAME
    if args.command == "policies-apply":
        domains = validate_domains(args.domains)
        written, skipped = browser_policies.apply(domains, blocklist=args.block_list, ledger=ledger)
        for item in written:
            print(item.path, file=stdout)
        for reason in skipped:
            print(f"skipped: {reason}", file=stdout)
        return 0
    removed = browser_policies.clear(ledger)
    print(f"removed {len(removed)} policy files", file=stdout)
    return 0
