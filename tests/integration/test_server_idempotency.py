"""Idempotency-Key on POST /sessions and conditional listings (ETag, 304, 412), against the
real server on loopback."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import update

from deepworkzone.server.orm import IdempotencyKeyRow
from tests.integration.conftest import LiveServer, LiveServerFactory

Body = Callable[..., dict[str, Any]]


def _count(client: httpx.Client) -> int:
    return int(client.get("/sessions", params={"per_page": 1}).headers["X-Total-Count"])


def test_the_same_key_twice_creates_one_session_and_answers_the_first_result(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    headers = {"Idempotency-Key": "4b0e0a4e-1111-4a7c-9d1b-000000000001"}
    first = client.post("/sessions", json=session_body(name="Once"), headers=headers)
    again = client.post("/sessions", json=session_body(name="Once"), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content  # the same body, byte for byte
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(client) == 1


def test_the_same_key_from_another_user_is_another_request(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    other = live_server.client(live_server.create_user("other@acme.test"))
    headers = {"Idempotency-Key": "shared-key"}
    mine = me.post("/sessions", json=session_body(name="Mine"), headers=headers)
    theirs = other.post("/sessions", json=session_body(name="Theirs"), headers=headers)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["name"] == "Theirs"


def test_a_key_reused_for_another_body_is_refused(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    headers = {"Idempotency-Key": "k1"}
    assert client.post("/sessions", json=session_body(), headers=headers).status_code == 201
    reused = client.post("/sessions", json=session_body(duration=90), headers=headers)
    assert reused.status_code == 422
    assert "different request" in reused.text
    assert _count(client) == 1


def test_without_a_key_or_after_24_hours_a_post_creates_again(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    client.post("/sessions", json=session_body())
    client.post("/sessions", json=session_body())
    assert _count(client) == 2
    headers = {"Idempotency-Key": "old"}
    assert client.post("/sessions", json=session_body(), headers=headers).status_code == 201
    with live_server.app.state.sessions() as db:  # age the key past 24 hours
        db.execute(
            update(IdempotencyKeyRow).values(
                created_at=IdempotencyKeyRow.created_at - dt.timedelta(hours=25)
            )
        )
        db.commit()
    late = client.post("/sessions", json=session_body(), headers=headers)
    assert late.status_code == 201 and "Idempotent-Replayed" not in late.headers
    assert _count(client) == 4


def test_concurrent_requests_with_one_key_create_one_session(
    live_server: LiveServer, session_body: Body
) -> None:
    token = live_server.create_user("me@acme.test")
    answers: list[httpx.Response] = []
    start = threading.Barrier(8)

    def post() -> None:
        with httpx.Client(base_url=live_server.api_url, timeout=20) as client:
            start.wait()
            answers.append(
                client.post(
                    "/sessions",
                    json=session_body(name="Racing"),
                    headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"},
                )
            )

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201] * 8
    assert len({a.json()["id"] for a in answers}) == 1
    assert _count(live_server.client(token)) == 1


def test_a_listing_answers_304_while_nothing_changed_for_the_caller(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    me.post("/sessions", json=session_body(name="A"))
    first = me.get("/sessions")
    tag = first.headers["ETag"]
    unchanged = me.get("/sessions", headers={"If-None-Match": tag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["ETag"] == tag
    # Another query, another caller: other versions.
    assert me.get("/sessions", params={"per_page": 5}).headers["ETag"] != tag
    other = live_server.client(live_server.create_user("other@acme.test"))
    assert other.get("/sessions", headers={"If-None-Match": tag}).status_code == 200
    # Any change in the org makes it a 200 again.
    other.post("/sessions", json=session_body(name="B", is_public=False))
    changed = me.get("/sessions", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag


def test_if_match_on_a_later_page_is_412_once_the_listing_changed(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    for index in range(3):
        me.post("/sessions", json=session_body(name=f"S{index}"))
    page1 = me.get("/sessions", params={"per_page": 2})
    tag = page1.headers["ETag"]
    page2 = me.get("/sessions", params={"per_page": 2, "page": 2}, headers={"If-Match": tag})
    assert page2.status_code == 200 and page2.headers["ETag"] == tag  # one version, all pages
    me.post("/sessions", json=session_body(name="S3"))
    stale = me.get("/sessions", params={"per_page": 2, "page": 2}, headers={"If-Match": tag})
    assert stale.status_code == 412


def test_a_deleted_sessions_id_and_etag_are_never_given_again(
    live_server: LiveServer, session_body: Body
) -> None:
    me = live_server.client(live_server.create_user("me@acme.test"))
    old = me.post("/sessions", json=session_body(name="Old"))
    assert me.delete(f"/sessions/{old.json()['id']}").status_code == 204
    new = me.post("/sessions", json=session_body(name="New"))
    assert new.json()["id"] != old.json()["id"] and new.headers["ETag"] != old.headers["ETag"]
    # A PUT made on the deleted session's version can never land on another session.
    stale = me.put(
        f"/sessions/{new.json()['id']}",
        json={"duration": 5},
        headers={"If-Match": old.headers["ETag"]},
    )
    assert stale.status_code == 412
    assert [s["name"] for s in me.get("/sessions").json()] == ["New"]


def test_the_same_key_on_another_server_of_the_database_answers_the_first_result(
    live_server_factory: LiveServerFactory, session_body: Body
) -> None:
    first = live_server_factory()
    second = live_server_factory(db_url=first.db_url)  # another process on the same database
    token = first.create_user("me@acme.test")
    headers = {"Idempotency-Key": "across"}
    one = first.client(token).post("/sessions", json=session_body(), headers=headers)
    two = second.client(token).post("/sessions", json=session_body(), headers=headers)
    assert one.status_code == two.status_code == 201
    assert two.content == one.content and two.headers["Idempotent-Replayed"] == "true"
    assert _count(second.client(token)) == 1
