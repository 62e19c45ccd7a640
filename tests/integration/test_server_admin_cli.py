"""`deepworkzone admin` against the database a live server uses."""

from __future__ import annotations

import pytest

from deepworkzone.cli.main import main
from tests.integration.conftest import LiveServer


def test_create_user_prints_a_working_token_and_revoke_key_stops_it(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", live_server.db_url]
    assert (
        main(["admin", "create-user", "--email", "New@Acme.test", "--org", "acme", "--quiet", *db])
        == 0
    )
    token = capsys.readouterr().out
    assert token.startswith("dwz_") and token.count("\n") == 1
    client = live_server.client(token.strip())
    assert client.get("/sessions").status_code == 200

    assert (
        main(
            [
                "admin",
                "create-user",
                "--email",
                "g@acme.test",
                "--org",
                "acme",
                "--role",
                "GUEST",
                *db,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "user g@acme.test" in out and "(GUEST): dwz_" in out and "cannot be shown again" in out

    assert main(["admin", "revoke-key", "--token", token.strip(), *db]) == 0
    assert "revoked" in capsys.readouterr().out
    assert client.get("/sessions").status_code == 401


def test_admin_mistakes_are_one_line_exit_1(
    live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", live_server.db_url]
    main(["admin", "create-user", "--email", "a@acme.test", "--org", "acme", "--quiet", *db])
    capsys.readouterr()
    cases = [
        (
            ["create-user", "--email", "a@acme.test", "--org", "other"],
            "already belongs to another org",
        ),
        (
            ["create-user", "--email", "nobody", "--org", "acme"],
            "'nobody' is not an e-mail address",
        ),
        (["revoke-key", "--id", "999"], "no such API key"),
        (["revoke-key", "--token", "dwz_nope"], "no such API key"),
    ]
    for args, message in cases:
        assert main(["admin", *args, *db]) == 1, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and message in err, err
