"""Blocking proxy benchmark: blocked CONNECT answers per second, and tunnel throughput
compared with a direct connection to the same origin, 50 concurrent clients.

    python bench/bench_proxy.py [--seconds 5] [--mb-per-client 64] [--clients 50] [--rounds 3]

The proxy runs as the app runs it (BlockingProxy on its own thread) in this process; the
origin server and the load clients run in separate processes, so none of them shares the
proxy's interpreter lock. Targets: > 4,000 blocked CONNECT answers/s; tunnel >= 80% of direct.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import selectors
import socket
import statistics
import threading
import time
from multiprocessing.connection import Connection

import psutil

from deepworkzone.blocking.proxy import BlockingProxy
from deepworkzone.domain.hostnames import DomainMatcher

CHUNK = 1 << 20


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


# ---------------------------------------------------------------- origin (own process)
def origin_main(conn: Connection, bytes_per_client: int) -> None:
    """On each connection, send ``bytes_per_client`` bytes and close (a bulk download)."""
    payload = memoryview(b"x" * CHUNK)
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)
    conn.send(listener.getsockname()[1])

    def serve(sock: socket.socket) -> None:
        with sock:
            left = bytes_per_client
            try:
                while left > 0:
                    n = min(left, CHUNK)
                    sock.sendall(payload[:n])
                    left -= n
            except OSError:
                pass

    threading.Thread(target=lambda: conn.recv(), daemon=True).start()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


# ---------------------------------------------------------------- clients (own process)
def _blocked_load(port: int, clients: int, seconds: float) -> tuple[int, int]:
    """``clients`` connections in flight at all times, each: connect, CONNECT, read to EOF.

    Plain non-blocking sockets and a selector: the load generator shares the CPUs with the
    proxy, so it should cost as little per request as it can.
    """
    request = b"CONNECT www.blocked.test:443 HTTP/1.1\r\nHost: www.blocked.test:443\r\n\r\n"
    sel = selectors.DefaultSelector()
    answers: dict[socket.socket, bytes] = {}
    ok = bad = 0
    deadline = time.perf_counter() + seconds

    def open_one() -> None:
        sock = socket.socket()
        sock.setblocking(False)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            sock.send(request)
            sel.register(sock, selectors.EVENT_READ)
        else:  # in progress: send once writable
            sel.register(sock, selectors.EVENT_WRITE)
        answers[sock] = b""

    for _ in range(clients):
        open_one()
    while answers:
        for key, events in sel.select(1.0):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            if events & selectors.EVENT_WRITE:
                sock.send(request)
                sel.modify(sock, selectors.EVENT_READ)
                continue
            try:
                data = sock.recv(4096)
            except OSError:
                data, answers[sock] = b"", b"error"
            if data:
                answers[sock] += data
                continue
            answer = answers.pop(sock)
            sel.unregister(sock)
            sock.close()
            if answer.startswith(b"HTTP/1.1 403"):
                ok += 1
            else:
                bad += 1
            if time.perf_counter() < deadline:
                open_one()
    return ok, bad


def blocked_clients_main(conn: Connection, port: int, clients: int, seconds: float) -> None:
    start = time.perf_counter()
    ok, bad = _blocked_load(port, clients, seconds)
    conn.send((ok, bad, time.perf_counter() - start))


def _download(
    target: tuple[int, int | None], expect: int, barrier: threading.Barrier, out: list[int]
) -> None:
    origin_port, proxy_port = target
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    barrier.wait()
    if proxy_port is None:
        sock = socket.create_connection(("127.0.0.1", origin_port))
    else:
        sock = socket.create_connection(("127.0.0.1", proxy_port))
        sock.sendall(f"CONNECT 127.0.0.1:{origin_port} HTTP/1.1\r\n\r\n".encode())
    got = 0
    head = proxy_port is not None
    with sock:
        while n := sock.recv_into(view):
            if head:  # strip "HTTP/1.1 200 Connection established\r\n\r\n"
                data = bytes(view[:n])
                end = data.find(b"\r\n\r\n")
                if end < 0:
                    raise RuntimeError(f"no CONNECT answer: {data[:80]!r}")
                if not data.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(f"tunnel refused: {data[:80]!r}")
                n -= end + 4
                head = False
            got += n
    out.append(got if got == expect else -got)


def throughput_clients_main(
    conn: Connection, origin_port: int, proxy_port: int | None, clients: int, expect: int
) -> None:
    barrier = threading.Barrier(clients + 1)
    results: list[int] = []
    cpu0 = _cpu(psutil.Process())
    threads = [
        threading.Thread(
            target=_download, args=((origin_port, proxy_port), expect, barrier, results)
        )
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    conn.send(
        (
            sum(r for r in results if r > 0),
            sum(1 for r in results if r < 0),
            elapsed,
            _cpu(psutil.Process()) - cpu0,
        )
    )


def _run(ctx: mp.context.SpawnContext, target: object, *args: object) -> tuple:  # type: ignore[type-arg]
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args))
    proc.start()
    result = parent.recv()
    proc.join(60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="blocked CONNECT load time")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--mb-per-client", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="direct/tunnel rounds (median)")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")

    proxy = BlockingProxy(DomainMatcher(["blocked.test"]))
    proxy.start()
    origin_parent, origin_child = ctx.Pipe()
    origin = ctx.Process(
        target=origin_main, args=(origin_child, args.mb_per_client * CHUNK), daemon=True
    )
    origin.start()
    origin_port = origin_parent.recv()
    try:
        ok, bad, elapsed = _run(ctx, blocked_clients_main, proxy.port, args.clients, args.seconds)
        rate = ok / elapsed
        print(
            f"blocked CONNECT -> 403: {ok} answers in {elapsed:.2f} s = {rate:,.0f}/s "
            f"({args.clients} clients, {bad} errors)  target > 4,000/s  "
            f"{'OK' if rate > 4000 and not bad else 'MISSED'}"
        )

        expect = args.mb_per_client * CHUNK
        direct: list[float] = []
        tunnel: list[float] = []
        cost: dict[bool, list[float]] = {False: [], True: []}
        origin_proc, proxy_proc = psutil.Process(origin.pid), psutil.Process()
        for _ in range(args.rounds):
            for port, into in ((None, direct), (proxy.port, tunnel)):
                before = _cpu(origin_proc) + _cpu(proxy_proc)
                total, short, secs, client_cpu = _run(
                    ctx, throughput_clients_main, origin_port, port, args.clients, expect
                )
                if short:
                    raise SystemExit(f"{short} downloads came back short")
                into.append(total / secs / 1e6)
                # CPU seconds per GB over origin + clients + proxy: the cost of the extra hop,
                # steadier than throughput on a machine shared with other work.
                cost[port is not None].append(
                    (_cpu(origin_proc) + _cpu(proxy_proc) - before + client_cpu) / (total / 1e9)
                )
        d, t = statistics.median(direct), statistics.median(tunnel)
        print(
            f"bulk download, {args.clients} clients x {args.mb_per_client} MiB: "
            f"direct {d:,.0f} MB/s, through CONNECT tunnel {t:,.0f} MB/s "
            f"= {t / d:.0%} of direct  target >= 80%  {'OK' if t >= 0.8 * d else 'MISSED'}"
        )
        print(f"  rounds direct {[round(x) for x in direct]}  tunnel {[round(x) for x in tunnel]}")
        d_cost, t_cost = statistics.median(cost[False]), statistics.median(cost[True])
        print(
            f"  CPU (origin + clients + proxy) per GB: direct {d_cost:.2f} s, tunnel {t_cost:.2f} s;"
            f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        proxy.stop()
        origin.terminate()
        origin.join(10)


if __name__ == "__main__":
    main()
