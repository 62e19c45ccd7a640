from __future__ import annotations

import pytest

from deepworkzone.blocking.proxy_request import (
    BadRequest,
    Target,
    close_response_head,
    origin_head,
    parse_request_line,
    response_head_status,
    split_absolute_url,
    split_authority,
)


@pytest.mark.parametrize(
    ("authority", "default", "expected"),
    [
        ("Example.COM.:443", None, Target("example.com", 443, "example.com:443")),
        ("[::1]:8443", None, Target("::1", 8443, "[::1]:8443")),
        ("example.com", 80, Target("example.com", 80, "example.com")),
        ("example.com:8080", 80, Target("example.com", 8080, "example.com:8080")),
        ("[2001:db8::1]", 80, Target("2001:db8::1", 80, "[2001:db8::1]")),
    ],
)
def test_split_authority(authority: str, default: int | None, expected: Target) -> None:
    assert split_authority(authority, default) == expected


@pytest.mark.parametrize(
    "authority",
    [
        "example.com",
        "example.com:0",
        "example.com:65536",
        "example.com:x",
        "[::1",
        "[::1]x:1",
        ":443",
        "a b:443",
        "a/b:443",
        "bücher.de:443",
    ],
)
def test_split_authority_refuses(authority: str) -> None:
    with pytest.raises(BadRequest):
        split_authority(authority, None)


def test_split_absolute_url() -> None:
    assert split_absolute_url("http://Host.test:8080/p?q=1#frag") == (
        Target("host.test", 8080, "host.test:8080"),
        "/p?q=1",
    )
    assert split_absolute_url("HTTP://host.test?x") == (Target("host.test", 80, "host.test"), "/?x")
    for bad in ("https://host.test/", "http://u:p@host.test/", "/relative"):
        with pytest.raises(BadRequest):
            split_absolute_url(bad)


def test_parse_request_line() -> None:
    assert parse_request_line(b"GET http://a.test/ HTTP/1.1\r\nHost: a.test") == (
        "GET",
        "http://a.test/",
        "HTTP/1.1",
        [b"Host: a.test"],
    )
    for bad in (b"GET / HTTP/2", b"GET  / HTTP/1.1", b"G3T / HTTP/1.1", b"hello"):
        with pytest.raises(BadRequest):
            parse_request_line(bad)


def test_origin_head_rewrites_hop_by_hop_headers() -> None:
    head = origin_head(
        "POST",
        "/submit",
        "HTTP/1.1",
        [
            b"Host: evil.test",
            b"Proxy-Connection: keep-alive",
            b"Proxy-Authorization: Basic x",
            b"Connection: keep-alive, X-Drop",
            b"X-Drop: 1",
            b"Content-Length: 3",
            b"Keep-Alive: 5",
        ],
        Target("ok.test", 80, "ok.test"),
    )
    assert (
        head
        == b"POST /submit HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
    )


def test_origin_head_keeps_websocket_upgrades() -> None:
    head = origin_head(
        "GET",
        "/ws",
        "HTTP/1.1",
        [b"Connection: Upgrade", b"Upgrade: websocket", b"Sec-WebSocket-Key: k"],
        Target("ok.test", 80, "ok.test"),
    )
    assert head.endswith(
        b"Sec-WebSocket-Key: k\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
    )


def test_origin_head_refuses_malformed_headers() -> None:
    with pytest.raises(BadRequest):
        origin_head("GET", "/", "HTTP/1.1", [b"no colon here"], Target("ok.test", 80, "ok.test"))


def test_response_heads() -> None:
    assert response_head_status(b"HTTP/1.1 204 No Content") == 204
    assert response_head_status(b"garbage") == 0
    assert close_response_head(
        b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nContent-Length: 2"
    ) == (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close")
