"""Slack and Microsoft Teams connections for snoozing: check, store, list, forget.

Tokens go to the SecretStore and are never returned or logged; who they belong to goes to a
small non-secret file. A bad token or an unreachable service raises an EngineError and
stores nothing. Secret-storage warnings are handed back for the front end to show.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from deepworkzone.engine.errors import EngineError, ServiceFailed


@dataclass
class Connected:
    service: str
    account: str
    team: str | None = None
    secret_location: str | None = None
    stored: bool = True
    note: str | None = None
    warnings: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _collected(into: list[str]) -> Iterator[None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    into.extend(str(w.message) for w in caught)


def _failure(exc: Exception) -> EngineError:
    from deepworkzone.snooze.errors import RateLimited, ServiceUnavailable

    # The snooze layer's own code and data when it set them (what the front end's words
    # need: which service, which error), else one made from the error's class.
    code = getattr(exc, "code", None)
    if not isinstance(code, str) or not code.startswith(("snooze_", "teams_")):
        code = "snooze_" + type(exc).__name__.lower()
    data = getattr(exc, "data", None)
    data = dict(data) if isinstance(data, dict) else {}
    if isinstance(exc, ServiceUnavailable | RateLimited):
        return ServiceFailed(code, str(exc), **data)
    return EngineError(code, str(exc), **data)


def _quick_policy() -> Any:
    from deepworkzone.snooze.status import quick_policy

    return quick_policy()


def check_slack_token(token: str) -> tuple[dict[str, Any], list[str] | None]:
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.slack_api import REQUIRED_SCOPES, SlackApi
    from deepworkzone.snooze.tokens import StaticToken

    if token.startswith("xoxb-"):
        raise EngineError(
            "slack_bot_token",
            "that is a bot token (xoxb-…); snoozing needs the User OAuth Token (xoxp-…)",
        )
    api = SlackApi(StaticToken(token), policy=_quick_policy())
    try:
        who, scopes = api.auth_test()
        if scopes is not None:
            missing = [s for s in REQUIRED_SCOPES if s not in scopes]
            if missing:
                raise EngineError(
                    "slack_missing_scopes",
                    f"the Slack token lacks the scopes {', '.join(missing)}: add them as User "
                    "Token Scopes, reinstall the app and use the new token",
                    missing=missing,
                )
        api.dnd_info()  # catches a missing_scope that the header did not show
    except SnoozeError as exc:
        raise _failure(exc) from None
    return who, scopes


def _save_slack(token: str, refresh: str | None, who: dict[str, Any], scopes: Any) -> Connected:
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.snooze import connections
    from deepworkzone.snooze.tokens import SLACK_REFRESH_SECRET, SLACK_TOKEN_SECRET

    store = SecretStore()
    result = Connected("slack", str(who.get("user") or ""), str(who.get("team") or ""))
    with _collected(result.warnings):
        store.set(SLACK_TOKEN_SECRET, token)
        if refresh:
            store.set(SLACK_REFRESH_SECRET, refresh)
        else:
            store.delete(SLACK_REFRESH_SECRET)
    connections.save(
        "slack",
        {
            "user": who.get("user") or who.get("user_id") or "",
            "user_id": who.get("user_id") or "",
            "team": who.get("team") or who.get("team_id") or "",
            "team_id": who.get("team_id") or "",
            "scopes": scopes,
        },
    )
    result.secret_location = str(store.location)
    return result


def connect_slack_token(token: str) -> Connected:
    token = token.strip()
    if not token:
        raise EngineError("no_token_given", "no token given")
    who, scopes = check_slack_token(token)
    return _save_slack(token, None, who, scopes)


def slack_client_id(new: str | None = None) -> str | None:
    """The Slack app used for the browser sign-in (saved when ``new`` is given)."""
    from deepworkzone.core.settings import load_settings, save_settings

    settings = load_settings()
    if new:
        settings.slack_client_id = new.strip()
        save_settings(settings)
    return settings.slack_client_id


def connect_slack_browser(client_id: str, show: Callable[[str], None]) -> Connected:
    from deepworkzone.snooze import slack_oauth
    from deepworkzone.snooze.errors import SnoozeError

    try:
        grant = slack_oauth.sign_in(client_id, show=show)
    except SnoozeError as exc:
        raise _failure(exc) from None
    who, scopes = check_slack_token(grant.access_token)
    return _save_slack(grant.access_token, grant.refresh_token, who, scopes)


def _check_graph(token: str) -> dict[str, Any]:
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.graph_api import GraphApi
    from deepworkzone.snooze.tokens import StaticToken

    try:
        return GraphApi(StaticToken(token), policy=_quick_policy()).get_presence()
    except SnoozeError as exc:
        raise _failure(exc) from None


def connect_teams(
    show: Callable[[str], None], *, device_code: bool = False, client_id: str | None = None
) -> Connected:
    """Sign in to Microsoft (browser or device code), or check the environment's token."""
    from deepworkzone.core.settings import load_settings, save_settings
    from deepworkzone.snooze import connections, msal_auth
    from deepworkzone.snooze.errors import SnoozeError
    from deepworkzone.snooze.tokens import GRAPH_TOKEN_ENV

    env_token = os.environ.get(GRAPH_TOKEN_ENV)
    if env_token:
        presence = _check_graph(env_token)
        return Connected(
            "teams",
            "",
            stored=False,
            note=f"{GRAPH_TOKEN_ENV} works (Teams shows {presence.get('availability')}); it is "
            "used as is, nothing was stored",
        )
    if client_id:
        settings = load_settings()
        settings.teams_client_id = client_id.strip()
        save_settings(settings)
    chosen = msal_auth.teams_client_id()
    if not chosen:
        raise EngineError("teams_no_client_id", "no Microsoft app (client) id is configured")
    result = Connected("teams", "")
    try:
        with _collected(result.warnings):
            info = msal_auth.sign_in(chosen, device_code=device_code, show=show)
    except SnoozeError as exc:
        raise _failure(exc) from None
    _check_graph(info.pop("access_token"))
    connections.save("teams", info)
    result.account = str(info.get("user") or "")
    return result


@dataclass(frozen=True)
class Disconnected:
    label: str
    env_still_set: str | None
    warnings: tuple[str, ...]


def disconnect(service: str) -> Disconnected:
    from deepworkzone.core.secrets import SecretStore
    from deepworkzone.snooze import connections, msal_auth
    from deepworkzone.snooze.tokens import (
        GRAPH_TOKEN_ENV,
        SLACK_REFRESH_SECRET,
        SLACK_TOKEN_ENV,
        SLACK_TOKEN_SECRET,
    )

    caught: list[str] = []
    if service == "slack":
        store = SecretStore()
        store.delete(SLACK_TOKEN_SECRET)
        store.delete(SLACK_REFRESH_SECRET)
        env, label = SLACK_TOKEN_ENV, "Slack"
    elif service == "teams":
        with _collected(caught):
            msal_auth.clear_cache()
        env, label = GRAPH_TOKEN_ENV, "Microsoft Teams"
    else:
        raise EngineError("unknown_service", f"unknown service {service!r}: slack or teams")
    connections.forget(service)
    return Disconnected(label, env if os.environ.get(env) else None, tuple(caught))


def connection_rows() -> list[Any]:
    """One row per chat service: service, connected, account, scopes."""
    from deepworkzone.snooze.status import connection_rows as rows

    return list(rows())
