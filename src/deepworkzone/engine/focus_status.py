"""What a focus session looks like from outside: its status, and how a finished run ended.

Plain data for front ends (``to_json`` is what ``status --json`` and the control socket
send); a status is built from this process's run, or from the journal of another process's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from deepworkzone.engine.runner import owner_alive
from deepworkzone.store.journal import Journal


@dataclass(frozen=True)
class FocusStatus:
    name: str
    session_id: int | None
    occurrence: date | None
    started_at: datetime | None
    ends_at: datetime
    strict: bool
    method: str
    blocked_count: int
    blocked_hits: int
    categories: tuple[str, ...]
    urls: tuple[str, ...]
    mode: str
    snoozed: tuple[str, ...]
    pac_url: str | None
    proxy_needs_manual_setup: bool
    warnings: tuple[str, ...]
    pid: int | None
    here: bool
    alive: bool

    def remaining(self, now: datetime) -> timedelta:
        return max(self.ends_at - now, timedelta(0))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "session_id": self.session_id,
            "occurrence": self.occurrence.isoformat() if self.occurrence else None,
            "started_at": iso(self.started_at) if self.started_at else None,
            "ends_at": iso(self.ends_at),
            "strict": self.strict,
            "blocked": {
                "method": self.method,
                "count": self.blocked_count,
                "mode": self.mode,
                "categories": list(self.categories),
                "urls": list(self.urls),
                "hits": self.blocked_hits,
                "pac_url": self.pac_url,
                "proxy_needs_manual_setup": self.proxy_needs_manual_setup,
            },
            "snoozed": list(self.snoozed),
            "warnings": list(self.warnings),
            "pid": self.pid,
            "process_alive": self.alive,
        }


@dataclass(frozen=True)
class RunOutcome:
    """What the engine facade needs to record a finished run (history, the server)."""

    name: str
    session_id: int | None
    occurrence: date | None
    scope: str
    started_at: datetime
    ended_at: datetime
    planned_minutes: int
    focused_minutes: int
    outcome: str  # completed | ended_early
    reason: str | None
    strict: bool
    emergency_exit: bool


def status_from_journal(data: dict[str, Any]) -> FocusStatus:
    info = data.get("session", {})
    request = info.get("request") if isinstance(info.get("request"), dict) else {}
    effects = data.get("effects", {})
    occurrence = info.get("occurrence")
    started = data.get("started_at")
    return FocusStatus(
        name=str(info.get("name") or "Focus"),
        session_id=info.get("session_id"),
        occurrence=date.fromisoformat(occurrence) if occurrence else None,
        started_at=datetime.fromisoformat(started) if started else None,
        ends_at=Journal.ends_at(data),
        strict=bool(info.get("strict")),
        method=str(info.get("method") or "hosts"),
        blocked_count=int(info.get("blocked_count") or 0),
        blocked_hits=0,
        categories=tuple(request.get("categories") or ()),
        urls=tuple(request.get("urls") or ()),
        mode=str(request.get("mode") or "preset"),
        snoozed=tuple(k for k in effects if k in ("slack", "teams")),
        pac_url=info.get("pac_url"),
        proxy_needs_manual_setup=bool(
            info.get("pac_url") and (effects.get("system_proxy") or {}).get("skipped")
        ),
        warnings=(),
        pid=info.get("pid"),
        here=False,
        alive=owner_alive(info),
    )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
