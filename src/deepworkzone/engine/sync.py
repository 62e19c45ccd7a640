"""Sessions through the server, with the local cache and outbox behind it (offline first).

Every operation first sends what the outbox holds, oldest first, so edits reach the server in
the order they were made. Reads refresh the cache; when the server is unreachable they answer
from the cache, marked stale. Edits made while unreachable are applied to the cache and queued;
a queued create gets a temporary (negative) id that is mapped to the server's id once sent.

Safe across processes and threads (see store/outbox.py): an entry is claimed before it is
sent, its bookkeeping (cache, id map, later entries, removal) is one transaction, every POST
carries the entry's Idempotency-Key, and every queued PUT its If-Match. A PUT refused with 412
is rebased on the server's version (``rebase``): our fields go through where the server left
them as they were; a field both sides changed differently is a conflict, kept with both
versions (``ConflictRecord``) on the entry, which is marked failed, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deepworkzone.api.client import ListSnapshot, SessionsClient
from deepworkzone.api.conflicts import ConflictRecord, EditConflict, put_rebased
from deepworkzone.api.errors import (
    ApiError,
    NotFound,
    Offline,
    ServerError,
    ServiceFailure,
)
from deepworkzone.domain.ids import display_id
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.store.db import Connectable, connection_of, transaction
from deepworkzone.store.filters import SessionFilter
from deepworkzone.store.local_sessions import (
    LocalError,
    filtered,
    new_session,
    updated,
    validation_message,
    without_occurrence,
)
from deepworkzone.store.outbox import DEFAULT_LEASE, Entry, Op, Outbox, OutboxBusy, new_owner
from deepworkzone.store.sessions_cache import SessionsCache

log = logging.getLogger(__name__)

CLOCK_SKEW = dt.timedelta(minutes=5)


class _SendConflict(Exception):
    def __init__(self, record: ConflictRecord, apply: Callable[[], None]) -> None:
        super().__init__(record.message())
        self.record = record
        self.apply = apply


@dataclass
class FlushReport:
    sent: int = 0
    failed: list[tuple[Entry, str]] = field(default_factory=list)
    remaining: int = 0
    stopped: ApiError | None = None  # why sending stopped early (offline, 5xx, 429)
    busy: bool = False  # another process or thread is sending the oldest entry
    conflicts: list[ConflictRecord] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return isinstance(self.stopped, Offline)


@dataclass
class Outcome:
    """What an edit or read produced. ``queued``: only local so far; ``stale_since``: answered
    from the cache because the server was unreachable (None = never refreshed)."""

    raw: Any = None
    queued: bool = False
    from_cache: bool = False
    stale_since: datetime | None = None


class RemoteSessions:
    """``RemoteSessions(client, conn, scope, on_flush=None, *, queue_on_failure=False,
    lease=120.0)``; ``conn`` is a connection or a ``ThreadConnections`` (then one instance
    may be used from several threads).

    ``queue_on_failure``: an edit the server fails to take now for any reason of its own (5xx,
    429, a lost answer) is queued instead of raised (the GUI and the agent want that; the
    CLI, which reports failures at once, does not).
    """

    def __init__(
        self,
        client: SessionsClient,
        conn: Connectable,
        scope: str,
        on_flush: Callable[[FlushReport], None] | None = None,
        *,
        queue_on_failure: bool = False,
        lease: float = DEFAULT_LEASE,
    ) -> None:
        self.client = client
        self._conn = conn
        self.cache = SessionsCache(conn, scope)
        self.outbox = Outbox(conn, scope, lease=lease)
        self.on_flush = on_flush
        self.queue_on_failure = queue_on_failure
        self.last_flush = FlushReport()
        self._owner = new_owner()

    @property
    def conn(self) -> sqlite3.Connection:
        return connection_of(self._conn)

    @property
    def owner(self) -> str:
        """Who claims outbox entries: this instance on this thread."""
        return f"{self._owner}:{threading.get_ident()}"

    # -- the outbox ------------------------------------------------------------------------

    def flush(self) -> FlushReport:
        """Send queued edits in order; stop at the first one the server cannot take now, or
        that another process or thread is sending (``busy``)."""
        report = FlushReport()
        owner = self.owner
        while True:
            try:
                entry = self.outbox.claim_next(owner)
            except OutboxBusy:
                report.busy = True
                break
            if entry is None:
                break
            try:
                apply = self._send(entry)
            except ServiceFailure as exc:  # offline, 5xx, 429: try again later, in order
                self.outbox.attempt_failed(entry.seq, _tag(entry, exc))
                report.stopped = exc
                break
            except _SendConflict as exc:
                record = ConflictRecord(**{**exc.record.__dict__, "seq": entry.seq})
                with transaction(self.conn):
                    exc.apply()
                    self.outbox.give_up(entry.seq, record.message(), record.as_dict())
                    self.cache.set_list_etag(None)
                report.conflicts.append(record)
                report.failed.append((entry, record.message()))
            except ApiError as exc:  # the server refused it for good: keep it, move on
                with transaction(self.conn):
                    self.outbox.give_up(entry.seq, str(exc))
                    self.cache.set_list_etag(None)  # the cache may hold what never happened
                    report.failed.append((entry, str(exc)))
                    if entry.op == "create" and entry.session_id is not None:
                        for moot in self.outbox.give_up_on_session(entry.session_id, str(exc)):
                            report.failed.append((moot, "its session was never created"))
                        self.cache.delete(entry.session_id)
            except BaseException:
                self.outbox.release(entry.seq, owner)
                raise
            else:
                # One transaction: a crash leaves the entry either queued (and sent again,
                # harmlessly) or done with all its bookkeeping.
                with transaction(self.conn):
                    if self.outbox.exists(entry.seq):  # else another claimer finished it
                        apply()
                        self.outbox.done(entry.seq)
                report.sent += 1
        report.remaining = self.outbox.count()
        self.last_flush = report
        if self.on_flush and (report.sent or report.failed or report.stopped):
            self.on_flush(report)
        return report

    def _send(self, entry: Entry) -> Callable[[], None]:
        """Send one entry; answer its bookkeeping, to run in the transaction that ends it."""
        sid = self.cache.resolve(entry.session_id) if entry.session_id is not None else 0
        data = entry.payload
        key = entry.idem_key
        if entry.op == "create":
            raw, etag = (None, None) if key else (self._already_created(entry), None)
            if raw is None:
                raw, etag = self.client.create_session_versioned_json(
                    data["body"], idempotency_key=key
                )
            created = raw

            def mapped() -> None:
                self.cache.map_id(sid, int(created["id"]), created, etag)
                self.outbox.remap(sid, int(created["id"]))
                # Later PUTs of it were made on what we created: the version just answered.
                self.outbox.rebase_etag(int(created["id"]), entry.seq, etag)

            return mapped
        if entry.op == "update":
            result = put_rebased(
                self.client, sid, data["changes"], data.get("base"), data.get("base_etag")
            )

            def updated_() -> None:
                self.cache.put(result.raw, result.etag)
                later = None if result.rebased or result.conflict else result.etag
                self.outbox.rebase_etag(sid, entry.seq, later)

            if result.conflict is not None:
                raise _SendConflict(result.conflict, updated_)
            return updated_
        if entry.op == "delete":
            day = _date(data.get("occurrence"))
            try:
                self.client.delete_session(sid, day)
            except NotFound:
                if day is not None:
                    raise
            return (lambda: None) if day is not None else (lambda: self._forget(sid))
        if entry.op == "join":
            self.client.join(sid, _date(data.get("date")), idempotency_key=key)
        elif entry.op == "leave":
            self.client.leave(sid, _date(data.get("date")), idempotency_key=key)
        elif entry.op == "complete":
            self.client.complete(
                sid, _date(data.get("date")), data.get("focused_minutes"), idempotency_key=key
            )
        return lambda: None

    def _forget(self, sid: int) -> None:
        self.cache.delete(sid)

    def _already_created(self, entry: Entry) -> dict[str, Any] | None:
        """After a create whose answer was lost, find it on the server instead of doubling it:
        same name, day, time and length, made by us since the edit was queued (give or take
        clock skew). Only for entries queued before Idempotency-Keys (no ``idem_key``)."""
        if not (entry.last_error or "").startswith("maybe-sent"):
            return None
        body = SessionCreate.model_validate(entry.payload["body"])
        queued_at = datetime.fromisoformat(entry.created_at.replace("Z", "+00:00"))
        page = self.client.list_page(keyword=body.name, date=body.schedule, source="user")
        for raw, s in zip(page.raw, page.items, strict=True):
            same = (s.name, s.time, s.duration) == (body.name, body.time, body.duration)
            if same and s.created_at and s.created_at >= queued_at - CLOCK_SKEW:
                return raw
        return None

    def pull(self) -> ListSnapshot:
        """Refresh the whole cache from the server, conditionally: while nothing changed for
        us since the last pull, this is one request answered 304. Rows with edits still
        queued keep the local version."""
        snapshot = self.client.list_snapshot(if_none_match=self.cache.list_etag())
        with transaction(self.conn):
            if snapshot.not_modified:
                self.cache.touch_refreshed()
            else:
                keep = self.outbox.pending_session_ids()
                self.cache.put_many(snapshot.raw, replace_all=True, keep=keep)
                self.cache.set_list_etag(snapshot.etag)
        return snapshot

    def conflicts(self) -> list[ConflictRecord]:
        """Queued PUTs that conflicted, oldest first (kept until resolved)."""
        return [
            ConflictRecord.from_dict({**e.conflict, "seq": e.seq})
            for e in self.outbox.conflicts()
            if e.conflict is not None
        ]

    def resolve_conflict(self, seq: int, keep: str) -> None:
        """``keep="theirs"``: forget our change; ``"ours"``: queue our conflicting fields
        again, on top of the server's version the conflict saw (a newer change of theirs is
        again a conflict)."""
        entry = self.outbox.get(seq)
        if entry is None or entry.conflict is None:
            raise LocalError(f"no conflict #{seq} in the outbox")
        if keep == "theirs":
            self.outbox.discard(seq)
            return
        if keep != "ours":
            raise ValueError("keep must be 'ours' or 'theirs'")
        record = ConflictRecord.from_dict(entry.conflict)
        payload = {
            "changes": {name: v["ours"] for name, v in record.fields.items()},
            "base": record.theirs,
            "base_etag": record.theirs_etag,
        }
        self.outbox.retry(seq, payload)

    # -- reads -----------------------------------------------------------------------------

    def list(self, flt: SessionFilter) -> Outcome:
        if not self.flush().offline:
            try:
                raws = [r for p in self.client.iter_pages(flt.as_params()) for r in p.raw]
            except Offline:
                pass
            else:
                keep = self.outbox.pending_session_ids()
                self.cache.put_many(raws, replace_all=flt.is_empty, keep=keep)
                return Outcome(raws)
        rows = filtered(self.cache.sessions(), flt)
        return Outcome(rows, from_cache=True, stale_since=self.cache.refreshed_at())

    def get(self, session_id: int) -> Outcome:
        report = self.flush()
        sid = self.cache.resolve(session_id)
        if sid < 0:  # a create still queued: only this machine knows it
            cached = self.cache.get(sid)
            if cached is None:
                raise NotFound(f"session {display_id(sid)} not found")
            return Outcome(cached, queued=True)
        if not report.offline:
            try:
                raw, etag = self.client.get_session_versioned_json(sid)
            except Offline:
                pass
            except NotFound:
                self.cache.delete(sid)
                raise
            else:
                if sid not in self.outbox.pending_session_ids():
                    self.cache.put(raw, etag)
                return Outcome(raw)
        cached = self.cache.get(sid)
        if cached is None:
            raise Offline(f"the server is unreachable and session {sid} is not cached")
        return Outcome(cached, from_cache=True, stale_since=self.cache.refreshed_at())

    # -- edits -----------------------------------------------------------------------------

    def create(self, body: SessionCreate) -> Outcome:
        # One key for every try, online or queued: the server never creates it twice.
        key = str(uuid.uuid4())

        def online(sid: int) -> dict[str, Any]:
            raw, etag = self.client.create_session_versioned_json(body, idempotency_key=key)
            self.cache.put(raw, etag)
            return raw

        return self._edit(
            "create",
            None,
            {"body": body.model_dump(mode="json")},
            online,
            lambda temp: new_session(body, temp),
            idem_key=key,
        )

    def update(self, session_id: int, changes: SessionUpdate) -> Outcome:
        """Online: sent with the cached row's ETag, if any, and rebased on a 412 (an
        EditConflict is raised for fields someone else changed meanwhile, after the rest
        was sent). Queued: the cached row is kept as the base the change was made on."""
        wanted = changes.model_dump(mode="json", exclude_unset=True)

        def online(sid: int) -> dict[str, Any]:
            etag = self.cache.etag(sid)
            base = self.cache.get(sid) if etag else None
            result = put_rebased(self.client, sid, wanted, base, etag)
            self.cache.put(result.raw, result.etag)
            if result.conflict is not None:
                raise EditConflict(result.conflict)
            return result.raw

        def offline(sid: int) -> dict[str, Any] | None:
            cached = self.cache.get(sid)
            return updated(cached, changes) if cached else None

        def payload(sid: int) -> dict[str, Any]:
            return {
                "changes": wanted,
                "base": self.cache.get(sid),
                "base_etag": self.cache.etag(sid),
            }

        return self._edit("update", session_id, payload, online, offline)

    def delete(self, session_id: int, occurrence: dt.date | None = None) -> Outcome:
        def online(sid: int) -> None:
            self.client.delete_session(sid, occurrence)
            if occurrence is None:
                self.cache.delete(sid)

        def offline(sid: int) -> dict[str, Any] | None:
            cached = self.cache.get(sid)
            if occurrence is None:
                self.cache.delete(sid)
                return None
            return without_occurrence(cached, occurrence) if cached else None

        day = {"occurrence": occurrence.isoformat()} if occurrence else {}
        return self._edit("delete", session_id, day, online, offline)

    def join(self, session_id: int, date: dt.date | None = None) -> Outcome:
        payload = {"date": date.isoformat()} if date else {}
        return self._edit(
            "join", session_id, payload, lambda sid: self.client.join(sid, date), None
        )

    def leave(self, session_id: int, date: dt.date | None = None) -> Outcome:
        payload = {"date": date.isoformat()} if date else {}
        return self._edit(
            "leave", session_id, payload, lambda sid: self.client.leave(sid, date), None
        )

    def complete(
        self, session_id: int, date: dt.date | None = None, focused_minutes: int | None = None
    ) -> Outcome:
        payload: dict[str, Any] = {"focused_minutes": focused_minutes}
        if date:
            payload["date"] = date.isoformat()
        return self._edit(
            "complete",
            session_id,
            payload,
            lambda sid: self.client.complete(sid, date, focused_minutes),
            None,
        )

    def _edit(
        self,
        op: Op,
        session_id: int | None,
        payload: dict[str, Any] | Callable[[int], dict[str, Any]],
        online: Callable[[int], Any],
        offline: Callable[[int], dict[str, Any] | None] | None,
        *,
        idem_key: str | None = None,
    ) -> Outcome:
        report = self.flush()
        sid = self.cache.resolve(session_id) if session_id is not None else 0
        if sid < 0 and self.cache.get(sid) is None:
            # A temporary id names only a create still queued here; nothing else can match it.
            raise NotFound(f"session {display_id(sid)} not found")
        # Behind queued edits, or on a session the server does not know yet: queue, in order.
        if not report.remaining and not report.busy and sid >= 0:
            try:
                raw = online(sid)
            except ServiceFailure as exc:
                if not self.queue_on_failure:
                    if not isinstance(exc, Offline):
                        raise
                    if exc.maybe_sent and op == "create":
                        raise Offline(
                            f"{exc}; the session may have been created: list the sessions to check",
                            maybe_sent=True,
                        ) from None
                # else: queued below; a create keeps its Idempotency-Key, so a lost answer
                # is answered again when the queue is sent, never created twice.
            else:
                if isinstance(raw, dict) and "id" in raw:
                    self.cache.put(raw)
                return Outcome(raw)
        body = payload(sid) if callable(payload) else payload
        if op == "create":
            sid = self.cache.new_temporary_id()
        try:
            local = offline(sid) if offline else None
        except ValueError as exc:  # the edit is invalid for the cached session
            raise LocalError(validation_message(exc)) from None
        with transaction(self.conn):
            if local is not None:
                self.cache.put(local)
            self.outbox.add(op, sid, body, idem_key=idem_key)
        log.info("queued %s of session %s for the server", op, sid)
        return Outcome(local, queued=True)


def _tag(entry: Entry, exc: ApiError) -> str:
    """The error to keep; "maybe-sent" makes the next try of a create look for it first."""
    lost = isinstance(exc, Offline) and exc.maybe_sent
    # A 5xx may come after the row was written: for a create, as uncertain as a lost answer.
    if lost or (entry.op == "create" and isinstance(exc, ServerError)):
        return f"maybe-sent: {exc}"
    return str(exc)


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
