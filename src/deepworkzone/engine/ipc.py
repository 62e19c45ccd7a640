"""The CLI's line to the running agent or app: one JSON request per connection, one answer.

A Unix domain socket, owner-only: the socket is 0600 inside a 0700 folder, and on Linux the
server also checks the peer's uid (SO_PEERCRED) and refuses anyone else. The protocol is in
docs/agent-protocol.md. Windows would use a named pipe; that is not written yet, so there
``call`` raises ``AgentNotRunning`` and ``IpcServer.start`` raises ``EngineError``.

Qt-free and thread-based: the server accepts on its own daemon thread and answers each
connection on a short-lived thread of its own, so one slow or silent client holds up no one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import socket
import stat
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from deepworkzone.core.paths import app_paths
from deepworkzone.core.redact import redact
from deepworkzone.engine.errors import EngineError, ServiceFailed

log = logging.getLogger(__name__)

PROTOCOL_VERSION = 1
OPS: frozenset[str] = frozenset({"status", "stop", "extend", "start", "ping", "handover"})
MAX_REQUEST = 64 * 1024
MAX_RESPONSE = 1024 * 1024
SOCKET_NAME = "agent.sock"
SUPPORTED = hasattr(socket, "AF_UNIX")

Handler = Callable[[str, dict[str, Any]], dict[str, Any]]

# sun_path is 108 bytes on Linux, 104 on macOS, counting the final NUL.
_SUN_PATH_MAX = 104 if sys.platform == "darwin" else 108


class AgentNotRunning(EngineError):
    """No agent or app answers: no socket, or a stale one left by a crashed process."""

    def __init__(self, path: Path | str | None = None, message: str | None = None) -> None:
        super().__init__(
            "agent_not_running",
            message or "Deep Work Zone is not running in the background",
            path=str(path) if path is not None else None,
        )


class _BadRequest(Exception):
    def __init__(self, message: str, code: str = "bad_request", **data: Any) -> None:
        super().__init__(message)
        self.code = code
        self.data = data


def default_socket_path() -> Path:
    """``$XDG_RUNTIME_DIR/deepworkzone/agent.sock`` when there is a runtime folder and no
    ``DEEPWORKZONE_HOME``; otherwise ``<state folder>/ipc/agent.sock``."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and not os.environ.get("DEEPWORKZONE_HOME") and os.path.isdir(runtime):
        return Path(runtime) / "deepworkzone" / SOCKET_NAME
    return app_paths().state_dir / "ipc" / SOCKET_NAME


@contextlib.contextmanager
def _address(path: Path) -> Iterator[str]:
    """An address ``bind``/``connect`` accept for ``path``, even past the sun_path limit.

    A long path is reached through its folder's descriptor on Linux
    (``/proc/self/fd/N/agent.sock``); elsewhere it is an error.
    """
    text = os.fspath(path)
    if len(os.fsencode(text)) < _SUN_PATH_MAX:
        yield text
        return
    if not sys.platform.startswith("linux"):
        raise EngineError(
            "ipc_path_too_long", "the socket path is too long for this system", path=text
        )
    try:
        dir_fd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise AgentNotRunning(path) from None
    try:
        short = f"/proc/self/fd/{dir_fd}/{path.name}"
        if len(os.fsencode(short)) >= _SUN_PATH_MAX:
            raise EngineError("ipc_path_too_long", "the socket name is too long", path=text)
        yield short
    finally:
        os.close(dir_fd)


def _unix_socket() -> socket.socket:
    # getattr: Windows builds of Python have no AF_UNIX, and this module must import there.
    return socket.socket(getattr(socket, "AF_UNIX"), socket.SOCK_STREAM)  # noqa: B009


def _peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end, where the OS tells it (Linux)."""
    so_peercred = getattr(socket, "SO_PEERCRED", None)
    if so_peercred is None:
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, so_peercred, struct.calcsize("iII"))
    _pid, uid, _gid = struct.unpack("iII", creds)
    return int(uid)


def _encode(answer: dict[str, Any]) -> bytes:
    return json.dumps(answer, separators=(",", ":"), default=str).encode("utf-8") + b"\n"


def _error(
    code: str, message: str, data: dict[str, Any] | None = None, kind: str = "user"
) -> bytes:
    return _encode(
        {
            "ok": False,
            "error": {"code": code, "message": message, "data": data or {}, "kind": kind},
        }
    )


def _parse_request(raw: bytes) -> tuple[str, dict[str, Any]]:
    try:
        request = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _BadRequest("the request is not one line of JSON") from None
    if not isinstance(request, dict):
        raise _BadRequest("the request must be a JSON object")
    version = request.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _BadRequest('the request needs "v", the protocol version')
    if version != PROTOCOL_VERSION:
        raise _BadRequest(
            f"protocol version {version} is not supported",
            code="unsupported_version",
            supported=[PROTOCOL_VERSION],
        )
    op = request.get("op")
    if not isinstance(op, str):
        raise _BadRequest('the request needs "op", a string')
    if op not in OPS:
        raise _BadRequest(f"unknown operation: {op[:40]}", code="unknown_op", ops=sorted(OPS))
    args = request.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise _BadRequest('"args" must be a JSON object')
    return op, args


class IpcServer:
    """Answers requests on ``path`` (default: ``default_socket_path()``) with ``handler``.

    ``handler(op, args)`` returns the result object. It runs on a connection thread, one per
    client, so it must be thread-safe. An ``EngineError`` it raises is sent back as that
    error; anything else as ``internal``, logged here and never shown to the client.
    ``ping`` is answered by the server itself.

    Start it only while holding the instance lock: ``start`` removes a stale socket file.
    """

    def __init__(
        self,
        handler: Handler,
        path: Path | str | None = None,
        *,
        read_timeout: float = 2.0,
        max_connections: int = 32,
    ) -> None:
        self.handler = handler
        self.path = Path(path) if path is not None else default_socket_path()
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.allowed_uid: int | None = os.geteuid() if hasattr(os, "geteuid") else None
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[threading.Thread] = set()
        self._identity: tuple[int, int] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> IpcServer:
        if not SUPPORTED:
            raise EngineError(
                "ipc_unsupported",
                "background control is not available on this system yet",
                kind="service",
            )
        if self._thread is not None:
            raise RuntimeError("the IPC server is already started")
        self._prepare_folder()
        self._remove_stale()
        listener = _unix_socket()
        bound = False
        try:
            with _address(self.path) as address:
                listener.bind(address)
            bound = True
            os.chmod(self.path, 0o600)
            st = os.stat(self.path)
            self._identity = (st.st_dev, st.st_ino)
            listener.listen(64)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            if bound:
                with contextlib.suppress(OSError):
                    self.path.unlink()
            raise
        self._listener = listener
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._accept_loop, name="deepworkzone-ipc", daemon=True
        )
        self._thread.start()
        log.info("listening for control requests on %s", self.path)
        return self

    def stop(self, timeout: float = 0.5) -> None:
        """Stop accepting, close and remove the socket; returns within about ``timeout``.

        Requests being answered get what is left of ``timeout`` to finish; their threads are
        daemons, so one stuck in a handler never keeps the process alive. Safe to call from a
        handler (its own thread is not waited for) and more than once.
        """
        deadline = time.monotonic() + timeout
        self._stopping.set()
        if self._wake_w is not None:
            with contextlib.suppress(OSError):
                self._wake_w.send(b"x")
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._unlink_own_socket()
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None
        with self._lock:
            pending = [t for t in self._connections if t is not threading.current_thread()]
        for conn_thread in pending:
            conn_thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> IpcServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- set-up ------------------------------------------------------------------------------

    def _prepare_folder(self) -> None:
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True)
            os.chmod(folder, 0o700)  # mkdir's mode passes through the umask
        except FileExistsError:
            pass
        st = os.stat(folder)
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            raise EngineError(
                "ipc_insecure_folder", "the socket folder belongs to someone else", path=str(folder)
            )
        if stat.S_IMODE(st.st_mode) & 0o077:
            raise EngineError(
                "ipc_insecure_folder",
                "the socket folder is open to other users (it must be 0700)",
                path=str(folder),
                mode=oct(stat.S_IMODE(st.st_mode)),
            )

    def _remove_stale(self) -> None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        if not stat.S_ISSOCK(st.st_mode):
            raise EngineError(
                "ipc_path_taken",
                "something that is not a socket is in the way",
                path=str(self.path),
            )
        probe = _unix_socket()
        probe.settimeout(1.0)
        try:
            with _address(self.path) as address:
                probe.connect(address)
        except (ConnectionRefusedError, FileNotFoundError):
            log.info("removing a stale control socket at %s", self.path)
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        except OSError:
            pass  # a live but busy server, or one we may not reach: do not remove it
        finally:
            probe.close()
        raise EngineError(
            "already_running", "another process answers on the control socket", path=str(self.path)
        )

    def _unlink_own_socket(self) -> None:
        """Remove the socket file, unless a newer server has already replaced it."""
        identity, self._identity = self._identity, None
        if identity is None:
            return
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return
        if (st.st_dev, st.st_ino) == identity:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    # -- serving -----------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        listener, wake = self._listener, self._wake_r
        assert listener is not None and wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(listener, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while not self._stopping.is_set():
                try:
                    ready = selector.select(timeout=1.0)
                except (OSError, ValueError):
                    break  # closed under us by stop()
                for key, _ in ready:
                    if key.fileobj is wake:
                        return
                    try:
                        conn, _addr = listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError:
                        if self._stopping.is_set():
                            return
                        log.exception("accepting a control connection failed")
                        time.sleep(0.05)  # e.g. out of descriptors: do not spin
                        continue
                    self._dispatch(conn)

    def _dispatch(self, conn: socket.socket) -> None:
        conn.setblocking(True)
        with self._lock:
            busy = len(self._connections) >= self.max_connections
            if not busy:
                thread = threading.Thread(
                    target=self._serve, args=(conn,), name="deepworkzone-ipc-conn", daemon=True
                )
                self._connections.add(thread)
        if busy:
            with contextlib.suppress(OSError):
                conn.settimeout(0.2)
                conn.sendall(_error("busy", "too many requests at once; try again", kind="service"))
            conn.close()
            return
        thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                answer = self._answer(conn)
                conn.settimeout(self.read_timeout)
                with contextlib.suppress(OSError):
                    conn.sendall(answer)
                    conn.shutdown(socket.SHUT_WR)
        except Exception:
            log.exception("a control connection failed")
        finally:
            with self._lock:
                self._connections.discard(threading.current_thread())

    def _answer(self, conn: socket.socket) -> bytes:
        if self.allowed_uid is not None:
            try:
                uid = _peer_uid(conn)
            except OSError:
                uid = None
            if uid is not None and uid != self.allowed_uid:
                log.warning("refused a control connection from uid %s", uid)
                return _error("forbidden", "only the user running Deep Work Zone may control it")
        try:
            op, args = _parse_request(self._read_request(conn))
        except _BadRequest as exc:
            return _error(exc.code, str(exc), exc.data)
        if op == "ping":
            return _encode(
                {"ok": True, "result": {"pong": True, "pid": os.getpid(), "v": PROTOCOL_VERSION}}
            )
        try:
            result = self.handler(op, args)
            if not isinstance(result, dict):
                raise TypeError(f"the handler returned {type(result).__name__}, not a dict")
            return json.dumps({"ok": True, "result": result}).encode("utf-8") + b"\n"
        except EngineError as exc:
            return _error(exc.code, redact(str(exc)), exc.data, exc.kind)
        except Exception:
            log.exception("the %s request failed", op)
            return _error(
                "internal",
                "the agent failed to handle the request; its log has the details",
                kind="service",
            )

    def _read_request(self, conn: socket.socket) -> bytes:
        """Up to the first newline (or the client's end of sending), bounded in size and time."""
        deadline = time.monotonic() + self.read_timeout
        buffer = bytearray()
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _BadRequest("no complete request in time", timeout=self.read_timeout)
            conn.settimeout(left)
            try:
                chunk = conn.recv(8192)
            except TimeoutError:
                raise _BadRequest(
                    "no complete request in time", timeout=self.read_timeout
                ) from None
            except OSError as exc:
                raise _BadRequest(f"the request could not be read: {exc.strerror}") from None
            if not chunk:
                if not buffer:
                    raise _BadRequest("empty request")
                return bytes(buffer)
            newline = chunk.find(b"\n")
            if newline >= 0:
                buffer += chunk[:newline]
                if len(buffer) > MAX_REQUEST:
                    break
                return bytes(buffer)
            buffer += chunk
            if len(buffer) > MAX_REQUEST:
                break
        raise _BadRequest(f"the request is larger than {MAX_REQUEST} bytes", limit=MAX_REQUEST)


def call(
    op: str,
    args: dict[str, Any] | None = None,
    path: Path | str | None = None,
    timeout: float = 5.0,
) -> dict[str, Any]:
    """Send one request to the running agent or app and return its ``result``.

    Raises ``AgentNotRunning`` when nothing listens (no socket, or a stale one), the
    ``EngineError`` the other side answered with (same code, message, data and kind), or
    ``ServiceFailed`` when the answer is missing, late or unreadable.
    """
    target = Path(path) if path is not None else default_socket_path()
    if not SUPPORTED:
        raise AgentNotRunning(target, "background control is not available on this system yet")
    request = json.dumps({"v": PROTOCOL_VERSION, "op": op, "args": args or {}}).encode("utf-8")
    if len(request) > MAX_REQUEST:
        raise EngineError("bad_request", "the request is too large", limit=MAX_REQUEST)
    deadline = time.monotonic() + timeout
    sock = _unix_socket()
    try:
        sock.settimeout(timeout)
        try:
            with _address(target) as address:
                sock.connect(address)
        except (FileNotFoundError, ConnectionRefusedError, NotADirectoryError):
            raise AgentNotRunning(target) from None
        except PermissionError:
            raise EngineError(
                "forbidden", "the control socket belongs to another user", path=str(target)
            ) from None
        except TimeoutError:
            raise ServiceFailed(
                "agent_timeout", "Deep Work Zone did not answer in time", path=str(target)
            ) from None
        except OSError as exc:
            raise ServiceFailed(
                "agent_unreachable",
                f"could not reach Deep Work Zone: {exc.strerror or exc}",
                path=str(target),
            ) from None
        try:
            # Answered and closed before reading (busy, forbidden): the answer is still there.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(request + b"\n")
            raw = _read_answer(sock, deadline)
        except TimeoutError:
            raise ServiceFailed(
                "agent_timeout", "Deep Work Zone did not answer in time", path=str(target)
            ) from None
        except OSError as exc:
            raise ServiceFailed(
                "agent_no_answer", f"the connection to Deep Work Zone broke: {exc.strerror}"
            ) from None
    finally:
        sock.close()
    return _result(raw)


def _read_answer(sock: socket.socket, deadline: float) -> bytes:
    buffer = bytearray()
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > MAX_RESPONSE:
            raise ServiceFailed("bad_response", "the answer from Deep Work Zone is too large")
    return bytes(buffer).split(b"\n", 1)[0]


def _result(raw: bytes) -> dict[str, Any]:
    if not raw:
        raise ServiceFailed("agent_no_answer", "Deep Work Zone closed the connection unanswered")
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ServiceFailed("bad_response", "the answer from Deep Work Zone is not JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise ServiceFailed("bad_response", "the answer from Deep Work Zone is malformed")
    if answer["ok"]:
        result = answer.get("result", {})
        if not isinstance(result, dict):
            raise ServiceFailed("bad_response", "the answer's result is not an object")
        return result
    error = answer.get("error")
    if not isinstance(error, dict):
        raise ServiceFailed("bad_response", "the error answer is malformed")
    code = str(error.get("code") or "unknown")
    message = str(error.get("message") or code)
    kind = "service" if error.get("kind") == "service" else "user"
    exc = ServiceFailed(code, message) if kind == "service" else EngineError(code, message)
    data = error.get("data")
    # Set, not passed: keys such as "kind" or "code" would clash with EngineError's own.
    exc.data = dict(data) if isinstance(data, dict) else {}
    raise exc
