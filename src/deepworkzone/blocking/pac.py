"""The PAC file the system proxy points at.

Only blocked hosts are sent to the local proxy; everything else goes DIRECT, so ordinary
browsing never depends on our process. Blocked hosts get ``PROXY 127.0.0.1:P; DIRECT``: while
the proxy runs it answers them (with the block), and once it is gone (the session is over, or
the app died) a browser still holding this file, such as one pointed at it by hand, goes
DIRECT instead of failing every blocked site until it restarts. The script is ES3-only because the Windows WinHTTP PAC engine is old JScript:
no ``endsWith``, ``let`` or arrow functions. Lookups walk the host's suffixes against an
object, exactly as ``DomainMatcher`` does, so big lists cost a few probes, not an if-chain.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

from deepworkzone.domain.hostnames import DomainMatcher

log = logging.getLogger(__name__)

PAC_CONTENT_TYPE = "application/x-ns-proxy-autoconfig; charset=utf-8"
# Chrome ignores PAC files of 1 MB or more and silently goes DIRECT.
CHROME_PAC_LIMIT = 1_000_000

_TEMPLATE = """\
// Deep Work Zone: only the hosts blocked in this focus session go to the local proxy.
var PROXY = "PROXY %(proxy)s; DIRECT";
var ALLOWLIST_ONLY = %(allowlist_only)s;
var BLOCKED = {%(blocked)s};
var ALLOWED = {%(allowed)s};
function dwzMatches(host, names) {
  while (true) {
    if (names.hasOwnProperty(host)) return true;
    var dot = host.indexOf(".");
    if (dot < 0) return false;
    host = host.substring(dot + 1);
  }
}
function FindProxyForURL(url, host) {
  host = host.toLowerCase();
  while (host.length > 0 && host.charAt(host.length - 1) == ".") {
    host = host.substring(0, host.length - 1);
  }
  if (dwzMatches(host, ALLOWED)) return "DIRECT";
  if (ALLOWLIST_ONLY) {
    if (host == "localhost" || host == "127.0.0.1" || host == "::1") return "DIRECT";
    return PROXY;
  }
  if (dwzMatches(host, BLOCKED)) return PROXY;
  return "DIRECT";
}
"""


def matcher_lists(matcher: DomainMatcher) -> tuple[frozenset[str], frozenset[str]]:
    """(blocked, allowed) of a matcher: the PAC mirrors them exactly."""
    blocked, allowed = matcher.blocked, matcher.allowed
    return blocked, allowed


def _object_body(names: Iterable[str]) -> str:
    # json.dumps quotes and escapes each name, so a hostile entry cannot break the script.
    return ",".join(f"{json.dumps(name)}:1" for name in sorted(names))


def build_pac(matcher: DomainMatcher, proxy_host: str, port: int) -> str:
    blocked, allowed = matcher_lists(matcher)
    text = _TEMPLATE % {
        "proxy": f"{proxy_host}:{port}",
        "allowlist_only": "true" if matcher.allowlist_only else "false",
        # In allowlist mode the blocked list is irrelevant: everything not allowed is blocked.
        "blocked": "" if matcher.allowlist_only else _object_body(blocked),
        "allowed": _object_body(allowed),
    }
    if len(text.encode("utf-8")) >= CHROME_PAC_LIMIT:
        log.warning(
            "PAC file is %d bytes; Chrome ignores PAC files of 1 MB or more, so it will "
            "go DIRECT for every host (the hosts layer still applies)",
            len(text),
        )
    return text
