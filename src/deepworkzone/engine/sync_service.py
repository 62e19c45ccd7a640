"""The sync service: push the outbox in order, then pull the whole list, conditionally.

``SyncService(remote, clock)``: ``remote`` is a ``RemoteSessions`` or a function making one
(called once, on the first sync). ``sync_once()`` answers a ``SyncState`` and is safe to call
from any thread, the agent's timer thread included: calls are serialised here, and the store
below is shared safely when the remote is built on a ``store.db.ThreadConnections``.

One sync:

1. push: ``RemoteSessions.flush()`` sends the outbox oldest first, each entry claimed so no
   other process sends it too (store/outbox.py);
2. pull, only if the push got through: every page of ``GET /sessions`` as one version, with
   ``If-None-Match`` on the ETag of the last listing, so while nothing changed for us the
   whole pull is one request answered ``304`` (``RemoteSessions.pull``).

``SyncState.online`` is False only when the server could not be reached; ``offline_since``
is when that began (the clock's time at the first failed sync), kept until a sync gets
through. A server that answers but fails (5xx, 429) is online with an ``error``. Queued PUTs
that met someone else's change are in ``conflicts`` (``ConflictRecord.as_dict()``) until
resolved with ``RemoteSessions.resolve_conflict``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from deepworkzone.api.errors import ApiError, Offline
from deepworkzone.domain.clock import SYSTEM_CLOCK, Clock
from deepworkzone.engine.events import SyncState
from deepworkzone.engine.sync import FlushReport, RemoteSessions

log = logging.getLogger(__name__)

RemoteFactory = Callable[[], RemoteSessions]


class SyncService:
    def __init__(
        self,
        remote: RemoteSessions | RemoteFactory,
        clock: Clock = SYSTEM_CLOCK,
        *,
        on_state: Callable[[SyncState], None] | None = None,
    ) -> None:
        self._remote = remote if isinstance(remote, RemoteSessions) else None
        self._factory = None if isinstance(remote, RemoteSessions) else remote
        self.clock = clock
        self.on_state = on_state
        self._lock = threading.Lock()
        self._offline_since: datetime | None = None
        self._state = SyncState(online=False)
        self.last_flush: FlushReport | None = None

    @property
    def remote(self) -> RemoteSessions:
        if self._remote is None:
            assert self._factory is not None
            self._remote = self._factory()
        return self._remote

    def close(self) -> None:
        """Close the HTTP client and the per-thread database connections (idempotent)."""
        with self._lock:
            remote, self._remote = self._remote, None
        if remote is None:
            return
        remote.client.close()
        close = getattr(remote._conn, "close", None)  # a ThreadConnections, or a connection
        if close is not None:
            close()

    @property
    def state(self) -> SyncState:
        """What the last sync found (``online=False`` before the first one)."""
        return self._state

    def sync_once(self) -> SyncState:
        """Push, then pull; never raises for a server or network failure (see ``error``)."""
        with self._lock:
            state = self._sync()
            self._state = state
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("a sync state listener failed")
        return state

    def _sync(self) -> SyncState:
        remote = self.remote
        error: str | None = None
        try:
            report = remote.flush()
            self.last_flush = report
            if report.stopped is not None:
                raise report.stopped
            remote.pull()
        except Offline as exc:
            if self._offline_since is None:
                self._offline_since = self.clock.now()
            log.info("sync: offline (%s)", exc)
            return self._with_outbox(False, str(exc))
        except ApiError as exc:  # reachable, but failing or refusing (5xx, 429, 401...)
            error = str(exc)
            log.warning("sync: %s", exc)
        else:
            if report.failed:  # kept in the outbox as failed, and conflicts in the state
                error = f"{len(report.failed)} queued edit(s) refused: {report.failed[0][1]}"
        self._offline_since = None
        return self._with_outbox(True, error)

    def _with_outbox(self, online: bool, error: str | None) -> SyncState:
        remote = self.remote
        return SyncState(
            online=online,
            offline_since=None if online else self._offline_since,
            outbox=remote.outbox.count(),
            conflicts=tuple(c.as_dict() for c in remote.conflicts()),
            error=error,
        )
