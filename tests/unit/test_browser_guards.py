"""Browser policies (written under a test root given explicitly), closing connections (the
platform tools faked), the helper's strict input, and bind-mount detection."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.blocking import browser_policies as bp
from deepworkzone.blocking import socket_closer as sc
from deepworkzone.blocking.hosts_mount import is_bind_mounted


def fake_root(tmp_path: Path, *browsers: str) -> Path:
    root = tmp_path / "root"
    for b in bp.LINUX_BROWSERS:
        if b.id in browsers:
            binary = root / b.binaries[0].lstrip("/")
            binary.parent.mkdir(parents=True, exist_ok=True)
            binary.write_text("")
    return root


def test_policies_written_for_installed_browsers_and_removed_exactly(tmp_path: Path) -> None:
    root = fake_root(tmp_path, "chromium", "firefox")
    user = root / "etc/chromium/policies/managed/mine.json"
    user.parent.mkdir(parents=True)
    user.write_bytes(b'{"HomepageLocation": "https://example.org"}\n')
    before = user.read_bytes()
    ledger = tmp_path / "ledger.json"
    written, skipped = bp.apply(["news.test"], blocklist=True, ledger=ledger, root=root)
    assert {w.browser for w in written} == {"chromium", "firefox"} and not skipped
    chromium = json.loads((root / "etc/chromium/policies/managed/deepworkzone.json").read_text())
    assert chromium == {"DnsOverHttpsMode": "off", "URLBlocklist": ["news.test"]}
    firefox = json.loads((root / "etc/firefox/policies/policies.json").read_text())
    assert firefox["policies"]["DNSOverHTTPS"] == {"Enabled": False, "Locked": True}
    assert not (root / "etc/opt/chrome").exists()  # Chrome is not installed
    removed = bp.clear(ledger)
    assert len(removed) == 2 and not ledger.exists()
    assert not (root / "etc/firefox").exists()  # the folders we made went with our files
    assert user.read_bytes() == before


def test_a_users_firefox_policy_file_is_left_alone(tmp_path: Path) -> None:
    root = fake_root(tmp_path, "firefox")
    theirs = root / "usr/lib/firefox-esr/distribution/policies.json"
    theirs.parent.mkdir(parents=True)
    theirs.write_bytes(b'{"policies": {}}')
    written, skipped = bp.apply(["news.test"], blocklist=False, ledger=tmp_path / "l", root=root)
    assert written == [] and "not ours" in skipped[0]
    assert not (root / "etc/firefox/policies/policies.json").exists()
    assert bp.foreign_firefox_policy(root) == str(theirs)


def test_a_crash_between_ledger_and_file_and_a_changed_file(tmp_path: Path) -> None:
    root = fake_root(tmp_path, "chromium")
    ledger = tmp_path / "ledger.json"
    bp.apply(["a.test"], blocklist=False, ledger=ledger, root=root)
    ours = root / "etc/chromium/policies/managed/deepworkzone.json"
    ours.write_text('{"edited": "by the user"}')  # not our bytes any more: kept
    (ours.parent / bp.TEMP_NAME).write_text("half")  # a killed write's temporary file
    assert bp.clear(ledger) == []
    assert ours.exists() and not (ours.parent / bp.TEMP_NAME).exists()


def test_addresses_only_reach_the_closer() -> None:
    assert sc.validate_addresses(["203.0.113.7", "2001:db8::7"]) == ["203.0.113.7", "2001:db8::7"]
    for bad in (
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "10.0.0.0/8",
        "/etc/passwd",
        "example.com",
        "1.2.3.04",
    ):
        with pytest.raises(sc.BadAddress):
            sc.validate_addresses([bad])


class FakeRun:
    def __init__(self, stdout: str = "", returncode: int = 0) -> None:
        self.calls: list[list[str]] = []
        self.stdout, self.returncode = stdout, returncode

    def __call__(self, argv: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(argv)
        return subprocess.CompletedProcess(argv, self.returncode, self.stdout, "")


def test_linux_closes_with_ss_kill_for_exactly_those_addresses() -> None:
    run = FakeRun("ESTAB 0 0 10.0.0.2:5000 203.0.113.7:443\n")
    closed = sc.close_connections(["203.0.113.7", "198.51.100.1"], platform="linux", run=run)
    assert closed.count == 1
    assert run.calls == [
        ["ss", "-K", "-t", "-n", "-H", "dst", "203.0.113.7", "or", "dst", "198.51.100.1"]
    ]
    with pytest.raises(OSError, match="ss -K failed"):
        sc.close_connections(["203.0.113.7"], platform="linux", run=FakeRun(returncode=1))


def test_macos_needs_pf_and_windows_deletes_matching_ipv4_rows() -> None:
    with pytest.raises(OSError, match="pf firewall is off"):
        sc.close_connections(["203.0.113.7"], platform="darwin", run=FakeRun("Status: Disabled"))
    run = FakeRun("Status: Enabled")
    assert sc.close_connections(["203.0.113.7"], platform="darwin", run=run).count == 1
    assert run.calls[-1] == ["pfctl", "-k", "0.0.0.0/0", "-k", "203.0.113.7"]

    class Row:
        def __init__(self, remote: str) -> None:
            self.remote = remote

    class FakeIpHelper:
        def __init__(self) -> None:
            self.deleted: list[str] = []

        def tcp_rows(self) -> list[Row]:
            return [Row("203.0.113.7"), Row("198.51.100.9")]

        def delete(self, row: Row) -> None:
            self.deleted.append(row.remote)

    api = FakeIpHelper()
    assert sc._close_windows(["203.0.113.7", "2001:db8::7"], api).count == 1
    assert api.deleted == ["203.0.113.7"]


def test_resolve_keeps_to_its_budget_and_drops_unusable_answers() -> None:
    import time

    def lookup(name: str) -> list[str]:
        if name == "slow.test":
            time.sleep(1.0)
        return {"a.test": ["203.0.113.7", "0.0.0.0", "127.0.0.1"]}.get(name, [])

    started = time.monotonic()
    assert sc.resolve(["a.test", "slow.test"], lookup, budget=0.2) == ["203.0.113.7"]
    assert time.monotonic() - started < 0.9


def test_helper_refuses_anything_but_addresses(tmp_path: Path) -> None:
    from deepworkzone.blocking import helper

    targets = helper.Targets(tmp_path / "hosts", tmp_path / "state")
    with pytest.raises(helper.Refused, match="not an IP address"):
        helper.run(["close-connections", "/etc/shadow"], io.StringIO(), io.StringIO(), targets)
    with pytest.raises(helper.Refused):
        helper.run(["policies-apply", "../etc"], io.StringIO(), io.StringIO(), targets)


def test_bind_mount_is_read_from_mountinfo(tmp_path: Path) -> None:
    info = (
        "36 25 0:32 /hosts /etc/hosts rw,relatime - ext4 /dev/vda rw\n1 0 0:1 / / rw - ext4 x rw\n"
    )
    assert is_bind_mounted(Path("/etc/hosts"), info)
    assert not is_bind_mounted(Path("/etc/hosts"), "1 0 0:1 / / rw - ext4 x rw\n")
    spaced = "36 25 0:32 /h /my\\040dir/hosts rw - ext4 x rw\n"
    assert is_bind_mounted(Path("/my dir/hosts"), spaced)
