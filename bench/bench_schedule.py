"""Scheduler planning: expanding recurring sessions into occurrences, and the index update.

    python bench/bench_schedule.py [--sessions 1000] [--index-sessions 10000] [--days 30]
                                   [--rounds 15] [--changes 200] [--seed 7]

Targets (bench/README.md, "Scheduler"):
- next 30 days of occurrences for 1,000 recurring sessions < 50 ms;
- with 10,000 sessions in the index, one change (upsert + asking the next occurrence)
  < 100 ms.

Each figure comes with baselines measured in the same run on the same sessions: a bare loop
over them, the straightforward expansion (``Recurrence.dates_between`` with dateutil's rrule
and ``start_at`` per date), and, for the index, a full rebuild.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import platform
import random
import statistics
import time
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

from deepworkzone.domain.models import Session
from deepworkzone.domain.occurrences import OccurrenceIndex, occurrences_between
from deepworkzone.domain.recurrence import Recurrence

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)  # a month across the March DST changes


def make_sessions(count: int, seed: int, first_id: int = 1) -> list[Session]:
    """Recurring sessions: a third daily, a third weekly (1-5 days), a third monthly (by day
    or by weekday), random zones, times and durations; some end soon, some have deleted days."""
    rng = random.Random(seed)
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and "Etc" not in z)
    out = []
    for n in range(count):
        schedule = NOW.date() - dt.timedelta(days=rng.randint(0, 400))
        body: dict[str, Any] = {
            "id": first_id + n,
            "name": f"Session {first_id + n}",
            "duration": rng.choice((25, 50, 60, 90, 120, 180)),
            "schedule": schedule.isoformat(),
            "time": f"{rng.randint(0, 23)}:{rng.choice((0, 15, 30, 45)):02d}",
            "timezone": rng.choice(zones),
            "is_recurring": 1,
        }
        kind = n % 3
        if kind == 0:
            body["occurrence"] = "daily"
        elif kind == 1:
            body["occurrence"] = "weekly"
            body["recurring_days"] = rng.sample(range(1, 8), rng.randint(1, 5))
        else:
            body["occurrence"] = "monthly"
            if rng.random() < 0.5:
                body["recurring_month_option"] = "exact"
                body["fallback_option"] = rng.randint(0, 1)
            else:
                body["recurring_month_option"] = "week"
                body["recurring_month_week_pos"] = rng.randint(1, 5)
                body["recurring_month_week_day"] = rng.randint(1, 7)
        if rng.random() < 0.1:
            body["recurring_ends"] = (
                NOW.date() + dt.timedelta(days=rng.randint(0, 40))
            ).isoformat()
        if rng.random() < 0.1:
            body["deleted_occurrences"] = [
                (NOW.date() + dt.timedelta(days=rng.randint(0, 30))).isoformat() for _ in range(3)
            ]
        out.append(Session.model_validate(body))
    return out


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per call, ``rounds`` calls, after one warm-up."""
    fn()
    times = []
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def ms(values: Sequence[float]) -> str:
    """Median (min, max), in ms, or µs when under 0.1 ms."""
    scale, unit = (1e3, "ms") if statistics.median(values) >= 1e-4 else (1e6, "µs")
    med, low, high = statistics.median(values) * scale, min(values) * scale, max(values) * scale
    return f"{med:.2f} {unit} (min {low:.2f}, max {high:.2f})"


def bare_loop(sessions: list[Session]) -> int:
    # The floor: touch what the expansion reads from every session, nothing else.
    total = 0
    for s in sessions:
        total += s.id + s.duration + len(s.timezone) + len(s.time) + len(s.recurring_days)
    return total


def rrule_expansion(sessions: list[Session], start: dt.datetime, end: dt.datetime) -> int:
    # The straightforward way: Recurrence.dates_between (dateutil rrule) and start_at.
    count = 0
    length_of = dt.timedelta
    for s in sessions:
        rule = Recurrence.from_session(s)
        tz = zoneinfo.ZoneInfo(rule.timezone)
        low = start.astimezone(tz).date() - dt.timedelta(days=2)
        high = end.astimezone(tz).date() + dt.timedelta(days=1)
        length = length_of(minutes=s.duration)
        for day in rule.dates_between(low, high):
            begins = rule.start_at(day).astimezone(dt.UTC)
            if begins < end and begins + length > start:
                count += 1
    return count


def bench_expansion(sessions: list[Session], days: int, rounds: int) -> dict[str, float]:
    end = NOW + dt.timedelta(days=days)
    found = occurrences_between(sessions, NOW, end)
    assert len(found) == rrule_expansion(sessions, NOW, end)
    ours = timed(lambda: occurrences_between(sessions, NOW, end), rounds)
    bare = timed(lambda: bare_loop(sessions), rounds)
    naive = timed(lambda: rrule_expansion(sessions, NOW, end), max(3, rounds // 3))
    med = statistics.median
    print(f"\n{len(sessions):,} recurring sessions, next {days} days: {len(found):,} occurrences")
    print(f"  occurrences_between        {ms(ours)}   target < 50 ms")
    print(f"  bare loop over sessions    {ms(bare)}   ratio {med(ours) / med(bare):,.0f}x")
    print(
        f"  rrule + start_at (naive)   {ms(naive)}   ours is {med(naive) / med(ours):.1f}x faster"
    )
    per = med(ours) / len(found) * 1e6
    print(f"  per occurrence             {per:.2f} µs")
    return {"ours": med(ours), "bare": med(bare), "naive": med(naive)}


def bench_index(sessions: list[Session], days: int, changes: int, seed: int) -> None:
    rng = random.Random(seed)
    end = NOW + dt.timedelta(days=days)
    t0 = time.perf_counter()
    index = OccurrenceIndex(NOW, end, sessions)
    build = time.perf_counter() - t0
    held = len(index.occurrences())
    print(f"\nindex of {len(sessions):,} sessions, {days} days: {held:,} occurrences")
    print(f"  build (rebuild)            {build * 1e3:.1f} ms")
    fresh = make_sessions(changes, seed + 1, first_id=10**6)
    updates, removes, nexts, dues = [], [], [], []
    for n in range(changes):
        victim = rng.choice(sessions)
        # An edit: the victim's id with a new schedule (daily, weekly or monthly, new zone).
        edited = Session.model_validate({**fresh[n].model_dump(mode="json"), "id": victim.id})
        moment = NOW + dt.timedelta(minutes=rng.randint(0, days * 1440 - 1))
        gc.collect()
        t0 = time.perf_counter()
        index.upsert(edited)
        index.next_after(moment)
        updates.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        index.next_after(moment)
        nexts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        index.due(moment)
        dues.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        index.remove(edited.id)
        removes.append(time.perf_counter() - t0)
        index.upsert(victim)
    p95 = statistics.quantiles(updates, n=20)[-1]
    print(f"  upsert + next_after        {ms(updates)}, p95 {p95 * 1e3:.2f} ms   target < 100 ms")
    print(f"  next_after alone           {ms(nexts)}")
    print(f"  due(moment) alone          {ms(dues)}")
    print(f"  remove                     {ms(removes)}")
    print(
        f"  vs full rebuild            {build / statistics.median(updates):,.0f}x faster than rebuilding"
    )
    bare = timed(lambda: bare_loop(sessions), 5)
    ratio = statistics.median(updates) / statistics.median(bare)
    print(f"  bare loop over sessions    {ms(bare)}   upsert + next_after / bare = {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--index-sessions", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.platform()}")
    bench_expansion(make_sessions(args.sessions, args.seed), args.days, args.rounds)
    bench_index(make_sessions(args.index_sessions, args.seed), args.days, args.changes, args.seed)


if __name__ == "__main__":
    main()
