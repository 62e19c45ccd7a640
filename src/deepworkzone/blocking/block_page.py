"""The pages the proxy answers with itself: the block page, the status page, errors."""

from __future__ import annotations

import html
import math
from datetime import UTC, datetime

_CLOSE_HEADERS = "Cache-Control: no-store\r\nConnection: close\r\n"


def minutes_left(ends_at: datetime | None, now: datetime | None = None) -> int | None:
    """Whole minutes until ``ends_at``, rounded up (so "1 minute left" until the very end)."""
    if ends_at is None:
        return None
    if ends_at.tzinfo is None:
        # Naive times in the app are UTC (the journal stores UTC).
        ends_at = ends_at.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0, math.ceil((ends_at - now).total_seconds() / 60))


def _left_text(ends_at: datetime | None, now: datetime | None = None) -> str:
    left = minutes_left(ends_at, now)
    if left is None:
        return "until the focus session ends"
    return f"{left} minute{'' if left == 1 else 's'} left"


def response(status: str, content_type: str, body: bytes, extra_headers: str = "") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra_headers}{_CLOSE_HEADERS}\r\n"
    )
    return head.encode("ascii") + body


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Blocked by Deep Work Zone</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:15vh auto;padding:0 1em;color:#222}}
h1{{font-size:1.6em}} .host{{font-family:monospace}}</style></head>
<body><h1>Blocked by Deep Work Zone — <span class="host">{host}</span> — {left}</h1>
<p>This site is blocked during your focus session. It will open again when the session ends.</p>
</body></html>
"""


def block_page(host: str, ends_at: datetime | None, now: datetime | None = None) -> bytes:
    """A complete 403 response naming the (escaped) host and the time left."""
    body = _PAGE.format(host=html.escape(host, quote=True), left=_left_text(ends_at, now))
    return response("403 Forbidden", "text/html; charset=utf-8", body.encode("utf-8"))


def status_page(blocked_count: int, allowlist_only: bool, ends_at: datetime | None) -> bytes:
    what = "all sites except the allowed ones" if allowlist_only else f"{blocked_count} domains"
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Deep Work Zone proxy</title>"
        f"</head><body><h1>Deep Work Zone blocking proxy</h1><p>Blocking {what}, "
        f"{_left_text(ends_at)}.</p><p><a href='/proxy.pac'>proxy.pac</a></p></body></html>\n"
    )
    return response("200 OK", "text/html; charset=utf-8", body.encode("utf-8"))


def error_response(status: str, message: str) -> bytes:
    return response(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


BLOCKED_CONNECT = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
CONNECT_OK = b"HTTP/1.1 200 Connection established\r\n\r\n"
