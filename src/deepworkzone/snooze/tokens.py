"""Where the snoozers get their tokens: an env override, else the SecretStore.

Tokens are read fresh in every process (crash recovery included) and never written to the
journal or the log. ``DEEPWORKZONE_SLACK_TOKEN`` / ``DEEPWORKZONE_GRAPH_TOKEN`` are used as is,
with no sign-in and no refresh, for tests and scripted setups.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Protocol, TypeVar

from deepworkzone.core.secrets import SecretStore
from deepworkzone.snooze.errors import NotConnected, SnoozeError

log = logging.getLogger(__name__)

E = TypeVar("E", bound=SnoozeError)

NOT_CONNECTED = "snooze_notconnected"
AUTH_REVOKED = "snooze_authrevoked"
MISSING_SCOPE = "snooze_missingscope"
NO_CLIENT_ID = "teams_no_client_id"
"""Stable codes of the snooze errors a front end words for itself (the CLI's ``hint``), with
``data["service"]`` "slack" or "teams". They are the codes the engine gives the same
failures (``snooze_`` + the class name), so either way the front end sees one code."""


def coded(exc: E, code: str, **data: Any) -> E:
    """``exc`` with a stable ``code`` and its ``data``; its message names no command, since
    what to type or click is the front end's to say."""
    exc.__dict__.update(code=code, data=data)
    return exc


SLACK_TOKEN_ENV = "DEEPWORKZONE_SLACK_TOKEN"
GRAPH_TOKEN_ENV = "DEEPWORKZONE_GRAPH_TOKEN"
SLACK_API_URL_ENV = "DEEPWORKZONE_SLACK_API_URL"
GRAPH_API_URL_ENV = "DEEPWORKZONE_GRAPH_API_URL"

SLACK_TOKEN_SECRET = "slack_token"
SLACK_REFRESH_SECRET = "slack_refresh_token"
MSAL_CACHE_SECRET = "msal_token_cache"

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_GRAPH_API_URL = "https://graph.microsoft.com/v1.0"


def slack_api_url() -> str:
    url = os.environ.get(SLACK_API_URL_ENV) or DEFAULT_SLACK_API_URL
    return url if url.endswith("/") else url + "/"


def graph_api_url() -> str:
    return (os.environ.get(GRAPH_API_URL_ENV) or DEFAULT_GRAPH_API_URL).rstrip("/")


class TokenProvider(Protocol):
    def token(self) -> str:
        """A token to send now; raises NotConnected when there is none."""
        ...

    def refresh(self) -> str | None:
        """A new token after the service said the current one expired; None if impossible."""
        ...


class StaticToken:
    """A token used as is (the env overrides, or one just pasted and being checked)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def token(self) -> str:
        return self._value

    def refresh(self) -> str | None:
        return None


class SlackTokenProvider:
    """The Slack user token: env override, else the SecretStore; refreshes rotating tokens."""

    def __init__(self, store: SecretStore | None = None) -> None:
        self._store = store or SecretStore()

    def token(self) -> str:
        env = os.environ.get(SLACK_TOKEN_ENV)
        if env:
            return env
        value = self._store.get(SLACK_TOKEN_SECRET)
        if not value:
            raise coded(NotConnected("Slack is not connected"), NOT_CONNECTED, service="slack")
        return value

    def refresh(self) -> str | None:
        if os.environ.get(SLACK_TOKEN_ENV):
            return None
        refresh_token = self._store.get(SLACK_REFRESH_SECRET)
        if not refresh_token:
            return None
        # Imported here: only PKCE sign-ins with token rotation ever get this far.
        from deepworkzone.snooze.slack_oauth import refresh_user_token

        grant = refresh_user_token(refresh_token)
        if grant is None:
            return None
        self._store.set(SLACK_TOKEN_SECRET, grant.access_token)
        if grant.refresh_token:
            self._store.set(SLACK_REFRESH_SECRET, grant.refresh_token)
        log.info("Slack token refreshed")
        return grant.access_token


def slack_token_available(store: SecretStore | None = None) -> bool:
    return bool(os.environ.get(SLACK_TOKEN_ENV) or (store or SecretStore()).get(SLACK_TOKEN_SECRET))
