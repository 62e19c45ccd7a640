"""macOS: the automatic proxy configuration URL of every enabled network service.

Wi-Fi, Ethernet and USB adapters each have their own settings, so each is saved and put back
on its own. networksetup may need an administrator; its error is passed on as it is.
"""

from __future__ import annotations

from typing import Any, ClassVar

from deepworkzone.blocking.system_proxy.base import (
    BackendError,
    Runner,
    SavedSettingsInvalid,
    Snapshot,
    is_ours,
    looks_like_ours,
    run_command,
)

TOOL = "networksetup"


def parse_services(output: str) -> list[str]:
    """Enabled services from ``-listallnetworkservices`` (first line is a note; '*' = disabled)."""
    lines = output.splitlines()[1:]
    return [line.strip() for line in lines if line.strip() and not line.startswith("*")]


def parse_autoproxy(output: str) -> tuple[str | None, bool]:
    """``"URL: http://x\\nEnabled: Yes"`` -> ("http://x", True); "(null)" means no URL."""
    url: str | None = None
    enabled = False
    for line in output.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if key.strip() == "URL":
            url = None if value in ("", "(null)") else value
        elif key.strip() == "Enabled":
            enabled = value.lower() == "yes"
    return url, enabled


class MacBackend:
    name: ClassVar[str] = "macos"

    def __init__(self, run: Runner = run_command) -> None:
        self._run = run

    def _services(self) -> list[str]:
        return parse_services(self._run([TOOL, "-listallnetworkservices"]))

    def _get(self, service: str) -> tuple[str | None, bool]:
        return parse_autoproxy(self._run([TOOL, "-getautoproxyurl", service]))

    def snapshot(self) -> Snapshot:
        services: dict[str, Any] = {}
        for service in self._services():
            url, enabled = self._get(service)
            services[service] = {"url": url, "enabled": enabled}
        return {"services": services}

    def set_pac(self, url: str) -> None:
        services = self._services()
        if not services:
            raise BackendError("networksetup lists no enabled network service")
        for service in services:
            # -setautoproxyurl switches the service's PAC on with it; the state call is for
            # older networksetup versions. A crash between services leaves some ours, some not:
            # restore goes service by service.
            self._run([TOOL, "-setautoproxyurl", service, url])
            self._run([TOOL, "-setautoproxystate", service, "on"])

    def without_ours(self, saved: Snapshot) -> Snapshot:
        services = dict(saved.get("services") or {})
        for name, old in services.items():
            if isinstance(old, dict) and looks_like_ours(old.get("url")):
                services[name] = {"url": None, "enabled": False}
        return {"services": services}

    def uses_pac(self, url: str) -> bool:
        return any(self._get(s) == (url, True) for s in self._services())

    def restore(self, saved: Snapshot, url: str, force: bool = False) -> bool:
        services = saved.get("services")
        if not isinstance(services, dict):
            raise SavedSettingsInvalid("the saved macOS proxy settings are incomplete")
        restored = False
        for service, old in services.items():
            if not isinstance(old, dict):
                continue
            old_url = old.get("url") if isinstance(old.get("url"), str) and old["url"] else None
            old_on = bool(old.get("enabled")) and old_url is not None
            if not force:
                try:
                    current_url, current_on = self._get(service)
                except BackendError:
                    continue  # the service is gone
                if not is_ours(current_url, url):
                    continue  # the user's URL: changed since, or already put back
                if old_url is None and not current_on:
                    continue  # as far back as networksetup goes: our URL, switched off
            if old_url is not None:
                if not old_on:
                    # Off before the URL call switches it on again, so that no moment shows
                    # our URL on; only the user's own URL is on until the last call.
                    self._run([TOOL, "-setautoproxystate", service, "off"])
                self._run([TOOL, "-setautoproxyurl", service, old_url])
            self._run([TOOL, "-setautoproxystate", service, "on" if old_on else "off"])
            restored = True
        return restored
