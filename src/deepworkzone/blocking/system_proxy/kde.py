"""KDE Plasma: ``[Proxy Settings]`` in kioslaverc, through kwriteconfig/kreadconfig (5 or 6).

ProxyType 2 means "use this PAC URL" (``Proxy Config Script``). Running KIO workers re-read
the file when told over D-Bus; Chromium reads kioslaverc when it starts a new connection setup.
"""

from __future__ import annotations

import contextlib
import shutil
from typing import ClassVar

from deepworkzone.blocking.system_proxy.base import (
    BackendError,
    Runner,
    SavedSettingsInvalid,
    Snapshot,
    is_ours,
    looks_like_ours,
    run_command,
)

FILE = "kioslaverc"
GROUP = "Proxy Settings"
TYPE_KEY = "ProxyType"
SCRIPT_KEY = "Proxy Config Script"
PAC_TYPE = "2"
NOTIFY = [
    "dbus-send",
    "--type=signal",
    "/KIO/Scheduler",
    "org.kde.KIO.Scheduler.reparseSlaveConfiguration",
    "string:",
]


def _tool(kind: str) -> str:
    for version in ("6", "5"):
        if shutil.which(f"k{kind}config{version}"):
            return f"k{kind}config{version}"
    return f"k{kind}config5"


class KdeBackend:
    name: ClassVar[str] = "kde"

    def __init__(
        self, run: Runner = run_command, read_tool: str | None = None, write_tool: str | None = None
    ) -> None:
        self._run = run
        self._read = read_tool or _tool("read")
        self._write = write_tool or _tool("write")

    def _get(self, key: str) -> str:
        return self._run([self._read, "--file", FILE, "--group", GROUP, "--key", key]).rstrip("\n")

    def _put(self, key: str, value: str | None) -> None:
        base = [self._write, "--file", FILE, "--group", GROUP, "--key", key]
        # kreadconfig prints "" for a missing key; deleting restores "absent" (= the default).
        # "--" keeps a saved value that starts with "-" from being read as an option.
        self._run([*base, "--delete"] if value is None else [*base, "--", value])

    def _notify(self) -> None:
        # Without a session bus there is nobody to tell: new KIO workers read the file anyway.
        with contextlib.suppress(BackendError):
            self._run(NOTIFY)

    def snapshot(self) -> Snapshot:
        return {TYPE_KEY: self._get(TYPE_KEY), SCRIPT_KEY: self._get(SCRIPT_KEY)}

    def set_pac(self, url: str) -> None:
        # Script first; a crash in between leaves (their type, our script): see restore.
        self._put(SCRIPT_KEY, url)
        self._put(TYPE_KEY, PAC_TYPE)
        self._notify()

    def without_ours(self, saved: Snapshot) -> Snapshot:
        if not looks_like_ours(saved.get(SCRIPT_KEY)):
            return saved
        old_type = saved.get(TYPE_KEY)
        return {TYPE_KEY: "" if old_type == PAC_TYPE else old_type, SCRIPT_KEY: ""}

    def uses_pac(self, url: str) -> bool:
        return self._get(TYPE_KEY) == PAC_TYPE and self._get(SCRIPT_KEY) == url

    def restore(self, saved: Snapshot, url: str, force: bool = False) -> bool:
        old_type, old_script = saved.get(TYPE_KEY), saved.get(SCRIPT_KEY)
        if not isinstance(old_type, str) or not isinstance(old_script, str):
            raise SavedSettingsInvalid("the saved KDE proxy settings are incomplete")
        if not force:
            # Our script URL is the mark, also after a crash between two writes.
            if not is_ours(self._get(SCRIPT_KEY), url):
                return False
            # The type goes back unless the user picked another one since.
            if self._get(TYPE_KEY) == PAC_TYPE:
                self._put(TYPE_KEY, old_type or None)
        else:
            self._put(TYPE_KEY, old_type or None)
        self._put(SCRIPT_KEY, old_script or None)
        self._notify()
        return True
