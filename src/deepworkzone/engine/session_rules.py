"""What a new or changed session must satisfy beyond the wire model: what focus would refuse
later (unknown categories, a one-off session already over) is refused when it is made."""

from __future__ import annotations

import datetime as dt

from deepworkzone.domain.clock import parse_clock, zone
from deepworkzone.domain.models import SessionFields
from deepworkzone.engine.errors import EngineError


def check_categories(categories: list[str]) -> None:
    from deepworkzone.blocking.categories import category_ids

    known = set(category_ids())
    unknown = sorted(set(categories) - known)
    if unknown:
        raise EngineError(
            "unknown_category",
            f"unknown categor{'y' if len(unknown) == 1 else 'ies'} {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})",
            unknown=unknown,
            known=sorted(known),
        )


def check_new_session(body: SessionFields, now: dt.datetime) -> None:
    """What focus would refuse later is refused now: unknown categories, and a one-off
    session whose time is already over."""
    check_categories(body.website_blocker.category)
    if body.is_recurring or body.status in ("completed", "cancelled"):
        return  # a record of the past (an upload, an import) is not a plan
    try:
        start = dt.datetime.combine(body.schedule, parse_clock(body.time), zone(body.timezone))
    except ValueError:
        return  # the wire model already refused what cannot be read
    ends = start + dt.timedelta(minutes=body.duration)
    if ends <= now:
        raise EngineError(
            "in_past",
            f"that session ({body.schedule.isoformat()} {body.time} {body.timezone}) would "
            "already be over",
            starts_at=start.isoformat(),
        )
