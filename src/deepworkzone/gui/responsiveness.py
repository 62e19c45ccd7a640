"""Keeping the GUI thread responsive while the bridge's workers run Python.

The workers and the GUI thread share one GIL. A worker busy in Python (a sync parsing 10,000
sessions, a view building its rows) keeps it until the interpreter's switch interval asks it
to let go, and the GUI thread needs it back for every call Qt makes into Python and after
every Qt call that released it. At the default 5 ms each of those waits adds up: a probe on
the GUI thread saw gaps of 50-130 ms in which the GUI thread itself used 3-7 ms of CPU. A
1 ms interval bounds each wait to a fifth of that; a worker alone loses nothing, since the
interval only matters when another thread is waiting.

The other long holder is the cyclic garbage collector: a full collection walks every object
the process has (Qt wrappers, pydantic schemas, modules), 37-48 ms that any thread may end up
paying while holding the GIL. Frozen after start-up, those objects are never walked again.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_S = 0.001


def share_the_interpreter() -> None:
    """At start-up, before the first worker runs."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def freeze_what_lasts() -> None:
    """Once long-lived objects exist (the window built, the engine started, a view's rows
    loaded): move them out of the collector's way. Later garbage is collected as before, and
    what is frozen is still freed when its last reference goes (only a reference cycle among
    frozen objects would stay: the views' rows hold none). No collection first: that would be
    the very stall this avoids, on the GUI thread."""
    gc.freeze()
