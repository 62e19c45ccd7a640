"""Blocked-site attempts reach the front ends: the real proxy, real HTTP, the engine's events."""

from __future__ import annotations

import socket

import httpx

from deepworkzone.engine import events as ev
from deepworkzone.engine.requests import quick_request
from tests.unit.engine_harness import make_engine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_each_blocked_request_is_an_event_and_counted_in_the_status() -> None:
    h = make_engine()
    port = _free_port()
    request = quick_request(
        25, urls=["blocked.example"], method="proxy", proxy_port=port, system_proxy=False
    )
    h.engine.start_focus(request)
    try:
        with httpx.Client(proxy=f"http://127.0.0.1:{port}", timeout=5) as client:
            for _ in range(3):
                answer = client.get("http://blocked.example/page")
                assert answer.status_code == 403
        hits = h.of(ev.BlockedHit)
        assert [(e.what, e.target, e.count) for e in hits] == [
            ("site", "blocked.example", 1),
            ("site", "blocked.example", 2),
            ("site", "blocked.example", 3),
        ]
        assert h.engine.focus.status().blocked_hits == 3
    finally:
        h.engine.focus.stop("test over")
