"""Conditional requests: a session's preconditions on PUT, and one ETag for a whole listing.

A PUT's ``If-Match`` names the version the client read (``W/"<id>-<version>"``); the write
is a compare-and-set on that version in SQL, so of many writers carrying one ETag exactly
one lands and the others get 412. ``If-Unmodified-Since`` compares HTTP dates, which have a
one-second resolution: two writes within one second carry the same Last-Modified, so it
cannot tell them apart (clients should send If-Match; ours does). It still holds against a
write that lands while the request is in flight.

Listings:

A list answer depends only on the caller, the org's sessions generation (bumped by every
change, see list_cache.py), the filters and ``per_page``. Its ETag is a digest of those, the
page number left out, so that:

- ``If-None-Match`` with the ETag of a caller's last listing answers ``304`` (no body, no
  query past the auth one) while nothing changed: a sync with no change is one small request;
- ``If-Match`` on page 2, 3... answers ``412`` once anything changed since page 1 was read,
  so a client paging through a listing can tell it got one consistent version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email.utils import parsedate_to_datetime

from deepworkzone.server.auth import Caller
from deepworkzone.server.listing import Filters
from deepworkzone.server.orm import SessionRow
from deepworkzone.server.session_store import precondition_failed
from deepworkzone.server.wire import etag


def list_etag(caller: Caller, generation: int, filters: Filters, per_page: int) -> str:
    key = repr((caller, generation, filters, per_page)).encode()
    return f'W/"l{hashlib.blake2b(key, digest_size=12).hexdigest()}"'


def etag_matches(header: str, current: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2), ``*`` matching anything."""
    strong = current.removeprefix("W/")
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in wanted or strong in wanted


def expected_version(row: SessionRow, if_match: str | None, since: str | None) -> int | None:
    """The version a PUT may replace: 412 when the client's copy is already stale (RFC 9110
    section 13.1), None without a precondition (or ``If-Match: *``)."""
    if if_match is not None:
        current = etag(row)
        if not etag_matches(if_match, current):
            raise precondition_failed(row, f"you read it (ETag is now {current})")
        wanted = {tag.strip() for tag in if_match.split(",")}
        return None if wanted == {"*"} else row.version
    if since is not None:  # If-Match wins over If-Unmodified-Since when both are sent.
        try:
            limit = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None  # An unreadable date is ignored, as RFC 9110 asks.
        if limit.tzinfo is None:
            limit = limit.replace(tzinfo=dt.UTC)
        modified = row.updated_at.replace(tzinfo=dt.UTC, microsecond=0)
        if modified > limit:
            raise precondition_failed(row, f"{since} (updated_at {modified})")
        return row.version
    return None
