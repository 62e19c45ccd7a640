"""Real name resolution through the hosts blocker.

Each case runs in a private mount namespace: /etc is covered by an overlay whose writes land
in a temp folder, and a temporary hosts file is bound over /etc/hosts. getent then reads
that file exactly as the system would, while the real /etc (and /etc/hosts) stay untouched.
The blocker writes /etc/hosts through DEEPWORKZONE_HOSTS_FILE, so the in-place path for a
bind-mounted file is the one exercised.
"""

from __future__ import annotations

import json
import os
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

# Runs inside the namespace, after the mounts; prints one JSON object.
DRIVER = textwrap.dedent(
    """
    import json, os, subprocess, sys
    from deepworkzone.blocking.hosts_blocker import HostsBlocker

    def getent(db, name):
        out = subprocess.run(["getent", db, name], capture_output=True, text=True, timeout=20).stdout
        return sorted({line.split()[0] for line in out.splitlines() if line.strip()})

    NAMES = ["facebook.com", "www.facebook.com", "m.facebook.com", "FaceBook.com", "facebook.com."]
    def snapshot():
        return {
            "v4": {n: getent("ahostsv4", n) for n in NAMES},
            "v6": {n: getent("ahostsv6", n) for n in NAMES},
            "hosts": getent("hosts", "facebook.com"),
            "unblocked": getent("ahosts", "intranet.test"),
        }

    inode = os.stat("/etc/hosts").st_ino
    before = snapshot()
    driver = sys.argv[1]
    if driver == "effect":
        records = []
        blocker = HostsBlocker(["facebook.com"])
        blocker.apply(records.append)
        during = snapshot()
        HostsBlocker.from_record(records[-1]).undo()
    else:
        # As root the helper itself writes only /etc/hosts and /var/lib/deepworkzone: the
        # test entry point names this test's files instead.
        helper = [sys.executable, os.environ["DWZ_HELPER_ENTRY"]]
        subprocess.run(helper + ["apply", "--until", sys.argv[2], "facebook.com"], check=True)
        during = snapshot()
        subprocess.run(helper + ["clear"], check=True)
    after = snapshot()
    print(json.dumps({"before": before, "during": during, "after": after,
                      "same_inode": os.stat("/etc/hosts").st_ino == inode,
                      "etc_temp_files": [f for f in os.listdir("/etc") if ".dwz-" in f]}))
    """
)

FILES = {
    "lf-user-entries": b"127.0.0.1 localhost\n::1 localhost\n10.1.2.3 intranet.test # mine\n",
    "crlf": b"127.0.0.1 localhost\r\n10.1.2.3 intranet.test\r\n",
    "bom-crlf": b"\xef\xbb\xbf# hosts\r\n127.0.0.1 localhost\r\n10.1.2.3 intranet.test\r\n",
    "no-final-newline": b"# keep me\n127.0.0.1\tlocalhost\n10.1.2.3\tintranet.test",
}


def _run_in_namespace(tmp_path: Path, hosts: Path, driver: str) -> dict[str, object]:
    upper, work = tmp_path / "upper", tmp_path / "work"
    upper.mkdir()
    work.mkdir()
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    until = subprocess.run(
        ["date", "-u", "-d", "+30 min", "+%Y-%m-%dT%H:%M:%SZ"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The overlay keeps every write to /etc (temp files, anything unexpected) out of the real
    # folder; without it the test does not run rather than risk the real /etc.
    shell = (
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={upper},workdir={work} /etc || exit 97; "
        f'mount --bind "{hosts}" /etc/hosts || exit 98; '
        f'exec "{sys.executable}" "{script}" {driver} {until}'
    )
    entry = str(Path(__file__).resolve().parents[1] / "helper_entry.py")
    env = dict(os.environ, DEEPWORKZONE_HOSTS_FILE="/etc/hosts", DWZ_HELPER_ENTRY=entry)
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    if done.returncode in (97, 98):
        pytest.skip(f"cannot build the private /etc here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("driver", ["effect", "helper"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_getent_sees_the_block_and_the_file_comes_back_byte_identical(
    tmp_path: Path, name: str, driver: str
) -> None:
    hosts = tmp_path / "hosts"
    hosts.write_bytes(FILES[name])
    result = _run_in_namespace(tmp_path, hosts, driver)
    before, during, after = result["before"], result["during"], result["after"]
    assert isinstance(before, dict) and isinstance(during, dict) and isinstance(after, dict)
    for host in (
        "facebook.com",
        "www.facebook.com",
        "m.facebook.com",
        "FaceBook.com",
        "facebook.com.",
    ):
        assert during["v4"][host] == ["0.0.0.0"], host
        assert during["v6"][host] == ["::"], host
        # Afterwards the name leaves the hosts file (DNS, if any, answers; never our block).
        assert "0.0.0.0" not in after["v4"][host] and "::" not in after["v6"][host], host
    assert during["hosts"] == ["::"]  # `getent hosts` asks for IPv6 first
    assert before["unblocked"] == during["unblocked"] == after["unblocked"] == ["10.1.2.3"]
    assert result["same_inode"] is True  # written in place: the bind mount still holds
    assert result["etc_temp_files"] == []
    assert hosts.read_bytes() == FILES[name]
