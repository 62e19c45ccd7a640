"""A full sync from the real server never stalls the GUI thread over 50 ms (issue 8), at a
smaller scale than the bench: the app's window with Today and Search open, 2,000 sessions on
a server in a child process on loopback, a 10 ms timer probe on the GUI thread
(bench/bench_gui.py's probe, run the same way)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
import bench_gui  # one probe for the bench and this test

# Issue 8 asks < 50 ms at 10,000 sessions; the bench (at nice -15) is at 16-43 ms there
# (bench/README.md, App). This test runs at normal priority beside whatever else the machine
# does: 21-73 ms in five runs at load average 3-4 (13 ms in the bench's probe at nice -15), so
# 100 ms leaves room for a busy CI machine. It guards against gross regressions (a view's
# work back on the GUI thread); the bench is the measure.
THRESHOLD_MS = 100.0


@pytest.mark.slow
def test_a_full_sync_does_not_stall_the_gui_thread(tmp_path: Path) -> None:
    child, url, token, _seeded = bench_gui.start_server(tmp_path, 2_000)
    home = tmp_path / "home"
    home.mkdir()
    (home / "hosts").write_text("127.0.0.1 localhost\n")
    try:
        result: dict[str, Any] = bench_gui.sync_probe(home, url, token, 2.0, untuned=False)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    assert "error" not in result, result
    assert result["online"] and result["rows"] == 2_000
    worst, p99, _n = bench_gui.gap_stats(result["sync"])
    assert worst < THRESHOLD_MS, f"worst gap {worst:.1f} ms, p99 {p99:.1f} ms"
