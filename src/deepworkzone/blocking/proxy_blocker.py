"""The blocking proxy as a session Effect (journal kind "proxy")."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Self

from deepworkzone.blocking.proxy import BlockingProxy
from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.domain.hostnames import DomainMatcher

log = logging.getLogger(__name__)


class ProxyBlocker:
    """Owns the session's BlockingProxy: ``apply`` starts it, ``undo`` stops it.

    The proxy lives inside the app process, so a crash takes it down too: an instance rebuilt
    from the journal has nothing to stop (its ``undo`` is a no-op). What a crash can leave
    behind is the *system proxy setting* pointing at the dead port, which SystemProxySetting
    restores; the PAC design means that even then only blocked hosts are affected.
    """

    kind: ClassVar[str] = "proxy"

    def __init__(
        self,
        matcher: DomainMatcher,
        port: int = 0,
        ends_at: datetime | None = None,
        *,
        on_blocked: Callable[[str], None] | None = None,
    ) -> None:
        """``on_blocked(host)``: see BlockingProxy (e.g. a "site blocked" notification)."""
        self.proxy = BlockingProxy(matcher, port=port, ends_at=ends_at, on_blocked=on_blocked)
        self._orphan: JournalRecord | None = None

    def apply(self, save: SaveRecord) -> None:
        save({"port": self.proxy.port, "pid": os.getpid()})
        self.proxy.start()
        # Again with the real port (port 0 picks a free one at start).
        save({"port": self.proxy.port, "pid": os.getpid()})

    def extend(self, ends_at: datetime, save: SaveRecord) -> None:
        """Only the block page shows the end time; the lists stay as they are."""
        self.proxy.update(self.proxy.matcher, ends_at)

    def undo(self) -> None:
        if self._orphan is not None:
            log.info(
                "blocking proxy of process %s (port %s) ended with its process; nothing to stop",
                self._orphan.get("pid"),
                self._orphan.get("port"),
            )
            return
        self.proxy.stop()

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        blocker = cls(DomainMatcher())
        blocker._orphan = dict(record) if isinstance(record, dict) else {}
        return blocker
