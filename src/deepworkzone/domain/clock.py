"""Session start times in the seed's "9:00 AM" form, named time zones, and the one clock."""

from __future__ import annotations

import re
import threading
import time as _time
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# [0-9], not \d, which also takes Arabic-Indic and other digits. The spaces are named, not
# \s (which differs between Python and the ECMA regexes of JSON Schema): ICU puts a narrow
# no-break space before "AM" in times that users copy.
_SP = r"[ \t\u00a0\u202f]*"
_TWELVE_HOUR = re.compile(
    rf"^{_SP}([0-9]{{1,2}})(?::([0-9]{{2}}))?{_SP}([AaPp])\.?{_SP}[Mm]\.?{_SP}$"
)
_TWENTY_FOUR_HOUR = re.compile(rf"^{_SP}([0-9]{{1,2}}):([0-9]{{2}})(?::00)?{_SP}$")
# Exactly what parse_clock accepts, ranges included: the ``time`` field's OpenAPI pattern.
CLOCK_PATTERN = (
    rf"^(?:{_SP}(?:0?[1-9]|1[0-2])(?::[0-5][0-9])?{_SP}[AaPp]\.?{_SP}[Mm]\.?{_SP}"
    rf"|{_SP}(?:[01]?[0-9]|2[0-3]):[0-5][0-9](?::00)?{_SP})$"
)


def parse_clock(text: str) -> time:
    """Read "9:00 AM", "9 pm", "09:00" or "21:30"; raise ValueError with a readable reason."""
    match = _TWELVE_HOUR.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise ValueError(f"{text!r} is not a valid time (use e.g. '9:00 AM' or '21:30')")
        hour = hour % 12 + (12 if match.group(3).lower() == "p" else 0)
        return time(hour, minute)
    match = _TWENTY_FOUR_HOUR.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r} is not a valid time (use e.g. '9:00 AM' or '21:30')")
        return time(hour, minute)
    raise ValueError(f"{text!r} is not a time (use e.g. '9:00 AM' or '21:30')")


def format_clock(value: time) -> str:
    """The seed's form: "9:00 AM", "12:30 PM", "12:00 AM" for midnight."""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ValueError if there is none."""
    try:
        return ZoneInfo(name)
    # OSError: a folder of the zone database ("America") is found but is not a zone.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(
            f"{name!r} is not a known time zone (use an IANA name such as Europe/Paris)"
        ) from exc


class Clock(Protocol):
    """Where every part of the app reads the time, so tests can move it.

    ``now()`` is the wall clock (aware, UTC): what sessions are scheduled against.
    ``monotonic()`` never jumps: comparing the two tells a suspend or clock change from time
    simply passing.
    """

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return _time.monotonic()


SYSTEM_CLOCK: Clock = SystemClock()


class ManualClock:
    """A clock that moves only when told: tests of a 90-minute session run in microseconds.

    ``advance`` moves both clocks (time passing while awake); ``sleep`` moves only the wall
    clock (a laptop suspended: the monotonic clock stops); ``jump`` moves only the wall clock
    too, the way an NTP step or a user changing the time does.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 1, 5, 8, 0, tzinfo=UTC)).astimezone(UTC)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float = 0, **delta: float) -> None:
        step = timedelta(seconds=seconds, **delta)
        with self._lock:
            self._now += step
            self._mono += step.total_seconds()

    def sleep(self, seconds: float = 0, **delta: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds, **delta)

    def jump(self, seconds: float = 0, **delta: float) -> None:
        self.sleep(seconds, **delta)

    def set(self, moment: datetime) -> None:
        """Move the wall clock to ``moment`` as time passing while awake."""
        with self._lock:
            step = moment.astimezone(UTC) - self._now
            self._now = moment.astimezone(UTC)
            self._mono += max(step.total_seconds(), 0.0)
