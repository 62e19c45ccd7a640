"""A threaded HTTP server on 127.0.0.1:0 that hands each request to a fake service, and the
base the fake services share."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol


class Service(Protocol):
    def handle(self, request: Request) -> tuple[int, Any, dict[str, str]]: ...


class Request:
    def __init__(self, method: str, path: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.path, self.headers, self.body = method, path, headers, body


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client killed mid-call (the kill suite does it on purpose) is no server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    def __init__(self, service: Service) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(self.command, self.path, headers, body)
                hook = getattr(service, "on_request", None)
                if hook is not None:
                    hook(request)  # e.g. the kill suite's SIGKILL while a call is in flight
                status, payload, extra = service.handle(request)
                if payload is None:
                    data, ctype = b"", None
                elif isinstance(payload, str):
                    data, ctype = payload.encode(), "text/plain"
                else:
                    data, ctype = json.dumps(payload).encode(), "application/json; charset=utf-8"
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for key, value in extra.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeService:
    """A fake web service on its own LocalServer, with a lock around its state and a clock that
    a test moves forward (``advance``) to play the service's expiries.

    Subclasses set up their state first and call ``super().__init__()`` last: the server answers
    as soon as it starts.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.offset = 0.0
        self.on_request: Callable[[Request], None] | None = None
        """Called with each request as it arrives, before the service handles it."""
        self._server = LocalServer(self)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.port}"

    def close(self) -> None:
        self._server.close()

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def handle(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError
