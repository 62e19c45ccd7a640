"""Session start times in the seed's "9:00 AM" form, and named time zones."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# [0-9], not \d, which also takes Arabic-Indic and other digits. \s stays Unicode: ICU
# puts a narrow no-break space before "AM" in times that users copy.
_TWELVE_HOUR = re.compile(r"^\s*([0-9]{1,2})(?::([0-9]{2}))?\s*([AaPp])\.?\s*[Mm]\.?\s*$")
_TWENTY_FOUR_HOUR = re.compile(r"^\s*([0-9]{1,2}):([0-9]{2})(?::00)?\s*$")


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
