"""`deepworkzone connect slack|teams`, `disconnect slack|teams` and `connections`.

Tokens go to the SecretStore and are never printed; who they belong to goes to a small
non-secret file so `connections` can answer. A bad token or an unreachable service is one
line on stderr and nothing is stored.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from deepworkzone.cli.errors import UserError

TEAMS_REGISTER_HELP = (
    "No Microsoft app (client) id is configured. Register one in the Microsoft Entra admin "
    "center (App registrations > New registration: accounts in any organizational directory; "
    "platform 'Mobile and desktop applications' with redirect URI http://localhost; "
    "'Allow public client flows' = Yes; delegated permission Presence.ReadWrite), then run "
    "`deepworkzone connect teams --client-id <id>`"
)

SLACK_TOKEN_HELP = (
    "To connect with a token: create a Slack app at https://api.slack.com/apps, add the User "
    "Token Scopes dnd:read, dnd:write, users.profile:read, users.profile:write, install it to "
    "your workspace, copy the 'User OAuth Token' (xoxp-…) and run "
    "`deepworkzone connect slack --token -` (then paste it)."
)


def register(sub: Any) -> None:
    connect = sub.add_parser("connect", help="connect Slack or Microsoft Teams for snoozing")
    services = connect.add_subparsers(title="services", metavar="SERVICE", dest="service")
    services.required = True
    slack = services.add_parser("slack", help="connect Slack (user token or browser sign-in)")
    slack.add_argument("--token", metavar="T", help="a Slack user token (xoxp-…); '-' reads stdin")
    slack.add_argument("--client-id", help="Slack app client id for the browser sign-in (saved)")
    slack.set_defaults(func=_connect_slack)
    teams = services.add_parser("teams", help="sign in to Microsoft Teams (work or school)")
    teams.add_argument(
        "--device-code", action="store_true", help="sign in with a code on another device"
    )
    teams.add_argument("--client-id", help="your own Microsoft app (client) id (saved)")
    teams.set_defaults(func=_connect_teams)

    disconnect = sub.add_parser("disconnect", help="forget the Slack or Teams sign-in")
    disconnect.add_argument("service", choices=("slack", "teams"))
    disconnect.set_defaults(func=_disconnect)

    listing = sub.add_parser("connections", help="show which chat services are connected")
    listing.set_defaults(func=_connections)


def _warn(lines: list[str] | tuple[str, ...]) -> None:
    """Secret-storage warnings as a plain line, not Python's file:line warning format."""
    for line in lines:
        print(f"warning: {line}", file=sys.stderr)


def _read_token(value: str | None) -> str:
    if value == "-":
        token = sys.stdin.readline()
    elif value is not None:
        token = value
    elif sys.stdin.isatty():
        print(SLACK_TOKEN_HELP)
        token = getpass.getpass("Slack user token (hidden): ")
    else:
        raise UserError(SLACK_TOKEN_HELP)
    token = token.strip()
    if not token:
        raise UserError("no token given")
    return token


def _connect_slack(args: argparse.Namespace) -> int:
    from deepworkzone.engine import connections

    client_id = connections.slack_client_id(args.client_id)
    if args.token is not None or not client_id:
        result = connections.connect_slack_token(_read_token(args.token))
    else:
        result = connections.connect_slack_browser(client_id, show=print)
    _warn(result.warnings)
    print(
        f"Connected Slack as {result.account} in {result.team} "
        f"(token kept in {result.secret_location})."
    )
    return 0


def _connect_teams(args: argparse.Namespace) -> int:
    from deepworkzone.engine import connections
    from deepworkzone.engine.errors import EngineError

    try:
        result = connections.connect_teams(
            print, device_code=args.device_code, client_id=args.client_id
        )
    except EngineError as exc:
        if exc.code == "teams_no_client_id":
            raise UserError(TEAMS_REGISTER_HELP) from None
        raise
    _warn(result.warnings)
    if not result.stored:
        print(f"{result.note}.")
        return 0
    print(f"Connected Microsoft Teams as {result.account or 'your account'}.")
    return 0


def _disconnect(args: argparse.Namespace) -> int:
    from deepworkzone.engine import connections

    result = connections.disconnect(args.service)
    _warn(result.warnings)
    print(f"{result.label} disconnected.")
    if result.env_still_set:
        print(f"note: {result.env_still_set} is set, so it is still used until you unset it.")
    return 0


def _connections(args: argparse.Namespace) -> int:
    from deepworkzone.engine.connections import connection_rows

    rows = [("SERVICE", "CONNECTED", "ACCOUNT", "SCOPES")]
    rows += [(r.service, r.connected, r.account, r.scopes) for r in connection_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0
