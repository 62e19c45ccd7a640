"""kill -9 at random points of a real `deepworkzone focus` with browser policies, closing
connections and the network nudge on (tests/browsers/kill_scenario.py, as root in a private
network and mount namespace with a temporary /etc over the real one), then recovery: no
policy file or folder of ours, the user's own policy files and hosts file byte for byte, no
address of the nudge on lo, no journal, no ledger. Closing connections leaves nothing to undo.

The seed is printed (`-s`) and in every failure; DWZ_KILL_SEED replays one and
DWZ_POLICY_KILL_COUNT changes the number of kills (default 24).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import can_unshare

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

KILLS = int(os.environ.get("DWZ_POLICY_KILL_COUNT", "24"))
SEED = int(os.environ.get("DWZ_KILL_SEED") or random.SystemRandom().randrange(2**31))


def test_kill_9_with_policies_and_connection_closing_leaves_nothing(tmp_path: Path) -> None:
    if not can_unshare():
        pytest.skip("needs root and unshare (private network and mount namespaces)")
    for tool in ("ss", "ip"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            pytest.skip(f"{tool} is not installed (.ci/run installs iproute2)")
    print(f"seed {SEED}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPWORKZONE_")}
    done = subprocess.run(
        ["unshare", "--net", "--mount", "--fork", sys.executable, "-m",
         "tests.browsers.kill_scenario", str(tmp_path), str(SEED), str(KILLS)],
        capture_output=True, text=True, timeout=580, env=env,
        cwd=Path(__file__).resolve().parents[2], check=False,
    )  # fmt: skip
    marker = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert marker, (
        f"seed {SEED}: the scenario failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    result = json.loads(marker[len("RESULT ") :])
    story = "\n".join(f"{r['round']}: {r['kill']} -> {r['recovery']}" for r in result["rounds"])
    assert result["calibration"] == [], f"seed {SEED}: a clean run left {result['calibration']}"
    assert len(result["rounds"]) == KILLS, f"seed {SEED}: stopped early\n{story}"
    for row in result["rounds"]:
        assert row["left"] == [], f"seed {SEED}, round {row['round']}: {row['left']}\n{story}"
    kills = [r for r in result["rounds"] if r["kill"].startswith("KILLED")]
    # Most rounds must really be killed mid-way, not end by themselves first.
    assert len(kills) >= KILLS * 0.8, story
    assert {r["firefox_user_file"] for r in kills} == {True, False}, story
    # And recovery had real work: most kills left something of ours for it to put back.
    assert sum(1 for r in kills if r["after_kill"]) >= len(kills) * 0.6, story
