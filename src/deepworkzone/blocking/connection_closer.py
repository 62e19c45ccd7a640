"""Closing the connections to blocked sites at the start of a session, as two Effects.

``BlockedAddresses`` goes first in the plan: it resolves the blocked names while they still
resolve to the sites. ``ConnectionCloser`` goes last, once the hosts file, the proxy and the
policies are in: it closes the TCP connections to those addresses (socket_closer), so the
browser's next request opens a new connection that the block catches. Neither is journaled:
nothing they do needs putting back, so a crash leaves nothing of theirs behind. A failure
never stops the session; it becomes a warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import ClassVar, Self

from deepworkzone.blocking import privilege, socket_closer
from deepworkzone.domain.effects import JournalRecord, SaveRecord

log = logging.getLogger(__name__)


class BlockedAddresses:
    kind: ClassVar[str] = "resolve_blocked"

    def __init__(self, domains: Sequence[str]) -> None:
        self.domains = list(domains)
        self.addresses: list[str] = []
        self.warnings: list[str] = []

    def apply(self, save: SaveRecord) -> None:
        self.addresses = socket_closer.resolve(socket_closer.names_to_resolve(self.domains))
        log.info("%d addresses of blocked sites noted before the block", len(self.addresses))

    def undo(self) -> None:
        return None

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        return cls([])


class ConnectionCloser:
    kind: ClassVar[str] = "close_connections"

    def __init__(self, addresses: BlockedAddresses) -> None:
        self.source = addresses
        self.closed = 0
        self.warnings: list[str] = []

    def apply(self, save: SaveRecord) -> None:
        addresses = self.source.addresses
        if not addresses:
            return
        try:
            if _may_close_directly():
                self.closed = socket_closer.close_connections(addresses).count
            else:
                out = privilege.run_helper(["close-connections", *addresses])
                self.closed = _count(out)
        except (OSError, socket_closer.BadAddress) as exc:
            self.warnings.append(
                f"connections already open to blocked sites stay open ({exc}); reload those "
                "tabs after two minutes or restart the browser"
            )
            return
        log.info("closed %d connections to blocked sites", self.closed)

    def undo(self) -> None:
        return None

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        return cls(BlockedAddresses([]))


def _may_close_directly() -> bool:
    # SOCK_DESTROY of other programs' sockets needs CAP_NET_ADMIN: root, or the helper.
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _count(helper_output: str) -> int:
    words = helper_output.split()
    return int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
