"""Bounded input over real HTTP: body size (413, also chunked), Content-Type (415), JSON that
does not parse (422 in the contract's shape), dates, 405 with every method in Allow."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

from deepworkzone.domain.limits import MAX_BODY_BYTES
from tests.integration.conftest import LiveServer

Body = Callable[..., dict[str, Any]]


def _fields(response: httpx.Response) -> list[str]:
    return [item["field"] for item in response.json()["detail"]]


def test_a_body_past_the_limit_is_413_before_it_is_read(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    # The 270 KB body of 40,000 collaborators that once stalled the server for 12 s.
    huge = session_body(collaborator=list(range(1, 40_001)))
    started = time.perf_counter()
    answer = client.post("/sessions", json=huge)
    assert answer.status_code == 413
    assert str(MAX_BODY_BYTES) in answer.json()["detail"]
    assert time.perf_counter() - started < 2


def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(
    live_server: LiveServer,
) -> None:
    token = live_server.create_user("me@acme.test")
    client = live_server.client(token)

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b"x" * 1000
        yield b'"}'

    answer = client.post(
        "/sessions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert "content-length" not in answer.request.headers


def test_a_chunked_body_that_never_ends_is_refused_while_it_streams(
    live_server: LiveServer,
) -> None:
    """A raw socket keeps sending chunks; the server answers 413 without waiting for the end."""
    token = live_server.create_user("me@acme.test")
    parts = urlsplit(live_server.url)
    stop = threading.Event()
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        )

        def feed() -> None:
            chunk = b"1000\r\n" + b"x" * 0x1000 + b"\r\n"
            while not stop.is_set():
                try:
                    sock.sendall(chunk)
                except OSError:
                    return

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        head = sock.recv(200)
        stop.set()
    assert head.startswith(b"HTTP/1.1 413"), head


def test_a_body_at_the_limit_is_read(live_server: LiveServer, session_body: Body) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    body = httpx.Request("POST", "http://x", json=session_body()).content
    padded = body[:-1] + b" " * (MAX_BODY_BYTES - len(body)) + b"}"
    assert len(padded) == MAX_BODY_BYTES
    answer = client.post("/sessions", content=padded, headers={"content-type": "application/json"})
    assert answer.status_code == 201, answer.text


def test_a_body_that_is_not_json_is_415(live_server: LiveServer, session_body: Body) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    form = client.post("/sessions", data={"name": "x"})
    assert form.status_code == 415
    assert "application/json" in form.json()["detail"]
    latin1 = client.post(
        "/sessions", content=b'{"name": "caf\xe9"}', headers={"content-type": "application/json"}
    )
    assert latin1.status_code == 415 and "UTF-8" in latin1.json()["detail"]
    vendor_json = client.post(
        "/sessions", json=session_body(), headers={"content-type": "application/merge+json"}
    )
    assert vendor_json.status_code == 201


def test_json_that_does_not_parse_is_422_in_the_contract_shape(live_server: LiveServer) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    for raw in (b"{oops", b"[" * 20_000, b'{"name": "x",}', b"nul"):
        answer = client.post("/sessions", content=raw, headers={"content-type": "application/json"})
        assert answer.status_code == 422, (raw[:10], answer.text)
        assert answer.json()["detail"][0]["loc"] == ["body"]
        assert answer.json()["detail"][0]["field"] == "body"


def test_dates_are_yyyy_mm_dd_only_in_filters_and_bodies(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    for name, value in (
        ("day_start", "0"),
        ("date", "86400"),
        ("day_ends", "2025-01-01T00:00:00"),
        ("date", "2025-1-1"),
    ):
        answer = client.get("/sessions", params={name: value})
        assert answer.status_code == 422, (name, value)
        assert _fields(answer) == [f"query.{name}"]
    assert client.get("/sessions", params={"date": "2025-01-01"}).status_code == 200
    bad = client.post("/sessions", json=session_body(schedule=0))
    assert bad.status_code == 422 and _fields(bad) == ["body.schedule"]
    assert client.get("/sessions").json() == []  # nothing stored on 1970-01-01


def test_booleans_categories_and_urls_are_checked(
    live_server: LiveServer, session_body: Body
) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    blocker = {"mode": "preset", "category": ["no-such-category"], "urls": ["javascript:alert(1)"]}
    bad = client.post("/sessions", json=session_body(website_blocker=blocker))
    assert bad.status_code == 422
    assert set(_fields(bad)) == {"body.website_blocker.category.0", "body.website_blocker.urls.0"}
    created = client.post("/sessions", json=session_body()).json()
    done = client.post(f"/sessions/{created['id']}/complete", json={"focused_minutes": True})
    assert done.status_code == 422 and _fields(done) == ["body.focused_minutes"]
    nulled = client.put(f"/sessions/{created['id']}", json={"type": None})
    assert nulled.status_code == 422 and _fields(nulled) == ["body.type"]
    assert client.get(f"/sessions/{created['id']}").json()["type"] == created["type"]


def test_405_names_every_method_of_the_path(live_server: LiveServer) -> None:
    client = live_server.client(live_server.create_user("me@acme.test"))
    listing = client.patch("/sessions", json={})
    assert listing.status_code == 405
    assert listing.headers["allow"] == "GET, POST"
    item = client.post("/sessions/1")
    assert item.status_code == 405 and item.headers["allow"] == "DELETE, GET, PUT"
    assert client.put("/api-keys").headers["allow"] == "GET, POST"
