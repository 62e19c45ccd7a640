"""deepworkzone-helper: its three commands, its refusals, and how the app elevates it.

Every run goes through the test-only entry point (tests/helper_entry.py), which names the temp
hosts file set by tests/conftest.py explicitly: as root the helper itself ignores it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deepworkzone.blocking import dns_flush, helper, privilege
from deepworkzone.blocking.helper import Refused, parse_until, targets_for, validate_domains

ROOT = Path(__file__).resolve().parents[2]
HELPER_ENTRY = ROOT / "tests" / "helper_entry.py"


def _until(minutes: int = 30) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _helper(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    assert os.environ["DEEPWORKZONE_HOSTS_FILE"].startswith(
        str(Path(os.environ["DEEPWORKZONE_HOME"]).parent)
    )
    return subprocess.run(
        [sys.executable, str(HELPER_ENTRY), *args],
        input=stdin, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_apply_status_clear_round_trip_as_a_real_process() -> None:
    hosts = Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])
    hosts.write_bytes(b"\xef\xbb\xbf127.0.0.1 localhost\r\n10.0.0.2 nas")
    original = hosts.read_bytes()
    until = _until()
    done = _helper("apply", "--until", until, "facebook.com", "youtube.com")
    assert done.returncode == 0, done.stderr
    assert b"\r\n0.0.0.0 facebook.com facebook.com. www.facebook.com" in hosts.read_bytes()
    status = json.loads(_helper("status").stdout)
    assert status == {
        "path": str(hosts),
        "active": True,
        "domains": 2,
        "until": until,
        "expired": False,
    }
    assert _helper("clear").returncode == 0
    assert hosts.read_bytes() == original
    assert json.loads(_helper("status").stdout)["active"] is False


def test_domains_can_come_on_stdin() -> None:
    done = _helper("apply", "--until", _until(), stdin="reddit.com\n\nredd.it\n")
    assert done.returncode == 0, done.stderr
    assert "blocked 2 domains" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["apply", "--until", "soon", "a.com"], "not an ISO 8601 time"),
        (["apply", "--until", "2020-01-01T00:00:00Z", "a.com"], "already past"),
        (["apply", "--until", "2999-01-01T00:00:00", "a.com"], "no time zone"),
        (["apply", "--until", "+", "a.com\n1.2.3.4 bank.com"], "spaces or control characters"),
        (["apply", "--until", "+", "1.2.3.4"], "IP address"),
        (["apply", "--until", "+", "a.com/etc/passwd"], "has a path"),
        (["apply", "--until", "+", "WWW.A.COM"], "not a plain domain name"),
        (["apply", "--until", "+"], "no domains given"),
        (["rewrite", "/etc/passwd"], "invalid choice"),
        (["apply", "--path", "/etc/passwd", "--until", "+", "a.com"], "unrecognized arguments"),
    ],
)
def test_refusals_exit_1_with_one_clear_line_and_change_nothing(
    args: list[str], message: str
) -> None:
    hosts = Path(os.environ["DEEPWORKZONE_HOSTS_FILE"])
    before = hosts.read_bytes()
    done = _helper(*[_until() if a == "+" else a for a in args])
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert hosts.read_bytes() == before


def test_write_failure_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPWORKZONE_HOSTS_FILE", str(tmp_path / "missing" / "hosts"))
    done = _helper("apply", "--until", _until(), "a.com")
    assert done.returncode == 2 and "error:" in done.stderr and "Traceback" not in done.stderr


def test_validation_and_until_rules() -> None:
    assert validate_domains(["a.com", "xn--bcher-kva.de", "a.com"]) == ["a.com", "xn--bcher-kva.de"]
    with pytest.raises(Refused, match=r"expected 'xn--bcher-kva\.de'"):
        validate_domains(["bücher.de"])
    with pytest.raises(Refused, match="more than the limit"):
        validate_domains([f"d{i}.com" for i in range(helper.MAX_DOMAINS + 1)])
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert (
        parse_until("2026-01-01T13:00:00+01:00", now=now + timedelta(minutes=-1))
        == "2026-01-01T12:00:00Z"
    )
    with pytest.raises(Refused, match="more than 24 hours"):
        parse_until("2026-01-03T12:00:00Z", now=now)


def test_as_administrator_the_environment_cannot_move_the_targets(tmp_path: Path) -> None:
    env = {"DEEPWORKZONE_HOSTS_FILE": str(tmp_path / "h"), "DEEPWORKZONE_HOME": str(tmp_path)}
    system = helper.Targets(Path("/etc/hosts"), Path("/var/lib/deepworkzone"))
    for caller in ({}, {"PKEXEC_UID": "1000"}, {"SUDO_UID": "1000"}, {"SUDO_UID": "0"}):
        assert targets_for({**env, **caller}, admin=True) == system
    assert targets_for(env, admin=False).hosts == tmp_path / "h"
    assert targets_for({}, admin=False).hosts == Path("/etc/hosts")


def test_elevation_commands() -> None:
    assert privilege.elevated_command(["clear"], "linux", helper="/usr/libexec/deepworkzone/deepworkzone-helper", elevator="pkexec") == [
        "pkexec", "/usr/libexec/deepworkzone/deepworkzone-helper", "clear",
    ]  # fmt: skip
    assert privilege.elevated_command(["clear"], "linux", helper="/h", elevator="sudo") == [
        "sudo", "-n", "/h", "clear",
    ]  # fmt: skip
    mac = privilege.elevated_command(
        ["apply", "--until", "x", "a.com"], "darwin", helper="/Applications/Deep Work Zone/helper"
    )
    assert mac[:2] == ["osascript", "-e"]
    assert mac[2] == (
        "do shell script \"'/Applications/Deep Work Zone/helper' apply --until x a.com\" "
        "with administrator privileges"
    )


def test_failures_become_helper_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stand-in for pkexec that runs the command unprivileged, as pkexec would after auth.
    fake_bin = Path(os.environ["DEEPWORKZONE_HOME"]) / "bin"
    fake_bin.mkdir()
    (fake_bin / "pkexec").write_text('#!/bin/sh\nexec "$@"\n')
    (fake_bin / "pkexec").chmod(0o755)
    entry = fake_bin / "helper"
    entry.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HELPER_ENTRY}" "$@"\n')
    entry.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}:{os.environ['PATH']}")
    assert '"active": false' in privilege.run_helper(["status"], "linux", helper=str(entry))
    with pytest.raises(privilege.HelperError, match=r"refused: .*IP address"):
        privilege.run_helper(["apply", "--until", _until(), "10.0.0.1"], "linux", str(entry))


def test_only_a_root_owned_installed_helper_is_ever_elevated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper pip put on PATH (or beside the venv's python) is never used.
    monkeypatch.setattr(privilege, "installed_helper_path", lambda _p=None: tmp_path / "absent")
    with pytest.raises(privilege.HelperError, match="needs setting up once"):
        privilege.helper_executable()
    if os.geteuid() != 0:
        return  # ownership checks below need files owned by root and by someone else
    folder = tmp_path / "libexec"
    folder.mkdir()
    tmp_path.chmod(0o755)
    helper_file = folder / "deepworkzone-helper"
    helper_file.write_text("#!/usr/bin/python3 -ISB\n")
    helper_file.chmod(0o755)
    ok = all(privilege._not_root_only(p) is None for p in tmp_path.parents)
    if ok:  # tmp_path sits below root-only folders (not true under a user-writable TMPDIR)
        assert privilege.untrusted_reason(helper_file) is None
    helper_file.chmod(0o775)
    assert "may be changed" in str(privilege.untrusted_reason(helper_file))
    helper_file.chmod(0o755)
    os.chown(helper_file, 65534, 65534)
    assert "does not belong to root" in str(privilege.untrusted_reason(helper_file))
    os.chown(helper_file, 0, 0)
    folder.chmod(0o777)
    assert "may be changed" in str(privilege.untrusted_reason(helper_file))
    folder.chmod(0o755)
    user_python = tmp_path / "venv-python"
    user_python.write_text("")
    os.chown(user_python, 65534, 65534)
    helper_file.write_text(f"#!{user_python} -I\n")
    assert "its interpreter" in str(privilege.untrusted_reason(helper_file))
    link = folder / "link"
    link.symlink_to(helper_file)
    assert "not installed" in str(privilege.untrusted_reason(link))


def test_can_write_directly(tmp_path: Path) -> None:
    target = tmp_path / "hosts"
    target.write_text("")
    assert privilege.can_write_directly(target)
    assert not privilege.can_write_directly(tmp_path / "absent")


def test_dns_flush_only_runs_caches_that_exist() -> None:
    def which(name: str) -> str | None:
        return f"/usr/bin/{name}"

    assert dns_flush.flush_commands("linux", which, lambda p: False) == []
    both = dns_flush.flush_commands("linux", which, lambda p: True)
    assert both == [["/usr/bin/resolvectl", "flush-caches"], ["/usr/bin/nscd", "-i", "hosts"]]
    assert dns_flush.flush_commands("darwin")[1] == ["killall", "-HUP", "mDNSResponder"]
    assert dns_flush.flush_commands("win32") == [["ipconfig", "/flushdns"]]
    ran: list[list[str]] = []
    dns_flush.flush_dns(run=lambda argv: ran.append(list(argv)) or True)
    assert ran == dns_flush.flush_commands()


def test_polkit_policy_names_the_installed_helper() -> None:
    tree = ET.parse(ROOT / "packaging/linux/ai.deepworkzone.helper.policy")
    action = tree.getroot().find("action")
    assert action is not None and action.get("id") == privilege.POLKIT_ACTION
    exec_path = action.find("annotate[@key='org.freedesktop.policykit.exec.path']")
    assert exec_path is not None and exec_path.text == str(privilege.INSTALLED_HELPER)
    assert action.findtext("defaults/allow_active") == "auth_admin_keep"
