"""Local-only sessions and the list filters applied locally, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.domain.models import Session, SessionCreate, SessionUpdate
from deepworkzone.store.db import connect
from deepworkzone.store.filters import SessionFilter, occurs_between
from deepworkzone.store.local_sessions import LocalError, LocalNotFound, LocalSessions


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalSessions]:
    conn: sqlite3.Connection = connect(tmp_path / "deepworkzone.db")
    yield LocalSessions(conn)
    conn.close()


def body(**fields: Any) -> SessionCreate:
    base: dict[str, Any] = {
        "name": "Deep",
        "duration": 60,
        "schedule": "2025-01-01",
        "time": "9:00 AM",
    }
    return SessionCreate.model_validate({**base, **fields})


def test_create_show_update_delete(store: LocalSessions) -> None:
    made = store.create(body(time="21:30"))
    # Local-only sessions have L-ids (-1 is shown as L1), kept when they are uploaded.
    assert made["id"] == -1 and made["time"] == "9:30 PM"
    assert store.get(-1)["name"] == "Deep"
    changed = store.update(-1, SessionUpdate(duration=45))
    assert changed["duration"] == 45 and changed["time"] == "9:30 PM"
    store.delete(-1)
    with pytest.raises(LocalNotFound, match="session L1 not found"):
        store.get(-1)
    assert store.create(body())["id"] == -2  # ids are not reused


def test_an_invalid_update_names_the_field_and_changes_nothing(store: LocalSessions) -> None:
    sid = store.create(body())["id"]
    with pytest.raises(LocalError, match=r"^duration: .*1440"):
        # The wire model refuses 5000 itself; the store checks the merged session again.
        store.update(sid, SessionUpdate.model_construct(duration=5000))
    with pytest.raises(LocalError, match=r"recurring_ends.*is before the series starts"):
        store.update(sid, SessionUpdate(is_recurring=1, recurring_ends=dt.date(2024, 1, 1)))
    assert store.get(sid)["duration"] == 60


def test_deleting_one_occurrence_of_a_series(store: LocalSessions) -> None:
    sid = store.create(body(is_recurring=1, occurrence="weekly", recurring_days=[3]))["id"]
    store.delete(sid, dt.date(2025, 1, 8))
    assert store.get(sid)["deleted_occurrences"] == ["2025-01-08"]
    assert store.list(SessionFilter(date=dt.date(2025, 1, 8))) == []
    assert len(store.list(SessionFilter(date=dt.date(2025, 1, 15)))) == 1
    with pytest.raises(LocalError, match="does not occur on 2025-01-09"):
        store.delete(sid, dt.date(2025, 1, 9))
    one_off = store.create(body())["id"]
    with pytest.raises(LocalError, match="not recurring"):
        store.delete(one_off, dt.date(2025, 1, 1))


def test_filters_match_like_the_server(store: LocalSessions) -> None:
    store.create(body(name="Public drop-in", is_public=True, type="drop-in"))
    store.create(body(name="Done", status="completed", schedule="2025-02-01"))
    store.create(body(name="Cancelled", status="cancelled"))
    store.create(
        body(
            name="Monthly",
            is_recurring=1,
            occurrence="monthly",
            recurring_month_option="week",
            recurring_month_week_pos=5,
            recurring_month_week_day=5,
        )  # last Friday
    )

    def names(**kw: Any) -> list[str]:
        return [r["name"] for r in store.list(SessionFilter(**kw))]

    assert names(channel="public") == ["Public drop-in"]
    assert names(type="drop-in") == ["Public drop-in"]
    assert names(completed=1) == ["Done"]
    assert "Done" not in names(completed=0) and "Cancelled" not in names(completed=0)
    assert names(keyword="MONTH") == ["Monthly"]
    assert names(date=dt.date(2025, 1, 31)) == ["Monthly"]  # the last Friday of January
    assert names(date=dt.date(2025, 1, 24)) == []
    assert names(day_start=dt.date(2025, 2, 1), day_ends=dt.date(2025, 2, 1)) == ["Done"]
    assert "Monthly" in names(day_start=dt.date(2025, 2, 1), day_ends=dt.date(2025, 3, 1))


def test_filter_params_for_the_server() -> None:
    flt = SessionFilter(channel="public", date=dt.date(2025, 1, 2), completed=0)
    assert flt.as_params() == {"channel": "public", "date": "2025-01-02", "completed": "0"}
    assert SessionFilter().is_empty and not flt.is_empty


def test_an_open_ended_series_is_searched_without_spinning() -> None:
    s = Session.model_validate(
        {
            "id": 1,
            "name": "x",
            "duration": 5,
            "schedule": "2025-01-01",
            "time": "9:00 AM",
            "is_recurring": 1,
            "occurrence": "daily",
        }
    )
    assert occurs_between(s, dt.date(2030, 1, 1), dt.date.max)
    assert not occurs_between(s, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
