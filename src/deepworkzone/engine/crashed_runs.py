"""A run whose process died (kill -9, a crash, power loss) and whose end passed before the next
start: what the history says of it.

It is recorded as ended early, "the app stopped during the session": nothing saw it to its
end. Its blocks stayed in place until they were put back at that next start (a crash is not a
way out of a session; `unblock` clears the journal, and then there is nothing to recover), so
its minutes count from its first start up to its end time. Recorded once, by whoever puts it
back: any CLI command at start-up (``recover_expired``) or the engine (``resume_or_recover``).
The occurrence of a scheduled session then counts as run, not as missed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from deepworkzone.store.journal import Journal

if TYPE_CHECKING:
    from deepworkzone.engine.focus_service import RunOutcome
    from deepworkzone.engine.history import HistoryService

log = logging.getLogger(__name__)

REASON = "the app stopped during the session"


def first_started_at(data: dict[str, Any]) -> datetime | None:
    """When the run first started: a resumed run's journal keeps its first start beside its
    own (``session.first_started_at``)."""
    info = data.get("session", {})
    text = info.get("first_started_at") or data.get("started_at")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def crashed_outcome(data: dict[str, Any], now: datetime) -> RunOutcome | None:
    from deepworkzone.engine.focus_service import RunOutcome

    info = data.get("session", {})
    started_at = first_started_at(data)
    if started_at is None:
        return None
    ends_at = Journal.ends_at(data)
    ended_at = max(min(ends_at, now), started_at)
    occurrence = info.get("occurrence")
    return RunOutcome(
        name=str(info.get("name") or "Focus"),
        session_id=info.get("session_id"),
        occurrence=date.fromisoformat(occurrence) if isinstance(occurrence, str) else None,
        scope=str(info.get("scope") or ""),
        started_at=started_at,
        ended_at=ended_at,
        planned_minutes=max(round((ends_at - started_at).total_seconds() / 60), 0),
        focused_minutes=round((ended_at - started_at).total_seconds() / 60),
        outcome="ended_early",
        reason=REASON,
        strict=bool(info.get("strict")),
        emergency_exit=False,
    )


def record_crashed_run(
    data: dict[str, Any], now: datetime, history: HistoryService | None = None
) -> None:
    """Into the history; never fails the recovery that called it."""
    from deepworkzone.engine.history import open_history

    try:
        outcome = crashed_outcome(data, now)
        if outcome is None:
            return
        (history or open_history()).record_outcome(outcome, "recovered")
    except Exception:
        log.exception("recording the run a crash interrupted failed")
