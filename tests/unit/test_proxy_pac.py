from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from deepworkzone.blocking import block_page
from deepworkzone.blocking.pac import build_pac
from deepworkzone.domain.hostnames import DomainMatcher


def test_pac_lists_blocked_domains_as_an_object_lookup() -> None:
    pac = build_pac(DomainMatcher(["b.test", "a.test"], ["ok.b.test"]), "127.0.0.1", 4321)
    assert 'var BLOCKED = {"a.test":1,"b.test":1};' in pac
    assert 'var ALLOWED = {"ok.b.test":1};' in pac
    # DIRECT only when the proxy cannot be reached: a browser left holding the file after the
    # session keeps working; while the proxy runs, it answers blocked hosts.
    assert 'var PROXY = "PROXY 127.0.0.1:4321; DIRECT";' in pac
    assert "var ALLOWLIST_ONLY = false;" in pac
    assert pac.isascii()
    for es5_and_later in ("endsWith", "let ", "=>"):
        assert es5_and_later not in pac  # the Windows PAC engine is ES3


def test_pac_escapes_hostile_entries() -> None:
    pac = build_pac(DomainMatcher(['x";alert(1);"']), "127.0.0.1", 1)
    assert '{"x\\";alert(1);\\"":1}' in pac


def test_allowlist_pac_ignores_the_blocked_list() -> None:
    pac = build_pac(DomainMatcher(["b.test"], ["work.test"], allowlist_only=True), "127.0.0.1", 1)
    assert "var ALLOWLIST_ONLY = true;" in pac
    assert "var BLOCKED = {};" in pac


def test_oversized_pac_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        build_pac(DomainMatcher(f"site{i}.example.com" for i in range(50_000)), "127.0.0.1", 1)
    assert "1 MB" in caplog.text


def test_minutes_left_rounds_up_and_never_goes_negative() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert block_page.minutes_left(now + timedelta(minutes=24, seconds=1), now) == 25
    assert block_page.minutes_left(now - timedelta(minutes=3), now) == 0
    assert block_page.minutes_left(datetime(2026, 1, 1, 12, 10), now) == 10  # naive = UTC
    assert block_page.minutes_left(None, now) is None


def test_block_page_response() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    response = block_page.block_page("<x>.test", now + timedelta(seconds=30), now)
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 403 Forbidden\r\n")
    assert b"Cache-Control: no-store" in head and b"Connection: close" in head
    assert f"Content-Length: {len(body)}".encode() in head
    assert (
        'Blocked by Deep Work Zone — <span class="host">&lt;x&gt;.test</span> — 1 minute left'
        in body.decode()
    )
