"""Property tests: the rrule expansion, the arithmetic ``occurs_on`` and the DST rules agree."""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deepworkzone.domain.recurrence import Recurrence

D = dt.date
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shifts
    "America/Santiago",  # DST changes at midnight
    "Asia/Kolkata",
)
# Windows are drawn around the series (which spans schedule-60 .. schedule+400 days).
near = st.integers(-90, 450)
ANY_BOOL = st.booleans()
ANY_WEEK_POS = st.integers(1, 5)
FAST = settings(max_examples=150, deadline=None)

dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
# Month ends and leap days are where the rules bend; draw them often.
edge_days = st.sampled_from([D(2024, 2, 29), D(2025, 1, 31), D(2025, 1, 30), D(2024, 1, 29)])
schedules = st.one_of(dates, edge_days)
times = st.one_of(
    st.times(),
    st.builds(dt.time, st.integers(0, 3), st.sampled_from([0, 15, 30, 45])),
).map(lambda t: t.replace(second=0, microsecond=0))


@st.composite
def recurrences(draw: st.DrawFn) -> Recurrence:
    schedule = draw(schedules)
    occurrence = draw(st.sampled_from(["daily", "weekly", "monthly"]))
    offset = st.integers(-60, 400).map(lambda n: schedule + dt.timedelta(days=n))
    start = draw(st.none() | offset)
    ends = draw(st.none() | offset)
    deleted = draw(st.frozensets(offset, max_size=5))
    return Recurrence(
        schedule=schedule,
        start_time=draw(times),
        timezone=draw(st.sampled_from(ZONES)),
        is_recurring=draw(st.booleans() | st.just(True)),
        recurring_start=start,
        recurring_ends=ends,
        occurrence=occurrence,
        recurring_days=tuple(sorted(draw(st.sets(st.integers(1, 7), max_size=7)))),
        month_option=draw(st.sampled_from(["exact", "week"])),
        week_pos=draw(st.integers(1, 5)),
        week_day=draw(st.integers(1, 7)),
        fallback=draw(st.booleans()),
        deleted=deleted,
    )


def monthly(
    option: str,
    fallback: st.SearchStrategy[bool] = ANY_BOOL,
    week_pos: st.SearchStrategy[int] = ANY_WEEK_POS,
) -> st.SearchStrategy[Recurrence]:
    return st.builds(
        Recurrence,
        schedule=schedules,
        start_time=st.just(dt.time(9)),
        timezone=st.just("UTC"),
        is_recurring=st.just(True),
        recurring_start=st.none(),
        recurring_ends=st.none(),
        occurrence=st.just("monthly"),
        recurring_days=st.just(()),
        month_option=st.just(option),
        week_pos=week_pos,
        week_day=st.integers(1, 7),
        fallback=fallback,
    )


def month_length(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


@FAST
@given(recurrences(), near, st.integers(0, 120))
def test_occurs_on_agrees_with_dates_between(r: Recurrence, offset: int, span: int) -> None:
    start = r.schedule + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=span)
    expanded = r.dates_between(start, end)
    by_arithmetic = [
        day for day in (start + dt.timedelta(days=n) for n in range(span + 1)) if r.occurs_on(day)
    ]
    assert expanded == by_arithmetic


@FAST
@given(st.one_of(monthly("exact"), monthly("week")), near)
def test_monthly_occurs_on_agrees_over_a_year(r: Recurrence, offset: int) -> None:
    # Month rules bend at month ends; a whole year crosses every kind of month end.
    start = r.schedule + dt.timedelta(days=offset)
    days = [start + dt.timedelta(days=n) for n in range(366)]
    assert r.dates_between(days[0], days[-1]) == [d for d in days if r.occurs_on(d)]


@FAST
@given(recurrences(), near, st.integers(0, 120))
def test_dates_stay_inside_the_series_and_the_range(r: Recurrence, offset: int, span: int) -> None:
    start = r.schedule + dt.timedelta(days=offset)
    end = start + dt.timedelta(days=span)
    expanded = r.dates_between(start, end)
    first, last = r.series_bounds()
    assert expanded == sorted(set(expanded))
    for day in expanded:
        assert max(start, first) <= day <= end
        assert last is None or day <= last
        assert day not in r.deleted
        assert day >= r.schedule


@FAST
@given(recurrences(), near, st.integers(0, 200), st.integers(0, 200))
def test_ranges_split_without_loss(r: Recurrence, offset: int, left: int, right: int) -> None:
    start = r.schedule + dt.timedelta(days=offset)
    middle = start + dt.timedelta(days=left)
    end = middle + dt.timedelta(days=right)
    joined = r.dates_between(start, middle) + r.dates_between(middle + dt.timedelta(days=1), end)
    assert r.dates_between(start, end) == joined


@FAST
@given(recurrences(), dates, dates)
def test_reversed_ranges_are_empty(r: Recurrence, a: D, b: D) -> None:
    assume(a != b)
    assert r.dates_between(max(a, b), min(a, b)) == []


@FAST
@given(monthly("exact", fallback=st.just(True)), dates)
def test_exact_with_fallback_is_once_a_month_on_the_day_or_the_last(r: Recurrence, day: D) -> None:
    month_start = day.replace(day=1)
    assume(month_start > r.schedule)
    length = month_length(day.year, day.month)
    found = r.dates_between(month_start, day.replace(day=length))
    assert found == [day.replace(day=min(r.schedule.day, length))]


@FAST
@given(monthly("exact", fallback=st.just(False)), dates)
def test_exact_without_fallback_skips_months_lacking_the_day(r: Recurrence, day: D) -> None:
    month_start = day.replace(day=1)
    assume(month_start > r.schedule)
    length = month_length(day.year, day.month)
    found = r.dates_between(month_start, day.replace(day=length))
    if r.schedule.day <= length:
        assert found == [day.replace(day=r.schedule.day)]
    else:
        assert found == []


@FAST
@given(monthly("week"), dates)
def test_week_position_is_nth_or_last_weekday(r: Recurrence, day: D) -> None:
    assert r.week_pos is not None and r.week_day is not None
    month_start = day.replace(day=1)
    assume(month_start > r.schedule)
    length = month_length(day.year, day.month)
    found = r.dates_between(month_start, day.replace(day=length))
    assert len(found) == 1
    (hit,) = found
    same_weekday = [
        month_start + dt.timedelta(days=n)
        for n in range(length)
        if (month_start + dt.timedelta(days=n)).isoweekday() == r.week_day
    ]
    expected = same_weekday[-1] if r.week_pos == 5 else same_weekday[r.week_pos - 1]
    assert hit == expected


@FAST
@given(
    st.sampled_from(ZONES),
    times,
    st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)),
)
def test_start_at_keeps_the_wall_time_or_shifts_by_the_gap(
    name: str, start_time: dt.time, day: D
) -> None:
    tz = ZoneInfo(name)
    r = Recurrence(
        schedule=day,
        start_time=start_time,
        timezone=name,
        is_recurring=False,
        recurring_start=None,
        recurring_ends=None,
        occurrence=None,
        recurring_days=(),
        month_option=None,
        week_pos=None,
        week_day=None,
        fallback=False,
    )
    start = r.start_at(day)
    wall = dt.datetime.combine(day, start_time)
    assert start.tzinfo is tz
    assert start.fold == 0
    # The answer is a real instant: it survives a round trip through UTC unchanged.
    assert start.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) == start.replace(
        tzinfo=None
    )
    before = wall.replace(tzinfo=tz, fold=0).utcoffset()
    after = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert before is not None and after is not None
    if after > before:
        # A gap: the wall time does not exist and moves forward by the gap's length.
        assert start.replace(tzinfo=None) == wall + (after - before)
    else:
        # Normal or overlap (the first of the two readings).
        assert start.replace(tzinfo=None) == wall
        assert start.utcoffset() == before


@settings(max_examples=100, deadline=None)
@given(
    recurrences(),
    st.datetimes(min_value=dt.datetime(2019, 6, 1), max_value=dt.datetime(2031, 6, 1)),
)
def test_next_start_is_the_first_start_after(r: Recurrence, naive: dt.datetime) -> None:
    after = naive.replace(tzinfo=dt.UTC)
    found = r.next_start(after)
    tz = ZoneInfo(r.timezone)
    local = after.astimezone(tz).date()
    if found is None:
        # Over: nothing in the rest of the series (checked up to its end or a year on).
        _first, last = r.series_bounds()
        horizon = last if last is not None else local + dt.timedelta(days=400)
        later = r.dates_between(local - dt.timedelta(days=1), horizon)
        assert all(r.start_at(d) <= after for d in later)
        return
    assert found > after
    assert r.occurs_on(found.date()) or r.occurs_on(found.date() - dt.timedelta(days=1))
    candidates = r.dates_between(local - dt.timedelta(days=1), found.date())
    starts = [r.start_at(d) for d in candidates]
    assert found in starts
    assert not [s for s in starts if after < s < found]
