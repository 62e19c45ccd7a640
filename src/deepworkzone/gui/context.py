"""What every view and dialog receives: the contract between the shell and the views.

A view module exposes ``create(ctx: AppContext, parent: QWidget | None = None) -> QWidget``;
the dialogs expose ``open_editor(ctx, parent, session=None, occurrence=None) -> QDialog`` and
``open_settings(ctx, parent) -> QDialog``. A view reads and writes only through
``ctx.bridge.run(ctx.engine.<call>, ..., on_done=..., on_error=...)`` (never on the GUI
thread) and listens to ``ctx.signals`` (engine events, already on the GUI thread).
``ctx.clock`` is the engine's clock: views read the time there, so tests can move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepworkzone.domain.clock import Clock
from deepworkzone.engine.engine import Engine
from deepworkzone.gui.bridge import Bridge
from deepworkzone.gui.events import EngineSignals, LiveStatus


@dataclass
class AppContext:
    engine: Engine
    bridge: Bridge
    signals: EngineSignals
    clock: Clock
    # The shell's shared view of the running and next session (optional for view tests).
    live: LiveStatus | None = None
    # The main window's QSettings, for views that keep their own layout state.
    window_settings: Any = None
