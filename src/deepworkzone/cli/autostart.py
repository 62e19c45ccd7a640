"""`deepworkzone autostart on|off|status [--agent]`: start the app (or, with --agent, the
headless agent) at login. The app's settings page uses the same engine code."""

from __future__ import annotations

import argparse
from typing import Any

from deepworkzone.cli.output import print_json

MECHANISMS = {
    "xdg": "an XDG autostart entry",
    "systemd": "a systemd user service",
    "launchagent": "a LaunchAgent",
    "run-key": "the Run key of the Windows registry",
}


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "autostart",
        help="start Deep Work Zone (or the headless agent) when you log in",
        description="Turn starting at login on or off, or show whether it is on. Without "
        "--agent this is the desktop app; with it, the headless agent (`deepworkzone run`), "
        "for a machine without the app open. Either one runs scheduled sessions on time.",
    )
    parser.add_argument("action", choices=("on", "off", "status"), nargs="?", default="status")
    parser.add_argument(
        "--agent", action="store_true", help="the headless agent instead of the app"
    )
    parser.add_argument("--json", action="store_true", help="print the state as JSON")
    parser.set_defaults(func=_autostart)


def _autostart(args: argparse.Namespace) -> int:
    from deepworkzone.engine import autostart

    target: autostart.Target = "agent" if args.agent else "app"
    if args.action == "on":
        state = autostart.set_enabled(True, target)
    elif args.action == "off":
        state = autostart.set_enabled(False, target)
    else:
        state = autostart.status(target)
    if args.json:
        print_json(
            {
                "target": state.target,
                "supported": state.supported,
                "enabled": state.enabled,
                "mechanism": state.mechanism,
                "location": state.location,
                "command": state.command or None,
                "note": state.note or None,
            }
        )
        return 0
    print(describe(state, args.action))
    return 0


def describe(state: Any, action: str = "status") -> str:
    what = "The agent" if state.target == "agent" else "Deep Work Zone"
    how = MECHANISMS.get(state.mechanism, state.mechanism)
    if not state.supported:
        return f"{what} cannot start at login here: {state.note}."
    if state.enabled:
        line = f"{what} starts at login ({how}: {state.location}), running {state.command}."
        if action == "on" and state.note:
            line += f" ({state.note}; nothing is started now.)"
        return line
    off = f"{what} does not start at login."
    if action == "off":
        return f"{off} (removed {how}: {state.location})"
    flag = " --agent" if state.target == "agent" else ""
    return f"{off} Turn it on with `deepworkzone autostart on{flag}`."
