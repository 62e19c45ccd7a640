"""SessionsClient against the real server: join, leave, complete, participants, API keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.api.errors import AuthError, Conflict, NotFound, PermissionDenied
from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


def test_join_leave_complete_and_participants(live_server: LiveServer, session_body: Body) -> None:
    with (
        SessionsClient(live_server.url, live_server.create_user("owner@acme.test")) as owner,
        SessionsClient(live_server.url, live_server.create_user("mate@acme.test")) as mate,
    ):
        sid = owner.create_session_json(session_body(type="drop-in", is_public=True))["id"]

        joined = mate.join(sid)
        assert joined.joined is True and joined.role == "participant"
        assert joined.joined_at is not None
        # Joining again is harmless: that is why the client may retry it.
        assert mate.join(sid).joined is True
        people = {p.email: p for p in owner.participants(sid)}
        assert "mate@acme.test" in people

        left = mate.leave(sid)
        assert left.joined is False
        with pytest.raises(Conflict) as err:
            mate.leave(sid)  # not retried: a first "not joined" is the user's to hear
        assert "not joined" in str(err.value)

        done = owner.complete(sid, focused_minutes=50)
        assert done.completed_at is not None
        assert owner.get_session(sid).status == "completed"
        assert owner.participants(sid, date=dt.date(2025, 1, 1))


def test_join_of_a_session_one_may_not_see_is_not_found(
    live_server: LiveServer, session_body: Body
) -> None:
    with (
        SessionsClient(live_server.url, live_server.create_user("owner@acme.test")) as owner,
        SessionsClient(live_server.url, live_server.create_user("x@other.test", "other")) as other,
    ):
        sid = owner.create_session_json(session_body(is_public=False, type="standard"))["id"]
        with pytest.raises(NotFound):
            other.join(sid)


def test_api_keys_create_list_and_revoke(live_server: LiveServer) -> None:
    with SessionsClient(live_server.url, live_server.create_user("me@acme.test")) as me:
        created = me.create_api_key("laptop", "USER")
        assert created.token and created.name == "laptop"
        listed = {k.name: k for k in me.list_api_keys()}
        assert listed["laptop"].role == "USER"
        assert not hasattr(listed["laptop"], "token")

        with SessionsClient(live_server.url, created.token) as laptop:
            laptop.check_token()
            me.revoke_api_key(created.id)
            with pytest.raises(AuthError):
                laptop.check_token()
        assert "laptop" not in {k.name for k in me.list_api_keys()}


def test_a_guest_key_reads_public_sessions_but_cannot_create(
    live_server: LiveServer, session_body: Body
) -> None:
    with SessionsClient(live_server.url, live_server.create_user("owner@acme.test")) as owner:
        public = owner.create_session_json(session_body(is_public=True))["id"]
        owner.create_session_json(session_body(is_public=False, name="hidden"))
    guest_token = live_server.create_user("guest@acme.test", role="GUEST")
    with SessionsClient(live_server.url, guest_token) as guest:
        guest.check_token()
        assert [s.id for s in guest.list_sessions()] == [public]
        with pytest.raises(PermissionDenied) as err:
            guest.create_session_json(session_body())
        assert "GUEST" in str(err.value) and err.value.exit_code == 1
