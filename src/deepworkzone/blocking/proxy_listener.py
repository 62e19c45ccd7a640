"""The listening socket of the blocking proxy: accepts, and times out slow request heads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time

from deepworkzone.blocking import block_page, proxy_server
from deepworkzone.blocking.proxy_context import ProxyContext
from deepworkzone.blocking.proxy_server import HeadReader

log = logging.getLogger(__name__)

_SWEEP_EVERY = 0.25
_ACCEPTS_PER_WAKEUP = 128


class Listener:
    """Accepts on a bound listening socket and starts a HeadReader per connection."""

    def __init__(
        self, ctx: ProxyContext, loop: asyncio.AbstractEventLoop, sock: socket.socket
    ) -> None:
        self.ctx, self.loop, self.sock = ctx, loop, sock
        sock.setblocking(False)
        loop.add_reader(sock.fileno(), self._accept)
        self._sweeper = loop.call_later(_SWEEP_EVERY, self._sweep)

    def _accept(self) -> None:
        for _ in range(_ACCEPTS_PER_WAKEUP):
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: keep the listener alive
                log.warning("proxy accept failed: %s", exc)
                return
            conn.setblocking(False)
            HeadReader(self.ctx, self.loop, conn).start()

    def _sweep(self) -> None:
        """One timer for all connections: a per-connection timer costs more than a request."""
        deadline = time.monotonic() - proxy_server.HEAD_TIMEOUT  # read late: tests shorten it
        for reader in [r for r in self.ctx.heads.values() if r.since < deadline]:
            reader.reply(
                block_page.error_response(
                    "408 Request Timeout", "request head not received in time"
                )
            )
        self._sweeper = self.loop.call_later(_SWEEP_EVERY, self._sweep)

    def close(self) -> None:
        """Stop listening and drop every open connection and tunnel."""
        self._sweeper.cancel()
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self.sock.fileno())
        self.sock.close()
        for reader in [*self.ctx.heads.values(), *self.ctx.busy]:
            reader.abort()
        for relay in list(self.ctx.relays):
            relay.abort()
