"""The honest-coverage panel: the engine's report for the method chosen in Settings (it
follows the choice before it is saved), and "why is / isn't this site blocked?" for a typed
address, planned (Settings) and for the running session (the focus view's dialog)."""

from __future__ import annotations

from typing import Any

from deepworkzone.engine.coverage import CLIENTS
from deepworkzone.gui.dialogs.settings import open_settings
from tests.gui.conftest import wait_for


def _settle(qtbot: Any, ctx: Any) -> None:
    for _ in range(3):
        wait_for(qtbot, ctx)
        qtbot.wait(20)


def _coverage_page(qtbot: Any, ctx: Any) -> Any:
    dialog = open_settings(ctx, None, "coverage")
    qtbot.addWidget(dialog)
    dialog.show()
    _settle(qtbot, ctx)
    return dialog


def _row_names(panel: Any) -> list[str]:
    return [w.accessibleName() for w in panel._rows if w.accessibleName()]


def test_settings_show_what_the_chosen_method_reaches(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    dialog = _coverage_page(qtbot, ctx)
    panel = dialog.coverage
    assert panel.isVisible()
    assert panel.report is not None and panel.report.method == "hosts"  # the saved setting
    assert len(_row_names(panel)) == len(CLIENTS)
    assert "hosts file" in panel.title.text()
    # hosts reaches programs that ignore the proxy; the proxy does not: the page follows
    # the choice on the Blocking page at once, before anything is saved.
    others = CLIENTS["other_programs"]
    assert f"{others}: reached" in _row_names(panel)
    dialog.blocking.method.setCurrentIndex(dialog.blocking.method.findData("proxy"))
    _settle(qtbot, ctx)
    assert panel.report.method == "proxy" and "blocking proxy" in panel.title.text()
    assert f"{others}: not reached" in _row_names(panel)
    gap = panel.report.cell("other_programs")
    assert gap.remedy  # says what to do about it
    assert panel.summary.text()  # the one-line summary


def test_why_a_typed_address_is_or_is_not_blocked(qtbot: Any, local_ctx: Any) -> None:
    ctx = local_ctx
    dialog = _coverage_page(qtbot, ctx)
    panel = dialog.coverage
    assert not panel.check.isEnabled()  # nothing typed yet
    qtbot.keyClicks(panel.url, "https://www.youtube.com/watch?v=x")
    qtbot.keyClick(panel.url, "\r")
    _settle(qtbot, ctx)
    answer = panel.answer
    assert answer is not None and answer.blocked and answer.category == "video"
    assert "youtube.com" in panel.why.text()
    panel.url.clear()
    qtbot.keyClicks(panel.url, "docs.python.org")
    panel.check.click()
    _settle(qtbot, ctx)
    assert panel.answer is not None and not panel.answer.blocked
    panel.url.clear()
    qtbot.keyClicks(panel.url, "http://exa mple..com/")
    panel.check.click()
    _settle(qtbot, ctx)
    assert panel.answer is None  # a clear message, not a traceback
    text = panel.why.text()
    assert text and "Traceback" not in text and "Error(" not in text


def test_the_focus_view_explains_the_running_session(qtbot: Any, local_ctx: Any) -> None:
    from deepworkzone.gui.views.focus import create as make

    ctx = local_ctx
    ctx.engine.start(sync=False)
    view = make(ctx)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    _settle(qtbot, ctx)
    view.quick_buttons[25].click()
    _settle(qtbot, ctx)
    assert view.running
    assert view.coverage_button.isVisibleTo(view)
    view.coverage_button.click()
    _settle(qtbot, ctx)
    panel = view.coverage_dialog.panel
    assert panel.report is not None and panel.report.method == ctx.engine.focus.status().method
    qtbot.keyClicks(panel.url, "m.youtube.com")
    panel.check.click()
    _settle(qtbot, ctx)
    assert panel.answer is not None and panel.answer.session == "running"
    assert panel.answer.blocked and "hosts" in panel.answer.layers
    view.coverage_dialog.reject()
    view.ask_reason = lambda: "done"
    view.end_button.click()
    _settle(qtbot, ctx)
