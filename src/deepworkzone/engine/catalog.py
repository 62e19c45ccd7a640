"""The preset category lists, for front ends (they never read blocklists/ themselves)."""

from __future__ import annotations

from typing import Any

from deepworkzone.engine.errors import EngineError


def categories() -> list[Any]:
    """Every preset category's summary (id, name, domain count, notes)."""
    from deepworkzone.blocking.categories import available_categories

    return list(available_categories())


def category(cat_id: str) -> Any:
    """One category whole; EngineError ``unknown_category`` if there is none."""
    from deepworkzone.blocking.categories import UnknownCategory, category_ids, load_category

    try:
        return load_category(cat_id)
    except UnknownCategory as exc:
        raise EngineError(
            "unknown_category", str(exc), unknown=[cat_id], known=category_ids()
        ) from exc
