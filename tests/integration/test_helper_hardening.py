"""The installed helper as root cannot be steered: every DEEPWORKZONE_* variable (and
PYTHONPATH, PYTHONHOME, PATH) set to a decoy, no PKEXEC_UID or SUDO_UID, and it still writes
only the real hosts file and its root-only backup, never a decoy.

Runs in a private mount namespace: /usr, /etc and /var are overlays whose writes land in a
tmpfs, and a temp file is bound over /etc/hosts; `deepworkzone setup` installs the helper
into that /usr for real, and `deepworkzone setup --remove` takes it out again.
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import can_unshare
from tests.private_system import CANNOT, environment_without_ours, run_private

pytestmark = [
    pytest.mark.root,
    pytest.mark.slow,
    pytest.mark.skipif(not can_unshare(), reason="needs root and unshare"),
]

ROOT = Path(__file__).resolve().parents[2]
HOSTS = b"127.0.0.1 localhost\n::1 localhost\n10.9.8.7 intranet.test\n"
HELPER = "/usr/libexec/deepworkzone/deepworkzone-helper"

DRIVER = textwrap.dedent(
    """
    import json, os, stat, subprocess, sys
    HELPER = "/usr/libexec/deepworkzone/deepworkzone-helper"
    cli = [sys.executable, "-c", "import sys; from deepworkzone.cli.main import main; sys.exit(main())"]
    decoys = json.loads(os.environ["DECOY_ENV"])
    out = {}

    def run(argv, env=None, **kw):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, **kw)
        return {"rc": done.returncode, "out": done.stdout, "err": done.stderr}

    def getent(name):
        text = subprocess.run(["getent", "ahostsv4", name], capture_output=True, text=True).stdout
        return sorted({line.split()[0] for line in text.splitlines() if line.strip()})

    out["setup"] = run([*cli, "setup", "--yes"])
    out["check"] = run([*cli, "setup", "--check", "--json"])
    st = os.lstat(HELPER)
    out["helper_mode"] = [st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)]
    out["helper_head"] = open(HELPER).readline()
    # Root reached without pkexec or sudo (cron, systemd, a macOS or Windows prompt): no
    # PKEXEC_UID/SUDO_UID, and the caller's environment full of decoys.
    env = {k: v for k, v in os.environ.items() if k not in ("PKEXEC_UID", "SUDO_UID")
           and not k.startswith("DEEPWORKZONE_")}
    env.update(decoys)
    out["apply"] = run([HELPER, "apply", "--until", os.environ["UNTIL"], "example.org"], env=env)
    out["during"] = getent("example.org")
    out["status"] = run([HELPER, "status"], env=env)
    out["hosts_during"] = open("/etc/hosts", "rb").read().decode()
    state = "/var/lib/deepworkzone"
    sst = os.lstat(state)
    bst = os.lstat(state + "/hosts.backup")
    out["state_mode"] = [sst.st_uid, stat.S_IMODE(sst.st_mode)]
    out["backup_mode"] = [bst.st_uid, stat.S_IMODE(bst.st_mode)]
    out["backup"] = open(state + "/hosts.backup", "rb").read().decode()
    # The test entry point's explicit targets, tried against the installed copy: refused.
    code = ("import sys; sys.path.append('/usr/lib/deepworkzone/helper'); "
            "from pathlib import Path; from deepworkzone.blocking import helper; "
            "sys.exit(helper.main(['clear'], helper.Targets(Path(sys.argv[1]), Path(sys.argv[2]))))")
    out["explicit"] = run(["/usr/bin/python3", "-I", "-S", "-c", code,
                           decoys["DEEPWORKZONE_HOSTS_FILE"], decoys["DEEPWORKZONE_HOME"]], env=env)
    out["clear"] = run([HELPER, "clear"], env=env)
    out["after"] = getent("example.org")
    out["remove"] = run([*cli, "setup", "--remove", "--yes"])
    out["left"] = [p for p in (HELPER, "/usr/lib/deepworkzone", "/usr/libexec/deepworkzone",
                               "/usr/share/polkit-1/actions/ai.deepworkzone.helper.policy", state)
                   if os.path.lexists(p)]
    print(json.dumps(out))
    """
)

DECOY_MODULE = textwrap.dedent(
    """
    import os
    open(os.environ["DECOY_MARK"], "w").write("decoy code ran as root")
    def main(argv=None):
        return 0
    """
)


def _decoy_env(decoys: Path) -> dict[str, str]:
    """Every DEEPWORKZONE_* name the app reads, pointed at a decoy (a file, a folder, a URL)."""
    names = set()
    for source in (ROOT / "src").rglob("*.py"):
        names.update(re.findall(r"DEEPWORKZONE_[A-Z0-9_]+", source.read_text(encoding="utf-8")))
    env = {name: str(decoys / name.lower()) for name in sorted(names)}
    env["DEEPWORKZONE_HOSTS_FILE"] = str(decoys / "hosts")
    env["DEEPWORKZONE_HOME"] = str(decoys / "home")
    (decoys / "hosts").write_bytes(b"# decoy: must stay exactly like this\n")
    (decoys / "home").mkdir()
    # Python's own variables: code and a home that would be used if they were honoured.
    package = decoys / "pythonpath" / "deepworkzone" / "blocking"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text(DECOY_MODULE)
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text(DECOY_MODULE)
    bin_dir = decoys / "bin"
    bin_dir.mkdir()
    for tool in ("python3", "resolvectl", "nscd"):
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool}" >> "{decoys}/mark"\n')
        (bin_dir / tool).chmod(0o755)
    env.update(
        PYTHONPATH=str(decoys / "pythonpath"),
        PYTHONHOME=str(decoys / "pythonhome"),
        PYTHONUSERBASE=str(decoys / "pythonpath"),
        PYTHONSTARTUP=str(package / "helper.py"),
        PATH=f"{bin_dir}:/usr/bin:/bin",
        DECOY_MARK=str(decoys / "mark"),
    )
    return env


def test_installed_helper_as_root_ignores_every_decoy_and_setup_removes_it(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_bytes(HOSTS)
    decoys = tmp_path / "decoys"
    decoys.mkdir()
    decoy_env = _decoy_env(decoys)
    until = subprocess.run(
        ["date", "-u", "-d", "+30 min", "+%Y-%m-%dT%H:%M:%SZ"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # setup and the CLI see the namespace's real files: no DEEPWORKZONE_* of the tests.
    env = environment_without_ours() | {"UNTIL": until, "DECOY_ENV": json.dumps(decoy_env)}
    rc, out, stderr = run_private(tmp_path, DRIVER, hosts, env)
    if rc in CANNOT:
        pytest.skip(f"cannot build the private /usr, /etc and /var here: {stderr.strip()}")
    assert rc == 0 and out is not None, stderr

    assert out["setup"]["rc"] == 0, out["setup"]
    assert "installed" in out["setup"]["out"] and "FAIL" not in out["setup"]["out"]
    checks = {c["name"]: c["ok"] for c in json.loads(out["check"]["out"])["checks"]}
    assert checks["files"] and checks["root-owned"] and checks["runs"] and checks["polkit policy"]
    assert out["helper_mode"] == [0, 0, 0o755]
    assert out["helper_head"] == "#!/usr/bin/python3 -ISB\n"

    assert out["apply"]["rc"] == 0, out["apply"]
    assert out["during"] == ["0.0.0.0"]  # the real /etc/hosts (this namespace's) was written
    status = json.loads(out["status"]["out"])
    assert status["path"] == "/etc/hosts" and status["active"] is True
    assert "example.org" in out["hosts_during"]
    assert out["state_mode"] == [0, 0o700] and out["backup_mode"] == [0, 0o600]
    assert out["backup"] == HOSTS.decode()
    assert out["explicit"]["rc"] == 1 and "only the system hosts file" in out["explicit"]["err"]
    assert out["clear"]["rc"] == 0 and out["after"] != ["0.0.0.0"]

    # Never a decoy: not the file, not the home, no decoy code or tool ran.
    assert (decoys / "hosts").read_bytes() == b"# decoy: must stay exactly like this\n"
    assert list((decoys / "home").iterdir()) == []
    assert not (decoys / "mark").exists()
    named = [Path(v) for k, v in decoy_env.items() if k.startswith("DEEPWORKZONE_")]
    assert [p for p in named if p.exists() and p not in (decoys / "hosts", decoys / "home")] == []
    assert hosts.read_bytes() == HOSTS  # byte for byte after the block

    assert out["remove"]["rc"] == 0, out["remove"]
    assert out["left"] == []
