"""Real Chromium and Firefox (headless, Debian's packages) against real sessions, in a private
network and mount namespace with a local DNS server, a local DNS-over-HTTPS server and local
sites (tests/browsers/). One run of ``tests.browsers.scenario`` for the whole module (about
40 s), then the assertions.

Observed per method, for browsers running since before the session: a site loaded before the
start is blocked within 2 s (Chromium and Firefox; under hosts Firefox thanks to the network
nudge, blocking/network_nudge.py), a name
never looked up before is blocked (except by a Firefox with DNS-over-HTTPS under hosts, which
the report names), the allowed site loads, and after the session every blocked site loads
again, in a Chromium pointed at the PAC file by hand too. Then ``block coverage --json`` must
say, cell by cell, what the browsers did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browsers import drivers
from tests.conftest import can_unshare

pytestmark = pytest.mark.slow

BLOCK_WITHIN = 2.0


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not can_unshare():
        pytest.skip("needs root and unshare (private network and mount namespaces)")
    if drivers.CHROMIUM is None or drivers.FIREFOX is None:
        pytest.skip("chromium and firefox-esr are not installed (.ci/run installs them)")
    for tool in ("certutil", "openssl", "gsettings", "ss"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    work = tmp_path_factory.mktemp("browsers")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPWORKZONE_")}
    done = subprocess.run(
        [
            "unshare",
            "--net",
            "--mount",
            "--fork",
            sys.executable,
            "-m",
            "tests.browsers.scenario",
            str(work),
        ],
        capture_output=True,
        text=True,
        timeout=290,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    marker = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
    assert marker, f"the scenario failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(marker[len("RESULT ") :])
    (work / "result.json").write_text(json.dumps(result, indent=2))
    return result


def reached(row: dict[str, Any], *, fresh: bool = True) -> str:
    """A browser's cell from what it did: the page open before the start blocked within 2 s
    and a name never looked up blocked too: yes; only the fresh name blocked: partial; a
    fresh name loading: no."""
    in_time = row["blocked_after_s"] is not None and row["blocked_after_s"] <= BLOCK_WITHIN
    if fresh and row["fresh_name"] == "ok":
        return "no"
    return "yes" if in_time else ("partial" if fresh else "no")


def observed(lab: dict[str, Any], method: str) -> dict[str, str]:
    seen = lab["methods"][method]
    return {
        "chromium": reached(seen["chromium"]),
        "firefox": reached(seen["firefox"]),
        "firefox_doh": reached(seen["firefox_doh"]),
        # Chromium reuses its kept-alive connection for minutes: blocked at once only if the
        # connection open before the start was closed.
        "open_connections": reached(seen["chromium"], fresh=False),
        "other_programs": "yes" if seen["other_program"] == "blocked" else "no",
    }


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_every_browser_was_working_before_and_the_allowed_site_loads(
    lab: dict[str, Any], method: str
) -> None:
    seen = lab["methods"][method]
    for name in lab["browsers"]:
        assert seen[name]["before"] == "ok", name
        assert seen[name]["allowed"] == "ok", name


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_a_page_loaded_before_the_start_is_blocked_within_2s_in_chromium(
    lab: dict[str, Any], method: str
) -> None:
    after = lab["methods"][method]["chromium"]["blocked_after_s"]
    assert after is not None and after <= BLOCK_WITHIN, after
    assert lab["methods"][method]["chromium"]["fresh_name"] == "blocked"


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_a_page_loaded_before_the_start_is_blocked_within_2s_in_firefox(
    lab: dict[str, Any], method: str
) -> None:
    """Under hosts alone only since the network nudge (blocking/network_nudge.py): before it,
    Firefox kept its cached address and the page loaded for the whole 6 s polled."""
    seen = lab["methods"][method]["firefox"]
    assert seen["blocked_after_s"] is not None and seen["blocked_after_s"] <= BLOCK_WITHIN, seen
    assert seen["fresh_name"] == "blocked"
    if method != "proxy":
        # Counted from the hosts file's change too: Firefox flushes one second after the
        # nudge and the start waits for that before it closes connections again (measured
        # 1.5 to 2.1 s on two shared cores).
        assert seen["blocked_after_hosts_s"] <= 3.0, seen


def test_without_the_nudge_a_running_firefox_keeps_loading_the_page_under_hosts(
    lab: dict[str, Any],
) -> None:
    """The control pass of the same run (DEEPWORKZONE_NETWORK_NUDGE=off): what the nudge
    changes. Firefox keeps its cached address however often the connection is closed."""
    seen = lab["control_hosts_no_nudge"]["firefox"]
    assert seen["before"] == "ok"
    assert seen["blocked_after_s"] is None or seen["blocked_after_s"] > BLOCK_WITHIN, seen


@pytest.mark.parametrize("method", ["hosts", "both"])
def test_after_a_hosts_session_a_running_firefox_loads_the_blocked_sites_again_at_once(
    lab: dict[str, Any], method: str
) -> None:
    """The nudge at the end empties Firefox's cache of the blocked answer (before: 59 s)."""
    again = lab["methods"][method]["firefox"]["again_after_s"]
    assert all(after is not None and after <= 3 for after in again.values()), again


@pytest.mark.parametrize("method", ["proxy", "both"])
def test_firefox_with_doh_is_blocked_within_2s_where_the_proxy_is_in(
    lab: dict[str, Any], method: str
) -> None:
    after = lab["methods"][method]["firefox_doh"]["blocked_after_s"]
    assert after is not None and after <= BLOCK_WITHIN, after
    assert lab["methods"][method]["firefox_doh"]["fresh_name"] == "blocked"


def test_firefox_with_doh_under_hosts_alone_is_named_by_the_report(lab: dict[str, Any]) -> None:
    seen = lab["methods"]["hosts"]["firefox_doh"]
    cell = next(c for c in lab["coverage"]["hosts"]["cells"] if c["client"] == "firefox_doh")
    if seen["blocked_after_s"] is None or seen["fresh_name"] == "ok":
        assert cell["reached"] == "no" and "restart Firefox" in cell["remedy"]
        assert "firefox_doh" in lab["coverage"]["hosts"]["gaps"]


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_after_the_session_every_blocked_site_loads_again(lab: dict[str, Any], method: str) -> None:
    seen = lab["methods"][method]
    names = [*lab["browsers"], *(["pac_by_hand"] if method == "proxy" else [])]
    for name in names:
        for site, after in seen[name]["again_after_s"].items():
            assert after is not None, (name, site)
    assert seen["policies_left"] == []
    assert any("every block was removed" in line for line in seen["end_output"])


def test_a_browser_pointed_at_the_pac_by_hand_is_blocked_then_works_after(
    lab: dict[str, Any],
) -> None:
    seen = lab["methods"]["proxy"]["pac_by_hand"]
    assert seen["during"] == "blocked"
    assert all(after is not None and after <= 5 for after in seen["again_after_s"].values())


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_block_coverage_json_matches_what_the_browsers_did(
    lab: dict[str, Any], method: str
) -> None:
    said = {c["client"]: c["reached"] for c in lab["coverage"][method]["cells"]}
    assert said == observed(lab, method)


@pytest.mark.parametrize("method", ["hosts", "proxy", "both"])
def test_the_start_names_the_gaps_in_one_line(lab: dict[str, Any], method: str) -> None:
    lines = lab["methods"][method]["start_output"]
    gap_lines = [ln for ln in lines if ln.startswith("note: coverage: ")]
    assert len(gap_lines) == 1
    assert lab["coverage"][method]["summary"] in gap_lines[0]
    # Where to read what to do, only when there is something to do.
    hint = gap_lines[0].rstrip().endswith("(`deepworkzone block coverage` says what to do)")
    assert hint == bool(lab["coverage"][method]["gaps"])
