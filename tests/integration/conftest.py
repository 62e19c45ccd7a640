"""A real Sessions API server on loopback for integration tests.

Fixtures:
- ``live_server``: a fresh server per test, with its own SQLite file under tmp_path, uvicorn in
  a background thread on a free 127.0.0.1 port (starts in ~0.1 s). ``.url`` (no API prefix),
  ``.api_url`` (``.url + "/api/v1"``), ``.db_url``, ``.create_user(email, org="acme",
  role="USER") -> token`` (the code path of ``deepworkzone admin create-user``),
  ``.user_id(email)``, ``.client(token) -> httpx.Client`` on /api/v1 (closed after the test).
- ``live_server_factory(**create_app_options)``: more servers, e.g.
  ``live_server_factory(rate_limit_per_minute=5)``, or ``db_url=other.db_url`` for a second
  server on the same database (a restart, or two processes).
- ``session_body(**overrides)``: the seed's create example (without org_id) with overrides;
  ``SEED_SESSION`` is the example verbatim.
"""

from __future__ import annotations

import copy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from deepworkzone.server.openapi import SEED_CREATE_EXAMPLE


@dataclass
class LiveServer:
    url: str
    """Base URL without the API prefix, e.g. http://127.0.0.1:43125"""
    db_url: str
    app: Any
    _clients: list[httpx.Client] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return self.url + "/api/v1"

    def create_user(self, email: str, org: str = "acme", role: str = "USER") -> str:
        """Create the org and user as needed and return a new API token for them."""
        from deepworkzone.server.accounts import ensure_user, issue_key

        with self.app.state.sessions() as db:
            user = ensure_user(db, email, org)
            issued = issue_key(db, user, f"test key for {email}", role)
            db.commit()
            return issued.token

    def user_id(self, email: str) -> int:
        from sqlalchemy import select

        from deepworkzone.server.orm import User

        with self.app.state.sessions() as db:
            found = db.scalar(select(User.id).where(User.email == email.lower()))
            assert found is not None, f"no user {email}"
            return found

    def client(self, token: str | None = None) -> httpx.Client:
        """An httpx client on /api/v1 (relative paths like "/sessions"), closed after the test."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.api_url, headers=headers, timeout=10)
        self._clients.append(client)
        return client

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()


class _ServerThread:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it; without it Nagle + delayed ACK add 40 ms per request.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.005)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


LiveServerFactory = Callable[..., LiveServer]


@pytest.fixture
def live_server_factory(tmp_path: Path) -> Iterator[LiveServerFactory]:
    """Start servers with create_app's keyword arguments, each on a fresh SQLite file unless
    given ``db_url`` (e.g. a second server on the first one's database)."""
    from deepworkzone.server.app import create_app

    started: list[tuple[LiveServer, _ServerThread]] = []

    def start(db_url: str | None = None, **options: Any) -> LiveServer:
        """A new server; ``db_url`` shares another one's database (default: a fresh file)."""
        if db_url is None:
            db_url = f"sqlite:///{tmp_path / f'server-{len(started)}.db'}"
        app = create_app(db_url, **options)
        thread = _ServerThread(app)
        thread.start()
        server = LiveServer(url=f"http://127.0.0.1:{thread.port}", db_url=db_url, app=app)
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.close_clients()
        thread.stop()
        server.app.state.engine.dispose()


@pytest.fixture
def live_server(live_server_factory: LiveServerFactory) -> LiveServer:
    """A fresh server with the default rate limit."""
    return live_server_factory()


# The create example of shared/seeds/000_*.txt, verbatim: the OpenAPI document's example.
SEED_SESSION: dict[str, Any] = copy.deepcopy(SEED_CREATE_EXAMPLE)


@pytest.fixture
def session_body() -> Callable[..., dict[str, Any]]:
    """``session_body(name="x", is_public=False)``: the seed's create example without org_id
    (the server defaults it to the caller's org), with overrides."""

    def make(**overrides: Any) -> dict[str, Any]:
        body = {k: v for k, v in SEED_SESSION.items() if k != "org_id"}
        body.update(overrides)
        return body

    return make
