"""Drop-in view against the real server: a colleague's public drop-in running now, join it
and see yourself among the participants, leave again; refreshes only while visible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from deepworkzone.api.config import Connection
from deepworkzone.domain.clock import ManualClock
from deepworkzone.engine.sessions_service import SessionsService
from deepworkzone.gui.views import dropin
from tests.gui.conftest import make_ctx, wait_for


def test_join_a_dropin_and_see_yourself(qtbot: Any, live_server: Any, session_body: Any) -> None:
    host = live_server.create_user("host@acme.test")
    me = live_server.create_user("me@acme.test")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    starts = now - timedelta(minutes=10)
    body = session_body(
        name="Open writing hour",
        type="drop-in",
        is_public=True,
        duration=120,
        schedule=starts.date().isoformat(),
        time=starts.strftime("%H:%M"),
        timezone="UTC",
    )
    assert live_server.client(host).post("/sessions", json=body).status_code == 201
    private = session_body(
        name="Not for you",
        type="drop-in",
        is_public=False,
        duration=120,
        schedule=starts.date().isoformat(),
        time=starts.strftime("%H:%M"),
        timezone="UTC",
    )
    live_server.client(host).post("/sessions", json=private)
    clock = ManualClock(now)
    ctx = make_ctx(SessionsService(Connection(live_server.url, me), clock=clock), clock)
    try:
        view = dropin.create(ctx)
        qtbot.addWidget(view)
        view.show()
        wait_for(qtbot, ctx)
        assert view.timer.isActive()  # visible: participants refresh every 30 s
        assert [d.session.name for d in view.dropins] == ["Open writing hour"]
        assert "Running now" in view.list.item(0).text()
        assert view.join_button.isEnabled() and not view.leave_button.isEnabled()
        assert "me@acme.test" not in view.model.emails()
        view.join_button.click()
        wait_for(qtbot, ctx)
        assert "me@acme.test" in view.model.emails()
        assert view.leave_button.isEnabled() and not view.join_button.isEnabled()
        view.leave_button.click()
        wait_for(qtbot, ctx)
        assert "me@acme.test" not in view.model.emails()
        view.hide()
        assert not view.timer.isActive()
    finally:
        ctx.bridge.wait()
        ctx.engine.shutdown()


def test_local_only_says_a_server_is_needed(qtbot: Any, local_ctx: Any) -> None:
    view = dropin.create(local_ctx)
    qtbot.addWidget(view)
    wait_for(qtbot, local_ctx)
    assert not view.message.isHidden() and "sign in" in view.message.text()
    assert not view.join_button.isEnabled()


def test_joined_comes_from_the_servers_participation(
    qtbot: Any, live_server: Any, session_body: Any
) -> None:
    """Joined elsewhere (another machine, the CLI): the view opens with Leave, not Join."""
    host = live_server.create_user("host@acme.test")
    me = live_server.create_user("me@acme.test")
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    starts = now - timedelta(minutes=5)
    body = session_body(
        name="Quiet hour",
        type="drop-in",
        is_public=True,
        duration=60,
        schedule=starts.date().isoformat(),
        time=starts.strftime("%H:%M"),
        timezone="UTC",
    )
    made = live_server.client(host).post("/sessions", json=body)
    assert made.status_code == 201
    sid = made.json()["id"]
    joined = live_server.client(me).post(
        f"/sessions/{sid}/join", json={"date": starts.date().isoformat()}
    )
    assert joined.status_code in (200, 201), joined.text
    clock = ManualClock(now)
    ctx = make_ctx(SessionsService(Connection(live_server.url, me), clock=clock), clock)
    try:
        view = dropin.create(ctx)
        qtbot.addWidget(view)
        view.show()
        wait_for(qtbot, ctx)
        assert [d.session.name for d in view.dropins] == ["Quiet hour"]
        assert view.leave_button.isEnabled() and not view.join_button.isEnabled()
        view.leave_button.click()
        wait_for(qtbot, ctx)
        assert view.join_button.isEnabled()
        view.refresh()  # the server now says I left
        wait_for(qtbot, ctx)
        assert view.join_button.isEnabled() and not view.leave_button.isEnabled()
    finally:
        ctx.bridge.wait()
        ctx.engine.shutdown()
