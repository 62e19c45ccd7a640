"""The engine as a process: one instance at a time, controlled over the local socket.

``deepworkzone run`` (the headless agent), the desktop app and a foreground
``deepworkzone focus`` each hold the instance lock while they live, and answer ``status``,
``stop``, ``extend`` and ``start`` from the CLI (docs/agent-protocol.md). Only the agent and
the app schedule sessions; a foreground focus runs its one session and leaves.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from deepworkzone.engine import events as ev
from deepworkzone.engine.engine import Engine
from deepworkzone.engine.errors import EngineError
from deepworkzone.engine.instance_lock import AlreadyRunning, InstanceLock, LockHolder, holder_alive
from deepworkzone.engine.ipc import IpcServer, default_socket_path

log = logging.getLogger(__name__)

Kind = Literal["agent", "app", "focus"]


class Host:
    """Holds the lock and the control socket for an engine; ``close`` gives both back."""

    def __init__(
        self,
        engine: Engine,
        kind: Kind,
        *,
        lock: InstanceLock | None = None,
        socket_path: Path | None = None,
    ) -> None:
        self.engine = engine
        self.kind = kind
        self.socket_path = socket_path or default_socket_path()
        self.lock = lock or InstanceLock(socket=self.socket_path)
        self.ipc: IpcServer | None = None
        self.stopped = threading.Event()
        # Set when another instance (the desktop app) asked to take over.
        self.handed_over = threading.Event()
        self.on_handover: Callable[[], None] | None = None

    def open(self) -> None:
        """Take the lock (AlreadyRunning if another instance has it), then the socket."""
        if not self.lock.acquire(self.kind, self.socket_path):
            raise AlreadyRunning(self.lock.holder())
        try:
            self.ipc = IpcServer(self.handle, self.socket_path).start()
        except BaseException:
            self.lock.release()
            raise

    def close(self) -> None:
        if self.ipc is not None:
            self.ipc.stop()
            self.ipc = None
        self.lock.release()

    # -- the protocol ----------------------------------------------------------------------

    def handle(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        engine = self.engine
        if op == "status":
            out = engine.status()
            out["process"] = {"kind": self.kind}
            return out
        if op == "stop":
            ended = engine.focus.stop(
                _text(args.get("reason")), emergency=bool(args.get("emergency"))
            )
            return {"ended": _ended_json(ended)}
        if op == "extend":
            minutes = args.get("minutes")
            if not isinstance(minutes, int) or isinstance(minutes, bool):
                raise EngineError("bad_request", '"minutes" must be a whole number')
            return {"running": engine.focus.extend(minutes).to_json()}
        if op == "start":
            return {"running": start_from_args(engine, args).to_json()}
        if op == "handover":
            if self.kind != "agent" or self.on_handover is None:
                raise EngineError("no_handover", f"a {self.kind} does not hand over")
            self.handed_over.set()
            self.on_handover()
            return {"handing_over": True, "pid": os.getpid()}
        raise EngineError("bad_request", f"unknown operation {op!r}", op=op)


def start_from_args(engine: Engine, args: dict[str, Any]) -> Any:
    """``start`` over the socket: a stored session by id, or a quick one."""
    from deepworkzone.engine.requests import quick_request

    minutes = args.get("minutes")
    if minutes is not None and (not isinstance(minutes, int) or not 1 <= minutes <= 1440):
        raise EngineError("bad_minutes", "minutes must be between 1 and 1440", low=1, high=1440)
    session_id = args.get("session_id")
    if session_id is not None:
        if not isinstance(session_id, int):
            raise EngineError("bad_request", '"session_id" must be a number')
        return engine.start_stored(session_id, minutes=minutes)
    if minutes is None:
        raise EngineError("bad_request", "say how long (minutes) or which session (session_id)")
    request = quick_request(
        minutes,
        name=_text(args.get("name")),
        categories=_strings(args.get("categories")),
        urls=_strings(args.get("urls")),
        allow=_strings(args.get("allow")),
        allowlist=bool(args.get("allowlist")),
        method=args.get("method")
        if args.get("method") in ("hosts", "proxy", "both", "none")
        else None,
        proxy_port=args.get("proxy_port") if isinstance(args.get("proxy_port"), int) else None,
        system_proxy=args.get("system_proxy", True) is not False,
        snooze=_strings(args.get("snooze")),
        strict=bool(args.get("strict")),
        browser_block_list=args.get("browser_block_list")
        if isinstance(args.get("browser_block_list"), bool)
        else None,
        settings=engine.settings,
    )
    return engine.start_focus(request)


def run_agent(
    engine: Engine,
    *,
    stop: threading.Event,
    on_event: Callable[[Any], None] | None = None,
    socket_path: Path | None = None,
) -> bool:
    """``deepworkzone run``: until ``stop`` is set (SIGTERM, SIGINT), then put back. True
    when it left because the desktop app took over (a running session stays in place)."""
    host = Host(engine, "agent", socket_path=socket_path)
    host.on_handover = stop.set
    host.open()
    unsubscribe = engine.events.subscribe(on_event) if on_event else None
    try:
        engine.start()
        log.info("agent running (pid lock %s, socket %s)", host.lock.path, host.socket_path)
        stop.wait()
    finally:
        try:
            engine.shutdown(hand_over=host.handed_over.is_set())
        finally:
            host.close()
            if unsubscribe:
                unsubscribe()
    log.info("agent stopped")
    return host.handed_over.is_set()


def running_instance() -> LockHolder | None:
    """Who holds the instance lock right now, if anyone."""
    return InstanceLock().holder()


def take_over_from_agent(timeout: float = 10.0) -> bool:
    """The desktop app's rule: a running agent hands over to it. The agent stops, leaving a
    running session in place; the caller then takes the lock and resumes it. True when the
    lock is free now (nothing ran, or the agent left); False when a foreground ``focus``
    holds it, or the agent did not leave in time."""
    import time

    from deepworkzone.engine.ipc import AgentNotRunning, call

    holder = running_instance()
    if holder is None:
        return True
    if holder.kind != "agent":
        return False
    try:
        call("handover")
    except AgentNotRunning:
        return running_instance() is None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Gone, not only unlocked: until the agent's process exits, its session still names
        # a live owner, and resuming it here would leave it to a process on its way out.
        if running_instance() is None and not holder_alive(holder):
            return True
        time.sleep(0.05)
    return False


def _ended_json(ended: ev.Ended) -> dict[str, Any]:
    return {
        "name": ended.name,
        "session_id": ended.session_id,
        "reason": ended.reason,
        "focused_minutes": ended.focused_minutes,
        "undo_errors": list(ended.undo_errors),
    }


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def run_foreground(
    engine: Engine,
    begin: Callable[[Engine], Any],
    *,
    stop: threading.Event,
    tick: Callable[[Any], None] | None = None,
    on_event: Callable[[Any], None] | None = None,
    socket_path: Path | None = None,
) -> ev.Ended | None:
    """One session in this process (``focus``, or ``start`` with no agent), controllable over
    the socket while it runs. ``begin(engine)`` starts it; returns how it ended (None when a
    strict session was left in place by ``stop``)."""
    from deepworkzone.engine.engine import HEARTBEAT_JOB

    host = Host(engine, "focus", socket_path=socket_path)
    host.open()
    done = threading.Event()
    box: dict[str, ev.Ended] = {}

    def watch(event: Any) -> None:
        if isinstance(event, ev.Ended) and event.reason != "missed":
            box["ended"] = event
            done.set()
        if on_event is not None:
            on_event(event)

    unsubscribe = engine.events.subscribe(watch)
    try:
        status = begin(engine)
        engine.timers.every(HEARTBEAT_JOB, 1.0, engine.focus.check)
        engine.timers.start()
        while not done.is_set() and not stop.is_set():
            if tick is not None:
                current = engine.focus.status()
                if current is not None:
                    tick(current)
            done.wait(1.0)
        if not done.is_set():
            engine.shutdown("interrupted")
        del status
    finally:
        engine.timers.shutdown()
        unsubscribe()
        host.close()
    return box.get("ended")
