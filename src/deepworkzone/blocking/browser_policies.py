"""Browser policies for a session's length: DNS-over-HTTPS off, and optionally the block list.

A browser with its own DNS-over-HTTPS resolver can skip the hosts file; an enterprise policy
turns that resolver off, and (optionally) blocks the session's sites by name, in private
windows too and whatever DNS says. Linux locations, one file of ours per browser:

- Chromium, Chrome, Brave, Edge: ``deepworkzone.json`` in their managed policy folder
  (``/etc/chromium/policies/managed/`` ...), ``{"DnsOverHttpsMode": "off", "URLBlocklist":
  [...]}``. Other files in the folder are the user's and are never touched; Chromium merges
  them. A running Chromium re-reads the folder within seconds.
- Firefox: ``/etc/firefox/policies/policies.json`` (Debian's firefox-esr reads that path
  too, then ``<install>/distribution/policies.json``), ``DNSOverHTTPS`` off and locked, and a
  ``WebsiteFilter``. Firefox reads only the first policies file it finds, so we write ours only
  when neither exists (a file there is the user's or the distribution's, left alone), and
  Firefox reads it only when it starts.

Crash safety: before a file is written, its path and the SHA-256 of what will be written go
into a ledger (replaced atomically); ``clear`` removes only files whose bytes still match the
ledger, our temporary files, and the folders we created (when empty). A crash at any point
leaves either nothing of ours or a file the ledger names. macOS (configuration profiles) and
Windows (registry policies) are not written yet.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

log = logging.getLogger(__name__)

ENV = "DEEPWORKZONE_BROWSER_POLICIES"  # "off": never write policies (the test suite's default)
BLOCKLIST_ENV = "DEEPWORKZONE_POLICY_BLOCKLIST"  # "on": the block list goes in too
OUR_FILE = "deepworkzone.json"
TEMP_NAME = ".deepworkzone-policy.tmp"
MAX_POLICY_DOMAINS = 1000  # Chromium's URLBlocklist is matched in memory; keep it small
_OFF = frozenset({"off", "0", "no", "false", "none"})
_ON = frozenset({"on", "1", "yes", "true"})

Engine = Literal["chromium", "firefox"]


@dataclass(frozen=True)
class Browser:
    id: str
    name: str
    engine: Engine
    binaries: tuple[str, ...]  # installed when any of these exists
    policy_dir: str  # Chromium: the managed folder; Firefox: the folder of policies.json
    other_files: tuple[str, ...] = ()  # Firefox: policy files it reads instead of ours

    def policy_file(self, root: Path) -> Path:
        name = OUR_FILE if self.engine == "chromium" else "policies.json"
        return _under(root, self.policy_dir) / name


LINUX_BROWSERS: tuple[Browser, ...] = (
    Browser(
        "chromium",
        "Chromium",
        "chromium",
        ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"),
        "/etc/chromium/policies/managed",
    ),
    Browser(
        "chrome",
        "Google Chrome",
        "chromium",
        ("/opt/google/chrome/chrome", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"),
        "/etc/opt/chrome/policies/managed",
    ),
    Browser(
        "brave",
        "Brave",
        "chromium",
        ("/opt/brave.com/brave/brave", "/usr/bin/brave-browser"),
        "/etc/brave/policies/managed",
    ),
    Browser(
        "edge",
        "Microsoft Edge",
        "chromium",
        ("/opt/microsoft/msedge/msedge", "/usr/bin/microsoft-edge"),
        "/etc/opt/edge/policies/managed",
    ),
    Browser(
        "firefox",
        "Firefox",
        "firefox",
        (
            "/usr/lib/firefox-esr/firefox-esr",
            "/usr/lib/firefox/firefox",
            "/usr/bin/firefox",
            "/usr/bin/firefox-esr",
        ),
        "/etc/firefox/policies",
        (
            "/usr/lib/firefox-esr/distribution/policies.json",
            "/usr/lib/firefox/distribution/policies.json",
        ),
    ),
)

PICKS_UP = {
    "chromium": "at once (it re-reads its policy folder within about 10 seconds)",
    "firefox": "when it next starts: restart a running Firefox",
}


def enabled() -> bool:
    return sys.platform.startswith("linux") and (
        os.environ.get(ENV, "on").strip().lower() not in _OFF
    )


def url_blocklist_enabled() -> bool:
    return os.environ.get(BLOCKLIST_ENV, "off").strip().lower() in _ON


def _under(root: Path, absolute: str) -> Path:
    return root / absolute.lstrip("/")


def installed_browsers(root: Path = Path("/")) -> list[str]:
    return [b.id for b in LINUX_BROWSERS if any(_under(root, p).exists() for p in b.binaries)]


def foreign_firefox_policy(root: Path = Path("/"), ledgers: Iterable[Path] = ()) -> str | None:
    """A Firefox policies file that is not ours (we then write none for Firefox)."""
    ours = {k: v for ledger in ledgers for k, v in _ledger_hashes(ledger).items()}
    firefox = next(b for b in LINUX_BROWSERS if b.engine == "firefox")
    for path in (firefox.policy_file(root), *(_under(root, p) for p in firefox.other_files)):
        if path.exists() and ours.get(str(path)) != _sha(path):
            return str(path)
    return None


def policy_documents(browser: Browser, domains: Sequence[str], blocklist: bool) -> dict[str, Any]:
    """What we write for ``browser``: DoH off, and the block list when asked."""
    names = list(domains)[:MAX_POLICY_DOMAINS] if blocklist else []
    if browser.engine == "chromium":
        doc: dict[str, Any] = {"DnsOverHttpsMode": "off"}
        if names:
            # A bare host blocks it and every subdomain, over http and https.
            doc["URLBlocklist"] = names
        return doc
    policies: dict[str, Any] = {"DNSOverHTTPS": {"Enabled": False, "Locked": True}}
    if names:
        patterns = [p for name in names for p in (f"*://{name}/*", f"*://*.{name}/*")]
        policies["WebsiteFilter"] = {"Block": patterns}
    return {"policies": policies}


@dataclass(frozen=True)
class Written:
    path: str
    browser: str


def apply(
    domains: Sequence[str],
    *,
    blocklist: bool,
    ledger: Path,
    root: Path = Path("/"),
    browsers: Iterable[str] | None = None,
) -> tuple[list[Written], list[str]]:
    """Write our policy file for every installed browser; (written, skipped with why).

    Any leftover of ours (a crashed session) is cleared first."""
    clear(ledger)
    chosen = set(installed_browsers(root) if browsers is None else browsers)
    written: list[Written] = []
    skipped: list[str] = []
    entries: list[dict[str, Any]] = []
    for browser in LINUX_BROWSERS:
        if browser.id not in chosen:
            continue
        target = browser.policy_file(root)
        if browser.engine == "firefox":
            foreign = foreign_firefox_policy(root)
            if foreign is not None:
                skipped.append(f"{browser.name}: {foreign} is not ours, so it is left alone")
                continue
        elif target.exists():
            skipped.append(f"{browser.name}: {target} exists and is not ours")
            continue
        data = (json.dumps(policy_documents(browser, domains, blocklist), indent=2) + "\n").encode()
        created = _missing_dirs(target.parent)
        entries.append(
            {
                "path": str(target),
                "sha256": hashlib.sha256(data).hexdigest(),
                "created_dirs": [str(d) for d in created],
            }
        )
        _save_ledger(ledger, entries)  # before the folder or the file exists
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, data)
        written.append(Written(str(target), browser.id))
    return written, skipped


def clear(ledger: Path) -> list[str]:
    """Remove what the ledger names and is still ours; the removed paths."""
    try:
        entries = json.loads(ledger.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.error("the browser policy ledger %s is unreadable (%s); left as it is", ledger, exc)
        raise OSError(f"unreadable browser policy ledger {ledger}") from exc
    removed = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            continue
        path = Path(entry["path"])
        (path.parent / TEMP_NAME).unlink(missing_ok=True)
        if path.exists():
            if _sha(path) == entry.get("sha256"):
                path.unlink()
                removed.append(str(path))
            else:
                log.warning("%s changed since we wrote it: left in place", path)
        for folder in sorted(entry.get("created_dirs") or [], key=len, reverse=True):
            # Not empty (the user put something there) or already gone: left alone.
            with contextlib.suppress(OSError):
                Path(folder).rmdir()
    ledger.unlink(missing_ok=True)
    return removed


def _ledger_hashes(ledger: Path) -> dict[str, str]:
    try:
        entries = json.loads(ledger.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {
        e["path"]: e.get("sha256", "")
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("path"), str)
    }


def _missing_dirs(folder: Path) -> list[Path]:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _save_ledger(ledger: Path, entries: list[dict[str, Any]]) -> None:
    ledger.parent.mkdir(parents=True, exist_ok=True)
    temp = ledger.with_name(ledger.name + ".tmp")
    with open(temp, "w", encoding="utf-8") as fh:
        json.dump(entries, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(temp, ledger)


def _write_atomic(target: Path, data: bytes) -> None:
    temp = target.parent / TEMP_NAME
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(temp, 0o644)
    os.replace(temp, target)


def can_write_directly(root: Path = Path("/")) -> bool:
    """True when this process may create our files itself (root, or a test's own root)."""
    for browser in LINUX_BROWSERS:
        folder = _under(root, browser.policy_dir)
        while not folder.exists():
            folder = folder.parent
        if not os.access(folder, os.W_OK):
            return False
    return True
