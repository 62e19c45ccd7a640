"""The SQL day query (series_index.OCCURS_ON) against Recurrence, on a real SQLite file.

The list endpoint trusts SQL to page and count; these tests hold it to Recurrence's answers
for every day of two years over a few hundred random series, including deleted occurrences,
month ends with and without fallback, and last-weekday-of-month rules.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from deepworkzone.domain.models import SessionCreate
from deepworkzone.domain.recurrence import Recurrence
from deepworkzone.server.accounts import ensure_user
from deepworkzone.server.auth import Caller
from deepworkzone.server.db import make_engine, migrate, session_factory
from deepworkzone.server.listing import Filters, list_sessions
from deepworkzone.server.orm import DeletedOccurrence, SessionRow
from deepworkzone.server.rendering import RenderCache
from deepworkzone.server.series_index import OCCURS_ON, occurs_on_params
from deepworkzone.server.timeutil import utcnow
from deepworkzone.server.wire import write_fields

START = dt.date(2024, 1, 1)
DAYS = 2 * 366


def _random_body(rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.25:  # the 29th..31st, where months differ
        schedule = dt.date(2024, rng.choice([1, 3, 5, 8]), rng.randrange(29, 32))
    else:
        schedule = START + dt.timedelta(days=rng.randrange(400))
    body: dict[str, Any] = {
        "name": "s",
        "duration": 30,
        "schedule": schedule.isoformat(),
        "time": "9:00 AM",
    }
    if rng.random() < 0.8:
        starts = schedule + dt.timedelta(days=rng.randrange(-20, 60))
        body.update(
            is_recurring=1,
            occurrence=rng.choice(["daily", "weekly", "monthly"]),
            recurring_days=rng.sample(range(0, 8), rng.randrange(0, 4)),
            recurring_month_option=rng.choice(["exact", "week"]),
            recurring_month_week_pos=rng.randrange(1, 6),
            recurring_month_week_day=rng.randrange(0, 8),
            fallback_option=rng.randrange(2),
            recurring_start=rng.choice([None, starts.isoformat()]),
            recurring_ends=rng.choice(
                [
                    None,
                    (max(starts, schedule) + dt.timedelta(days=rng.randrange(0, 500))).isoformat(),
                ]
            ),
        )
    return body


@pytest.fixture(scope="module")
def seeded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Session, dict[int, Recurrence]]]:
    path: Path = tmp_path_factory.mktemp("series") / "series.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    rng = random.Random(1234)
    expected: dict[int, Recurrence] = {}
    with session_factory(engine)() as db:
        user = ensure_user(db, "me@acme.test", "acme")
        now = utcnow()
        rows = []
        for _ in range(300):
            body = SessionCreate.model_validate(_random_body(rng))
            row = SessionRow(
                org_id=user.org_id, created_by=user.id, created_at=now, updated_at=now, version=1
            )
            write_fields(row, body)
            db.add(row)
            rows.append((row, body))
        db.flush()
        for row, body in rows:
            rec = Recurrence.from_session(body)
            deleted = []
            if rec.is_recurring and rng.random() < 0.3:
                deleted = rec.dates_between(START, START + dt.timedelta(days=DAYS))[
                    :: rng.randrange(2, 9)
                ]
                db.add_all(DeletedOccurrence(session_id=row.id, day=d) for d in deleted)
            expected[row.id] = Recurrence.from_session(body, deleted)
        db.commit()
        yield db, expected
    engine.dispose()


def test_sql_finds_exactly_the_sessions_recurrence_says_occur_each_day(
    seeded: tuple[Session, dict[int, Recurrence]],
) -> None:
    db, expected = seeded
    for offset in range(DAYS):
        day = START + dt.timedelta(days=offset)
        query = select(SessionRow.id).where(OCCURS_ON)
        found = set(db.scalars(query, occurs_on_params(day, org_id=1)))
        wanted = {session_id for session_id, rec in expected.items() if rec.occurs_on(day)}
        assert found == wanted, day


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2024, 2, 26), dt.date(2024, 3, 3)),
        (dt.date(2024, 4, 28), dt.date(2024, 5, 2)),
        (dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        (dt.date(2024, 6, 15), dt.date(2024, 6, 15)),
        (dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    ],
)
def test_ranges_list_the_sessions_with_an_occurrence_in_them(
    seeded: tuple[Session, dict[int, Recurrence]], start: dt.date, end: dt.date
) -> None:
    db, expected = seeded
    caller = Caller(user_id=1, org_id=1, email="me@acme.test", key_id=0, role="USER")
    filters = Filters(day_start=start, day_ends=end)
    found: list[int] = []
    for page_number in range(1, 5):
        page = list_sessions(db, RenderCache(), caller, filters, page_number, 100)
        found += [json.loads(rendered.json)["id"] for rendered in page.sessions]
    wanted = {i for i, rec in expected.items() if rec.dates_between(start, end)}
    assert page.total == len(wanted)
    assert len(found) == len(set(found))
    assert set(found) == wanted
