"""`deepworkzone serve`: run the Sessions API server."""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
from typing import Any

from deepworkzone.cli.errors import ServiceError, UserError
from deepworkzone.server import defaults

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# The server's own dependencies: the `server` extra, so the desktop app installs none of them.
SERVER_MODULES = ("fastapi", "uvicorn", "sqlalchemy", "alembic")
INSTALL_HINT = "pip install 'deepworkzone[server]'"
# How the parent hands its options to the worker processes (uvicorn starts them afresh).
WORKER_OPTIONS_ENV = "DEEPWORKZONE_SERVE_WORKER_OPTIONS"


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the Sessions API server",
        description="Run the Sessions API server (OpenAPI docs at /docs). The database is "
        "migrated to the newest schema at start.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address (default {DEFAULT_HOST})")
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"(default {DEFAULT_PORT})"
    )
    add_db_argument(parser)
    parser.add_argument(
        "--rate-limit",
        type=positive_int,
        default=defaults.RATE_LIMIT_PER_MINUTE,
        metavar="N",
        help=f"requests per minute per API key (default {defaults.RATE_LIMIT_PER_MINUTE})",
    )
    parser.add_argument(
        "--failed-auth-limit",
        type=positive_int,
        default=defaults.FAILED_AUTH_PER_MINUTE,
        metavar="N",
        help="failed authentications per minute per client address "
        f"(default {defaults.FAILED_AUTH_PER_MINUTE})",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="worker processes (default 1); more than one share caches, rate limits and "
        "idempotency keys through the database: use PostgreSQL",
    )
    parser.add_argument(
        "--db-connections",
        type=positive_int,
        default=defaults.DB_CONNECTIONS,
        metavar="N",
        help="database connections each worker keeps open; requests past N in flight "
        f"wait for one (default {defaults.DB_CONNECTIONS})",
    )
    parser.set_defaults(func=run, skip_recovery=True)


def require_server() -> None:
    """One line on how to install the server when its dependencies are missing."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise UserError(
            f"the Sessions API server is not installed (missing {', '.join(missing)}): "
            f"{INSTALL_HINT}"
        )


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="SQLAlchemy database URL, e.g. postgresql+psycopg://user@host/dwz "
        "(default: server.db in the data folder)",
    )


def port_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0..65535)")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def database_url(given: str | None) -> str:
    """``--db`` as given, else the SQLite file in the data folder (created as needed)."""
    if given:
        return given
    from deepworkzone.core.paths import app_paths

    paths = app_paths().ensure()
    return f"sqlite:///{paths.server_database}"


def open_app(db_url: str, **options: Any) -> Any:
    """The server app on ``db_url``; a bad URL or unreachable database is one line."""
    require_server()
    from sqlalchemy.exc import ArgumentError, OperationalError

    from deepworkzone.server.app import create_app

    try:
        return create_app(db_url, **options)
    except ArgumentError as exc:
        raise UserError(f"--db: {db_url!r} is not a database URL ({exc})") from None
    except ModuleNotFoundError as exc:
        raise UserError(f"--db: the driver for this URL is not installed ({exc.name})") from None
    except OperationalError as exc:
        raise ServiceError(f"cannot open the database: {exc.orig}") from None


def run(args: argparse.Namespace) -> int:
    require_server()
    import uvicorn
    from sqlalchemy.engine import make_url

    db_url = database_url(args.db)
    options = {
        "rate_limit_per_minute": args.rate_limit,
        "failed_auth_per_minute": args.failed_auth_limit,
        "db_connections": args.db_connections,
    }
    if args.workers > 1:
        options["shared_limits"] = True
    # Migrates and checks the database once, here, before any worker starts.
    app = open_app(db_url, **options)
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    shown_url = make_url(db_url).render_as_string(hide_password=True)
    workers = f", {args.workers} workers" if args.workers > 1 else ""
    print(
        f"Sessions API on http://{args.host}:{port}/api/v1 (docs at /docs), "
        f"database {shown_url}, {args.rate_limit} requests/min per key{workers}",
        flush=True,
    )
    if args.workers == 1:
        server = uvicorn.Server(uvicorn.Config(app, log_level="info", lifespan="off"))
        server.run(sockets=[sock])
        return 0
    from uvicorn.supervisors import Multiprocess

    app.state.engine.dispose()  # the workers open their own connections
    os.environ[WORKER_OPTIONS_ENV] = json.dumps({"db_url": db_url, **options})
    config = uvicorn.Config(
        f"{__name__}:worker_app",
        factory=True,
        workers=args.workers,
        log_level="info",
        lifespan="off",
    )
    Multiprocess(config, sockets=[sock]).run()
    return 0


def worker_app() -> Any:
    """The app in a worker process of ``serve --workers N`` (the parent migrated already)."""
    from deepworkzone.server.app import create_app

    options = json.loads(os.environ[WORKER_OPTIONS_ENV])
    return create_app(options.pop("db_url"), migrate_schema=False, **options)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it; without it Nagle + delayed ACK add 40 ms per request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {exc}") from None
    return sock
