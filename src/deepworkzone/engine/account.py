"""Signing this machine in to a Sessions API server, and out again.

The token is checked against the server before anything is stored, so a typo or an
unreachable server leaves the settings as they were. Sessions made in local-only mode are
never hidden without a word: signing in offers to upload them, or keeps them for later.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

from deepworkzone.engine.errors import EngineError
from deepworkzone.engine.sessions_service import SessionsService, translated


@dataclass(frozen=True)
class LoginResult:
    server: str
    secret_location: str
    insecure_storage: bool


@dataclass(frozen=True)
class LogoutResult:
    server: str | None
    had_token: bool
    secret_location: str
    overrides: tuple[str, ...]


def normalise_server(server: str) -> str:
    """The server's base URL; EngineError ``bad_url`` for what cannot be one."""
    from deepworkzone.api.transport import api_root

    server = server.strip()
    if not server:
        raise EngineError("no_server", "which server? give its URL")
    try:
        api_root(server)
    except Exception as exc:
        raise EngineError("bad_url", str(exc), url=server) from exc
    return server.rstrip("/").removesuffix("/api/v1")


def default_server() -> str | None:
    from deepworkzone.api.config import configured_server

    return configured_server()


@translated
def login(server: str, token: str) -> LoginResult:
    from deepworkzone.api.client import SessionsClient
    from deepworkzone.api.config import TOKEN_SECRET
    from deepworkzone.core.secrets import InsecureSecretStorageWarning, SecretStore
    from deepworkzone.core.settings import load_settings, save_settings

    server = normalise_server(server)
    token = token.strip()
    if not token:
        raise EngineError("no_token_given", "no API token given")
    with SessionsClient(server, token, timeout=10.0, max_retries=1) as client:
        client.check_token()  # refused (exit 1) or unreachable (exit 2): nothing stored yet
    store = SecretStore()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InsecureSecretStorageWarning)
        try:
            store.set(TOKEN_SECRET, token)
        except Exception as exc:  # a locked or broken keyring: say so, store nothing
            raise EngineError(
                "secret_store", f"cannot store the token in {store.location}: {exc}"
            ) from None
    settings = load_settings()
    settings.server_url = server
    save_settings(settings)
    insecure = any(issubclass(w.category, InsecureSecretStorageWarning) for w in caught)
    return LoginResult(server, str(store.location), insecure)


def logout() -> LogoutResult:
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
    overrides = tuple(name for name in (SERVER_ENV, TOKEN_ENV) if os.environ.get(name))
    return LogoutResult(server, had_token, str(store.location), overrides)


def local_session_count() -> int:
    """Sessions made in local-only mode, still only on this machine."""
    return len(SessionsService(None).snapshot())


@dataclass(frozen=True)
class UploadResult:
    uploaded: int
    queued: int
    failed: tuple[str, ...]


@translated
def upload_local_sessions() -> UploadResult:
    """Hand every local-only session to the configured server, keeping its L-id.

    Each one moves, in one transaction, from the local list to the server's cache as a create
    queued under the same L-id; then the outbox is sent. Offline, they wait there like any
    other edit. Once sent, the L-id still finds the session (it maps to the server's id).
    """
    from deepworkzone.domain.models import SessionCreate
    from deepworkzone.engine.sessions_service import open_sessions
    from deepworkzone.store.db import connect, transaction
    from deepworkzone.store.local_sessions import LOCAL_SCOPE
    from deepworkzone.store.outbox import Outbox
    from deepworkzone.store.sessions_cache import SessionsCache

    remote = open_sessions()
    if not remote.can("remote"):
        raise EngineError("needs_server", "uploading needs a server", what="upload")
    failed: list[str] = []
    moved = 0
    conn = connect(remote.db_path)
    try:
        local = SessionsCache(conn, LOCAL_SCOPE)
        target = SessionsCache(conn, remote.scope)
        outbox = Outbox(conn, remote.scope)
        for raw, session in local.sessions():
            sid = session.id if session.id < 0 else local.new_local_id()
            try:
                body = SessionCreate.model_validate(raw)
            except ValueError as exc:
                failed.append(f"{session.name}: {exc}")
                continue
            with transaction(conn):
                target.put({**raw, "id": sid})
                outbox.add("create", sid, {"body": body.model_dump(mode="json")})
                local.delete(session.id)
            moved += 1
    finally:
        conn.close()
    report = remote.flush() if moved else None
    queued = report.remaining if report is not None else 0
    return UploadResult(moved - queued, queued, tuple(failed))
