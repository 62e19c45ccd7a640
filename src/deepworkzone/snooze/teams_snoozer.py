"""Teams for the length of a session: user-preferred Do Not Disturb that expires on Graph's
side at the session's end, cleared at the end unless the user has picked another presence.

``GET /me/presence`` is an aggregate, and Graph applies a change late (reads can show the old
presence for a while after a set), so recovery never decides from a read alone whether our
DND is there. The journal says what we may have set, written BEFORE the Graph call:

    {"v": 1, "ends_at": epoch, "session_name": ..,
     "ours": bool,              # True from just before setUserPreferredPresence on
     "setting": {"availability": "DoNotDisturb", "activity": "DoNotDisturb",
                 "expirationDuration": "PT26M"},
     "expires_at": epoch,       # our DND is gone by then (Graph drops it itself)
     "prev": {"availability": .., "activity": ..}}   # read before the set

Undo, while ``ours`` and before ``expires_at``: a read that shows our setting, or still the
presence from before (Graph lagging, or the set never arrived), clears the user-preferred
presence; anything else is a presence the user picked since, and is left alone. After
``expires_at`` any DND is the user's or their calendar's.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.snooze.graph_api import GraphApi
from deepworkzone.snooze.snoozer_base import Snoozer, minutes_until

log = logging.getLogger(__name__)

DND = ("DoNotDisturb", "DoNotDisturb")
READ_BACK_DELAYS = (0.0, 1.0, 2.0, 3.0)
"""Teams applies presence late (clients poll); re-read this long apart before warning (the
first read at once: often it shows already)."""
EXPIRY_TOLERANCE = 60

dnd_minutes = minutes_until  # setUserPreferredPresence's expirationDuration


def iso_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest or not hours else "")


class TeamsSnoozer(Snoozer[GraphApi]):
    kind: ClassVar[str] = "teams"
    _RECORD_DEFAULTS: ClassVar[JournalRecord] = {"ours": False}

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
        super().__init__(ends_at, session_name, api=api, clock=clock, record=record)
        self._sleep = sleep
        self._delays = tuple(read_back_delays)
        self.warnings: list[str] = []
        """Things the user should know that are not failures (e.g. DND not visible yet)."""

    def _default_api(self) -> GraphApi:
        from deepworkzone.snooze.msal_auth import graph_token_provider

        return GraphApi(graph_token_provider())

    def _undo(self) -> None:
        record = self._record
        if not record.get("ours"):
            return
        if self._now() >= int(record["expires_at"]) + EXPIRY_TOLERANCE:
            return  # Graph has dropped our preference; a DND now is not ours to clear
        presence = _pair(self._api.get_presence())
        setting = _pair(record.get("setting") or {}) or DND
        prev = _pair(record.get("prev") or {})
        if presence not in (setting, prev):
            log.info("Teams presence changed during the session; leaving it")
            return
        if presence != setting:
            # Still the presence from before the set: Graph has not caught up with it yet, or
            # the set never arrived. Clearing is right either way.
            log.info("Teams does not show our Do Not Disturb yet; clearing it anyway")
        # Back to automatic presence (calendar, calls); also the only documented reset.
        self._api.clear_preferred()

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
        duration = iso_minutes(minutes)
        setting = {"availability": DND[0], "activity": DND[1], "expirationDuration": duration}
        # The intent, before the call: a crash from here on is undone from this record alone.
        record.update(ours=True, setting=setting, expires_at=int(now) + minutes * 60)
        save(self.record)
        self._api.set_preferred(*DND, duration)
        self._confirm()

    def _confirm(self) -> None:
        for delay in self._delays:
            if delay > 0:
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


def _pair(presence: dict[str, object]) -> tuple[str, str] | None:
    availability, activity = presence.get("availability"), presence.get("activity")
    if isinstance(availability, str) and isinstance(activity, str):
        return availability, activity
    return None
