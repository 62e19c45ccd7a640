"""Where `sessions` commands get their sessions: the local store, or the server behind it."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from typing import Any, Protocol

from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.store.filters import SessionFilter

# A CLI run is interactive: fewer, shorter retries than the GUI's background sync.
CLI_RETRIES = 2
CLI_TIMEOUT = 10.0


class Backend(Protocol):
    def list(self, flt: SessionFilter) -> Any: ...
    def get(self, session_id: int) -> Any: ...
    def create(self, body: SessionCreate) -> Any: ...
    def update(self, session_id: int, changes: SessionUpdate) -> Any: ...
    def delete(self, session_id: int, occurrence: dt.date | None = None) -> Any: ...


class LocalBackend:
    """Local-only mode, answering in the same shape as the remote one."""

    def __init__(self, conn: Any) -> None:
        from deepworkzone.store.local_sessions import LocalSessions

        self.store = LocalSessions(conn)

    def list(self, flt: SessionFilter) -> Any:
        return _Outcome(self.store.list(flt))

    def get(self, session_id: int) -> Any:
        return _Outcome(self.store.get(session_id))

    def create(self, body: SessionCreate) -> Any:
        return _Outcome(self.store.create(body))

    def update(self, session_id: int, changes: SessionUpdate) -> Any:
        return _Outcome(self.store.update(session_id, changes))

    def delete(self, session_id: int, occurrence: dt.date | None = None) -> Any:
        self.store.delete(session_id, occurrence)
        return _Outcome(None)


class _Outcome:
    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.queued = False
        self.from_cache = False
        self.stale_since = None


def report_flush(report: Any, stuck: bool = True) -> None:
    from deepworkzone.cli.output import format_id

    if report.sent:
        print(f"sync: sent {report.sent} queued edit(s) to the server", file=sys.stderr)
    for entry, error in report.failed:
        target = f" of session {format_id(entry.session_id)}" if entry.session_id else ""
        print(f"sync: the server refused the queued {entry.op}{target}: {error}", file=sys.stderr)
    if stuck and report.stopped is not None and not report.offline:
        # Reachable but failing (5xx, 429): say why the queue is stuck, or nobody will know.
        print(f"sync: {report.remaining} edit(s) still queued: {report.stopped}", file=sys.stderr)


@contextlib.contextmanager
def open_backend() -> Iterator[Backend]:
    from deepworkzone.api.client import SessionsClient
    from deepworkzone.api.config import resolve_connection, scope_key
    from deepworkzone.engine.sync import RemoteSessions
    from deepworkzone.store.db import connect

    connection = resolve_connection()
    conn = connect()
    try:
        if connection is None:
            yield LocalBackend(conn)
            return
        with SessionsClient(
            connection.server_url, connection.token, timeout=CLI_TIMEOUT, max_retries=CLI_RETRIES
        ) as client:
            yield RemoteSessions(client, conn, scope_key(connection.server_url), report_flush)
    finally:
        conn.close()
