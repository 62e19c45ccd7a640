"""Sessions through the server, with the local cache and outbox behind it (offline first).

Every operation first sends what the outbox holds, oldest first, so edits reach the server in
the order they were made. Reads refresh the cache; when the server is unreachable they answer
from the cache, marked stale. Edits made while unreachable are applied to the cache and queued;
a queued create gets a temporary (negative) id that is mapped to the server's id once sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import ApiError, NotFound, Offline, ServerError, ServiceFailure
from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.store.filters import SessionFilter
from deepworkzone.store.local_sessions import (
    LocalError,
    filtered,
    new_session,
    updated,
    validation_message,
    without_occurrence,
)
from deepworkzone.store.outbox import Entry, Op, Outbox
from deepworkzone.store.sessions_cache import SessionsCache, display_id

log = logging.getLogger(__name__)

CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass
class FlushReport:
    sent: int = 0
    failed: list[tuple[Entry, str]] = field(default_factory=list)
    remaining: int = 0
    stopped: ApiError | None = None  # why sending stopped early (offline, 5xx, 429)

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
    def __init__(
        self,
        client: SessionsClient,
        conn: sqlite3.Connection,
        scope: str,
        on_flush: Callable[[FlushReport], None] | None = None,
    ) -> None:
        self.client = client
        self.cache = SessionsCache(conn, scope)
        self.outbox = Outbox(conn, scope)
        self.on_flush = on_flush
        self.last_flush = FlushReport()

    # -- the outbox ------------------------------------------------------------------------

    def flush(self) -> FlushReport:
        """Send queued edits in order; stop at the first one the server cannot take now."""
        report = FlushReport()
        while (entry := self.outbox.first()) is not None:
            try:
                self._send(entry)
            except ServiceFailure as exc:  # offline, 5xx, 429: try again later, in order
                self.outbox.attempt_failed(entry.seq, _tag(entry, exc))
                report.stopped = exc
                break
            except ApiError as exc:  # the server refused it for good: keep it, move on
                self.outbox.give_up(entry.seq, str(exc))
                report.failed.append((entry, str(exc)))
                if entry.op == "create" and entry.session_id is not None:
                    for moot in self.outbox.give_up_on_session(entry.session_id, str(exc)):
                        report.failed.append((moot, "its session was never created"))
                    self.cache.delete(entry.session_id)
            else:
                self.outbox.done(entry.seq)
                report.sent += 1
        report.remaining = self.outbox.count()
        self.last_flush = report
        if self.on_flush and (report.sent or report.failed or report.stopped):
            self.on_flush(report)
        return report

    def _send(self, entry: Entry) -> None:
        sid = self.cache.resolve(entry.session_id) if entry.session_id is not None else 0
        data = entry.payload
        if entry.op == "create":
            raw = self._already_created(entry) or self.client.create_session_json(data["body"])
            self.cache.map_id(sid, int(raw["id"]), raw)
            self.outbox.remap(sid, int(raw["id"]))
        elif entry.op == "update":
            self.cache.put(self.client.update_session_json(sid, data["changes"]))
        elif entry.op == "delete":
            day = _date(data.get("occurrence"))
            try:
                self.client.delete_session(sid, day)
            except NotFound:
                if day is not None:
                    raise
            if day is None:
                self.cache.delete(sid)
        elif entry.op == "join":
            self.client.join(sid, _date(data.get("date")))
        elif entry.op == "leave":
            self.client.leave(sid, _date(data.get("date")))
        elif entry.op == "complete":
            self.client.complete(sid, _date(data.get("date")), data.get("focused_minutes"))

    def _already_created(self, entry: Entry) -> dict[str, Any] | None:
        """After a create whose answer was lost, find it on the server instead of doubling it:
        same name, day, time and length, made by us since the edit was queued (give or take
        clock skew)."""
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

    # -- reads -----------------------------------------------------------------------------

    def list(self, flt: SessionFilter) -> Outcome:
        if not self.flush().offline:
            try:
                raws = [r for p in self.client.iter_pages(flt.as_params()) for r in p.raw]
            except Offline:
                pass
            else:
                self.cache.put_many(raws, replace_all=flt.is_empty)
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
                raw = self.client.get_session_json(sid)
            except Offline:
                pass
            except NotFound:
                self.cache.delete(sid)
                raise
            else:
                self.cache.put(raw)
                return Outcome(raw)
        cached = self.cache.get(sid)
        if cached is None:
            raise Offline(f"the server is unreachable and session {sid} is not cached")
        return Outcome(cached, from_cache=True, stale_since=self.cache.refreshed_at())

    # -- edits -----------------------------------------------------------------------------

    def create(self, body: SessionCreate) -> Outcome:
        return self._edit(
            "create",
            None,
            {"body": body.model_dump(mode="json")},
            lambda sid: self.client.create_session_json(body),
            lambda temp: new_session(body, temp),
        )

    def update(self, session_id: int, changes: SessionUpdate) -> Outcome:
        def offline(sid: int) -> dict[str, Any] | None:
            cached = self.cache.get(sid)
            return updated(cached, changes) if cached else None

        return self._edit(
            "update",
            session_id,
            {"changes": changes.model_dump(mode="json", exclude_unset=True)},
            lambda sid: self.client.update_session_json(sid, changes),
            offline,
        )

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
        payload: dict[str, Any],
        online: Callable[[int], Any],
        offline: Callable[[int], dict[str, Any] | None] | None,
    ) -> Outcome:
        report = self.flush()
        sid = self.cache.resolve(session_id) if session_id is not None else 0
        if sid < 0 and self.cache.get(sid) is None:
            # A temporary id names only a create still queued here; nothing else can match it.
            raise NotFound(f"session {display_id(sid)} not found")
        # Behind queued edits, or on a session the server does not know yet: queue, in order.
        if not report.remaining and sid >= 0:
            try:
                raw = online(sid)
            except Offline as exc:
                if exc.maybe_sent and op == "create":
                    raise Offline(
                        f"{exc}; the session may have been created: check `deepworkzone sessions list`",
                        maybe_sent=True,
                    ) from None
            else:
                if isinstance(raw, dict) and "id" in raw:
                    self.cache.put(raw)
                return Outcome(raw)
        if op == "create":
            sid = self.cache.new_temporary_id()
        try:
            local = offline(sid) if offline else None
        except ValueError as exc:  # the edit is invalid for the cached session
            raise LocalError(validation_message(exc)) from None
        if local is not None:
            self.cache.put(local)
        self.outbox.add(op, sid, payload)
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
