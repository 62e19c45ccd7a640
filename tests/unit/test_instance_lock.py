"""The one-instance lock, between real processes: races, kill -9, who holds it."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, cast

import psutil
import pytest

from deepworkzone.core.paths import app_paths
from deepworkzone.engine.instance_lock import AlreadyRunning, InstanceLock, LockHolder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="tested on POSIX only")

ROUNDS = 50
RACERS = 4


def _racer(path: str, rounds: int, barrier: Any, results: Any) -> None:
    """One racing process: each round, all racers try at once; the winner holds until all
    have tried, then lets go. Losers report whom holder() names."""
    lock = InstanceLock(path)
    for round_no in range(rounds):
        barrier.wait()
        won = lock.acquire("agent", socket=f"/run/sock-{os.getpid()}")
        seen = None if won else lock.holder()
        results.put((round_no, os.getpid(), won, seen.pid if seen else None))
        barrier.wait()
        if won:
            lock.release()
        barrier.wait()


def test_racing_processes_exactly_one_wins_every_round(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(RACERS)
    results = ctx.Queue()
    path = str(tmp_path / "instance.lock")
    procs = [
        ctx.Process(target=_racer, args=(path, ROUNDS, barrier, results)) for _ in range(RACERS)
    ]
    for proc in procs:
        proc.start()
    try:
        rows = [results.get(timeout=60) for _ in range(ROUNDS * RACERS)]
    finally:
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs)
    for round_no in range(ROUNDS):
        this_round = [row for row in rows if row[0] == round_no]
        assert len(this_round) == RACERS
        winners = [pid for _, pid, won, _ in this_round if won]
        assert len(winners) == 1, f"round {round_no}: {this_round}"
        # Every loser could say who won, even if it asked before the winner wrote its name.
        assert all(seen == winners[0] for _, _, won, seen in this_round if not won)


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from deepworkzone.engine.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1])
    ok = lock.acquire(sys.argv[2], socket="/tmp/dwz-test.sock")
    print("won" if ok else "lost", flush=True)
    if ok:
        time.sleep(120)
    """
)


def _spawn_holder(path: Path, kind: str = "agent") -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path), kind], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "won"
    return proc


def test_kill_9_of_the_holder_frees_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "instance.lock"
    proc = _spawn_holder(path, "focus")
    try:
        lock = InstanceLock(path)
        assert not lock.acquire("app")
        holder = lock.holder()
        assert holder is not None and holder.pid == proc.pid and holder.kind == "focus"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    # The description is still in the file, but its process is gone: nobody holds it.
    assert json.loads(path.read_text())["pid"] == proc.pid
    assert InstanceLock(path).holder() is None
    lock = InstanceLock(path)
    assert lock.acquire("app")
    try:
        mine = lock.holder()
        assert mine is not None and mine.pid == os.getpid() and mine.kind == "app"
    finally:
        lock.release()


def test_a_zombie_holder_counts_as_gone(tmp_path: Path) -> None:
    path = tmp_path / "instance.lock"
    proc = _spawn_holder(path)
    os.kill(proc.pid, signal.SIGKILL)
    # Not reaped yet: the pid still exists, as a zombie, and its locks are gone.
    deadline = time.monotonic() + 10
    while psutil.Process(proc.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    try:
        assert InstanceLock(path).holder() is None
    finally:
        proc.wait(10)


_READER = textwrap.dedent(
    """
    import json, sys
    from deepworkzone.engine.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1])
    holder = lock.holder()
    print(json.dumps({"holder": holder.to_dict() if holder else None,
                      "acquired": lock.acquire("focus")}))
    """
)


def test_another_process_reads_who_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "instance.lock"
    sock = tmp_path / "agent.sock"
    with InstanceLock(path, kind="agent", socket=sock):
        out = subprocess.run(
            [sys.executable, "-c", _READER, str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        seen = json.loads(out.stdout)
        assert seen["acquired"] is False
        assert seen["holder"]["pid"] == os.getpid()
        assert seen["holder"]["kind"] == "agent"
        assert seen["holder"]["socket"] == str(sock)
        assert abs(seen["holder"]["started"] - psutil.Process().create_time()) < 1
    # Released: the other process now finds nobody and gets it.
    out = subprocess.run(
        [sys.executable, "-c", _READER, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(out.stdout) == {"holder": None, "acquired": True}


def test_default_path_is_in_the_state_folder_and_private(isolated_home: Path) -> None:
    lock = InstanceLock()
    assert lock.path.parent == app_paths().state_dir
    assert lock.acquire("agent")
    try:
        assert stat.S_IMODE(lock.path.stat().st_mode) == 0o600
        holder = lock.holder()
        assert holder is not None and holder.socket is not None
    finally:
        lock.release()
    assert lock.path.exists() and lock.path.read_bytes() == b""  # emptied, never deleted
    assert lock.holder() is None


def test_the_context_manager_raises_already_running_with_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "instance.lock"
    with InstanceLock(path, kind="app", socket="/x.sock"):
        with pytest.raises(AlreadyRunning) as caught, InstanceLock(path, kind="focus"):
            pass
        assert caught.value.code == "already_running"
        assert caught.value.data["kind"] == "app" and caught.value.data["pid"] == os.getpid()
        assert caught.value.holder == LockHolder(
            os.getpid(), caught.value.data["started"], "app", "/x.sock"
        )
    assert InstanceLock(path).holder() is None


def test_stale_or_garbled_descriptions_with_a_free_lock_mean_nobody(tmp_path: Path) -> None:
    path = tmp_path / "instance.lock"
    me = psutil.Process()
    for text in (
        "",
        "{torn",
        "[1, 2]",
        json.dumps({"pid": "1", "started": 0, "kind": "agent", "socket": None}),
        # Our own pid but another start time: a recycled pid, not the holder.
        json.dumps({"pid": me.pid, "started": me.create_time() - 3600, "kind": "agent"}),
        # Alive and matching, yet the lock is free: the lock decides, not the file.
        json.dumps({"pid": me.pid, "started": me.create_time(), "kind": "agent"}),
    ):
        path.write_text(text)
        started = time.monotonic()
        assert InstanceLock(path).holder() is None, text
        assert time.monotonic() - started < 0.5  # a free lock is not waited on
    assert not (tmp_path / "missing.lock").exists()
    assert InstanceLock(tmp_path / "missing.lock").holder() is None


def test_acquire_twice_on_one_object_and_bad_kinds_are_errors(tmp_path: Path) -> None:
    lock = InstanceLock(tmp_path / "instance.lock")
    with pytest.raises(ValueError):
        lock.acquire(cast(Any, "daemon"))
    assert lock.acquire("focus")
    with pytest.raises(RuntimeError):
        lock.acquire("focus")
    lock.release()
    lock.release()  # idempotent
    assert lock.acquire("focus")
    lock.release()
