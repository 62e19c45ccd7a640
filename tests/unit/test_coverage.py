"""The coverage report and "why is this site blocked" (engine.coverage), from probes of
machines we describe, and through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from deepworkzone.engine.coverage import (
    CLIENTS,
    MachineProbe,
    coverage_report,
    why_blocked,
)
from deepworkzone.engine.focus_plan import FocusRequest

LINUX_DESKTOP = MachineProbe(
    platform="linux",
    system_proxy="gnome",
    close_connections=True,
    close_detail="the helper closes them (ss -K, SOCK_DESTROY)",
    browser_policies=True,
    browsers=("chromium", "firefox"),
)
HEADLESS = MachineProbe(platform="linux", system_proxy=None)


def reach(method: str, probe: MachineProbe) -> dict[str, str]:
    return {c.client: c.reached for c in coverage_report(method, probe=probe).cells}


def test_every_client_has_a_cell_for_every_method() -> None:
    for method in ("hosts", "proxy", "both", "none"):
        report = coverage_report(method, probe=LINUX_DESKTOP)
        assert [c.client for c in report.cells] == list(CLIENTS)
        for cell in report.gaps:
            assert cell.reason
            assert cell.remedy or method == "none"


def test_hosts_misses_a_running_firefox_with_doh_and_says_restart() -> None:
    report = coverage_report("hosts", probe=LINUX_DESKTOP)
    assert reach("hosts", LINUX_DESKTOP) == {
        "chromium": "yes",
        "firefox": "partial",
        "firefox_doh": "no",
        "open_connections": "yes",
        "other_programs": "yes",
    }
    assert "restart Firefox" in report.cell("firefox_doh").remedy
    assert "running Firefox with DNS-over-HTTPS" in report.summary
    assert "use both" in report.cell("firefox").remedy


def test_proxy_misses_command_line_tools_and_headless_desktops() -> None:
    assert reach("proxy", LINUX_DESKTOP)["other_programs"] == "no"
    assert reach("proxy", LINUX_DESKTOP)["firefox_doh"] == "yes"
    headless = coverage_report("proxy", probe=HEADLESS)
    assert headless.cell("chromium").reached == "no"
    assert "PAC URL" in headless.cell("chromium").remedy


def test_both_takes_the_better_layer_per_client() -> None:
    assert set(reach("both", LINUX_DESKTOP).values()) == {"yes"}
    assert coverage_report("both", probe=LINUX_DESKTOP).summary == (
        "both reaches every client we know of"
    )
    assert reach("both", HEADLESS)["firefox_doh"] == "no"


def test_open_connections_without_a_way_to_close_them_are_partial() -> None:
    mac = MachineProbe(platform="darwin", close_detail="macOS cannot close them")
    cell = coverage_report("hosts", probe=mac).cell("open_connections")
    assert cell.reached == "partial"
    assert "2 minutes" in cell.reason


def test_a_bind_mounted_hosts_file_is_named_and_chromium_is_partial() -> None:
    probe = MachineProbe(platform="linux", hosts_bind_mounted=True, hosts_file="/etc/hosts")
    report = coverage_report("hosts", probe=probe)
    assert report.cell("chromium").reached == "partial"
    assert any("bind mount" in note for note in report.notes)
    with_list = MachineProbe(
        platform="linux", hosts_bind_mounted=True, browser_policies=True, url_blocklist=True
    )
    assert coverage_report("hosts", probe=with_list).cell("chromium").reached == "yes"


def test_a_users_own_firefox_policy_file_is_named_in_the_remedy() -> None:
    probe = MachineProbe(
        browser_policies=True, firefox_policy_owner="/etc/firefox/policies/policies.json"
    )
    cell = coverage_report("hosts", probe=probe).cell("firefox_doh")
    assert "/etc/firefox/policies/policies.json" in cell.remedy


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        coverage_report("dns", probe=HEADLESS)


def test_why_names_rule_category_layers_and_allowlist() -> None:
    request = FocusRequest(categories=["social-media"], allow=["old.reddit.com"], method="both")
    answer = why_blocked("https://www.Reddit.com./r/python", request, probe=LINUX_DESKTOP)
    assert answer.blocked and answer.host == "www.reddit.com"
    assert (answer.rule, answer.category) == ("reddit.com", "social-media")
    assert answer.layers == ("hosts", "proxy") and answer.in_hosts_file
    spared = why_blocked("old.reddit.com", request, probe=LINUX_DESKTOP)
    assert not spared.blocked and spared.allowed_by == "old.reddit.com"
    other = why_blocked("example.org", request, probe=LINUX_DESKTOP)
    assert not other.blocked and other.rule is None


def test_why_a_deep_subdomain_under_hosts_points_at_the_proxy() -> None:
    request = FocusRequest(urls=["example.com"], mode="custom", method="hosts")
    answer = why_blocked("a.b.example.com", request, probe=HEADLESS)
    assert answer.rule == "example.com" and answer.category is None
    assert not answer.blocked and "both or proxy" in answer.sentence
    assert why_blocked("www.example.com", request, probe=HEADLESS).blocked


def test_why_refuses_what_is_not_a_web_address() -> None:
    with pytest.raises(ValueError):
        why_blocked("http://", FocusRequest(), probe=HEADLESS)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepworkzone.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_coverage_json_and_why() -> None:
    done = run_cli("block", "coverage", "--method", "proxy", "--json")
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["method"] == "proxy"
    assert {c["client"]: c["reached"] for c in doc["cells"]}["other_programs"] == "no"
    text = run_cli("block", "coverage", "--method", "hosts")
    assert text.returncode == 0 and "Firefox" in text.stdout
    why = run_cli("block", "why", "https://www.youtube.com/watch")
    assert why.returncode == 0, why.stderr
    assert "youtube.com is in the video category" in why.stdout
    bad = run_cli("block", "why", "not a url")
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_hosts_reaches_a_running_firefox_where_browsers_are_told_the_network_changed() -> None:
    from dataclasses import replace

    nudging = replace(LINUX_DESKTOP, network_nudge=True)
    assert reach("hosts", nudging)["firefox"] == "yes"
    assert "Firefox," not in coverage_report("hosts", probe=nudging).summary
    # Without a way to close its open connection the nudge alone is not enough.
    assert reach("hosts", replace(nudging, close_connections=False))["firefox"] == "partial"


def test_the_block_list_setting_turns_the_policy_layer_on(
    isolated_home: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deepworkzone.core.settings import Settings, save_settings
    from deepworkzone.engine.coverage import probe_machine

    monkeypatch.delenv("DEEPWORKZONE_POLICY_BLOCKLIST", raising=False)
    assert probe_machine().url_blocklist is False
    save_settings(Settings(browser_block_list=True))
    assert probe_machine().url_blocklist is True
