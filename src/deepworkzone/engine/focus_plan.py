"""From what the user asked for (minutes, categories, sites, method, snooze) to the list of
changes a focus session will make, in the order the runner applies them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from deepworkzone.domain.effects import Effect
from deepworkzone.domain.hostnames import DomainMatcher

Method = Literal["hosts", "proxy", "both", "none"]
Mode = Literal["preset", "custom", "allowlist"]
SNOOZE_APPS = ("slack", "teams")


@dataclass
class FocusRequest:
    name: str = "Focus"
    minutes: int = 25
    categories: Sequence[str] = ()
    urls: Sequence[str] = ()
    allow: Sequence[str] = ()
    mode: Mode = "preset"
    method: Method = "hosts"
    proxy_port: int = 48271
    system_proxy: bool = True
    snooze: Sequence[str] = ()
    block_apps: bool = True
    strict: bool = False
    # At the start: close connections already open to blocked sites; browser policies for
    # the session (DNS-over-HTTPS off; with policy_blocklist the block list too).
    close_connections: bool = True
    browser_policies: bool = True
    policy_blocklist: bool = False

    def to_record(self) -> dict[str, object]:
        """JSON for the journal, so a restarted agent can resume the very same session."""
        out = asdict(self)
        for key in ("categories", "urls", "allow", "snooze"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_record(cls, record: dict[str, object]) -> FocusRequest:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in record.items() if k in known})  # type: ignore[arg-type]


@dataclass
class FocusPlan:
    effects: list[Effect] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blocked_count: int = 0
    method: Method = "hosts"
    pac_url: str | None = None
    # The system proxy is not pointed at us: browsers see the proxy only if set by hand.
    proxy_needs_manual_setup: bool = False


@dataclass
class PlanHooks:
    """Where the blockers report while a session runs (on their own threads)."""

    on_site_blocked: Callable[[str], None] | None = None
    on_app_closed: Callable[[str], None] | None = None


def effective_method(method: Method, block: Any, notes: list[str] | None = None) -> Method:
    """The method a block really needs (``block``: categories.BlockPlan); why, into ``notes``."""
    notes = [] if notes is None else notes
    if block.allowlist_only and method in ("hosts", "both"):
        # A hosts file can only list names to block, never "everything but".
        notes.append("allowlist mode works through the blocking proxy only; using the proxy")
        method = "proxy"
    proxy_only = set(block.proxy_domains) - set(block.hosts_domains)
    if method == "hosts" and proxy_only:
        # Keep the promise: what the hosts file cannot hold still gets blocked, by the proxy.
        notes.append(
            f"{len(proxy_only)} sites can only be blocked by the proxy; using hosts file and proxy"
        )
        method = "both"
    return method


def build_plan(
    request: FocusRequest, ends_at: datetime, hooks: PlanHooks | None = None
) -> FocusPlan:
    """Raise ValueError (with a message fit for the user) for anything that cannot work."""
    from deepworkzone.blocking.categories import resolve_block

    unknown = sorted(set(request.snooze) - set(SNOOZE_APPS))
    if unknown:
        raise ValueError(f"cannot snooze {', '.join(unknown)}: choose from slack, teams")
    plan = FocusPlan(method=request.method)
    block = resolve_block(request.categories, request.urls, request.allow, request.mode)
    plan.notes.extend(block.notes)
    method = effective_method(request.method, block, plan.notes)
    if method == "none" and (block.hosts_domains or block.proxy_domains or block.allowlist_only):
        plan.notes.append("--method none: no websites will be blocked")
    plan.method = method

    if method in ("hosts", "both") and block.hosts_domains:
        from deepworkzone.blocking.hosts_blocker import HostsBlocker

        plan.effects.append(HostsBlocker(block.hosts_domains, until=ends_at))
        plan.blocked_count = len(block.hosts_domains)
    proxy_wanted = method in ("proxy", "both") and (block.proxy_domains or block.allowlist_only)
    if proxy_wanted:
        from deepworkzone.blocking.proxy_blocker import ProxyBlocker

        matcher = DomainMatcher(
            block.proxy_domains, block.allowed, allowlist_only=block.allowlist_only
        )
        hooks = hooks or PlanHooks()
        proxy = ProxyBlocker(matcher, request.proxy_port, ends_at, on_blocked=hooks.on_site_blocked)
        plan.effects.append(proxy)
        plan.blocked_count = max(plan.blocked_count, len(block.proxy_domains))
        # A new URL per session: browsers cache a PAC file by its URL.
        plan.pac_url = (
            f"http://127.0.0.1:{request.proxy_port}/proxy.pac?session={int(ends_at.timestamp())}"
        )
        if request.system_proxy:
            from deepworkzone.blocking.system_proxy import SystemProxySetting

            plan.effects.append(SystemProxySetting(plan.pac_url))
        else:
            plan.proxy_needs_manual_setup = True
    _add_browser_guards(plan, request, block, method)
    if request.block_apps and block.app_names and method != "none":
        from deepworkzone.blocking.apps import AppBlocker

        on_closed = (hooks or PlanHooks()).on_app_closed
        plan.effects.append(AppBlocker(block.app_names, on_closed=on_closed))
    if request.snooze:
        from deepworkzone.snooze.factory import build_snoozers

        snoozers, warnings = build_snoozers(
            request.snooze, ends_at=ends_at, session_name=request.name
        )
        plan.effects.extend(snoozers)
        plan.notes.extend(warnings)
    return plan


def _add_browser_guards(plan: FocusPlan, request: FocusRequest, block: Any, method: str) -> None:
    """Browser policies after the blocks, and the closing of connections already open: the
    names are resolved first of all (before the block), the connections closed last."""
    from deepworkzone.blocking import browser_policies, socket_closer

    if method == "none" or block.allowlist_only or not block.proxy_domains:
        return
    blocklist = request.policy_blocklist or browser_policies.url_blocklist_enabled()
    wants_policy = method in ("hosts", "both") or blocklist
    if request.browser_policies and wants_policy and browser_policies.enabled():
        from deepworkzone.blocking.policy_blocker import BrowserPolicies

        plan.effects.append(BrowserPolicies(block.proxy_domains, blocklist=blocklist))
    if request.close_connections and socket_closer.support()[0]:
        from deepworkzone.blocking.connection_closer import BlockedAddresses, ConnectionCloser

        addresses = BlockedAddresses(block.proxy_domains)
        plan.effects.insert(0, addresses)
        plan.effects.append(ConnectionCloser(addresses))
