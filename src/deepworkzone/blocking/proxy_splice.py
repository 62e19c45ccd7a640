"""CONNECT tunnels on Linux: ``splice(2)`` through a pipe, so the bytes never enter Python.

The bench needs a tunnel close to a direct connection on a shared core; copying every chunk
into Python and out again costs two extra copies per byte and the interpreter's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import socket

from deepworkzone.blocking.proxy_context import Registry

PIPE_SIZE = 1 << 20


class _Pump:
    """src socket -> pipe -> dst socket, driven by readiness callbacks."""

    def __init__(self, tunnel: SpliceTunnel, src: socket.socket, dst: socket.socket) -> None:
        self.tunnel = tunnel
        self.loop = tunnel.loop
        self.src, self.dst = src.fileno(), dst.fileno()
        self.dst_sock = dst
        self.r, self.w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        with contextlib.suppress(OSError):
            fcntl.fcntl(self.w, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
        self.size = fcntl.fcntl(self.w, fcntl.F_GETPIPE_SZ)
        self.pending = 0
        self.reading = False
        self.done = False

    def read_on(self) -> None:
        if not self.reading:
            self.reading = True
            self.loop.add_reader(self.src, self.on_readable)

    def read_off(self) -> None:
        if self.reading:
            self.reading = False
            self.loop.remove_reader(self.src)

    def on_readable(self) -> None:
        flags = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK
        # Fill the pipe as far as the socket allows before writing: fewer, larger writes
        # mean fewer wake-ups for the receiving side.
        while self.pending < self.size:
            try:
                n = os.splice(self.src, self.w, self.size - self.pending, flags=flags)
            except BlockingIOError:
                break
            except OSError:
                self.tunnel.close()
                return
            if n == 0:  # end of stream from src
                self.read_off()
                self.done = True
                break
            self.pending += n
        if self.pending or self.done:
            self.drain()

    def drain(self) -> None:
        flags = os.SPLICE_F_MOVE | os.SPLICE_F_NONBLOCK
        while self.pending:
            try:
                self.pending -= os.splice(self.r, self.dst, self.pending, flags=flags)
            except BlockingIOError:
                self.read_off()  # dst is full: stop reading until it drains
                self.loop.add_writer(self.dst, self.on_writable)
                return
            except OSError:
                self.tunnel.close()
                return
        if self.done:
            with contextlib.suppress(OSError):
                self.dst_sock.shutdown(socket.SHUT_WR)
            self.tunnel.pump_finished()
        else:
            self.read_on()

    def on_writable(self) -> None:
        self.loop.remove_writer(self.dst)
        self.drain()

    def close(self) -> None:
        self.read_off()
        with contextlib.suppress(Exception):
            self.loop.remove_writer(self.dst)
        for fd in (self.r, self.w):
            with contextlib.suppress(OSError):
                os.close(fd)


class SpliceTunnel:
    def __init__(self, registry: Registry, client: socket.socket, upstream: socket.socket) -> None:
        self.loop = asyncio.get_running_loop()
        self.registry = registry
        self.socks = (client, upstream)
        self.closed = False
        self.pumps = (_Pump(self, client, upstream), _Pump(self, upstream, client))
        registry.add(self)

    def start(self) -> None:
        for pump in self.pumps:
            pump.read_on()

    def pump_finished(self) -> None:
        if all(p.done and not p.pending for p in self.pumps):
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.registry.discard(self)
        for pump in self.pumps:
            pump.close()
        for sock in self.socks:
            sock.close()

    abort = close
