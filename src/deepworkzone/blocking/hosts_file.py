"""Our marked section of a hosts file: found, removed and added so that every other byte stays.

The file is never re-encoded. Bytes are mapped 1:1 to text with latin-1 (which round-trips
any byte string exactly), so UTF-8 with or without a BOM, legacy code pages, CRLF, LF and a
missing final newline all survive untouched. Only UTF-16 files (some Windows machines) are
really decoded, and encoded back with the same byte order and BOM. Our own section is ASCII.
"""

from __future__ import annotations

import codecs
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass

BEGIN = "# >>> deepworkzone block: managed by Deep Work Zone, removed when the session ends >>>"
END = "# <<< deepworkzone block <<<"
_BEGIN_TAG = "# >>> deepworkzone block"
_END_TAG = "# <<< deepworkzone block"
_UNTIL = "# until "

BLOCK_IPS = ("0.0.0.0", "::")
# Hosts files have no wildcards: these are the subdomains people and apps reach most (Safari
# retries www., phones get m.); deeper names are left to the proxy, which matches suffixes.
VARIANTS = ("", "www.", "m.")

# The last gate before a name reaches a hosts file: plain ASCII labels only, so nothing a
# caller passes can add an address, a comment or a second line.
_NAME = re.compile(r"(?=.{1,253}\Z)(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)+(?!-)[a-z0-9_-]{1,63}(?<!-)")
# Lines we write between the markers; used to find the end of a section whose END was lost.
_OUR_LINE = re.compile(r"(?:0\.0\.0\.0|::) \S|# until ")


class HostsFormatError(OSError, ValueError):
    """The hosts file cannot be read safely (so we refuse to rewrite it). An OSError too, so
    callers that handle "cannot use the hosts file" catch it with the rest."""


def is_hosts_name(name: str) -> bool:
    """True for a lower-case ASCII domain that can go into a hosts file as it is."""
    return bool(_NAME.fullmatch(name)) and not name.rsplit(".", 1)[-1].isdigit()


@dataclass(frozen=True)
class HostsText:
    """A hosts file as text plus what is needed to turn it back into the same bytes."""

    text: str
    codec: str
    bom: bytes = b""

    @property
    def newline(self) -> str:
        """The file's own line ending (its first one); the platform's for a one-line file."""
        first = self.text.find("\n")
        if first < 0:
            return "\r\n" if sys.platform == "win32" else "\n"
        return "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"

    def with_text(self, text: str) -> HostsText:
        return HostsText(text, self.codec, self.bom)

    def encode(self) -> bytes:
        return self.bom + self.text.encode(self.codec, errors="surrogatepass")


def decode(raw: bytes) -> HostsText:
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec, errors="surrogatepass")
            except UnicodeDecodeError as exc:
                raise HostsFormatError(f"the hosts file is damaged UTF-16 ({exc})") from exc
            return HostsText(text, codec, bom)
    return HostsText(raw.decode("latin-1"), "latin-1")


@dataclass(frozen=True)
class Section:
    domains: list[str]
    until: str | None


def _line_start(text: str, tag: str, start: int) -> int:
    """Index of the first line at or after ``start`` that begins with ``tag``, or -1."""
    while True:
        found = text.find(tag, start)
        if found <= 0 or text[found - 1] == "\n":
            return found
        start = found + 1


def _after_line(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _section_end(text: str, begin: int) -> int:
    """Where the section starting at ``begin`` stops (just after its END line and newline)."""
    body = _after_line(text, begin)
    end_marker = _line_start(text, _END_TAG, body)
    next_begin = _line_start(text, _BEGIN_TAG, body)
    if end_marker >= 0 and (next_begin < 0 or end_marker < next_begin):
        return _after_line(text, end_marker)
    # END lost (a crash mid-write, or a hand edit): take only lines that look like ours, so a
    # user's line after a damaged section is never swallowed.
    pos = body
    while pos < len(text) and _OUR_LINE.match(text, pos) and pos != next_begin:
        pos = _after_line(text, pos)
    return pos


def split_sections(text: str) -> tuple[str, list[str]]:
    """(text without any of our sections, the sections' own text).

    Several sections (a stale one from a crash plus a new one) are all removed. A section that
    ends the file without a final newline was added to a file that had none, after a newline
    we inserted: that newline goes too, so the original bytes come back.
    """
    kept: list[str] = []
    found: list[str] = []
    pos = 0
    while (begin := _line_start(text, _BEGIN_TAG, pos)) >= 0:
        end = _section_end(text, begin)
        cut = begin
        if end == len(text) and not text.endswith("\n"):
            # Take back exactly the newline we added: the one our own lines use.
            added = "\r\n" if text[begin : _after_line(text, begin)].endswith("\r\n") else "\n"
            if text.startswith(added, cut - len(added)) and cut - len(added) >= pos:
                cut -= len(added)
        kept.append(text[pos:cut])
        found.append(text[begin:end])
        pos = end
    kept.append(text[pos:])
    return "".join(kept), found


def parse_section(section: str) -> Section:
    """The domains (first name on each ``0.0.0.0`` line) and end time in one section."""
    domains: list[str] = []
    until = None
    for line in section.split("\n"):
        line = line.rstrip("\r")
        if line.startswith(_UNTIL):
            until = line[len(_UNTIL) :].strip() or None
        elif line.startswith("0.0.0.0 "):
            names = line.split()[1:]
            if names:
                domains.append(names[0])
    return Section(domains, until)


def host_names(domain: str, platform: str) -> list[str]:
    """Every name written for ``domain``: the common variants, plus the trailing-dot form on
    Linux because glibc does not match ``name.`` against a ``name`` entry (one item per
    variant, joined with its dotted twin)."""
    names = [v + domain for v in VARIANTS if len(v) + len(domain) <= 253]
    if platform.startswith("linux"):
        return [f"{name} {name}." for name in names]
    return names


def render_section(
    domains: Sequence[str], newline: str, *, platform: str, until: str | None = None
) -> str:
    """The section's lines joined with ``newline`` (no newline after END).

    One domain per line with its variants as aliases: at most 6 names, under Windows' limit of
    9 per line and macOS's slowdown on long lines.
    """
    lines = [BEGIN]
    if until:
        if not re.fullmatch(r"[0-9T:+.Z-]{1,40}", until):
            raise ValueError(f"{until!r} is not an ISO 8601 time")
        lines.append(_UNTIL + until)
    rows = []
    for domain in dict.fromkeys(domains):
        if not is_hosts_name(domain):
            raise ValueError(f"{domain!r} is not a plain domain name; it cannot go in a hosts file")
        rows.append(" ".join(host_names(domain, platform)))
    for ip in BLOCK_IPS:
        lines.extend(f"{ip} {row}" for row in rows)
    lines.append(END)
    return newline.join(lines)


def with_section(
    doc: HostsText,
    domains: Sequence[str],
    *,
    platform: str | None = None,
    until: str | None = None,
) -> HostsText:
    """The file with any old sections removed and, if ``domains``, a new one at the end."""
    text, _ = split_sections(doc.text)
    if not domains:
        return doc.with_text(text)
    newline = doc.with_text(text).newline  # the user's lines decide, not an old section
    section = render_section(domains, newline, platform=platform or sys.platform, until=until)
    if text == "" or text.endswith("\n"):
        return doc.with_text(text + section + newline)
    # No final newline: keep it that way, so removal can take back exactly what we added.
    return doc.with_text(text + newline + section)


def has_section(doc: HostsText) -> bool:
    return _line_start(doc.text, _BEGIN_TAG, 0) >= 0


def read_section(doc: HostsText) -> Section | None:
    """Our section's content (all sections merged), or None when the file has none."""
    _, sections = split_sections(doc.text)
    if not sections:
        return None
    parsed = [parse_section(s) for s in sections]
    domains = list(dict.fromkeys(d for p in parsed for d in p.domains))
    return Section(domains, parsed[-1].until)
