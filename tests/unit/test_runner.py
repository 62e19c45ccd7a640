from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from deepworkzone.engine.runner import FocusRunner, StartFailed, run_until_end
from deepworkzone.store.journal import Journal


class Recorder:
    """An effect that logs what happens to it and checks the journal at the moment it acts."""

    kind: ClassVar[str] = "hosts"

    def __init__(
        self, log: list[str], journal: Journal, *, kind: str = "hosts", fail: str = ""
    ) -> None:
        self.kind = kind  # type: ignore[misc]
        self.log, self.journal, self.fail = log, journal, fail

    def apply(self, save: Any) -> None:
        save({"what": self.kind})
        data = self.journal.load()
        assert data is not None and data["effects"][self.kind] == {"what": self.kind}
        if self.fail == "apply":
            raise OSError("disk full")
        self.log.append(f"apply {self.kind}")

    def undo(self) -> None:
        if self.fail == "undo":
            raise OSError("permission denied")
        self.log.append(f"undo {self.kind}")

    @classmethod
    def from_record(cls, record: Any) -> Recorder:
        raise NotImplementedError


def _runner(journal: Journal, effects: list[Any], minutes: float = 10) -> FocusRunner:
    return FocusRunner(
        "Deep work", datetime.now(UTC) + timedelta(minutes=minutes), effects, journal=journal
    )


def test_changes_are_journalled_before_they_are_made_and_undone_in_reverse(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    runner = _runner(journal, [Recorder(log, journal), Recorder(log, journal, kind="slack")])
    runner.start()
    assert journal.load() is not None
    runner.finish()
    assert log == ["apply hosts", "apply slack", "undo slack", "undo hosts"]
    assert journal.load() is None


def test_a_failing_block_cancels_the_start_and_puts_everything_back(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    effects = [
        Recorder(log, journal, kind="apps"),
        Recorder(log, journal, kind="proxy", fail="apply"),
    ]
    # apps is optional but applied fine; the proxy is essential and fails.
    with pytest.raises(StartFailed, match="Blocking proxy: disk full"):
        _runner(journal, effects).start()
    assert log == ["apply apps", "undo proxy", "undo apps"]
    # Everything was put back, so no journal is left for `block status` to call interrupted.
    assert journal.load() is None
    assert not journal.path.exists()


def test_a_failed_start_whose_undo_fails_keeps_the_journal_for_unblock(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    effects = [
        Recorder(log, journal, kind="apps", fail="undo"),
        Recorder(log, journal, kind="proxy", fail="apply"),
    ]
    with pytest.raises(StartFailed):
        _runner(journal, effects).start()
    data = journal.load()
    assert data is not None and list(data["effects"]) == ["apps"]


def test_a_failing_snooze_is_a_warning_and_the_session_goes_on(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    warnings: list[str] = []
    runner = FocusRunner(
        "x",
        datetime.now(UTC) + timedelta(minutes=5),
        [Recorder(log, journal), Recorder(log, journal, kind="slack", fail="apply")],
        journal=journal,
        on_warning=warnings.append,
    )
    runner.start()
    assert runner.report.applied == ["hosts"]
    assert warnings == ["Slack snooze skipped: disk full"]
    runner.finish()
    assert journal.load() is None


def test_an_undo_that_fails_keeps_its_journal_entry_for_unblock(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    runner = _runner(
        journal, [Recorder(log, journal), Recorder(log, journal, kind="teams", fail="undo")]
    )
    runner.start()
    report = runner.finish()
    assert report.undo_errors == ["Teams Do Not Disturb could not be put back: permission denied"]
    data = journal.load()
    assert data is not None and list(data["effects"]) == ["teams"]


def test_the_timer_follows_the_wall_clock_end_time(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    runner = FocusRunner("x", datetime.now(UTC) + timedelta(seconds=0.3), [], journal=journal)
    ticks: list[timedelta] = []
    report = run_until_end(runner, ticks.append)
    assert not report.ended_early
    assert ticks[-1] == timedelta(0)


def test_stop_request_ends_the_session_early(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    log: list[str] = []
    runner = _runner(journal, [Recorder(log, journal)], minutes=60)
    threading.Timer(0.2, runner.request_stop).start()
    report = run_until_end(runner)
    assert report.ended_early
    assert log == ["apply hosts", "undo hosts"]
    assert journal.load() is None


def test_soft_warnings_of_an_applied_effect_reach_the_user(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    effect = Recorder([], journal, kind="teams")
    effect.warnings = ["Teams has not shown Do Not Disturb yet"]  # type: ignore[attr-defined]
    warnings: list[str] = []
    runner = FocusRunner(
        "x",
        datetime.now(UTC) + timedelta(minutes=5),
        [effect],
        journal=journal,
        on_warning=warnings.append,
    )
    runner.start()
    runner.finish()
    assert warnings == ["Teams has not shown Do Not Disturb yet"]
