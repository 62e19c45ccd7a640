"""Sessions edited on this machine: local-only mode, and offline edits applied to the cache.

The same rules as the server where they matter to the user (the wire models validate every
field; an occurrence can only be removed from a recurring session on a day it occurs), so a
session made offline looks the same once the server has it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from deepworkzone.domain.ids import display_id
from deepworkzone.domain.models import Session, SessionCreate, SessionUpdate
from deepworkzone.store.filters import SessionFilter, occurs_on
from deepworkzone.store.sessions_cache import SessionsCache, iso, utc_now

LOCAL_SCOPE = ""


class LocalError(Exception):
    """A local edit that cannot be made; one line, exit 1."""

    exit_code = 1


class LocalNotFound(LocalError):
    pass


def new_session(body: SessionCreate, session_id: int) -> dict[str, Any]:
    now = iso(utc_now())
    raw = body.model_dump(mode="json")
    raw.update(
        id=session_id,
        created_by=None,
        created_at=now,
        updated_at=now,
        deleted_occurrences=[],
        participation={"joined": True, "role": "owner", "joined_at": None, "completed_at": None},
    )
    return raw


def updated(raw: dict[str, Any], changes: SessionUpdate) -> dict[str, Any]:
    """``raw`` with ``changes`` applied, the result validated as a whole (ValueError if bad)."""
    merged = changes.apply_to(Session.model_validate(raw))
    out = dict(raw)
    out.update(merged.model_dump(mode="json"))
    out["updated_at"] = iso(utc_now())
    return out


def without_occurrence(raw: dict[str, Any], day: dt.date) -> dict[str, Any]:
    session = Session.model_validate(raw)
    if not session.is_recurring:
        raise LocalError(
            f"session {display_id(session.id)} is not recurring: delete it without --occurrence"
        )
    if not occurs_on(session, day):
        raise LocalError(f"session {display_id(session.id)} does not occur on {day.isoformat()}")
    out = dict(raw)
    days = {d.isoformat() for d in session.deleted_occurrences} | {day.isoformat()}
    out["deleted_occurrences"] = sorted(days)
    out["updated_at"] = iso(utc_now())
    return out


def filtered(
    rows: list[tuple[dict[str, Any], Session]], flt: SessionFilter
) -> list[dict[str, Any]]:
    """Rows matching ``flt``, in the order a person reads a schedule."""
    kept = [(raw, s) for raw, s in rows if flt.matches(s)]
    kept.sort(key=lambda pair: (pair[1].schedule, _minutes(pair[1].time), pair[1].id))
    return [raw for raw, _ in kept]


def _minutes(clock: str) -> int:
    from deepworkzone.domain.clock import parse_clock

    try:
        t = parse_clock(clock)
    except ValueError:
        return 0
    return t.hour * 60 + t.minute


class LocalSessions:
    """Local-only mode: the store is the only home of the sessions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.cache = SessionsCache(conn, LOCAL_SCOPE)

    def list(self, flt: SessionFilter) -> list[dict[str, Any]]:
        return filtered(self.cache.sessions(), flt)

    def get(self, session_id: int) -> dict[str, Any]:
        raw = self.cache.get(session_id)
        if raw is None:
            raise LocalNotFound(f"session {display_id(session_id)} not found")
        return raw

    def create(self, body: SessionCreate) -> dict[str, Any]:
        raw = new_session(body, self.cache.new_local_id())
        self.cache.put(raw)
        return raw

    def update(self, session_id: int, changes: SessionUpdate) -> dict[str, Any]:
        try:
            raw = updated(self.get(session_id), changes)
        except ValueError as exc:
            raise LocalError(validation_message(exc)) from None
        self.cache.put(raw)
        return raw

    def delete(self, session_id: int, occurrence: dt.date | None = None) -> None:
        raw = self.get(session_id)
        if occurrence is None:
            self.cache.delete(session_id)
        else:
            self.cache.put(without_occurrence(raw, occurrence))


def validation_message(exc: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            parts.append(f"{loc}: {msg}" if loc else msg)
        return "; ".join(parts)
    return str(exc)
