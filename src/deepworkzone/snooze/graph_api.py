"""The Microsoft Graph presence calls the Teams snoozer needs, with Graph's errors explained.

Plain httpx against a configurable base URL (the Graph SDK is heavy for four calls). A 401 gets
one silent token refresh and one retry; 429 and 5xx go through the bounded retry loop.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import httpx

from deepworkzone.snooze.errors import (
    ApiError,
    AuthRevoked,
    PermissionDenied,
    ServiceUnavailable,
    SnoozeError,
)
from deepworkzone.snooze.http_retry import RetryPolicy, send
from deepworkzone.snooze.tokens import AUTH_REVOKED, TokenProvider, coded, graph_api_url

log = logging.getLogger(__name__)

SERVICE = "Microsoft Teams"


def _graph_error(response: httpx.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(error, dict):
        return "", ""
    return str(error.get("code") or ""), str(error.get("message") or "")


def classify(response: httpx.Response) -> SnoozeError:
    code, message = _graph_error(response)
    status = response.status_code
    detail = f"{code}: {message}" if code or message else f"HTTP {status}"
    if status == 401:
        return coded(
            AuthRevoked(
                f"Microsoft Teams sign-in is no longer valid ({code or 'HTTP 401'}): "
                "reconnect Microsoft Teams"
            ),
            AUTH_REVOKED,
            service="teams",
            error=code or "HTTP 401",
        )
    if status == 403:
        return PermissionDenied(
            f"Microsoft Teams refused the presence change ({detail}). Usually the app has no "
            "consent for Presence.ReadWrite (ask an admin to approve it), the account is a "
            "personal Microsoft account (presence needs a work or school account), or a tenant "
            "policy blocks it"
        )
    if status >= 500:
        return ServiceUnavailable(f"Microsoft Teams is unavailable ({detail}); try again later")
    return ApiError(f"Microsoft Teams answered {detail}", code or str(status))


class GraphApi:
    def __init__(
        self,
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 15.0,
    ) -> None:
        self._tokens = tokens
        self._base = base_url or graph_api_url()
        self._policy = policy or RetryPolicy()
        self._timeout = timeout

    def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        refreshed = False
        while True:
            token = self._tokens.token()
            with httpx.Client(timeout=self._timeout) as client:
                attempt = functools.partial(self._send_once, client, method, path, token, body)
                response = send(attempt, self._policy, SERVICE)
            if response.is_success:
                return response
            if response.status_code == 401 and not refreshed:
                refreshed = True
                if self._tokens.refresh():
                    log.info("Graph token refreshed after 401; retrying once")
                    continue
            log.info("Graph %s %s failed: HTTP %s", method, path, response.status_code)
            raise classify(response)

    def _send_once(
        self, client: httpx.Client, method: str, path: str, token: str, body: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return client.request(method, self._base + path, json=body, headers=headers)

    def get_presence(self) -> dict[str, Any]:
        data = self.request("GET", "/me/presence").json()
        return data if isinstance(data, dict) else {}

    def set_preferred(self, availability: str, activity: str, duration: str) -> None:
        self.request(
            "POST",
            "/me/presence/setUserPreferredPresence",
            {"availability": availability, "activity": activity, "expirationDuration": duration},
        )

    def clear_preferred(self) -> None:
        self.request("POST", "/me/presence/clearUserPreferredPresence", {})
