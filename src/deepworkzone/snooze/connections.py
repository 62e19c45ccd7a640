"""Who each service is connected as: a small non-secret JSON file beside the settings.

Tokens live in the SecretStore; this file only says to whom, with which scopes, and whether
the service told us the token is dead, so ``connections`` and the factory can answer offline.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deepworkzone.core.fsutil import atomic_write
from deepworkzone.core.paths import app_paths

log = logging.getLogger(__name__)

SERVICES = ("slack", "teams")


def _path() -> Path:
    return app_paths().config_dir / "connections.json"


def load_all() -> dict[str, dict[str, Any]]:
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("connections file unreadable (%s); treating as empty", exc)
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: v for k, v in raw.items() if k in SERVICES and isinstance(v, dict)}


def get(service: str) -> dict[str, Any] | None:
    return load_all().get(service)


def save(service: str, info: dict[str, Any]) -> None:
    data = load_all()
    data[service] = {**info, "connected_at": datetime.now(UTC).isoformat(timespec="seconds")}
    _write(data)


def forget(service: str) -> None:
    data = load_all()
    if data.pop(service, None) is not None:
        _write(data)


def mark_disconnected(service: str, reason: str) -> None:
    """Remember that the service refused the token, so we stop calling it until reconnected."""
    data = load_all()
    entry = data.setdefault(service, {})
    entry["disconnected"] = reason
    _write(data)
    log.warning("%s marked disconnected: %s", service, reason)


def disconnected_reason(service: str) -> str | None:
    entry = get(service)
    reason = entry.get("disconnected") if entry else None
    return str(reason) if reason else None


def _write(data: dict[str, dict[str, Any]]) -> None:
    atomic_write(_path(), (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8"))
