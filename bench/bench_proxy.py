"""Blocking proxy benchmark: blocked CONNECT answers per second, and tunnel throughput
compared with a direct connection to the same origin, 50 concurrent clients.

    python bench/bench_proxy.py [--seconds 5] [--mb-per-client 64] [--clients 50] [--rounds 3]
                                [--link-rates 1gbit,10gbit] [--link-seconds 2]

The proxy runs as the app runs it (BlockingProxy on its own thread) in this process; the
origin server and the load clients run in separate processes, so none of them shares the
proxy's interpreter lock. Targets: > 4,000 blocked CONNECT answers/s; tunnel >= 80% of direct.

The tunnel is measured twice. Over raw loopback, where the link has no bandwidth limit and the
test is CPU-bound, so the extra relay hop shows at full cost. Then, as root with iproute2, over
a shaped link like the one a user's traffic crosses: the origin in a network namespace of its
own behind a veth pair with ``tc tbf`` at 1 and 10 Gbit/s (``--link-rates``), the proxy and
the clients in the root namespace. The namespace, the pair and their addresses
(10.231.77.1/30 and .2/30, on the pair only) are created for the run and always removed.
Without root or iproute2 that part is skipped with a message.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import psutil

from deepworkzone.blocking.proxy import BlockingProxy
from deepworkzone.domain.hostnames import DomainMatcher

CHUNK = 1 << 20


def _cpu(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


# ---------------------------------------------------------------- origin (own process)
def _serve_origin(listener: socket.socket, bytes_per_client: int) -> None:
    """On each connection, send ``bytes_per_client`` bytes and close (a bulk download)."""
    payload = memoryview(b"x" * CHUNK)

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

    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client,), daemon=True).start()


def origin_main(conn: Connection, bytes_per_client: int) -> None:
    listener = socket.create_server(("127.0.0.1", 0), backlog=512)
    conn.send(listener.getsockname()[1])
    _serve_origin(listener, bytes_per_client)


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
    target: tuple[tuple[str, int], int | None],
    expect: int,
    barrier: threading.Barrier,
    out: list[int],
) -> None:
    origin, proxy_port = target
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    barrier.wait()
    if proxy_port is None:
        sock = socket.create_connection(origin)
    else:
        sock = socket.create_connection(("127.0.0.1", proxy_port))
        sock.sendall(f"CONNECT {origin[0]}:{origin[1]} HTTP/1.1\r\n\r\n".encode())
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
    conn: Connection, origin: tuple[str, int], proxy_port: int | None, clients: int, expect: int
) -> None:
    barrier = threading.Barrier(clients + 1)
    results: list[int] = []
    cpu0 = _cpu(psutil.Process())
    threads = [
        threading.Thread(target=_download, args=((origin, proxy_port), expect, barrier, results))
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
    # Daemonic, and terminated on the way out: an interrupted run must not leave clients
    # blocked on connections whose link has been deleted (exit would wait for them forever).
    proc = ctx.Process(target=target, args=(child, *args), daemon=True)
    proc.start()
    child.close()  # so that recv() fails rather than hangs if the child dies
    try:
        result = parent.recv()
        proc.join(60)
        return result
    finally:
        if proc.is_alive():
            proc.terminate()
            proc.join(10)


@dataclass
class Rounds:
    """Direct and tunnel throughput (MB/s) and CPU seconds per GB, alternating rounds."""

    direct: list[float] = field(default_factory=list)
    tunnel: list[float] = field(default_factory=list)
    direct_cpu: list[float] = field(default_factory=list)
    tunnel_cpu: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.tunnel) / statistics.median(self.direct)

    def report(self, label: str, ceiling: str = "") -> str:
        d, t = statistics.median(self.direct), statistics.median(self.tunnel)
        return (
            f"{label}: direct {d:,.0f} MB/s, through CONNECT tunnel {t:,.0f} MB/s"
            f" = {t / d:.0%} of direct  target >= 80%  {'OK' if t >= 0.8 * d else 'MISSED'}\n"
            f"  rounds direct {[round(x) for x in self.direct]}"
            f"  tunnel {[round(x) for x in self.tunnel]}{ceiling}\n"
            f"  CPU (origin + clients + proxy) per GB: direct"
            f" {statistics.median(self.direct_cpu):.2f} s,"
            f" tunnel {statistics.median(self.tunnel_cpu):.2f} s;"
            f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )


def tunnel_rounds(
    ctx: mp.context.SpawnContext,
    origin: tuple[str, int],
    origin_pid: int,
    proxy_port: int,
    clients: int,
    expect: int,
    rounds: int,
) -> Rounds:
    """Alternate direct and tunnelled downloads so that both see the same background load."""
    out = Rounds()
    origin_proc, proxy_proc = psutil.Process(origin_pid), psutil.Process()
    for _ in range(rounds):
        for port in (None, proxy_port):
            before = _cpu(origin_proc) + _cpu(proxy_proc)
            total, short, secs, client_cpu = _run(
                ctx, throughput_clients_main, origin, port, clients, expect
            )
            if short:
                raise SystemExit(f"{short} downloads came back short")
            # CPU seconds per GB over origin + clients + proxy: the cost of the extra hop,
            # steadier than throughput on a machine shared with other work.
            cpu = (_cpu(origin_proc) + _cpu(proxy_proc) - before + client_cpu) / (total / 1e9)
            (out.direct if port is None else out.tunnel).append(total / secs / 1e6)
            (out.direct_cpu if port is None else out.tunnel_cpu).append(cpu)
    return out


# ------------------------------------------------- a shaped link (network namespace + veth)
# The origin sits in a namespace of its own behind a veth pair shaped with tbf, as a remote
# server sits behind a NIC; the proxy and the clients stay in the root namespace. The
# addresses exist only on the two ends of the veth pair this bench creates and removes.
NETNS_PREFIX = "dwzbench"
HOST_ADDR, ORIGIN_ADDR, PREFIX_LEN = "10.231.77.1", "10.231.77.2", 30
RATES = {"1gbit": 1e9, "10gbit": 10e9}


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


def _clean_stale_links() -> None:
    """Remove namespaces (and so their veth pairs) left by a bench run that was killed -9."""
    names = subprocess.run(
        ["ip", "netns", "list"], capture_output=True, text=True, timeout=10
    ).stdout.split()
    for name in names:
        if name.startswith(f"{NETNS_PREFIX}-"):
            pid = name.removeprefix(f"{NETNS_PREFIX}-")
            if pid.isdigit() and not psutil.pid_exists(int(pid)):
                with contextlib.suppress(subprocess.SubprocessError):
                    _ip("netns", "del", name)


def _tbf(dev: str, rate: str, netns: str | None) -> None:
    bits = RATES[rate]
    # Burst: 1 ms at the link rate, and never below two 64 KiB GSO packets (a smaller bucket
    # makes tbf split them); the queue holds 5 ms, a modest NIC ring rather than bufferbloat.
    burst = max(int(bits / 8 / 1000), 1 << 17)
    cmd = ["tc", "qdisc", "replace", "dev", dev, "root", "tbf", "rate", rate]
    cmd += ["burst", str(burst), "latency", "5ms"]
    if netns is not None:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=10)


@contextlib.contextmanager
def shaped_link() -> Iterator[Callable[[str], None]]:
    """Create the namespace and veth pair; yield a function that sets the link's rate
    (both directions); always delete both, on errors and on Ctrl-C too."""
    pid = os.getpid()
    netns, host_dev, ns_dev = f"{NETNS_PREFIX}-{pid}", f"dwzb{pid}h", f"dwzb{pid}n"
    _clean_stale_links()
    created = False
    try:
        _ip("netns", "add", netns)
        created = True
        _ip("link", "add", host_dev, "type", "veth", "peer", "name", ns_dev, "netns", netns)
        _ip("addr", "add", f"{HOST_ADDR}/{PREFIX_LEN}", "dev", host_dev)
        _ip("link", "set", host_dev, "up")
        _ip("-n", netns, "addr", "add", f"{ORIGIN_ADDR}/{PREFIX_LEN}", "dev", ns_dev)
        _ip("-n", netns, "link", "set", ns_dev, "up")
        _ip("-n", netns, "link", "set", "lo", "up")

        def set_rate(rate: str) -> None:
            _tbf(host_dev, rate, None)
            _tbf(ns_dev, rate, netns)

        yield set_rate
    finally:
        # Deleting the namespace destroys its end of the pair, and so the pair; the host end
        # is deleted explicitly in case the namespace never got its end.
        with contextlib.suppress(subprocess.SubprocessError):
            _ip("link", "del", host_dev)
        if created:
            with contextlib.suppress(subprocess.SubprocessError):
                _ip("netns", "del", netns)


def _link_unavailable() -> str | None:
    if sys.platform != "linux":
        return "needs Linux network namespaces"
    if os.geteuid() != 0:
        return "needs root (ip netns, veth, tc)"
    missing = [tool for tool in ("ip", "tc") if shutil.which(tool) is None]
    if missing:
        return f"needs iproute2 ({', '.join(missing)} not found)"
    return None


@contextlib.contextmanager
def namespaced_origin(netns: str, bytes_per_client: int) -> Iterator[tuple[tuple[str, int], int]]:
    """Run the origin inside ``netns`` (``ip netns exec`` execs python, so the pid is the
    origin's); it exits when its stdin closes, so it cannot outlive the bench."""
    proc = subprocess.Popen(
        [
            *("ip", "netns", "exec", netns, sys.executable, os.path.abspath(__file__)),
            *("--serve-origin", ORIGIN_ADDR, str(bytes_per_client)),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"origin in {netns} did not start: {line!r}")
        yield (ORIGIN_ADDR, int(line)), proc.pid
    finally:
        proc.kill()
        proc.wait(10)


def serve_origin_main(host: str, bytes_per_client: int) -> None:
    """``--serve-origin``: the origin run by ``ip netns exec`` inside the namespace."""
    listener = socket.create_server((host, 0), backlog=512)
    print(listener.getsockname()[1], flush=True)
    # Exit when the bench closes our stdin (or dies): never a stray server in the namespace.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    _serve_origin(listener, bytes_per_client)


def link_rates(value: str) -> list[str]:
    rates = [r.strip() for r in value.split(",") if r.strip()]
    unknown = [r for r in rates if r not in RATES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown rates {unknown}; choose from {list(RATES)}")
    return rates


def link_benchmark(ctx: mp.context.SpawnContext, proxy_port: int, args: argparse.Namespace) -> None:
    rates: list[str] = args.link_rates
    if not rates:
        return
    why = _link_unavailable()
    if why:
        print(f"shaped link (netns + veth + tbf): skipped, {why}")
        return
    with contextlib.ExitStack() as stack:
        try:
            set_rate = stack.enter_context(shaped_link())
        except (OSError, subprocess.SubprocessError) as exc:
            detail = (getattr(exc, "stderr", "") or str(exc)).strip()
            print(f"shaped link (netns + veth + tbf): skipped, cannot set it up: {detail}")
            return
        netns = f"{NETNS_PREFIX}-{os.getpid()}"
        for rate in rates:
            set_rate(rate)
            # Size each download so that a run lasts about --link-seconds at the link rate.
            per_client = RATES[rate] / 8 * args.link_seconds / args.clients
            mib = max(1, round(per_client / CHUNK))
            with namespaced_origin(netns, mib * CHUNK) as (origin, origin_pid):
                result = tunnel_rounds(
                    ctx, origin, origin_pid, proxy_port, args.clients, mib * CHUNK, args.rounds
                )
            link_mb = RATES[rate] / 8 / 1e6
            direct = statistics.median(result.direct)
            bound = (
                "the link is the limit"
                if direct >= 0.85 * link_mb
                else "CPU-bound: direct stays below the link rate"
            )
            print(
                result.report(
                    f"bulk download over a {rate} veth link (tbf), {args.clients} clients"
                    f" x {mib} MiB",
                    f"  (link {link_mb:,.0f} MB/s on the wire; {bound})",
                )
            )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-origin":
        serve_origin_main(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="blocked CONNECT load time")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--mb-per-client", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="direct/tunnel rounds (median)")
    parser.add_argument(
        "--link-rates",
        type=link_rates,
        default="1gbit,10gbit",
        help="shaped veth link rates to measure, comma-separated ('' to skip)",
    )
    parser.add_argument(
        "--link-seconds", type=float, default=2.0, help="download length per shaped-link run"
    )
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    # SIGTERM (kill, timeout) unwinds like Ctrl-C, so the namespace and links are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

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
        assert origin.pid is not None
        loopback = tunnel_rounds(
            ctx,
            ("127.0.0.1", origin_port),
            origin.pid,
            proxy.port,
            args.clients,
            args.mb_per_client * CHUNK,
            args.rounds,
        )
        print(
            loopback.report(
                f"bulk download over raw loopback, {args.clients} clients"
                f" x {args.mb_per_client} MiB"
            )
        )
        origin.terminate()  # done with it: leave the CPUs to the shaped-link runs
        link_benchmark(ctx, proxy.port, args)
    finally:
        proxy.stop()
        origin.terminate()
        origin.join(10)


if __name__ == "__main__":
    main()
