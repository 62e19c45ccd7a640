"""Real headless browsers, driven with what they ship: Chromium over the DevTools protocol on
a pipe (--remote-debugging-pipe: no websocket library), Firefox over Marionette's TCP
protocol. Every call has a time limit; ``load`` answers "ok" (the site's own page) or
"blocked" (an error page, the proxy's block page, nothing)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.browsers.netlab import MARK

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None
)
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class BrowserError(Exception):
    pass


class Chromium:
    def __init__(self, work: Path, env: dict[str, str], extra: list[str] = ()) -> None:  # type: ignore[assignment]
        assert CHROMIUM is not None
        profile = work / f"chromium-{time.monotonic_ns()}"
        profile.mkdir()
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        os.set_inheritable(to_child_r, True)
        os.set_inheritable(from_child_w, True)

        def fds() -> None:
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                *extra,
                "about:blank",
            ],
            env=env,
            preexec_fn=fds,
            stdout=subprocess.DEVNULL,
            stderr=open(profile / "stderr.log", "wb"),  # noqa: SIM115
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        targets = self.call("Target.getTargets", timeout=20)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
        )["sessionId"]

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 8,
    ) -> Any:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buf:
                raw, _, self._buf = self._buf.partition(b"\0")
                reply = json.loads(raw)
                if reply.get("id") == self._id:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError(f"{method} timed out")
            import select

            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium exited")
                self._buf += chunk

    def load(self, url: str, timeout: float = 5) -> str:
        started = time.monotonic()
        try:
            result = self.call("Page.navigate", {"url": url}, session=self.session, timeout=timeout)
        except BrowserError:
            return "blocked"
        if result.get("errorText"):
            return "blocked"
        while time.monotonic() - started < timeout:
            text = self.call(
                "Runtime.evaluate",
                {
                    "expression": "document.readyState + '|' + (document.body ? document.body.innerText : '')",
                    "returnByValue": True,
                },
                session=self.session,
                timeout=timeout,
            )["result"].get("value", "")
            state, _, body = text.partition("|")
            if MARK in body:
                return "ok"
            if state == "complete":
                return "blocked"
            time.sleep(0.05)
        return "blocked"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        os.close(self._to_child)
        os.close(self._from_child)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Firefox:
    """Marionette: each frame is ``<length>:<json>``; commands [0, id, name, params]."""

    def __init__(
        self,
        work: Path,
        env: dict[str, str],
        prefs: dict[str, Any] | None = None,
        ca: Path | None = None,
    ) -> None:
        assert FIREFOX is not None
        profile = work / f"firefox-{time.monotonic_ns()}"
        profile.mkdir()
        port = _free_port()
        base = {
            "marionette.port": port,
            "browser.shell.checkDefaultBrowser": False,
            "browser.startup.homepage_override.mstone": "ignore",
            "datareporting.policy.dataSubmissionEnabled": False,
            "toolkit.telemetry.reportingpolicy.firstRun": False,
            "app.update.enabled": False,
            "network.captive-portal-service.enabled": False,
            "network.connectivity-service.enabled": False,
            "browser.safebrowsing.update.enabled": False,
            "extensions.update.enabled": False,
            "network.proxy.type": 5,  # system proxy settings (Firefox's default on Linux)
            # Cached addresses kept an hour, not 60 s: an entry that expires by itself during
            # a pass would make Firefox look blocked (or unblocked) thanks to the clock, not
            # to what the session did (the control pass without the nudge needs it).
            "network.dnsCacheExpiration": 3600,
            "network.dnsCacheExpirationGracePeriod": 3600,
        }
        base.update(prefs or {})
        (profile / "user.js").write_text(
            "".join(f'user_pref("{k}", {json.dumps(v)});\n' for k, v in base.items())
        )
        if ca is not None:
            # The lab's DoH server has its own CA: trusted through the profile's own store.
            subprocess.run(
                ["certutil", "-N", "-d", f"sql:{profile}", "--empty-password"],
                check=True,
                timeout=30,
            )
            subprocess.run(
                [
                    "certutil",
                    "-A",
                    "-n",
                    "dwz-lab",
                    "-t",
                    "C,,",
                    "-i",
                    str(ca),
                    "-d",
                    f"sql:{profile}",
                ],
                check=True,
                timeout=30,
            )
        self.proc = subprocess.Popen(
            [
                FIREFOX,
                "--headless",
                "--marionette",
                "--no-remote",
                "--profile",
                str(profile),
                "about:blank",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(profile / "stderr.log", "wb"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 40
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise BrowserError("Marionette did not come up") from None
                time.sleep(0.2)
        self._buf = b""
        self._id = 0
        self._read(20)  # the server's hello
        self.call(
            "WebDriver:NewSession",
            {"capabilities": {"alwaysMatch": {"pageLoadStrategy": "normal"}}},
            timeout=30,
        )

    def _read(self, timeout: float) -> Any:
        self.sock.settimeout(timeout)
        while True:
            head, sep, rest = self._buf.partition(b":")
            if sep and len(rest) >= int(head):
                length = int(head)
                self._buf = rest[length:]
                return json.loads(rest[:length])
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise BrowserError("firefox closed Marionette")
            self._buf += chunk

    def call(self, name: str, params: dict[str, Any] | None = None, timeout: float = 8) -> Any:
        self._id += 1
        data = json.dumps([0, self._id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._read(max(deadline - time.monotonic(), 0.01))
            except TimeoutError:
                raise BrowserError(f"{name} timed out") from None
            if reply[1] == self._id:
                if reply[2]:
                    raise BrowserError(
                        f"{name}: {reply[2].get('error')}: {reply[2].get('message', '')[:200]}"
                    )
                return reply[3]

    def set_pref(self, name: str, value: Any) -> None:
        self.call("Marionette:SetContext", {"value": "chrome"})
        kind = {bool: "Bool", int: "Int", str: "String"}[type(value)]
        self.call(
            "WebDriver:ExecuteScript",
            {
                "script": f"Services.prefs.set{kind}Pref(arguments[0], arguments[1]);",
                "args": [name, value],
            },
        )
        self.call("Marionette:SetContext", {"value": "content"})

    def load(self, url: str, timeout: float = 5) -> str:
        try:
            self.call("WebDriver:SetTimeouts", {"pageLoad": int(timeout * 1000)})
            self.call("WebDriver:Navigate", {"url": url}, timeout=timeout + 2)
            body = self.call(
                "WebDriver:ExecuteScript",
                {"script": "return document.body ? document.body.innerText : '';", "args": []},
            )
        except BrowserError:
            return "blocked"
        return "ok" if MARK in str(body.get("value", "")) else "blocked"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self.sock.close()
