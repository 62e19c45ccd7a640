"""kill -9 of a real `deepworkzone focus` with browser policies, connection closing and the
network nudge on, run as root inside ``unshare --net --mount --fork`` (netlab's /etc overlay:
the real paths /etc/hosts, /etc/chromium/policies/managed, /etc/firefox/policies, never the
machine's own).

    python -m tests.browsers.kill_scenario WORKDIR SEED KILLS

Each round: the user's own policy files are in place (a Chromium managed file always; a
Firefox policies.json in every other round, so that both "ours written" and "theirs left
alone" are crossed), a TCP connection is open to a blocked site, and the command is killed
with SIGKILL at a random point (a random delay into the start; just after a chosen change is
journaled; once the policy ledger, our policy file or our temporary file exists; while its
`ss -K` or `ip addr` runs; during the session; during the end after SIGTERM). Recovery
alternates `deepworkzone unblock` and the next `focus` ended by SIGTERM. Then the machine must
be as the user had it: hosts file and policy folders byte for byte (no file or folder of ours),
no address of the nudge on lo, no journal, no ledger. Prints ``RESULT {json}``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from tests.browsers import netlab

SITE = ("news.lab.test", "10.99.0.11")
USER_HOSTS = b"\xef\xbb\xbf# my hosts\r\n127.0.0.1\tlocalhost\r\n10.0.0.5 nas.home # NAS\r\n::1 x"
USER_CHROMIUM = b'{"HomepageLocation": "https://intranet.example/"}\n'
USER_FIREFOX = b'{"policies": {"DisableTelemetry": true}}\r\n'
POLICY_ROOTS = ("/etc/chromium", "/etc/opt", "/etc/brave", "/etc/firefox")
CHROMIUM_OURS = Path("/etc/chromium/policies/managed/deepworkzone.json")
CHROMIUM_TEMP = CHROMIUM_OURS.with_name(".deepworkzone-policy.tmp")
PORT = 48998
JOURNALED = ("hosts", "proxy", "browser_policies")


def snapshot() -> dict[str, str]:
    """Every file (sha256) and folder under the policy roots, and the hosts file."""
    out = {"/etc/hosts": hashlib.sha256(Path("/etc/hosts").read_bytes()).hexdigest()}
    for root in POLICY_ROOTS:
        for folder, _dirs, files in os.walk(root):
            out[folder + "/"] = "dir"
            for name in files:
                path = Path(folder) / name
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def users_machine(round_no: int) -> None:
    """What the user has before a round; alternately with and without a Firefox policy."""
    Path("/etc/hosts").write_bytes(USER_HOSTS)
    managed = Path("/etc/chromium/policies/managed")
    managed.mkdir(parents=True, exist_ok=True)
    (managed / "intranet.json").write_bytes(USER_CHROMIUM)
    firefox = Path("/etc/firefox/policies/policies.json")
    if round_no % 2:
        firefox.parent.mkdir(parents=True, exist_ok=True)
        firefox.write_bytes(USER_FIREFOX)
    else:
        firefox.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            firefox.parent.rmdir()
            firefox.parent.parent.rmdir()


def nudge_address_left() -> bool:
    shown = subprocess.run(
        ["ip", "-4", "addr", "show", "dev", "lo"], capture_output=True, text=True
    )
    return "192.0.2.86" in shown.stdout


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Lab:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.home = work / "dwz-home"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("DEEPWORKZONE_")},
            "DEEPWORKZONE_HOME": str(self.home),
            "DEEPWORKZONE_SECRETS": "file",
            "DEEPWORKZONE_SYSTEM_PROXY": "off",
            "DEEPWORKZONE_BROWSER_POLICIES": "on",
            "DEEPWORKZONE_CLOSE_CONNECTIONS": "on",
            "DEEPWORKZONE_NETWORK_NUDGE": "on",
        }
        self.journal = self.home / "state" / "journal.json"
        self.ledger = self.home / "state" / "browser-policies.json"
        self.conn: socket.socket | None = None
        self.started: dict[int, bool] = {}

    def focus(self, method: str, block_list: bool) -> subprocess.Popen[bytes]:
        argv = [sys.executable, "-m", "deepworkzone.cli.main", "focus", "--minutes", "2",
                "--url", SITE[0], "--method", method, "--proxy-port", str(PORT),
                "--browser-block-list" if block_list else "--no-browser-block-list"]  # fmt: skip
        proc = subprocess.Popen(
            argv,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()
        return proc

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if b"Ctrl-C ends the session" in line:
                self.started[proc.pid] = True

    def effects(self, pid: int) -> dict[str, Any]:
        try:
            data = json.loads(self.journal.read_text())
        except (OSError, ValueError):
            return {}
        if (data.get("session") or {}).get("pid") != pid:
            return {}
        return data.get("effects") or {}

    def open_connection(self) -> None:
        """A kept-alive connection to the blocked site, as a browser tab would hold."""
        if self.conn is not None:
            self.conn.close()
        self.conn = socket.create_connection((SITE[1], 80), timeout=5)
        self.conn.sendall(b"GET / HTTP/1.1\r\nHost: news.lab.test\r\n\r\n")
        self.conn.recv(4096)


def wait(
    cond: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, limit: float = 30
) -> bool:
    deadline = time.monotonic() + limit
    while not cond():
        if proc.poll() is not None:
            return False
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)
    return True


def child_running(proc: subprocess.Popen[bytes], argv0: str, word: str) -> bool:
    try:
        for child in psutil.Process(proc.pid).children(recursive=True):
            line = child.cmdline()
            if line and os.path.basename(line[0]) == argv0 and word in line:
                return True
    except psutil.Error:
        return False
    return False


def nudge_removing(proc: subprocess.Popen[bytes]) -> bool:
    try:
        for child in psutil.Process(proc.pid).children(recursive=True):
            line = child.cmdline()
            if "del" in line and "lo:dwz" in line:
                return True
    except psutil.Error:
        return False
    return False


IP_SHIM = """#!/bin/sh
# The nudge's remove held back a little, so a kill can land between its add and remove.
case "$*" in *"del 192.0.2.86/32"*) sleep 0.3;; esac
exec {real} "$@"
"""


def install_ip_shim(work: Path) -> str:
    import shutil

    real = shutil.which("ip")
    assert real is not None
    folder = work / "bin"
    folder.mkdir()
    (folder / "ip").write_text(IP_SHIM.format(real=real))
    (folder / "ip").chmod(0o755)
    return f"{folder}:{os.environ.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}"


def wait_for_its_tools(sid: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = []
        for p in psutil.process_iter(["status"]):
            with contextlib.suppress(OSError, psutil.Error):
                if os.getsid(p.pid) == sid and p.info["status"] != psutil.STATUS_ZOMBIE:
                    left.append(p.pid)
        if not left:
            return
        time.sleep(0.01)
    raise AssertionError(f"processes of session {sid} did not end: {left}")


def _start_done(lab: Lab, proc: subprocess.Popen[bytes]) -> bool:
    """The command said the session runs (its start is over)."""
    return lab.started.get(proc.pid, False)


def _finish(proc: subprocess.Popen[bytes]) -> bytes:
    proc.wait(timeout=60)
    assert proc.stderr is not None
    return proc.stderr.read()


def kill_round(lab: Lab, rng: random.Random, apply_s: float, method: str, block_list: bool) -> str:
    point = rng.choice(
        ("delay", "delay", "journaled", "ledger", "our_file", "temp_file", "ss", "ip",
         "session", "end", "end")
    )  # fmt: skip
    proc = lab.focus(method, block_list)
    what = point
    try:
        if point == "delay":
            delay = rng.uniform(0.0, apply_s)
            what += f" {delay:.3f}s after the launch"
            time.sleep(delay)
        elif point == "journaled":
            kind = rng.choice(JOURNALED if method == "both" else ("hosts", "browser_policies"))
            delay = rng.uniform(0.0, 0.03)
            what += f" {delay:.3f}s after {kind} was journaled"
            wait(lambda: kind in lab.effects(proc.pid), proc, f"{kind} journaled")
            time.sleep(delay)
        elif point == "ledger":
            wait(lab.ledger.exists, proc, "the ledger")
        elif point == "our_file":
            wait(CHROMIUM_OURS.exists, proc, "our Chromium policy")
        elif point == "temp_file":
            # A busy machine can miss the temporary file between two looks: then the kill
            # lands once our file is in, a kill during the apply all the same.
            wait(lambda: CHROMIUM_TEMP.exists() or CHROMIUM_OURS.exists(), proc, "our temp file")
        elif point == "ss":
            wait(lambda: child_running(proc, "ss", "-K") or _start_done(lab, proc), proc, "ss -K")
            what += " (after the start)" if _start_done(lab, proc) else " while it ran"
        elif point == "ip":
            # Between the nudge's add and its remove (the shim holds the remove back): the
            # whole process group is killed, the remove with it, so the address stays.
            wait(lambda: nudge_removing(proc) or _start_done(lab, proc), proc, "ip addr del")
            if _start_done(lab, proc):
                what += " (after the start)"
            else:
                what += ": the command and its `ip addr del` killed together"
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        else:
            wait(lambda: _start_done(lab, proc), proc, "the start")
            delay = rng.uniform(0.0, 0.5 if point == "session" else 1.6)
            if point == "end":
                proc.send_signal(signal.SIGTERM)
                what += f": SIGTERM, SIGKILL {delay:.3f}s later"
            else:
                what += f" {delay:.3f}s into the session"
            time.sleep(delay)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        err = _finish(proc)
    wait_for_its_tools(proc.pid)
    killed = proc.returncode == -signal.SIGKILL
    if not killed:
        what += f" (exited {proc.returncode} before the kill: {err.decode()[-300:]!r})"
    return ("KILLED " if killed else "") + what


def recover(lab: Lab, with_focus: bool, method: str) -> str:
    if not with_focus:
        done = subprocess.run(
            [sys.executable, "-m", "deepworkzone.cli.main", "unblock"],
            env=lab.env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"unblock failed: {done.stdout}{done.stderr}")
        return "unblock"
    proc = lab.focus(method, False)
    try:
        if not wait(lambda: _start_done(lab, proc), proc, "the next start", limit=60):
            raise AssertionError(f"the next focus ended: {_finish(proc).decode()[-800:]}")
    finally:
        proc.send_signal(signal.SIGTERM)
        err = _finish(proc)
    if proc.returncode != 0:
        raise AssertionError(f"the next focus exited {proc.returncode}: {err.decode()[-800:]}")
    return "next focus + SIGTERM"


def leftovers(lab: Lab, before: dict[str, str]) -> list[str]:
    now = snapshot()
    out = [
        f"changed or ours: {p}"
        for p in sorted(set(now) | set(before))
        if now.get(p) != before.get(p)
    ]
    if nudge_address_left():
        out.append("192.0.2.86 is still on lo")
    if lab.journal.exists():
        out.append("a journal is left")
    if lab.ledger.exists():
        out.append("the policy ledger is left")
    if listening(PORT):
        out.append("the proxy still listens")
    return out


def calibrate(lab: Lab) -> tuple[float, list[str]]:
    """One clean run: how long the start takes here, and that a plain end leaves nothing."""
    users_machine(0)
    before = snapshot()
    lab.open_connection()
    t = time.monotonic()
    proc = lab.focus("both", True)
    wait(lambda: _start_done(lab, proc), proc, "the calibration start", limit=60)
    apply_s = time.monotonic() - t
    wrote = CHROMIUM_OURS.exists()
    proc.send_signal(signal.SIGTERM)
    _finish(proc)
    problems = leftovers(lab, before)
    if not wrote:
        problems.append("the clean run wrote no Chromium policy")
    return apply_s, problems


def main() -> int:
    work, seed, kills = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    netlab.setup_namespace(work, [SITE[1]])
    netlab.DnsServer({SITE[0]: SITE[1]}).start()
    netlab.start_site(SITE[1])
    lab = Lab(work)
    lab.env["PATH"] = install_ip_shim(work)
    rng = random.Random(seed)
    apply_s, problems = calibrate(lab)
    rounds: list[dict[str, Any]] = []
    for n in range(kills):
        users_machine(n)
        before = snapshot()
        lab.open_connection()
        method = rng.choice(("hosts", "both"))
        block_list = rng.random() < 0.5
        what = kill_round(lab, rng, apply_s + 0.3, method, block_list)
        killed_left = leftovers(lab, before)  # what recovery has to put back
        how = recover(lab, n % 2 == 0, method)
        left = leftovers(lab, before)
        rounds.append({"round": n, "method": method, "block_list": block_list, "kill": what,
                       "recovery": how, "firefox_user_file": bool(n % 2), "left": left,
                       "after_kill": killed_left})  # fmt: skip
        if left:
            break
    print("RESULT " + json.dumps({"seed": seed, "apply_s": round(apply_s, 2),
                                  "calibration": problems, "rounds": rounds}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
