"""Real name resolution during a real `deepworkzone focus`: in a private mount namespace a
temporary file is bound over /etc/hosts, so getent reads it as the system would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import can_unshare

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(not can_unshare(), reason="needs root and unshare"),
]

# Runs inside the namespace: bind the file, start a session, read getent, end it, report.
DRIVER = textwrap.dedent(
    """
    import json, os, signal, subprocess, sys, time
    hosts = sys.argv[1]
    subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
    env = dict(os.environ, DEEPWORKZONE_HOSTS_FILE="/etc/hosts")

    def getent(name):
        out = subprocess.run(["getent", "ahosts", name], capture_output=True, text=True).stdout
        return sorted({line.split()[0] for line in out.splitlines() if line.strip()})

    before = getent("intranet.test")
    focus = subprocess.Popen(
        [sys.executable, "-m", "deepworkzone.cli.main", "focus", "--minutes", "5",
         "--category", "social-media", "--method", "hosts"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 20
    while b"facebook.com" not in open("/etc/hosts", "rb").read():
        if time.monotonic() > deadline or focus.poll() is not None:
            print(json.dumps({"error": focus.stderr.read() if focus.poll() is not None else "timeout"}))
            sys.exit(0)
        time.sleep(0.05)
    during = {n: getent(n) for n in ("facebook.com", "www.facebook.com", "m.facebook.com")}
    unblocked = getent("intranet.test")
    focus.send_signal(signal.SIGTERM)
    out, err = focus.communicate(timeout=20)
    after = getent("facebook.com")
    print(json.dumps({"before": before, "during": during, "unblocked": unblocked,
                      "after": after, "rc": focus.returncode, "err": err}))
    """
)

FILES = {
    "lf": b"127.0.0.1 localhost\n10.1.2.3 intranet.test\n",
    "crlf-bom": b"\xef\xbb\xbf127.0.0.1 localhost\r\n10.1.2.3 intranet.test\r\n",
    "no-final-newline": b"# keep me\n127.0.0.1 localhost\n10.1.2.3 intranet.test",
}


@pytest.mark.parametrize("flavour", sorted(FILES))
def test_blocked_names_resolve_to_nowhere_during_the_session(tmp_path: Path, flavour: str) -> None:
    original = FILES[flavour]
    hosts = tmp_path / "hosts"
    hosts.write_bytes(original)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    unshare = shutil.which("unshare")
    assert unshare
    done = subprocess.run(
        [unshare, "--mount", sys.executable, str(script), str(hosts)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert "error" not in report, report
    for name, addresses in report["during"].items():
        assert set(addresses) <= {"0.0.0.0", "::"} and addresses, (name, addresses)
    assert report["unblocked"] == report["before"] == ["10.1.2.3"]
    assert report["rc"] == 0, report["err"]
    assert "0.0.0.0" not in report["after"]
    assert hosts.read_bytes() == original
