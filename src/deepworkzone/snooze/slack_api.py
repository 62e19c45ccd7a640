"""The handful of Slack Web API methods the snoozer needs, with Slack's errors classified.

Every Slack answer is HTTP 200 with ``ok`` true or false, except throttling (HTTP 429 with
Retry-After), so ``ok:false`` is where the real errors are. There is deliberately no
``dnd.endDnd`` here: it would also end the user's scheduled Do Not Disturb.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import httpx

from deepworkzone.snooze.errors import (
    ApiError,
    AuthRevoked,
    MissingScope,
    ServiceUnavailable,
    SnoozeError,
)
from deepworkzone.snooze.http_retry import RetryPolicy, send
from deepworkzone.snooze.tokens import (
    AUTH_REVOKED,
    MISSING_SCOPE,
    TokenProvider,
    coded,
    slack_api_url,
)

log = logging.getLogger(__name__)

REAUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
SCOPE_ERRORS = frozenset({"missing_scope", "not_allowed_token_type"})
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
REQUIRED_SCOPES = ("dnd:read", "dnd:write", "users.profile:read", "users.profile:write")


def classify(body: dict[str, Any]) -> SnoozeError:
    error = str(body.get("error") or "unknown_error")
    if error in REAUTH_ERRORS:
        return coded(
            AuthRevoked(f"Slack refused the token ({error}): reconnect Slack"),
            AUTH_REVOKED,
            service="slack",
            error=error,
        )
    if error in SCOPE_ERRORS:
        needed = body.get("needed")
        what = f" (needs {needed})" if needed else ""
        return coded(
            MissingScope(
                f"The Slack token lacks a permission{what}: reconnect Slack and grant "
                f"{', '.join(REQUIRED_SCOPES)}"
            ),
            MISSING_SCOPE,
            service="slack",
            needed=needed,
            scopes=list(REQUIRED_SCOPES),
        )
    if error in TRANSIENT_ERRORS:
        return ServiceUnavailable(f"Slack had a temporary problem ({error}); try again later")
    return ApiError(f"Slack answered {error}", error)


class SlackApi:
    def __init__(
        self,
        tokens: TokenProvider,
        *,
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._tokens = tokens
        self._base = base_url or slack_api_url()
        self._policy = policy or RetryPolicy()
        self._timeout = timeout

    def call(
        self, method: str, *, form: dict[str, str] | None = None, json: Any = None
    ) -> tuple[dict[str, Any], httpx.Headers]:
        """POST ``method``; the body when ``ok`` is true, else the classified SnoozeError."""
        refreshed = False
        while True:
            token = self._tokens.token()
            with httpx.Client(timeout=self._timeout) as client:
                attempt = functools.partial(self._post, client, method, token, form, json)
                response = send(attempt, self._policy, "Slack")
            try:
                body = response.json()
            except ValueError:
                raise ServiceUnavailable(
                    f"Slack sent an unreadable answer to {method} (HTTP {response.status_code})"
                ) from None
            if not isinstance(body, dict):
                raise ServiceUnavailable(f"Slack sent an unexpected answer to {method}")
            if body.get("ok"):
                return body, response.headers
            if body.get("error") == "token_expired" and not refreshed:
                # Rotating tokens (PKCE sign-in) last 12 h; refresh once, then give up.
                refreshed = True
                if self._tokens.refresh():
                    continue
                raise coded(
                    AuthRevoked("The Slack sign-in expired: reconnect Slack"),
                    AUTH_REVOKED,
                    service="slack",
                    error="token_expired",
                )
            log.info("Slack %s failed: %s", method, body.get("error"))
            raise classify(body)

    def _post(
        self, client: httpx.Client, method: str, token: str, form: dict[str, str] | None, json: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if json is not None:
            return client.post(self._base + method, json=json, headers=headers)
        return client.post(self._base + method, data=form or {}, headers=headers)

    def auth_test(self) -> tuple[dict[str, Any], list[str] | None]:
        """Who the token belongs to, and its scopes when Slack says (x-oauth-scopes)."""
        body, headers = self.call("auth.test")
        raw = headers.get("x-oauth-scopes")
        scopes = [s.strip() for s in raw.split(",") if s.strip()] if raw is not None else None
        return body, scopes

    def dnd_info(self) -> dict[str, Any]:
        return self.call("dnd.info")[0]

    def set_snooze(self, minutes: int) -> dict[str, Any]:
        # Form-encoded, as Slack documents for this method.
        return self.call("dnd.setSnooze", form={"num_minutes": str(minutes)})[0]

    def end_snooze(self) -> bool:
        """End the current snooze; False when there was none (already ended is fine)."""
        try:
            self.call("dnd.endSnooze")
        except ApiError as exc:
            if exc.code == "snooze_not_active":
                return False
            raise
        return True

    def profile_get(self) -> dict[str, Any]:
        profile = self.call("users.profile.get")[0].get("profile")
        return profile if isinstance(profile, dict) else {}

    def profile_set(self, profile: dict[str, Any]) -> dict[str, Any]:
        # JSON, as Slack recommends for users.profile.set.
        return self.call("users.profile.set", json={"profile": profile})[0]
