"""`deepworkzone login/logout` and `sessions ...` driven in-process against the real server."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.cli.main import main
from deepworkzone.core.paths import app_paths
from deepworkzone.core.secrets import SecretStore
from deepworkzone.core.settings import load_settings
from tests.integration.conftest import SEED_SESSION, LiveServer, LiveServerFactory

Body = Callable[..., dict[str, Any]]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run the CLI; answer (exit code, stdout, stderr)."""

    def go(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return go


@pytest.fixture
def logged_in(live_server: LiveServer, run: Run) -> LiveServer:
    token = live_server.create_user("owner@acme.test")
    code, _, err = run("login", "--server", live_server.url, stdin=token + "\n")
    assert code == 0, err
    return live_server


def test_login_with_a_bad_token_stores_nothing(live_server: LiveServer, run: Run) -> None:
    code, out, err = run("login", "--server", live_server.url, "--token", "dwz_wrong")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("deepworkzone: error: the server refused")
    assert "dwz_wrong" not in err
    assert load_settings().server_url is None
    assert SecretStore().get("api_token") is None


def test_login_to_an_unreachable_server_is_exit_2(run: Run) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, _, err = run("login", "--server", f"http://127.0.0.1:{port}", "--token", "t")
    assert code == 2 and "cannot reach" in err and err.count("\n") == 1
    assert load_settings().server_url is None


def test_login_then_logout(live_server: LiveServer, run: Run) -> None:
    token = live_server.create_user("me@acme.test")
    code, out, err = run("login", "--server", live_server.url + "/", stdin=token + "\n")
    assert code == 0
    assert out.strip() == (
        f"logged in to {live_server.url}; token stored in {app_paths().secrets_file}"
    )
    assert "no OS keyring" in err and token not in out + err
    assert load_settings().server_url == live_server.url
    assert SecretStore().get("api_token") == token
    assert app_paths().secrets_file.stat().st_mode & 0o777 == 0o600

    code, out, _ = run("logout")
    assert code == 0 and out.startswith(f"logged out of {live_server.url}")
    assert load_settings().server_url is None and SecretStore().get("api_token") is None


def test_the_seed_example_through_the_cli(logged_in: LiveServer, run: Run, tmp_path: Path) -> None:
    body_file = tmp_path / "seed.json"
    # The seed's one-off day is past, and a session already over is refused at create time.
    seed = {**SEED_SESSION, "schedule": "2031-01-01"}
    body_file.write_text(json.dumps(seed))
    code, out, err = run("sessions", "create", "--json", str(body_file))
    assert code == 0, err
    sid = int(out.split()[2].rstrip(":"))
    code, out, _ = run("sessions", "show", str(sid), "--json")
    answer = json.loads(out)
    for field, sent in seed.items():
        assert answer[field] == sent, field

    code, out, _ = run("sessions", "show", str(sid))
    assert "Morning Deep Work" in out and "preset: social-media, gaming" in out
    assert "Snooze    slack, teams" in out


def test_list_table_json_and_filters(logged_in: LiveServer, run: Run, session_body: Body) -> None:
    assert (
        run(
            "sessions",
            "create",
            "--name",
            "Alpha",
            "--date",
            "2031-03-03",
            "--time",
            "9am",
            "--duration",
            "90",
            "--public",
            "--type",
            "drop-in",
        )[0]
        == 0
    )
    assert (
        run(
            "sessions",
            "create",
            "--name",
            "Beta",
            "--date",
            "2025-03-04",
            "--time",
            "14:00",
            "--repeat",
            "weekly",
            "--days",
            "tue,thu",
            "--timezone",
            "Europe/Paris",
        )[0]
        == 0
    )

    code, out, _ = run("sessions", "list")
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "NAME",
        "WHEN",
        "LENGTH",
        "TYPE",
        "CHANNEL",
        "STATUS",
        "RECURS",
    ]
    alpha = next(line for line in lines if "Alpha" in line)
    beta = next(line for line in lines if "Beta" in line)
    assert "2031-03-03 9:00 AM" in alpha and "1h 30m" in alpha and "public" in alpha
    assert "2:00 PM Europe/Paris" in beta and "weekly Tue,Thu" in beta

    code, out, _ = run("sessions", "list", "--json")
    listed = json.loads(out)
    assert sorted(s["name"] for s in listed) == ["Alpha", "Beta"]
    assert all(
        s["created_by"] is not None for s in listed
    )  # the server's JSON, not a local rendering

    assert (
        json.loads(run("sessions", "list", "--channel", "private", "--json")[1])[0]["name"]
        == "Beta"
    )
    assert "Beta" in run("sessions", "list", "--date", "2025-03-13")[1]  # a later Thursday
    assert run("sessions", "list", "--date", "2025-03-12")[1].strip() == "no sessions"
    code, _, err = run("sessions", "list", "--date", "someday")
    assert code == 1 and err.count("\n") == 1 and "is not a date" in err


def test_update_delete_and_the_servers_422(logged_in: LiveServer, run: Run) -> None:
    run(
        "sessions",
        "create",
        "--name",
        "Daily",
        "--date",
        "2025-01-01",
        "--time",
        "8:00",
        "--repeat",
        "daily",
    )
    sid = json.loads(run("sessions", "list", "--json")[1])[0]["id"]

    assert (
        run("sessions", "update", str(sid), "--duration", "25", "--name", "Daily standup")[0] == 0
    )
    shown = json.loads(run("sessions", "show", str(sid), "--json")[1])
    assert (shown["name"], shown["duration"]) == ("Daily standup", 25)

    # Valid for the client, refused by the server: the e-mail is not an org member.
    code, _, err = run("sessions", "update", str(sid), "--collaborator", "stranger@else.test")
    assert code == 1 and err.count("\n") == 1
    assert err == (
        "deepworkzone: error: collaborator.0: 'stranger@else.test' is not a member of your "
        "organization\n"
    )

    assert run("sessions", "delete", str(sid), "--occurrence", "2025-01-02")[0] == 0
    assert run("sessions", "list", "--date", "2025-01-02")[1].strip() == "no sessions"
    assert run("sessions", "delete", str(sid))[0] == 0
    code, _, err = run("sessions", "show", str(sid))
    assert code == 1 and err == f"deepworkzone: error: session {sid} not found\n"


def test_join_and_leave_with_the_environment_overriding_settings(
    logged_in: LiveServer, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(
        "sessions",
        "create",
        "--name",
        "Open room",
        "--date",
        "tomorrow",
        "--time",
        "10:00",
        "--type",
        "drop-in",
        "--public",
    )
    sid = json.loads(run("sessions", "list", "--json")[1])[0]["id"]
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", logged_in.create_user("mate@acme.test"))
    assert run("sessions", "join", str(sid)) == (0, f"joined session {sid}\n", "")
    people = (
        logged_in.client(logged_in.create_user("x@acme.test"))
        .get(f"/sessions/{sid}/participants")
        .json()
    )
    assert "mate@acme.test" in {p["email"] for p in people}
    assert run("sessions", "leave", str(sid))[0] == 0
    code, _, err = run("sessions", "leave", str(sid))
    assert code == 1 and "not joined" in err


def test_rate_limited_is_exit_2_with_one_line(
    live_server_factory: LiveServerFactory, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = live_server_factory(rate_limit_per_minute=2)
    monkeypatch.setenv("DEEPWORKZONE_SERVER", server.url)
    monkeypatch.setenv("DEEPWORKZONE_TOKEN", server.create_user("me@acme.test"))
    assert run("sessions", "list")[0] == 0
    assert run("sessions", "list")[0] == 0
    code, out, err = run("sessions", "list")
    assert code == 2 and out == ""
    assert err.startswith("deepworkzone: error: rate limited by the server; retry in ")


def test_login_token_dash_reads_stdin(live_server: LiveServer, run: Run) -> None:
    token = live_server.create_user("dash@acme.test")
    code, _out, err = run("login", "--server", live_server.url, "--token", "-", stdin=token + "\n")
    assert code == 0, err
    assert SecretStore().get("api_token") == token


def _local_session(run: Run, name: str) -> None:
    code, _, err = run(
        "sessions", "create", "--name", name, "--date", "2031-02-03", "--time", "9:00",
        "--timezone", "UTC",
    )  # fmt: skip
    assert code == 0, err


def test_login_uploads_local_sessions_and_their_ids_keep_their_meaning(
    live_server: LiveServer, run: Run
) -> None:
    _local_session(run, "Made offline")
    _local_session(run, "Also offline")
    token = live_server.create_user("up@acme.test")
    code, out, err = run("login", "--server", live_server.url, "--token", token, "--upload-local")
    assert code == 0, err
    assert "uploaded 2 local session(s)" in out
    on_server = live_server.client(token).get("/sessions").json()
    assert sorted(s["name"] for s in on_server) == ["Also offline", "Made offline"]
    # L1 named "Made offline" before the login, and still does.
    shown = json.loads(run("sessions", "show", "L1", "--json")[1])
    assert shown["name"] == "Made offline" and shown["id"] > 0
    assert run("logout")[0] == 0
    assert run("sessions", "list")[1] == "no sessions\n"  # nothing hidden: they moved


def test_login_can_keep_local_sessions_and_says_so(live_server: LiveServer, run: Run) -> None:
    _local_session(run, "Mine only")
    token = live_server.create_user("keep@acme.test")
    code, out, err = run("login", "--server", live_server.url, "--token", token, "--keep-local")
    assert code == 0, err
    assert "1 session(s) made on this machine stay here" in out
    assert live_server.client(token).get("/sessions").json() == []
    assert run("logout")[0] == 0
    assert "Mine only" in run("sessions", "list")[1]
