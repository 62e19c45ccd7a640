"""The browser suite's body, run as root inside ``unshare --net --mount --fork``.

    python -m tests.browsers.scenario WORKDIR [browsers|kill]

Prints one JSON document: what each browser showed, when, per method, and what
``deepworkzone block coverage --json`` said; test_browsers.py asserts on it.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.browsers import drivers, netlab

SITES = {
    "work.lab.test": "10.99.0.10",  # allowed, never blocked
    "news.lab.test": "10.99.0.11",  # blocked, loaded before each session
    "video.lab.test": "10.99.0.12",  # blocked, never looked up before the session
    netlab.DOH_NAME: netlab.DOH_IP,
}
BLOCKED = ("news.lab.test", "video.lab.test")
PORT = 48999
BLOCK_WITHIN = 2.0
POLL_UNTIL = 6.0
AGAIN_UNTIL = 75.0  # Firefox keeps a name it found blocked for about a minute after


def app_env(work: Path, gnome: dict[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        **gnome,
        "DEEPWORKZONE_HOME": str(work / "dwz-home"),
        "DEEPWORKZONE_SECRETS": "file",
        "DEEPWORKZONE_BROWSER_POLICIES": "on",
        "DEEPWORKZONE_CLOSE_CONNECTIONS": "on",
    }


def start_session(env: dict[str, str], method: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "deepworkzone.cli.main", "focus", "--minutes", "5",
            "--method", method, "--proxy-port", str(PORT)]  # fmt: skip
    for site in BLOCKED:
        argv += ["--url", site]
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    return proc


def wait_started(proc: subprocess.Popen[str], lines: list[str]) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("focus exited: " + "".join(lines))
        lines.append(line)
        if "Ctrl-C ends the session" in line:
            return
    raise RuntimeError("focus did not start: " + "".join(lines))


def until(browser: Any, url: str, want: str, limit: float, since: float) -> float | None:
    """Seconds from ``since`` until ``browser`` shows ``want`` for ``url``; None if never."""
    while True:
        got = browser.load(url, timeout=3)
        now = time.monotonic()
        if got == want:
            return round(now - since, 2)
        if now - since > limit:
            return None
        time.sleep(0.1)


def watch_hosts(changes: list[float], stop: Any) -> None:
    """Note the moments /etc/hosts gains or loses the block (polled every 10 ms)."""
    blocked = False
    while not stop.is_set():
        try:
            now_blocked = "news.lab.test" in Path("/etc/hosts").read_text()
        except OSError:
            now_blocked = blocked
        if now_blocked != blocked:
            changes.append(time.monotonic())
            blocked = now_blocked
        time.sleep(0.01)


def browsers_scenario(work: Path) -> dict[str, Any]:
    netlab.setup_namespace(work, [a for n, a in SITES.items() if n != netlab.DOH_NAME])
    records = dict(SITES)
    netlab.DnsServer(records).start()
    ca, cert, key = netlab.make_ca(work)
    netlab.start_doh(records, cert, key)
    for name, address in SITES.items():
        if name != netlab.DOH_NAME:
            netlab.start_site(address)
    (work / "home").mkdir()
    gnome = netlab.env_for_gnome(work)
    env = app_env(work, gnome)
    subprocess.run(
        ["gsettings", "set", "org.gnome.system.proxy", "mode", "none"], env=env, check=True
    )
    out: dict[str, Any] = {"methods": {}, "coverage": {}, "errors": []}
    browsers: dict[str, Any] = {}
    t = time.monotonic()
    if drivers.CHROMIUM:
        browsers["chromium"] = drivers.Chromium(work, env)
    if drivers.FIREFOX:
        browsers["firefox"] = drivers.Firefox(work, env)
        browsers["firefox_doh"] = drivers.Firefox(
            work,
            env,
            {
                "network.trr.mode": 3,
                "network.trr.uri": f"https://{netlab.DOH_NAME}/dns-query",
                "network.trr.bootstrapAddr": netlab.DOH_IP,
                "network.trr.allow-rfc1918": True,
                "network.trr.max-fails": 100,
            },
            ca=ca,
        )
    out["browser_start_s"] = round(time.monotonic() - t, 2)
    out["browsers"] = sorted(browsers)
    for method in ("hosts", "proxy", "both"):
        out["coverage"][method] = json.loads(
            subprocess.run(
                [sys.executable, "-m", "deepworkzone.cli.main", "block", "coverage", "--method", method, "--json"],
                env=env, capture_output=True, text=True, check=True, timeout=60,
            ).stdout
        )  # fmt: skip
        out["methods"][method] = one_method(method, browsers, env, work)
    # The control, last (Firefox then keeps its blocked answer for a minute): hosts without
    # the network nudge, in the same run, to show what the nudge changes.
    control = {**env, "DEEPWORKZONE_NETWORK_NUDGE": "off"}
    firefox = {n: b for n, b in browsers.items() if n == "firefox"}
    out["control_hosts_no_nudge"] = one_method("hosts", firefox, control, work, after=False)
    for browser in browsers.values():
        browser.close()
    return out


def _each(browsers: dict[str, Any], job: Any) -> dict[str, Any]:
    """``job(name, browser)`` for every browser at once (threads: each is its own process)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(browsers) or 1) as pool:
        futures = {name: pool.submit(job, name, b) for name, b in browsers.items()}
        return {name: f.result() for name, f in futures.items()}


def _other_program(url: str) -> str:
    """What curl or a Python script gets: no PAC, the system resolver."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=3) as response:
            return "ok" if netlab.MARK in response.read().decode() else "blocked"
    except OSError:
        return "blocked"


def one_method(
    method: str, browsers: dict[str, Any], env: dict[str, str], work: Path, *, after: bool = True
) -> dict[str, Any]:
    news, video, work_site = (
        f"http://{n}/" for n in ("news.lab.test", "video.lab.test", "work.lab.test")
    )
    import threading

    seen: dict[str, Any] = {n: {"before": b.load(news)} for n, b in browsers.items()}
    changes: list[float] = []
    stop = threading.Event()
    threading.Thread(target=watch_hosts, args=(changes, stop), daemon=True).start()
    proc = start_session(env, method)
    lines: list[str] = []
    t0 = time.monotonic()
    wait_started(proc, lines)
    started = time.monotonic()
    seen["start_s"] = round(started - t0, 2)
    seen["other_program"] = _other_program(news)

    def during(name: str, browser: Any) -> dict[str, Any]:
        row = {"blocked_after_s": until(browser, news, "blocked", POLL_UNTIL, started)}
        row["fresh_name"] = browser.load(video)
        row["allowed"] = browser.load(work_site)
        return row

    for name, row in _each(browsers, during).items():
        seen[name].update(row)
        # From the moment the hosts file changed, for the methods that change it.
        if changes and row["blocked_after_s"] is not None:
            since_hosts = started + row["blocked_after_s"] - changes[0]
            seen[name]["blocked_after_hosts_s"] = round(since_hosts, 2)
    by_hand = None
    if method == "proxy" and drivers.CHROMIUM:
        # What the app advises when it cannot set the system proxy: the PAC URL, set by hand.
        pac = f"http://127.0.0.1:{PORT}/proxy.pac?session=by-hand"
        by_hand = drivers.Chromium(work, env, [f"--proxy-pac-url={pac}"])
        seen["pac_by_hand"] = {"during": by_hand.load(news)}
    seen["start_output"] = lines
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    seen["end_output"] = rest.splitlines()[-3:]
    ended = time.monotonic()
    everyone = dict(browsers)
    if by_hand is not None:
        everyone["pac_by_hand"] = by_hand

    if not after:
        stop.set()
        return seen

    def again(name: str, browser: Any) -> dict[str, Any]:
        return {
            site: until(browser, f"http://{site}/", "ok", AGAIN_UNTIL, ended) for site in BLOCKED
        }

    for name, times in _each(everyone, again).items():
        seen.setdefault(name, {})["again_after_s"] = times
    stop.set()
    if by_hand is not None:
        by_hand.close()
    seen["policies_left"] = _our_policy_files()
    return seen


def _our_policy_files() -> list[str]:
    from deepworkzone.blocking import browser_policies

    found = []
    for b in browser_policies.LINUX_BROWSERS:
        path = b.policy_file(Path("/"))
        if path.exists():
            found.append(str(path))
    return found


def main() -> int:
    work = Path(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "browsers"
    random.seed(os.getpid())
    result = browsers_scenario(work)
    print("RESULT " + json.dumps(result))
    return 0 if mode else 1


if __name__ == "__main__":
    sys.exit(main())
