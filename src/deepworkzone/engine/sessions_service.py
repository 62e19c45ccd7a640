"""Sessions for every front end: local-only or through a server, behind one interface.

Answers are domain models (``Session``) with the raw JSON beside them for ``--json``; what a
backend can do is declared in ``capabilities``, never guessed. Each call opens its own
database connection, so the service can be used from any thread (the app's worker pool, the
agent's timer thread) at once.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import functools
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.domain.models import Session, SessionCreate, SessionUpdate
from deepworkzone.engine.errors import EngineError, ServiceFailed
from deepworkzone.engine.session_rules import check_categories, check_new_session
from deepworkzone.store.filters import SessionFilter

log = logging.getLogger(__name__)

# Interactive front ends: fewer, shorter retries than a background sync.
INTERACTIVE_RETRIES = 2
INTERACTIVE_TIMEOUT = 10.0

REMOTE = "remote"
JOIN = "join"
COMPLETE = "complete"
SYNC = "sync"

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "Edit",
    "Listing",
    "SessionFilter",
    "SessionsService",
    "check_categories",
    "check_new_session",
    "open_sessions",
    "validation_message",
]


def validation_message(exc: ValueError) -> str:
    """A pydantic error as one readable line."""
    from deepworkzone.store.local_sessions import validation_message as message

    return message(exc)


@dataclass(frozen=True)
class Listing:
    sessions: list[Session]
    raw: list[dict[str, Any]]
    from_cache: bool = False
    stale_since: dt.datetime | None = None


@dataclass(frozen=True)
class Edit:
    """One session as the store or server answered; ``queued``: not on the server yet."""

    session: Session | None
    raw: dict[str, Any] | None
    queued: bool = False
    from_cache: bool = False
    stale_since: dt.datetime | None = None


def translated(fn: Callable[P, R]) -> Callable[P, R]:
    """Errors of the layers below become EngineErrors with a code and data."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from deepworkzone.api.errors import ApiError, ServiceFailure, ValidationFailed
        from deepworkzone.store.db import DatabaseError
        from deepworkzone.store.local_sessions import LocalError, LocalNotFound

        try:
            return fn(*args, **kwargs)
        except EngineError:
            raise
        except ValidationFailed as exc:
            raise EngineError("invalid", str(exc), fields=exc.fields) from exc
        except ServiceFailure as exc:
            code = _snake(type(exc).__name__)
            data: dict[str, Any] = {"status": exc.status}
            if getattr(exc, "maybe_sent", False):
                data["maybe_sent"] = True
            raise ServiceFailed(code, str(exc), **data) from exc
        except ApiError as exc:
            raise EngineError(_snake(type(exc).__name__), str(exc), status=exc.status) from exc
        except LocalNotFound as exc:
            raise EngineError("not_found", str(exc)) from exc
        except LocalError as exc:
            raise EngineError("invalid", str(exc)) from exc
        except DatabaseError as exc:
            raise EngineError("database", str(exc)) from exc

    return wrapper


def notifies(fn: Callable[..., Edit]) -> Callable[..., Edit]:
    """After an edit, tell ``on_change`` (the engine re-plans that one session at once)."""

    @functools.wraps(fn)
    def wrapper(self: SessionsService, *args: Any, **kwargs: Any) -> Edit:
        result = fn(self, *args, **kwargs)
        listener = self.on_change
        if listener is not None:
            sid = result.session.id if result.session is not None else None
            if sid is None and args and isinstance(args[0], int):
                sid = args[0]
            try:
                listener(sid, result.session)
            except Exception:
                log.exception("a session change listener failed")
        return result

    return wrapper


def _snake(name: str) -> str:
    out = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    return out


class SessionsService:
    """Local-only mode when ``connection`` is None, else the server with the cache behind."""

    def __init__(
        self,
        connection: Any | None = None,
        *,
        db_path: Path | None = None,
        clock: Clock = SYSTEM_CLOCK,
        retries: int | None = None,
        timeout: float | None = None,
        on_flush: Callable[[Any], None] | None = None,
    ) -> None:
        from deepworkzone.api.config import scope_key

        self.connection = connection
        self.db_path = db_path
        self.clock = clock
        self.retries = INTERACTIVE_RETRIES if retries is None else retries
        self.timeout = INTERACTIVE_TIMEOUT if timeout is None else timeout
        self.on_flush = on_flush
        # (session id, the session as it is now or None when deleted) after every edit.
        self.on_change: Callable[[int | None, Session | None], None] | None = None
        self.scope = scope_key(connection.server_url) if connection else ""
        self.capabilities = (
            frozenset({REMOTE, JOIN, COMPLETE, SYNC}) if connection else frozenset({COMPLETE})
        )

    @property
    def server_url(self) -> str | None:
        return self.connection.server_url if self.connection else None

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    # -- plumbing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        from deepworkzone.store.db import connect

        conn = connect(self.db_path)
        try:
            yield conn
        finally:
            conn.close()

    @contextlib.contextmanager
    def _backend(self) -> Iterator[Any]:
        with self._db() as conn:
            if self.connection is None:
                from deepworkzone.store.local_sessions import LocalSessions

                yield LocalSessions(conn)
                return
            from deepworkzone.api.client import SessionsClient
            from deepworkzone.engine.sync import RemoteSessions

            with SessionsClient(
                self.connection.server_url,
                self.connection.token,
                timeout=self.timeout,
                max_retries=self.retries,
            ) as client:
                yield RemoteSessions(client, conn, self.scope, self.on_flush)

    def _require(self, capability: str, what: str) -> None:
        if capability not in self.capabilities:
            raise EngineError("needs_server", f"{what} needs a server", what=what)

    # -- reads -----------------------------------------------------------------------------

    @translated
    def list(self, flt: SessionFilter | None = None) -> Listing:
        flt = flt or SessionFilter()
        with self._backend() as backend:
            if self.connection is None:
                raws = backend.list(flt)
                return Listing(_models(raws), raws)
            outcome = backend.list(flt)
        return Listing(_models(outcome.raw), outcome.raw, outcome.from_cache, outcome.stale_since)

    @translated
    def get(self, session_id: int) -> Edit:
        with self._backend() as backend:
            if self.connection is None:
                raw = backend.get(session_id)
                return Edit(Session.model_validate(raw), raw)
            outcome = backend.get(session_id)
        return _edit(outcome)

    @translated
    def snapshot(self) -> builtins.list[Session]:
        """Every session known on this machine, without the network (for the scheduler)."""
        from deepworkzone.store.sessions_cache import SessionsCache

        with self._db() as conn:
            return [s for _raw, s in SessionsCache(conn, self.scope).sessions()]

    def each_cached(self) -> Iterator[Session]:
        """Every session known on this machine, one at a time, without the network: what
        ``snapshot`` holds, streamed, so a caller keeping only a few (the scheduler's
        horizon, the app's 8 days) never holds every raw answer and model at once."""
        import json

        from deepworkzone.store.db import DatabaseError, connect

        try:
            conn = connect(self.db_path)
        except DatabaseError as exc:
            raise EngineError("database", str(exc)) from exc
        try:
            rows = conn.execute(
                "SELECT data FROM sessions WHERE scope = ? ORDER BY id", (self.scope,)
            )
            validate = Session.model_validate
            for row in rows:
                try:
                    yield validate(json.loads(row[0]))
                except ValueError:
                    continue  # a row that no longer parses is skipped, as in snapshot()
        finally:
            conn.close()

    # -- edits -----------------------------------------------------------------------------

    @notifies
    @translated
    def create(self, body: SessionCreate) -> Edit:
        check_new_session(body, self.clock.now())
        with self._backend() as backend:
            if self.connection is None:
                raw = backend.create(body)
                return Edit(Session.model_validate(raw), raw)
            return _edit(backend.create(body))

    @notifies
    @translated
    def update(self, session_id: int, changes: SessionUpdate) -> Edit:
        if changes.website_blocker is not None:
            check_categories(changes.website_blocker.category)
        with self._backend() as backend:
            if self.connection is None:
                raw = backend.update(session_id, changes)
                return Edit(Session.model_validate(raw), raw)
            return _edit(backend.update(session_id, changes))

    @notifies
    @translated
    def delete(self, session_id: int, occurrence: dt.date | None = None) -> Edit:
        with self._backend() as backend:
            if self.connection is None:
                backend.delete(session_id, occurrence)
                return Edit(None, None)
            return _edit(backend.delete(session_id, occurrence))

    @notifies
    @translated
    def join(self, session_id: int, date: dt.date | None = None) -> Edit:
        self._require(JOIN, "join")
        with self._backend() as backend:
            return _edit(backend.join(session_id, date))

    @notifies
    @translated
    def leave(self, session_id: int, date: dt.date | None = None) -> Edit:
        self._require(JOIN, "leave")
        with self._backend() as backend:
            return _edit(backend.leave(session_id, date))

    @translated
    def participants(self, session_id: int, date: dt.date | None = None) -> builtins.list[Any]:
        """Who is in a session (``domain.models.Participant``); a server only."""
        self._require(JOIN, "participants")
        with self._backend() as backend:
            return list(backend.client.participants(backend.cache.resolve(session_id), date))

    @translated
    def complete(
        self, session_id: int, date: dt.date | None, focused_minutes: int, *, queue_only: bool
    ) -> None:
        """Record a completed run: the server's participation (through the outbox), or a
        local one-off session's status. ``queue_only``: never wait for the network."""
        with self._backend() as backend:
            if self.connection is None:
                raw = backend.get(session_id)
                if not raw.get("is_recurring"):
                    backend.update(session_id, SessionUpdate(status="completed"))
                return
            if queue_only:
                payload: dict[str, Any] = {"focused_minutes": focused_minutes}
                if date:
                    payload["date"] = date.isoformat()
                backend.outbox.add("complete", backend.cache.resolve(session_id), payload)
                return
            backend.complete(session_id, date, focused_minutes)

    @translated
    def flush(self) -> Any:
        """Send queued edits; the FlushReport of engine.sync."""
        self._require(SYNC, "sync")
        with self._backend() as backend:
            return backend.flush()

    @translated
    def sync(self, *, discard_failed: bool = False) -> dict[str, Any]:
        """Send queued edits, then refresh the cache from the server."""
        self._require(SYNC, "sync")
        from deepworkzone.api.errors import Offline

        with self._backend() as backend:
            report = backend.flush()
            if report.stopped is not None:
                raise report.stopped
            listing = backend.list(SessionFilter())
            if listing.from_cache:
                raise Offline(
                    f"cannot reach {self.server_url}; {backend.outbox.count()} edit(s) still queued"
                )
            dropped = backend.outbox.clear_failed() if discard_failed else 0
        return {
            "sent": report.sent,
            "refused": len(report.failed),
            "cached": len(listing.raw),
            "discarded": dropped,
        }

    def background_sync(self) -> Any:
        """A SyncService for a long-lived process (the agent, the app): one connection per
        thread, background retries, and edits queued on any failure, not only offline."""
        self._require(SYNC, "sync")
        from deepworkzone.api.client import SessionsClient
        from deepworkzone.engine.sync import RemoteSessions
        from deepworkzone.engine.sync_service import SyncService
        from deepworkzone.store.db import ThreadConnections

        connection = self.connection
        assert connection is not None

        def make() -> RemoteSessions:
            client = SessionsClient(connection.server_url, connection.token, timeout=20.0)
            return RemoteSessions(
                client, ThreadConnections(self.db_path), self.scope, queue_on_failure=True
            )

        return SyncService(make, self.clock)

    def store_signature(self) -> tuple[int, str]:
        """Changes when any session of this scope is written, by any process: the agent
        plans again when a front end in another process edits the store."""
        with self._db() as conn:
            row = conn.execute(
                "SELECT COUNT(*), COALESCE(MAX(stored_at), '') FROM sessions WHERE scope = ?",
                (self.scope,),
            ).fetchone()
        return int(row[0]), str(row[1])

    @translated
    def outbox_size(self) -> int:
        if self.connection is None:
            return 0
        from deepworkzone.store.outbox import Outbox

        with self._db() as conn:
            return Outbox(conn, self.scope).count()


def open_sessions(
    *, clock: Clock = SYSTEM_CLOCK, on_flush: Callable[[Any], None] | None = None, **kw: Any
) -> SessionsService:
    """The service for the configured server (or local-only), for an interactive front end."""
    from deepworkzone.api.config import resolve_connection
    from deepworkzone.api.errors import AuthError

    try:
        connection = resolve_connection()
    except AuthError as exc:
        raise EngineError("no_token", str(exc), server=_configured()) from exc
    return SessionsService(connection, clock=clock, on_flush=on_flush, **kw)


def _configured() -> str | None:
    from deepworkzone.api.config import configured_server

    return configured_server()


def _models(raws: list[dict[str, Any]]) -> list[Session]:
    out = []
    for raw in raws:
        try:
            out.append(Session.model_validate(raw))
        except ValueError:
            log.warning("skipping a session that does not parse: id %s", raw.get("id"))
    return out


def _edit(outcome: Any) -> Edit:
    raw = outcome.raw if isinstance(outcome.raw, dict) else None
    session = None
    if raw is not None:
        try:
            session = Session.model_validate(raw)
        except ValueError:
            session = None
    return Edit(session, raw, outcome.queued, outcome.from_cache, outcome.stale_since)
