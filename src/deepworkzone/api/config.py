"""Which server and token to use: the environment first, then settings and the secret store."""

from __future__ import annotations

import os
from dataclasses import dataclass

from deepworkzone.api.errors import AuthError
from deepworkzone.core.secrets import SecretStore
from deepworkzone.core.settings import load_settings

SERVER_ENV = "DEEPWORKZONE_SERVER"
TOKEN_ENV = "DEEPWORKZONE_TOKEN"
TOKEN_SECRET = "api_token"
NO_TOKEN = "no_token"
"""Stable code of "a server is configured but no token": ``data["server"]`` is its URL."""


@dataclass(frozen=True)
class Connection:
    server_url: str
    token: str

    def __repr__(self) -> str:  # never show the token, even in a debugger or a log line
        return f"Connection(server_url={self.server_url!r})"


def configured_server() -> str | None:
    """The server URL in use, or None for local-only mode (the default)."""
    env = os.environ.get(SERVER_ENV, "").strip()
    if env:
        return env
    return load_settings().server_url or None


def resolve_connection() -> Connection | None:
    """None when no server is configured; AuthError when there is one but no token."""
    server = configured_server()
    if server is None:
        return None
    token = os.environ.get(TOKEN_ENV, "").strip() or SecretStore().get(TOKEN_SECRET)
    if not token:
        missing = AuthError(f"no API token for {server}")
        # What to do (sign in, or set the token variable) is each front end's to say.
        missing.__dict__.update(code=NO_TOKEN, data={"server": server})
        raise missing
    return Connection(server, token)


def scope_key(server_url: str | None) -> str:
    """The key the local store files a server's data under ('' for local-only sessions)."""
    if not server_url:
        return ""
    return server_url.strip().rstrip("/").removesuffix("/api/v1").lower()
