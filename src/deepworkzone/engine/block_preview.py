"""What a session would block, and how, computed by the focus plan itself.

A front end's preview (the app's session editor) must be what the runner will really do (the hosts-file cap, proxy-only
lists, allowlist through the proxy, a category's own exceptions), so it asks
``engine.focus_plan.build_plan`` instead of repeating those rules here. Building a plan
applies nothing: effects only act in ``apply``. Runs on the bridge (it reads the lists).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deepworkzone.engine.focus_plan import FocusRequest, Method, Mode, build_plan


@dataclass(frozen=True)
class Preview:
    method: str  # "hosts", "proxy", "both" or "none", after the plan's own adjustments
    hosts_domains: tuple[str, ...] = ()
    proxy_domains: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    allowlist_only: bool = False
    apps: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def domains(self) -> tuple[str, ...]:
        """Every blocked domain once, hosts-file ones first."""
        return tuple(dict.fromkeys([*self.hosts_domains, *self.proxy_domains]))


def preview(
    categories: Sequence[str],
    urls: Sequence[str],
    mode: Mode,
    method: Method,
    *,
    enabled: bool = True,
) -> Preview:
    """ValueError (a message for the user) for a domain or category that cannot work."""
    if not enabled:
        return Preview("none")
    request = FocusRequest(
        categories=list(categories) if mode == "preset" else [],
        urls=list(urls),
        mode=mode,
        method=method,
        system_proxy=False,  # a preview never touches the desktop's proxy settings
        snooze=(),
    )
    plan = build_plan(request, datetime.now(UTC) + timedelta(minutes=1))
    hosts: tuple[str, ...] = ()
    proxy: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    allow_only = False
    apps: tuple[str, ...] = ()
    for effect in plan.effects:
        found: Any = effect  # each kind's own fields; the Effect protocol names none
        kind = getattr(effect, "kind", "")
        if kind == "hosts":
            hosts = tuple(found.domains)
        elif kind == "proxy":
            matcher = found.proxy.matcher
            proxy = tuple(sorted(matcher.blocked))
            allowed = tuple(sorted(matcher.allowed))
            allow_only = bool(matcher.allowlist_only)
        elif kind == "apps":
            apps = tuple(found.process_names)
    if mode == "allowlist" and not allowed:
        allowed, allow_only = tuple(urls), True
    return Preview(plan.method, hosts, proxy, allowed, allow_only, apps, tuple(plan.notes))
