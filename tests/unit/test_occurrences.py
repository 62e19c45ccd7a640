"""Occurrences as instants, and the index the scheduler asks: all on injected times."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepworkzone.domain.models import Session
from deepworkzone.domain.occurrences import (
    Occurrence,
    OccurrenceIndex,
    _new_occurrence,
    expand,
    local_dates,
    occurrences_between,
)
from deepworkzone.domain.recurrence import Recurrence

D = dt.date
UTC = dt.UTC


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def session(**changes: Any) -> Session:
    body: dict[str, Any] = {
        "id": 1,
        "name": "Deep work",
        "duration": 60,
        "schedule": "2025-01-01",
        "time": "9:00 AM",
        "timezone": "UTC",
    }
    body.update(changes)
    return Session.model_validate(body)


def daily(**changes: Any) -> Session:
    return session(is_recurring=1, occurrence="daily", **changes)


def starts(sessions: list[Session], start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    return [o.starts_at for o in occurrences_between(sessions, start, end)]


def by_day(s: Session, first: D, last: D) -> dict[D, dt.datetime]:
    found = occurrences_between(
        [s],
        at(first.year, first.month, first.day) - dt.timedelta(days=1),
        at(last.year, last.month, last.day) + dt.timedelta(days=2),
    )
    return {o.day: o.starts_at for o in found if first <= o.day <= last}


# -- DST: the wall-clock time stays, the UTC instant moves --------------------------------


def test_daily_9am_in_berlin_across_both_dst_changes() -> None:
    s = daily(timezone="Europe/Berlin")
    # Summer time starts 2025-03-30 and ends 2025-10-26.
    assert by_day(s, D(2025, 3, 29), D(2025, 3, 31)) == {
        D(2025, 3, 29): at(2025, 3, 29, 8),
        D(2025, 3, 30): at(2025, 3, 30, 7),
        D(2025, 3, 31): at(2025, 3, 31, 7),
    }
    assert by_day(s, D(2025, 10, 25), D(2025, 10, 27)) == {
        D(2025, 10, 25): at(2025, 10, 25, 7),
        D(2025, 10, 26): at(2025, 10, 26, 8),
        D(2025, 10, 27): at(2025, 10, 27, 8),
    }


def test_daily_9am_in_new_york_across_both_dst_changes() -> None:
    s = daily(timezone="America/New_York")
    # DST starts 2025-03-09 and ends 2025-11-02.
    assert by_day(s, D(2025, 3, 8), D(2025, 3, 10)) == {
        D(2025, 3, 8): at(2025, 3, 8, 14),
        D(2025, 3, 9): at(2025, 3, 9, 13),
        D(2025, 3, 10): at(2025, 3, 10, 13),
    }
    assert by_day(s, D(2025, 11, 1), D(2025, 11, 3)) == {
        D(2025, 11, 1): at(2025, 11, 1, 13),
        D(2025, 11, 2): at(2025, 11, 2, 14),
        D(2025, 11, 3): at(2025, 11, 3, 14),
    }


def test_a_start_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    s = daily(timezone="America/New_York", time="2:30 AM")
    # 2:30 does not exist on 2025-03-09: it is 3:30 EDT, 07:30 UTC (the day before: 07:30 EST).
    assert by_day(s, D(2025, 3, 8), D(2025, 3, 10)) == {
        D(2025, 3, 8): at(2025, 3, 8, 7, 30),
        D(2025, 3, 9): at(2025, 3, 9, 7, 30),
        D(2025, 3, 10): at(2025, 3, 10, 6, 30),
    }


def test_a_start_in_the_autumn_overlap_is_the_first_of_the_two() -> None:
    s = daily(timezone="America/New_York", time="1:30 AM", duration=120)
    (o,) = [
        o
        for o in occurrences_between([s], at(2025, 11, 2), at(2025, 11, 3))
        if o.day == D(2025, 11, 2)
    ]
    assert o.starts_at == at(2025, 11, 2, 5, 30)  # 1:30 EDT, not 1:30 EST (06:30 UTC)
    # The duration is real time: 120 minutes later is 2:30 EST on the wall.
    assert o.ends_at == at(2025, 11, 2, 7, 30)


def test_start_instants_match_recurrence_start_at_around_every_change() -> None:
    for zone in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"):
        for clock in ("12:00 AM", "12:30 AM", "1:30 AM", "2:00 AM", "2:30 AM", "11:30 PM"):
            s = daily(timezone=zone, time=clock, schedule="2024-12-25")
            rule = Recurrence.from_session(s)
            for o in occurrences_between([s], at(2025, 1, 1), at(2026, 1, 1)):
                # In UTC: PEP 495 makes a time in a fold unequal to any other zone's.
                assert o.starts_at == rule.start_at(o.day).astimezone(UTC)
                assert o.starts_at.tzinfo is UTC


def test_a_start_pushed_past_midnight_keeps_its_series_date() -> None:
    # Samoa skipped Friday 2011-12-30: that day's 9:00 is Saturday 31st's 9:00.
    s = session(
        schedule="2011-12-01",
        timezone="Pacific/Apia",
        is_recurring=1,
        occurrence="weekly",
        recurring_days=[5, 6],
    )
    found = occurrences_between([s], at(2011, 12, 29), at(2012, 1, 1))
    assert [o.day for o in found] == [D(2011, 12, 30), D(2011, 12, 31)]
    assert found[0].starts_at == found[1].starts_at == at(2011, 12, 30, 19)


# -- recurrence patterns ----------------------------------------------------------------


def test_monthly_last_friday_over_a_year() -> None:
    s = session(
        schedule="2025-01-01",
        is_recurring=1,
        occurrence="monthly",
        recurring_month_option="week",
        recurring_month_week_pos=5,
        recurring_month_week_day=5,
    )
    found = occurrences_between([s], at(2025, 1, 1), at(2026, 1, 1))
    assert [o.day for o in found] == [
        D(2025, 1, 31),
        D(2025, 2, 28),
        D(2025, 3, 28),
        D(2025, 4, 25),
        D(2025, 5, 30),
        D(2025, 6, 27),
        D(2025, 7, 25),
        D(2025, 8, 29),
        D(2025, 9, 26),
        D(2025, 10, 31),
        D(2025, 11, 28),
        D(2025, 12, 26),
    ]
    assert all(
        o.day.isoweekday() == 5 and (o.day + dt.timedelta(days=7)).month != o.day.month
        for o in found
    )
    assert all(o.starts_at == at(o.day.year, o.day.month, o.day.day, 9) for o in found)


def test_weekly_on_its_days() -> None:
    # 2025-01-01 is a Wednesday.
    s = session(is_recurring=1, occurrence="weekly", recurring_days=[1, 3, 5])
    found = occurrences_between([s], at(2025, 1, 1), at(2025, 1, 15))
    assert [o.day for o in found] == [
        D(2025, 1, 1),
        D(2025, 1, 3),
        D(2025, 1, 6),
        D(2025, 1, 8),
        D(2025, 1, 10),
        D(2025, 1, 13),
    ]


def test_deleted_occurrences_are_left_out() -> None:
    s = daily(deleted_occurrences=["2025-01-02", "2025-01-04"])
    assert [o.day for o in occurrences_between([s], at(2025, 1, 1), at(2025, 1, 6))] == [
        D(2025, 1, 1),
        D(2025, 1, 3),
        D(2025, 1, 5),
    ]


def test_series_bounds_are_honoured() -> None:
    s = daily(recurring_start="2025-01-03", recurring_ends="2025-01-05")
    assert [o.day for o in occurrences_between([s], at(2024, 12, 1), at(2025, 2, 1))] == [
        D(2025, 1, 3),
        D(2025, 1, 4),
        D(2025, 1, 5),
    ]


def test_one_off_session_occurs_once() -> None:
    s = session(schedule="2025-06-01", time="14:15", duration=45)
    (o,) = occurrences_between([s], at(2025, 1, 1), at(2026, 1, 1))
    assert (o.session_id, o.day, o.name) == (1, D(2025, 6, 1), "Deep work")
    assert (o.starts_at, o.ends_at) == (at(2025, 6, 1, 14, 15), at(2025, 6, 1, 15))
    assert o.session is s and o.key == (1, D(2025, 6, 1))


@pytest.mark.parametrize(
    ("status", "recurring", "occurs"),
    [
        ("waiting", 0, True),
        ("active", 0, True),
        ("completed", 0, False),
        ("cancelled", 0, False),
        ("waiting", 1, True),
        ("cancelled", 1, False),
        ("completed", 1, False),
    ],
)
def test_closed_sessions_have_no_occurrences(status: str, recurring: int, occurs: bool) -> None:
    s = session(status=status, is_recurring=recurring)
    assert bool(occurrences_between([s], at(2025, 1, 1), at(2025, 1, 2))) is occurs


def test_a_session_whose_schedule_cannot_be_read_has_none() -> None:
    good = daily(id=2)
    bad = Session.model_construct(**{**daily(id=3).__dict__, "timezone": "Mars/Olympus"})
    assert [
        o.session_id for o in occurrences_between([bad, good], at(2025, 1, 1), at(2025, 1, 2))
    ] == [2]


# -- windows ----------------------------------------------------------------------------


def test_a_session_spanning_midnight_meets_both_days() -> None:
    s = daily(time="11:30 PM", duration=90)
    # Running at 00:30 on Jan 2: the Jan 1 occurrence (23:30 .. 01:00).
    (o,) = occurrences_between([s], at(2025, 1, 2, 0, 30), at(2025, 1, 2, 0, 31))
    assert (o.day, o.starts_at, o.ends_at) == (
        D(2025, 1, 1),
        at(2025, 1, 1, 23, 30),
        at(2025, 1, 2, 1),
    )
    # A window on Jan 2 daytime meets neither.
    assert occurrences_between([s], at(2025, 1, 2, 1), at(2025, 1, 2, 23, 30)) == []


def test_a_session_spanning_midnight_in_its_zone_not_in_utc() -> None:
    # 23:30 in Tokyo is 14:30 UTC; the local date is the Tokyo one.
    s = daily(timezone="Asia/Tokyo", time="11:30 PM", duration=90)
    (o,) = occurrences_between([s], at(2025, 1, 2, 15), at(2025, 1, 2, 15, 1))
    assert (o.day, o.starts_at, o.ends_at) == (
        D(2025, 1, 2),
        at(2025, 1, 2, 14, 30),
        at(2025, 1, 2, 16),
    )


def test_windows_are_half_open() -> None:
    s = session()  # 9:00 .. 10:00 UTC on 2025-01-01
    assert starts([s], at(2025, 1, 1, 10), at(2025, 1, 1, 11)) == []  # ended at the start
    assert starts([s], at(2025, 1, 1, 8), at(2025, 1, 1, 9)) == []  # starts at the end
    assert starts([s], at(2025, 1, 1, 9, 59), at(2025, 1, 1, 9, 59, 1)) == [at(2025, 1, 1, 9)]
    assert starts([s], at(2025, 1, 1, 12), at(2025, 1, 1, 8)) == []  # reversed


def test_sorted_by_start_then_session_id_and_one_per_id() -> None:
    a = daily(id=5, time="10:00")
    b = daily(id=2, time="10:00")
    c = daily(id=9, time="8:00")
    again = daily(id=5, time="7:00")  # the same id twice: the last one counts
    found = occurrences_between([a, b, c, again], at(2025, 1, 1), at(2025, 1, 2))
    assert [(o.session_id, o.starts_at.hour) for o in found] == [(5, 7), (9, 8), (2, 10)]


def test_window_bounds_in_any_zone_are_instants() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    s = session()
    assert starts(
        [s], dt.datetime(2025, 1, 1, 18, tzinfo=tokyo), dt.datetime(2025, 1, 1, 18, 1, tzinfo=tokyo)
    ) == [at(2025, 1, 1, 9)]


def test_naive_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrences_between([session()], dt.datetime(2025, 1, 1), at(2025, 1, 2))
    with pytest.raises(ValueError, match="aware"):
        OccurrenceIndex(at(2025, 1, 1), dt.datetime(2025, 1, 2))


def test_the_end_of_time_does_not_overflow() -> None:
    s = daily(schedule="9999-12-29", time="11:30 PM", duration=1440, timezone="Pacific/Kiritimati")
    found = occurrences_between([s], at(9999, 12, 1), dt.datetime.max.replace(tzinfo=UTC))
    assert [o.day for o in found] == [D(9999, 12, 29), D(9999, 12, 30)]


def test_fast_constructor_builds_the_same_occurrence() -> None:
    s = session()
    args = (1, D(2025, 1, 1), at(2025, 1, 1, 9), at(2025, 1, 1, 10), "Deep work", s)
    fast, slow = _new_occurrence(*args), Occurrence(*args)
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.__setattr__("name", "changed")  # what `fast.name = ...` calls


# -- the index --------------------------------------------------------------------------

H0, H1 = at(2025, 1, 1), at(2025, 1, 31)


def test_index_next_after_and_running_at() -> None:
    morning = daily(id=1, time="9:00", duration=90)
    evening = daily(id=2, time="18:00", duration=30)
    index = OccurrenceIndex(H0, H1, [morning, evening])
    nxt = index.next_after(at(2025, 1, 5, 9))  # strictly after: not the 9:00 start itself
    assert nxt is not None and (nxt.session_id, nxt.starts_at) == (2, at(2025, 1, 5, 18))
    # A start that passed while the machine slept is running until its end.
    assert [o.key for o in index.running_at(at(2025, 1, 5, 10, 29))] == [(1, D(2025, 1, 5))]
    assert index.running_at(at(2025, 1, 5, 10, 30)) == []
    assert [o.key for o in index.due(at(2025, 1, 5, 9, 0))] == [(1, D(2025, 1, 5))]
    # With a grace period, a start too long ago is not due any more.
    assert index.due(at(2025, 1, 5, 10), grace=dt.timedelta(minutes=30)) == []
    assert len(index.due(at(2025, 1, 5, 9, 20), grace=dt.timedelta(minutes=30))) == 1


def test_index_answers_only_inside_its_horizon() -> None:
    index = OccurrenceIndex(H0, H1, [daily()])
    last = index.next_after(at(2025, 1, 29, 12))
    assert last is not None and last.day == D(2025, 1, 30)
    assert index.next_after(at(2025, 1, 30, 12)) is None
    index.set_horizon(at(2025, 1, 30), at(2025, 3, 1))
    found = index.next_after(at(2025, 1, 30, 12))
    assert found is not None and found.day == D(2025, 1, 31)
    assert index.start == at(2025, 1, 30) and index.end == at(2025, 3, 1)
    earliest, latest = dt.datetime.min.replace(tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC)
    assert index.running_at(earliest) == index.running_at(latest) == []
    assert index.next_after(latest) is None and index.between(earliest, latest) != []


def test_index_starting_between_and_ties() -> None:
    a, b, c = daily(id=3), daily(id=1), daily(id=2, time="9:30")
    index = OccurrenceIndex(H0, H1, [a, b, c])
    missed = index.starting_between(at(2025, 1, 2, 8), at(2025, 1, 3, 9))
    assert [o.key for o in missed] == [(1, D(2025, 1, 2)), (3, D(2025, 1, 2)), (2, D(2025, 1, 2))]
    first = index.next_after(at(2025, 1, 3, 8))
    assert first is not None and first.session_id == 1
    assert [o.session_id for o in index.next_starts_after(at(2025, 1, 3, 8))] == [1, 3]
    assert index.next_starts_after(at(2025, 2, 1)) == []


def test_index_upsert_and_remove() -> None:
    index = OccurrenceIndex(H0, H1, [daily(id=1), daily(id=2, time="10:00")])
    assert len(index) == 2 and 1 in index
    moved = index.upsert(daily(id=1, time="7:00", recurring_ends="2025-01-10"))
    assert [o.day for o in moved] == [D(2025, 1, d) for d in range(1, 11)]
    assert index.occurrences_of(1) == moved
    nxt = index.next_after(at(2025, 1, 5, 6))
    assert nxt is not None and nxt.starts_at == at(2025, 1, 5, 7)
    assert index.remove(1) and not index.remove(1)
    assert {o.session_id for o in index.occurrences()} == {2}
    index.upsert(daily(id=2, status="cancelled"))
    assert index.occurrences() == [] and index.next_after(H0) is None
    assert [s.id for s in index.sessions()] == [2]
    session_two = index.session(2)
    assert session_two is not None and session_two.status == "cancelled"


def test_index_between_includes_what_runs_into_the_window() -> None:
    late = daily(id=1, time="11:30 PM", duration=120, schedule="2024-12-01")
    index = OccurrenceIndex(H0, H1, [late])
    found = index.between(at(2025, 1, 3, 1), at(2025, 1, 3, 2))
    assert [o.day for o in found] == [D(2025, 1, 2)]
    # The horizon's own first moment: the occurrence started the evening before.
    assert [o.day for o in index.between(H0, at(2025, 1, 1, 1))] == [D(2024, 12, 31)]


# -- properties -------------------------------------------------------------------------

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
)
BASE = D(2025, 3, 1)
FAST = settings(max_examples=100, deadline=None)


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    schedule = BASE + dt.timedelta(days=draw(st.integers(-60, 40)))
    later = st.integers(0, 90).map(lambda n: (schedule + dt.timedelta(days=n)).isoformat())
    body: dict[str, Any] = {
        "id": draw(st.integers(1, 8)),  # few ids: edits replace sessions as often as add them
        "name": "s",
        "duration": draw(st.sampled_from([1, 30, 60, 180, 1439, 1440])),
        "schedule": schedule.isoformat(),
        "time": f"{draw(st.integers(0, 23))}:{draw(st.sampled_from([0, 30, 45])):02d}",
        "timezone": draw(st.sampled_from(ZONES)),
        "status": draw(st.sampled_from(["waiting", "waiting", "active", "cancelled"])),
        "is_recurring": draw(st.sampled_from([0, 1, 1])),
        "occurrence": draw(st.sampled_from(["daily", "weekly", "monthly"])),
        "recurring_days": draw(st.lists(st.integers(1, 7), max_size=3)),
        "recurring_month_option": draw(st.sampled_from(["exact", "week"])),
        "recurring_month_week_pos": draw(st.integers(1, 5)),
        "recurring_month_week_day": draw(st.integers(1, 7)),
        "fallback_option": draw(st.integers(0, 1)),
        "recurring_ends": draw(st.none() | later),
        "deleted_occurrences": draw(st.lists(later, max_size=3)),
    }
    return Session.model_validate(body)


@FAST
@given(sessions(), st.integers(-70, 120), st.integers(0, 400))
def test_local_dates_agree_with_rrule(s: Session, offset: int, span: int) -> None:
    rule = Recurrence.from_session(s)
    start = BASE + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=span)
    assert local_dates(rule, start, end) == rule.dates_between(start, end)


@FAST
@given(sessions(), st.integers(-70, 100), st.integers(0, 60 * 24 * 20))
def test_expand_agrees_with_recurrence(s: Session, offset: int, minutes: int) -> None:
    # What the straightforward way finds: every start_at of dates_between, kept if it meets.
    start = dt.datetime.combine(BASE, dt.time(), tzinfo=UTC) + dt.timedelta(days=offset)
    end = start + dt.timedelta(minutes=minutes)
    rule = Recurrence.from_session(s)
    length = dt.timedelta(minutes=s.duration)
    wide = rule.dates_between(
        start.date() - dt.timedelta(days=3), end.date() + dt.timedelta(days=3)
    )
    instants = [(d, rule.start_at(d).astimezone(UTC)) for d in wide]
    expected = [(d, b) for d, b in instants if b < end and b + length > start]
    if s.status == "cancelled" or minutes == 0:  # [start, start) is empty: it meets nothing
        expected = []
    assert [(o.day, o.starts_at) for o in expand(s, start, end)] == expected


@st.composite
def edits(draw: st.DrawFn) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            steps.append(("upsert", draw(sessions())))
        else:
            steps.append(("remove", draw(st.integers(1, 8))))
    return steps


@FAST
@given(st.lists(sessions(), max_size=6), edits(), st.integers(0, 60 * 24 * 40))
def test_index_after_edits_equals_a_full_rebuild(
    initial: list[Session], steps: list[tuple[str, Any]], probe_minutes: int
) -> None:
    start, end = at(2025, 3, 1), at(2025, 4, 10)
    index = OccurrenceIndex(start, end, initial)
    current = {s.id: s for s in initial}
    for kind, value in steps:
        if kind == "upsert":
            index.upsert(value)
            current[value.id] = value
        else:
            index.remove(value)
            current.pop(value, None)
    fresh = OccurrenceIndex(start, end, current.values())
    expected = occurrences_between(current.values(), start, end)
    assert index.occurrences() == fresh.occurrences() == expected
    assert index.between(start, end) == expected
    probe = start + dt.timedelta(minutes=probe_minutes)
    assert index.next_after(probe) == next((o for o in expected if o.starts_at > probe), None)
    assert index.running_at(probe) == [o for o in expected if o.is_running_at(probe)]
    window_end = probe + dt.timedelta(hours=30)
    assert index.between(probe, window_end) == [
        o for o in expected if o.starts_at < window_end and o.ends_at > probe
    ]
    assert index.starting_between(probe, window_end) == [
        o for o in expected if probe <= o.starts_at < window_end
    ]
