"""Conditional list requests: one ETag names a whole listing, every page of it.

A list answer depends only on the caller, the org's sessions generation (bumped by every
change, see list_cache.py), the filters and ``per_page``. Its ETag is a digest of those, the
page number left out, so that:

- ``If-None-Match`` with the ETag of a caller's last listing answers ``304`` (no body, no
  query past the auth one) while nothing changed: a sync with no change is one small request;
- ``If-Match`` on page 2, 3... answers ``412`` once anything changed since page 1 was read,
  so a client paging through a listing can tell it got one consistent version.
"""

from __future__ import annotations

import hashlib

from deepworkzone.server.auth import Caller
from deepworkzone.server.listing import Filters


def list_etag(caller: Caller, generation: int, filters: Filters, per_page: int) -> str:
    key = repr((caller, generation, filters, per_page)).encode()
    return f'W/"l{hashlib.blake2b(key, digest_size=12).hexdigest()}"'


def etag_matches(header: str, current: str) -> bool:
    """Weak comparison (RFC 9110 8.8.3.2), ``*`` matching anything."""
    strong = current.removeprefix("W/")
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in wanted or strong in wanted
