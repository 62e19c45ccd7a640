from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from deepworkzone.domain.models import Session, SessionCreate
from deepworkzone.domain.recurrence import Recurrence

D = dt.date


def make(**changes: Any) -> Recurrence:
    fields: dict[str, Any] = {
        "schedule": D(2025, 1, 1),
        "start_time": dt.time(9, 0),
        "timezone": "UTC",
        "is_recurring": True,
        "recurring_start": None,
        "recurring_ends": None,
        "occurrence": "daily",
        "recurring_days": (),
        "month_option": "exact",
        "week_pos": 1,
        "week_day": 1,
        "fallback": False,
    }
    fields.update(changes)
    return Recurrence(**fields)


def session(**changes: Any) -> SessionCreate:
    body: dict[str, Any] = {
        "name": "Deep work",
        "duration": 60,
        "schedule": "2025-01-01",
        "time": "9:00 AM",
    }
    body.update(changes)
    return SessionCreate.model_validate(body)


# -- from_session -----------------------------------------------------------------------


def test_from_session_reads_every_field() -> None:
    s = session(
        time="9:30 PM",
        timezone="Europe/Paris",
        is_recurring=1,
        recurring_start="2025-02-01",
        recurring_ends="2025-12-31",
        occurrence="monthly",
        recurring_days=[0, 3],
        recurring_month_option="week",
        recurring_month_week_pos=5,
        recurring_month_week_day=0,
        fallback_option=1,
    )
    r = Recurrence.from_session(s, deleted=[D(2025, 3, 30)])
    assert r == Recurrence(
        schedule=D(2025, 1, 1),
        start_time=dt.time(21, 30),
        timezone="Europe/Paris",
        is_recurring=True,
        recurring_start=D(2025, 2, 1),
        recurring_ends=D(2025, 12, 31),
        occurrence="monthly",
        recurring_days=(3, 7),
        month_option="week",
        week_pos=5,
        week_day=7,
        fallback=True,
        deleted=frozenset({D(2025, 3, 30)}),
    )


def test_from_session_merges_deleted_occurrences_of_a_served_session() -> None:
    served = Session.model_validate(
        {
            **session(is_recurring=1).model_dump(mode="json"),
            "id": 7,
            "deleted_occurrences": ["2025-01-02"],
        }
    )
    r = Recurrence.from_session(served, deleted=[D(2025, 1, 4)])
    assert r.deleted == {D(2025, 1, 2), D(2025, 1, 4)}
    assert r.dates_between(D(2025, 1, 1), D(2025, 1, 5)) == [
        D(2025, 1, 1),
        D(2025, 1, 3),
        D(2025, 1, 5),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"occurrence": None}, "occurrence"),
        ({"occurrence": "yearly"}, "occurrence"),
        ({"occurrence": "weekly", "recurring_days": (8,)}, "recurring_days"),
        ({"occurrence": "monthly", "month_option": "fortnight"}, "month_option"),
        ({"occurrence": "monthly", "month_option": "week", "week_pos": 6}, "week_pos"),
        ({"occurrence": "monthly", "month_option": "week", "week_day": None}, "week_day"),
        ({"start_time": dt.time(9, tzinfo=dt.UTC)}, "start_time"),
    ],
)
def test_inconsistent_recurrence_is_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        make(**changes)


# -- dates ------------------------------------------------------------------------------


def test_one_off_session_occurs_on_its_schedule_only() -> None:
    r = make(is_recurring=False, occurrence=None, recurring_ends=D(2024, 1, 1))
    assert r.dates_between(D(2024, 12, 1), D(2025, 2, 1)) == [D(2025, 1, 1)]
    assert r.dates_between(D(2025, 1, 2), D(2025, 2, 1)) == []
    assert r.occurs_on(D(2025, 1, 1))
    assert not r.occurs_on(D(2025, 1, 2))
    assert r.series_bounds() == (D(2025, 1, 1), D(2025, 1, 1))
    deleted = make(is_recurring=False, deleted=frozenset({D(2025, 1, 1)}))
    assert deleted.dates_between(D(2025, 1, 1), D(2025, 1, 1)) == []
    assert not deleted.occurs_on(D(2025, 1, 1))


def test_daily_runs_from_schedule_to_inclusive_end() -> None:
    r = make(recurring_ends=D(2025, 1, 4))
    assert r.dates_between(D(2024, 12, 30), D(2025, 1, 10)) == [
        D(2025, 1, 1),
        D(2025, 1, 2),
        D(2025, 1, 3),
        D(2025, 1, 4),
    ]
    assert r.series_bounds() == (D(2025, 1, 1), D(2025, 1, 4))


def test_series_never_starts_before_schedule_nor_recurring_start() -> None:
    early_start = make(recurring_start=D(2024, 6, 1))
    assert early_start.series_bounds() == (D(2025, 1, 1), None)
    assert early_start.dates_between(D(2024, 12, 30), D(2025, 1, 1)) == [D(2025, 1, 1)]
    late_start = make(recurring_start=D(2025, 1, 10))
    assert late_start.dates_between(D(2025, 1, 1), D(2025, 1, 11)) == [
        D(2025, 1, 10),
        D(2025, 1, 11),
    ]
    assert not late_start.occurs_on(D(2025, 1, 9))


def test_open_ended_series_is_bounded_by_the_arguments() -> None:
    r = make()
    assert len(r.dates_between(D(2025, 1, 1), D(2034, 12, 31))) == 3652
    assert r.dates_between(D(9999, 12, 30), D(9999, 12, 31)) == [D(9999, 12, 30), D(9999, 12, 31)]
    assert r.series_bounds() == (D(2025, 1, 1), None)


def test_reversed_range_is_empty() -> None:
    assert make().dates_between(D(2025, 3, 2), D(2025, 3, 1)) == []


def test_series_that_ends_before_it_starts_is_empty() -> None:
    r = make(recurring_start=D(2025, 2, 1), recurring_ends=D(2025, 1, 15))
    assert r.dates_between(D(2025, 1, 1), D(2025, 3, 1)) == []
    assert r.next_start(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)) is None


def test_weekly_on_iso_days() -> None:
    # 2025-01-01 is a Wednesday; 1 = Monday, 7 = Sunday.
    r = make(occurrence="weekly", recurring_days=(1, 7))
    assert r.dates_between(D(2025, 1, 1), D(2025, 1, 14)) == [
        D(2025, 1, 5),
        D(2025, 1, 6),
        D(2025, 1, 12),
        D(2025, 1, 13),
    ]


def test_weekly_without_days_repeats_on_the_schedule_weekday() -> None:
    r = make(occurrence="weekly", recurring_days=())
    assert r.dates_between(D(2025, 1, 1), D(2025, 1, 20)) == [
        D(2025, 1, 1),
        D(2025, 1, 8),
        D(2025, 1, 15),
    ]
    assert r.occurs_on(D(2025, 1, 8))
    assert not r.occurs_on(D(2025, 1, 9))


def test_monthly_exact_31st_skips_short_months_without_fallback() -> None:
    r = make(schedule=D(2025, 1, 31), occurrence="monthly", month_option="exact")
    assert r.dates_between(D(2025, 1, 1), D(2025, 8, 31)) == [
        D(2025, 1, 31),
        D(2025, 3, 31),
        D(2025, 5, 31),
        D(2025, 7, 31),
        D(2025, 8, 31),
    ]
    assert not r.occurs_on(D(2025, 2, 28))
    assert not r.occurs_on(D(2025, 4, 30))


def test_monthly_exact_31st_uses_last_day_with_fallback() -> None:
    r = make(schedule=D(2024, 1, 31), occurrence="monthly", fallback=True)
    assert r.dates_between(D(2024, 1, 1), D(2024, 5, 31)) == [
        D(2024, 1, 31),
        D(2024, 2, 29),
        D(2024, 3, 31),
        D(2024, 4, 30),
        D(2024, 5, 31),
    ]
    assert r.occurs_on(D(2025, 2, 28))
    assert not r.occurs_on(D(2025, 2, 27))


def test_monthly_exact_feb_29_in_common_years() -> None:
    skip = make(schedule=D(2024, 2, 29), occurrence="monthly")
    assert skip.dates_between(D(2025, 1, 1), D(2025, 3, 31)) == [D(2025, 1, 29), D(2025, 3, 29)]
    fall = make(schedule=D(2024, 2, 29), occurrence="monthly", fallback=True)
    assert fall.dates_between(D(2025, 1, 1), D(2025, 3, 31)) == [
        D(2025, 1, 29),
        D(2025, 2, 28),
        D(2025, 3, 29),
    ]
    assert fall.dates_between(D(2028, 2, 1), D(2028, 2, 29)) == [D(2028, 2, 29)]


def test_monthly_nth_weekday() -> None:
    # Second Tuesday (ISO 2) of each month.
    r = make(occurrence="monthly", month_option="week", week_pos=2, week_day=2)
    assert r.dates_between(D(2025, 1, 1), D(2025, 3, 31)) == [
        D(2025, 1, 14),
        D(2025, 2, 11),
        D(2025, 3, 11),
    ]
    assert r.occurs_on(D(2025, 2, 11))
    assert not r.occurs_on(D(2025, 2, 4))


def test_week_position_5_is_the_last_not_a_fifth() -> None:
    # Last Friday: February 2025 has only four Fridays, May 2025 has five.
    r = make(occurrence="monthly", month_option="week", week_pos=5, week_day=5)
    assert r.dates_between(D(2025, 2, 1), D(2025, 5, 31)) == [
        D(2025, 2, 28),
        D(2025, 3, 28),
        D(2025, 4, 25),
        D(2025, 5, 30),
    ]
    assert not r.occurs_on(D(2025, 5, 23))
    assert r.occurs_on(D(2025, 5, 30))


def test_last_weekday_a_week_before_month_end_is_not_the_last() -> None:
    # June 2025 ends on a Monday (30th); the 23rd is a Monday too, but not the last.
    r = make(occurrence="monthly", month_option="week", week_pos=5, week_day=1)
    assert not r.occurs_on(D(2025, 6, 23))
    assert r.occurs_on(D(2025, 6, 30))
    assert r.dates_between(D(2025, 6, 1), D(2025, 6, 30)) == [D(2025, 6, 30)]


def test_fourth_weekday_is_not_the_last_when_a_fifth_exists() -> None:
    r = make(occurrence="monthly", month_option="week", week_pos=4, week_day=5)
    assert r.dates_between(D(2025, 5, 1), D(2025, 5, 31)) == [D(2025, 5, 23)]


def test_deleted_occurrences_are_left_out() -> None:
    r = make(occurrence="weekly", recurring_days=(3,), deleted=frozenset({D(2025, 1, 8)}))
    assert r.dates_between(D(2025, 1, 1), D(2025, 1, 15)) == [D(2025, 1, 1), D(2025, 1, 15)]
    assert not r.occurs_on(D(2025, 1, 8))


# -- instants ---------------------------------------------------------------------------

NEW_YORK = ZoneInfo("America/New_York")


def test_start_at_keeps_wall_clock_time_across_dst() -> None:
    r = make(timezone="America/New_York", start_time=dt.time(9, 0))
    winter, summer = r.start_at(D(2025, 1, 6)), r.start_at(D(2025, 7, 7))
    assert (winter.hour, summer.hour) == (9, 9)
    assert winter.utcoffset() == dt.timedelta(hours=-5)
    assert summer.utcoffset() == dt.timedelta(hours=-4)
    assert winter.tzinfo == NEW_YORK


def test_start_in_a_dst_gap_moves_forward_by_the_gap() -> None:
    r = make(timezone="America/New_York", start_time=dt.time(2, 30))
    start = r.start_at(D(2025, 3, 9))
    assert start.replace(tzinfo=None) == dt.datetime(2025, 3, 9, 3, 30)
    assert start.astimezone(dt.UTC) == dt.datetime(2025, 3, 9, 7, 30, tzinfo=dt.UTC)


def test_start_in_a_half_hour_dst_gap() -> None:
    # Lord Howe Island moves its clocks by 30 minutes.
    r = make(timezone="Australia/Lord_Howe", start_time=dt.time(2, 15))
    start = r.start_at(D(2024, 10, 6))
    assert start.replace(tzinfo=None) == dt.datetime(2024, 10, 6, 2, 45)


def test_start_in_a_dst_overlap_is_the_first_one() -> None:
    r = make(timezone="America/New_York", start_time=dt.time(1, 30))
    start = r.start_at(D(2025, 11, 2))
    assert start.fold == 0
    assert start.astimezone(dt.UTC) == dt.datetime(2025, 11, 2, 5, 30, tzinfo=dt.UTC)


def test_next_start_is_strictly_after() -> None:
    r = make(timezone="America/New_York", occurrence="weekly", recurring_days=(1,))
    monday_start = dt.datetime(2025, 1, 6, 9, tzinfo=NEW_YORK)
    assert r.next_start(monday_start - dt.timedelta(seconds=1)) == monday_start
    assert r.next_start(monday_start) == dt.datetime(2025, 1, 13, 9, tzinfo=NEW_YORK)


def test_next_start_compares_instants_not_wall_times() -> None:
    # 13:30 UTC on Jan 6 is 8:30 in New York: that day's 9:00 start is still ahead.
    r = make(timezone="America/New_York")
    after = dt.datetime(2025, 1, 6, 13, 30, tzinfo=dt.UTC)
    assert r.next_start(after) == dt.datetime(2025, 1, 6, 9, tzinfo=NEW_YORK)
    # 04:30 UTC on Jan 7 is still Jan 6 in New York, past that day's start.
    late = dt.datetime(2025, 1, 7, 4, 30, tzinfo=dt.UTC)
    assert r.next_start(late) == dt.datetime(2025, 1, 7, 9, tzinfo=NEW_YORK)


def test_next_start_skips_deleted_and_stops_at_the_end() -> None:
    r = make(recurring_ends=D(2025, 1, 3), deleted=frozenset({D(2025, 1, 2)}))
    after = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    assert r.next_start(after) == dt.datetime(2025, 1, 3, 9, tzinfo=ZoneInfo("UTC"))
    assert r.next_start(dt.datetime(2025, 1, 3, 9, tzinfo=dt.UTC)) is None


def test_next_start_before_the_series_is_its_first_start() -> None:
    r = make(schedule=D(2025, 1, 31), occurrence="monthly", recurring_start=D(2025, 2, 1))
    assert r.next_start(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)) == dt.datetime(
        2025, 3, 31, 9, tzinfo=ZoneInfo("UTC")
    )


def test_next_start_of_a_one_off_session() -> None:
    r = make(is_recurring=False)
    assert r.next_start(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)) == r.start_at(D(2025, 1, 1))
    assert r.next_start(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC)) is None


def test_next_start_finds_a_start_pushed_past_midnight() -> None:
    # Samoa skipped Friday 2011-12-30 entirely: that day's 9:00 became Saturday's 9:00.
    apia = ZoneInfo("Pacific/Apia")
    r = make(
        schedule=D(2011, 12, 1),
        timezone="Pacific/Apia",
        occurrence="weekly",
        recurring_days=(5,),
    )
    after = dt.datetime(2011, 12, 31, 8, tzinfo=apia)
    assert r.next_start(after) == dt.datetime(2011, 12, 31, 9, tzinfo=apia)


def test_next_start_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        make().next_start(dt.datetime(2025, 1, 1))


def test_next_start_at_the_end_of_time_is_none() -> None:
    r = make()
    assert r.next_start(dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)) is None
