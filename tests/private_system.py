"""A private copy of the system folders for tests that install or run things as root.

In a new mount namespace /usr, /etc and /var (and any others named) become overlays whose
writes land in a tmpfs, optional folders get an empty tmpfs, and a temp file is bound over
/etc/hosts; then a Python driver runs there and prints one JSON line. Nothing reaches the
machine's own folders, and everything is gone when the driver exits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CANNOT = (97, 98)  # the namespace could not be built (the caller skips or fails)


def mounts_script(overlays: Sequence[str], empty: Sequence[str]) -> str:
    lines = ["set -e", 'mount -t tmpfs tmpfs "$SCRATCH" || exit 97']
    for d in overlays:
        lines += [
            f'mkdir "$SCRATCH/{d}-up" "$SCRATCH/{d}-work"',
            f'mount -t overlay overlay -o "lowerdir=/{d},upperdir=$SCRATCH/{d}-up,'
            f'workdir=$SCRATCH/{d}-work" "/{d}" || exit 97',
        ]
    lines += [f"mount -t tmpfs tmpfs /{d} || exit 97" for d in empty]
    lines += ['mount --bind "$HOSTS_FILE" /etc/hosts || exit 98', 'exec "$PYTHON" "$DRIVER"']
    return "\n".join(lines) + "\n"


def run_private(
    tmp_path: Path,
    driver: str,
    hosts: Path,
    env: Mapping[str, str],
    *,
    overlays: Sequence[str] = ("usr", "etc", "var"),
    empty: Sequence[str] = (),
    timeout: float = 300,
) -> tuple[int, dict[str, Any] | None, str]:
    """(exit code, the driver's JSON or None, stderr); the overlays' upper folders are
    ``$SCRATCH/<dir>-up`` inside the namespace."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    script = tmp_path / "driver.py"
    script.write_text(driver)
    full = dict(env, SCRATCH=str(scratch), HOSTS_FILE=str(hosts), PYTHON=sys.executable)
    full["DRIVER"] = str(script)
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", mounts_script(overlays, empty)],
        capture_output=True, text=True, timeout=timeout, env=full, check=False,
    )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if done.returncode == 0 and lines else None
    return done.returncode, result, done.stderr


def environment_without_ours() -> dict[str, str]:
    """This process's environment without the tests' DEEPWORKZONE_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith("DEEPWORKZONE_")}
