"""One normal form for every domain a user types, and fast "is this host blocked?" lookups.

A domain blocks itself and every subdomain. Lookups walk the host's suffixes against sets
(as qutebrowser's host blocker does): a few dict probes, whatever the size of the lists.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import idna

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# \s is str.isspace()'s set; one regex search instead of a generator per character.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


class InvalidDomain(ValueError):
    """A user-supplied site that cannot be blocked by name; the message says why."""


def normalise_domain(text: str) -> str:
    """``"https://WWW.Bücher.de./x"`` -> ``"xn--bcher-kva.de"``, or InvalidDomain.

    Full URLs are reduced to their host (people paste them from the address bar); a leading
    ``www.`` is dropped because the bare domain covers it. Anything that could smuggle a second
    line or entry into a hosts file is refused, not cleaned.
    """
    if not isinstance(text, str):
        raise InvalidDomain(f"{text!r} is not a domain name")
    shown = text.strip()
    if not shown:
        raise InvalidDomain("a blank entry is not a domain name")
    if _SPACE_OR_CONTROL.search(shown):
        raise InvalidDomain(
            f"{text!r} contains spaces or control characters; give one domain per entry"
        )
    host = shown
    if _SCHEME.match(shown):
        try:
            parts = urlsplit(shown)
        except ValueError as exc:
            # urlsplit refuses bad brackets ("http://[::1"); callers only catch InvalidDomain.
            raise InvalidDomain(f"{text!r} is not a valid URL ({exc})") from exc
        host = parts.hostname or ""
        if not host:
            raise InvalidDomain(f"{text!r} has no host name")
    elif "/" in shown:
        head, _, rest = shown.partition("/")
        if rest:
            raise InvalidDomain(
                f"{text!r} has a path; whole sites are blocked, so give the domain ('{head}')"
            )
        host = head
    if host.startswith("["):
        raise InvalidDomain(f"{text!r} is an IP address; sites are blocked by name")
    if "@" in host:
        raise InvalidDomain(f"{text!r} is not a domain name")
    if host.count(":") > 1:
        raise InvalidDomain(f"{text!r} is an IP address; sites are blocked by name")
    if ":" in host:
        name, _, port = host.partition(":")
        if not (port.isascii() and port.isdigit()) or not name:
            raise InvalidDomain(f"{text!r} is not a domain name (a port must be a number)")
        host = name
    host = host.rstrip(".").lower()
    if host[-1:].isdigit():  # an IPv4 address ends in a digit (IPv6 was refused above)
        _reject_ip(host, text)
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii") if not host.isascii() else host
    except idna.IDNAError as exc:
        raise InvalidDomain(f"{text!r} is not a valid international domain name ({exc})") from exc
    if ascii_host.startswith("www.") and not _is_public_suffix_like(ascii_host[4:]):
        ascii_host = ascii_host[4:]
    labels = ascii_host.split(".")
    if len(labels) < 2:
        raise InvalidDomain(f"{text!r} is not a full domain name (e.g. 'example.com')")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise InvalidDomain(f"{text!r} is not a valid domain name")
    if labels[-1].isdigit():
        raise InvalidDomain(f"{text!r} is an IP address; sites are blocked by name")
    return ascii_host


# Second-level labels under country codes that are registries, not sites (co.uk, com.au...).
_REGISTRY_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})


def _is_public_suffix_like(name: str) -> bool:
    """True for names that must never become a block on their own: "com", "co.uk"."""
    labels = name.split(".")
    if len(labels) < 2:
        return True
    return len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _REGISTRY_LABELS


def _reject_ip(host: str, original: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise InvalidDomain(f"{original!r} is an IP address; sites are blocked by name")


def normalise_domains(items: Iterable[str]) -> list[str]:
    """Normalise many entries, de-duplicated in order; InvalidDomain names every bad one."""
    seen: dict[str, None] = {}
    problems: list[str] = []
    for item in items:
        try:
            seen.setdefault(normalise_domain(item), None)
        except InvalidDomain as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidDomain("; ".join(problems))
    return list(seen)


def host_of(request_host: str) -> str:
    """Cheap form of a host seen on the wire (already ASCII): lower case, no trailing dot.

    A port is dropped ("example.com:443", "[::1]:8080"): a host with its port still on
    would match no blocked name, and a blocker must not fail open on that.
    """
    host = request_host.lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


class DomainMatcher:
    """Decides whether a host is blocked.

    ``allowlist_only``: block every host except the allowed ones (the "allowlist" mode).
    Otherwise the allowed domains are checked first, then the blocked ones.
    """

    __slots__ = ("_allowed", "_blocked", "allowlist_only")

    def __init__(
        self,
        blocked: Iterable[str] = (),
        allowed: Iterable[str] = (),
        *,
        allowlist_only: bool = False,
    ) -> None:
        # Same form as the hosts looked up, so "Example.com." in a list still matches.
        self._blocked = frozenset(host_of(name) for name in blocked)
        self._allowed = frozenset(host_of(name) for name in allowed)
        self.allowlist_only = allowlist_only

    def __len__(self) -> int:
        return len(self._blocked)

    @property
    def blocked(self) -> frozenset[str]:
        return self._blocked

    @property
    def allowed(self) -> frozenset[str]:
        return self._allowed

    def _matches(self, host: str, names: frozenset[str]) -> bool:
        while True:
            if host in names:
                return True
            dot = host.find(".")
            if dot < 0:
                return False
            host = host[dot + 1 :]

    def is_blocked(self, host: str) -> bool:
        host = host_of(host)
        if self._allowed and self._matches(host, self._allowed):
            return False
        if self.allowlist_only:
            # Loopback stays reachable even in allowlist mode: local tools are not distractions.
            return host not in ("localhost", "127.0.0.1", "::1")
        return self._matches(host, self._blocked)
