"""Slack for the length of a session: a snooze and a focus status, both expiring on Slack's
side at the session's end, and put back at the end only where they are still ours.

Journal record (no token in it; the token is read again in whichever process undoes):
    {"v": 1, "ends_at": epoch, "team_id": ..,
     "dnd": {"ours": bool, "expected_endtime": epoch, "prev_endtime": epoch | None},
     "status": {"prev": {text, emoji, expiration}, "ours": {text, emoji, expiration}}}
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any, ClassVar

from deepworkzone.domain.effects import JournalRecord, SaveRecord
from deepworkzone.snooze.slack_api import SlackApi
from deepworkzone.snooze.snoozer_base import Snoozer, minutes_until
from deepworkzone.snooze.tokens import SlackTokenProvider

log = logging.getLogger(__name__)

FOCUS_EMOJI = ":headphones:"
OURS_TOLERANCE = 90
"""Seconds between the snooze end Slack reported and the one it shows now that still count as
"ours": minute rounding plus clock skew. Anything further away, the user changed."""

snooze_minutes = minutes_until  # dnd.setSnooze's num_minutes


def focus_status_text(ends_at: datetime) -> str:
    # Shown to colleagues in the user's own time zone; Slack caps status text at 100 chars.
    return f"Focusing — back at {ends_at.astimezone():%H:%M}"[:100]


def status_of(profile: dict[str, Any]) -> dict[str, Any]:
    """The status fields of a profile, unescaped: Slack returns &amp; &lt; &gt; in text."""
    return {
        "text": html.unescape(str(profile.get("status_text") or "")),
        "emoji": str(profile.get("status_emoji") or ""),
        "expiration": int(profile.get("status_expiration") or 0),
    }


class SlackSnoozer(Snoozer[SlackApi]):
    kind: ClassVar[str] = "slack"
    _RECORD_DEFAULTS: ClassVar[JournalRecord] = {"dnd": None, "status": None}

    def _default_api(self) -> SlackApi:
        return SlackApi(SlackTokenProvider())

    def _undo(self) -> None:
        self._undo_snooze()
        self._undo_status()

    def _apply(self, save: SaveRecord) -> None:
        record = self._record
        ends_at = record["ends_at"]
        info = self._api.dnd_info()
        prev_end = int(info.get("snooze_endtime") or 0) if info.get("snooze_enabled") else None
        if prev_end is not None and prev_end >= ends_at:
            # The user's own snooze outlasts the session: setSnooze would shorten it.
            record["dnd"] = {"ours": False, "prev_endtime": prev_end}
            save(self.record)
        else:
            now = self._now()
            minutes = snooze_minutes(ends_at, now)
            record["dnd"] = {
                "ours": True,
                "expected_endtime": int(now) + minutes * 60,
                "prev_endtime": prev_end,
            }
            save(self.record)
            result = self._api.set_snooze(minutes)
            if result.get("snooze_endtime"):
                # Slack's own value is the "still ours" marker, immune to local clock skew.
                record["dnd"]["expected_endtime"] = int(result["snooze_endtime"])
                save(self.record)

        prev = status_of(self._api.profile_get())
        ours = {
            "text": focus_status_text(self._ends_at),
            "emoji": FOCUS_EMOJI,
            "expiration": ends_at,
        }
        record["status"] = {"prev": prev, "ours": ours}
        save(self.record)
        self._api.profile_set(
            {
                "status_text": ours["text"],
                "status_emoji": ours["emoji"],
                "status_expiration": ends_at,
            }
        )

    def _undo_snooze(self) -> None:
        dnd = self._record.get("dnd")
        if not dnd or not dnd.get("ours"):
            return
        info = self._api.dnd_info()
        if not info.get("snooze_enabled"):
            return  # ended by Slack's expiry, by the user, or by an earlier undo
        current_end = int(info.get("snooze_endtime") or 0)
        if abs(current_end - int(dnd["expected_endtime"])) > OURS_TOLERANCE:
            log.info("Slack snooze changed by the user during the session; leaving it")
            return
        now = self._now()
        prev_end = dnd.get("prev_endtime")
        if prev_end and prev_end - now >= 60:
            # The user had a shorter snooze of their own: give back what is left of it.
            self._api.set_snooze(snooze_minutes(prev_end, now))
        else:
            self._api.end_snooze()  # never dnd.endDnd: that ends the scheduled DND too

    def _undo_status(self) -> None:
        status = self._record.get("status")
        if not status:
            return
        prev, ours = status["prev"], status["ours"]
        current = status_of(self._api.profile_get())
        now = self._now()
        still_ours = current["text"] == ours["text"] and current["emoji"] == ours["emoji"]
        # Past the end Slack has cleared our status itself; an empty one then is our leftover.
        expired_blank = not current["text"] and not current["emoji"] and now >= ours["expiration"]
        if not (still_ours or expired_blank):
            log.info("Slack status changed by the user during the session; leaving it")
            return
        prev_alive = (prev["text"] or prev["emoji"]) and (
            prev["expiration"] == 0 or prev["expiration"] > now
        )
        if prev_alive:
            self._api.profile_set(
                {
                    "status_text": prev["text"],
                    "status_emoji": prev["emoji"],
                    "status_expiration": prev["expiration"],
                }
            )
        elif still_ours:
            # Slack clears a status only when text and emoji are both emptied.
            self._api.profile_set({"status_text": "", "status_emoji": "", "status_expiration": 0})
