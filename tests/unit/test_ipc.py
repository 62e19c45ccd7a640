"""The control socket: round trips, error mapping, hostile clients, crashes, permissions."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.core.paths import app_paths
from deepworkzone.engine import ipc
from deepworkzone.engine.errors import EngineError, ServiceFailed
from deepworkzone.engine.ipc import AgentNotRunning, IpcServer, call, default_socket_path

pytestmark = pytest.mark.skipif(not ipc.SUPPORTED, reason="no Unix domain sockets here")


@pytest.fixture
def sock_dir() -> Iterator[Path]:
    """A short private folder: pytest's tmp_path can be longer than sun_path allows."""
    folder = Path(tempfile.mkdtemp(prefix="dwz-ipc-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sock_path(sock_dir: Path) -> Path:
    return sock_dir / "agent.sock"


def echo(op: str, args: dict[str, Any]) -> dict[str, Any]:
    if op == "stop" and args.get("boom"):
        raise RuntimeError("kaboom with Bearer sekrit-token-123")
    if op == "stop":
        raise EngineError("no_session", "no session is running", kind="user", since=3)
    if op == "extend":
        raise ServiceFailed("helper_failed", "the helper refused")
    return {"op": op, "args": args}


@pytest.fixture
def server(sock_path: Path) -> Iterator[IpcServer]:
    srv = IpcServer(echo, sock_path, read_timeout=0.5).start()
    try:
        yield srv
    finally:
        srv.stop()


def raw_exchange(path: Path, payload: bytes, *, shut: bool = True) -> dict[str, Any]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(5)
        conn.connect(str(path))
        conn.sendall(payload)
        if shut:
            conn.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    assert data.endswith(b"\n") and data.count(b"\n") == 1
    answer: dict[str, Any] = json.loads(data)
    return answer


def test_round_trip_and_ping(server: IpcServer, sock_path: Path) -> None:
    assert call("status", {"verbose": True, "n": [1, 2]}, path=sock_path) == {
        "op": "status",
        "args": {"verbose": True, "n": [1, 2]},
    }
    assert call("start", path=sock_path) == {"op": "start", "args": {}}
    pong = call("ping", path=sock_path)
    assert pong == {"pong": True, "pid": os.getpid(), "v": 1}


def test_engine_errors_come_back_with_code_message_data_and_kind(
    server: IpcServer, sock_path: Path
) -> None:
    with pytest.raises(EngineError) as caught:
        call("stop", path=sock_path)
    err = caught.value
    assert type(err) is EngineError
    assert (err.code, str(err), err.data, err.kind) == (
        "no_session",
        "no session is running",
        {"since": 3},
        "user",
    )
    with pytest.raises(ServiceFailed) as failed:
        call("extend", {"minutes": 5}, path=sock_path)
    assert failed.value.code == "helper_failed" and failed.value.exit_code == 2


def test_other_exceptions_are_internal_and_leak_nothing(
    server: IpcServer, sock_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    answer = raw_exchange(sock_path, b'{"v": 1, "op": "stop", "args": {"boom": true}}\n')
    assert answer["ok"] is False
    assert answer["error"]["code"] == "internal"
    text = json.dumps(answer)
    assert "kaboom" not in text and "sekrit" not in text and "Traceback" not in text
    assert "kaboom" in caplog.text  # it is in the agent's own (redacted) log instead
    with pytest.raises(EngineError) as caught:
        call("stop", {"boom": True}, path=sock_path)
    assert caught.value.code == "internal"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"not json\n", "bad_request"),
        (b"[1, 2]\n", "bad_request"),
        (b'{"op": "status"}\n', "bad_request"),
        (b'{"v": "1", "op": "status"}\n', "bad_request"),
        (b'{"v": 1, "op": 5}\n', "bad_request"),
        (b'{"v": 1, "op": "status", "args": [1]}\n', "bad_request"),
        (b'{"v": 1, "op": "reboot"}\n', "unknown_op"),
        (b'{"v": 2, "op": "status"}\n', "unsupported_version"),
        (b"\xff\xfe\n", "bad_request"),
        (b"", "bad_request"),
    ],
)
def test_malformed_requests_are_bad_requests(
    server: IpcServer, sock_path: Path, payload: bytes, code: str
) -> None:
    answer = raw_exchange(sock_path, payload)
    assert answer["ok"] is False and answer["error"]["code"] == code


def test_a_request_without_newline_ends_at_the_clients_eof(
    server: IpcServer, sock_path: Path
) -> None:
    answer = raw_exchange(sock_path, b'{"v": 1, "op": "status", "args": {"a": 1}}')
    assert answer == {"ok": True, "result": {"op": "status", "args": {"a": 1}}}


def test_requests_are_bounded_in_size(server: IpcServer, sock_path: Path) -> None:
    huge = b'{"v": 1, "op": "status", "args": {"x": "' + b"a" * (ipc.MAX_REQUEST + 10)
    answer = raw_exchange(sock_path, huge, shut=False)
    assert answer["error"]["code"] == "bad_request"
    assert answer["error"]["data"] == {"limit": ipc.MAX_REQUEST}
    with pytest.raises(EngineError):
        call("status", {"x": "a" * ipc.MAX_REQUEST}, path=sock_path)
    assert call("status", path=sock_path)["op"] == "status"  # still serving


def test_a_silent_client_is_cut_off_and_stalls_no_one(server: IpcServer, sock_path: Path) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as silent:
        silent.connect(str(sock_path))
        silent.sendall(b'{"v": 1, "op"')  # and then nothing
        started = time.monotonic()
        assert call("status", path=sock_path)["op"] == "status"
        assert time.monotonic() - started < 0.3
        silent.settimeout(3)
        answer = json.loads(silent.recv(65536))
        assert answer["error"]["code"] == "bad_request"
        assert 0.4 < time.monotonic() - started < 2.0  # read_timeout is 0.5 s


def test_ten_clients_at_once(sock_path: Path) -> None:
    entered = threading.Barrier(10, timeout=5)

    def slow(op: str, args: dict[str, Any]) -> dict[str, Any]:
        entered.wait()  # passes only when all ten requests are being handled together
        return {"n": args["n"]}

    results: dict[int, Any] = {}

    def client(n: int) -> None:
        try:
            results[n] = call("status", {"n": n}, path=sock_path)
        except Exception as exc:
            results[n] = exc

    with IpcServer(slow, sock_path):
        threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results == {n: {"n": n} for n in range(10)}


def test_too_many_connections_are_told_busy(sock_path: Path) -> None:
    release = threading.Event()

    def blocking(op: str, args: dict[str, Any]) -> dict[str, Any]:
        release.wait(5)
        return {}

    with IpcServer(blocking, sock_path, max_connections=2):
        hung = [threading.Thread(target=call, args=("status",), kwargs={"path": sock_path})]
        hung.append(threading.Thread(target=call, args=("status",), kwargs={"path": sock_path}))
        for thread in hung:
            thread.start()
        time.sleep(0.3)
        with pytest.raises(ServiceFailed) as caught:
            call("status", path=sock_path)
        assert caught.value.code == "busy"
        release.set()
        for thread in hung:
            thread.join(5)


_SERVER = textwrap.dedent(
    """
    import sys, time
    from deepworkzone.engine.ipc import IpcServer
    IpcServer(lambda op, args: {"from": "child"}, sys.argv[1]).start()
    print("ready", flush=True)
    time.sleep(120)
    """
)


def test_a_stale_socket_after_kill_9_means_not_running_then_is_replaced(sock_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(sock_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        assert call("status", path=sock_path) == {"from": "child"}
        # A live server is never pushed aside.
        with pytest.raises(EngineError) as caught:
            IpcServer(echo, sock_path).start()
        assert caught.value.code == "already_running"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)  # left behind
    with pytest.raises(AgentNotRunning) as gone:
        call("status", path=sock_path)
    assert gone.value.code == "agent_not_running" and gone.value.data["path"] == str(sock_path)
    with IpcServer(echo, sock_path):
        assert call("status", path=sock_path)["op"] == "status"
    assert not sock_path.exists()


def test_no_socket_at_all_is_not_running(sock_dir: Path) -> None:
    with pytest.raises(AgentNotRunning):
        call("status", path=sock_dir / "none.sock")
    with pytest.raises(AgentNotRunning):
        call("status", path=sock_dir / "no-such-folder" / "agent.sock")
    (sock_dir / "plain").write_text("not a socket")
    with pytest.raises(AgentNotRunning):
        call("status", path=sock_dir / "plain")


def test_owner_only_permissions(sock_dir: Path) -> None:
    path = sock_dir / "private" / "agent.sock"
    old = os.umask(0)  # even with a careless umask
    try:
        srv = IpcServer(echo, path).start()
    finally:
        os.umask(old)
    try:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    finally:
        srv.stop()
    open_folder = sock_dir / "open"
    open_folder.mkdir()
    open_folder.chmod(0o755)
    with pytest.raises(EngineError) as caught:
        IpcServer(echo, open_folder / "agent.sock").start()
    assert caught.value.code == "ipc_insecure_folder"
    (sock_dir / "file.sock").write_text("x")
    with pytest.raises(EngineError) as taken:
        IpcServer(echo, sock_dir / "file.sock").start()
    assert taken.value.code == "ipc_path_taken"


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="SO_PEERCRED is Linux only")
def test_peers_of_another_uid_are_refused(server: IpcServer, sock_path: Path) -> None:
    server.allowed_uid = os.geteuid() + 1  # as if we were someone else
    with pytest.raises(EngineError) as caught:
        call("status", path=sock_path)
    assert caught.value.code == "forbidden"
    server.allowed_uid = os.geteuid()
    assert call("status", path=sock_path)["op"] == "status"


def test_stop_returns_within_a_second_even_when_busy(sock_path: Path) -> None:
    hold = threading.Event()

    def stuck(op: str, args: dict[str, Any]) -> dict[str, Any]:
        hold.wait(30)
        return {}

    srv = IpcServer(stuck, sock_path, read_timeout=30).start()
    accept_thread = srv._thread
    assert accept_thread is not None
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(str(sock_path))
    outcome: list[object] = []

    def in_flight() -> None:
        try:
            outcome.append(call("status", path=sock_path, timeout=3))
        except EngineError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=in_flight)
    caller.start()
    time.sleep(0.2)
    try:
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 1.0
        assert not accept_thread.is_alive()
        assert not sock_path.exists()
        with pytest.raises(AgentNotRunning):
            call("status", path=sock_path)
        srv.stop()  # twice is fine
    finally:
        hold.set()
        silent.close()
        caller.join(5)
    assert outcome == [{}]  # the request in flight was still answered once the handler ended


def test_stop_from_inside_a_handler(sock_path: Path) -> None:
    holder: list[IpcServer] = []

    def stopper(op: str, args: dict[str, Any]) -> dict[str, Any]:
        holder[0].stop()
        return {"stopping": True}

    holder.append(IpcServer(stopper, sock_path).start())
    started = time.monotonic()
    assert call("stop", path=sock_path) == {"stopping": True}
    assert time.monotonic() - started < 1.0
    assert not sock_path.exists()


def test_a_long_socket_path_still_works(sock_dir: Path) -> None:
    deep = sock_dir
    while len(str(deep)) < 120:
        deep = deep / "a-rather-long-folder-name"
    path = deep / "agent.sock"
    deep.mkdir(parents=True, mode=0o700)
    deep.chmod(0o700)
    if not sys.platform.startswith("linux"):
        with pytest.raises(EngineError):
            IpcServer(echo, path).start()
        return
    with IpcServer(echo, path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert call("status", path=path)["op"] == "status"
    assert not path.exists()


def test_default_socket_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_socket_path() == app_paths().state_dir / "ipc" / "agent.sock"
    monkeypatch.delenv("DEEPWORKZONE_HOME")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert default_socket_path() == tmp_path / "deepworkzone" / "agent.sock"


def test_default_paths_work_under_a_test_home(isolated_home: Path) -> None:
    # pytest homes are deep; the long-path fallback keeps the default usable there too.
    with IpcServer(echo):
        assert call("status")["op"] == "status"
        assert stat.S_IMODE(os.stat(default_socket_path().parent).st_mode) == 0o700


def test_unreadable_answers_are_service_failures(sock_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(sock_path))
    listener.listen(4)
    replies = [b"garbage\n", b"", b'{"ok": true, "result": [1]}\n']

    def fake_server() -> None:
        for reply in replies:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    thread = threading.Thread(target=fake_server, daemon=True)
    thread.start()
    try:
        for expected in ("bad_response", "agent_no_answer", "bad_response"):
            with pytest.raises(ServiceFailed) as caught:
                call("status", path=sock_path, timeout=3)
            assert caught.value.code == expected
    finally:
        thread.join(5)
        listener.close()


def test_a_server_that_never_answers_times_out(sock_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(sock_path))
    listener.listen(1)
    try:
        started = time.monotonic()
        with pytest.raises(ServiceFailed) as caught:
            call("status", path=sock_path, timeout=0.3)
        assert caught.value.code == "agent_timeout"
        assert time.monotonic() - started < 2
    finally:
        listener.close()


def test_without_unix_sockets_clients_see_not_running(
    monkeypatch: pytest.MonkeyPatch, sock_path: Path
) -> None:
    monkeypatch.setattr(ipc, "SUPPORTED", False)  # as on Windows, until named pipes exist
    with pytest.raises(AgentNotRunning):
        call("status", path=sock_path)
    with pytest.raises(EngineError) as caught:
        IpcServer(echo, sock_path).start()
    assert caught.value.code == "ipc_unsupported"
