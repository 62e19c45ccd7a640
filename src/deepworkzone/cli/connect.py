"""`deepworkzone connect slack|teams`, `disconnect slack|teams` and `connections`.

Tokens go to the SecretStore and are never printed; who they belong to goes to a small
non-secret file so `connections` can answer. A bad token or an unreachable service is one
line on stderr and nothing is stored.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from deepworkzone.cli.errors import ServiceError, UserError

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


@contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Secret-storage warnings as a plain line, not Python's file:line warning format."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)


def _fail(exc: Exception) -> Exception:
    """SnoozeError -> the CLI's one-line errors: the user's to fix (1) or the service's (2)."""
    from deepworkzone.snooze.errors import RateLimited, ServiceUnavailable

    if isinstance(exc, ServiceUnavailable | RateLimited):
        return ServiceError(str(exc))
    return UserError(str(exc))


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
    if token.startswith("xoxb-"):
        raise UserError(
            "that is a bot token (xoxb-…); snoozing needs the User OAuth Token (xoxp-…)"
        )
    return token


def _quick_policy() -> Any:
    from deepworkzone.snooze.status import quick_policy

    return quick_policy()


def _check_slack(token: str) -> tuple[dict[str, Any], list[str] | None]:
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.slack_api import REQUIRED_SCOPES, SlackApi
    from deepworkzone.snooze.tokens import StaticToken

    api = SlackApi(StaticToken(token), policy=_quick_policy())
    try:
        who, scopes = api.auth_test()
        if scopes is not None:
            missing = [s for s in REQUIRED_SCOPES if s not in scopes]
            if missing:
                raise UserError(
                    f"the Slack token lacks the scopes {', '.join(missing)}: add them as User "
                    "Token Scopes, reinstall the app and use the new token"
                )
        api.dnd_info()  # catches a missing_scope that the header did not show
    except SnoozeError as exc:
        raise _fail(exc) from None
    return who, scopes


def _save_slack(token: str, refresh: str | None, who: dict[str, Any], scopes: Any) -> None:
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.snooze import connections
    from deepworkzone.snooze.tokens import SLACK_REFRESH_SECRET, SLACK_TOKEN_SECRET

    store = SecretStore()
    with _one_line_warnings():
        store.set(SLACK_TOKEN_SECRET, token)
        if refresh:
            store.set(SLACK_REFRESH_SECRET, refresh)
        else:
            store.delete(SLACK_REFRESH_SECRET)
    connections.save(
        "slack",
        {
            "user": who.get("user") or who.get("user_id") or "",
            "user_id": who.get("user_id") or "",
            "team": who.get("team") or who.get("team_id") or "",
            "team_id": who.get("team_id") or "",
            "scopes": scopes,
        },
    )
    print(
        f"Connected Slack as {who.get('user')} in {who.get('team')} (token kept in {store.location})."
    )


def _connect_slack(args: argparse.Namespace) -> int:
    from deepworkzone.core.settings import load_settings, save_settings

    settings = load_settings()
    if args.client_id:
        settings.slack_client_id = args.client_id.strip()
        save_settings(settings)
    if args.token is not None or not settings.slack_client_id:
        token = _read_token(args.token)
        who, scopes = _check_slack(token)
        _save_slack(token, None, who, scopes)
        return 0
    from deepworkzone.snooze import slack_oauth
    from deepworkzone.snooze.errors import SnoozeError

    try:
        grant = slack_oauth.sign_in(settings.slack_client_id, show=print)
    except SnoozeError as exc:
        raise _fail(exc) from None
    who, scopes = _check_slack(grant.access_token)
    _save_slack(grant.access_token, grant.refresh_token, who, scopes)
    return 0


def _check_graph(token: str) -> dict[str, Any]:
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.graph_api import GraphApi
    from deepworkzone.snooze.tokens import StaticToken

    try:
        return GraphApi(StaticToken(token), policy=_quick_policy()).get_presence()
    except SnoozeError as exc:
        raise _fail(exc) from None


def _connect_teams(args: argparse.Namespace) -> int:
    from deepworkzone.core.settings import load_settings, save_settings
    from deepworkzone.snooze import connections, msal_auth
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.tokens import GRAPH_TOKEN_ENV

    env_token = os.environ.get(GRAPH_TOKEN_ENV)
    if env_token:
        presence = _check_graph(env_token)
        print(
            f"{GRAPH_TOKEN_ENV} works (Teams shows {presence.get('availability')}); it is used "
            "as is, nothing was stored."
        )
        return 0
    if args.client_id:
        settings = load_settings()
        settings.teams_client_id = args.client_id.strip()
        save_settings(settings)
    client_id = msal_auth.teams_client_id()
    if not client_id:
        raise UserError(msal_auth.REGISTER_HELP)
    try:
        with _one_line_warnings():
            info = msal_auth.sign_in(client_id, device_code=args.device_code, show=print)
    except SnoozeError as exc:
        raise _fail(exc) from None
    _check_graph(info.pop("access_token"))
    connections.save("teams", info)
    print(f"Connected Microsoft Teams as {info.get('user') or 'your account'}.")
    return 0


def _disconnect(args: argparse.Namespace) -> int:
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.snooze import connections, msal_auth
    from deepworkzone.snooze.tokens import (
        GRAPH_TOKEN_ENV,
        SLACK_REFRESH_SECRET,
        SLACK_TOKEN_ENV,
        SLACK_TOKEN_SECRET,
    )

    if args.service == "slack":
        store = SecretStore()
        store.delete(SLACK_TOKEN_SECRET)
        store.delete(SLACK_REFRESH_SECRET)
        env, label = SLACK_TOKEN_ENV, "Slack"
    else:
        with _one_line_warnings():
            msal_auth.clear_cache()
        env, label = GRAPH_TOKEN_ENV, "Microsoft Teams"
    connections.forget(args.service)
    print(f"{label} disconnected.")
    if os.environ.get(env):
        print(f"note: {env} is set, so it is still used until you unset it.")
    return 0


def _connections(args: argparse.Namespace) -> int:
    from deepworkzone.snooze.status import connection_rows

    rows = [("SERVICE", "CONNECTED", "ACCOUNT", "SCOPES")]
    rows += [(r.service, r.connected, r.account, r.scopes) for r in connection_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
    return 0
