"""GNOME (and desktops using its GSettings proxy schema), through the ``gsettings`` tool.

Values are saved and restored as gsettings prints them (GVariant text), so whatever the user
had, including odd characters, goes back exactly.
"""

from __future__ import annotations

import ast
from typing import ClassVar

from deepworkzone.blocking.system_proxy.base import (
    Runner,
    SavedSettingsInvalid,
    Snapshot,
    is_ours,
    looks_like_ours,
    run_command,
)

SCHEMA = "org.gnome.system.proxy"
_MODES = frozenset({"none", "manual", "auto"})


def gvariant_string(text: str) -> str:
    """``it's`` -> ``'it\\'s'``: a GVariant string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def parse_gvariant_string(text: str) -> str:
    text = text.strip()
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


class GnomeBackend:
    name: ClassVar[str] = "gnome"

    def __init__(self, run: Runner = run_command, binary: str = "gsettings") -> None:
        self._run = run
        self._bin = binary

    def _get(self, key: str) -> str:
        return self._run([self._bin, "get", SCHEMA, key]).strip()

    def _set(self, key: str, gvariant: str) -> None:
        self._run([self._bin, "set", SCHEMA, key, gvariant])

    def snapshot(self) -> Snapshot:
        return {"mode": self._get("mode"), "autoconfig-url": self._get("autoconfig-url")}

    def set_pac(self, url: str) -> None:
        # URL first: switching the mode to auto must never expose the user's old URL state.
        # A crash in between leaves (the user's mode, our URL), which restore recognises.
        self._set("autoconfig-url", gvariant_string(url))
        self._set("mode", "'auto'")

    def without_ours(self, saved: Snapshot) -> Snapshot:
        if not looks_like_ours(parse_gvariant_string(str(saved.get("autoconfig-url", "")))):
            return saved
        mode = saved.get("mode")
        return {
            "mode": "'none'" if parse_gvariant_string(str(mode)) == "auto" else mode,
            "autoconfig-url": "''",
        }

    def uses_pac(self, url: str) -> bool:
        return (
            parse_gvariant_string(self._get("mode")) == "auto"
            and parse_gvariant_string(self._get("autoconfig-url")) == url
        )

    def restore(self, saved: Snapshot, url: str, force: bool = False) -> bool:
        mode, old_url = saved.get("mode"), saved.get("autoconfig-url")
        if not isinstance(mode, str) or not isinstance(old_url, str):
            raise SavedSettingsInvalid("the saved GNOME proxy settings are incomplete")
        if parse_gvariant_string(mode) not in _MODES:
            raise SavedSettingsInvalid(f"the saved GNOME proxy mode {mode!r} is not valid")
        if force:
            self._set("mode", mode)
            self._set("autoconfig-url", old_url)
            return True
        # Our URL in the URL key is the mark, in every state a crash can leave: (auto, ours)
        # after apply, (their mode, ours) between apply's two sets or restore's two sets.
        if not is_ours(parse_gvariant_string(self._get("autoconfig-url")), url):
            return False  # the user's URL: changed since, or already put back
        current_mode = parse_gvariant_string(self._get("mode"))
        # Mode first: the moment in between is "their mode, our URL", harmless in any mode
        # but auto, and in auto the URL follows at once. A mode the user picked since (not
        # our "auto", not theirs from before) stays.
        if current_mode == "auto" and parse_gvariant_string(mode) != "auto":
            self._set("mode", mode)
        self._set("autoconfig-url", old_url)
        return True
