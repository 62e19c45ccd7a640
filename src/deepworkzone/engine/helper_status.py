"""Whether the privileged hosts helper is installed, and what hosts-file blocking takes here.

Read-only: it looks where blocking.privilege looks (the packaged path, PATH, beside the
interpreter) and at the polkit policy, and runs nothing. The settings dialog shows
``sentence``; the other fields are for a status command and tests.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from deepworkzone.blocking import privilege
from deepworkzone.blocking.hosts_blocker import hosts_path

POLKIT_POLICY = Path("/usr/share/polkit-1/actions") / f"{privilege.POLKIT_ACTION}.policy"


@dataclass(frozen=True)
class HelperStatus:
    installed: bool  # the helper was found
    needed: bool  # False when this process may write the hosts file itself
    helper: str | None  # where it was found
    looked_in: list[str] = field(default_factory=list)  # every place looked, in order
    sentence: str = ""  # what hosts-file blocking takes, in plain words


def _candidates(platform: str) -> list[tuple[str, str | None]]:
    """(the place, what is there) in helper_executable's order."""
    name = privilege.HELPER_NAME + (".exe" if platform == "win32" else "")
    beside = Path(sys.executable).with_name(name)
    installed = privilege.INSTALLED_HELPER
    return [
        (str(installed), str(installed) if installed.exists() else None),
        ("PATH", shutil.which(privilege.HELPER_NAME)),
        (str(beside), str(beside) if beside.exists() else None),
    ]


def helper_status(platform: str = sys.platform, hosts: Path | None = None) -> HelperStatus:
    hosts = hosts or hosts_path()
    places = _candidates(platform)
    looked_in = [place for place, _found in places]
    helper = next((found for _place, found in places if found), None)
    needed = not privilege.can_write_directly(hosts)
    return HelperStatus(
        installed=helper is not None,
        needed=needed,
        helper=helper,
        looked_in=looked_in,
        sentence=_sentence(platform, hosts, helper, needed),
    )


def _sentence(platform: str, hosts: Path, helper: str | None, needed: bool) -> str:
    if not needed:
        return f"not needed: the hosts file ({hosts}) is writable"
    if platform == "win32":
        if helper is None:
            return f"needs {privilege.HELPER_NAME} installed (reinstall Deep Work Zone)"
        return f"installed ({helper}); Windows asks for administrator approval (UAC) each time"
    if platform == "darwin":
        if helper is None:
            return f"needs {privilege.HELPER_NAME} installed (reinstall Deep Work Zone)"
        return f"installed ({helper}); macOS asks for an administrator password each time"
    if helper is None:
        return (
            "needs the helper and its polkit policy installed by an administrator "
            "(packaging/linux/)"
        )
    if shutil.which("pkexec") is None:
        return (
            f"installed ({helper}), but pkexec (polkit) is missing, so the hosts file "
            "cannot be changed; install polkit or block with the proxy"
        )
    if helper != str(privilege.INSTALLED_HELPER) or not POLKIT_POLICY.exists():
        return (
            f"installed ({helper}) without its polkit policy: every change asks for an "
            "administrator password; an administrator can install it (packaging/linux/)"
        )
    return f"installed ({helper}); polkit asks for your password once and remembers it a while"
