"""`deepworkzone admin`: users, orgs and API keys of a Sessions API server's database."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from deepworkzone.cli.errors import UserError
from deepworkzone.cli.serve import add_db_argument, database_url, require_server


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "admin",
        help="manage the server's users and API keys",
        description="Manage the users, orgs and API keys of the server's database "
        "(run it where `deepworkzone serve` runs, with the same --db).",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", parser_class=type(parser))

    create = actions.add_parser(
        "create-user",
        help="create a user (and org) as needed and print a new API key",
        description="Create the org and the user as needed and print a new API key for them. "
        "The token is shown once: the server keeps only its hash.",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--org", required=True, metavar="NAME")
    create.add_argument("--role", choices=("USER", "GUEST"), default="USER", type=str.upper)
    create.add_argument("--key-name", default="admin", help="label of the key (default admin)")
    create.add_argument("--quiet", action="store_true", help="print the token alone")
    add_db_argument(create)
    create.set_defaults(func=create_user, skip_recovery=True)

    revoke = actions.add_parser(
        "revoke-key",
        help="revoke an API key: it stops working at once",
        description="Revoke an API key, named by its token or by its id.",
    )
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--token", help="the token itself")
    which.add_argument("--id", type=int, metavar="N", help="the key's id")
    add_db_argument(revoke)
    revoke.set_defaults(func=revoke_key, skip_recovery=True)
    parser.set_defaults(func=_usage(parser), skip_recovery=True)


def _usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show(_args: argparse.Namespace) -> int:
        parser.print_help()
        return 1

    return show


@contextmanager
def _database(url: str | None) -> Iterator[Any]:
    from deepworkzone.cli.serve import open_app

    app = open_app(database_url(url))
    try:
        with app.state.sessions() as db:
            yield db
    finally:
        app.state.engine.dispose()


def create_user(args: argparse.Namespace) -> int:
    require_server()
    from deepworkzone.server.accounts import AccountError, ensure_user, issue_key

    with _database(args.db) as db:
        try:
            user = ensure_user(db, args.email, args.org)
            issued = issue_key(db, user, args.key_name, args.role)
        except AccountError as exc:
            raise UserError(str(exc)) from None
        db.commit()
        if args.quiet:
            print(issued.token)
            return 0
        print(f"user {user.email} (id {user.id}) in org {args.org} (id {user.org_id})")
        print(f"API key {issued.key.id} ({issued.key.role}): {issued.token}")
        print("Copy the token now: it cannot be shown again.")
    return 0


def revoke_key(args: argparse.Namespace) -> int:
    require_server()
    from deepworkzone.server.accounts import find_key_by_token, revoke
    from deepworkzone.server.orm import ApiKeyRow

    with _database(args.db) as db:
        key = find_key_by_token(db, args.token) if args.token else db.get(ApiKeyRow, args.id)
        if key is None:
            raise UserError("no such API key")
        if key.revoked_at is not None:
            print(f"API key {key.id} was already revoked")
            return 0
        revoke(db, key)
        db.commit()
        print(f"API key {key.id} ({key.name}) revoked")
    return 0
