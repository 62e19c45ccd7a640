"""One database from several threads (ThreadConnections), and outbox claims: a claimed entry
is sent by its claimer only, until the claim runs out or its process is gone."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deepworkzone.store.db import ThreadConnections, connect, transaction
from deepworkzone.store.outbox import Outbox, OutboxBusy
from deepworkzone.store.sessions_cache import SessionsCache

SCOPE = "http://server.test"


def test_a_plain_connection_refuses_other_threads_and_thread_connections_do_not(
    tmp_path: Path,
) -> None:
    conn = connect(tmp_path / "deepworkzone.db")
    errors: list[BaseException] = []

    def use() -> None:
        try:
            SessionsCache(conn, SCOPE).all()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert isinstance(errors[0], sqlite3.ProgrammingError)
    conn.close()

    conns = ThreadConnections(tmp_path / "deepworkzone.db")
    cache = SessionsCache(conns, SCOPE)
    seen: list[sqlite3.Connection] = []
    lock = threading.Lock()

    def use_shared() -> None:
        mine = cache.conn
        assert cache.conn is mine  # the same one on every call of one thread
        cache.all()
        with lock:
            seen.append(mine)

    threads = [threading.Thread(target=use_shared) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(c) for c in seen}) == 4  # one connection per thread
    conns.close()


def test_four_threads_queue_and_send_through_one_outbox_each_entry_once(tmp_path: Path) -> None:
    conns = ThreadConnections(tmp_path / "deepworkzone.db")
    box = Outbox(conns, SCOPE)
    cache = SessionsCache(conns, SCOPE)
    per_thread = 50
    sent: list[int] = []
    sent_lock = threading.Lock()
    start = threading.Barrier(4)

    def work(index: int) -> None:
        start.wait()
        for n in range(per_thread):
            with transaction(cache.conn):  # cache row and entry in one transaction
                cache.put({"id": index * 1000 + n, "name": "x"})
                box.add("delete", index * 1000 + n)
        owner = f"thread-{index}"
        while True:
            try:
                entry = box.claim_next(owner)
            except OutboxBusy:
                continue
            if entry is None:
                return
            with transaction(box.conn):
                assert box.holds(entry.seq, owner)
                with sent_lock:
                    sent.append(entry.seq)
                box.done(entry.seq)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sent) == 4 * per_thread == len(set(sent))
    assert sent == sorted(sent)  # still oldest first, across the threads
    assert box.count() == 0 and len(cache.all()) == 4 * per_thread
    assert len(conns) <= 4
    conns.close()


def test_a_claim_blocks_others_until_it_runs_out(tmp_path: Path) -> None:
    conn = connect(tmp_path / "deepworkzone.db")
    now = [1000.0]
    box = Outbox(conn, SCOPE, lease=60, now=lambda: now[0])
    first = box.add("create", -1, {"body": {}})
    box.add("create", -2, {"body": {}})
    claimed = box.claim_next("a")
    assert claimed is not None and claimed.seq == first and claimed.idem_key
    with pytest.raises(OutboxBusy):  # b may neither take it nor skip ahead to the second
        box.claim_next("b")
    assert box.claim_next("a") is not None  # its owner may take it up again
    now[0] += 61
    taken = box.claim_next("b")
    assert taken is not None and taken.seq == first
    assert not box.holds(first, "a") and box.holds(first, "b")
    box.attempt_failed(first, "503")  # the claim ends with the attempt
    again = box.claim_next("c")
    assert again is not None and again.seq == first and again.idem_key == claimed.idem_key
    conn.close()


def test_a_claim_of_a_process_that_is_gone_runs_out_at_once(tmp_path: Path) -> None:
    conn = connect(tmp_path / "deepworkzone.db")
    box = Outbox(conn, SCOPE, lease=3600)
    box.add("delete", 5)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone = f"{socket.gethostname()}:{int(dead.stdout)}:x"
    assert box.claim_next(gone) is not None
    assert box.claim_next(f"{socket.gethostname()}:{os.getpid()}:me") is not None
    alive = f"{socket.gethostname()}:{os.getppid()}:y"
    box.release(box.pending()[0].seq, f"{socket.gethostname()}:{os.getpid()}:me")
    assert box.claim_next(alive) is not None
    with pytest.raises(OutboxBusy):
        box.claim_next("someone-else")
    conn.close()
