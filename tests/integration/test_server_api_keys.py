"""API keys: the token is shown once, stored hashed, listed without it, revoked at once."""

from __future__ import annotations

import sqlite3

from tests.integration.conftest import LiveServer


def test_create_list_use_and_revoke_a_key(live_server: LiveServer) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    created = me.post("/api-keys", json={"name": "laptop", "role": "GUEST"})
    assert created.status_code == 201
    key = created.json()
    assert key["name"] == "laptop" and key["role"] == "GUEST"
    assert key["token"].startswith("dwz_") and len(key["token"]) > 40

    listed = me.get("/api-keys").json()
    assert [k["name"] for k in listed] == ["test key for me@acme.test", "laptop"]
    assert all("token" not in k for k in listed)
    assert listed[0]["last_used_at"] is not None  # this very request used it
    assert listed[1]["last_used_at"] is None

    laptop = live_server.client(key["token"])
    assert laptop.get("/sessions").status_code == 200
    assert me.delete(f"/api-keys/{key['id']}").status_code == 204
    assert laptop.get("/sessions").status_code == 401
    assert [k["name"] for k in me.get("/api-keys").json()] == ["test key for me@acme.test"]
    assert me.delete(f"/api-keys/{key['id']}").status_code == 404


def test_the_database_holds_no_token(live_server: LiveServer) -> None:
    token = live_server.create_user("me@acme.test")
    path = live_server.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        dump = "\n".join(db.iterdump())
    assert token not in dump
    assert token.removeprefix("dwz_") not in dump


def test_someone_elses_key_cannot_be_revoked(live_server: LiveServer) -> None:
    mine = live_server.client(live_server.create_user("me@acme.test"))
    theirs_token = live_server.create_user("mate@acme.test")
    theirs = live_server.client(theirs_token)
    their_key = theirs.get("/api-keys").json()[0]["id"]
    assert mine.delete(f"/api-keys/{their_key}").status_code == 404
    assert theirs.get("/sessions").status_code == 200


def test_bad_key_requests_are_422(live_server: LiveServer) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    response = me.post("/api-keys", json={"name": "", "role": "ADMIN"})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"body.name", "body.role"}
