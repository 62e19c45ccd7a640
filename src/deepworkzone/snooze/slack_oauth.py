"""Slack sign-in with OAuth v2 + PKCE on a loopback redirect (public client, no secret).

The app must have PKCE turned on and ``http://127.0.0.1:<port>/slack/callback`` among its
redirect URLs; only user scopes are requested, as Slack allows for desktop redirects.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import logging
import os
import secrets
import time
import urllib.parse
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from deepworkzone.core.settings import load_settings
from deepworkzone.snooze.errors import ApiError, ServiceUnavailable, SnoozeError
from deepworkzone.snooze.slack_api import REQUIRED_SCOPES
from deepworkzone.snooze.tokens import slack_api_url

log = logging.getLogger(__name__)

AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
AUTHORIZE_URL_ENV = "DEEPWORKZONE_SLACK_AUTHORIZE_URL"
REDIRECT_PORT = 48273
REDIRECT_PORT_ENV = "DEEPWORKZONE_SLACK_REDIRECT_PORT"
CALLBACK_PATH = "/slack/callback"


@dataclass(frozen=True)
class UserGrant:
    access_token: str
    refresh_token: str | None
    scopes: list[str]
    user_id: str
    team_id: str
    team_name: str


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(client_id: str, redirect_uri: str, state: str, challenge: str) -> str:
    query = urllib.parse.urlencode(
        {
            "client_id": client_id,
            "user_scope": ",".join(REQUIRED_SCOPES),
            "redirect_uri": redirect_uri,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{os.environ.get(AUTHORIZE_URL_ENV) or AUTHORIZE_URL}?{query}"


def _grant_from(body: dict[str, Any]) -> UserGrant:
    user = body.get("authed_user") or {}
    token = user.get("access_token") or (
        body.get("access_token") if body.get("token_type") == "user" else None
    )
    if not token:
        raise SnoozeError("Slack returned no user token: the app must request user scopes")
    team = body.get("team") or {}
    return UserGrant(
        access_token=str(token),
        refresh_token=user.get("refresh_token") or body.get("refresh_token"),
        scopes=[s for s in str(user.get("scope") or body.get("scope") or "").split(",") if s],
        user_id=str(user.get("id") or body.get("user_id") or ""),
        team_id=str(team.get("id") or ""),
        team_name=str(team.get("name") or ""),
    )


def _oauth_access(form: dict[str, str]) -> dict[str, Any]:
    try:
        response = httpx.post(slack_api_url() + "oauth.v2.access", data=form, timeout=15.0)
        body = response.json()
    except httpx.TransportError:
        raise ServiceUnavailable("Slack could not be reached to finish the sign-in") from None
    except ValueError:
        raise ServiceUnavailable("Slack sent an unreadable answer to the sign-in") from None
    if not isinstance(body, dict) or not body.get("ok"):
        error = str(body.get("error") if isinstance(body, dict) else "unknown_error")
        raise ApiError(f"Slack sign-in failed ({error})", error)
    return body


def exchange_code(client_id: str, code: str, verifier: str, redirect_uri: str) -> UserGrant:
    return _grant_from(
        _oauth_access(
            {
                "client_id": client_id,
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
                "grant_type": "authorization_code",
            }
        )
    )


def refresh_user_token(refresh_token: str) -> UserGrant | None:
    """A new rotating token; None when Slack refuses (the user must sign in again)."""
    client_id = load_settings().slack_client_id
    if not client_id:
        return None
    try:
        body = _oauth_access(
            {"client_id": client_id, "grant_type": "refresh_token", "refresh_token": refresh_token}
        )
    except ApiError as exc:
        log.info("Slack token refresh refused: %s", exc.code)
        return None
    return _grant_from(body)


class _Callback(http.server.BaseHTTPRequestHandler):
    result: dict[str, str] | None = None

    def do_GET(self) -> None:
        url = urllib.parse.urlparse(self.path)
        if url.path != CALLBACK_PATH:
            self.send_error(404)
            return
        query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        type(self).result = query
        text = "Deep Work Zone: Slack sign-in received. You can close this tab."
        if "error" in query:
            text = (
                f"Deep Work Zone: Slack sign-in failed ({query['error']}). You can close this tab."
            )
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the query string holds the one-time code: keep it out of stderr


def sign_in(
    client_id: str,
    *,
    show: Callable[[str], None],
    open_browser: Callable[[str], Any] | None = None,
    timeout: float = 300.0,
) -> UserGrant:
    """Open the browser on Slack's consent page and wait for the loopback redirect."""
    port = int(os.environ.get(REDIRECT_PORT_ENV) or REDIRECT_PORT)

    class handler(_Callback):  # a fresh class per sign-in: the result lives on the class
        result = None

    try:
        server = http.server.HTTPServer(("127.0.0.1", port), handler)
    except OSError:
        raise SnoozeError(
            f"Port {port} on 127.0.0.1 is busy; close what uses it and try again"
        ) from None
    redirect_uri = f"http://127.0.0.1:{server.server_address[1]}{CALLBACK_PATH}"
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(24)
    url = authorize_url(client_id, redirect_uri, state, challenge)
    show(f"Opening the browser for the Slack sign-in. If it does not open, visit:\n{url}")
    (open_browser or webbrowser.open)(url)
    deadline = time.monotonic() + timeout
    try:
        while handler.result is None and time.monotonic() < deadline:
            server.timeout = max(0.1, min(1.0, deadline - time.monotonic()))
            server.handle_request()
    finally:
        server.server_close()
    result = handler.result
    if result is None:
        raise SnoozeError("Slack sign-in timed out: nothing came back from the browser")
    if "error" in result:
        raise SnoozeError(f"Slack sign-in was not completed ({result['error']})")
    if result.get("state") != state or not result.get("code"):
        raise SnoozeError("Slack sign-in answer did not match this request; try again")
    return exchange_code(client_id, result["code"], verifier, redirect_uri)
