from __future__ import annotations

import threading

import pytest

from deepworkzone.blocking.apps import AppBlocker, normalise_process_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Steam.EXE ", "steam"),
        ("steam", "steam"),
        ("Discord.exe", "discord"),
        ("exe", "exe"),
        ("my.exec", "my.exec"),
    ],
)
def test_names_are_matched_case_insensitively_without_exe(raw: str, expected: str) -> None:
    assert normalise_process_name(raw) == expected


def test_no_names_means_no_watcher() -> None:
    records: list[dict[str, object]] = []
    blocker = AppBlocker(["", "  "])
    blocker.apply(records.append)
    assert records == [{"names": []}]
    assert not any(t.name == "dwz-app-blocker" for t in threading.enumerate())
    blocker.undo()


def test_record_round_trip_drops_junk() -> None:
    blocker = AppBlocker.from_record(
        {"names": ["Steam.exe", 3, None, "steam", "epicgameslauncher"]}
    )
    assert blocker.process_names == ["epicgameslauncher", "steam"]
