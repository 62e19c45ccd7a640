"""Teams for the length of a session: user-preferred Do Not Disturb that expires on Graph's
side at the session's end, cleared at the end only while it still shows as ours.

``GET /me/presence`` is an aggregate, so "ours" means: we set it, it still reads DND/DND, and
our expiry has not passed (after that any DND is the user's or their calendar's).

Journal record: {"v": 1, "ends_at": epoch, "ours": bool, "expires_at": epoch,
                 "prev": {"availability": .., "activity": ..}}
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar, Self

from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.snooze import connections
from deepworkzone.snooze.errors import AuthRevoked
from deepworkzone.snooze.graph_api import GraphApi

log = logging.getLogger(__name__)

DND = ("DoNotDisturb", "DoNotDisturb")
READ_BACK_DELAYS = (1.0, 2.0, 3.0)
"""Teams applies presence late (clients poll); re-read this long apart before warning."""
EXPIRY_TOLERANCE = 60


def dnd_minutes(ends_at: float, now: float) -> int:
    # Rounded down so that DND left behind by a crash never outlasts the session.
    return max(1, math.floor((ends_at - now) / 60))


def iso_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


def wall_clock() -> float:
    """Now, looked up at call time so that a test can move a new process's clock forward."""
    return time.time()


class TeamsSnoozer:
    kind: ClassVar[str] = "teams"

    def __init__(
        self,
        ends_at: datetime,
        session_name: str = "",
        *,
        api: GraphApi | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        read_back_delays: Sequence[float] = READ_BACK_DELAYS,
        record: JournalRecord | None = None,
    ) -> None:
        if ends_at.tzinfo is None:
            raise ValueError("ends_at must be timezone-aware")
        if api is None:
            from deepworkzone.snooze.msal_auth import graph_token_provider

            api = GraphApi(graph_token_provider())
        self._api = api
        self._clock = clock
        self._sleep = sleep
        self._delays = tuple(read_back_delays)
        self.warnings: list[str] = []
        """Things the user should know that are not failures (e.g. DND not visible yet)."""
        self._record: JournalRecord = record or {
            "v": 1,
            "ends_at": int(ends_at.timestamp()),
            "session_name": session_name,
            "ours": False,
        }

    @property
    def record(self) -> JournalRecord:
        return copy.deepcopy(self._record)

    def _now(self) -> float:
        return self._clock() if self._clock is not None else wall_clock()

    @classmethod
    def from_record(
        cls,
        record: JournalRecord,
        *,
        api: GraphApi | None = None,
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

    def apply(self, save: SaveRecord) -> None:
        try:
            self._apply(save)
        except AuthRevoked as exc:
            connections.mark_disconnected("teams", str(exc))
            raise

    def undo(self) -> None:
        record = self._record
        if not record.get("ours"):
            return
        if self._now() >= int(record["expires_at"]) + EXPIRY_TOLERANCE:
            return  # Graph has dropped our preference; a DND now is not ours to clear
        try:
            presence = self._api.get_presence()
            if (presence.get("availability"), presence.get("activity")) != DND:
                log.info("Teams presence changed during the session; leaving it")
                return
            # Back to automatic presence (calendar, calls); also the only documented reset.
            self._api.clear_preferred()
        except AuthRevoked as exc:
            connections.mark_disconnected("teams", str(exc))
            raise

    def _apply(self, save: SaveRecord) -> None:
        record = self._record
        presence = self._api.get_presence()
        prev = {"availability": presence.get("availability"), "activity": presence.get("activity")}
        record["prev"] = prev
        if (prev["availability"], prev["activity"]) == DND:
            record["ours"] = False  # the user's own DND: leave it, and leave it at the end
            save(self.record)
            return
        now = self._now()
        minutes = dnd_minutes(record["ends_at"], now)
        record.update(ours=True, expires_at=int(now) + minutes * 60)
        save(self.record)
        self._api.set_preferred(*DND, iso_minutes(minutes))
        self._confirm()

    def _confirm(self) -> None:
        for delay in self._delays:
            self._sleep(delay)
            presence = self._api.get_presence()
            if (presence.get("availability"), presence.get("activity")) == DND:
                return
        message = (
            "Teams accepted Do Not Disturb but does not show it yet; it can take a few minutes "
            "to appear"
        )
        log.warning(message)
        self.warnings.append(message)
