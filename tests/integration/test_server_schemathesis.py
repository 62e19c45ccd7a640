"""schemathesis against the real server on loopback: every phase (the seed's example, the
schema's boundary values, random fuzzing, and stateful create -> get -> update -> delete
chains through the OpenAPI links), every check, with a USER and with a GUEST key. Any
failure is a place where the server and its OpenAPI document disagree, or a 5xx.

The run is the schemathesis command itself (as anyone would run it against a server), with
a fixed seed and a bounded number of examples so that it takes well under a minute a key.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.integration.conftest import LiveServer, LiveServerFactory

pytest.importorskip("schemathesis")

CONFIG = Path(__file__).with_name("schemathesis.toml")
ROOT = Path(__file__).resolve().parents[2]
SEED = 20260901
MAX_EXAMPLES = 25
# Far from the small ids and the boundaries (1, 2**31 - 1) that a fuzzer tries in
# DELETE /api-keys/{key_id}, so that the run does not revoke the key it runs with.
KEY_IDS = {"USER": 1_234_567, "GUEST": 1_234_568}
# Links followed at least: a GUEST key cannot create, so its chains start at the public
# session (get -> join -> participants); a USER key's start at its own creates.
MIN_LINKS = {"USER": 8, "GUEST": 5}


def _keys(server: LiveServer) -> dict[str, str]:
    from deepworkzone.server.orm import ApiKeyRow
    from deepworkzone.server.tokens import token_hash

    tokens = {
        "USER": server.create_user("owner@acme.test"),
        "GUEST": server.create_user("guest@acme.test", role="GUEST"),
    }
    server.create_user("mate@acme.test")  # someone to invite as a collaborator
    with server.app.state.sessions() as db:
        for role, key_id in KEY_IDS.items():
            mine = ApiKeyRow.token_hash == token_hash(tokens[role])
            db.execute(update(ApiKeyRow).where(mine).values(id=key_id))
        db.commit()
    return tokens


@pytest.fixture
def fuzzed_server(live_server_factory: LiveServerFactory) -> tuple[LiveServer, dict[str, str]]:
    # Limits high enough that the run itself never meets them (the limits have their tests).
    server = live_server_factory(rate_limit_per_minute=1_000_000, failed_auth_per_minute=1_000_000)
    tokens = _keys(server)
    # A public session, so that a GUEST key has something to read and join.
    owner = server.client(tokens["USER"])
    created = owner.post(
        "/sessions",
        json={
            "name": "Open focus",
            "duration": 30,
            "schedule": "2031-01-06",
            "time": "9:00 AM",
            "is_public": True,
            "type": "drop-in",
        },
    )
    assert created.status_code == 201, created.text
    return server, tokens


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ["USER", "GUEST"])
def test_schemathesis_finds_no_failure(
    fuzzed_server: tuple[LiveServer, dict[str, str]], role: str, tmp_path: Path
) -> None:
    server, tokens = fuzzed_server
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        f"{server.url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--header",
        f"Authorization: Bearer {tokens[role]}",
        "--no-color",
        "--output-truncate",
        "true",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path),
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.integration.schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=280, cwd=tmp_path, env=env
    )
    summary = done.stdout[-6000:]
    assert done.returncode == 0, f"schemathesis ({role} key) found failures:\n{summary}"
    # It ran every phase, and the stateful one followed links (create -> get -> ...).
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase} \(in", done.stdout), summary
    covered = re.search(r"API Links:\s+(\d+) covered", done.stdout)
    assert covered is not None and int(covered.group(1)) >= MIN_LINKS[role], summary
