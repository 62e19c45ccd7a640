"""`deepworkzone connect / disconnect / connections` against the fake Slack and Graph."""

from __future__ import annotations

import io
import json
import socket
import threading

import httpx
import pytest

from deepworkzone.cli.main import main
from deepworkzone.core.paths import app_paths
from deepworkzone.core.secrets import SecretStore
from deepworkzone.snooze import connections
from tests.fakes.fake_graph import FakeGraph
from tests.fakes.fake_slack import FakeSlack
from tests.integration.snooze_fixtures import SLACK_TOKEN as TOKEN
from tests.integration.snooze_fixtures import graph_fixture, slack_fixture  # noqa: F401


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def nothing_stored() -> bool:
    return not app_paths().secrets_file.exists() and connections.load_all() == {}


def free_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def test_connect_slack_with_a_token(slack: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "connect", "slack", "--token", TOKEN)
    assert code == 0, err
    assert "Connected Slack as ada in Analytical Engines" in out
    assert TOKEN not in out + err
    assert "No OS keyring" in err  # the file store says so, in one line
    assert SecretStore().get("slack_token") == TOKEN
    assert slack.methods_called() == ["auth.test", "dnd.info"]

    code, out, _ = run(capsys, "connections")
    assert code == 0
    line = next(row for row in out.splitlines() if row.startswith("slack"))
    assert "yes" in line and "ada @ Analytical Engines" in line and line.rstrip().endswith("ok")


def test_token_from_stdin(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    code, _, err = run(capsys, "connect", "slack", "--token", "-")
    assert code == 0, err
    assert SecretStore().get("slack_token") == TOKEN


def test_bad_token_is_one_line_and_nothing_is_stored(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "connect", "slack", "--token", "xoxp-wrong")
    assert code == 1
    assert err.strip().splitlines() == [
        "deepworkzone: error: Slack refused the token (invalid_auth): reconnect Slack "
        "(run `deepworkzone connect slack` again)"
    ]
    assert "xoxp-wrong" not in out + err
    assert nothing_stored()


def test_token_missing_scopes_is_refused(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    slack.add_token("xoxp-narrow", ("dnd:read", "users.profile:read"))
    code, _, err = run(capsys, "connect", "slack", "--token", "xoxp-narrow")
    assert code == 1
    assert "lacks the scopes dnd:write, users.profile:write" in err
    assert nothing_stored()


def test_bot_token_is_explained(slack: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "connect", "slack", "--token", "xoxb-123")
    assert code == 1 and "User OAuth Token (xoxp-" in err
    assert slack.calls == []


def test_unreachable_slack_is_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_SLACK_API_URL", free_port_url())
    code, _, err = run(capsys, "connect", "slack", "--token", TOKEN)
    assert code == 2
    assert err.strip() == "deepworkzone: error: Slack could not be reached (connection failed)"
    assert nothing_stored()


def test_without_token_or_client_id_explains_how(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "connect", "slack")
    assert code == 1
    assert "User Token Scopes dnd:read, dnd:write" in err and "--token -" in err


def test_disconnect_slack(slack: FakeSlack, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "connect", "slack", "--token", TOKEN)[0] == 0
    code, out, _ = run(capsys, "disconnect", "slack")
    assert code == 0 and "Slack disconnected" in out
    assert SecretStore().get("slack_token") is None
    out = run(capsys, "connections")[1]
    assert next(r for r in out.splitlines() if r.startswith("slack")).split()[1] == "no"


def test_connections_notices_a_revoked_token(
    slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "connect", "slack", "--token", TOKEN)[0] == 0
    slack.revoked[TOKEN] = "token_revoked"
    out = run(capsys, "connections")[1]
    assert "token refused: reconnect" in out
    assert connections.disconnected_reason("slack")
    # Connecting again clears the mark.
    del slack.revoked[TOKEN]
    assert run(capsys, "connect", "slack", "--token", TOKEN)[0] == 0
    assert connections.disconnected_reason("slack") is None


class FakeBrowser:
    """The user's browser: follows Slack's consent redirect back to our loopback server."""

    def __init__(self, tamper_state: bool = False) -> None:
        self.tamper_state = tamper_state
        self.pages: list[str] = []

    def __call__(self, url: str) -> bool:
        def visit() -> None:
            if self.tamper_state:
                query = httpx.URL(url).params
                target = httpx.URL(query["redirect_uri"], params={"code": "x", "state": "forged"})
                self.pages.append(httpx.get(target).text)
            else:
                self.pages.append(httpx.get(url, follow_redirects=True).text)

        threading.Thread(target=visit, daemon=True).start()
        return True


@pytest.fixture
def pkce(slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> FakeSlack:
    monkeypatch.setenv("DEEPWORKZONE_SLACK_AUTHORIZE_URL", slack.authorize_url)
    monkeypatch.setenv("DEEPWORKZONE_SLACK_REDIRECT_PORT", "0")
    return slack


def test_connect_slack_with_pkce_on_loopback(
    pkce: FakeSlack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = FakeBrowser()
    monkeypatch.setattr("webbrowser.open", browser)
    code, out, err = run(capsys, "connect", "slack", "--client-id", "C-FAKE")
    assert code == 0, err
    assert "Connected Slack as ada" in out
    assert "sign-in received" in browser.pages[0]
    token = SecretStore().get("slack_token")
    assert token and token.startswith("xoxp-") and token != TOKEN and token not in out + err
    exchange = next(args for m, args, _ in pkce.calls if m == "oauth.v2.access")
    assert "client_secret" not in exchange and exchange["code_verifier"]
    assert json.loads(app_paths().settings_file.read_text())["slack_client_id"] == "C-FAKE"


def test_pkce_rejects_a_forged_state(
    pkce: FakeSlack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webbrowser.open", FakeBrowser(tamper_state=True))
    code, _, err = run(capsys, "connect", "slack", "--client-id", "C-FAKE")
    assert code == 1 and "did not match" in err
    assert "oauth.v2.access" not in pkce.methods_called()
    assert SecretStore().get("slack_token") is None


def test_connect_teams_checks_the_env_token(
    graph: FakeGraph, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    code, out, _ = run(capsys, "connect", "teams")
    assert code == 0 and "works (Teams shows Available)" in out
    assert nothing_stored()
    out = run(capsys, "connections")[1]
    assert "token from environment" in next(r for r in out.splitlines() if r.startswith("teams"))


def test_connect_teams_bad_env_token(
    graph: FakeGraph, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "expired")
    code, _, err = run(capsys, "connect", "teams")
    assert code == 1 and "sign-in is no longer valid (InvalidAuthenticationToken)" in err
    graph.forbidden = "Presence is not supported for personal accounts"
    monkeypatch.setenv("DEEPWORKZONE_GRAPH_TOKEN", "good")
    code, _, err = run(capsys, "connect", "teams")
    assert code == 1 and "personal Microsoft account" in err


def test_connect_teams_without_client_id_explains_registration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "connect", "teams", "--device-code")
    assert code == 1
    assert "Presence.ReadWrite" in err and "--client-id" in err and "http://localhost" in err
    assert len(err.strip().splitlines()) == 1


def test_teams_connection_is_listed_and_disconnected(capsys: pytest.CaptureFixture[str]) -> None:
    connections.save(
        "teams",
        {
            "user": "ada@contoso.example",
            "tenant_id": "t1",
            "client_id": "c1",
            "scopes": ["https://graph.microsoft.com/Presence.ReadWrite"],
        },
    )
    cache = app_paths().config_dir / "msal_token_cache.bin"
    cache.write_text('{"AccessToken": {}}')
    out = run(capsys, "connections")[1]
    row = next(r for r in out.splitlines() if r.startswith("teams"))
    assert "yes" in row and "ada@contoso.example" in row and row.rstrip().endswith("ok")
    code, out, _ = run(capsys, "disconnect", "teams")
    assert code == 0 and "Microsoft Teams disconnected" in out
    assert not cache.exists()
    assert connections.get("teams") is None
