"""Recovery after a session that did not finish: the cases the kill suite found."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from deepworkzone.blocking.hosts_blocker import HostsBlocker, hosts_path
from deepworkzone.engine.instance_lock import InstanceLock
from deepworkzone.engine.recovery import recover_expired, unblock, unblock_everything
from deepworkzone.store.journal import Journal

MARK = b"Deep Work Zone"


def _blocked_session(journal: Journal, *, ends_at: datetime) -> bytes:
    """A session that blocked a site in the hosts file, then died; answers the file before."""
    before = hosts_path().read_bytes()
    journal.begin({"name": "Deep work", "pid": 2**22 + 7}, ends_at)

    def save(record: Any) -> None:
        journal.record("hosts", record)

    HostsBlocker(["distraction.example"], until=ends_at).apply(save)
    assert MARK in hosts_path().read_bytes()
    return before


def _add_effect(journal: Journal, kind: str, record: dict[str, Any]) -> None:
    data = json.loads(journal.path.read_text())
    data["effects"][kind] = record
    journal.path.write_text(json.dumps(data))


def test_an_unknown_kind_is_set_aside_and_the_rest_is_recovered(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    before = _blocked_session(journal, ends_at=datetime.now(UTC) + timedelta(minutes=30))
    _add_effect(journal, "hologram", {"from": "a newer version"})

    result = unblock(journal)
    assert result is not None
    assert result.complete and result.restored == ["hosts"] and result.unknown == ["hologram"]
    assert hosts_path().read_bytes() == before
    assert not journal.path.exists()
    kept = journal.path.with_name("journal.json.unknown-hologram")
    assert json.loads(kept.read_text())["effects"]["hologram"] == {"from": "a newer version"}
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    assert unblock(journal) is None  # not kept forever: the next unblock has nothing to do


def test_an_unknown_kind_with_an_odd_name_is_kept_under_a_safe_file_name(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.json")
    journal.begin({"name": "x"}, datetime.now(UTC) - timedelta(minutes=1))
    _add_effect(journal, "../../etc/passwd", {})
    result = recover_expired(journal)
    assert result is not None and result.complete and result.unknown == ["../../etc/passwd"]
    kept = [p.name for p in tmp_path.iterdir() if p.name.startswith("journal.json.")]
    assert kept == ["journal.json.unknown-______etc_passwd"]


def test_unblock_with_a_corrupt_journal_still_removes_our_hosts_section(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    before = _blocked_session(journal, ends_at=datetime.now(UTC) + timedelta(minutes=30))
    journal.path.write_text('{"effects": {"hosts"')  # torn by something other than us

    result = unblock_everything(journal)
    assert result.corrupt is not None and "moved to" in result.corrupt
    assert result.orphan_hosts and not result.errors and not result.nothing
    assert hosts_path().read_bytes() == before
    assert journal.path.with_suffix(".corrupt").exists()
    assert unblock_everything(journal).nothing


def test_startup_recovery_with_a_corrupt_journal_removes_an_expired_section(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    before = _blocked_session(journal, ends_at=datetime.now(UTC) - timedelta(minutes=1))
    journal.path.write_text("not json")
    result = recover_expired(journal)
    assert result is not None and result.corrupt and result.restored == ["hosts"]
    assert hosts_path().read_bytes() == before


def test_startup_recovery_with_a_corrupt_journal_keeps_a_section_within_its_time(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    _blocked_session(journal, ends_at=datetime.now(UTC) + timedelta(minutes=30))
    journal.path.write_text("not json")
    result = recover_expired(journal)
    assert result is not None and result.corrupt and result.restored == []
    assert MARK in hosts_path().read_bytes()  # a crash is no way out of a session


def test_startup_recovery_leaves_everything_while_an_instance_runs(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    _blocked_session(journal, ends_at=datetime.now(UTC) - timedelta(minutes=1))
    journal.path.write_text("not json")
    lock = InstanceLock(kind="focus", socket=tmp_path / "sock")
    assert lock.acquire()
    try:
        assert recover_expired(journal) is None
    finally:
        lock.release()
    assert MARK in hosts_path().read_bytes()


def test_recovery_sweeps_the_temp_files_a_killed_journal_write_left(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "state" / "journal.json")
    journal.path.parent.mkdir(parents=True)
    stale = journal.path.parent / ".journal.json.x7_k2q9z.tmp"
    fresh = journal.path.parent / ".journal.json.abcd1234.tmp"
    other = journal.path.parent / ".settings.toml.x7_k2q9z.tmp"
    for path in (stale, fresh, other):
        path.write_text("{half")
    old = time.time() - 120
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert recover_expired(journal) is None
    assert not stale.exists() and fresh.exists() and other.exists()
    stale.write_text("{half")
    os.utime(stale, (old, old))
    assert unblock(journal) is None
    assert not stale.exists()
