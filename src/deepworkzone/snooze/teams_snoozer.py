"""Teams for the length of a session: user-preferred Do Not Disturb that expires on Graph's
side at the session's end, cleared at the end only while it still shows as ours.

``GET /me/presence`` is an aggregate, so "ours" means: we set it, it still reads DND/DND, and
our expiry has not passed (after that any DND is the user's or their calendar's).

Journal record: {"v": 1, "ends_at": epoch, "ours": bool, "expires_at": epoch,
                 "prev": {"availability": .., "activity": ..}}
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
READ_BACK_DELAYS = (1.0, 2.0, 3.0)
"""Teams applies presence late (clients poll); re-read this long apart before warning."""
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
        presence = self._api.get_presence()
        if (presence.get("availability"), presence.get("activity")) != DND:
            log.info("Teams presence changed during the session; leaving it")
            return
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
