"""`deepworkzone setup [--remove] [--check] [--yes] [--json]`: install the hosts-file helper
and its polkit policy with one administrator prompt, check them, or remove them again.

The plan is explained first and confirmed (unless --yes); the work is engine/setup.py."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from deepworkzone.cli.output import print_json


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "setup",
        help="install the helper that lets sessions block sites in the hosts file",
        description="Set up this computer once so focus sessions can block websites in the "
        "hosts file: installs the small helper program and its polkit policy (one "
        "administrator password), then checks them. --remove takes them out again.",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--remove", action="store_true", help="remove what setup installed")
    what.add_argument("--check", action="store_true", help="only check, change nothing")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before going ahead")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=_setup)


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _setup(args: argparse.Namespace) -> int:
    from deepworkzone.engine import setup

    if args.check:
        checks = setup.verify_setup()
        result = setup.SetupResult(
            all(c.ok for c in checks if c.required), "verify", "checked", [], checks
        )
        return _report(result, args.json)
    if args.remove:
        if not args.yes and not args.json:
            print(
                "This removes the hosts-file helper and its polkit policy (and its backup in /var/lib/deepworkzone)."
            )
            if not _confirm("Remove them?"):
                return _not_confirmed()
        return _report(setup.remove_setup(), args.json)
    plan = setup.plan_setup()
    if not args.json:
        print(plan.explanation)
        for problem in plan.problems:
            print(f"  cannot go ahead: {problem}")
    if not plan.supported or plan.problems:
        if args.json:
            print_json(dataclasses.asdict(plan))
        return 1
    if plan.state not in ("installed", "installed by a package") and not args.yes:
        if args.json:
            print_json({"ok": False, "message": "add --yes to install without a question"})
            return 1
        print("\nFiles:")
        for item in plan.files:
            if "code it runs" not in item.what:
                print(f"  {item.path}  ({item.what})")
        if not _confirm("Go ahead?"):
            return _not_confirmed()
    try:
        result = setup.run_setup()
    except setup.SetupError as exc:
        result = setup.SetupResult(False, "install", str(exc))
    return _report(result, args.json)


def _not_confirmed() -> int:
    print("Nothing changed (not confirmed; add --yes to go ahead without a question).")
    return 1


def _report(result: Any, as_json: bool) -> int:
    if as_json:
        print_json(dataclasses.asdict(result))
    else:
        print(result.message)
        for check in result.checks:
            mark = "ok  " if check.ok else ("FAIL" if check.required else "warn")
            print(f"  {mark} {check.name}: {check.detail}")
    return 0 if result.ok else 1
