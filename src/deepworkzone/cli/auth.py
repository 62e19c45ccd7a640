"""`deepworkzone login` and `logout`: connect this machine to a Sessions API server.

The token is checked against the server before anything is stored, so a typo or an
unreachable server leaves the settings as they were. It goes to the OS keyring (or a 0600 file
where there is none) and is never printed or logged.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from deepworkzone.cli.errors import UserError


def register(sub: Any) -> None:
    login = sub.add_parser(
        "login",
        help="connect to a Sessions API server with an API token",
        description="Check an API token against a server, then remember both. The token comes "
        "from --token, or from stdin with --token - (prompted for when stdin is a terminal).",
    )
    login.add_argument("--server", metavar="URL", help="e.g. https://sessions.example.com")
    login.add_argument("--token", help="the API token; '-' or nothing reads it from stdin")
    local = login.add_mutually_exclusive_group()
    local.add_argument(
        "--upload-local",
        action="store_true",
        help="send the sessions made on this machine to the server",
    )
    local.add_argument(
        "--keep-local",
        action="store_true",
        help="keep them on this machine only (they show again after logout)",
    )
    login.set_defaults(func=cmd_login)

    logout = sub.add_parser("logout", help="forget the server and its token (back to local-only)")
    logout.set_defaults(func=cmd_logout)


def _read_token(args: argparse.Namespace) -> str:
    if args.token and args.token != "-":
        return str(args.token).strip()
    if sys.stdin.isatty():
        return getpass.getpass("API token: ").strip()
    return sys.stdin.readline().strip()


def cmd_login(args: argparse.Namespace) -> int:
    import os

    from deepworkzone.engine import account

    server = args.server or os.environ.get("DEEPWORKZONE_SERVER") or account.default_server() or ""
    if not server.strip():
        raise UserError("which server? give --server URL")
    account.normalise_server(server)  # a malformed URL is the user's mistake: before any input
    token = _read_token(args)
    if not token:
        raise UserError("no API token given (use --token, or pipe it on stdin with --token -)")
    local = account.local_session_count()
    result = account.login(server, token)
    print(f"logged in to {result.server}; token stored in {result.secret_location}")
    if result.insecure_storage:
        print(
            "warning: no OS keyring found; the token file is readable only by you (0600)",
            file=sys.stderr,
        )
    if local:
        _offer_upload(local, args)
    return 0


def _offer_upload(count: int, args: argparse.Namespace) -> None:
    from deepworkzone.engine import account

    upload = args.upload_local
    if not (args.upload_local or args.keep_local) and sys.stdin.isatty():
        answer = input(f"Upload the {count} session(s) made on this machine to the server? [Y/n] ")
        upload = answer.strip().lower() in ("", "y", "yes")
    if not upload:
        print(
            f"{count} session(s) made on this machine stay here, not on the server; they show "
            "again after `deepworkzone logout` (or `deepworkzone login --upload-local`)."
        )
        return
    result = account.upload_local_sessions()
    sent = f"uploaded {result.uploaded} local session(s)"
    if result.queued:
        sent += f", {result.queued} queued until the server is reachable"
    print(sent)
    for problem in result.failed:
        print(f"not uploaded: {problem}", file=sys.stderr)


def cmd_logout(args: argparse.Namespace) -> int:
    from deepworkzone.engine import account

    result = account.logout()
    if result.server or result.had_token:
        print(
            f"logged out of {result.server or 'the server'}; token removed from {result.secret_location}"
        )
    else:
        print("not logged in; sessions are kept on this machine only")
    if result.overrides:
        print(
            f"note: {' and '.join(result.overrides)} still set in the environment and take precedence",
            file=sys.stderr,
        )
    return 0
