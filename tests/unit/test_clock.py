from __future__ import annotations

from datetime import time

import pytest

from deepworkzone.domain.clock import format_clock, parse_clock, zone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:00 AM", time(9, 0)),
        ("9:30 PM", time(21, 30)),
        ("12:00 AM", time(0, 0)),
        ("12:30 AM", time(0, 30)),
        ("12:00 PM", time(12, 0)),
        ("12:59 PM", time(12, 59)),
        ("11:59 PM", time(23, 59)),
        ("9 pm", time(21, 0)),
        ("9:15 a.m.", time(9, 15)),
        ("  7:05am ", time(7, 5)),
        ("9:00\u202fAM", time(9, 0)),  # ICU's narrow no-break space
        ("09:00", time(9, 0)),
        ("21:30", time(21, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("21:30:00", time(21, 30)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "noon",
        "13:00 PM",
        "0:30 AM",
        "9:60 AM",
        "24:00",
        "21:60",
        "21:30:15",
        "9",
        "9:0 AM",
        "9:00 XM",
        "٩:٠٠ AM",  # Arabic-Indic digits
        "９:００",  # full-width digits
    ],
)
def test_parse_clock_refuses_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="time"):
        parse_clock(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(0, 0), "12:00 AM"),
        (time(0, 5), "12:05 AM"),
        (time(9, 0), "9:00 AM"),
        (time(11, 59), "11:59 AM"),
        (time(12, 0), "12:00 PM"),
        (time(13, 7), "1:07 PM"),
        (time(21, 30), "9:30 PM"),
        (time(23, 59), "11:59 PM"),
    ],
)
def test_format_clock(value: time, expected: str) -> None:
    assert format_clock(value) == expected


def test_every_minute_round_trips() -> None:
    for minute_of_day in range(24 * 60):
        value = time(minute_of_day // 60, minute_of_day % 60)
        assert parse_clock(format_clock(value)) == value


def test_zone_finds_iana_names() -> None:
    assert zone("Europe/Paris").key == "Europe/Paris"
    assert zone("UTC").key == "UTC"


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus", "America", "../etc/passwd", "/etc/localtime", "UTC\x00", "Europe/"],
)
def test_zone_refuses_unknown_names_with_value_error(name: str) -> None:
    with pytest.raises(ValueError, match="not a known time zone"):
        zone(name)
