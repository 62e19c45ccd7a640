"""State shared by every connection of one blocking proxy."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from deepworkzone.domain.hostnames import DomainMatcher

if TYPE_CHECKING:
    from deepworkzone.blocking.proxy_server import HeadReader

log = logging.getLogger(__name__)


class Relay(Protocol):
    """A tunnel or forwarded request in progress; ``abort`` drops both connections."""

    def abort(self) -> None: ...


Registry = set[Relay]


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """What one request needs; replaced as a whole by ``update`` (an atomic swap)."""

    matcher: DomainMatcher
    ends_at: datetime | None
    pac_response: bytes
    port: int


@dataclass(slots=True)
class ProxyContext:
    config: ProxyConfig
    on_blocked: Callable[[str], None] | None = None
    heads: dict[int, HeadReader] = field(default_factory=dict)  # by fd, still reading a head
    busy: set[HeadReader] = field(default_factory=set)  # answering or connecting upstream
    relays: Registry = field(default_factory=set)

    def blocked(self, host: str) -> None:
        if self.on_blocked is not None:
            try:
                self.on_blocked(host)
            except Exception:  # a UI callback must never take the proxy down
                log.exception("on_blocked callback failed")
