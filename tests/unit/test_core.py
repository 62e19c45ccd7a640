from __future__ import annotations

import json
import logging
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from deepworkzone.core.fsutil import sweep_stale_temps, temp_name_pattern
from deepworkzone.core.logs import setup_logging
from deepworkzone.core.paths import app_paths
from deepworkzone.core.redact import redact
from deepworkzone.core.secrets import InsecureSecretStorageWarning, SecretStore
from deepworkzone.core.settings import Settings, load_settings, save_settings
from deepworkzone.store.journal import CorruptJournal, Journal


def test_home_override_puts_everything_under_one_folder(isolated_home) -> None:
    paths = app_paths()
    for folder in (paths.config_dir, paths.data_dir, paths.state_dir, paths.log_dir):
        assert folder.is_relative_to(isolated_home)


def test_settings_round_trip_and_bad_values_fall_back_to_defaults() -> None:
    save_settings(Settings(server_url="http://127.0.0.1:8765", proxy_port=50000))
    assert load_settings().proxy_port == 50000
    app_paths().settings_file.write_text(json.dumps({"proxy_port": 80, "server_url": "http://x"}))
    loaded = load_settings()
    assert loaded.proxy_port == Settings().proxy_port  # invalid: falls back
    assert loaded.server_url == "http://x"  # the valid one survives
    app_paths().settings_file.write_text("{not json")
    assert load_settings() == Settings()


def test_secrets_without_a_keyring_go_to_a_private_file_with_a_warning() -> None:
    store = SecretStore()
    assert not store.uses_keyring
    with pytest.warns(InsecureSecretStorageWarning):
        store.set("api_token", "dwz_secret")
    assert store.get("api_token") == "dwz_secret"
    mode = stat.S_IMODE(os.stat(app_paths().secrets_file).st_mode)
    assert mode == 0o600
    store.delete("api_token")
    assert store.get("api_token") is None


def test_tokens_never_reach_the_log_file() -> None:
    setup_logging()
    try:
        logging.getLogger("t").warning("calling with %s and Bearer abc.def", "xoxp-1234-5678")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = app_paths().log_file.read_text()
        assert "xoxp-1234" not in text and "abc.def" not in text
        assert "***" in text
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_deepworkzone", False):
                logging.getLogger().removeHandler(handler)
                handler.close()


def test_redact_keeps_the_rest_of_the_message() -> None:
    assert redact("token dwz_AbC-12 refused") == "token *** refused"


def test_a_corrupt_journal_is_moved_aside_not_lost(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.json")
    journal.path.write_text("{torn")
    with pytest.raises(CorruptJournal):
        journal.load()
    assert (tmp_path / "journal.corrupt").read_text() == "{torn"
    assert journal.load() is None


def test_journal_records_survive_in_a_new_reader(tmp_path) -> None:
    Journal(tmp_path / "j.json").begin({"name": "x"}, datetime(2030, 1, 1, tzinfo=UTC))
    Journal(tmp_path / "j.json").record("hosts", {"domains": ["a.com"]})
    data = Journal(tmp_path / "j.json").load()
    assert data is not None
    assert data["effects"]["hosts"] == {"domains": ["a.com"]}
    assert Journal.ends_at(data) == datetime(2030, 1, 1, tzinfo=UTC)


_KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from deepworkzone.core import fsutil
os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)  # killed before the rename
fsutil.atomic_write(Path(sys.argv[1]), b"new", mode=0o600)
"""


def _age(path: Path, seconds: float = 60) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_a_write_killed_before_its_rename_leaves_a_temp_file_that_the_sweep_removes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    target = folder / "journal.json"
    target.write_bytes(b"old")
    proc = subprocess.run([sys.executable, "-c", _KILLED_WRITE, str(target)], timeout=30)
    assert proc.returncode == -signal.SIGKILL
    left = [p for p in folder.iterdir() if p != target]
    assert len(left) == 1 and temp_name_pattern(target).fullmatch(left[0].name)
    assert target.read_bytes() == b"old"

    assert sweep_stale_temps(target) == []  # just written: it could be a write in progress
    _age(left[0])
    assert sweep_stale_temps(target) == left
    assert sorted(folder.iterdir()) == [target]


def test_the_sweep_removes_only_our_exact_temp_names(tmp_path: Path) -> None:
    target = tmp_path / "journal.json"
    ours = tmp_path / ".journal.json.ab_9cdef.tmp"
    others = [
        tmp_path / ".journal.json.abcdefg.tmp",  # seven characters, not mkstemp's eight
        tmp_path / ".journal.json.abcdefgh.tmp.keep",
        tmp_path / "journal.json.abcdefgh.tmp",
        tmp_path / ".journal.jsonXabcdefgh.tmp",
        tmp_path / ".hosts.abcdefgh.tmp",  # another target's
        tmp_path / ".journal.json.ABCDEFGH.tmp",
    ]
    for path in [ours, *others]:
        path.write_bytes(b"x")
        _age(path)
    link = tmp_path / ".journal.json.linklink.tmp"
    link.symlink_to(target)
    folder = tmp_path / ".journal.json.folderxx.tmp"
    folder.mkdir()
    assert sweep_stale_temps(target) == [ours]
    assert all(p.exists() for p in others) and link.is_symlink() and folder.is_dir()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_the_sweep_leaves_a_temp_file_of_another_user(tmp_path: Path) -> None:
    target = tmp_path / "hosts"
    theirs = tmp_path / ".hosts.abcdefgh.tmp"
    theirs.write_bytes(b"x")
    os.chown(theirs, 65534, 65534)
    _age(theirs)
    assert sweep_stale_temps(target) == []
    assert theirs.exists()


def test_removing_the_hosts_section_sweeps_our_stale_temp_files_beside_it(
    tmp_path: Path,
) -> None:
    from deepworkzone.blocking.hosts_blocker import remove_section

    (tmp_path / "etc").mkdir()
    hosts = tmp_path / "etc" / "hosts"
    hosts.write_bytes(b"127.0.0.1 localhost\n")
    stale = tmp_path / "etc" / ".hosts.k1ll3d__.tmp"
    stale.write_bytes(b"half")
    _age(stale)
    mine = tmp_path / "etc" / "hosts.mine.tmp"
    mine.write_bytes(b"not ours")
    _age(mine)
    assert remove_section(hosts) is False  # no section of ours: still swept
    assert not stale.exists() and mine.exists()
    assert hosts.read_bytes() == b"127.0.0.1 localhost\n"
