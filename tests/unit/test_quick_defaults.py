"""Quick sessions use the settings' own site lists when the caller gives none; the lists
hold domains in normal form and refuse anything else; the hosts-helper line; the XDG
autostart entry."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from deepworkzone.core.settings import Settings, load_settings, save_settings
from deepworkzone.engine import autostart, helper_status
from deepworkzone.engine.requests import quick_request


def _settings() -> Settings:
    return Settings(
        default_categories=["gaming"],
        default_urls=["https://www.Reddit.com/", "news.ycombinator.com", "reddit.com"],
        default_allow=["docs.python.org"],
    )


def test_site_lists_are_normalised_and_bad_entries_refused() -> None:
    s = _settings()
    assert s.default_urls == ["reddit.com", "news.ycombinator.com"]
    with pytest.raises(ValidationError) as caught:
        s.default_allow = ["ok.example", "not a site"]
    assert "not a site" in str(caught.value)
    assert s.default_allow == ["docs.python.org"]


def test_a_bad_list_on_disk_falls_back_to_its_default() -> None:
    save_settings(_settings())
    assert load_settings().default_urls == ["reddit.com", "news.ycombinator.com"]
    from deepworkzone.core.paths import app_paths

    file = app_paths().settings_file
    file.write_text(file.read_text().replace('"reddit.com"', '"http://[::1"'), encoding="utf-8")
    loaded = load_settings()
    assert loaded.default_urls == [] and loaded.default_allow == ["docs.python.org"]


def test_quick_request_uses_the_default_lists_when_given_none() -> None:
    r = quick_request(25, settings=_settings())
    assert (r.categories, r.urls, r.allow) == (
        ["gaming"],
        ["reddit.com", "news.ycombinator.com"],
        ["docs.python.org"],
    )
    assert r.mode == "preset"


def test_quick_request_keeps_what_the_caller_chose() -> None:
    r = quick_request(25, urls=["x.example"], allow=["y.example"], settings=_settings())
    assert (r.categories, r.urls, r.allow, r.mode) == ([], ["x.example"], ["y.example"], "custom")
    only_urls = Settings(default_categories=[], default_urls=["reddit.com"])
    r = quick_request(25, settings=only_urls)
    assert (r.categories, r.urls, r.mode) == ([], ["reddit.com"], "custom")
    r = quick_request(25, allowlist=True, settings=_settings())
    assert (r.mode, r.urls, r.allow) == ("allowlist", [], ["docs.python.org"])


def test_helper_not_needed_when_the_hosts_file_is_writable(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("127.0.0.1 localhost\n")
    status = helper_status.helper_status("linux", hosts)
    assert not status.needed
    assert status.sentence.startswith("not needed: the hosts file")
    assert str(helper_status.privilege.INSTALLED_HELPER) in status.looked_in


def test_helper_missing_says_what_it_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_text("")
    hosts.chmod(0o444)
    monkeypatch.setattr(helper_status.privilege, "can_write_directly", lambda _p: False)
    monkeypatch.setattr(helper_status, "_candidates", lambda _p: [("PATH", None)])
    status = helper_status.helper_status("linux", hosts)
    assert (status.installed, status.needed, status.looked_in) == (False, True, ["PATH"])
    assert status.sentence == (
        "needs setting up once (asks for an administrator password, once), or block with the proxy"
    )
    found = [("PATH", "/opt/bin/deepworkzone-helper")]
    monkeypatch.setattr(helper_status, "_candidates", lambda _p: found)
    monkeypatch.setattr(helper_status.shutil, "which", lambda _n: "/usr/bin/pkexec")
    status = helper_status.helper_status("linux", hosts)
    assert status.installed and "without its polkit policy" in status.sentence


def test_autostart_writes_and_removes_the_xdg_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    entry = tmp_path / "cfg" / "autostart" / "deepworkzone.desktop"
    assert autostart.entry_path() == entry and not autostart.status().enabled
    assert autostart.enable("/home/me/my apps/deepworkzone").enabled
    text = entry.read_text()
    assert "[Desktop Entry]" in text and 'Exec="/home/me/my apps/deepworkzone"\n' in text
    entry.write_text(text + "Hidden=true\n")
    assert not autostart.status().enabled  # turned off by the desktop's own settings
    assert autostart.set_enabled(True).enabled and "Hidden" not in entry.read_text()
    assert not autostart.disable().enabled and not entry.exists()
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative")  # invalid by the spec: ignored
    assert autostart.entry_path() == Path.home() / ".config" / "autostart" / "deepworkzone.desktop"
