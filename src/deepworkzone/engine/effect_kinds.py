"""Which class undoes each kind of journal entry, so a new process can clean up after a crash.

Imported lazily: recovery runs at every start of the program, and most starts find no journal.
"""

from __future__ import annotations

import importlib
from typing import Any

from deepworkzone.domain.effects import Effect, JournalRecord

# Order matters: recovery undoes in the reverse of this order, the same order the runner uses.
APPLY_ORDER = ("hosts", "proxy", "system_proxy", "browser_policies", "apps", "slack", "teams")

_CLASSES: dict[str, tuple[str, str]] = {
    "hosts": ("deepworkzone.blocking.hosts_blocker", "HostsBlocker"),
    "proxy": ("deepworkzone.blocking.proxy_blocker", "ProxyBlocker"),
    "system_proxy": ("deepworkzone.blocking.system_proxy", "SystemProxySetting"),
    "apps": ("deepworkzone.blocking.apps", "AppBlocker"),
    "browser_policies": ("deepworkzone.blocking.policy_blocker", "BrowserPolicies"),
}


class UnknownEffectKind(LookupError):
    pass


def effect_class(kind: str) -> Any:
    if kind in ("slack", "teams"):
        from deepworkzone.snooze.factory import SNOOZER_KINDS

        return SNOOZER_KINDS[kind]
    try:
        module_name, class_name = _CLASSES[kind]
    except KeyError:
        raise UnknownEffectKind(f"the run journal names an unknown change {kind!r}") from None
    return getattr(importlib.import_module(module_name), class_name)


def rebuild(kind: str, record: JournalRecord) -> Effect:
    effect: Effect = effect_class(kind).from_record(record)
    return effect


def undo_order(kinds: list[str]) -> list[str]:
    """Kinds in the order they must be undone: the reverse of how they were applied."""
    rank = {kind: i for i, kind in enumerate(APPLY_ORDER)}
    return sorted(kinds, key=lambda k: rank.get(k, len(rank)), reverse=True)
