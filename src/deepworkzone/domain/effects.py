"""The contract between the focus runner and everything a session changes on the machine.

Each blocker and snoozer is an Effect. The runner journals before any change, so that a
crash at any later point can be undone by a fresh process that has only the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, Self

JournalRecord = dict[str, Any]
"""JSON-serialisable: what an effect changed and what it must put back."""

SaveRecord = Callable[[JournalRecord], None]


class Effect(Protocol):
    kind: ClassVar[str]
    """Journal key, e.g. "hosts", "proxy", "system_proxy", "apps", "slack", "teams"."""

    def apply(self, save: SaveRecord) -> None:
        """Make the change. Call ``save(record)`` BEFORE touching anything, and again whenever
        the record gains something needed to undo (e.g. the user's previous status)."""

    def undo(self) -> None:
        """Put back what this effect changed, only where it is still ours. Idempotent; never
        raises for "already undone"."""

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        """Rebuild from the journal in a new process, so that ``undo()`` works after a crash."""
        ...
