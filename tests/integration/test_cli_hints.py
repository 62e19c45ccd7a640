"""Below cli/ an error says what is wrong; the CLI adds what to type, in parentheses."""

from __future__ import annotations

from typing import Any

import pytest

from deepworkzone.cli.main import main
from deepworkzone.snooze.errors import NotConnected
from tests.integration.conftest import LiveServer


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_a_server_without_a_token_says_how_to_sign_in(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_SERVER", "https://sessions.example.test")
    code, err = _run(capsys, "sessions", "list")
    assert code == 1
    assert err.splitlines() == [
        "deepworkzone: error: no API token for https://sessions.example.test (run "
        "`deepworkzone login --server https://sessions.example.test` or set DEEPWORKZONE_TOKEN)"
    ]


def test_a_refused_token_says_to_sign_in_again(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEEPWORKZONE_SERVER", live_server.url)
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", "dwz_not_a_real_token")
    code, err = _run(capsys, "sessions", "list")
    assert code == 1
    assert err.splitlines() == [
        "deepworkzone: error: the server refused the API token (invalid or revoked) "
        "(run `deepworkzone login` again)"
    ]
    assert "dwz_not_a_real_token" not in err


def test_the_cli_words_the_codes_of_the_layers_below() -> None:
    from deepworkzone.cli.errors import hint
    from deepworkzone.snooze.slack_api import classify
    from deepworkzone.snooze.tokens import SlackTokenProvider

    with pytest.raises(NotConnected) as missing:
        SlackTokenProvider().token()
    exc: Any = missing.value
    assert hint(exc.code, exc.data) == "run `deepworkzone connect slack`"
    revoked: Any = classify({"ok": False, "error": "token_revoked"})
    assert hint(revoked.code, revoked.data) == "run `deepworkzone connect slack` again"
    assert hint("snooze_authrevoked", {"service": "teams"}) == (
        "run `deepworkzone connect teams` again"
    )
    # From inside `deepworkzone connect`, where the engine keeps the code but not the service.
    assert hint("snooze_authrevoked", {}) is None
    assert hint("offline", {"maybe_sent": True}) == "run `deepworkzone sessions list` to check"
    assert hint("offline", {"status": None}) is None
    assert hint("teams_no_client_id", {"service": "teams"}) == (
        "then run `deepworkzone connect teams --client-id <id>`"
    )
