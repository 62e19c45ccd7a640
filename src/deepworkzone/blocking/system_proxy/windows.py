"""Windows: the per-user WinINet ``AutoConfigURL`` (HKCU, no administrator needed).

After writing, WinINet is told to reload so running browsers pick the change up. The
registry access is behind a tiny interface so the logic is tested on any OS.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ClassVar, Protocol

from deepworkzone.blocking.system_proxy.base import (
    BackendError,
    SavedSettingsInvalid,
    Snapshot,
    is_ours,
    looks_like_ours,
)

KEY = r"Software\Microsoft\Windows\CurrentVersion\Internet Settings"
VALUE = "AutoConfigURL"
_SETTINGS_CHANGED, _REFRESH = 39, 37  # INTERNET_OPTION_* constants


class Registry(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WinRegistry:
    """HKCU Internet Settings through winreg (Windows only)."""

    def get(self, name: str) -> str | None:
        if sys.platform != "win32":
            raise BackendError("the Windows proxy settings exist only on Windows")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY) as key:
                value, _ = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BackendError(f"cannot read the Internet Settings: {exc}") from exc
        return str(value)

    def set(self, name: str, value: str) -> None:
        if sys.platform != "win32":
            raise BackendError("the Windows proxy settings exist only on Windows")
        import winreg

        try:
            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, KEY) as key:
                winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)
        except OSError as exc:
            raise BackendError(f"cannot change the Internet Settings: {exc}") from exc

    def delete(self, name: str) -> None:
        if sys.platform != "win32":
            raise BackendError("the Windows proxy settings exist only on Windows")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise BackendError(f"cannot change the Internet Settings: {exc}") from exc


def refresh_wininet() -> None:
    """Tell WinINet (and so Edge, Chrome and most apps) to re-read the settings."""
    if sys.platform != "win32":
        return
    import ctypes

    wininet = ctypes.windll.wininet
    wininet.InternetSetOptionW(0, _SETTINGS_CHANGED, 0, 0)
    wininet.InternetSetOptionW(0, _REFRESH, 0, 0)


class WindowsBackend:
    name: ClassVar[str] = "windows"

    def __init__(
        self, registry: Registry | None = None, refresh: Callable[[], None] | None = None
    ) -> None:
        self._reg: Registry = registry or WinRegistry()
        self._refresh = refresh or refresh_wininet

    def snapshot(self) -> Snapshot:
        return {VALUE: self._reg.get(VALUE)}

    def set_pac(self, url: str) -> None:
        self._reg.set(VALUE, url)
        self._refresh()

    def without_ours(self, saved: Snapshot) -> Snapshot:
        return {VALUE: None} if looks_like_ours(saved.get(VALUE)) else saved

    def uses_pac(self, url: str) -> bool:
        return self._reg.get(VALUE) == url

    def restore(self, saved: Snapshot, url: str, force: bool = False) -> bool:
        if VALUE not in saved or not isinstance(saved[VALUE], str | None):
            raise SavedSettingsInvalid("the saved Windows proxy settings are incomplete")
        # One value, so no half-made state; any PAC URL of ours counts as ours.
        if not force and not is_ours(self._reg.get(VALUE), url):
            return False
        old = saved[VALUE]
        if old is None:
            self._reg.delete(VALUE)
        else:
            self._reg.set(VALUE, old)
        self._refresh()
        return True
