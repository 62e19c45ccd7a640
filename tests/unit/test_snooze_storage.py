"""Where sign-ins are kept: connections file, token cache mode, client id."""

from __future__ import annotations

import stat

import pytest

from deepworkzone.core.paths import app_paths
from deepworkzone.core.settings import Settings, save_settings
from deepworkzone.snooze import connections, msal_auth
from deepworkzone.snooze.errors import NotConnected
from deepworkzone.snooze.msal_auth import graph_token_provider
from deepworkzone.snooze.tokens import SlackTokenProvider


def test_connections_file_roundtrip() -> None:
    connections.save("slack", {"user": "ada", "team": "T"})
    connections.mark_disconnected("slack", "token_revoked")
    assert connections.disconnected_reason("slack") == "token_revoked"
    connections.save("slack", {"user": "ada", "team": "T"})  # a new sign-in clears the mark
    assert connections.disconnected_reason("slack") is None
    connections.forget("slack")
    assert connections.load_all() == {}


def test_broken_connections_file_is_empty_not_fatal() -> None:
    path = app_paths().config_dir / "connections.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert connections.load_all() == {}


def test_token_cache_falls_back_to_a_private_file() -> None:
    with pytest.warns(UserWarning, match="Microsoft token cache"):
        persistence = msal_auth.build_persistence()
    persistence.save('{"Account": {}}')
    path = msal_auth.cache_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.warns(UserWarning):
        msal_auth.clear_cache()
    assert not path.exists()


def test_teams_client_id_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert msal_auth.teams_client_id() == msal_auth.DEFAULT_TEAMS_CLIENT_ID
    save_settings(Settings(teams_client_id="from-settings"))
    assert msal_auth.teams_client_id() == "from-settings"
    monkeypatch.setenv("DEEPWORKZONE_TEAMS_CLIENT_ID", "from-env")
    assert msal_auth.teams_client_id() == "from-env"


def test_msal_errors_get_a_fix() -> None:
    consent = {
        "error": "invalid_grant",
        "error_description": "AADSTS65001: The user has not consented",
    }
    assert "ask an admin" in msal_auth.explain(consent)
    other = {"error": "authorization_declined", "error_description": "User said no\nTrace ID: 1"}
    assert (
        msal_auth.explain(other)
        == "Microsoft sign-in failed (authorization_declined): User said no"
    )


def test_without_sign_in_tokens_say_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NotConnected, match=r"^Slack is not connected$") as slack:
        SlackTokenProvider().token()
    assert (slack.value.code, slack.value.data) == ("snooze_notconnected", {"service": "slack"})  # type: ignore[attr-defined]
    with pytest.raises(NotConnected, match="client id") as teams:
        graph_token_provider().token()  # no client id: never reaches Microsoft
    assert "deepworkzone" not in str(teams.value)
    assert teams.value.code == "teams_no_client_id"  # type: ignore[attr-defined]
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "eyJenv")
    provider = graph_token_provider()
    assert provider.token() == "eyJenv" and provider.refresh() is None
