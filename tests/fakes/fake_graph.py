"""A fake Microsoft Graph presence API that behaves like Graph for the calls we make.

Graph-shaped error JSON; 401 InvalidAuthenticationToken for expired or unknown tokens; a
``forbidden`` switch for 403 (consent, personal account, tenant policy); injected 429 with
Retry-After; user-preferred presence that expires after its expirationDuration; only the
documented availability/activity pairs; and presence that applies late, as Teams' polling
clients and Graph's eventual consistency do: GET shows the old state for the first
``late_reads`` reads after a change, or for ``lag_seconds`` after it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes._server import FakeService, Request

ALLOWED = {
    ("Available", "Available"),
    ("Busy", "Busy"),
    ("DoNotDisturb", "DoNotDisturb"),
    ("BeRightBack", "BeRightBack"),
    ("Away", "Away"),
    ("Offline", "OffWork"),
}
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {"request-id": "fake", "date": "2026-11-22T00:00:00"},
        }
    }
    return status, body, headers or {}


class FakeGraph(FakeService):
    def __init__(self, token: str = "good") -> None:
        self.good_tokens = {token}
        self.forbidden: str | None = None
        self.auto: tuple[str, str] = ("Available", "Available")
        self.preferred: tuple[str, str, float] | None = None
        self.late_reads = 0
        self.lag_seconds = 0.0
        self._stale: tuple[tuple[str, str], int] | None = None
        self._lagging: tuple[tuple[str, str], float] | None = None
        self.calls: list[tuple[str, str, Any]] = []
        self.injected: list[tuple[int, str, dict[str, str]]] = []
        super().__init__()

    @property
    def url(self) -> str:
        return self.origin + "/v1.0"

    def rate_limit_next(self, retry_after: int = 1) -> None:
        self.injected.append((429, "TooManyRequests", {"Retry-After": str(retry_after)}))

    def paths_called(self, method: str | None = None) -> list[str]:
        return [path for m, path, _ in self.calls if method is None or m == method]

    def set_by_user(self, availability: str, activity: str) -> None:
        """The user picks a status in Teams (a user-preferred presence, no expiry)."""
        self.preferred = (availability, activity, float("inf"))

    def get_shown(self) -> tuple[str, str]:
        """What ``GET /me/presence`` would answer now (lag included), without counting a read."""
        with self.lock:
            shown = self.visible()
            if self._lagging is not None and self.now() < self._lagging[1]:
                shown = self._lagging[0]
            return shown

    def visible(self) -> tuple[str, str]:
        if self.preferred and self.preferred[2] <= self.now():
            self.preferred = None  # expirationDuration ran out: back to automatic presence
        return (self.preferred[0], self.preferred[1]) if self.preferred else self.auto

    def handle(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        body = json.loads(request.body) if request.body else None
        with self.lock:
            self.calls.append((request.method, request.path, body))
            if self.injected:
                status, code, headers = self.injected.pop(0)
                return _error(status, code, code, headers)
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self.good_tokens:
                return _error(
                    401,
                    "InvalidAuthenticationToken",
                    "Access token has expired or is not yet valid.",
                )
            if self.forbidden:
                return _error(403, "Forbidden", self.forbidden)
            path = request.path.removeprefix("/v1.0")
            if request.method == "GET" and path == "/me/presence":
                return 200, self._presence(), {}
            if request.method == "POST" and path == "/me/presence/setUserPreferredPresence":
                return self._set_preferred(body or {})
            if request.method == "POST" and path == "/me/presence/clearUserPreferredPresence":
                self._changed()
                self.preferred = None
                return 200, None, {}
            return _error(404, "NotFound", f"Resource not found for the segment '{path}'.")

    def _presence(self) -> dict[str, Any]:
        shown = self.visible()
        if self._lagging is not None:
            old, until = self._lagging
            if self.now() < until:
                shown = old
            else:
                self._lagging = None
        if self._stale is not None:
            old, left = self._stale
            self._stale = (old, left - 1) if left > 1 else None
            shown = old
        return {
            "id": "u1",
            "availability": shown[0],
            "activity": shown[1],
            "outOfOfficeSettings": {"message": None, "isOutOfOffice": False},
        }

    def _changed(self) -> None:
        if self.late_reads:
            self._stale = (self.visible(), self.late_reads)
        if self.lag_seconds > 0:
            # What reads showed just before this change, for ``lag_seconds`` from now.
            before = self._lagging[0] if self._lagging and self.now() < self._lagging[1] else None
            self._lagging = (before or self.visible(), self.now() + self.lag_seconds)

    def _set_preferred(self, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        pair = (body.get("availability"), body.get("activity"))
        if pair not in ALLOWED:
            return _error(400, "BadRequest", "Invalid availability/activity combination.")
        seconds = 86400.0  # Graph's default for DoNotDisturb and Busy is one day
        if body.get("expirationDuration"):
            match = _DURATION.match(str(body["expirationDuration"]))
            if not match or not any(match.groups()):
                return _error(400, "BadRequest", "Invalid expirationDuration.")
            h, m, s = (int(g or 0) for g in match.groups())
            seconds = h * 3600 + m * 60 + s
        self._changed()
        self.preferred = (str(pair[0]), str(pair[1]), self.now() + seconds)
        return 200, None, {}
