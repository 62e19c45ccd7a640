"""Closing the connections to blocked sites at the start of a session, as two Effects.

``BlockedAddresses`` goes first in the plan: it resolves the blocked names while they still
resolve to the sites. ``ConnectionCloser`` goes last, once the hosts file, the proxy and the
policies are in: it closes the TCP connections to those addresses (socket_closer), so the
browser's next request opens a new connection that the block catches. When the hosts block
nudged the network (network_nudge), it closes them once more after Firefox has emptied its
name cache (about 1.3 s after the nudge): a page reloaded in between reconnected to the
address Firefox still had. Neither is journaled:
nothing they do needs putting back, so a crash leaves nothing of theirs behind. A failure
never stops the session; it becomes a warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import ClassVar, Self

from deepworkzone.blocking import network_nudge, privilege, socket_closer
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
            self.closed = _close(addresses)
            if network_nudge.wait_for_browsers():
                # Firefox flushed its name cache a second after the hosts block's network
                # nudge; a page reloaded before that reconnected to the cached address.
                self.closed += _close(addresses)
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


def _close(addresses: list[str]) -> int:
    if _may_close_directly():
        return socket_closer.close_connections(addresses).count
    return _count(privilege.run_helper(["close-connections", *addresses]))


def _may_close_directly() -> bool:
    # SOCK_DESTROY of other programs' sockets needs CAP_NET_ADMIN: root, or the helper.
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _count(helper_output: str) -> int:
    words = helper_output.split()
    return int(words[1]) if len(words) > 1 and words[1].isdigit() else 0
