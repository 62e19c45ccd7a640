"""One client connection of the blocking proxy, as asyncio protocols.

Protocols rather than streams: a blocked CONNECT is answered inside one ``data_received``
call, and tunnels relay transport to transport with flow control, which keeps the proxy
fast enough on a shared core (see bench/bench_proxy.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from deepworkzone.blocking import block_page
from deepworkzone.blocking.proxy_request import (
    BadRequest,
    Target,
    origin_head,
    parse_request_line,
    split_absolute_url,
    split_authority,
)
from deepworkzone.domain.hostnames import DomainMatcher

log = logging.getLogger(__name__)

MAX_HEAD = 64 * 1024
HEAD_TIMEOUT = 15.0
UPSTREAM_CONNECT_TIMEOUT = 10.0
# Large write buffers mean fewer pause/resume round trips on bulk tunnels.
WRITE_HIGH_WATER = 1 << 20
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True, slots=True)
class ProxyConfig:
    """What one request needs; replaced as a whole by ``update`` (an atomic swap)."""

    matcher: DomainMatcher
    ends_at: datetime | None
    pac_response: bytes
    port: int


@dataclass(slots=True)
class ProxyContext:
    config: ProxyConfig
    on_blocked: Callable[[str], None] | None = None
    connections: set[ClientProtocol] = field(default_factory=set)

    def blocked(self, host: str) -> None:
        if self.on_blocked is not None:
            try:
                self.on_blocked(host)
            except Exception:  # a UI callback must never take the proxy down
                log.exception("on_blocked callback failed")


class UpstreamProtocol(asyncio.Protocol):
    def __init__(self, client: ClientProtocol) -> None:
        self.client = client
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def data_received(self, data: bytes) -> None:
        self.client.send(data)

    def eof_received(self) -> bool:
        return self.client.upstream_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.close()

    def pause_writing(self) -> None:
        self.client.pause_reading()

    def resume_writing(self) -> None:
        self.client.resume_reading()


class ClientProtocol(asyncio.Protocol):
    """Reads one request head, then answers it, or relays bytes to the origin both ways."""

    def __init__(self, ctx: ProxyContext) -> None:
        self.ctx = ctx
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.state = "head"  # head -> connecting -> relay; or closed
        self.upstream: asyncio.Transport | None = None
        self.http_mode = False  # one plain HTTP request: close when the origin has answered
        self.client_eof = False
        self.upstream_eof_seen = False
        self.timer: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None

    # -- transport callbacks
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        self.ctx.connections.add(self)
        self.timer = asyncio.get_running_loop().call_later(HEAD_TIMEOUT, self._head_timeout)

    def data_received(self, data: bytes) -> None:
        if self.state == "relay":
            assert self.upstream is not None
            self.upstream.write(data)
            return
        if self.state != "head":
            self.buf += data  # arrived while the upstream connects; sent once it is up
            return
        data = self.buf + data if self.buf else data
        end = data.find(b"\r\n\r\n")
        if end < 0 or end > MAX_HEAD:
            if end > MAX_HEAD or len(data) > MAX_HEAD:
                self.reply(
                    block_page.error_response(
                        "431 Request Header Fields Too Large", "request head too large"
                    )
                )
            else:
                self.buf = data
            return
        self.buf = b""
        if self.timer is not None:
            self.timer.cancel()
        try:
            self._handle(data[:end], data[end + 4 :])
        except BadRequest as exc:
            self.reply(block_page.error_response(exc.status, exc.reason))
        except Exception:  # never let one odd request kill the listener
            log.exception("proxy request failed")
            self.reply(block_page.error_response("400 Bad Request", "bad request"))

    def eof_received(self) -> bool:
        self.client_eof = True
        if self.state == "relay" and self.upstream is not None and not self.upstream_eof_seen:
            if self.upstream.can_write_eof():
                self.upstream.write_eof()
            return True  # keep reading the origin's answer
        return self.state == "connecting"

    def connection_lost(self, exc: Exception | None) -> None:
        self.state = "closed"
        if self.timer is not None:
            self.timer.cancel()
        self.ctx.connections.discard(self)
        if self.upstream is not None:
            self.upstream.close()
        if self.task is not None and not self.task.done():
            self.task.cancel()

    def pause_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    # -- used by the upstream side
    def send(self, data: bytes) -> None:
        if self.transport is not None:
            self.transport.write(data)

    def pause_reading(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and self.state == "relay":
            self.transport.resume_reading()

    def upstream_eof(self) -> bool:
        self.upstream_eof_seen = True
        if self.http_mode or self.client_eof or self.transport is None:
            self.close()
            return False
        if self.transport.can_write_eof():
            self.transport.write_eof()  # half-close: the client may still be sending
        return True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()  # flushes what is buffered first

    def abort(self) -> None:
        if self.upstream is not None:
            self.upstream.abort()
        if self.transport is not None:
            self.transport.abort()

    # -- request handling
    def reply(self, response: bytes) -> None:
        self.state = "closed"
        assert self.transport is not None
        self.transport.write(response)
        self.transport.close()

    def _head_timeout(self) -> None:
        if self.state == "head":
            self.reply(
                block_page.error_response(
                    "408 Request Timeout", "request head not received in time"
                )
            )

    def _handle(self, head: bytes, rest: bytes) -> None:
        method, target, version, header_lines = parse_request_line(head)
        config = self.ctx.config
        if method == "CONNECT":
            dest = split_authority(target, None)
            if config.matcher.is_blocked(dest.host):
                self.reply(block_page.BLOCKED_CONNECT)
                self.ctx.blocked(dest.host)
                return
            self._open(dest, block_page.CONNECT_OK, rest, config)
        elif target.startswith("/"):
            self._serve_local(method, target, config)
        else:
            dest, path = split_absolute_url(target)
            if config.matcher.is_blocked(dest.host):
                self.reply(block_page.block_page(dest.host, config.ends_at))
                self.ctx.blocked(dest.host)
                return
            self.http_mode = True
            self._open(
                dest, b"", origin_head(method, path, version, header_lines, dest) + rest, config
            )

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

    def _open(self, dest: Target, reply: bytes, first: bytes, config: ProxyConfig) -> None:
        if dest.host in _LOOPBACK and dest.port == config.port:
            raise BadRequest("400 Bad Request", "the proxy does not proxy to itself")
        assert self.transport is not None
        self.state = "connecting"
        self.transport.pause_reading()
        self.task = asyncio.get_running_loop().create_task(self._connect(dest, reply, first))

    async def _connect(self, dest: Target, reply: bytes, first: bytes) -> None:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(UPSTREAM_CONNECT_TIMEOUT):
                transport, _ = await loop.create_connection(
                    lambda: UpstreamProtocol(self), dest.host, dest.port
                )
        except TimeoutError:
            if self.state == "connecting":
                self.reply(
                    block_page.error_response("504 Gateway Timeout", f"{dest.host} did not answer")
                )
            return
        except OSError as exc:
            if self.state == "connecting":
                self.reply(
                    block_page.error_response(
                        "502 Bad Gateway", f"cannot reach {dest.host}: {exc.strerror or exc}"
                    )
                )
            return
        if self.state != "connecting" or self.transport is None:
            transport.close()  # the client went away while we connected
            return
        self.upstream = transport
        self.state = "relay"
        if reply:
            self.transport.write(reply)
        pending, self.buf = first + self.buf, b""
        if pending:
            transport.write(pending)
        if self.client_eof and transport.can_write_eof():
            transport.write_eof()
        else:
            self.transport.resume_reading()
