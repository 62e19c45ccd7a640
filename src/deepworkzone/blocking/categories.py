"""Preset categories (blocklists/*.txt) and what one session blocks with which method.

A category file is plain text, one entry per line; ``#`` starts a comment::

    title: Social media            shown name (once)
    hosts: no                      optional: too large for a hosts file, proxy only
    breaks: embedded posts         what blocking this may also break (repeatable)
    app: discord                   a desktop app (process name) closed during a session
    allow: aws.amazon.com          never blocked, although a parent is (checked first)
    facebook.com                   a domain: blocks itself and every subdomain
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from deepworkzone.blocking.hosts_file import VARIANTS
from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain, normalise_domains

# glibc re-reads the whole hosts file on every lookup: each domain (12 names on Linux) adds
# about 0.5-0.8 us to every lookup of every name on the machine (bench/README.md). Past 200
# domains a lookup costs over twice an empty file's, so the rest is left to the blocking
# proxy, which the focus plan then starts as well.
HOSTS_DOMAIN_CAP = 200
MODES = ("preset", "custom", "allowlist")


class UnknownCategory(ValueError):
    """A category id with no file; the message lists the valid ids."""


class CategoryFileError(ValueError):
    """A broken line in a category file (a packaging mistake, named by file and line)."""


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    title: str
    domain_count: int
    app_names: tuple[str, ...]
    hosts_ok: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    domains: tuple[str, ...]
    app_names: tuple[str, ...] = ()
    hosts_ok: bool = True
    breaks: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(f"{self.id}: may also break {text}" for text in self.breaks)

    def info(self) -> CategoryInfo:
        return CategoryInfo(
            self.id, self.title, len(self.domains), self.app_names, self.hosts_ok, self.notes
        )


@dataclass
class BlockPlan:
    hosts_domains: list[str] = field(default_factory=list)
    proxy_domains: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)
    app_names: list[str] = field(default_factory=list)
    allowlist_only: bool = False
    notes: list[str] = field(default_factory=list)


def blocklists_dir() -> Path:
    """The installed copy (wheel: deepworkzone/_blocklists), else the source tree's folder."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_blocklists"
    return installed if installed.is_dir() else package.parent.parent / "blocklists"


def parse_category(cat_id: str, text: str, source: str = "") -> Category:
    where = source or f"{cat_id}.txt"
    title, hosts_ok = cat_id, True
    domains: dict[str, None] = {}
    apps: dict[str, None] = {}
    allowed: dict[str, None] = {}
    breaks: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, colon, value = line.partition(":")
        key, value = key.strip().lower(), value.strip()
        if not colon or key == "allow":
            try:
                name = normalise_domain(value if colon else line)
            except InvalidDomain as exc:
                raise CategoryFileError(f"{where}:{number}: {exc}") from exc
            (allowed if colon else domains).setdefault(name, None)
        elif key == "title" and value:
            title = value
        elif key == "hosts" and value in ("yes", "no"):
            hosts_ok = value == "yes"
        elif key == "breaks" and value:
            breaks.append(value)
        elif key == "app" and value and all(c.isalnum() or c in "._- " for c in value):
            apps.setdefault(value, None)
        else:
            raise CategoryFileError(f"{where}:{number}: cannot read {raw.strip()!r}")
    return Category(
        cat_id, title, tuple(domains), tuple(apps), hosts_ok, tuple(breaks), tuple(allowed)
    )


@functools.cache
def _load(folder: Path, cat_id: str) -> Category:
    path = folder / f"{cat_id}.txt"
    return parse_category(cat_id, path.read_text(encoding="utf-8"), str(path.name))


def category_ids() -> list[str]:
    return sorted(p.stem for p in blocklists_dir().glob("*.txt"))


def load_category(cat_id: str) -> Category:
    ident = cat_id.strip().lower()
    ids = category_ids()
    if ident not in ids:
        raise UnknownCategory(f"no category {cat_id!r}; choose from {', '.join(ids)}")
    return _load(blocklists_dir(), ident)


def available_categories() -> list[CategoryInfo]:
    return [load_category(cat_id).info() for cat_id in category_ids()]


def _covered(domain: str, names: set[str]) -> bool:
    """True when ``domain`` or one of its parents is in ``names``."""
    parts = domain.split(".")
    return any(".".join(parts[i:]) in names for i in range(len(parts) - 1))


def resolve_block(
    categories: Iterable[str],
    urls: Iterable[str],
    allow: Iterable[str] = (),
    mode: str = "preset",
) -> BlockPlan:
    """What to block with the hosts file, the proxy and the app blocker; InvalidDomain or
    UnknownCategory (both ValueError, with a message for the user) for bad input."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    sites = normalise_domains(urls)
    allowed = normalise_domains(allow)
    plan = BlockPlan(allowed=allowed)
    if mode == "allowlist":
        plan.allowed = list(dict.fromkeys([*sites, *allowed]))
        plan.allowlist_only = True
        return plan
    chosen = [load_category(c) for c in dict.fromkeys(categories)] if mode == "preset" else []
    # A category's own exceptions (aws.amazon.com under amazon.com) join the user's allowlist.
    plan.allowed = list(dict.fromkeys([*allowed, *(a for cat in chosen for a in cat.allowed)]))
    allowed_set = set(plan.allowed)
    proxy: dict[str, None] = dict.fromkeys(d for d in sites if not _covered(d, allowed_set))
    hosts: dict[str, None] = dict(proxy)  # the user's own sites first, so the cap spares them
    for cat in chosen:
        plan.app_names.extend(a for a in cat.app_names if a not in plan.app_names)
        kept = [d for d in cat.domains if not _covered(d, allowed_set)]
        proxy.update(dict.fromkeys(kept))
        if cat.hosts_ok:
            hosts.update(dict.fromkeys(kept))
        else:
            plan.notes.append(
                f"{cat.id}: blocked by the proxy only (the list is kept out of the hosts "
                "file, which slows every lookup as it grows)"
            )
    # The hosts file lists exact names (a domain and its www. and m. variants): a domain
    # whose variant is allowed stays out of it, and the proxy decides for it.
    for domain in [d for d in hosts if any(v + d in allowed_set for v in VARIANTS if v)]:
        del hosts[domain]
        plan.notes.append(f"{domain}: left to the proxy because a subdomain of it is allowed")
    hosts_list = list(hosts)
    if len(hosts_list) > HOSTS_DOMAIN_CAP:
        plan.notes.append(
            f"{len(hosts_list)} domains exceed the hosts-file limit of {HOSTS_DOMAIN_CAP}; "
            f"the other {len(hosts_list) - HOSTS_DOMAIN_CAP} are blocked by the proxy only"
        )
        hosts_list = hosts_list[:HOSTS_DOMAIN_CAP]
    plan.hosts_domains = hosts_list
    plan.proxy_domains = list(proxy)
    return plan
