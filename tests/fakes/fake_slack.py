"""A fake Slack Web API that behaves like Slack for the methods Deep Work Zone calls.

It reads arguments from the query string, a form body or a JSON body (Slack accepts all
three), answers HTTP 200 with ``ok:false`` for errors, 429 + Retry-After for throttling
(injected), checks tokens (unknown -> invalid_auth, revoked -> token_revoked or whatever is
set) and scopes (missing_scope with needed/provided), escapes & < > in returned status text,
clears a status when its expiration passes, and keeps a snooze end time and a DND schedule.
It also plays Slack's OAuth v2 + PKCE endpoints for the sign-in test.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import urllib.parse
from typing import Any

from tests.fakes._server import FakeService, Request

ALL_SCOPES = ("dnd:read", "dnd:write", "users.profile:read", "users.profile:write")
NEEDED = {
    "dnd.info": "dnd:read",
    "dnd.setSnooze": "dnd:write",
    "dnd.endSnooze": "dnd:write",
    "dnd.endDnd": "dnd:write",
    "users.profile.get": "users.profile:read",
    "users.profile.set": "users.profile:write",
}


class FakeSlack(FakeService):
    def __init__(self, token: str = "xoxp-test", scopes: tuple[str, ...] = ALL_SCOPES) -> None:
        self.tokens: dict[str, dict[str, Any]] = {}
        self.add_token(token, scopes)
        self.revoked: dict[str, str] = {}  # token -> Slack error code
        self.expired: set[str] = set()  # rotating tokens past their 12 h
        self.refresh_tokens: dict[str, tuple[str, ...]] = {}  # refresh token -> scopes
        self.snooze_end = 0
        # The user's scheduled DND (e.g. nights); endDnd would end it, which we must never do.
        self.schedule = (0, 0)
        self.profile: dict[str, Any] = {
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
        }
        self.calls: list[tuple[str, dict[str, Any], str]] = []
        self.injected: list[tuple[str | None, int, dict[str, Any], dict[str, str]]] = []
        self.client_ids = {"C-FAKE"}
        self._codes: dict[str, dict[str, str]] = {}
        super().__init__()

    # -- test controls -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.origin + "/api/"

    @property
    def authorize_url(self) -> str:
        return self.origin + "/oauth/v2/authorize"

    def add_token(self, token: str, scopes: tuple[str, ...] = ALL_SCOPES) -> None:
        self.tokens[token] = {
            "user_id": "U123",
            "user": "ada",
            "team_id": "T42",
            "team": "Analytical Engines",
            "scopes": list(scopes),
        }

    def inject(
        self,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next call (of ``method``, or any) with this instead of the real thing."""
        self.injected.append((method, status, body, headers or {}))

    def rate_limit_next(self, retry_after: int = 1, method: str | None = None) -> None:
        self.inject(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}, method
        )

    def methods_called(self) -> list[str]:
        return [call[0] for call in self.calls]

    def set_status(self, text: str, emoji: str, expiration: int = 0) -> None:
        self.profile.update(status_text=text, status_emoji=emoji, status_expiration=expiration)

    def snoozing(self) -> bool:
        return self.snooze_end > self.now()

    # -- the service ---------------------------------------------------------------------
    def handle(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        url = urllib.parse.urlparse(request.path)
        if url.path.endswith("/oauth/v2/authorize"):
            return self._authorize(url.query)
        method = url.path.rsplit("/", 1)[-1]
        args = self._args(url.query, request)
        with self.lock:
            self.calls.append((method, args, request.headers.get("content-type", "")))
            for i, (only, status, body, headers) in enumerate(self.injected):
                if only is None or only == method:
                    del self.injected[i]
                    return status, body, headers
            if method == "oauth.v2.access":
                return self._ok(self._oauth_access(args))
            token = request.headers.get("authorization", "").removeprefix("Bearer ") or args.get(
                "token", ""
            )
            if not token:
                return self._ok({"ok": False, "error": "not_authed"})
            if token in self.expired:
                return self._ok({"ok": False, "error": "token_expired"})
            if token in self.revoked:
                return self._ok({"ok": False, "error": self.revoked[token]})
            user = self.tokens.get(token)
            if user is None:
                return self._ok({"ok": False, "error": "invalid_auth"})
            needed = NEEDED.get(method)
            if needed and needed not in user["scopes"]:
                return self._ok(
                    {
                        "ok": False,
                        "error": "missing_scope",
                        "needed": needed,
                        "provided": ",".join(user["scopes"]),
                    }
                )
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                return self._ok({"ok": False, "error": "unknown_method"})
            if method == "auth.test":
                return 200, handler(user), {"x-oauth-scopes": ",".join(user["scopes"])}
            return self._ok(handler(args))

    @staticmethod
    def _ok(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, body, {}

    @staticmethod
    def _args(query: str, request: Request) -> dict[str, Any]:
        args: dict[str, Any] = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        ctype = request.headers.get("content-type", "")
        if request.body and "json" in ctype:
            args.update(json.loads(request.body))
        elif request.body:
            args.update({k: v[0] for k, v in urllib.parse.parse_qs(request.body.decode()).items()})
        return args

    def _m_auth_test(self, user: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://analytical.slack.com/",
            "team": user["team"],
            "user": user["user"],
            "team_id": user["team_id"],
            "user_id": user["user_id"],
        }

    def _m_dnd_info(self, args: dict[str, Any]) -> dict[str, Any]:
        now = int(self.now())
        body: dict[str, Any] = {
            "ok": True,
            "dnd_enabled": self.schedule != (0, 0),
            "next_dnd_start_ts": self.schedule[0],
            "next_dnd_end_ts": self.schedule[1],
            "snooze_enabled": self.snooze_end > now,
        }
        if self.snooze_end > now:
            body.update(
                snooze_endtime=self.snooze_end,
                snooze_remaining=self.snooze_end - now,
                snooze_is_indefinite=False,
            )
        return body

    def _m_dnd_setSnooze(self, args: dict[str, Any]) -> dict[str, Any]:
        if "num_minutes" not in args:
            return {"ok": False, "error": "missing_duration"}
        try:
            minutes = int(args["num_minutes"])
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if minutes < 1:
            return {"ok": False, "error": "invalid_arguments"}
        now = int(self.now())
        self.snooze_end = now + minutes * 60
        return {
            "ok": True,
            "snooze_enabled": True,
            "snooze_endtime": self.snooze_end,
            "snooze_remaining": minutes * 60,
            "snooze_is_indefinite": False,
        }

    def _m_dnd_endSnooze(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.snoozing():
            return {"ok": False, "error": "snooze_not_active"}
        self.snooze_end = 0
        return {
            "ok": True,
            "dnd_enabled": self.schedule != (0, 0),
            "next_dnd_start_ts": self.schedule[0],
            "next_dnd_end_ts": self.schedule[1],
            "snooze_enabled": False,
        }

    def _m_dnd_endDnd(self, args: dict[str, Any]) -> dict[str, Any]:
        self.snooze_end = 0
        self.schedule = (0, 0)
        return {"ok": True}

    def visible_profile(self) -> dict[str, Any]:
        expiration = int(self.profile.get("status_expiration") or 0)
        if expiration and expiration <= self.now():
            # Slack resets an expired status; it does not bring back the one before.
            self.profile.update(status_text="", status_emoji="", status_expiration=0)
        shown = dict(self.profile)
        shown["status_text"] = html.escape(str(shown["status_text"]), quote=False)
        return shown

    def _m_users_profile_get(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "profile": {**self.visible_profile(), "real_name": "Ada Lovelace"}}

    def _m_users_profile_set(self, args: dict[str, Any]) -> dict[str, Any]:
        profile = args.get("profile")
        if isinstance(profile, str):
            try:
                profile = json.loads(profile)
            except ValueError:
                return {"ok": False, "error": "invalid_profile"}
        if not isinstance(profile, dict):
            return {"ok": False, "error": "invalid_profile"}
        text = profile.get("status_text")
        emoji = profile.get("status_emoji")
        kept_emoji = emoji if emoji is not None else self.profile["status_emoji"]
        if text == "" and kept_emoji:
            # Slack clears a status only when text and emoji are both emptied.
            return {"ok": False, "error": "must_clear_both_status_text_and_status_emoji"}
        if text is not None and len(str(text)) > 100:
            return {"ok": False, "error": "too_long"}
        self.profile.update({k: v for k, v in profile.items() if k in self.profile})
        if self.profile["status_text"] and not self.profile["status_emoji"]:
            self.profile["status_emoji"] = ":speech_balloon:"  # Slack's default emoji
        return {"ok": True, "profile": self.visible_profile()}

    # -- OAuth v2 + PKCE -----------------------------------------------------------------
    def _authorize(self, query: str) -> tuple[int, Any, dict[str, str]]:
        """The consent page, already approved: redirect back with a one-time code."""
        args = {k: v[0] for k, v in urllib.parse.parse_qs(query).items()}
        if args.get("client_id") not in self.client_ids:
            return 400, "unknown client_id", {}
        code = secrets.token_urlsafe(12)
        with self.lock:
            self._codes[code] = args
        target = (
            args["redirect_uri"]
            + "?"
            + urllib.parse.urlencode({"code": code, "state": args.get("state", "")})
        )
        return 302, None, {"Location": target}

    def _oauth_access(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("grant_type") == "refresh_token":
            scopes = self.refresh_tokens.pop(str(args.get("refresh_token")), None)
            if scopes is None or args.get("client_id") not in self.client_ids:
                return {"ok": False, "error": "invalid_refresh_token"}
            return self._issue(scopes)
        issued = self._codes.pop(str(args.get("code")), None)
        if issued is None:
            return {"ok": False, "error": "invalid_code"}
        if args.get("redirect_uri") != issued["redirect_uri"]:
            return {"ok": False, "error": "bad_redirect_uri"}
        digest = hashlib.sha256(str(args.get("code_verifier", "")).encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != issued.get("code_challenge"):
            return {"ok": False, "error": "invalid_code_verifier"}
        return self._issue(tuple(issued.get("user_scope", "").split(",")))

    def _issue(self, scopes: tuple[str, ...]) -> dict[str, Any]:
        """A rotating user token, as PKCE apps get: access token plus a one-use refresh token."""
        token = "xoxp-" + secrets.token_hex(8)
        refresh = "xoxe-1-" + secrets.token_hex(8)
        self.add_token(token, scopes)
        self.refresh_tokens[refresh] = scopes
        user = {
            "id": "U123",
            "scope": ",".join(scopes),
            "access_token": token,
            "token_type": "user",
            "refresh_token": refresh,
            "expires_in": 43200,
        }
        team = {"id": "T42", "name": "Analytical Engines"}
        return {"ok": True, "app_id": "A1", "authed_user": user, "team": team}
