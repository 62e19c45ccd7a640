"""List answers: a bare JSON array or a ``{"data": [...]}`` envelope, plus paging headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from deepworkzone.api.errors import ServerError
from deepworkzone.domain.models import Session


@dataclass
class Page:
    """One page of sessions exactly as the server sent them (``raw``), with its paging."""

    raw: list[dict[str, Any]]
    total: int | None = None
    next_url: str | None = None
    _items: list[Session] | None = field(default=None, repr=False)

    @property
    def items(self) -> list[Session]:
        if self._items is None:
            self._items = [Session.model_validate(r) for r in self.raw]
        return self._items


def list_items(body: Any) -> list[dict[str, Any]]:
    """The items of a list answer, whichever of the two shapes it has."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body = body["data"]
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise ServerError("the server's list answer is neither an array nor {'data': [...]}")
    return body


def page_from(response: httpx.Response, body: Any) -> Page:
    next_url = response.links.get("next", {}).get("url")
    if next_url is None and isinstance(body, dict):
        # An envelope may carry its own paging instead of a Link header.
        links = body.get("links")
        candidate = links.get("next") if isinstance(links, dict) else body.get("next")
        next_url = candidate if isinstance(candidate, str) and candidate else None
    total: int | None = None
    header = response.headers.get("X-Total-Count")
    if header and header.strip().isdigit():
        total = int(header)
    elif isinstance(body, dict) and isinstance(body.get("total"), int):
        total = body["total"]
    return Page(raw=list_items(body), total=total, next_url=next_url)
