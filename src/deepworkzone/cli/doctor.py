"""`deepworkzone doctor [--json] [--offline]`: what works on this machine and what to do
about the rest. Exit 1 when something a configured session needs is missing."""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from typing import Any, TextIO

from deepworkzone.cli.output import print_json

LABELS = {"ok": "ok", "warning": "warning", "missing": "MISSING", "na": "n/a"}
# The engine's fix codes in this front end's words: the command that does it.
FIX_COMMANDS = {
    "setup": "`deepworkzone setup`",
    "connect_slack": "`deepworkzone connect slack`",
    "connect_teams": "`deepworkzone connect teams`",
    "autostart": "`deepworkzone autostart on` (the app) or `deepworkzone autostart on --agent`",
    "run_agent": "`deepworkzone` (the app) or `deepworkzone run` (the headless agent)",
    "login": "`deepworkzone login`",
    "install_desktop": "`deepworkzone install-desktop`",
}
_TITLE_WIDTH = 17
_WIDTH = 100


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "doctor",
        help="check what works on this machine and what to do about the rest",
        description="Check the hosts helper, the hosts file, the system proxy, DNS flushing, "
        "the keyring, notifications and the tray, Slack and Teams, start at login, the "
        "agent and the server. Exits 1 when something a configured session needs is missing.",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--offline", action="store_true", help="do not ask the server or Slack over the network"
    )
    parser.set_defaults(func=_doctor, skip_recovery=True)


def _doctor(args: argparse.Namespace) -> int:
    from deepworkzone.engine.doctor import run_checks

    report = run_checks(online=not args.offline)
    if args.json:
        out = report.to_json()
        for check in out["checks"]:
            check["command"] = FIX_COMMANDS.get(check["fix"] or "", "").strip("`") or None
        print_json(out)
    else:
        render(report, sys.stdout)
    return 0 if report.ok else 1


def render(report: Any, out: TextIO) -> None:
    indent = " " * (9 + _TITLE_WIDTH)
    for check in report.checks:
        head = f"{LABELS.get(check.status, check.status):<8} {check.title:<{_TITLE_WIDTH - 1}} "
        lines = textwrap.wrap(check.detail, _WIDTH - len(indent)) or [""]
        print(head + lines[0], file=out)
        for line in lines[1:]:
            print(indent + line, file=out)
        if check.needed_by and check.status in ("missing", "warning"):
            _wrapped(f"needed by: {', '.join(check.needed_by)}", indent, out)
        todo = _todo(check)
        if todo and check.status in ("missing", "warning"):
            _wrapped(f"-> {todo}", indent, out)
    problems = report.problems
    if problems:
        names = ", ".join(c.title for c in problems)
        print(f"\n{len(problems)} missing for configured sessions: {names}.", file=out)
    else:
        print("\nNothing a configured session needs is missing.", file=out)


def _todo(check: Any) -> str:
    command = FIX_COMMANDS.get(check.fix or "")
    if command and check.remedy:
        return f"{check.remedy.rstrip('.')}: {command}"
    return command or check.remedy


def _wrapped(text: str, indent: str, out: TextIO) -> None:
    # A command to type is never broken across two lines.
    whole = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    lines = textwrap.wrap(whole, _WIDTH, initial_indent=indent, subsequent_indent=indent + "   ")
    for line in lines:
        print(line.replace("\0", " "), file=out)
