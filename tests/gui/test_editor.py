"""The session editor: every field to the real server and back, validation next to its
field (the server's 422 and our own check), and the recurring delete choice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QTime

from deepworkzone.domain.models import SessionCreate
from deepworkzone.gui.dialogs import confirm
from deepworkzone.gui.dialogs.editor import open_editor
from tests.gui.conftest import wait_for


def _editor(qtbot: Any, ctx: Any, session: Any = None, occurrence: Any = None) -> Any:
    dialog = open_editor(ctx, None, session, occurrence)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for(qtbot, ctx)  # categories and connections arrive through the bridge
    return dialog


def _fill_every_field(d: Any) -> None:
    g, b, s, r = d.general, d.blocking, d.snooze, d.repeat
    g.name.setText("Morning Deep Work")
    g.type.setCurrentIndex(g.type.findData("drop-in"))
    g.duration.setValue(60)
    g.date.setDate(QDate(2026, 11, 18))  # a Wednesday
    g.time.setTime(QTime(9, 0))
    g.public.setChecked(True)
    g.collaborators.setText("ana@acme.test")
    b.enabled.setChecked(True)
    b.set_mode("preset")
    b.chips.set_selected(["social-media", "gaming"])
    b.sites.setPlainText("news.ycombinator.com\nhttps://www.Reddit.com/")
    b.strict.setChecked(True)
    s.enabled.setChecked(True)
    s.apps["slack"].setChecked(True)
    s.apps["teams"].setChecked(True)
    r.repeat.setChecked(True)
    r.occurrence.setCurrentIndex(r.occurrence.findData("weekly"))
    r.days.set_days([1, 3, 5])
    r.has_end.setChecked(True)
    r.end.setDate(QDate(2027, 3, 31))


def test_create_with_every_field_and_read_it_back_from_the_server(
    qtbot: Any, server_ctx_factory: Any, live_server: Any
) -> None:
    ctx = server_ctx_factory("me@acme.test")
    ana = live_server.create_user("ana@acme.test")
    assert ana
    d = _editor(qtbot, ctx)
    _fill_every_field(d)
    with qtbot.waitSignal(d.saved, timeout=10_000) as saved:
        d.save()
    sid = saved.args[0].session.id
    raw = live_server.client(ctx.token).get(f"/sessions/{sid}").json()
    assert raw["name"] == "Morning Deep Work" and raw["type"] == "drop-in"
    assert (raw["duration"], raw["schedule"], raw["time"]) == (60, "2026-11-18", "9:00 AM")
    assert raw["is_public"] is True
    assert raw["collaborator"] == [live_server.user_id("ana@acme.test")]
    assert raw["website_blocker_enabled"] is True
    assert raw["website_blocker"]["mode"] == "preset"
    assert sorted(raw["website_blocker"]["category"]) == ["gaming", "social-media"]
    assert raw["website_blocker"]["urls"] == ["news.ycombinator.com", "https://www.Reddit.com/"]
    assert raw["website_blocker"]["strict"] is True
    assert raw["snooze_enabled"] is True and raw["snooze_apps"] == {"slack": True, "teams": True}
    assert (raw["is_recurring"], raw["occurrence"], raw["recurring_days"]) == (
        1,
        "weekly",
        [1, 3, 5],
    )
    assert (raw["recurring_start"], raw["recurring_ends"]) == (None, "2027-03-31")

    # Edit: the editor shows what the server has, and a change goes back to it.
    session = ctx.engine.sessions.get(sid).session
    e = _editor(qtbot, ctx, session)
    assert e.general.name.text() == "Morning Deep Work"
    assert sorted(e.blocking.chips.selected()) == ["gaming", "social-media"]
    assert e.repeat.days.days() == [1, 3, 5] and e.blocking.strict.isChecked()
    assert not e.snooze.apps["slack"].isEnabled()  # not connected: greyed, with a link
    assert "Connect" in e.snooze.status["slack"].text()
    e.repeat.occurrence.setCurrentIndex(e.repeat.occurrence.findData("monthly"))
    e.repeat.on_weekday.setChecked(True)
    e.repeat.week_pos.setCurrentIndex(e.repeat.week_pos.findData(5))
    e.repeat.week_day.setCurrentIndex(e.repeat.week_day.findData(5))
    with qtbot.waitSignal(e.saved, timeout=10_000):
        e.save()
    raw = live_server.client(ctx.token).get(f"/sessions/{sid}").json()
    assert raw["occurrence"] == "monthly" and raw["recurring_month_option"] == "week"
    assert (raw["recurring_month_week_pos"], raw["recurring_month_week_day"]) == (5, 5)


def test_the_servers_422_appears_next_to_the_field(qtbot: Any, server_ctx_factory: Any) -> None:
    ctx = server_ctx_factory("me@acme.test")
    d = _editor(qtbot, ctx)
    d.general.name.setText("With a stranger")
    d.general.date.setDate(QDate(2026, 11, 18))
    d.general.collaborators.setText("nobody@elsewhere.test")  # passes our check, not the server's
    d.save()
    wait_for(qtbot, ctx)
    label = d.errors.label("collaborator")
    assert label is not None and label.isVisible() and "nobody@elsewhere.test" in label.text()
    assert d.isVisible() and d.tabs.currentWidget() is d.general
    assert not d.banner.isVisible()


def test_local_checks_appear_next_to_their_field(qtbot: Any, local_ctx: Any) -> None:
    d = _editor(qtbot, local_ctx)
    d.general.name.setText("")
    d.save()  # refused before anything is sent
    assert not local_ctx.bridge.busy
    name_error = d.errors.label("name")
    assert name_error is not None and name_error.isVisible()
    d.general.name.setText("Fine")
    d.tabs.setCurrentIndex(0)
    d.blocking.sites.setPlainText("example.com\nnot a domain")
    sites_error = d.errors.label("website_blocker.urls")
    assert sites_error is not None and not sites_error.isHidden()  # as you type
    assert "line 2" in sites_error.text()
    d.save()
    assert d.tabs.currentIndex() == d.pages.index(d.blocking) and not local_ctx.bridge.busy
    d.blocking.sites.setPlainText("example.com")
    assert sites_error.isHidden()


def test_preview_says_what_is_blocked_and_how(qtbot: Any, local_ctx: Any) -> None:
    d = _editor(qtbot, local_ctx)
    d.blocking.set_mode("allowlist")
    d.blocking.sites.setPlainText("docs.python.org")
    d.blocking.refresh_preview()
    wait_for(qtbot, local_ctx)
    p = d.blocking.last_preview
    assert p is not None and p.allowlist_only and p.method == "proxy"
    assert "blocking proxy" in d.blocking.summary.text()


def _recurring(ctx: Any) -> Any:
    body = SessionCreate(
        name="Standup focus",
        duration=30,
        schedule=dt.date(2026, 11, 17),
        time="10:00",
        is_recurring=1,
        occurrence="daily",
    )
    return ctx.engine.sessions.create(body).session


def test_recurring_delete_asks_occurrence_or_series(
    qtbot: Any, local_ctx: Any, monkeypatch: Any
) -> None:
    session = _recurring(local_ctx)
    day = dt.date(2026, 11, 19)
    box = confirm.delete_box(None, session, day)
    qtbot.addWidget(box)
    choices = {b.property("choice") for b in box.buttons() if b.property("choice")}
    assert choices == {"occurrence", "series"}
    one = next(b for b in box.buttons() if b.property("choice") == "occurrence")
    one.click()
    assert confirm.choice_of(box) == "occurrence"

    d = _editor(qtbot, local_ctx, session, day)
    monkeypatch.setattr("deepworkzone.gui.dialogs.editor.confirm_delete", lambda *_a: "occurrence")
    with qtbot.waitSignal(d.deleted, timeout=10_000) as deleted:
        d.delete_button.click()
    assert deleted.args[0] == (session.id, "occurrence")
    left = local_ctx.engine.sessions.get(session.id).session
    assert left is not None and day in left.deleted_occurrences

    e = _editor(qtbot, local_ctx, left, day)
    monkeypatch.setattr("deepworkzone.gui.dialogs.editor.confirm_delete", lambda *_a: "series")
    with qtbot.waitSignal(e.deleted, timeout=10_000):
        e.delete_button.click()
    assert all(s.id != session.id for s in local_ctx.engine.sessions.list().sessions)


def test_a_one_off_delete_only_confirms(qtbot: Any, local_ctx: Any) -> None:
    body = SessionCreate(name="Once", duration=30, schedule=dt.date(2026, 11, 20), time="10:00")
    session = local_ctx.engine.sessions.create(body).session
    box = confirm.delete_box(None, session, None)
    qtbot.addWidget(box)
    assert [b.property("choice") for b in box.buttons() if b.property("choice")] == ["series"]
    box.reject()
    assert confirm.choice_of(box) is None
