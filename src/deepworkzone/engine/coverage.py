"""What a blocking method reaches on this machine, and why a given site is or is not blocked.

Pure data for every front end: ``coverage_report`` answers, for each kind of client (the
browsers, a browser with its own DNS-over-HTTPS, connections open before the session,
command-line tools), whether the method reaches it (yes / partial / no), why, and what the
user can do. It is computed from a ``MachineProbe`` (what this machine has: a system proxy
backend, a bind-mounted hosts file, whether open connections can be closed, whether browser
policies are written), so tests and the app's preview can pass their own. The table in
docs/blocking.md is this function's output for a Linux desktop; the browser suite
(tests/integration/test_browsers.py) checks it cell by cell against real browsers.

``why_blocked`` explains one URL for a planned or running session: the matched rule and its
category, the allowlist entry that spares it, the method, and the coverage gaps that apply.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from deepworkzone.engine.focus_plan import FocusRequest, effective_method

Reach = Literal["yes", "partial", "no"]
SessionState = Literal["running", "planned"]
METHODS = ("hosts", "proxy", "both")

# Client ids are stable: the JSON output, the GUI and the browser suite key on them.
CLIENTS: dict[str, str] = {
    "chromium": "Chromium, Chrome, Brave and Edge",
    "firefox": "Firefox",
    "firefox_doh": "Firefox with DNS-over-HTTPS on, running since before the session",
    "open_connections": "Tabs and apps already connected to a blocked site",
    "other_programs": "curl, wget, git, Python scripts and other programs",
}


@dataclass(frozen=True)
class MachineProbe:
    """What this machine offers the blockers; ``probe_machine()`` reads the real one."""

    platform: str = sys.platform
    system_proxy: str | None = None  # the backend that points browsers at the PAC, or None
    hosts_file: str = "/etc/hosts"
    hosts_bind_mounted: bool = False
    close_connections: bool = False  # connections open at the start can be closed
    close_detail: str = ""  # how, or why not
    network_nudge: bool = False  # browsers are told the network changed (name caches emptied)
    browser_policies: bool = False  # DNS-over-HTTPS-off policies are written for the session
    url_blocklist: bool = False  # the block list goes into the browsers' policies too
    firefox_policy_owner: str | None = None  # a policies.json that is not ours: we keep out
    browsers: tuple[str, ...] = ()  # browsers found installed (ids of browser_policies)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["browsers"] = list(self.browsers)
        return out


@dataclass(frozen=True)
class CoverageCell:
    client: str  # a key of CLIENTS
    label: str
    reached: Reach
    reason: str  # why, in plain words
    remedy: str = ""  # what the user can do ("" when there is nothing to do)

    def to_json(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class CoverageReport:
    method: str
    cells: tuple[CoverageCell, ...]
    notes: tuple[str, ...] = ()  # facts of this machine worth saying at the start
    probe: MachineProbe = field(default_factory=MachineProbe)

    @property
    def gaps(self) -> tuple[CoverageCell, ...]:
        return tuple(cell for cell in self.cells if cell.reached != "yes")

    def cell(self, client: str) -> CoverageCell:
        for cell in self.cells:
            if cell.client == client:
                return cell
        raise KeyError(client)

    @property
    def summary(self) -> str:
        """One line for the start of a session."""
        if self.method == "none":
            return "no sites are blocked (method none)"
        if not self.gaps:
            return f"{self.method} reaches every client we know of"
        parts = [
            _SHORT[c.client] + (" (partly)" if c.reached == "partial" else "") for c in self.gaps
        ]
        return f"{self.method} does not reach {', '.join(parts)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "summary": self.summary,
            "cells": [cell.to_json() for cell in self.cells],
            "gaps": [cell.client for cell in self.gaps],
            "notes": list(self.notes),
            "machine": self.probe.to_json(),
        }


_SHORT = {
    "chromium": "Chromium-based browsers",
    "firefox": "Firefox",
    "firefox_doh": "a running Firefox with DNS-over-HTTPS",
    "open_connections": "connections already open",
    "other_programs": "curl and other programs",
}


def probe_machine() -> MachineProbe:
    """The real machine: read-only, quick (no network, no helper run)."""
    from deepworkzone.blocking import browser_policies, network_nudge, socket_closer
    from deepworkzone.blocking.hosts_blocker import hosts_path
    from deepworkzone.blocking.hosts_mount import is_bind_mounted
    from deepworkzone.blocking.system_proxy import current_backend

    backend = current_backend()
    hosts = hosts_path()
    can_close, how = socket_closer.support()
    return MachineProbe(
        platform=sys.platform,
        system_proxy=backend.name if backend is not None else None,
        hosts_file=str(hosts),
        hosts_bind_mounted=is_bind_mounted(hosts),
        close_connections=can_close,
        close_detail=how,
        network_nudge=network_nudge.available(),
        browser_policies=browser_policies.enabled(),
        url_blocklist=browser_policies.url_blocklist_enabled() or _block_list_setting(),
        firefox_policy_owner=browser_policies.foreign_firefox_policy(),
        browsers=tuple(browser_policies.installed_browsers()),
    )


def _block_list_setting() -> bool:
    from deepworkzone.core.settings import load_settings

    return load_settings().browser_block_list


def coverage_report(method: str, *, probe: MachineProbe | None = None) -> CoverageReport:
    """The coverage of ``method`` ("hosts", "proxy", "both" or "none") on the probed machine."""
    if method not in (*METHODS, "none"):
        raise ValueError(f"unknown method {method!r}; choose from hosts, proxy, both")
    probe = probe or probe_machine()
    if method == "none":
        cells = tuple(
            CoverageCell(c, label, "no", "method none blocks no sites")
            for c, label in CLIENTS.items()
        )
        return CoverageReport(method, cells, (), probe)
    per_method = {m: _cells(m, probe) for m in METHODS if m != "both"}
    if method == "both":
        cells = tuple(
            _either(h, p) for h, p in zip(per_method["hosts"], per_method["proxy"], strict=True)
        )
    else:
        cells = per_method[method]
    return CoverageReport(method, cells, _notes(method, probe), probe)


_RANK = {"no": 0, "partial": 1, "yes": 2}


def _either(hosts: CoverageCell, proxy: CoverageCell) -> CoverageCell:
    """Both layers: the better of the two reaches the client."""
    best = hosts if _RANK[hosts.reached] >= _RANK[proxy.reached] else proxy
    if best.reached == "yes":
        return CoverageCell(best.client, best.label, "yes", best.reason)
    return best


def _cells(method: str, probe: MachineProbe) -> tuple[CoverageCell, ...]:
    makers = {
        "chromium": _chromium,
        "firefox": _firefox,
        "firefox_doh": _firefox_doh,
        "open_connections": _open_connections,
        "other_programs": _other_programs,
    }
    return tuple(
        CoverageCell(client, CLIENTS[client], *makers[client](method, probe)) for client in CLIENTS
    )


Verdict = tuple[Reach, str, str]


def _proxy_reach(probe: MachineProbe, browser: str) -> Verdict:
    if probe.system_proxy:
        follows = (
            "follows the system proxy setting"
            if browser != "firefox"
            else 'follows the system proxy setting (Settings, Network: "Use system proxy '
            'settings", the default)'
        )
        return "yes", f"{follows} ({probe.system_proxy}), which points at the PAC file", ""
    return (
        "no",
        "the system proxy cannot be set on this desktop, so the browser does not use the proxy",
        "set the session's PAC URL as the automatic proxy configuration URL by hand, or use "
        "hosts or both",
    )


def _policy_reach(probe: MachineProbe, browser: str) -> Verdict | None:
    if not (probe.browser_policies and probe.url_blocklist):
        return None
    if browser == "chromium":
        return "yes", "the session's block list is in its managed policy (URLBlocklist)", ""
    return None


def _chromium(method: str, probe: MachineProbe) -> Verdict:
    by_policy = _policy_reach(probe, "chromium")
    if method == "proxy":
        reach = _proxy_reach(probe, "chromium")
        return by_policy if reach[0] != "yes" and by_policy else reach
    if probe.hosts_bind_mounted:
        if by_policy:
            return by_policy
        return (
            "partial",
            f"{probe.hosts_file} is a bind mount: a running Chromium does not notice the change "
            "(new browsers do)",
            "restart the browser after the session starts, or use both",
        )
    return (
        "yes",
        "reads the hosts file again as soon as it changes (secure DNS too); the host cache is "
        "emptied then",
        "",
    )


def _firefox(method: str, probe: MachineProbe) -> Verdict:
    if method == "proxy":
        return _proxy_reach(probe, "firefox")
    # Measured (tests/integration/test_browsers.py): a running Firefox keeps the address of
    # a name it resolved before the start, even once its connection is closed (for more
    # than a minute while the site is in use), unless told the network changed (the nudge
    # empties its name cache about a second later); names it had not looked up are blocked.
    if probe.network_nudge and probe.close_connections:
        return (
            "yes",
            "the hosts file changes, then Firefox is told the network changed and forgets "
            "the addresses it looked up (about a second later), and its open connections "
            "are closed; after the session the same nudge lets blocked sites load again",
            "",
        )
    return (
        "partial",
        "a site it had open before the start keeps loading (Firefox keeps the address it "
        "looked up); sites it had not opened are blocked; after the session, a blocked site it "
        "tried stays blocked for about a minute",
        "use both (the proxy blocks it at once), or restart Firefox",
    )


def _firefox_doh(method: str, probe: MachineProbe) -> Verdict:
    if method == "proxy":
        return _proxy_reach(probe, "firefox")
    if probe.browser_policies and probe.firefox_policy_owner is None:
        remedy = (
            "restart Firefox: the session's policy turns DNS-over-HTTPS off for the session "
            "(Firefox reads policies only when it starts), or use both"
        )
    elif probe.firefox_policy_owner:
        remedy = (
            f"your own Firefox policy file {probe.firefox_policy_owner} is left alone: add "
            '"DNSOverHTTPS": {"Enabled": false} to it, or use both'
        )
    else:
        remedy = "turn DNS-over-HTTPS off (Settings, Privacy & Security) and restart, or use both"
    return (
        "no",
        "it resolves names it has not looked up yet through DNS-over-HTTPS, and reads the hosts "
        "file only when it starts",
        remedy,
    )


def _open_connections(method: str, probe: MachineProbe) -> Verdict:
    if probe.close_connections:
        return "yes", f"closed at the start: {probe.close_detail}", ""
    return (
        "partial",
        "a tab already connected keeps loading until the browser closes the idle connection "
        f"(about 2 minutes){': ' + probe.close_detail if probe.close_detail else ''}",
        "restart the browser, or wait two minutes",
    )


def _other_programs(method: str, probe: MachineProbe) -> Verdict:
    if method == "proxy":
        return (
            "no",
            "they ignore PAC files and the desktop's proxy setting",
            "use hosts or both",
        )
    return "yes", "they resolve names through the system, which reads the hosts file", ""


def _notes(method: str, probe: MachineProbe) -> tuple[str, ...]:
    notes: list[str] = []
    if method in ("hosts", "both") and probe.hosts_bind_mounted:
        from deepworkzone.blocking.hosts_mount import BIND_MOUNT_MEANING

        notes.append(BIND_MOUNT_MEANING.format(path=probe.hosts_file))
    if probe.browser_policies:
        notes.append(
            "browser policies: Chromium, Chrome, Brave and Edge pick them up within about 10 "
            "seconds; Firefox only when it starts, so restart a running Firefox"
        )
    return tuple(notes)


# -- why is / isn't this site blocked --------------------------------------------------------


@dataclass(frozen=True)
class WhyAnswer:
    url: str
    host: str
    blocked: bool
    sentence: str  # the answer in one line
    method: str  # the session's method after the plan's own adjustments
    session: SessionState
    rule: str | None = None  # the listed domain that matched (host itself or a parent)
    category: str | None = None  # the category holding ``rule``; None: the user's own site
    allowed_by: str | None = None  # the allowlist entry that keeps it reachable
    allowlist_mode: bool = False  # "everything but the allowed sites"
    layers: tuple[str, ...] = ()  # what blocks it: "hosts", "proxy", "policy"
    in_hosts_file: bool = False  # this exact name is written in the hosts file
    gaps: tuple[CoverageCell, ...] = ()  # where the block does not reach

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["layers"] = list(self.layers)
        out["gaps"] = [cell.to_json() for cell in self.gaps]
        return out


def why_blocked(
    url: str,
    request: FocusRequest,
    *,
    session: SessionState = "planned",
    probe: MachineProbe | None = None,
) -> WhyAnswer:
    """Whether ``request`` blocks ``url`` (a URL or a bare host), and why. ValueError (a message
    for the user) for something that is not a web address."""
    from deepworkzone.blocking.categories import load_category, resolve_block
    from deepworkzone.blocking.hosts_file import VARIANTS
    from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain

    host = _host_of(url)
    try:
        normalise_domain(host)
    except InvalidDomain as exc:
        raise ValueError(str(exc)) from None
    block = resolve_block(request.categories, request.urls, request.allow, request.mode)
    method = effective_method(request.method, block)
    allowed_by = _match(host, block.allowed)
    base = WhyAnswer(url=url, host=host, blocked=False, sentence="", method=method, session=session)
    if method == "none":
        return replace(base, blocked=False, sentence=f"{host} is not blocked: method none")
    if allowed_by is not None:
        return replace(
            base,
            blocked=False,
            sentence=f"{host} is not blocked: the allowlist holds {allowed_by}",
            allowed_by=allowed_by,
            allowlist_mode=block.allowlist_only,
        )
    report = coverage_report(method, probe=probe)
    if block.allowlist_only:
        return replace(
            base,
            blocked=True,
            sentence=f"{host} is blocked: allowlist mode blocks every site not allowed (proxy)",
            allowlist_mode=True,
            layers=("proxy",),
            gaps=report.gaps,
        )
    rule = _match(host, block.proxy_domains)
    if rule is None:
        return replace(
            base,
            blocked=False,
            sentence=f"{host} is not blocked: no category or site of this session lists it",
        )
    category = None
    for cat_id in request.categories if request.mode == "preset" else ():
        if rule in load_category(cat_id).domains:
            category = cat_id
            break
    names = {v + d for d in block.hosts_domains for v in VARIANTS}
    in_hosts = method in ("hosts", "both") and host in names
    layers: list[str] = []
    if in_hosts:
        layers.append("hosts")
    if method in ("proxy", "both"):
        layers.append("proxy")
    if report.probe.browser_policies and report.probe.url_blocklist:
        layers.append("policy")
    source = f"the {category} category" if category else "this session's own sites"
    how = " and ".join(layers) if layers else "nothing (the proxy would catch it)"
    sentence = f"{host} is blocked: {rule} is in {source}; blocked by {how}"
    if not layers:
        sentence = (
            f"{host} matches {rule} in {source}, but the hosts file holds only {rule}, www. and "
            f"m.: choose both or proxy to block {host}"
        )
    return replace(
        base,
        blocked=bool(layers),
        sentence=sentence,
        rule=rule,
        category=category,
        layers=tuple(layers),
        in_hosts_file=in_hosts,
        gaps=report.gaps,
    )


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        host = ""
    if not host:
        raise ValueError(f"{url!r} is not a web address")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{url!r} is not a web address") from None
    return host.lower().rstrip(".")


def _match(host: str, names: Sequence[str]) -> str | None:
    """The entry of ``names`` that covers ``host`` (itself or its nearest parent)."""
    listed = set(names)
    parts = host.split(".")
    for i in range(len(parts)):
        candidate = ".".join(parts[i:])
        if candidate in listed:
            return candidate
    return None
