"""Whether the app may write the hosts file itself, and how to run the helper when it may not.

The app never elevates itself. When the hosts file is not writable it runs the tiny
``deepworkzone-helper`` elevated: pkexec (polkit) on Linux (sudo where there is no pkexec, for
a rule that allows only the helper), the administrator prompt on macOS, UAC on Windows. Only
domain names that passed validation reach the command line, and they go as separate
arguments, never through a shell (macOS quotes each one for ``do shell script``).

Only the installed helper is ever elevated, and only when it and every folder above it, and
the interpreter its first line names, belong to root and nobody else may change them: a
helper on PATH or beside a user's interpreter would run the user's own (changeable) code as
root. `deepworkzone setup` or the package installs it (engine/setup.py).
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

HELPER_NAME = "deepworkzone-helper"


def installed_helper_path(platform: str = sys.platform) -> Path:
    """Where setup and the packages install the helper on ``platform``."""
    if platform == "win32":  # untested: Program Files is writable by administrators only
        base = os.environ.get("PROGRAMW6432") or os.environ.get("PROGRAMFILES", r"C:\Program Files")
        return Path(base) / "Deep Work Zone" / "helper" / f"{HELPER_NAME}.cmd"
    if platform == "darwin":  # untested: /usr/libexec is read-only (SIP), /usr/local is not
        return Path("/usr/local/libexec/deepworkzone") / HELPER_NAME
    return Path("/usr/libexec/deepworkzone") / HELPER_NAME


# The polkit policy names this exact path, so pkexec can use our action (with its "keep
# authorisation" default) instead of the generic one.
INSTALLED_HELPER = installed_helper_path()
POLKIT_ACTION = "ai.deepworkzone.helper"


class HelperError(OSError):
    """The helper could not be run, was refused by the user, or reported a failure."""


def can_write_directly(path: Path) -> bool:
    """True when this process may change the file (tests, portable setups, running as root).

    An in-place write needs only the file to be writable, so the folder is not checked.
    """
    return os.access(os.path.realpath(path), os.W_OK)


def untrusted_reason(path: Path) -> str | None:
    """Why ``path`` must not be run as root, or None when only root can have put it there.

    The file must be a regular file (no symlink), and it, every folder above it and the
    interpreter named on its ``#!`` line must be owned by root and not writable by group or
    others. Windows (untested) relies on Program Files being administrator-only."""
    if not path.is_file() or path.is_symlink():
        return f"{path} is not installed"
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows
        return None
    for part in (path, *path.parents):
        problem = _not_root_only(part)
        if problem:
            return problem
    interpreter = _shebang_interpreter(path)
    if interpreter is not None:
        real = Path(os.path.realpath(interpreter))
        for part in (real, *real.parents):
            problem = _not_root_only(part)
            if problem:
                return f"its interpreter: {problem}"
    return None


def _not_root_only(path: Path) -> str | None:
    try:
        st = path.lstat()
    except OSError as exc:
        return f"{path}: {exc.strerror}"
    if st.st_uid != 0:
        return f"{path} does not belong to root"
    sticky_dir = stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_ISVTX
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not sticky_dir:
        return f"{path} may be changed by users other than root"
    return None


def _shebang_interpreter(path: Path) -> str | None:
    try:
        with open(path, "rb") as script:
            first = script.readline(256)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    parts = first[2:].decode("utf-8", "replace").split()
    return parts[0] if parts else None


def helper_executable(platform: str = sys.platform) -> str:
    """The installed, root-owned helper; HelperError saying why when there is none."""
    installed = installed_helper_path(platform)
    problem = untrusted_reason(installed)
    if problem is not None:
        raise HelperError(
            f"the hosts-file helper cannot be used ({problem}): it needs setting up once "
            "(one administrator password), or block with the proxy"
        )
    return str(installed)


def linux_elevator() -> str:
    """pkexec; sudo only where there is no polkit (servers, containers, CI)."""
    if shutil.which("pkexec") is None and shutil.which("sudo") is not None:
        return "sudo"
    return "pkexec"


def elevated_command(
    args: Sequence[str],
    platform: str = sys.platform,
    helper: str | None = None,
    elevator: str | None = None,
) -> list[str]:
    """The argv that runs ``helper args...`` with administrator rights on ``platform``."""
    helper = helper or helper_executable()
    if platform == "darwin":
        shell = " ".join(shlex.quote(part) for part in (helper, *args))
        script = shell.replace("\\", "\\\\").replace('"', '\\"')
        return ["osascript", "-e", f'do shell script "{script}" with administrator privileges']
    if platform == "win32":
        raise ValueError("Windows elevation goes through run_elevated_windows")
    if (elevator or linux_elevator()) == "sudo":
        # Never asking (the app has no terminal): an administrator's rule allows exactly
        # this helper (docs/install.md).
        return ["sudo", "-n", helper, *args]
    return ["pkexec", helper, *args]


def run_helper(args: Sequence[str], platform: str = sys.platform, helper: str | None = None) -> str:
    """Run the helper elevated and return its standard output; HelperError on failure.

    ``helper``: only tests name another one (behind a stand-in for pkexec)."""
    if platform == "win32":
        run_elevated_windows(helper or helper_executable(platform), args)
        return ""
    argv = elevated_command(args, platform, helper or helper_executable(platform))
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
    if argv[0] == "sudo" and done.returncode == 1 and "password" in done.stderr:
        raise HelperError(
            "sudo asks for a password, and the app cannot type one: install polkit "
            "(pkexec), or let an administrator allow the helper (docs/install.md)"
        )
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
