"""What every system-proxy backend offers, and how they run the OS's own tools."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

Runner = Callable[[Sequence[str]], str]
"""Runs a command, returns its stdout; raises BackendError when it fails. Tests pass fakes."""

Snapshot = dict[str, Any]
"""JSON-serialisable: exactly what ``set_pac`` is about to change, to put back later."""

_TIMEOUT = 15.0


# Any PAC URL this app has ever set (the port and a query string vary between sessions).
_OUR_PAC = re.compile(r"^http://127\.0\.0\.1:\d{1,5}/proxy\.pac(\?[^\s]*)?$")


def looks_like_ours(url: object) -> bool:
    """Is this a PAC URL a Deep Work Zone session set (e.g. left behind by a lost journal)?"""
    return isinstance(url, str) and bool(_OUR_PAC.match(url))


def is_ours(value: object, url: str) -> bool:
    """Does a setting hold our PAC URL: this session's ``url``, or any Deep Work Zone one?

    Restores go by this, key by key, never by "is the whole setting exactly as apply left it":
    a crash between the two writes of an apply or a restore leaves a mix of ours and the
    user's, and only the URL key tells which (the mode alone, "auto", may be the user's)."""
    return isinstance(value, str) and bool(value) and (value == url or looks_like_ours(value))


class BackendError(Exception):
    """A settings tool is missing or failed; the message is fit to show the user."""


class SavedSettingsInvalid(BackendError):
    """The journal's saved settings are damaged: retrying cannot help, so recovery moves on."""


def run_command(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(
            list(argv), capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
    except FileNotFoundError as exc:
        raise BackendError(f"{argv[0]} is not installed") from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BackendError(f"{argv[0]} failed: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackendError(
            f"{' '.join(argv[:2])} failed (exit {done.returncode})"
            + (f": {detail[-1]}" if detail else "")
        )
    return done.stdout


class ProxyBackend(Protocol):
    name: ClassVar[str]

    def snapshot(self) -> Snapshot:
        """The user's current values of everything ``set_pac`` changes."""
        ...

    def set_pac(self, url: str) -> None:
        """Make the system use the PAC file at ``url``."""
        ...

    def without_ours(self, saved: Snapshot) -> Snapshot:
        """``saved`` with any of our own PAC settings replaced by "no proxy", so that a setting
        left behind by an earlier session is never restored as if it were the user's."""
        ...

    def uses_pac(self, url: str) -> bool:
        """Is the system fully set to our PAC URL (not changed by the user since)?"""
        ...

    def restore(self, saved: Snapshot, url: str, force: bool = False) -> bool:
        """Put ``saved`` back wherever our PAC URL (``url``, or any of ours) is still set, also
        when a crash stopped an apply or an earlier restore halfway; True if anything changed.
        A key the user changed since is left as they set it.

        ``force``: put it back regardless (rolling back our own half-made change)."""
        ...
