"""Real HTTP through the real blocking proxy, against real local servers on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from deepworkzone.blocking import proxy_relay, proxy_server
from deepworkzone.blocking.proxy import BlockingProxy
from deepworkzone.blocking.proxy_blocker import ProxyBlocker
from deepworkzone.domain.hostnames import DomainMatcher

BLOB = os.urandom(1024 * 1024)


class _Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = (
            BLOB
            if self.path == "/blob"
            else json.dumps(
                {"host": self.headers["Host"], "path": self.path, "headers": dict(self.headers)}
            ).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[::-1])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def origin() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def echo() -> Iterator[int]:
    """A TCP echo server that echoes until the client half-closes, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    workers: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            worker = threading.Thread(target=serve, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    yield listener.getsockname()[1]
    listener.shutdown(socket.SHUT_RDWR)
    listener.close()
    acceptor.join(5)
    for worker in workers:
        worker.join(5)


# 24.5 minutes from when each proxy starts: the page rounds up, so it says "25 minutes left".
SESSION_LEFT = timedelta(minutes=24, seconds=30)


@pytest.fixture
def proxy() -> Iterator[BlockingProxy]:
    ends_at = datetime.now(UTC) + SESSION_LEFT
    p = BlockingProxy(DomainMatcher(["blocked.test", "distract.example"]), ends_at=ends_at)
    p.start()
    yield p
    p.stop()


def _client(proxy: BlockingProxy) -> httpx.Client:
    return httpx.Client(proxy=f"http://127.0.0.1:{proxy.port}", trust_env=False, timeout=10)


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _connect(port: int, target: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return sock, head


def test_blocked_http_gets_the_block_page(proxy: BlockingProxy) -> None:
    with _client(proxy) as client:
        response = client.get("http://www.blocked.test/some/page?x=1")
    assert response.status_code == 403
    assert response.headers["cache-control"] == "no-store"
    assert (
        'Blocked by Deep Work Zone — <span class="host">www.blocked.test</span> — 25 minutes left'
        in response.text
    )


def test_block_page_escapes_the_host(proxy: BlockingProxy) -> None:
    answer = _raw(proxy.port, b"GET http://<b>x.blocked.test/ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 403 ")
    assert b"&lt;b&gt;x.blocked.test" in answer
    assert b"<b>x" not in answer


def test_blocked_connect_gets_403_and_close(proxy: BlockingProxy) -> None:
    sock, head = _connect(proxy.port, "m.distract.example:443")
    with sock:
        assert head.startswith(b"HTTP/1.1 403 Forbidden\r\n")
        assert sock.recv(100) == b""  # closed, no tunnel
    with _client(proxy) as client, pytest.raises(httpx.ProxyError):
        client.get("https://distract.example/")


def test_allowed_http_passes_byte_for_byte(proxy: BlockingProxy, origin: int) -> None:
    with _client(proxy) as client:
        got = client.get(f"http://127.0.0.1:{origin}/blob")
        assert got.status_code == 200
        assert got.content == BLOB
        echoed = client.post(f"http://127.0.0.1:{origin}/upload", content=BLOB)
        assert echoed.content == BLOB[::-1]
        seen = client.get(
            f"http://127.0.0.1:{origin}/headers", headers={"Proxy-Authorization": "Basic eDp5"}
        ).json()
    # Origin-form upstream, our Host header, and nothing meant for the proxy leaks through.
    assert seen["path"] == "/headers"
    assert seen["host"] == f"127.0.0.1:{origin}"
    assert "Proxy-Authorization" not in seen["headers"]
    assert seen["headers"]["Connection"] == "close"


@pytest.mark.parametrize("splice", [True, False], ids=["splice", "transports"])
def test_allowed_connect_tunnel_passes_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch, proxy: BlockingProxy, echo: int, splice: bool
) -> None:
    if splice and not proxy_relay.CAN_SPLICE:
        pytest.skip("splice(2) is Linux-only")
    monkeypatch.setattr(proxy_relay, "CAN_SPLICE", splice)
    sock, head = _connect(proxy.port, f"127.0.0.1:{echo}")
    with sock:
        assert head == b"HTTP/1.1 200 Connection established\r\n\r\n"
        sender = threading.Thread(
            target=lambda: (sock.sendall(BLOB), sock.shutdown(socket.SHUT_WR))
        )
        sender.start()
        received = bytearray()
        while chunk := sock.recv(65536):
            received += chunk
        sender.join(10)
    assert bytes(received) == BLOB


def _node_eval(pac: str, hosts: list[str]) -> list[str]:
    calls = "function (h) { return FindProxyForURL('https://' + h + '/', h); }"
    script = f"{pac}\nconsole.log(JSON.stringify({json.dumps(hosts)}.map({calls})));"
    done = subprocess.run(
        ["node", "-e", script], capture_output=True, text=True, timeout=30, check=True
    )
    return json.loads(done.stdout)


def test_pac_is_served_and_sends_only_blocked_hosts_to_the_proxy(proxy: BlockingProxy) -> None:
    response = httpx.get(proxy.pac_url, trust_env=False)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ns-proxy-autoconfig")
    assert response.headers["cache-control"] == "no-store"
    pac = response.text
    assert f"PROXY 127.0.0.1:{proxy.port}" in pac
    if shutil.which("node") is None:
        pytest.skip("node is not installed; PAC text checked only")
    hosts = [
        "blocked.test",
        "WWW.Blocked.Test.",
        "a.b.distract.example",
        "notblocked.test",
        "example.com",
        "test",
    ]
    proxied = f"PROXY 127.0.0.1:{proxy.port}; DIRECT"
    assert _node_eval(pac, hosts) == [proxied, proxied, proxied, "DIRECT", "DIRECT", "DIRECT"]


def test_allowlist_mode_blocks_everything_else(echo: int) -> None:
    matcher = DomainMatcher(allowed=["work.test"], allowlist_only=True)
    p = BlockingProxy(matcher)
    p.start()
    try:
        sock, head = _connect(p.port, "news.example:443")
        sock.close()
        assert head.startswith(b"HTTP/1.1 403")
        assert _raw(p.port, b"GET http://news.example/ HTTP/1.1\r\n\r\n").startswith(
            b"HTTP/1.1 403"
        )
        sock, head = _connect(p.port, f"127.0.0.1:{echo}")
        with sock:
            assert head.startswith(b"HTTP/1.1 200")
        pac = httpx.get(p.pac_url, trust_env=False).text
        if shutil.which("node"):
            proxied = f"PROXY 127.0.0.1:{p.port}; DIRECT"
            got = _node_eval(pac, ["work.test", "docs.work.test", "news.example", "localhost"])
            assert got == ["DIRECT", "DIRECT", proxied, "DIRECT"]
    finally:
        p.stop()


def test_update_swaps_the_lists_live(proxy: BlockingProxy, echo: int) -> None:
    sock, head = _connect(proxy.port, f"127.0.0.1:{echo}")
    sock.close()
    assert head.startswith(b"HTTP/1.1 200")
    proxy.update(DomainMatcher(["127.0.0.1", "other.test"]), None)
    sock, head = _connect(proxy.port, f"127.0.0.1:{echo}")
    sock.close()
    assert head.startswith(b"HTTP/1.1 403")
    page = _raw(proxy.port, b"GET http://other.test/ HTTP/1.1\r\n\r\n")
    assert b"until the focus session ends" in page
    assert b'"other.test":1' in httpx.get(proxy.pac_url, trust_env=False).content


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"garbage\r\n\r\n", b"400"),
        (b"CONNECT nohost HTTP/1.1\r\n\r\n", b"400"),
        (b"CONNECT blocked.test:99999 HTTP/1.1\r\n\r\n", b"400"),
        (b"GET ftp://x.test/ HTTP/1.1\r\n\r\n", b"400"),
        (b"GET http://user@x.test/ HTTP/1.1\r\n\r\n", b"400"),
        (b"GET http://x.test/ HTTP/1.1\r\nbad header\r\n\r\n", b"400"),
        (b"GET /nothing HTTP/1.1\r\n\r\n", b"404"),
        (b"POST /proxy.pac HTTP/1.1\r\n\r\n", b"405"),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", b"431"),
        (b"GET http://\xff\xfe.test/ HTTP/1.1\r\n\r\n", b"400"),
    ],
    ids=[
        "garbage",
        "connect-no-port",
        "bad-port",
        "ftp",
        "credentials",
        "bad-header",
        "404",
        "405",
        "huge-head",
        "non-ascii",
    ],
)
def test_bad_requests_get_an_error_and_the_proxy_keeps_serving(
    proxy: BlockingProxy, request_bytes: bytes, status: bytes
) -> None:
    assert _raw(proxy.port, request_bytes).startswith(b"HTTP/1.1 " + status)
    assert _raw(proxy.port, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_idle_head_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy_server, "HEAD_TIMEOUT", 0.3)
    p = BlockingProxy(DomainMatcher())
    p.start()
    try:
        with socket.create_connection(("127.0.0.1", p.port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\n")  # never finishes the head
            assert sock.recv(100).startswith(b"HTTP/1.1 408")
    finally:
        p.stop()


def test_unreachable_upstream_is_502(proxy: BlockingProxy) -> None:
    unused = socket.create_server(("127.0.0.1", 0))
    port = unused.getsockname()[1]
    unused.close()
    sock, head = _connect(proxy.port, f"127.0.0.1:{port}")
    sock.close()
    assert head.startswith(b"HTTP/1.1 502")


def test_port_in_use_is_a_clear_oserror() -> None:
    taken = socket.create_server(("127.0.0.1", 0))
    try:
        p = BlockingProxy(DomainMatcher(), port=taken.getsockname()[1])
        with pytest.raises(OSError, match="Another program may be using that port"):
            p.start()
        p.stop()
    finally:
        taken.close()
    assert not any(t.name == "dwz-proxy" for t in threading.enumerate())


def test_only_loopback_and_valid_ports() -> None:
    with pytest.raises(ValueError, match="loopback"):
        BlockingProxy(DomainMatcher(), host="0.0.0.0")
    with pytest.raises(ValueError, match="port"):
        BlockingProxy(DomainMatcher(), port=70000)
    with pytest.raises(RuntimeError):
        _ = BlockingProxy(DomainMatcher()).pac_url


def test_stop_closes_open_tunnels_and_the_thread(echo: int) -> None:
    p = BlockingProxy(DomainMatcher())
    p.start()
    sock, head = _connect(p.port, f"127.0.0.1:{echo}")
    with sock:
        assert head.startswith(b"HTTP/1.1 200")
        p.stop()
        p.stop()  # idempotent
        with contextlib.suppress(ConnectionResetError):
            assert sock.recv(100) == b""
    assert not any(t.name == "dwz-proxy" for t in threading.enumerate())
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", p.port), timeout=2).close()


def test_on_blocked_reports_each_refusal() -> None:
    seen: list[str] = []
    p = BlockingProxy(DomainMatcher(["blocked.test"]), on_blocked=seen.append)
    p.start()
    try:
        _connect(p.port, "a.blocked.test:443")[0].close()
        _raw(p.port, b"GET http://b.blocked.test/ HTTP/1.1\r\n\r\n")
    finally:
        p.stop()
    assert seen == ["a.blocked.test", "b.blocked.test"]


def test_proxy_blocker_effect(tmp_path: Path) -> None:
    records: list[dict[str, object]] = []
    blocker = ProxyBlocker(DomainMatcher(["blocked.test"]))
    blocker.apply(records.append)
    try:
        assert records[0]["pid"] == os.getpid()
        assert records[-1]["port"] == blocker.proxy.port != 0
        assert blocker.proxy.pac_url == f"http://127.0.0.1:{blocker.proxy.port}/proxy.pac"
        assert _raw(blocker.proxy.port, b"GET http://blocked.test/ HTTP/1.1\r\n\r\n").startswith(
            b"HTTP/1.1 403"
        )
        # Rebuilt from the journal (as after a crash), it has nothing to stop and must not fail,
        # even for a damaged record; the live proxy is not affected by it.
        ProxyBlocker.from_record(dict(records[-1])).undo()
        ProxyBlocker.from_record({}).undo()
        assert blocker.proxy.running
    finally:
        blocker.undo()
        blocker.undo()
    assert not blocker.proxy.running


def test_early_data_after_connect_reaches_the_origin(proxy: BlockingProxy, echo: int) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        # A client may send its first bytes (a TLS hello) without waiting for the 200.
        sock.sendall(f"CONNECT 127.0.0.1:{echo} HTTP/1.1\r\n\r\nhello early".encode())
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    assert received == b"HTTP/1.1 200 Connection established\r\n\r\nhello early"


@pytest.fixture
def upgrade_origin() -> Iterator[int]:
    """Answers any request with 101 Switching Protocols, then echoes (a WebSocket stand-in)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(4096)
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
            )
            while data := conn.recv(65536):
                conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    thread.join(5)


def test_websocket_upgrade_over_plain_http_is_relayed(
    proxy: BlockingProxy, upgrade_origin: int
) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(
            f"GET http://127.0.0.1:{upgrade_origin}/ws HTTP/1.1\r\nHost: x\r\n"
            "Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n".encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += sock.recv(1)
        assert (
            head
            == b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        )
        sock.sendall(b"frame bytes")
        assert sock.recv(100) == b"frame bytes"


def test_plain_http_answers_say_connection_close(proxy: BlockingProxy, origin: int) -> None:
    answer = _raw(
        proxy.port,
        f"GET http://127.0.0.1:{origin}/x HTTP/1.1\r\nConnection: keep-alive\r\n\r\n".encode(),
    )
    head = answer.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200")
    assert head.endswith(b"\r\nConnection: close")
    assert head.lower().count(b"connection:") == 1
