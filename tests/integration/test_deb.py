"""The Debian package, installed for real: an ordinary user's `deepworkzone focus` blocks a
site through the installed helper, the hosts file comes back byte for byte, and
`apt remove` leaves no file of ours.

Needs the .deb (packaging/build-deb.sh) named by DWZ_DEB. .ci/run builds it and also sets
DWZ_REQUIRE_DEB=1, so in CI a missing package or a machine that cannot build the namespace
fails the test instead of skipping it.

Everything happens in a private mount namespace: /usr, /etc, /var and /home are overlays or
a tmpfs whose writes are thrown away, and a temp file is bound over /etc/hosts, so neither
the package nor the user nor the sudo rule ever reach the machine itself. There is no polkit
daemon in CI, so the app elevates the helper through `sudo -n` and a rule that allows only
the helper (docs/install.md); pkexec is the same command with another prefix.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.conftest import can_unshare
from tests.private_system import CANNOT, environment_without_ours, run_private

DEB = os.environ.get("DWZ_DEB", "")
REQUIRED = os.environ.get("DWZ_REQUIRE_DEB") == "1"

# About 70 s: the session runs its whole minute and ends by itself.
pytestmark = [pytest.mark.root, pytest.mark.slow, pytest.mark.timeout(600)]

HOSTS = b"127.0.0.1 localhost\n::1 localhost\n# the user's own line\n10.2.3.4 nas.test\n"

DRIVER = textwrap.dedent(
    """
    import json, os, subprocess, sys, time
    deb, scratch = os.environ["DEB"], os.environ["SCRATCH"]
    out = {}
    apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")

    def run(argv, **kw):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)
        return {"rc": done.returncode, "out": done.stdout[-3000:], "err": done.stderr[-3000:]}

    def getent(db):
        text = subprocess.run(["getent", db, "example.org"], capture_output=True, text=True).stdout
        return sorted({line.split()[0] for line in text.splitlines() if line.strip()})

    if os.path.exists("/usr/bin/pkexec"):  # no polkit daemon to answer it: sudo is the way up
        os.remove("/usr/bin/pkexec")  # (from this namespace's /usr overlay only)
    if not os.path.exists("/usr/bin/sudo"):  # CI installs it first; here only in the overlay
        run(["apt-get", "update", "-qq"], env=apt_env)
        out["sudo"] = run(["apt-get", "install", "-y", "-qq", "sudo"], env=apt_env)
    contents = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], capture_output=True).stdout
    import io, tarfile
    names = ["/" + m.name.lstrip("./") for m in tarfile.open(fileobj=io.BytesIO(contents))]
    existed = {n.rstrip("/") for n in names if os.path.lexists(n)}  # shared folders like /usr/bin
    # Without Recommends (pkexec): no polkit daemon runs here, so sudo is the way up.
    out["install"] = run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", deb], env=apt_env)
    listed = subprocess.run(["dpkg-query", "-L", "deepworkzone"], capture_output=True, text=True)
    out["files"] = listed.stdout.splitlines()

    user = "dwzuser"
    run(["useradd", "-M", "-d", f"/home/{user}", "-s", "/bin/sh", user])
    os.makedirs(f"/home/{user}")
    run(["chown", f"{user}:{user}", f"/home/{user}"])
    rule = f"{user} ALL=(root) NOPASSWD: /usr/libexec/deepworkzone/deepworkzone-helper\\n"
    with open("/etc/sudoers.d/deepworkzone", "w") as f:
        f.write(rule)
    os.chmod("/etc/sudoers.d/deepworkzone", 0o440)
    as_user = ["runuser", "-u", user, "--", "env", "-i", f"HOME=/home/{user}",
               "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]
    out["check"] = run([*as_user, "deepworkzone", "setup", "--check", "--json"])
    out["before"] = getent("ahostsv4")
    started = time.monotonic()
    focus = subprocess.Popen([*as_user, "deepworkzone", "focus", "--minutes", "1", "--url", "example.org"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during = []
    while time.monotonic() - started < 40 and focus.poll() is None:
        during = getent("ahostsv4")
        if during == ["0.0.0.0"]:
            break
        time.sleep(0.5)
    out["during_v4"] = during
    out["during_hosts"] = getent("hosts")
    out["blocked_after_s"] = round(time.monotonic() - started, 1)
    try:
        stdout, stderr = focus.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        focus.kill()
        stdout, stderr = focus.communicate()
    out["focus"] = {"rc": focus.returncode, "out": stdout[-2000:], "err": stderr[-2000:],
                    "seconds": round(time.monotonic() - started, 1)}
    out["after_v4"] = getent("ahostsv4")
    out["backup_mode"] = oct(os.stat("/var/lib/deepworkzone/hosts.backup").st_mode & 0o777) \\
        if os.path.exists("/var/lib/deepworkzone/hosts.backup") else None
    out["remove"] = run(["apt-get", "remove", "-y", "-qq", "deepworkzone"], env=apt_env)
    out["left"] = [p for p in out["files"] if p not in ("/.", "") and os.path.lexists(p)
                   and p.rstrip("/") not in existed]
    ours = []
    for top in ("usr", "etc", "var"):
        for base, dirs, files in os.walk(f"{scratch}/{top}-up"):
            for name in dirs + files:
                if "deepworkzone" in name.lower() and name != "deepworkzone-deb-test":
                    ours.append(os.path.join(base, name)[len(scratch):])
    out["ours_in_overlay"] = sorted(p for p in ours if "sudoers.d" not in p)
    print(json.dumps(out))
    """
)


def _skip_or_fail(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (DWZ_REQUIRE_DEB=1: this test must run here)")
    pytest.skip(reason)


def test_the_package_blocks_for_an_ordinary_user_and_leaves_nothing(tmp_path: Path) -> None:
    if not DEB or not Path(DEB).is_file():
        _skip_or_fail(f"no .deb (DWZ_DEB={DEB!r}; packaging/build-deb.sh builds it)")
    if not can_unshare() or not shutil.which("apt-get"):
        _skip_or_fail("needs root, unshare and apt-get")
    hosts = tmp_path / "hosts"
    hosts.write_bytes(HOSTS)
    hosts.chmod(0o644)
    env = environment_without_ours() | {"DEB": str(Path(DEB).resolve())}
    rc, out, stderr = run_private(tmp_path, DRIVER, hosts, env, empty=("home",), timeout=900)
    if rc in CANNOT:
        _skip_or_fail(f"cannot build the private /usr, /etc, /var here: {stderr.strip()}")
    assert rc == 0 and out is not None, stderr

    assert out["install"]["rc"] == 0, out["install"]
    assert "/usr/libexec/deepworkzone/deepworkzone-helper" in out["files"]
    assert "/usr/share/polkit-1/actions/ai.deepworkzone.helper.policy" in out["files"]
    assert "/usr/share/applications/ai.deepworkzone.DeepWorkZone.desktop" in out["files"]
    assert "/usr/share/metainfo/ai.deepworkzone.DeepWorkZone.metainfo.xml" in out["files"]
    assert any(p.startswith("/usr/share/icons/hicolor/") for p in out["files"])
    check = json.loads(out["check"]["out"])
    checks = {c["name"]: c["ok"] for c in check["checks"]}
    assert checks["files"] and checks["root-owned"] and checks["runs"], check  # setup's files

    assert out["before"] != ["0.0.0.0"]
    assert out["during_v4"] == ["0.0.0.0"], out["focus"]
    assert out["during_hosts"] == ["::"]  # `getent hosts` asks for IPv6 first: our `::` line
    assert out["focus"]["rc"] == 0, out["focus"]
    assert out["focus"]["seconds"] >= 55  # the whole minute, ended by the session itself
    assert out["after_v4"] != ["0.0.0.0"]
    assert hosts.read_bytes() == HOSTS  # byte for byte
    assert out["backup_mode"] == "0o600"

    assert out["remove"]["rc"] == 0, out["remove"]
    assert out["left"] == []
    assert out["ours_in_overlay"] == []
