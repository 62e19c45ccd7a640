"""The desktop app: cold start to the first painted main window, against a bare QWidget
app in the same run, and resident memory with 10,000 sessions.

    python bench/bench_gui.py [--runs 5]      (QT_QPA_PLATFORM=offscreen unless DISPLAY is set)

Each start is a fresh interpreter (a cold start as the user sees it, imports included),
timed from spawning it to the first Paint event of its top-level window.
"""

from __future__ import annotations

import argparse
import json
import os
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
        app.quit()
        return
    today = shell.window.show_view("today")
    def check():
        if today.loaded:
            print("RSS", json.dumps({"rss_mb": rss(), "rows": len(today.model.rows())}), flush=True)
            app.quit()
        else:
            QTimer.singleShot(50, check)
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
"""


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


def start(kind: str, home: Path) -> tuple[float, dict]:
    env = dict(
        os.environ,
        DEEPWORKZONE_HOME=str(home),
        DEEPWORKZONE_HOSTS_FILE=str(home / "hosts"),
        DEEPWORKZONE_SYSTEM_PROXY="off",
        DEEPWORKZONE_SECRETS="file",
    )
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    painted, extra = None, {}
    for line in proc.stdout:  # type: ignore[union-attr]
        if line.startswith("PAINTED") and painted is None:
            painted = time.perf_counter() - t0
        elif line.startswith("RSS"):
            extra = json.loads(line[4:])
    proc.wait(120)
    if painted is None:
        raise SystemExit(f"{kind}: no paint (exit {proc.returncode})")
    return painted, extra


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dwz-bench-gui-"))
    empty, full = tmp / "empty", tmp / "full"
    for home in (empty, full):
        home.mkdir()
        (home / "hosts").write_text("127.0.0.1 localhost\n")
    seeded = seed(full, args.sessions)
    print(f"seeded {args.sessions} sessions in {seeded:.1f} s")
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
    painted, extra = start("app-10k", full)
    print(
        f"app with {args.sessions} sessions: first paint {painted * 1000:.0f} ms, "
        f"RSS after Today loaded {extra.get('rss_mb', 0):.0f} MB ({extra.get('rows')} rows shown)"
    )


if __name__ == "__main__":
    main()
