"""Offline first, for real: the CLI talks to the live server through a loopback TCP relay that
the test switches off (connections refused, as with a dead network) and on again."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from deepworkzone.api.client import SessionsClient
from deepworkzone.cli.main import main
from deepworkzone.engine import sessions_service
from tests.integration.conftest import LiveServer

Run = Callable[..., tuple[int, str, str]]


class Relay:
    """Forwards a fixed loopback port to the server while on; refuses connections while off."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self.drop_answers = False  # deliver requests, then hang up before the answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def on(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def off(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave the
            # port listening until that call returns.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        for sock in self._open:
            _hard_close(sock)
        self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # switched off
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._open += [client, upstream]
            back = self._hang_up if self.drop_answers else self._pump
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=back, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _hang_up(upstream: socket.socket, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            upstream.recv(65536)  # the server has processed the request and is answering
        for sock in (client, upstream):
            _hard_close(sock)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def _hard_close(sock: socket.socket) -> None:
    # shutdown() first: a thread blocked in recv() on this socket keeps it open otherwise.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()


@pytest.fixture
def relay(live_server: LiveServer) -> Iterator[Relay]:
    port = int(live_server.url.rsplit(":", 1)[1])
    relay = Relay(port)
    relay.on()
    yield relay
    relay.off()


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    # No retry waits: each offline command would otherwise back off for seconds. The retries
    # themselves are tested in test_client_ratelimit.py and tests/unit/test_api_retry.py.
    monkeypatch.setattr(sessions_service, "INTERACTIVE_RETRIES", 0)

    def go(*argv: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return go


@pytest.fixture
def server_api(live_server: LiveServer, relay: Relay, run: Run) -> SessionsClient:
    """Log the CLI in through the relay; answer a direct client of the same user."""
    token = live_server.create_user("me@acme.test")
    assert run("login", "--server", relay.url, "--token", token)[0] == 0
    return SessionsClient(live_server.url, token)


def test_reads_fall_back_to_the_cache_with_a_warning(
    server_api: SessionsClient, relay: Relay, run: Run
) -> None:
    run("sessions", "create", "--name", "Cached", "--date", "2031-05-05", "--time", "9:00")
    assert run("sessions", "list")[0] == 0  # refreshes the cache
    relay.off()

    code, out, err = run("sessions", "list")
    assert code == 0 and "Cached" in out
    assert err.startswith("offline: showing cached sessions from ") and err.count("\n") == 1
    assert json.loads(run("sessions", "list", "--json")[1])[0]["name"] == "Cached"
    assert run("sessions", "list", "--date", "2031-05-06")[1].strip() == "no sessions"
    sid = server_api.list_sessions()[0].id
    code, out, err = run("sessions", "show", str(sid))
    assert code == 0 and "Cached" in out and err.startswith("offline: showing cached session ")
    code, _, err = run("sessions", "show", "999")
    assert code == 2 and "not cached" in err
    code, _, err = run("sessions", "sync")
    assert code == 2 and "cannot reach" in err


def test_offline_edits_are_queued_and_sent_in_order(
    server_api: SessionsClient, relay: Relay, run: Run
) -> None:
    run("sessions", "create", "--name", "Existing", "--date", "2031-05-05", "--time", "9:00")
    existing = server_api.list_sessions()[0].id
    relay.off()

    code, out, err = run(
        "sessions",
        "create",
        "--name",
        "Made offline",
        "--date",
        "2031-06-01",
        "--time",
        "7:30",
        "--duration",
        "30",
    )
    assert code == 0 and out.startswith("created session L1: Made offline")
    assert "offline: queued" in err
    assert run("sessions", "update", "L1", "--duration", "50")[0] == 0
    assert run("sessions", "update", str(existing), "--name", "Renamed offline")[0] == 0
    shown = json.loads(run("sessions", "show", "L1", "--json")[1])
    assert shown["duration"] == 50  # the cache shows the queued edits already
    assert server_api.list_sessions()[0].name == "Existing"  # the server has none of it yet

    relay.on()
    code, out, err = run("sessions", "list", "--json")
    assert code == 0 and "sync: sent 3 queued edit(s) to the server" in err
    on_server = {s.name: s for s in server_api.list_sessions()}
    assert set(on_server) == {"Renamed offline", "Made offline"}
    assert on_server["Made offline"].duration == 50  # the update followed its create
    new_id = on_server["Made offline"].id
    assert {s["id"] for s in json.loads(out)} == {existing, new_id}
    # The temporary id still finds the session, now through the server.
    assert json.loads(run("sessions", "show", "L1", "--json")[1])["id"] == new_id


def test_a_queued_create_the_server_refuses_is_reported_with_its_edits(
    server_api: SessionsClient, relay: Relay, run: Run
) -> None:
    relay.off()
    # Valid on this machine; the server refuses it: nobody has that e-mail in the org.
    run(
        "sessions",
        "create",
        "--name",
        "Doomed",
        "--date",
        "tomorrow",
        "--time",
        "9:00",
        "--collaborator",
        "ghost@acme.test",
    )
    run("sessions", "update", "L1", "--duration", "20")
    run("sessions", "create", "--name", "Fine", "--date", "tomorrow", "--time", "10:00")
    relay.on()

    code, out, err = run("sessions", "sync")
    assert code == 0
    assert "sync: the server refused the queued create of session L1: collaborator" in err
    assert (
        "sync: the server refused the queued update of session L1: its session was never created"
        in err
    )
    assert out.startswith("sent 1 queued edit(s), 2 refused; 1 session(s) cached")
    assert [s.name for s in server_api.list_sessions()] == ["Fine"]
    assert "Doomed" not in run("sessions", "list")[1]


def test_a_create_whose_answer_is_lost_is_never_doubled(
    server_api: SessionsClient, relay: Relay, run: Run
) -> None:
    relay.drop_answers = True
    code, out, err = run(
        "sessions", "create", "--name", "Lost answer", "--date", "tomorrow", "--time", "9:00"
    )
    assert code == 2 and out == ""
    assert "may have been created" in err and err.count("\n") == 1
    # The engine's words name no command; the CLI adds what to type.
    assert err.rstrip().endswith(
        "list the sessions to check (run `deepworkzone sessions list` to check)"
    )
    assert [s.name for s in server_api.list_sessions()] == ["Lost answer"]  # not queued again

    relay.off()
    relay.drop_answers = False
    run("sessions", "create", "--name", "Queued", "--date", "tomorrow", "--time", "11:00")
    relay.drop_answers = True
    relay.on()
    code, _, err = run("sessions", "sync")  # the server creates it; the answer is lost
    assert code == 2 and "no answer from" in err
    relay.off()
    relay.drop_answers = False
    relay.on()
    code, out, err = run("sessions", "sync")  # finds it on the server instead of resending
    assert code == 0 and out.startswith("sent 1 queued edit(s); 2 session(s) cached")
    assert sorted(s.name for s in server_api.list_sessions()) == ["Lost answer", "Queued"]
    assert json.loads(run("sessions", "show", "L1", "--json")[1])["name"] == "Queued"


def test_a_queue_stuck_on_a_failing_server_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    from deepworkzone.api.errors import Offline, ServerError
    from deepworkzone.cli.session_backend import report_flush
    from deepworkzone.engine.sync import FlushReport

    report_flush(FlushReport(remaining=2, stopped=ServerError("server error 500: boom")))
    assert capsys.readouterr().err == "sync: 2 edit(s) still queued: server error 500: boom\n"
    report_flush(FlushReport(remaining=2, stopped=Offline("cannot reach x")))
    assert capsys.readouterr().err == ""  # offline is the normal case; "queued" says enough
