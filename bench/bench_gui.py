"""The desktop app, each figure against a baseline measured in the same run:

- cold start to the first painted main window, against a bare QWidget app;
- resident memory with 10,000 sessions (Today loaded, then Search opened too), against the
  bare QWidget app and the app with no sessions;
- GUI-thread stalls during a full sync of 10,000 sessions from the real server (a child
  process on loopback, seeded as bench_sync.py seeds it): a QTimer on the GUI thread every
  10 ms records how late each firing is; the worst gap and p99 while ``engine.sync_now()``
  runs through the bridge and Today and Search refresh with the result, against the same
  probe over the same window with no sync.

    python bench/bench_gui.py [--runs 5] [--sessions 10000] [--only start,memory,sync]
    (QT_QPA_PLATFORM=offscreen unless DISPLAY is set)

Each start is a fresh interpreter (a cold start as the user sees it, imports included),
timed from spawning it to the first Paint event of its top-level window.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import os, sys, json
from PySide6.QtCore import QObject, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QWidget
kind = sys.argv[1]
app = QApplication(sys.argv[:1])
done = {}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is target and "painted" not in done:
            done["painted"] = True
            print("PAINTED", flush=True)
            QTimer.singleShot(0, after_paint)
        return False

def rss():
    import psutil
    return psutil.Process().memory_info().rss / 2**20

def after_paint():
    if kind != "app-10k":
        if os.environ.get("BENCH_RSS"):
            QTimer.singleShot(300, lambda: (print("RSS", json.dumps({"rss_mb": rss()}), flush=True), app.quit()))
        else:
            app.quit()
        return
    today = shell.window.show_view("today")
    out = {}
    def check():
        if today.loaded and not shell.ctx.bridge.busy:
            out.update(rss_mb=rss(), rows=len(today.model.rows()))
            search = shell.window.show_view("search")
            search.loaded.connect(lambda: QTimer.singleShot(300, searched))
        else:
            QTimer.singleShot(50, check)
    def searched():
        out.update(rss_search_mb=rss(), search_rows=shell.window.page("search").model.rowCount())
        print("RSS", json.dumps(out), flush=True)
        app.quit()
    check()

if kind == "bare":
    target = QWidget()
    target.resize(1000, 680)
else:
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import SessionsService
    from deepworkzone.gui.app import Shell
    shell = Shell(app, Engine(SessionsService(None)), tray=False)
    target = shell.window
filt = FirstPaint()
target.installEventFilter(filt)
target.show()
app.exec()
if kind != "bare":
    shell.quit()
os._exit(0)  # PySide's teardown at exit can hang or crash after the answer is out
"""

# The GUI thread's probe: a 10 ms precise timer; each firing records how late it came.
PROBE = r"""
import time
from PySide6.QtCore import QTimer, Qt

class Probe:
    def __init__(self, interval_ms=10):
        self.interval = interval_ms / 1000
        self.gaps = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = None

    def start(self):
        self.gaps, self.big, self.last = [], [], time.perf_counter()
        self.t0, self.cpu = self.last, time.thread_time()
        self.timer.start()

    def stop(self):
        self.timer.stop()
        return self.gaps

    def _tick(self):
        now = time.perf_counter()
        gap = max(now - self.last - self.interval, 0.0) * 1000
        cpu = time.thread_time()
        self.gaps.append(gap)
        if gap > 25:  # with the GUI thread's own CPU time in it: working, or waiting
            self.big.append((round(now - self.t0, 3), round(gap, 1), round((cpu - self.cpu) * 1000, 1)))
        self.last, self.cpu = now, cpu
"""

CHILD_SYNC = (
    PROBE
    + r"""
import json, os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from deepworkzone.api.config import Connection
from deepworkzone.engine.engine import Engine
from deepworkzone.engine.sessions_service import SessionsService
from deepworkzone.gui.app import Shell

url, token, window_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
app = QApplication(sys.argv[:1])
engine = Engine(SessionsService(Connection(url, token)))
shell = Shell(app, engine, tray=False, start_engine=False)
SLOW = []
if os.environ.get("BENCH_TIMELINE"):  # which bridge callbacks held the GUI thread
    import logging
    class _Slow(logging.Handler):
        def emit(self, record):
            SLOW.append((round(time.perf_counter() - state.get("t0", 0), 3), record.getMessage()))
    _log = logging.getLogger("deepworkzone.gui.bridge")
    _log.setLevel(logging.DEBUG)
    _log.addHandler(_Slow())
    import gc, threading
    _gc = {}
    def _collected(phase, info):  # full collections, which hold the GIL throughout
        if info["generation"] != 2:
            return
        if phase == "start":
            _gc["t"] = time.perf_counter()
        elif "t" in _gc:
            took = (time.perf_counter() - _gc.pop("t")) * 1000
            if took > 10:
                where = "GUI" if threading.current_thread() is threading.main_thread() else "worker"
                SLOW.append((round(time.perf_counter() - state.get("t0", 0), 3), f"gen-2 gc on the {where} thread: {took:.0f} ms, {info['collected']} freed"))
    gc.callbacks.append(_collected)
if os.environ.get("BENCH_UNTUNED"):  # the same-run baseline: the interpreter as it comes
    import gc
    sys.setswitchinterval(0.005)
    gc.set_threshold(700, 10, 10)
    QTimer.singleShot(50, gc.unfreeze)
shell.window.show()
today = shell.window.show_view("today")
search = shell.window.show_view("search")
shell.window.show_view("today")
probe = Probe()
result = {}
state = {}

def settle(then):
    # every bridge call returned and the event queue drained
    if shell.ctx.bridge.busy:
        QTimer.singleShot(20, lambda: settle(then))
    else:
        QTimer.singleShot(200, then)

def baseline():
    probe.start()
    QTimer.singleShot(int(window_s * 1000), baseline_done)

def baseline_done():
    result["baseline"] = probe.stop()
    settle(sync)

def sync():
    state["today"], state["searched"] = today.loaded, 0
    search.loaded.connect(lambda: state.__setitem__("searched", state["searched"] + 1))
    probe.start()
    state["t0"] = time.perf_counter()
    shell.ctx.bridge.run(engine.sync_now, on_done=synced, on_error=lambda e: fail(repr(e)))

def synced(sync_state):
    result["sync_s"] = time.perf_counter() - state["t0"]
    result["online"] = bool(sync_state.online and not sync_state.error)
    wait_views()

def wait_views():
    # Today and Search refresh on the sync's event; done once both have shown the result
    if today.loaded > state["today"] and state["searched"] and not shell.ctx.bridge.busy:
        result["views_s"] = time.perf_counter() - state["t0"]
        QTimer.singleShot(max(int(window_s * 1000) - int(result["views_s"] * 1000), 200), done)
    else:
        QTimer.singleShot(10, wait_views)

def done():
    result["sync"] = probe.stop()
    result["big"] = probe.big
    result["slow"] = SLOW
    result["rows"] = search.model.rowCount()
    result["today_rows"] = len(today.model.rows())
    print("SYNC", json.dumps(result), flush=True)
    app.quit()

def fail(text):
    print("SYNC", json.dumps({"error": text}), flush=True)
    app.quit()

settle(baseline)
app.exec()
shell.quit()
os._exit(0)  # PySide's teardown at exit can crash after the answer is out; nothing to keep
"""
)


def seed(home: Path, count: int) -> float:
    """``count`` sessions in the local store: one in five repeats weekly."""
    os.environ["DEEPWORKZONE_HOME"] = str(home)
    from datetime import date, timedelta

    from deepworkzone.domain.models import SessionCreate
    from deepworkzone.store.db import connect
    from deepworkzone.store.local_sessions import LocalSessions

    t0 = time.perf_counter()
    conn = connect()
    store = LocalSessions(conn)
    first = date.today()
    conn.execute("BEGIN")
    for i in range(count):
        body = {
            "name": f"Session {i}",
            "duration": 25 + i % 90,
            "schedule": (first + timedelta(days=i % 365)).isoformat(),
            "time": f"{8 + i % 10}:{(i * 5) % 60:02d}",
            "website_blocker_enabled": True,
            "website_blocker": {"mode": "preset", "category": ["social-media"]},
        }
        if i % 5 == 0:
            body.update(is_recurring=1, occurrence="weekly", recurring_days=[1 + i % 7])
        store.create(SessionCreate.model_validate(body))
    conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - t0


def start(kind: str, home: Path, *, rss: bool = False) -> tuple[float, dict]:
    env = app_env(home)
    if rss:
        env["BENCH_RSS"] = "1"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    painted, extra = None, {}
    want_rss = rss or kind == "app-10k"
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("PAINTED") and painted is None:
            painted = time.perf_counter() - t0
            if not want_rss:
                break
        elif line.startswith("RSS"):
            extra = json.loads(line[4:])
            break
    # Not waiting for EOF: a helper the app started may hold the pipe open after it exits.
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    if painted is None:
        raise SystemExit(f"{kind}: no paint (exit {proc.returncode})")
    return painted, extra


def start_server(folder: Path, count: int) -> tuple[subprocess.Popen, str, str, float]:
    """The real server in a child process on loopback (its own GIL, as in production),
    seeded with ``count`` sessions the way bench_sync.py seeds them."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_sessions_list import seed as seed_server

    db_url = f"sqlite:///{folder / 'server.db'}"
    t0 = time.perf_counter()
    token = seed_server(db_url, count)
    seeded = time.perf_counter() - t0
    child = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bench_sync.py"), "--serve", db_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    real, _bare = json.loads(child.stdout.readline())
    return child, f"http://127.0.0.1:{real}", token, seeded


def app_env(home: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        DEEPWORKZONE_HOME=str(home),
        DEEPWORKZONE_HOSTS_FILE=str(home / "hosts"),
        DEEPWORKZONE_SYSTEM_PROXY="off",
        DEEPWORKZONE_SECRETS="file",
        # A bench never changes the machine: no browser policies, no closed connections.
        DEEPWORKZONE_BROWSER_POLICIES="off",
        DEEPWORKZONE_CLOSE_CONNECTIONS="off",
        DEEPWORKZONE_NETWORK_NUDGE="off",
    )
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def sync_probe(home: Path, url: str, token: str, window_s: float, *, untuned: bool) -> dict:
    env = app_env(home)
    if untuned:
        env["BENCH_UNTUNED"] = "1"
    proc = subprocess.run(
        [*_profiler(), sys.executable, "-c", CHILD_SYNC, url, token, str(window_s)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("SYNC"):
            return json.loads(line[5:])
    raise SystemExit(f"sync probe: no result (exit {proc.returncode})")


def _profiler() -> list[str]:
    # BENCH_PYSPY=out.json: sample which thread holds the GIL (speedscope format), to see what
    # the GUI thread waits for
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return []
    return [
        "py-spy",
        "record",
        "--gil",
        "--threads",
        "-r",
        "500",
        "-f",
        "speedscope",
        "-o",
        out,
        "--",
    ]


def gap_stats(gaps: list[float]) -> tuple[float, float, int]:
    """Worst gap, p99 and the number of firings, in ms."""
    ordered = sorted(gaps)
    return ordered[-1], ordered[max(int(len(ordered) * 0.99) - 1, 0)], len(ordered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--only", default="start,memory,sync")
    parser.add_argument("--window", type=float, default=4.0, help="probe window, seconds")
    parser.add_argument("--sync-runs", type=int, default=3)
    args = parser.parse_args()
    only = set(args.only.split(","))
    tmp = Path(tempfile.mkdtemp(prefix="dwz-bench-gui-"))
    empty, full = tmp / "empty", tmp / "full"
    for home in (empty, full):
        home.mkdir()
        (home / "hosts").write_text("127.0.0.1 localhost\n")
    if "start" in only:
        times: dict[str, list[float]] = {"bare": [], "app": []}
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            for kind, home in (("bare", empty), ("app", empty)):
                times[kind].append(start(kind, home)[0])
        for kind, values in times.items():
            print(
                f"{kind:5s} first paint: median {statistics.median(values) * 1000:.0f} ms "
                f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})"
            )
        ratio = statistics.median(times["app"]) / statistics.median(times["bare"])
        print(f"app / bare: {ratio:.2f}x")
    if "memory" in only:
        seeded = seed(full, args.sessions)
        print(f"seeded {args.sessions} local sessions in {seeded:.1f} s")
        bare = [start("bare", empty, rss=True)[1]["rss_mb"] for _ in range(2)]
        none = [start("app", empty, rss=True)[1]["rss_mb"] for _ in range(2)]
        # Each run on its own copy of the seeded store, as the first start sees it.
        copies = [tmp / f"full-{i}" for i in range(2)]
        for copy in copies:
            shutil.copytree(full, copy)
        many = [start("app-10k", copy)[1] for copy in copies]
        print(
            f"RSS: bare QWidget app {min(bare):.0f} MB; the app with no sessions {min(none):.0f} MB"
        )
        for extra in many:
            print(
                f"RSS with {args.sessions} sessions: Today loaded {extra['rss_mb']:.0f} MB "
                f"({extra['rows']} rows shown); Search opened too "
                f"{extra['rss_search_mb']:.0f} MB ({extra['search_rows']} rows)"
            )
    if "sync" in only:
        child, url, token, seeded = start_server(tmp, args.sessions)
        results: dict[str, list[dict]] = {"tuned": [], "untuned": []}
        try:
            print(f"seeded {args.sessions} sessions on the server in {seeded:.1f} s")
            for i in range(args.sync_runs):  # interleaved, so both see the same machine load
                for variant in results:
                    home = tmp / f"synced-{variant}-{i}"
                    home.mkdir()
                    (home / "hosts").write_text("127.0.0.1 localhost\n")
                    result = sync_probe(home, url, token, args.window, untuned=variant != "tuned")
                    if "error" in result:
                        raise SystemExit(f"sync failed: {result['error']}")
                    results[variant].append(result)
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
        first = results["tuned"][0]
        print(
            f"full sync of {first['rows']} sessions: sync_now {first['sync_s']:.2f} s, views "
            f"refreshed at {first['views_s']:.2f} s (online {first['online']}, Today "
            f"{first['today_rows']} rows)"
        )
        for variant, runs in results.items():
            worst = [gap_stats(r["sync"])[0] for r in runs]
            p99 = [gap_stats(r["sync"])[1] for r in runs]
            quiet = [gap_stats(r["baseline"])[0] for r in runs]
            print(
                f"{variant:8s} GUI-thread gaps during the sync: worst "
                f"{', '.join(f'{w:.0f}' for w in worst)} ms (median {statistics.median(worst):.0f}); "
                f"p99 median {statistics.median(p99):.0f} ms; no-sync probe worst "
                f"{max(quiet):.0f} ms"
            )
            if os.environ.get("BENCH_TIMELINE"):
                for r in runs:  # (s after the sync started, gap ms, GUI-thread CPU ms in it)
                    print("   gaps over 25 ms:", r["big"])
                    print("   slow callbacks:", r["slow"])
        tuned = statistics.median(gap_stats(r["sync"])[0] for r in results["tuned"])
        untuned = statistics.median(gap_stats(r["sync"])[0] for r in results["untuned"])
        print(f"tuned / untuned worst gap: {tuned / untuned:.2f}x")
        print(f"target: no stall over 50 ms: {'met' if tuned < 50 else 'NOT met'} (median run)")


if __name__ == "__main__":
    main()
