from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, datetime

import pytest

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
