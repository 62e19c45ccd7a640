"""Settings, Blocking page: the own site lists round-trip, a bad entry is refused next to its
field; the hosts-helper line is the engine's sentence; the start-at-login checkbox writes and
removes the XDG autostart entry (XDG_CONFIG_HOME in the test's folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deepworkzone.core.settings import load_settings
from deepworkzone.engine import helper_status
from tests.gui.conftest import wait_for
from tests.gui.test_settings import _dialog


@pytest.fixture(autouse=True)
def xdg_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "autostart" / "deepworkzone.desktop"


def _ok(qtbot: Any, d: Any) -> None:
    with qtbot.waitSignal(d.saved, timeout=10_000):
        d.ok_button.click()


def test_site_lists_round_trip(qtbot: Any, local_ctx: Any) -> None:
    d = _dialog(qtbot, local_ctx, "blocking")
    assert d.blocking.urls.sites() == [] and d.blocking.allow.sites() == []
    d.blocking.urls.edit.setPlainText("https://www.Reddit.com/\nnews.ycombinator.com\n\n")
    d.blocking.allow.edit.setPlainText("docs.python.org")
    _ok(qtbot, d)
    saved = load_settings()
    assert saved.default_urls == ["reddit.com", "news.ycombinator.com"]
    assert saved.default_allow == ["docs.python.org"]
    assert local_ctx.engine.settings.default_urls == saved.default_urls  # the engine follows

    again = _dialog(qtbot, local_ctx, "blocking")
    assert again.blocking.urls.edit.toPlainText() == "reddit.com\nnews.ycombinator.com"
    assert again.blocking.allow.sites() == ["docs.python.org"]


def test_a_bad_domain_is_shown_next_to_its_field(qtbot: Any, local_ctx: Any) -> None:
    d = _dialog(qtbot, local_ctx, "reminders")
    d.blocking.urls.edit.setPlainText("reddit.com\nexample.com/some/page")
    d.blocking.allow.edit.setPlainText("docs.python.org")
    d.ok_button.click()
    wait_for(qtbot, local_ctx)
    assert d.isVisible() and d.tabs.currentWidget() is d.blocking  # refused, page shown
    error = d.blocking.urls.error
    assert not error.isHidden() and "example.com/some/page" in error.text()
    assert d.blocking.allow.error.isHidden() and d.message.isHidden()
    assert load_settings().default_urls == []  # nothing written
    d.blocking.urls.edit.setPlainText("reddit.com\nexample.com")
    assert error.isHidden()  # typing clears it
    _ok(qtbot, d)
    assert load_settings().default_urls == ["reddit.com", "example.com"]


def test_the_helper_line_is_the_engines_sentence(qtbot: Any, local_ctx: Any) -> None:
    d = _dialog(qtbot, local_ctx, "blocking")
    expected = helper_status.helper_status()
    assert d.blocking.helper.text() == expected.sentence
    assert expected.sentence.startswith("not needed")  # the tests' hosts file is writable


def test_autostart_checkbox_writes_and_removes_the_entry(
    qtbot: Any, local_ctx: Any, xdg_config: Path
) -> None:
    d = _dialog(qtbot, local_ctx, "blocking")
    box = d.blocking.autostart
    assert box.isEnabled() and not box.isChecked() and not xdg_config.exists()
    box.setChecked(True)
    _ok(qtbot, d)
    wait_for(qtbot, local_ctx)
    text = xdg_config.read_text()
    assert "[Desktop Entry]" in text and "Exec=" in text and "deepworkzone" in text

    again = _dialog(qtbot, local_ctx, "blocking")
    assert again.blocking.autostart.isChecked()
    again.blocking.autostart.setChecked(False)
    _ok(qtbot, again)
    assert not xdg_config.exists()
