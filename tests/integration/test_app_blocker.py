"""The app blocker against real processes: copies of /bin/sleep (and bash) under
distinctive names, so nothing else on the machine can match."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from deepworkzone.blocking import apps
from deepworkzone.blocking.apps import AppBlocker, find_processes

FAKE = "dwz-fake-game"
POLL = 0.2


def _alive(proc: subprocess.Popen[bytes]) -> bool:
    try:
        return psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE and proc.poll() is None
    except psutil.NoSuchProcess:
        return False


def _wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def bin_dir() -> Iterator[Path]:
    # World-readable, so a process of another user can run the copies too.
    folder = Path(tempfile.mkdtemp(prefix="dwz-apps-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def spawn(bin_dir: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(
        name: str = FAKE, source: str = "/bin/sleep", args: tuple[str, ...] = ("300",), **kw: object
    ) -> subprocess.Popen[bytes]:
        exe = bin_dir / name
        if not exe.exists():
            shutil.copy(source, exe)
            exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        proc = subprocess.Popen([str(exe), *args], **kw)  # type: ignore[call-overload]
        started.append(proc)
        assert _wait_until(lambda: psutil.Process(proc.pid).name() == name, 5)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_closes_listed_apps_and_relaunches_until_undo(
    spawn: Callable[..., subprocess.Popen[bytes]],
) -> None:
    closed: list[str] = []
    records: list[dict[str, object]] = []
    game = spawn()
    blocker = AppBlocker(["DWZ-Fake-Game.exe"], poll_interval=POLL, on_closed=closed.append)
    blocker.apply(records.append)
    try:
        assert records == [{"names": [FAKE]}]
        assert not _alive(game)  # closed during apply itself
        assert closed == [FAKE]
        again = spawn()
        assert _wait_until(lambda: not _alive(again), 2 * POLL + 2.0), "relaunch not closed"
        assert closed == [FAKE, FAKE]
    finally:
        blocker.undo()
    assert not any(t.name == "dwz-app-blocker" for t in threading.enumerate())
    after = spawn()
    time.sleep(4 * POLL)
    assert _alive(after), "an app launched after the session must be left alone"


def test_an_app_ignoring_sigterm_is_killed_after_the_grace_period(
    spawn: Callable[..., subprocess.Popen[bytes]],
) -> None:
    stubborn = spawn(
        "dwz-stubborn", "/bin/bash", ("-c", "trap '' TERM; while :; do sleep 0.1; done")
    )
    blocker = AppBlocker(["dwz-stubborn"], poll_interval=30, grace=0.5)
    started = time.monotonic()
    blocker.apply(lambda record: None)
    try:
        assert not _alive(stubborn)
        assert time.monotonic() - started >= 0.5  # it was asked first, then killed
    finally:
        blocker.undo()


def test_never_touches_this_process_or_its_parents(
    monkeypatch: pytest.MonkeyPatch, spawn: Callable[..., subprocess.Popen[bytes]]
) -> None:
    # Only *finding* here: closing "python" for real would hit other people's processes.
    me = psutil.Process()
    assert all(p.pid != me.pid for p in find_processes([me.name()]))
    game = spawn()
    monkeypatch.setattr(apps, "_protected_pids", lambda: {os.getpid(), game.pid})
    assert find_processes([FAKE]) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to start a process as another user")
def test_never_touches_processes_of_other_users(
    spawn: Callable[..., subprocess.Popen[bytes]],
) -> None:
    theirs = spawn(user="nobody")
    blocker = AppBlocker([FAKE], poll_interval=POLL)
    blocker.apply(lambda record: None)
    try:
        time.sleep(2 * POLL)
        assert _alive(theirs)
    finally:
        blocker.undo()


def test_rebuilt_from_the_journal_undo_is_harmless(
    spawn: Callable[..., subprocess.Popen[bytes]],
) -> None:
    game = spawn()
    AppBlocker.from_record({"names": [FAKE]}).undo()
    AppBlocker.from_record({"names": "not a list"}).undo()
    AppBlocker.from_record({}).undo()
    assert _alive(game)
