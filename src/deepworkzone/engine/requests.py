"""From a stored session, or a quick start's few choices, to a FocusRequest."""

from __future__ import annotations

from collections.abc import Sequence

from deepworkzone.core.settings import Settings, load_settings
from deepworkzone.domain.models import Session
from deepworkzone.engine.focus_plan import FocusRequest, Method


def base_request(settings: Settings | None = None) -> FocusRequest:
    settings = settings or load_settings()
    return FocusRequest(
        method=settings.blocking_method,
        proxy_port=settings.proxy_port,
        system_proxy=settings.set_system_proxy,
        policy_blocklist=settings.browser_block_list,
    )


def request_for_session(
    session: Session, settings: Settings | None = None, *, minutes: int | None = None
) -> FocusRequest:
    """What to block and snooze comes from the session, as the seed's fields describe it."""
    request = base_request(settings)
    request.name = session.name
    request.minutes = minutes or session.duration
    blocker = session.website_blocker
    if session.website_blocker_enabled:
        request.mode = blocker.mode
        request.urls = list(blocker.urls)
        request.categories = list(blocker.category) if blocker.mode == "preset" else []
    else:
        request.method = "none"
    request.strict = bool(getattr(blocker, "strict", False))
    if session.snooze_enabled:
        chosen = session.snooze_apps
        request.snooze = [
            name for name, on in (("slack", chosen.slack), ("teams", chosen.teams)) if on
        ]
    return request


def quick_request(
    minutes: int,
    *,
    name: str | None = None,
    categories: Sequence[str] = (),
    urls: Sequence[str] = (),
    allow: Sequence[str] = (),
    allowlist: bool = False,
    method: Method | None = None,
    proxy_port: int | None = None,
    system_proxy: bool = True,
    snooze: Sequence[str] = (),
    strict: bool = False,
    browser_block_list: bool | None = None,
    settings: Settings | None = None,
) -> FocusRequest:
    """A session started now. With nothing chosen to block, the default categories and
    sites (settings.default_urls); with no sites to allow, settings.default_allow."""
    settings = settings or load_settings()
    request = base_request(settings)
    request.name = name or "Focus"
    request.minutes = minutes
    if method is not None:
        request.method = method
    if proxy_port is not None:
        request.proxy_port = proxy_port
    request.system_proxy = settings.set_system_proxy and system_proxy
    cats, sites = list(categories), list(urls)
    if not (cats or sites or allowlist):
        cats, sites = list(settings.default_categories), list(settings.default_urls)
    allowed = list(allow) or list(settings.default_allow)
    request.categories, request.urls, request.allow = cats, sites, allowed
    request.mode = "allowlist" if allowlist else ("preset" if cats else "custom")
    request.snooze = list(snooze)
    request.strict = strict
    if browser_block_list is not None:  # else the setting (base_request)
        request.policy_blocklist = browser_block_list
    return request


def merged(running: FocusRequest, joining: FocusRequest) -> FocusRequest:
    """Two sessions at once: the union of their blocks and snoozes (strict if either is).
    An allowlist cannot be merged with a block list: the running session's blocks stay."""
    out = FocusRequest(**{k: getattr(running, k) for k in running.__dataclass_fields__})
    out.snooze = sorted(set(running.snooze) | set(joining.snooze))
    out.strict = running.strict or joining.strict
    if "allowlist" in (running.mode, joining.mode) or joining.method == "none":
        return out
    if running.method == "none":
        out.method = joining.method
    out.categories = sorted(set(running.categories) | set(joining.categories))
    out.urls = sorted(set(running.urls) | set(joining.urls))
    out.allow = sorted(set(running.allow) & set(joining.allow))
    out.mode = "preset" if out.categories else "custom"
    return out
