"""When sessions happen, as instants: the occurrences the scheduler starts and resumes.

``occurrences_between`` expands sessions over a window of time; ``OccurrenceIndex`` keeps that
expansion for a horizon (say now .. now + 30 days) and re-expands only the session that
changed, so the scheduler can ask "what starts next" and "what should be running now" cheaply
after every edit.

The rules, all of them the ones ``Recurrence`` already applies:

- A series repeats in its own time zone: a daily 9:00 session in Europe/Berlin starts at 9:00
  Berlin time on both sides of a DST change (08:00 UTC in winter, 07:00 UTC in summer).
- A start that does not exist (the spring-forward gap) moves forward by the gap, 2:30 -> 3:30;
  one that exists twice (fall back) is the first of the two (zoneinfo's fold=0).
- ``Occurrence.day`` is the occurrence's date in the series (the date ``deleted_occurrences``
  and the join/complete endpoints name), even when a gap pushed its start past midnight.
- A session lasts ``duration`` minutes of real time from its start, so across a DST change
  its wall-clock end moves by the change.
- Deleted occurrences and the series bounds are honoured. A session whose status is
  ``cancelled`` or ``completed`` has no occurrences, series included (the server refuses to
  join such a session too); ``waiting`` and ``active`` ones do. A session whose schedule
  cannot be read (an unknown zone, say) has none either, as in ``store.filters``.

Dates are computed by arithmetic, not dateutil's rrule (``Recurrence.dates_between`` takes
~11x as long for a month of dates); the tests hold the two to the same answers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import cast

from deepworkzone.domain.clock import zone
from deepworkzone.domain.models import Session
from deepworkzone.domain.recurrence import LAST_WEEK, Recurrence

CLOSED_STATUSES = frozenset({"cancelled", "completed"})
"""Statuses of a session that no longer happens."""

_UTC = dt.UTC
# zoneinfo keeps only 8 zones strongly cached and the rest weakly, so a zone nobody holds on to
# is read from disk again (~40 µs) on the next ZoneInfo(name). Holding them here keeps every
# zone in use one dictionary look-up away (Recurrence's own check hits the same cache).
_zone = functools.lru_cache(maxsize=1024)(zone)
# Local dates looked at before a window's first local date: an occurrence may start up to a
# day before (duration <= 1440 minutes) plus a day more when a DST gap pushed its start.
_BEFORE = dt.timedelta(days=2)
_MAX_MINUTES = 1440
_AFTER = dt.timedelta(days=1)  # a clock set back across midnight: a later date, yet earlier


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a session: [starts_at, ends_at), both aware UTC."""

    session_id: int
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    name: str
    session: Session = field(repr=False, hash=False)

    @property
    def key(self) -> tuple[int, dt.date]:
        """What names this occurrence to the journal and the API: (session id, date)."""
        return (self.session_id, self.day)

    def is_running_at(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def _occurrence_factory() -> Callable[..., Occurrence]:
    """``Occurrence(...)`` at half the cost: a frozen dataclass's ``__init__`` goes through
    ``object.__setattr__`` per field; this sets the slots directly. Same object, same checks
    (none); the tests hold it equal to the constructor's."""
    names = [f.name for f in fields(Occurrence)]
    assert names == ["session_id", "day", "starts_at", "ends_at", "name", "session"], names
    s0, s1, s2, s3, s4, s5 = (getattr(Occurrence, n).__set__ for n in names)
    new = object.__new__

    def make(
        session_id: int,
        day: dt.date,
        starts_at: dt.datetime,
        ends_at: dt.datetime,
        name: str,
        session: Session,
    ) -> Occurrence:
        o = new(Occurrence)
        s0(o, session_id)
        s1(o, day)
        s2(o, starts_at)
        s3(o, ends_at)
        s4(o, name)
        s5(o, session)
        return o

    return make


_new_occurrence = _occurrence_factory()


def is_scheduled(session: Session) -> bool:
    """Whether ``session`` can have occurrences at all (its status is not closed)."""
    return session.status not in CLOSED_STATUSES


def occurrences_between(
    sessions: Iterable[Session], start: dt.datetime, end: dt.datetime
) -> list[Occurrence]:
    """Every occurrence whose [starts_at, ends_at) meets [start, end), sorted by start
    (then session id). A session id given twice counts once, the last one given."""
    _check_window(start, end)
    latest = {s.id: s for s in sessions}
    found: list[Occurrence] = []
    for session_id in sorted(latest):
        found.extend(expand(latest[session_id], start, end))
    found.sort(key=_START)  # stable: ties stay in session id order
    return found


def expand(session: Session, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """The occurrences of one session meeting [start, end), in order."""
    if end <= start or not is_scheduled(session):
        return []
    try:
        tz = _zone(session.timezone)  # first: from_session checks the zone too, then cached
        rule = Recurrence.from_session(session)
    except ValueError:
        return []
    before = _BEFORE
    if session.duration > _MAX_MINUTES:  # only a session built without validation
        before = dt.timedelta(days=2 + session.duration // _MAX_MINUTES)
    try:
        low = start.astimezone(tz).date() - before
    except OverflowError:
        low = dt.date.min
    try:
        high = end.astimezone(tz).date() + _AFTER
    except OverflowError:
        high = dt.date.max
    length = dt.timedelta(minutes=session.duration)
    wall = rule.start_time
    combine = dt.datetime.combine
    days = local_dates(rule, low, high)
    # The wall time read as UTC, less the zone's offset at that wall time, is the instant:
    # what astimezone(UTC) computes (fold=0: a gap time takes the offset from before the
    # change, so it lands after the gap; a repeated time is the first), at half the cost.
    offset = cast(Callable[[dt.datetime], dt.timedelta], tz.utcoffset)
    try:
        starts = [(w := combine(d, wall, tzinfo=_UTC)) - offset(w) for d in days]
        ends = [b + length for b in starts]
    except OverflowError:  # past year 9999: one date at a time, dropping what overflows
        return [o for d in days if (o := _one(session, d, wall, tz, length, start, end))]
    sid, name = session.id, session.name
    return [
        _new_occurrence(sid, d, b, e, name, session)
        for d, b, e in zip(days, starts, ends, strict=True)
        if b < end and e > start
    ]


def _one(
    session: Session,
    day: dt.date,
    wall: dt.time,
    tz: dt.tzinfo,
    length: dt.timedelta,
    start: dt.datetime,
    end: dt.datetime,
) -> Occurrence | None:
    try:
        begins = dt.datetime.combine(day, wall, tzinfo=tz).astimezone(_UTC)
        ends = begins + length
    except OverflowError:
        return None
    if begins < end and ends > start:
        return Occurrence(session.id, day, begins, ends, session.name, session)
    return None


def local_dates(rule: Recurrence, start: dt.date, end: dt.date) -> list[dt.date]:
    """``rule.dates_between(start, end)`` by arithmetic: occurrence dates in [start, end]."""
    first, last = rule.series_bounds()
    low = max(start, first)
    high = end if last is None else min(end, last)
    if high < low:
        return []
    deleted = rule.deleted
    if not rule.is_recurring:
        return [] if rule.schedule in deleted else [rule.schedule]
    lo, hi = low.toordinal(), high.toordinal()
    if rule.occurrence == "daily":
        days = [dt.date.fromordinal(n) for n in range(lo, hi + 1)]
    elif rule.occurrence == "weekly":
        weekdays = rule.recurring_days or (rule.schedule.isoweekday(),)
        days = []
        for iso in weekdays:
            # Ordinal 1 (0001-01-01) is a Monday: ISO weekday of ordinal n is (n - 1) % 7 + 1.
            first_hit = lo + (iso - 1 - (lo - 1)) % 7
            days.extend(dt.date.fromordinal(n) for n in range(first_hit, hi + 1, 7))
        if len(weekdays) > 1:
            days.sort()
    else:
        days = _monthly(rule, low, high)
    if deleted:
        return [d for d in days if d not in deleted]
    return days


def _monthly(rule: Recurrence, low: dt.date, high: dt.date) -> list[dt.date]:
    days: list[dt.date] = []
    year, month = low.year, low.month
    by_week = rule.month_option == "week"
    while (year, month) <= (high.year, high.month):
        first_weekday, length = calendar.monthrange(year, month)  # Monday = 0
        day: int | None
        if by_week:
            assert rule.week_day is not None and rule.week_pos is not None
            if rule.week_pos == LAST_WEEK:
                last_weekday = (first_weekday + length - 1) % 7
                day = length - (last_weekday - (rule.week_day - 1)) % 7
            else:
                day = 1 + (rule.week_day - 1 - first_weekday) % 7 + 7 * (rule.week_pos - 1)
        else:
            day = rule.schedule.day
            if day > length:
                day = length if rule.fallback else None
        if day is not None:
            found = dt.date(year, month, day)
            if low <= found <= high:
                days.append(found)
        if month == 12:
            year, month = year + 1, 1
        else:
            month += 1
    return days


def _check_window(start: dt.datetime, end: dt.datetime) -> None:
    for moment in (start, end):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("occurrence windows need aware datetimes")


_START = attrgetter("starts_at")
_TICK = dt.timedelta(microseconds=1)  # the resolution of datetime: "<= t" is "< t + _TICK"


def _minus(moment: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    try:
        return moment - delta
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=_UTC)


def _plus_tick(moment: dt.datetime) -> dt.datetime:
    try:
        return moment + _TICK
    except OverflowError:
        return moment  # the last representable instant: nothing can start after it anyway


def _order(o: Occurrence) -> tuple[dt.datetime, int, dt.date]:
    return (o.starts_at, o.session_id, o.day)


class OccurrenceIndex:
    """The occurrences of a set of sessions that meet a horizon [start, end), kept sorted.

    ``upsert`` and ``remove`` re-expand only the session they name. Queries answer from the
    stored occurrences only, so they see nothing past the horizon: ``next_after`` returning
    None means "nothing before ``end``", and the owner moves the horizon on with
    ``set_horizon`` (a day ahead, say) before it runs out. Not thread-safe: one owner thread.

    Occurrences are kept in buckets by the UTC date of their start, each bucket sorted by
    (starts_at, session_id, day), so a change touches a few short lists and a query looks at
    the buckets around the moment it asks about.
    """

    def __init__(
        self, start: dt.datetime, end: dt.datetime, sessions: Iterable[Session] = ()
    ) -> None:
        self._start = self._end = start
        self._sessions: dict[int, Session] = {}
        self._by_session: dict[int, list[Occurrence]] = {}
        self._buckets: dict[int, list[Occurrence]] = {}
        self._longest = dt.timedelta(0)
        self.rebuild(sessions, start, end)

    # -- changes -------------------------------------------------------------------------

    def rebuild(self, sessions: Iterable[Session], start: dt.datetime, end: dt.datetime) -> None:
        """Forget everything; expand ``sessions`` over [start, end)."""
        _check_window(start, end)
        if end < start:
            raise ValueError(f"the horizon ends ({end}) before it starts ({start})")
        self._start, self._end = start.astimezone(_UTC), end.astimezone(_UTC)
        self._sessions = {s.id: s for s in sessions}
        self._by_session = {}
        self._buckets = {}
        self._longest = dt.timedelta(0)
        found: list[Occurrence] = []
        for session_id in sorted(self._sessions):
            session = self._sessions[session_id]
            self._note_length(session)
            mine = expand(session, self._start, self._end)
            if mine:
                self._by_session[session_id] = mine
                found.extend(mine)
        found.sort(key=_START)  # stable: ties stay in (session id, day) order
        buckets = self._buckets
        for o in found:
            key = o.starts_at.toordinal()
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [o]
            else:
                bucket.append(o)

    def set_horizon(self, start: dt.datetime, end: dt.datetime) -> None:
        """Expand the sessions held over a new horizon."""
        self.rebuild(list(self._sessions.values()), start, end)

    def upsert(self, session: Session) -> list[Occurrence]:
        """Add ``session`` or replace the one with its id; its occurrences in the horizon."""
        self._drop(session.id)
        self._sessions[session.id] = session
        self._note_length(session)
        mine = expand(session, self._start, self._end)
        if mine:
            self._by_session[session.id] = mine
            buckets = self._buckets
            for o in mine:
                key = o.starts_at.toordinal()
                bucket = buckets.get(key)
                if bucket is None:
                    buckets[key] = [o]
                else:
                    insort(bucket, o, key=_order)
        return list(mine)

    def remove(self, session_id: int) -> bool:
        """Forget a session; False if it was not held."""
        self._drop(session_id)
        return self._sessions.pop(session_id, None) is not None

    def _drop(self, session_id: int) -> None:
        for o in self._by_session.pop(session_id, ()):
            key = o.starts_at.toordinal()
            bucket = self._buckets[key]
            i = bisect_left(bucket, _order(o), key=_order)
            del bucket[i]
            if not bucket:
                del self._buckets[key]

    def _note_length(self, session: Session) -> None:
        # Only grows: a longer bound than needed costs a little scanning, a shorter one
        # would miss running occurrences.
        self._longest = max(self._longest, dt.timedelta(minutes=session.duration))

    # -- what is held --------------------------------------------------------------------

    @property
    def start(self) -> dt.datetime:
        return self._start

    @property
    def end(self) -> dt.datetime:
        return self._end

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._sessions

    def session(self, session_id: int) -> Session | None:
        return self._sessions.get(session_id)

    def sessions(self) -> list[Session]:
        return [self._sessions[k] for k in sorted(self._sessions)]

    def occurrences_of(self, session_id: int) -> list[Occurrence]:
        return list(self._by_session.get(session_id, ()))

    def occurrences(self) -> list[Occurrence]:
        """Every occurrence held, in order."""
        return [o for key in sorted(self._buckets) for o in self._buckets[key]]

    # -- questions -----------------------------------------------------------------------

    def between(self, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
        """Held occurrences whose [starts_at, ends_at) meets [start, end), in order."""
        _check_window(start, end)
        return [o for o in self._starting(_minus(start, self._longest), end) if o.ends_at > start]

    def starting_between(self, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
        """Held occurrences with start <= starts_at < end, in order: the starts missed
        between two looks at the clock (a suspend, a clock jump)."""
        _check_window(start, end)
        return self._starting(start, end)

    def running_at(self, moment: dt.datetime) -> list[Occurrence]:
        """What should be running at ``moment``: starts_at <= moment < ends_at, in order.
        A start that passed while the machine slept still counts until its end."""
        return self.due(moment)

    def due(self, at: dt.datetime, grace: dt.timedelta | None = None) -> list[Occurrence]:
        """Occurrences running at ``at``; with ``grace``, only those that started at most
        ``grace`` before it (a policy of not starting a session joined too late)."""
        _check_window(at, at)
        back = self._longest if grace is None else min(grace, self._longest)
        return [o for o in self._starting(_minus(at, back), _plus_tick(at)) if o.ends_at > at]

    def next_after(self, moment: dt.datetime) -> Occurrence | None:
        """The first held occurrence starting strictly after ``moment`` (ties: lowest session
        id); None when none starts before the horizon's end."""
        _check_window(moment, moment)
        if not self._buckets:
            return None
        moment = moment.astimezone(_UTC)
        last = max(self._buckets)
        for key in range(max(moment.toordinal(), min(self._buckets)), last + 1):
            bucket = self._buckets.get(key)
            if bucket:
                i = bisect_right(bucket, moment, key=_START)
                if i < len(bucket):
                    return bucket[i]
        return None

    def next_starts_after(self, moment: dt.datetime) -> list[Occurrence]:
        """Every occurrence starting at the first start instant after ``moment``."""
        first = self.next_after(moment)
        if first is None:
            return []
        return self._starting(first.starts_at, _plus_tick(first.starts_at))

    def _starting(self, start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
        if not self._buckets or end <= start:
            return []
        start, end = start.astimezone(_UTC), end.astimezone(_UTC)
        low = max(start.toordinal(), min(self._buckets))
        high = min(end.toordinal(), max(self._buckets))
        out: list[Occurrence] = []
        for key in range(low, high + 1):
            bucket = self._buckets.get(key)
            if not bucket:
                continue
            i = bisect_left(bucket, start, key=_START) if key == low else 0
            j = bisect_left(bucket, end, key=_START) if key == high else len(bucket)
            out.extend(bucket[i:j])
        return out


def next_day(session: Session, today: dt.date) -> dt.date | None:
    """The date of a series' next occurrence on or after ``today`` (its own date for a
    one-off session); None when the series has ended."""
    if not session.is_recurring:
        return session.schedule
    try:
        rule = Recurrence.from_session(session)
    except ValueError:
        return None
    first, last = rule.series_bounds()
    low = max(today, first)
    # Every pattern repeats within a year: two years ahead always finds one if any is left.
    high = min(last or dt.date.max, low + dt.timedelta(days=800))
    if high < low:
        return None
    days = local_dates(rule, low, high)
    return days[0] if days else None
