"""`deepworkzone history` and `deepworkzone stats` on a real database in the test's home."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from deepworkzone.cli.main import main
from deepworkzone.store.db import connect
from deepworkzone.store.history import HistoryStore, RunRecord

FIELDS = [
    "name",
    "session_id",
    "occurrence",
    "started_at",
    "ended_at",
    "planned_minutes",
    "focused_minutes",
    "outcome",
    "reason",
]


def seed(*runs: RunRecord) -> None:
    conn = connect()
    try:
        store = HistoryStore(conn)
        for run in runs:
            store.record(run)
    finally:
        conn.close()


def sample() -> list[RunRecord]:
    return [
        RunRecord(
            session_id=4,
            occurrence=date(2026, 1, 5),
            name="Writing, the hard part",
            started_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            ended_at=datetime(2026, 1, 5, 10, 30, tzinfo=UTC),
            planned_minutes=90,
            focused_minutes=90,
            outcome="completed",
        ),
        RunRecord(
            name='Review "quick"',
            started_at=datetime(2026, 1, 6, 14, 0, tzinfo=UTC),
            ended_at=datetime(2026, 1, 6, 14, 12, tzinfo=UTC),
            planned_minutes=25,
            focused_minutes=12,
            outcome="ended_early",
            reason="fire alarm\nsecond line",
            strict=True,
            emergency_exit=True,
        ),
        RunRecord(
            session_id=5,
            occurrence=date(2026, 1, 7),
            name="Standup focus",
            started_at=None,
            ended_at=None,
            planned_minutes=30,
            outcome="missed",
            reason="the computer was asleep",
        ),
    ]


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_history_json_has_every_run_in_utc_with_z(capsys: pytest.CaptureFixture[str]) -> None:
    seed(*sample())
    runs = run_json(capsys, "history", "--json")
    assert isinstance(runs, list) and len(runs) == 3
    assert runs[0] == {
        "name": "Writing, the hard part",
        "session_id": 4,
        "occurrence": "2026-01-05",
        "started_at": "2026-01-05T09:00:00Z",
        "ended_at": "2026-01-05T10:30:00Z",
        "planned_minutes": 90,
        "focused_minutes": 90,
        "outcome": "completed",
        "reason": None,
        "strict": False,
        "emergency_exit": False,
    }
    assert [r["outcome"] for r in runs] == ["completed", "ended_early", "missed"]
    assert runs[1]["emergency_exit"] is True and runs[1]["session_id"] is None
    assert runs[2]["started_at"] is None and runs[2]["ended_at"] is None

    only = run_json(capsys, "history", "--json", "--since", "2026-01-07", "--until", "2026-01-07")
    assert [r["name"] for r in only] == ["Standup focus"]  # type: ignore[attr-defined]
    assert run_json(capsys, "history", "--json", "--since", "2030-01-01") == []


def test_history_csv_round_trips_to_the_same_runs_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(*sample())
    as_json = run_json(capsys, "history", "--json")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "deepworkzone.cli.main", "history", "--csv"],
        capture_output=True,
        env=env,
        timeout=60,
        check=True,
    )
    raw = proc.stdout
    assert raw.startswith(b"name,session_id,occurrence,started_at,")
    assert raw.endswith(b"\r\n") and b"\r\r\n" not in raw  # RFC 4180 line ends
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert list(rows[0]) == FIELDS
    expected = [
        {k: "" if r[k] is None else str(r[k]) for k in FIELDS}
        for r in as_json  # type: ignore[attr-defined]
    ]
    assert rows == expected
    assert rows[1]["reason"] == "fire alarm\nsecond line"  # quoted, not split
    assert rows[1]["name"] == 'Review "quick"'


def test_history_table_is_in_local_time_and_says_when_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["history"]) == 0
    assert capsys.readouterr().out.strip() == "no focus runs"
    seed(*sample())
    assert main(["history"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["WHEN", "NAME", "SESSION", "PLANNED", "FOCUSED", "OUTCOME", "REASON"]
    local = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert out[1].startswith(local) and "1h 30m" in out[1] and "completed" in out[1]
    assert "ended early (emergency)" in out[2]
    assert out[3].startswith("2026-01-07") and "missed" in out[3]


@pytest.mark.parametrize(
    "argv",
    [
        ["history", "--since", "2026-13-01"],
        ["history", "--until", "someday"],
        ["history", "--since", "2026-01-07", "--until", "2026-01-05"],
        ["history", "--json", "--csv"],
        ["stats", "--week", "--month"],
    ],
)
def test_a_bad_request_is_one_line_on_stderr_and_exit_1(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's errors exit from the parser
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert "error" in captured.err


def test_stats_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    today = now.astimezone().date()
    seed(
        RunRecord(
            name="Now",
            started_at=now - timedelta(minutes=1),
            ended_at=now,
            planned_minutes=1,
            focused_minutes=1,
            outcome="completed",
        )
    )
    week = run_json(capsys, "stats", "--json")
    assert isinstance(week, dict)
    assert week["period"] == "week" and len(week["days"]) == 7
    # The run started a minute ago: on today's local date, or yesterday's just after midnight.
    assert week["days"][-1]["date"] == today.isoformat()
    assert week["total_minutes"] == 1 and week["streak_days"] == 1
    month = run_json(capsys, "stats", "--month", "--json")
    assert len(month["days"]) == 30  # type: ignore[index]

    assert main(["stats"]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 1 + 7 + 2
    assert text[-2].startswith("Total") and text[-2].endswith("(1 minute)")
    assert text[-1] == "Streak  1 day"
