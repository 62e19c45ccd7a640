"""The network nudge (blocking/network_nudge.py) with the real `ip`, in a private network
namespace (never the machine's own lo): the address comes and goes, the change is seen on
netlink (what Firefox and Chromium listen to), a leftover of ours is removed, and an
administrator's own 192.0.2.86 (no label of ours) is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import can_unshare

pytestmark = pytest.mark.skipif(not can_unshare(), reason="needs root and unshare --net")


def in_private_net(body: str) -> str:
    script = textwrap.dedent(body)
    env = {**os.environ, "DEEPWORKZONE_NETWORK_NUDGE": "on"}
    done = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_nudge_adds_and_removes_the_address_and_netlink_sees_both() -> None:
    out = in_private_net(
        """
        import subprocess, time
        from deepworkzone.blocking import network_nudge as n
        mon = subprocess.Popen(["ip", "-o", "monitor", "address"], stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)
        print("nudged", n.nudge())
        time.sleep(0.3)
        mon.terminate()
        events = mon.communicate()[0]
        print("added", any("192.0.2.86" in l and not l.startswith("Deleted") for l in events.splitlines()))
        print("deleted", any(l.startswith("Deleted") and "192.0.2.86" in l for l in events.splitlines()))
        print("left", n.leftover(), "192.0.2.86" in subprocess.run(["ip", "addr"], capture_output=True, text=True).stdout)
        print("waited", n.wait_for_browsers())
        """
    )
    assert "nudged True" in out
    assert "added True" in out and "deleted True" in out
    assert "left False False" in out
    assert "waited True" in out


def test_a_leftover_of_ours_is_removed_and_an_admins_own_address_stays() -> None:
    out = in_private_net(
        """
        import subprocess
        from deepworkzone.blocking import network_nudge as n
        ip = lambda *a: subprocess.run(["ip", "-4", "addr", *a], capture_output=True, text=True)
        ip("add", "192.0.2.86/32", "dev", "lo", "label", "lo:dwz")  # a nudge killed half-way
        print("found", n.leftover(), "cleared", n.clear_leftover(), "again", n.leftover())
        ip("add", "192.0.2.86/32", "dev", "lo")  # the administrator's own, no label of ours
        print("theirs", n.leftover(), n.clear_leftover(), n.nudge())
        print("kept", "192.0.2.86" in ip("show", "dev", "lo").stdout)
        """
    )
    assert "found True cleared True again False" in out
    assert "theirs False False False" in out
    assert "kept True" in out


def test_off_means_no_change_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from deepworkzone.blocking import network_nudge

    calls: list[object] = []
    monkeypatch.setenv(network_nudge.ENV, "off")
    assert network_nudge.nudge(run=lambda *a, **k: calls.append(a)) is False
    assert network_nudge.clear_leftover(run=lambda *a, **k: calls.append(a)) is False
    assert calls == []
