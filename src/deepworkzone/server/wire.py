"""Session rows to and from the wire models of deepworkzone.domain.models."""

from __future__ import annotations

import datetime as dt
from typing import Any

from deepworkzone.domain.clock import parse_clock
from deepworkzone.domain.models import Participation, Session, SessionFields
from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.server.orm import SessionRow
from deepworkzone.server.series_index import index_for
from deepworkzone.server.timeutil import aware

# Columns copied one to one between SessionFields and SessionRow.
PLAIN_FIELDS = (
    "name",
    "type",
    "duration",
    "schedule",
    "time",
    "timezone",
    "is_public",
    "status",
    "website_blocker_enabled",
    "snooze_enabled",
    "is_recurring",
    "recurring_start",
    "recurring_ends",
    "occurrence",
    "recurring_days",
    "recurring_month_option",
    "recurring_month_week_pos",
    "recurring_month_week_day",
    "fallback_option",
)


def column_values(fields: SessionFields) -> dict[str, Any]:
    """The session columns ``fields`` state, the derived series columns included."""
    values: dict[str, Any] = {name: getattr(fields, name) for name in PLAIN_FIELDS}
    values["website_blocker"] = fields.website_blocker.model_dump(mode="json")
    values["snooze_apps"] = fields.snooze_apps.model_dump(mode="json")
    start = parse_clock(fields.time)
    values["start_minute"] = start.hour * 60 + start.minute
    values.update(index_for(Recurrence.from_session(fields)).columns())
    return values


def write_fields(row: SessionRow, fields: SessionFields) -> None:
    """Copy ``fields`` onto a new ``row`` (a stored one changes by compare-and-set, see
    session_store.update)."""
    for name, value in column_values(fields).items():
        setattr(row, name, value)


def row_dict(row: SessionRow, collaborators: list[int], deleted: list[dt.date]) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(row, name) for name in PLAIN_FIELDS}
    data.update(
        id=row.id,
        org_id=row.org_id,
        website_blocker=row.website_blocker,
        snooze_apps=row.snooze_apps,
        collaborator=collaborators,
        created_by=row.created_by,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
        deleted_occurrences=sorted(deleted),
    )
    return data


def to_fields(row: SessionRow, collaborators: list[int]) -> SessionFields:
    """The session as a create body would state it (the base a PUT applies to)."""
    return SessionFields.model_validate(row_dict(row, collaborators, []))


def to_session(
    row: SessionRow,
    collaborators: list[int],
    deleted: list[dt.date],
    participation: Participation | None = None,
) -> Session:
    data = row_dict(row, collaborators, deleted)
    data["participation"] = participation
    return Session.model_validate(data)


def recurrence_of(row: SessionRow, deleted: list[dt.date]) -> Recurrence:
    return Recurrence.from_session(row, deleted)


def etag(row: SessionRow) -> str:
    return f'W/"{row.id}-{row.version}"'
