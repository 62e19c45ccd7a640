"""Reading the head of one proxy request: request line, target host and port, headers.

Everything here is pure and raises BadRequest (with a status and a reason) for anything a
well-behaved client would not send, so the server answers 400 instead of crashing.
"""

from __future__ import annotations

from dataclasses import dataclass

# Headers that describe this hop only (RFC 9110 section 7.6.1), plus the proxy's own.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authorization",
        "proxy-authenticate",
        "te",
        "trailer",
        "upgrade",
        "host",  # replaced by the URL's authority, as a proxy must
    }
)
_BAD_HOST_CHARS = frozenset(" \t/\\@?#%")


class BadRequest(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int
    authority: str  # as it should appear in a Host header


def parse_request_line(head: bytes) -> tuple[str, str, str, list[bytes]]:
    """``(method, target, version, header_lines)`` from a head without its final blank line."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
        raise BadRequest("400 Bad Request", "malformed request line")
    method, target, version = (p.decode("latin-1") for p in parts)
    if not method.isalpha() or not target:
        raise BadRequest("400 Bad Request", "malformed request line")
    return method, target, version, lines[1:]


def split_authority(authority: str, default_port: int | None) -> Target:
    """``"Example.COM.:443"`` -> Target("example.com", 443); ``[v6]:port`` understood."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            raise BadRequest("400 Bad Request", "malformed IPv6 address")
        host, rest = authority[1:end], authority[end + 1 :]
        if rest and not rest.startswith(":"):
            raise BadRequest("400 Bad Request", "malformed host")
        port_text = rest[1:] if rest else ""
    else:
        host, sep, port_text = authority.rpartition(":")
        if not sep:
            host, port_text = authority, ""
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise BadRequest("400 Bad Request", "bad port")
        port = int(port_text)
    elif default_port is None:
        raise BadRequest("400 Bad Request", "CONNECT needs host:port")
    else:
        port = default_port
    host = host.lower().rstrip(".")
    if not host or any(c in _BAD_HOST_CHARS or ord(c) < 33 for c in host):
        raise BadRequest("400 Bad Request", "bad host")
    if not host.isascii():
        # Browsers send international names in their ASCII (IDNA) form; anything else is not a
        # name any list could match, so it is refused rather than guessed at.
        raise BadRequest("400 Bad Request", "host names must be ASCII (IDNA)")
    shown = f"[{host}]" if ":" in host else host
    return Target(host, port, shown if port == default_port else f"{shown}:{port}")


def split_absolute_url(target: str) -> tuple[Target, str]:
    """``"http://host:8080/p?q"`` -> (Target, ``"/p?q"``); only plain http is proxied."""
    if target[:7].lower() != "http://":
        raise BadRequest("400 Bad Request", "only http:// URLs or CONNECT are proxied")
    rest = target[7:]
    cut = len(rest)
    for mark in "/?#":
        found = rest.find(mark)
        if 0 <= found < cut:
            cut = found
    authority, path = rest[:cut], rest[cut:]
    if "@" in authority:
        raise BadRequest("400 Bad Request", "credentials in URLs are not proxied")
    path = path.split("#", 1)[0]
    if not path.startswith("/"):
        path = "/" + path
    return split_authority(authority, 80), path


def origin_head(
    method: str, path: str, version: str, header_lines: list[bytes], target: Target
) -> bytes:
    """The request head to send upstream: origin-form, our Host, hop-by-hop headers removed.

    The body is piped as raw bytes after this head, so the upstream is asked to close the
    connection after one response (no HTTP parser needed); WebSocket upgrades keep their
    Upgrade and Connection headers, because the relay carries the frames unchanged.
    """
    kept: list[bytes] = []
    connection_tokens: set[str] = set()
    upgrade: bytes | None = None
    for line in header_lines:
        name, sep, value = line.partition(b":")
        if not sep or not name or name != name.strip():
            raise BadRequest("400 Bad Request", "malformed header line")
        lname = name.decode("latin-1").lower()
        if lname == "connection":
            connection_tokens.update(t.strip().lower() for t in value.decode("latin-1").split(","))
        elif lname == "upgrade":
            upgrade = value.strip()
        if lname not in HOP_BY_HOP:
            kept.append(line)
    kept = [
        ln
        for ln in kept
        if ln.partition(b":")[0].decode("latin-1").lower() not in connection_tokens
    ]
    lines = [
        f"{method} {path} {version}".encode("latin-1"),
        b"Host: " + target.authority.encode("ascii"),
    ]
    lines.extend(kept)
    if upgrade and "upgrade" in connection_tokens:
        lines += [b"Upgrade: " + upgrade, b"Connection: Upgrade"]
    else:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


_RESPONSE_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection"})


def response_head_status(head: bytes) -> int:
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def close_response_head(head: bytes) -> bytes:
    """The origin's response head (without the blank line), saying ``Connection: close``.

    The proxy serves one request per client connection, so the client must not try to reuse
    it; only the head changes, the body bytes pass untouched.
    """
    lines = head.split(b"\r\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if line.partition(b":")[0].strip().lower() not in _RESPONSE_HOP_BY_HOP:
            kept.append(line)
    kept.append(b"Connection: close")
    return b"\r\n".join(kept)
