"""Who may do what: other orgs, private sessions, GUEST keys, revoked and missing tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


@pytest.fixture
def sessions(live_server: LiveServer, session_body: Body) -> dict[str, int]:
    owner = live_server.client(live_server.create_user("owner@acme.test"))
    public = owner.post("/sessions", json=session_body(name="public")).json()["id"]
    private = owner.post("/sessions", json=session_body(name="private", is_public=False))
    return {"public": public, "private": private.json()["id"]}


def _every_session_request(session_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    path = f"/sessions/{session_id}"
    return [
        ("GET", path, {}),
        ("PUT", path, {"json": {"name": "taken over"}}),
        ("DELETE", path, {}),
        ("POST", f"{path}/join", {}),
        ("POST", f"{path}/leave", {}),
        ("POST", f"{path}/complete", {}),
        ("GET", f"{path}/participants", {}),
    ]


def test_another_orgs_sessions_are_404_everywhere(
    live_server: LiveServer, sessions: dict[str, int]
) -> None:
    outsider = live_server.client(live_server.create_user("eve@evil.test", org="evil"))
    for session_id in sessions.values():
        for method, path, extra in _every_session_request(session_id):
            response = outsider.request(method, path, **extra)
            assert response.status_code == 404, (method, path)
            assert response.json() == {"detail": f"session {session_id} not found"}
    assert outsider.get("/sessions").json() == []


def test_a_private_session_of_someone_else_is_404_even_in_the_org(
    live_server: LiveServer, sessions: dict[str, int]
) -> None:
    colleague = live_server.client(live_server.create_user("col@acme.test"))
    for method, path, extra in _every_session_request(sessions["private"]):
        assert colleague.request(method, path, **extra).status_code == 404, (method, path)
    assert [s["name"] for s in colleague.get("/sessions").json()] == ["public"]
    # Seeing a public session does not make it yours to change.
    assert colleague.put(f"/sessions/{sessions['public']}", json={"name": "x"}).status_code == 403
    assert colleague.delete(f"/sessions/{sessions['public']}").status_code == 403


def test_guest_keys_read_public_sessions_and_join_them_only(
    live_server: LiveServer, sessions: dict[str, int], session_body: Body
) -> None:
    guest = live_server.client(live_server.create_user("guest@acme.test", role="GUEST"))
    public, private = sessions["public"], sessions["private"]

    assert [s["name"] for s in guest.get("/sessions").json()] == ["public"]
    assert guest.get(f"/sessions/{public}").status_code == 200
    assert guest.get(f"/sessions/{public}/participants").status_code == 200
    assert guest.get(f"/sessions/{private}").status_code == 404
    joined = guest.post(f"/sessions/{public}/join")
    assert joined.status_code == 200
    assert joined.json()["joined"] is True

    refused = {
        "create": guest.post("/sessions", json=session_body()),
        "update": guest.put(f"/sessions/{public}", json={"name": "x"}),
        "delete": guest.delete(f"/sessions/{public}"),
        "leave": guest.post(f"/sessions/{public}/leave"),
        "complete": guest.post(f"/sessions/{public}/complete"),
        "new key": guest.post("/api-keys", json={"name": "k"}),
        "list keys": guest.get("/api-keys"),
    }
    for action, response in refused.items():
        assert response.status_code == 403, action
        assert "GUEST key" in response.json()["detail"], action
    assert guest.post(f"/sessions/{private}/join").status_code == 404


def test_a_revoked_key_is_401_on_the_next_request(
    live_server: LiveServer, sessions: dict[str, int]
) -> None:
    token = live_server.create_user("owner@acme.test")
    client = live_server.client(token)
    assert client.get("/sessions").status_code == 200
    key_id = client.get("/api-keys").json()[-1]["id"]
    other_client = live_server.client(live_server.create_user("owner@acme.test"))
    assert other_client.delete(f"/api-keys/{key_id}").status_code == 204

    response = client.get("/sessions")
    assert response.status_code == 401
    assert response.json() == {"detail": "unknown or revoked API key"}
    assert response.headers["www-authenticate"] == "Bearer"
    assert other_client.get("/sessions").status_code == 200


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer dwz_not-a-real-token", "Bearer abc"],
)
def test_missing_malformed_or_unknown_tokens_are_401(live_server: LiveServer, header: str) -> None:
    client = live_server.client()
    headers = {"Authorization": header} if header else {}
    for method, path in (("GET", "/sessions"), ("POST", "/sessions"), ("GET", "/api-keys")):
        response = client.request(method, path, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert "detail" in response.json()


def test_every_answer_is_utf8_json_with_a_detail_on_errors(live_server: LiveServer) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    answers = {
        200: client.get("/sessions"),
        401: live_server.client().get("/sessions"),
        404: client.get("/sessions/12345"),
        422: client.get("/sessions", params={"date": "soon"}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json; charset=utf-8", status
        if status >= 400:
            assert "detail" in response.json()
