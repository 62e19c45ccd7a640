"""Whole list answers, cached per org generation.

Every write to an org's sessions, collaborators, deleted occurrences or participations bumps
``orgs.sessions_generation`` in the same transaction (``bump``), and the auth query reads it
with the caller's key at no extra cost. A list answer cached under the generation it was read
at is therefore never stale, also with several server processes on one database; an entry of
an old generation is simply never asked for again and ages out of the LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from deepworkzone.server.orm import Org, table_of

# With answers of at most LIST_CACHE_MAX_BYTES, the cache holds at most 32 MiB.
LIST_CACHE_ENTRIES = 1024
LIST_CACHE_MAX_BYTES = 32 * 1024

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """A bounded, thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_orgs = table_of(Org).c
# Built once: every write runs it (a Core statement, no ORM synchronisation to plan).
_BUMP = (
    update(table_of(Org))
    .where(_orgs.id == bindparam("org_id"))
    .values(sessions_generation=_orgs.sessions_generation + 1)
)


def bump(db: Session, org_id: int) -> None:
    """Mark the org's lists changed; call inside the transaction that changes them."""
    db.connection().execute(_BUMP, {"org_id": org_id})
