"""Whether the app may write the hosts file itself, and how to run the helper when it may not.

The app never elevates itself. When the hosts file is not writable it runs the tiny
``deepworkzone-helper`` elevated: pkexec (polkit) on Linux, the administrator prompt on macOS,
UAC on Windows. Only domain names that passed validation reach the command line, and they go
as separate arguments, never through a shell (macOS quotes each one for ``do shell script``).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HELPER_NAME = "deepworkzone-helper"
# Where packages install the helper; the polkit policy names this exact path, so pkexec can
# use our action (with its "keep authorisation" default) instead of the generic one.
INSTALLED_HELPER = Path("/usr/libexec/deepworkzone") / HELPER_NAME
POLKIT_ACTION = "ai.deepworkzone.helper"


class HelperError(OSError):
    """The helper could not be run, was refused by the user, or reported a failure."""


def can_write_directly(path: Path) -> bool:
    """True when this process may change the file (tests, portable setups, running as root).

    An in-place write needs only the file to be writable, so the folder is not checked.
    """
    return os.access(os.path.realpath(path), os.W_OK)


def helper_executable() -> str:
    if INSTALLED_HELPER.exists():
        return str(INSTALLED_HELPER)
    found = shutil.which(HELPER_NAME)
    if found:
        return found
    # Beside the running interpreter (a venv's bin/ or Scripts/).
    beside = Path(sys.executable).with_name(
        HELPER_NAME + (".exe" if sys.platform == "win32" else "")
    )
    if beside.exists():
        return str(beside)
    raise HelperError(f"{HELPER_NAME} is not installed; reinstall Deep Work Zone")


def elevated_command(
    args: Sequence[str], platform: str = sys.platform, helper: str | None = None
) -> list[str]:
    """The argv that runs ``helper args...`` with administrator rights on ``platform``."""
    helper = helper or helper_executable()
    if platform == "darwin":
        shell = " ".join(shlex.quote(part) for part in (helper, *args))
        script = shell.replace("\\", "\\\\").replace('"', '\\"')
        return ["osascript", "-e", f'do shell script "{script}" with administrator privileges']
    if platform == "win32":
        raise ValueError("Windows elevation goes through run_elevated_windows")
    return ["pkexec", helper, *args]


def run_helper(args: Sequence[str], platform: str = sys.platform) -> str:
    """Run the helper elevated and return its standard output; HelperError on failure."""
    if platform == "win32":
        run_elevated_windows(helper_executable(), args)
        return ""
    argv = elevated_command(args, platform)
    if shutil.which(argv[0]) is None:
        raise HelperError(
            f"{argv[0]} is not available, so the hosts file cannot be changed; use --method proxy"
        )
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise HelperError(f"could not run {HELPER_NAME}: {exc}") from exc
    if done.returncode in (126, 127) and argv[0] == "pkexec":
        raise HelperError("administrator authorisation was refused or cancelled")
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise HelperError(f"{HELPER_NAME} failed: {reason}")
    return done.stdout


def run_elevated_windows(helper: str, args: Sequence[str]) -> None:  # pragma: no cover - Windows
    """UAC: ShellExecuteEx with the "runas" verb, then wait for the helper's exit code."""
    import ctypes
    from ctypes import wintypes

    class ShellExecuteInfo(ctypes.Structure):
        _fields_ = [
            ("cbSize", wintypes.DWORD),
            ("fMask", ctypes.c_ulong),
            ("hwnd", wintypes.HWND),
            ("lpVerb", wintypes.LPCWSTR),
            ("lpFile", wintypes.LPCWSTR),
            ("lpParameters", wintypes.LPCWSTR),
            ("lpDirectory", wintypes.LPCWSTR),
            ("nShow", ctypes.c_int),
            ("hInstApp", wintypes.HINSTANCE),
            ("lpIDList", ctypes.c_void_p),
            ("lpClass", wintypes.LPCWSTR),
            ("hkeyClass", wintypes.HKEY),
            ("dwHotKey", wintypes.DWORD),
            ("hIcon", wintypes.HANDLE),
            ("hProcess", wintypes.HANDLE),
        ]

    see_mask_nocloseprocess = 0x40
    info = ShellExecuteInfo(
        cbSize=ctypes.sizeof(ShellExecuteInfo),
        fMask=see_mask_nocloseprocess,
        lpVerb="runas",
        lpFile=helper,
        lpParameters=subprocess.list2cmdline(list(args)),
        nShow=0,
    )
    if not ctypes.windll.shell32.ShellExecuteExW(ctypes.byref(info)):  # type: ignore[attr-defined]
        raise HelperError("administrator authorisation was refused or cancelled")
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    kernel32.WaitForSingleObject(info.hProcess, 300_000)
    code = wintypes.DWORD()
    kernel32.GetExitCodeProcess(info.hProcess, ctypes.byref(code))
    kernel32.CloseHandle(info.hProcess)
    if code.value != 0:
        raise HelperError(f"{HELPER_NAME} failed with exit code {code.value}")
