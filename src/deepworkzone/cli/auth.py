"""`deepworkzone login` and `logout`: connect this machine to a Sessions API server.

The token is checked against the server before anything is stored, so a typo or an
unreachable server leaves the settings as they were. It goes to the OS keyring (or a 0600 file
where there is none) and is never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import warnings
from typing import Any

from deepworkzone.cli.errors import UserError


def register(sub: Any) -> None:
    login = sub.add_parser(
        "login",
        help="connect to a Sessions API server with an API token",
        description="Check an API token against a server, then remember both. The token comes "
        "from --token or stdin (prompted for when stdin is a terminal).",
    )
    login.add_argument("--server", metavar="URL", help="e.g. https://sessions.example.com")
    login.add_argument("--token", help="the API token (default: read from stdin)")
    login.set_defaults(func=cmd_login)

    logout = sub.add_parser("logout", help="forget the server and its token (back to local-only)")
    logout.set_defaults(func=cmd_logout)


def _read_token(args: argparse.Namespace) -> str:
    if args.token:
        return str(args.token).strip()
    if sys.stdin.isatty():
        return getpass.getpass("API token: ").strip()
    return sys.stdin.readline().strip()


def cmd_login(args: argparse.Namespace) -> int:
    from deepworkzone.api.client import SessionsClient
    from deepworkzone.api.config import SERVER_ENV, TOKEN_SECRET, configured_server
    from deepworkzone.api.transport import api_root
    from deepworkzone.core.secrets import InsecureSecretStorageWarning, SecretStore
    from deepworkzone.core.settings import load_settings, save_settings

    server = (args.server or os.environ.get(SERVER_ENV) or configured_server() or "").strip()
    if not server:
        raise UserError("which server? give --server URL")
    api_root(server)  # a malformed URL is the user's mistake: exit 1 before any network
    server = server.rstrip("/").removesuffix("/api/v1")
    token = _read_token(args)
    if not token:
        raise UserError("no API token given (use --token or pipe it on stdin)")
    with SessionsClient(server, token, timeout=10.0, max_retries=1) as client:
        client.check_token()  # AuthError (exit 1) or Offline (exit 2): nothing stored yet

    store = SecretStore()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsecureSecretStorageWarning)
        try:
            store.set(TOKEN_SECRET, token)
        except Exception as exc:  # a locked or broken keyring: say so, store nothing
            raise UserError(f"cannot store the token in {store.location}: {exc}") from None
    settings = load_settings()
    settings.server_url = server
    save_settings(settings)
    print(f"logged in to {server}; token stored in {store.location}")
    if any(issubclass(w.category, InsecureSecretStorageWarning) for w in caught):
        print(
            "warning: no OS keyring found; the token file is readable only by you (0600)",
            file=sys.stderr,
        )
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    from deepworkzone.api.config import SERVER_ENV, TOKEN_ENV, TOKEN_SECRET
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.core.settings import load_settings, save_settings

    settings = load_settings()
    server = settings.server_url
    store = SecretStore()
    had_token = store.get(TOKEN_SECRET) is not None
    store.delete(TOKEN_SECRET)
    settings.server_url = None
    save_settings(settings)
    if server or had_token:
        print(f"logged out of {server or 'the server'}; token removed from {store.location}")
    else:
        print("not logged in; sessions are kept on this machine only")
    overrides = [name for name in (SERVER_ENV, TOKEN_ENV) if os.environ.get(name)]
    if overrides:
        print(
            f"note: {' and '.join(overrides)} still set in the environment and take precedence",
            file=sys.stderr,
        )
    return 0
