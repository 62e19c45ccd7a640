"""Relaying bytes between a client and an origin once the proxy has let a request through.

Two ways: on Linux, CONNECT tunnels use ``splice(2)`` through a pipe, so the bytes never enter
Python (the bench needs a tunnel within 80% of a direct connection on a shared core);
elsewhere, and for plain HTTP (whose response head gets ``Connection: close``), a pair of
asyncio protocols with flow control.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import sys
from typing import Any

from deepworkzone.blocking.proxy_context import Registry
from deepworkzone.blocking.proxy_request import close_response_head, response_head_status

MAX_HEAD = 64 * 1024
# Large write buffers mean fewer pause/resume round trips on bulk transfers.
WRITE_HIGH_WATER = 1 << 20
CAN_SPLICE = sys.platform == "linux" and hasattr(os, "splice")
if CAN_SPLICE:
    from deepworkzone.blocking.proxy_splice import SpliceTunnel


class _Side(asyncio.Protocol):
    """One end of a relay; writes what it reads to the other end."""

    def __init__(self, relay: TransportRelay, rewrite_head: bool = False) -> None:
        self.relay = relay
        self.transport: asyncio.Transport | None = None
        self.peer: _Side | None = None
        self.pending = b""  # read before the other end had a transport
        self.eof = False
        self.head_pending = rewrite_head  # plain HTTP upstream: add Connection: close
        self.head_buf = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def write(self, data: bytes) -> None:
        if self.transport is None:
            self.pending += data
        else:
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        if self.head_pending:
            data = self._rewrite(self.head_buf + data)
        if data and self.peer is not None:
            self.peer.write(data)

    def _rewrite(self, data: bytes) -> bytes:
        out = b""
        while self.head_pending:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                if len(data) > MAX_HEAD:  # not HTTP as we know it: pass it on unchanged
                    self.head_pending = False
                    break
                self.head_buf = data
                return out
            head, data = data[:end], data[end + 4 :]
            status = response_head_status(head)
            if 100 <= status < 200 and status != 101:
                out += head + b"\r\n\r\n"  # interim (100 Continue): the real head follows
                continue
            out += (head if status == 101 else close_response_head(head)) + b"\r\n\r\n"
            self.head_pending = False
        self.head_buf = b""
        return out + data

    def eof_received(self) -> bool:
        self.eof = True
        if self.head_buf and self.peer is not None:
            self.peer.write(self.head_buf)
        return self.relay.side_eof(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.relay.close()

    def pause_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.pause_reading()

    def resume_writing(self) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.resume_reading()


class TransportRelay:
    def __init__(self, registry: Registry, http_mode: bool) -> None:
        self.registry = registry
        self.http_mode = http_mode  # one request: done when the origin has answered
        self.client = _Side(self)
        self.upstream = _Side(self, rewrite_head=http_mode)
        self.client.peer, self.upstream.peer = self.upstream, self.client
        registry.add(self)

    async def start(
        self, client_sock: socket.socket, upstream_sock: socket.socket, to_upstream: bytes
    ) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self.upstream, sock=upstream_sock)
        await loop.connect_accepted_socket(lambda: self.client, sock=client_sock)
        for side in (self.client, self.upstream):
            if side.pending:
                side.write(side.pending)
                side.pending = b""
        if to_upstream:
            self.upstream.write(to_upstream)

    def side_eof(self, side: _Side) -> bool:
        other = self.upstream if side is self.client else self.client
        if (side is self.upstream and self.http_mode) or other.eof:
            self.close()
            return False
        if other.transport is not None and other.transport.can_write_eof():
            other.transport.write_eof()  # half-close: the other way may still carry data
        return True

    def close(self) -> None:
        self.registry.discard(self)
        for side in (self.client, self.upstream):
            if side.transport is not None:
                side.transport.close()  # flushes what is buffered first

    def abort(self) -> None:
        self.registry.discard(self)
        for side in (self.client, self.upstream):
            if side.transport is not None:
                side.transport.abort()


def start_relay(
    registry: Registry,
    client: socket.socket,
    upstream: socket.socket,
    to_upstream: bytes,
    http_mode: bool,
) -> None:
    """Hand both sockets over to a relay (the caller has already answered the client)."""
    if CAN_SPLICE and not http_mode and not to_upstream:
        SpliceTunnel(registry, client, upstream).start()
        return
    relay = TransportRelay(registry, http_mode)
    task = asyncio.get_running_loop().create_task(relay.start(client, upstream, to_upstream))

    def finished(task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is not None:
            relay.abort()
            client.close()
            upstream.close()

    task.add_done_callback(finished)


async def open_socket(host: str, port: int) -> socket.socket:
    """A connected non-blocking socket to ``host:port``, trying each address in turn."""
    loop = asyncio.get_running_loop()
    try:
        ip = ipaddress.ip_address(host)
        literal = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
        addresses: list[tuple[int, Any]] = [(literal, (host, port))]  # no resolver thread
    except ValueError:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        addresses = [(info[0], info[4]) for info in infos]
    error: OSError = OSError(f"no address for {host}")
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise error
