"""Keeping the GUI thread responsive while the bridge's workers run Python.

The workers and the GUI thread share one GIL. A worker busy in Python (a sync parsing 10,000
sessions, a view building its rows) keeps it until the interpreter's switch interval asks it
to let go, and the GUI thread needs it back for every call Qt makes into Python and after
every Qt call that released it. At the default 5 ms each of those waits adds up: a probe on
the GUI thread saw gaps of 50-130 ms in which the GUI thread itself used 3-7 ms of CPU. A
1 ms interval bounds each wait to a fifth of that; a worker alone loses nothing, since the
interval only matters when another thread is waiting.

The other long holders are deallocations and the cyclic garbage collector. Freeing a view's
previous rows (10,000 of them, each with its session model) is one cascade of C calls that no
switch interval interrupts: 20-40 ms on whichever thread drops the last reference. So the GUI
thread hands them to a worker, which lets go of them a slice at a time (``free_in_slices``).
The cyclic garbage collector: a full collection walks every object the process has (Qt
wrappers, pydantic schemas, modules), 37-48 ms that any thread may end up paying while holding
the GIL. Frozen after start-up (and after each view's reload), those objects are never walked
again. What is left is what a sync has in hand: 10,000 sessions' answers, parsed, until they
are stored, and one full collection over them took 50-90 ms on the sync's worker. The
collector's default starts a full pass after 10 middle ones (about 70,000 new objects that
outlived two collections); at 100 a full sync and both views' reloads fit in between, and
the young generations still collect short-lived cycles as before.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

SWITCH_INTERVAL_S = 0.001
# Rows freed per step: about 1 ms of deallocation, then other threads get their turn.
FREE_SLICE = 200
# The collector's thresholds (young, middle, full) while the app runs; Python's are 700, 10, 10.
GC_THRESHOLDS = (700, 10, 100)


def share_the_interpreter() -> None:
    """At start-up, before the first worker runs."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.set_threshold(*GC_THRESHOLDS)


def freeze_what_lasts() -> None:
    """Once long-lived objects exist (the window built, the engine started, a view's rows
    loaded): move them out of the collector's way. Later garbage is collected as before, and
    what is frozen is still freed when its last reference goes (only a reference cycle among
    frozen objects would stay: the views' rows hold none). No collection first: that would be
    the very stall this avoids, on the GUI thread."""
    gc.freeze()


def free_in_slices(box: list[list[Any]]) -> None:
    """On a worker: empty ``box`` (one list of rows, whose only reference it holds) a slice
    at a time, so each slice's deallocation is short and the interpreter switches between
    them. The box, not the list itself, is the argument: the task keeps its arguments until
    it is delivered back on the GUI thread, and the last reference must go here."""
    while box:
        rows = box.pop()
        while rows:
            del rows[-FREE_SLICE:]
