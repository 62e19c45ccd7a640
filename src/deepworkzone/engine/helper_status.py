"""Whether the privileged hosts helper is installed, and what hosts-file blocking takes here.

Read-only: it looks where blocking.privilege looks (only the installed, root-owned helper:
one on PATH or beside the interpreter is never elevated) and at the polkit policy, and runs
nothing. The settings dialog shows ``sentence``; the other fields are for `doctor` and tests.
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
    problem: str | None = None  # why a helper that is there cannot be used (not root's)


def _candidates(platform: str) -> list[tuple[str, str | None]]:
    """(the place, the helper there when it may be elevated): the one place setup uses."""
    installed = privilege.installed_helper_path(platform)
    usable = privilege.untrusted_reason(installed) is None
    return [(str(installed), str(installed) if usable else None)]


def _problem(platform: str) -> str | None:
    installed = privilege.installed_helper_path(platform)
    if not installed.exists():
        return None
    return privilege.untrusted_reason(installed)


def helper_status(platform: str = sys.platform, hosts: Path | None = None) -> HelperStatus:
    hosts = hosts or hosts_path()
    places = _candidates(platform)
    looked_in = [place for place, _found in places]
    helper = next((found for _place, found in places if found), None)
    needed = not privilege.can_write_directly(hosts)
    problem = None if helper else _problem(platform)
    sentence = _sentence(platform, hosts, helper, needed)
    if problem and needed:
        sentence = f"cannot be used: {problem}; it needs setting up again"
    return HelperStatus(
        installed=helper is not None,
        needed=needed,
        helper=helper,
        looked_in=looked_in,
        sentence=sentence,
        problem=problem,
    )


def _sentence(platform: str, hosts: Path, helper: str | None, needed: bool) -> str:
    if not needed:
        return f"not needed: the hosts file ({hosts}) is writable"
    if helper is None:
        return (
            "needs setting up once (asks for an administrator password, once), or block "
            "with the proxy"
        )
    if platform == "win32":
        return f"installed ({helper}); Windows asks for administrator approval (UAC) each time"
    if platform == "darwin":
        return f"installed ({helper}); macOS asks for an administrator password each time"
    if shutil.which("pkexec") is None:
        if shutil.which("sudo") is not None:
            return (
                f"installed ({helper}); no polkit here, so it runs through sudo, which works "
                "only where an administrator allowed the helper without a password"
            )
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
