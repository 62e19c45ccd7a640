"""`deepworkzone serve` as a user runs it: a real process on loopback."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deepworkzone.cli.main import main
from tests.integration.conftest import LiveServerFactory


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a `deepworkzone serve --port 0` child process."""
    db_url = f"sqlite:///{tmp_path / 'served.db'}"
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "deepworkzone.cli.main",
            "serve",
            "--port",
            "0",
            "--db",
            db_url,
            "--rate-limit",
            "7",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout is not None
        first_line = child.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/api/v1", first_line)
        assert match, first_line
        yield f"http://127.0.0.1:{match.group(1)}", db_url
    finally:
        child.terminate()
        child.wait(timeout=10)


def test_serve_answers_the_api_with_its_options(
    served: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, db_url = served
    assert (
        main(
            [
                "admin",
                "create-user",
                "--email",
                "a@acme.test",
                "--org",
                "acme",
                "--quiet",
                "--db",
                db_url,
            ]
        )
        == 0
    )
    token = capsys.readouterr().out.strip()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as client:
        response = client.get("/api/v1/sessions")
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "7"
        assert client.get("/docs").status_code == 200


def test_serve_mistakes_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", "not a url"]) == 1
    assert "--db: 'not a url' is not a database URL" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = f"sqlite:///{tmp_path / 'x.db'}"
        assert main(["serve", "--port", str(port), "--db", db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err


def test_an_in_memory_database_keeps_its_data_across_requests(
    live_server_factory: LiveServerFactory,
) -> None:
    server = live_server_factory(db_url="sqlite://")
    client = server.client(server.create_user("a@acme.test"))
    body = {"name": "x", "duration": 5, "schedule": "2025-01-01", "time": "9:00"}
    session_id = client.post("/sessions", json=body).json()["id"]
    assert client.get(f"/sessions/{session_id}").json()["time"] == "9:00 AM"
