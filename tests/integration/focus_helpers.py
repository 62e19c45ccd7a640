"""Driving the real `deepworkzone` command in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

HOSTS_MARK = b"Deep Work Zone"


def cli_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


def run_cli(
    args: Sequence[str], timeout: float = 30, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepworkzone.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(**env),
    )


def start_focus(args: Sequence[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "deepworkzone.cli.main", "focus", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(**env),
    )


def wait_for(predicate: Callable[[], bool], timeout: float = 15, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def journal_path(home: Path) -> Path:
    return home / "state" / "journal.json"


def journal_has(home: Path, kind: str) -> bool:
    try:
        data = json.loads(journal_path(home).read_text())
    except (FileNotFoundError, ValueError):
        return False
    return kind in data.get("effects", {})
