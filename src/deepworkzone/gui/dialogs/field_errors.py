"""Validation messages shown next to the field they name, from either source: our own
pydantic check before sending, or the server's 422 (EngineError "invalid", data["fields"]).

Field names are the API's ("duration", "website_blocker.urls.1", "recurring_ends"); a page
registers a label for each name it shows, and a message for a name nobody registered (or for
the whole body, "") goes to the dialog's general error line, so none is ever lost.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel, QWidget

# Names the server may use that are shown by another field's label.
ALIASES = {
    "is_recurring": "occurrence",
    "recurring_month_week_pos": "recurring_month_option",
    "recurring_month_week_day": "recurring_month_option",
    "fallback_option": "recurring_month_option",
    "website_blocker.mode": "website_blocker",
    "website_blocker.category": "website_blocker",
    "website_blocker.strict": "website_blocker",
    "snooze_apps": "snooze_enabled",
}


def error_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setVisible(False)
    # Qt has no "error" palette role; a red that reads on light and dark windows alike.
    label.setStyleSheet("color: #d0312d;")
    label.setProperty("role", "field-error")
    return label


def _key(loc: Any) -> str:
    parts = [str(p) for p in (loc if isinstance(loc, list | tuple) else [loc])]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def pydantic_fields(exc: Any) -> dict[str, str]:
    """A pydantic ValidationError as {field: message}; model-wide problems under ""."""
    out: dict[str, str] = {}
    for err in exc.errors():
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        out.setdefault(_key(err.get("loc", ())), msg)
    return out


def engine_fields(exc: BaseException) -> dict[str, str] | None:
    """The server's per-field messages, if ``exc`` is a 422 the engine passed on."""
    if getattr(exc, "code", None) != "invalid":
        return None
    fields = getattr(exc, "data", {}).get("fields")
    if not fields:
        return {"": str(exc)}
    return {str(k): str(v) for k, v in fields.items()}


class FieldErrors:
    """The labels of one dialog, by field name."""

    def __init__(self, general: QLabel) -> None:
        self._labels: dict[str, QLabel] = {}
        self._general = general

    def register(self, name: str, label: QLabel) -> None:
        self._labels[name] = label

    def label(self, name: str) -> QLabel | None:
        return self._labels.get(name)

    def clear(self) -> None:
        for label in [*self._labels.values(), self._general]:
            label.clear()
            label.setVisible(False)

    def show(self, fields: dict[str, str]) -> list[QLabel]:
        """Put each message by its field; answer the labels used, first one first."""
        self.clear()
        used: list[QLabel] = []
        leftovers: list[str] = []
        for name, message in fields.items():
            label = self._find(name)
            if label is None:
                leftovers.append(f"{name}: {message}" if name else message)
                continue
            text = label.text()
            label.setText(f"{text}\n{message}" if text else message)
            label.setVisible(True)
            if label not in used:
                used.append(label)
        if leftovers:
            self._general.setText("\n".join(leftovers))
            self._general.setVisible(True)
            used.append(self._general)
        return used

    def _find(self, name: str) -> QLabel | None:
        # "website_blocker.urls.2" -> "website_blocker.urls" -> "website_blocker"
        parts = name.split(".") if name else []
        while parts:
            key = ".".join(parts)
            key = ALIASES.get(key, key)
            if key in self._labels:
                return self._labels[key]
            parts.pop()
        return None
