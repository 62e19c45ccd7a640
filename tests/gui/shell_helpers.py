"""Shared helpers for the shell's tests: sessions created through the engine, the engine
started on the manual clock."""

from __future__ import annotations

from typing import Any

from deepworkzone.domain.models import SessionCreate


def create(ctx: Any, **fields: Any) -> int:
    body = {
        "name": "Deep work",
        "duration": 30,
        "schedule": ctx.clock.now().date().isoformat(),
        "time": "9:05 AM",
        "timezone": "UTC",
        "website_blocker_enabled": True,
        "website_blocker": {"mode": "custom", "urls": ["blocked.example"]},
    }
    body.update(fields)
    edit = ctx.engine.sessions.create(SessionCreate.model_validate(body))
    ctx.engine.session_changed(edit.session.id)
    return edit.session.id


def step(ctx: Any, seconds: float) -> None:
    """Time passes on the manual clock, in heartbeat-sized steps, running what is due."""
    while seconds > 0:
        chunk = min(seconds, 15.0)
        ctx.clock.advance(chunk)
        ctx.engine.timers.run_due()
        seconds -= chunk
