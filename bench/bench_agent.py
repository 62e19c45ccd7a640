"""Benchmark: the idle agent (`deepworkzone run --quiet`) over a minute, and its start-up.

A temporary DEEPWORKZONE_HOME holds 1,000 local recurring sessions (daily, weekly, monthly;
several zones), stored directly through the local store so set-up takes a second or two.
None of them runs or starts, or needs a reminder, within three hours of the bench, so the agent
is idle: its heartbeat (every 15 s) reconciles the schedule and finds nothing to do.

- **Idle**: the real agent is started, and once its ``status`` answers (and a settling pause)
  its CPU times and resident memory are sampled with psutil over ``--seconds`` (default 60).
  Targets: CPU < 0.5% of one core, RSS < 80 MB.
- **Same-run baselines**, sampled over the same window side by side with the agent: a bare
  ``python -c 'import time; time.sleep(N)'``, and a python process that only imports what the
  agent imports (the CLI, the engine, APScheduler, the store, pydantic models) and then sleeps,
  so the figures show what the interpreter and the imports alone cost.
- **Start-up**: from launching ``deepworkzone run`` to its first answered ``status`` over the
  control socket (polled every 5 ms), ``--startups`` times, median; baseline: launching
  ``python -c pass`` to its exit.

    python bench/bench_agent.py [--seconds 60] [--sessions 1000] [--startups 5]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

TARGET_CPU_PERCENT = 0.5
TARGET_RSS_MB = 80.0
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
# What the agent imports by the time it idles (checked against the agent's own modules
# with `python -X importtime`): the imports-only baseline imports the same.
AGENT_IMPORTS = (
    "deepworkzone.cli.main",
    "deepworkzone.cli.agent",
    "deepworkzone.engine.agent",
    "deepworkzone.engine.engine",
    "deepworkzone.engine.sessions_service",
    "deepworkzone.engine.recovery",
    "deepworkzone.store.local_sessions",
    "deepworkzone.store.history",
    "deepworkzone.domain.occurrences",
    "deepworkzone.domain.models",
    "deepworkzone.blocking.categories",
    "apscheduler.schedulers.background",
    "apscheduler.triggers.date",
    "psutil",
)


def seed(home: Path, count: int, now: datetime) -> float:
    """``count`` recurring sessions, none due within 3 h of ``now``; answers the seconds."""
    os.environ["DEEPWORKZONE_HOME"] = str(home)
    from zoneinfo import ZoneInfo

    from deepworkzone.domain.models import SessionCreate
    from deepworkzone.store.db import connect, transaction
    from deepworkzone.store.local_sessions import LocalSessions

    rng = random.Random(7)
    began = time.perf_counter()
    conn = connect()
    try:
        store = LocalSessions(conn)
        with transaction(conn):
            for n in range(count):
                tz = rng.choice(ZONES)
                local = now.astimezone(ZoneInfo(tz))
                # Start 3..21 h after now's local time of day, 25..90 min long: nothing runs
                # now, nothing starts (or is reminded of) within the next 3 h.
                start = local + timedelta(minutes=rng.randrange(180, 21 * 60))
                kind = n % 3
                body: dict[str, Any] = {
                    "name": f"Series {n}",
                    "duration": rng.randrange(25, 91),
                    "schedule": (local.date() - timedelta(days=rng.randrange(0, 60))).isoformat(),
                    "time": start.strftime("%H:%M"),
                    "timezone": tz,
                    "website_blocker_enabled": True,
                    "website_blocker": {"mode": "custom", "urls": [f"site{n}.example"]},
                    "is_recurring": True,
                    "occurrence": ("daily", "weekly", "monthly")[kind],
                }
                if kind == 1:
                    body["days"] = rng.sample(["mon", "tue", "wed", "thu", "fri"], 3)
                store.create(SessionCreate.model_validate(body))
    finally:
        conn.close()
    return time.perf_counter() - began


@dataclass
class Sample:
    label: str
    cpu_s: float
    seconds: float
    rss_mb_max: float
    rss_mb_end: float
    threads: int
    wakeups: int  # voluntary context switches over the window

    @property
    def cpu_percent(self) -> float:
        return 100.0 * self.cpu_s / self.seconds


def _wakeups(proc: psutil.Process) -> int:
    """Voluntary context switches of every thread (psutil's figure is the main thread's)."""
    total = 0
    for task in Path(f"/proc/{proc.pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("voluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def _cpu(proc: psutil.Process) -> float:
    """CPU seconds of every thread: the scheduler's nanosecond account where there is one
    (/proc/PID/task/*/schedstat), else psutil's (clock ticks, 10 ms)."""
    try:
        return (
            sum(
                int((task / "schedstat").read_text().split()[0])
                for task in Path(f"/proc/{proc.pid}/task").iterdir()
            )
            / 1e9
        )
    except OSError:
        t = proc.cpu_times()
        return float(t.user + t.system)


def sample(procs: dict[str, psutil.Process], seconds: float) -> list[Sample]:
    """CPU times at both ends of the window, RSS every second, for every process at once."""
    first = {k: (_cpu(p), _wakeups(p)) for k, p in procs.items()}
    rss: dict[str, list[float]] = {k: [] for k in procs}
    began = time.monotonic()
    while (left := seconds - (time.monotonic() - began)) > 0:
        for k, p in procs.items():
            rss[k].append(p.memory_info().rss / 2**20)
        time.sleep(min(1.0, left))
    elapsed = time.monotonic() - began
    out = []
    for k, p in procs.items():
        cpu0, ctx0 = first[k]
        rss[k].append(p.memory_info().rss / 2**20)
        out.append(
            Sample(
                k,
                _cpu(p) - cpu0,
                elapsed,
                max(rss[k]),
                rss[k][-1],
                p.num_threads(),
                _wakeups(p) - ctx0,
            )
        )
    return out


def agent_command() -> list[str]:
    return [sys.executable, "-m", "deepworkzone.cli.main", "run", "--quiet"]


def start_agent() -> tuple[subprocess.Popen[bytes], float, float]:
    """Launch the agent; answer it, the seconds until its ``status`` first answered, and the
    seconds until that answer names the next session (the plan is built: ``status`` answers
    from the moment the socket is open, while the engine still starts)."""
    from deepworkzone.engine.ipc import AgentNotRunning, call

    began = time.perf_counter()
    agent = subprocess.Popen(agent_command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    first: float | None = None
    while True:
        if agent.poll() is not None:
            raise SystemExit(f"the agent exited: {agent.stderr.read().decode()}")  # type: ignore[union-attr]
        try:
            answer = call("status", timeout=2.0)
        except AgentNotRunning:
            time.sleep(0.005)
            continue
        now = time.perf_counter()
        first = now - began if first is None else first
        if answer.get("next") is not None:
            return agent, first, now - began
        time.sleep(0.005)


def stop_agent(agent: subprocess.Popen[bytes]) -> None:
    agent.send_signal(signal.SIGTERM)
    try:
        agent.wait(timeout=30)
    except subprocess.TimeoutExpired:
        agent.kill()
        agent.wait()
    if agent.returncode != 0:
        err = agent.stderr.read().decode() if agent.stderr else ""
        raise SystemExit(f"the agent exited {agent.returncode}: {err}")


def startups(runs: int) -> tuple[list[float], list[float], list[float]]:
    agent_s, planned_s, bare_s = [], [], []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare_s.append(time.perf_counter() - began)
        agent, seconds, planned = start_agent()
        agent_s.append(seconds)
        planned_s.append(planned)
        stop_agent(agent)
    return agent_s, planned_s, bare_s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--startups", type=int, default=5)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds after status answers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dwz-bench-agent-") as tmp:
        root = Path(tmp)
        hosts = root / "hosts"
        hosts.write_bytes(b"127.0.0.1\tlocalhost\n::1\tlocalhost\n")
        os.environ.update(
            DEEPWORKZONE_HOSTS_FILE=str(hosts),
            DEEPWORKZONE_SYSTEM_PROXY="off",
            DEEPWORKZONE_SECRETS="file",
            # The sessions it starts write no browser policy and close no connection.
            DEEPWORKZONE_BROWSER_POLICIES="off",
            DEEPWORKZONE_CLOSE_CONNECTIONS="off",
            DEEPWORKZONE_NETWORK_NUDGE="off",
        )
        for name in ("DEEPWORKZONE_SERVER", "DEEPWORKZONE_TOKEN"):
            os.environ.pop(name, None)
        (root / "home").mkdir()
        setup_s = seed(root / "home", args.sessions, datetime.now(UTC))
        print(f"seeded {args.sessions} recurring local sessions in {setup_s:.2f} s")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        agent_s, planned_s, bare_s = startups(args.startups)
        med = statistics.median
        print(
            f"start-up to first answered status: median {med(agent_s) * 1000:.0f} ms "
            f"(min {min(agent_s) * 1000:.0f}, max {max(agent_s) * 1000:.0f}); to a status "
            f"naming the next session (plan built): median {med(planned_s) * 1000:.0f} ms "
            f"(min {min(planned_s) * 1000:.0f}, max {max(planned_s) * 1000:.0f}); over "
            f"{len(agent_s)} starts. `python -c pass`: median {med(bare_s) * 1000:.0f} ms "
            f"(first status = {med(agent_s) / med(bare_s):.1f}x)"
        )

        sleep_for = str(int(args.seconds + args.settle + 30))
        bare = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({sleep_for})"])
        imports = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import {', '.join(AGENT_IMPORTS)}; import time; time.sleep({sleep_for})",
            ]
        )
        agent, _first_s, _planned_s = start_agent()
        try:
            from deepworkzone.engine.ipc import call

            nxt = call("status")["next"]
            print(f"the agent's next session: {nxt['name']} at {nxt['starts_at']}")
            time.sleep(args.settle)
            procs = {
                "agent": psutil.Process(agent.pid),
                "imports only": psutil.Process(imports.pid),
                "bare python": psutil.Process(bare.pid),
            }
            results = sample(procs, args.seconds)
            answer_ms = _status_ms()
        finally:
            stop_agent(agent)
            for proc in (bare, imports):
                proc.kill()
                proc.wait()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    by = {s.label: s for s in results}
    print(f"\nidle over {args.seconds:.0f} s (sampled side by side):")
    print(
        f"{'process':<14}{'CPU s':>8}{'CPU %':>9}{'RSS max MB':>12}{'RSS end':>9}{'thr':>5}{'wakeups':>9}"
    )
    for s in results:
        print(
            f"{s.label:<14}{s.cpu_s:>8.3f}{s.cpu_percent:>8.3f}%{s.rss_mb_max:>12.1f}"
            f"{s.rss_mb_end:>9.1f}{s.threads:>5}{s.wakeups:>9}"
        )
    a, imp, b = by["agent"], by["imports only"], by["bare python"]
    print(
        f"\nagent RSS = {a.rss_mb_max / b.rss_mb_max:.1f}x bare python, "
        f"{a.rss_mb_max / imp.rss_mb_max:.2f}x imports only "
        f"(+{a.rss_mb_max - imp.rss_mb_max:.1f} MB for the engine's state and threads)"
    )
    print(
        f"agent CPU over the imports-only process: +{a.cpu_s - imp.cpu_s:.3f} s "
        f"({a.cpu_percent - imp.cpu_percent:.3f}% of a core); "
        f"{a.wakeups / a.seconds:.1f} wake-ups/s (bare python {b.wakeups / b.seconds:.2f}/s)"
    )
    print(f"a status call to the idle agent: {answer_ms:.1f} ms median of 20")
    cpu_ok = a.cpu_percent < TARGET_CPU_PERCENT
    rss_ok = a.rss_mb_max < TARGET_RSS_MB
    print(
        f"\nidle CPU {a.cpu_percent:.3f}% of one core (target < {TARGET_CPU_PERCENT}%): "
        f"{'met' if cpu_ok else 'NOT met'}"
    )
    print(
        f"idle RSS {a.rss_mb_max:.1f} MB (target < {TARGET_RSS_MB:.0f} MB): "
        f"{'met' if rss_ok else 'NOT met'}"
    )
    return 0


def _status_ms() -> float:
    from deepworkzone.engine.ipc import call

    times = []
    for _ in range(20):
        began = time.perf_counter()
        call("status", timeout=5.0)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
