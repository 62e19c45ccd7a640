"""Pointing the desktop's proxy setting at our PAC file, and putting the user's back.

``SystemProxySetting`` is the session Effect (journal kind "system_proxy"). The journal holds
the user's previous values *before* anything changes, so ``from_record(record).undo()`` in a
fresh process (``deepworkzone unblock``, or the next start after a crash) restores them.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from typing import ClassVar, Self

from deepworkzone.blocking.system_proxy.base import (
    BackendError,
    ProxyBackend,
    Runner,
    SavedSettingsInvalid,
    Snapshot,
    run_command,
)
from deepworkzone.blocking.system_proxy.gnome import GnomeBackend
from deepworkzone.blocking.system_proxy.kde import KdeBackend
from deepworkzone.blocking.system_proxy.macos import MacBackend
from deepworkzone.blocking.system_proxy.windows import WindowsBackend
from deepworkzone.domain.effects import JournalRecord, SaveRecord

__all__ = [
    "BACKENDS",
    "BackendError",
    "ProxyBackend",
    "Runner",
    "SavedSettingsInvalid",
    "Snapshot",
    "SystemProxySetting",
    "backend_by_name",
    "clear_leftover",
    "current_backend",
    "restore_from_record",
    "run_command",
]

log = logging.getLogger(__name__)

ENV = "DEEPWORKZONE_SYSTEM_PROXY"
BACKENDS: dict[str, type[GnomeBackend | KdeBackend | MacBackend | WindowsBackend]] = {
    "gnome": GnomeBackend,
    "kde": KdeBackend,
    "macos": MacBackend,
    "windows": WindowsBackend,
}
_OFF = frozenset({"off", "none", "0", "false", "no"})
# Desktops whose proxy settings live in GNOME's GSettings schema.
_GSETTINGS_DESKTOPS = ("gnome", "unity", "cinnamon", "budgie", "pantheon", "mate", "xfce")


def backend_by_name(name: str) -> ProxyBackend | None:
    cls = BACKENDS.get(name)
    return cls() if cls is not None else None


def current_backend() -> ProxyBackend | None:
    """The backend for this desktop, or None (headless Linux, unknown desktop, or "off").

    ``DEEPWORKZONE_SYSTEM_PROXY``: "off" disables, "gnome"/"kde"/"macos"/"windows" forces a
    backend, unset or "auto" detects.
    """
    choice = os.environ.get(ENV, "auto").strip().lower()
    if choice in _OFF:
        return None
    if choice not in ("", "auto"):
        backend = backend_by_name(choice)
        if backend is None:
            log.warning("%s=%r is not one of off, auto, %s", ENV, choice, ", ".join(BACKENDS))
        return backend
    if sys.platform == "win32":
        return WindowsBackend()
    if sys.platform == "darwin":
        return MacBackend() if shutil.which("networksetup") else None
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "").lower()
    if "kde" in desktop and (shutil.which("kwriteconfig6") or shutil.which("kwriteconfig5")):
        return KdeBackend()
    if any(name in desktop for name in _GSETTINGS_DESKTOPS) and shutil.which("gsettings"):
        return GnomeBackend()
    return None


class SystemProxySetting:
    """Sets the system proxy to our PAC URL for one session.

    ``apply`` never raises for an unusable desktop: it records why it skipped or failed and
    leaves ``status`` for the caller to show ("applied", "skipped: ...", "failed: ...").
    """

    kind: ClassVar[str] = "system_proxy"

    def __init__(self, pac_url: str) -> None:
        self.pac_url = pac_url
        self.status = "not applied"
        self._record: JournalRecord | None = None

    def apply(self, save: SaveRecord) -> None:
        """Journal the user's values, then set ours. A crash at any point after the save is
        undone from the record: the backends recognise our PAC URL in either key state."""
        backend = current_backend()
        if backend is None:
            self._skip(save, "no system proxy backend for this desktop (or turned off)")
            return
        try:
            snapshot = backend.snapshot()
        except BackendError as exc:
            # What cannot be read cannot be restored, so it is not changed either.
            self._skip(save, f"cannot read the current {backend.name} proxy settings: {exc}")
            return
        saved = backend.without_ours(snapshot)
        if saved != snapshot:
            log.warning(
                "the %s proxy still pointed at a Deep Work Zone PAC file from an earlier session;"
                " it will be cleared, not restored, when this session ends",
                backend.name,
            )
        self._record = {"backend": backend.name, "pac_url": self.pac_url, "saved": saved}
        save(self._record)
        try:
            backend.set_pac(self.pac_url)
        except BackendError as exc:
            log.warning("setting the %s system proxy failed: %s", backend.name, exc)
            self.status = f"failed: {exc}"
            self._restore_with(backend, force=True)  # undo our half-made change
            return
        self.status = "applied"
        log.info("system proxy (%s) set to %s", backend.name, self.pac_url)

    def _skip(self, save: SaveRecord, reason: str) -> None:
        self._record = {"skipped": True, "pac_url": self.pac_url, "reason": reason}
        save(self._record)
        self.status = f"skipped: {reason}"
        log.info("system proxy not changed: %s", reason)

    def undo(self) -> None:
        """Like ``restore``, but a settings tool that fails raises BackendError, so the journal
        keeps the user's saved settings for the next try (`deepworkzone unblock`)."""
        self._restore(raise_failures=True)

    def restore(self) -> bool:
        """Put the saved settings back where ours are still in effect (also half-made ones
        left by a crash); True if anything was."""
        return self._restore(raise_failures=False)

    def _restore(self, *, raise_failures: bool) -> bool:
        record = self._record
        if not record or record.get("skipped"):
            return False
        backend = backend_by_name(str(record.get("backend")))
        if backend is None:
            log.warning("journal names an unknown system proxy backend %r", record.get("backend"))
            return False
        return self._restore_with(backend, raise_failures=raise_failures)

    def _restore_with(
        self, backend: ProxyBackend, force: bool = False, *, raise_failures: bool = False
    ) -> bool:
        saved = (self._record or {}).get("saved")
        if not isinstance(saved, dict):
            log.warning("journal has no saved %s proxy settings to restore", backend.name)
            return False
        try:
            restored = backend.restore(saved, self.pac_url, force=force)
        except SavedSettingsInvalid as exc:
            log.warning("cannot restore the %s system proxy: %s", backend.name, exc)
            return False
        except BackendError as exc:
            log.warning("restoring the %s system proxy failed: %s", backend.name, exc)
            if raise_failures:
                raise
            return False
        if restored:
            log.info("system proxy (%s) restored", backend.name)
        else:
            log.info("system proxy (%s) no longer ours; left as the user set it", backend.name)
        return restored

    @classmethod
    def from_record(cls, record: JournalRecord) -> Self:
        record = record if isinstance(record, dict) else {}
        setting = cls(str(record.get("pac_url", "")))
        setting._record = record
        return setting


def restore_from_record(record: JournalRecord) -> bool:
    """For ``deepworkzone unblock``: restore the user's proxy settings from the journal."""
    return SystemProxySetting.from_record(record).restore()


def clear_leftover() -> bool:
    """Last resort for ``deepworkzone unblock`` when the journal is gone: if this desktop's
    proxy still points at a Deep Work Zone PAC file, switch that setting off. True if it did."""
    backend = current_backend()
    if backend is None:
        return False
    try:
        current = backend.snapshot()
        cleaned = backend.without_ours(current)
        if cleaned == current:
            return False
        backend.restore(cleaned, "", force=True)
    except BackendError as exc:
        log.warning("could not clear a leftover %s proxy setting: %s", backend.name, exc)
        return False
    log.info("cleared a leftover Deep Work Zone proxy setting (%s)", backend.name)
    return True
