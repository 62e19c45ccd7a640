"""What `deepworkzone connections` shows: per service, connected or not, to whom, scopes.

Slack is asked live (``auth.test`` names the user and, in ``x-oauth-scopes``, the scopes), so
a revoked token shows up here and is marked. Teams answers from the last sign-in: asking
Microsoft would mean a token refresh for a listing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from deepworkzone.core.secrets import SecretStore
from deepworkzone.snooze import connections
from deepworkzone.snooze.errors import AuthRevoked, SnoozeError
from deepworkzone.snooze.http_retry import RetryPolicy
from deepworkzone.snooze.slack_api import REQUIRED_SCOPES, SlackApi
from deepworkzone.snooze.tokens import (
    GRAPH_TOKEN_ENV,
    SLACK_TOKEN_ENV,
    SLACK_TOKEN_SECRET,
    StaticToken,
)


@dataclass(frozen=True)
class ConnectionRow:
    service: str
    connected: str
    account: str
    scopes: str


def quick_policy() -> RetryPolicy:
    """A person is waiting at the terminal: one network retry, at most 10 s of waiting."""
    return RetryPolicy(max_total_wait=10.0, max_network_retries=1)


def _who(info: dict[str, Any] | None) -> str:
    if not info:
        return "-"
    user, team = info.get("user") or "", info.get("team") or ""
    return f"{user} @ {team}" if team else (user or "-")


def slack_row(info: dict[str, Any] | None) -> ConnectionRow:
    token = os.environ.get(SLACK_TOKEN_ENV) or SecretStore().get(SLACK_TOKEN_SECRET)
    if not token:
        return ConnectionRow("slack", "no", "-", "-")
    try:
        who, scopes = SlackApi(StaticToken(token), policy=quick_policy()).auth_test()
    except AuthRevoked as exc:
        connections.mark_disconnected("slack", str(exc))
        return ConnectionRow("slack", "no (token refused: reconnect)", _who(info), "-")
    except SnoozeError as exc:
        return ConnectionRow("slack", f"unknown ({exc})", _who(info), "-")
    if scopes is None:
        scope_text = "unknown"
    else:
        missing = [s for s in REQUIRED_SCOPES if s not in scopes]
        scope_text = "missing " + ", ".join(missing) if missing else "ok"
    return ConnectionRow("slack", "yes", f"{who.get('user')} @ {who.get('team')}", scope_text)


def teams_row(info: dict[str, Any] | None) -> ConnectionRow:
    if os.environ.get(GRAPH_TOKEN_ENV):
        return ConnectionRow("teams", "yes (token from environment)", "-", "unknown")
    if not info:
        return ConnectionRow("teams", "no", "-", "-")
    if info.get("disconnected"):
        return ConnectionRow("teams", "no (sign-in refused: reconnect)", _who(info), "-")
    # MSAL reports scopes either bare or as https://graph.microsoft.com/Presence.ReadWrite.
    granted = [str(s).lower() for s in info.get("scopes") or []]
    ok = any(s.endswith("presence.readwrite") for s in granted)
    return ConnectionRow("teams", "yes", _who(info), "ok" if ok else "missing Presence.ReadWrite")


def connection_rows() -> list[ConnectionRow]:
    known = connections.load_all()
    return [slack_row(known.get("slack")), teams_row(known.get("teams"))]
