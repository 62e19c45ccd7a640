"""The blocking proxy: an asyncio server on 127.0.0.1, on its own daemon thread.

Plain HTTP to a blocked host gets a 403 block page, CONNECT to a blocked host a bare 403
(browsers never show bodies of failed CONNECTs), anything else is tunnelled. The same port
serves ``/proxy.pac``, which sends only blocked hosts here, so normal browsing never passes
through this process at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from datetime import datetime

from deepworkzone.blocking import block_page
from deepworkzone.blocking.pac import PAC_CONTENT_TYPE, build_pac
from deepworkzone.blocking.proxy_context import ProxyConfig, ProxyContext
from deepworkzone.blocking.proxy_listener import Listener
from deepworkzone.domain.hostnames import DomainMatcher

log = logging.getLogger(__name__)

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BlockingProxy:
    def __init__(
        self,
        matcher: DomainMatcher,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ends_at: datetime | None = None,
        on_blocked: Callable[[str], None] | None = None,
    ) -> None:
        """``on_blocked(host)`` runs on the proxy thread for every refused request (keep it
        quick: e.g. post a desktop notification), since HTTPS block pages are impossible."""
        if not _is_loopback(host):
            # Listening on a LAN address would make this an open proxy for the network.
            raise ValueError(f"the blocking proxy only listens on loopback, not {host!r}")
        if not 0 <= port < 65536:
            raise ValueError(f"{port} is not a TCP port (use 1-65535, or 0 for any free port)")
        self._matcher = matcher
        self._host = host
        self._requested_port = port
        self._ends_at = ends_at
        self._on_blocked = on_blocked
        self._port = port
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ctx: ProxyContext | None = None

    @property
    def port(self) -> int:
        return self._port

    @property
    def pac_url(self) -> str:
        if not self._port:
            raise RuntimeError("the proxy has no port until start() has run")
        return f"http://127.0.0.1:{self._port}/proxy.pac"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _config(self) -> ProxyConfig:
        pac = build_pac(self._matcher, "127.0.0.1", self._port).encode("utf-8")
        return ProxyConfig(
            matcher=self._matcher,
            ends_at=self._ends_at,
            pac_response=block_page.response("200 OK", PAC_CONTENT_TYPE, pac),
            port=self._port,
        )

    def start(self) -> None:
        """Listen and serve on a daemon thread; returns once the port accepts connections."""
        with self._lock:
            if self._thread is not None:
                return
            ready = threading.Event()
            failure: list[BaseException] = []
            thread = threading.Thread(
                target=self._run, args=(ready, failure), name="dwz-proxy", daemon=True
            )
            thread.start()
            if not ready.wait(_START_TIMEOUT):
                failure.append(TimeoutError("the blocking proxy did not start in time"))
            if failure:
                thread.join(_STOP_TIMEOUT)
                error = failure[0]
                if isinstance(error, OSError):
                    raise OSError(
                        error.errno,
                        f"The blocking proxy cannot listen on {self._host}:{self._requested_port}"
                        f" ({error.strerror or error}). Another program may be using that port;"
                        " choose another port, or 0 for any free one.",
                    ) from error
                raise error
            self._thread = thread
            log.info("blocking proxy listening on %s:%d", self._host, self._port)

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        try:
            family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
            sock = socket.create_server(
                (self._host, self._requested_port), family=family, backlog=1024
            )
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            return
        if hasattr(socket, "TCP_DEFER_ACCEPT"):
            # Linux: wake us only once the request has arrived (browsers always speak first),
            # so most connections are answered without ever being registered with epoll.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 5)
        # A selector loop everywhere: the accept path uses add_reader, which the Windows
        # default (proactor) loop lacks.
        loop: asyncio.AbstractEventLoop = asyncio.SelectorEventLoop()
        self._port = sock.getsockname()[1]
        ctx = ProxyContext(self._config(), on_blocked=self._on_blocked)
        listener = Listener(ctx, loop, sock)
        self._ctx, self._loop = ctx, loop
        ready.set()
        try:
            loop.run_forever()
        finally:
            listener.close()
            with contextlib.suppress(Exception):
                loop.run_until_complete(self._drain(loop))
            loop.close()

    @staticmethod
    async def _drain(loop: asyncio.AbstractEventLoop) -> None:
        tasks = [t for t in asyncio.all_tasks(loop) if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)  # let connection_lost callbacks run
        await asyncio.wait_for(loop.shutdown_default_executor(), _STOP_TIMEOUT)

    def stop(self) -> None:
        """Close the listener and every open connection, and end the thread. Idempotent."""
        with self._lock:
            thread, loop = self._thread, self._loop
            self._thread = None
            if thread is None or loop is None:
                return
            with contextlib.suppress(RuntimeError):  # loop already closed
                loop.call_soon_threadsafe(loop.stop)
            thread.join(_STOP_TIMEOUT)
            self._loop = None
            self._ctx = None
            log.info("blocking proxy on port %d stopped", self._port)

    @property
    def matcher(self) -> DomainMatcher:
        return self._matcher

    def update(self, matcher: DomainMatcher, ends_at: datetime | None) -> None:
        """Swap the lists and end time; requests already answered are not revisited."""
        with self._lock:
            self._matcher = matcher
            self._ends_at = ends_at
            if self._ctx is not None:
                # One attribute assignment: the loop thread sees the old or the new config.
                self._ctx.config = self._config()
