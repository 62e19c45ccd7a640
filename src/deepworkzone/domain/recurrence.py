"""When a session happens: its occurrence dates and their start instants.

Dates are the session's local calendar dates (in its own time zone); an occurrence starts at
the session's wall-clock time on that date, so 9:00 stays 9:00 across DST changes.

``dates_between`` expands the series with dateutil's rrule; ``occurs_on`` answers the same
question by arithmetic, because the server asks it for thousands of rows per request. The
property tests hold the two to the same answers.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from dateutil import rrule

from deepworkzone.domain.clock import parse_clock, zone

_OCCURRENCES = ("daily", "weekly", "monthly")
_MONTH_OPTIONS = ("exact", "week")
_RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
LAST_WEEK = 5
"""``recurring_month_week_pos`` 5 means the month's last such weekday, not a fifth one."""


class SessionLike(Protocol):
    """What ``Recurrence.from_session`` reads; models.SessionFields and Session fit it."""

    @property
    def schedule(self) -> dt.date: ...
    @property
    def time(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def is_recurring(self) -> int: ...
    @property
    def recurring_start(self) -> dt.date | None: ...
    @property
    def recurring_ends(self) -> dt.date | None: ...
    @property
    def occurrence(self) -> str | None: ...
    @property
    def recurring_days(self) -> list[int]: ...
    @property
    def recurring_month_option(self) -> str | None: ...
    @property
    def recurring_month_week_pos(self) -> int | None: ...
    @property
    def recurring_month_week_day(self) -> int | None: ...
    @property
    def fallback_option(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One session's schedule. Build it with ``from_session``; it validates itself."""

    schedule: dt.date
    start_time: dt.time
    timezone: str
    is_recurring: bool
    recurring_start: dt.date | None
    recurring_ends: dt.date | None
    occurrence: str | None
    recurring_days: tuple[int, ...]
    month_option: str | None
    week_pos: int | None
    week_day: int | None
    fallback: bool
    deleted: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        zone(self.timezone)
        if self.start_time.tzinfo is not None:
            raise ValueError("start_time must be a wall-clock time without tzinfo")
        if not self.is_recurring:
            return
        if self.occurrence not in _OCCURRENCES:
            raise ValueError(
                f"occurrence must be daily, weekly or monthly, not {self.occurrence!r}"
            )
        if any(not 1 <= day <= 7 for day in self.recurring_days):
            raise ValueError(f"recurring_days must be ISO weekdays 1..7: {self.recurring_days}")
        if self.occurrence == "monthly":
            if self.month_option not in _MONTH_OPTIONS:
                raise ValueError(f"month_option must be exact or week, not {self.month_option!r}")
            if self.month_option == "week" and (
                self.week_pos is None
                or not 1 <= self.week_pos <= LAST_WEEK
                or self.week_day is None
                or not 1 <= self.week_day <= 7
            ):
                raise ValueError("monthly by week needs week_pos 1..5 and week_day 1..7")

    @classmethod
    def from_session(cls, s: SessionLike, deleted: Iterable[dt.date] = ()) -> Recurrence:
        """The schedule of a wire session; ``s.deleted_occurrences`` is merged into ``deleted``."""
        removed = set(deleted)
        removed.update(getattr(s, "deleted_occurrences", None) or ())
        days = tuple(sorted({7 if d == 0 else d for d in s.recurring_days}))
        week_day = s.recurring_month_week_day
        return cls(
            schedule=s.schedule,
            start_time=parse_clock(s.time),
            timezone=s.timezone,
            is_recurring=bool(s.is_recurring),
            recurring_start=s.recurring_start,
            recurring_ends=s.recurring_ends,
            occurrence=s.occurrence,
            recurring_days=days,
            month_option=s.recurring_month_option,
            week_pos=s.recurring_month_week_pos,
            week_day=7 if week_day == 0 else week_day,
            fallback=bool(s.fallback_option),
            deleted=frozenset(removed),
        )

    # -- dates ---------------------------------------------------------------------------

    def series_bounds(self) -> tuple[dt.date, dt.date | None]:
        """First and last possible date (None: open ended). Bounds, not occurrences: the
        first date need not match the pattern, and last < first means an empty series."""
        if not self.is_recurring:
            return self.schedule, self.schedule
        first = max(self.schedule, self.recurring_start or self.schedule)
        return first, self.recurring_ends

    def dates_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Occurrence dates in [start, end], in order, deleted ones left out."""
        first, last = self.series_bounds()
        low = max(start, first)
        high = end if last is None else min(end, last)
        if high < low:
            return []
        if not self.is_recurring:
            return [] if self.schedule in self.deleted else [self.schedule]
        rule = self._rule(low, high)
        return [d for d in (moment.date() for moment in rule) if d not in self.deleted]

    def occurs_on(self, day: dt.date) -> bool:
        """Same answer as ``day in dates_between(day, day)``, without building an rrule."""
        if day in self.deleted:
            return False
        first, last = self.series_bounds()
        if day < first or (last is not None and day > last):
            return False
        if not self.is_recurring or self.occurrence == "daily":
            return True
        if self.occurrence == "weekly":
            return day.isoweekday() in self._weekdays()
        month_length = calendar.monthrange(day.year, day.month)[1]
        if self.month_option == "exact":
            wanted = self.schedule.day
            if self.fallback:
                wanted = min(wanted, month_length)
            return day.day == wanted
        if day.isoweekday() != self.week_day:
            return False
        if self.week_pos == LAST_WEEK:
            return day.day + 7 > month_length
        return (day.day - 1) // 7 + 1 == self.week_pos

    def _weekdays(self) -> tuple[int, ...]:
        # As the models do: a weekly series with no days repeats on its first day's weekday.
        return self.recurring_days or (self.schedule.isoweekday(),)

    def _rule(self, low: dt.date, high: dt.date | None) -> rrule.rrule:
        # Every rule has interval 1 and an explicit by-part, so starting the expansion at
        # ``low`` instead of the series start cannot shift the pattern.
        dtstart = dt.datetime.combine(low, dt.time())
        until = None if high is None else dt.datetime.combine(high, dt.time())
        if self.occurrence == "daily":
            return rrule.rrule(rrule.DAILY, dtstart=dtstart, until=until)
        if self.occurrence == "weekly":
            days = [_RRULE_WEEKDAYS[d - 1] for d in self._weekdays()]
            return rrule.rrule(rrule.WEEKLY, byweekday=days, dtstart=dtstart, until=until)
        if self.month_option == "exact":
            day = self.schedule.day
            if self.fallback and day > 28:
                # {day, last day} with the first of the set: min(day, month length).
                return rrule.rrule(
                    rrule.MONTHLY, bymonthday=(day, -1), bysetpos=1, dtstart=dtstart, until=until
                )
            # rrule skips months that lack the day, which is fallback 0.
            return rrule.rrule(rrule.MONTHLY, bymonthday=day, dtstart=dtstart, until=until)
        assert self.week_pos is not None and self.week_day is not None
        nth = -1 if self.week_pos == LAST_WEEK else self.week_pos
        weekday = _RRULE_WEEKDAYS[self.week_day - 1](nth)
        return rrule.rrule(rrule.MONTHLY, byweekday=weekday, dtstart=dtstart, until=until)

    def _dates_from(self, day: dt.date) -> Iterator[dt.date]:
        """Occurrence dates from ``day`` on, lazily: open-ended series never end."""
        first, last = self.series_bounds()
        low = max(day, first)
        if last is not None and last < low:
            return
        if not self.is_recurring:
            if self.schedule not in self.deleted:
                yield self.schedule
            return
        for moment in self._rule(low, last):
            if moment.date() not in self.deleted:
                yield moment.date()

    # -- instants ------------------------------------------------------------------------

    def start_at(self, day: dt.date) -> dt.datetime:
        """The start on local date ``day``, aware in the session's zone.

        A wall time that does not exist (DST gap) moves forward by the gap, 2:30 -> 3:30; one
        that exists twice (overlap) is the first of the two (fold=0).
        """
        tz = zone(self.timezone)
        wall = dt.datetime.combine(day, self.start_time, tzinfo=tz)
        # With fold=0 zoneinfo reads a gap time with the offset from before the change, so
        # the round trip through UTC lands on the instant the gap pushed it to.
        return wall.astimezone(dt.UTC).astimezone(tz)

    def next_start(self, after: dt.datetime) -> dt.datetime | None:
        """The first occurrence start strictly after ``after`` (aware), None when over."""
        if after.tzinfo is None or after.utcoffset() is None:
            raise ValueError("next_start needs an aware datetime")
        local_day = after.astimezone(zone(self.timezone)).date()
        # One day back: a start pushed forward by a DST gap at midnight lands a day later.
        begin = local_day - dt.timedelta(days=1) if local_day > dt.date.min else local_day
        try:
            for day in self._dates_from(begin):
                moment = self.start_at(day)
                if moment > after:
                    return moment
        except OverflowError:
            # Past year 9999: nothing more can be represented.
            return None
        return None
