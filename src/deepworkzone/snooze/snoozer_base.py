"""What the Slack and Teams snoozers share: the journal record each keeps (no token in it), the
clock it reads, rebuilding from that record in a new process, and marking the service
disconnected when it refuses the sign-in.

Every record starts as {"v": 1, "ends_at": epoch, "session_name": ..} plus the kind's own
fields (``_RECORD_DEFAULTS``), which ``apply`` fills in.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import ClassVar, Generic, Self, TypeVar

from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.snooze import connections
from deepworkzone.snooze.errors import AuthRevoked

ApiT = TypeVar("ApiT")


def wall_clock() -> float:
    """Now, looked up at call time so that a test can move a new process's clock forward."""
    return time.time()


def minutes_until(end: float, now: float) -> int:
    """Whole minutes that cover ``end`` from ``now``, so that the service-side snooze or DND
    never ends before the session does.

    Counted as the services count, in whole seconds from the second ``now`` falls in (Slack
    ends a snooze at int(now) + minutes * 60), and rounded up: the expiry lands 0-59 s after
    ``end``. The end call lifts it at once; after a crash the service's own expiry does, less
    than a minute after the session's end.
    """
    return max(1, math.ceil((math.ceil(end) - math.floor(now)) / 60))


def epoch_covering(moment: datetime) -> int:
    """``moment`` as whole epoch seconds, rounded up: a service-side expiry at this second is
    never before ``moment``."""
    return math.ceil(moment.timestamp())


class Snoozer(ABC, Generic[ApiT]):
    kind: ClassVar[str]
    """Journal key, and the name in the connections file."""
    _RECORD_DEFAULTS: ClassVar[JournalRecord]
    """The kind's own fields of a fresh record, before ``apply`` fills them in."""

    def __init__(
        self,
        ends_at: datetime,
        session_name: str = "",
        *,
        api: ApiT | None = None,
        clock: Callable[[], float] | None = None,
        record: JournalRecord | None = None,
    ) -> None:
        if ends_at.tzinfo is None:
            raise ValueError("ends_at must be timezone-aware")
        self._ends_at = ends_at
        self._api: ApiT = api if api is not None else self._default_api()
        self._clock = clock
        self._record: JournalRecord = record or {
            "v": 1,
            # Rounded up to the second, so expiries derived from it never fall short of it.
            "ends_at": epoch_covering(ends_at),
            "session_name": session_name,
            **copy.deepcopy(self._RECORD_DEFAULTS),
        }

    @classmethod
    def from_record(
        cls,
        record: JournalRecord,
        *,
        api: ApiT | None = None,
        clock: Callable[[], float] | None = None,
    ) -> Self:
        ends_at = datetime.fromtimestamp(int(record["ends_at"]), tz=UTC)
        return cls(
            ends_at,
            str(record.get("session_name") or ""),
            api=api,
            clock=clock,
            record=copy.deepcopy(record),
        )

    @property
    def record(self) -> JournalRecord:
        return copy.deepcopy(self._record)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else wall_clock()

    def apply(self, save: SaveRecord) -> None:
        with self._disconnected_if_revoked():
            self._apply(save)

    def undo(self) -> None:
        with self._disconnected_if_revoked():
            self._undo()

    @contextlib.contextmanager
    def _disconnected_if_revoked(self) -> Iterator[None]:
        """A refused sign-in is remembered, so the next session warns instead of trying."""
        try:
            yield
        except AuthRevoked as exc:
            connections.mark_disconnected(self.kind, str(exc))
            raise

    @abstractmethod
    def _default_api(self) -> ApiT:
        """The client used when none is given: the stored or environment sign-in."""

    @abstractmethod
    def _apply(self, save: SaveRecord) -> None: ...

    @abstractmethod
    def _undo(self) -> None: ...
