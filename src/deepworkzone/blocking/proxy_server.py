"""Answering request heads: the hot path of the blocking proxy.

Raw non-blocking sockets on the event loop rather than transports: a blocked CONNECT costs an
accept, a recv, a send and a close, with no protocol objects, so thousands are answered per
second on a shared core. Requests that are let through are handed to proxy_relay.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

from deepworkzone.blocking import block_page
from deepworkzone.blocking.proxy_context import ProxyConfig, ProxyContext
from deepworkzone.blocking.proxy_relay import open_socket, start_relay
from deepworkzone.blocking.proxy_request import (
    BadRequest,
    Target,
    origin_head,
    parse_request_line,
    split_absolute_url,
    split_authority,
)

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
HEAD_TIMEOUT = 15.0
UPSTREAM_CONNECT_TIMEOUT = 10.0
_SWEEP_EVERY = 0.25
_ACCEPTS_PER_WAKEUP = 128
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class HeadReader:
    """One client connection until its request is answered or handed to a relay."""

    __slots__ = ("buf", "ctx", "fd", "linger", "loop", "out", "reading", "since", "sock", "task")

    def __init__(
        self, ctx: ProxyContext, loop: asyncio.AbstractEventLoop, sock: socket.socket
    ) -> None:
        self.ctx, self.loop, self.sock = ctx, loop, sock
        self.fd = sock.fileno()
        self.buf = b""
        self.since = time.monotonic()
        self.reading = False
        self.out: memoryview | None = None
        self.task: asyncio.Task[None] | None = None
        self.linger = False

    def start(self) -> None:
        self.ctx.heads[self.fd] = self
        self.on_readable()  # on loopback the head has often arrived with the connection

    def on_readable(self) -> None:
        try:
            data = self.sock.recv(MAX_HEAD + 4)
        except BlockingIOError:
            self._read_on()
            return
        except OSError:
            self.close()
            return
        if not data:
            self.close()
            return
        data = self.buf + data if self.buf else data
        end = data.find(b"\r\n\r\n")
        if end < 0 or end > MAX_HEAD:
            if end > MAX_HEAD or len(data) > MAX_HEAD:
                self.error("431 Request Header Fields Too Large", "request head too large")
            else:
                self.buf = data
                self._read_on()
            return
        self.buf = b""
        self._read_off()
        del self.ctx.heads[self.fd]
        self.ctx.busy.add(self)
        try:
            self._handle(data[:end], data[end + 4 :])
        except BadRequest as exc:
            self.error(exc.status, exc.reason)
        except Exception:  # never let one odd request kill the listener
            log.exception("proxy request failed")
            self.error("400 Bad Request", "bad request")

    def _read_on(self) -> None:
        if not self.reading:
            self.reading = True
            self.loop.add_reader(self.fd, self.on_readable)

    def _read_off(self) -> None:
        if self.reading:
            self.reading = False
            self.loop.remove_reader(self.fd)

    # -- answering
    def error(self, status: str, reason: str) -> None:
        """Answer a bad request; the client may still be sending, so read on before closing
        (closing with unread data would reset the connection and lose the answer)."""
        self.linger = True
        self.reply(block_page.error_response(status, reason))

    def reply(self, response: bytes) -> None:
        """Send ``response`` (without blocking the loop) and close."""
        self._read_off()
        self.ctx.heads.pop(self.fd, None)
        self.ctx.busy.add(self)
        try:
            sent = self.sock.send(response)
        except BlockingIOError:
            sent = 0
        except OSError:
            self.close()
            return
        if sent == len(response):
            self._finish()
        else:
            self.out = memoryview(response)[sent:]
            self.loop.add_writer(self.fd, self._write_more)

    def _write_more(self) -> None:
        assert self.out is not None
        try:
            sent = self.sock.send(self.out)
        except BlockingIOError:
            return
        except OSError:
            sent = len(self.out)
        self.out = self.out[sent:]
        if not self.out:
            self.loop.remove_writer(self.fd)
            self.out = None
            self._finish()

    def _finish(self) -> None:
        if not self.linger:
            self.close()
            return
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close()
            return
        self.loop.add_reader(self.fd, self._discard)
        self.reading = True
        self.loop.call_later(2.0, self.close)

    def _discard(self) -> None:
        try:
            if self.sock.recv(65536):
                return
        except BlockingIOError:
            return
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        if self.sock.fileno() < 0:
            return  # already closed (a lingering close's timer may fire late)
        self._read_off()
        if self.out is not None:
            self.loop.remove_writer(self.fd)
            self.out = None
        self.ctx.heads.pop(self.fd, None)
        self.ctx.busy.discard(self)
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.sock.close()

    abort = close

    def _handle(self, head: bytes, rest: bytes) -> None:
        method, target, version, header_lines = parse_request_line(head)
        config = self.ctx.config
        if method == "CONNECT":
            dest = split_authority(target, None)
            if config.matcher.is_blocked(dest.host):
                self.reply(block_page.BLOCKED_CONNECT)
                self.ctx.blocked(dest.host)
                return
            self._open(dest, block_page.CONNECT_OK, rest, False, config)
        elif target.startswith("/"):
            self._serve_local(method, target, config)
        else:
            dest, path = split_absolute_url(target)
            if config.matcher.is_blocked(dest.host):
                self.reply(block_page.block_page(dest.host, config.ends_at))
                self.ctx.blocked(dest.host)
                return
            head = origin_head(method, path, version, header_lines, dest)
            self._open(dest, b"", head + rest, True, config)

    def _serve_local(self, method: str, target: str, config: ProxyConfig) -> None:
        if method not in ("GET", "HEAD"):
            raise BadRequest("405 Method Not Allowed", "only GET and HEAD are served here")
        path = target.split("?", 1)[0]
        if path == "/proxy.pac":
            response = config.pac_response
        elif path == "/":
            response = block_page.status_page(
                len(config.matcher), config.matcher.allowlist_only, config.ends_at
            )
        else:
            response = block_page.error_response("404 Not Found", "not found")
        if method == "HEAD":
            response = response[: response.find(b"\r\n\r\n") + 4]
        self.reply(response)

    def _open(
        self, dest: Target, answer: bytes, first: bytes, http_mode: bool, config: ProxyConfig
    ) -> None:
        if dest.host in _LOOPBACK and dest.port == config.port:
            raise BadRequest("400 Bad Request", "the proxy does not proxy to itself")
        self.task = self.loop.create_task(self._connect(dest, answer, first, http_mode))

    async def _connect(self, dest: Target, answer: bytes, first: bytes, http_mode: bool) -> None:
        try:
            async with asyncio.timeout(UPSTREAM_CONNECT_TIMEOUT):
                upstream = await open_socket(dest.host, dest.port)
        except TimeoutError:
            self.reply(
                block_page.error_response("504 Gateway Timeout", f"{dest.host} did not answer")
            )
            return
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            self.reply(
                block_page.error_response("502 Bad Gateway", f"cannot reach {dest.host}: {reason}")
            )
            return
        try:
            if answer:
                await self.loop.sock_sendall(self.sock, answer)
            if first and not http_mode:
                await self.loop.sock_sendall(upstream, first)  # early data after CONNECT
                first = b""
        except OSError:
            upstream.close()
            self.close()
            return
        except BaseException:
            upstream.close()
            raise
        self.ctx.busy.discard(self)
        self.task = None
        start_relay(self.ctx.relays, self.sock, upstream, first, http_mode)
