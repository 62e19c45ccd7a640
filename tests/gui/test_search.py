"""Search view: every local filter gives what SessionFilter.matches gives, over many
sessions; the list comes from the engine; a keystroke stays quick."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from deepworkzone.domain.models import SessionCreate
from deepworkzone.engine.sessions_service import SessionFilter
from deepworkzone.gui.views import search
from tests.gui.conftest import wait_for

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from bench_gui_filter import make_sessions  # one generator for the bench and this test


def test_filters_match_the_api_rules_over_many_sessions(qtbot: Any, local_ctx: Any) -> None:
    view = search.create(local_ctx)
    qtbot.addWidget(view)
    wait_for(qtbot, local_ctx)
    sessions = make_sessions(5_000)
    view.set_sessions(sessions)
    assert view.proxy.rowCount() == 5_000
    day = dt.date(2026, 11, 18)
    cases = [
        ("keyword", lambda: view.keyword.setText("DEEP")),
        ("channel", lambda: view.channel.setCurrentIndex(1)),
        ("type", lambda: view.type.setCurrentIndex(1)),
        ("completed", lambda: view.completed.setCurrentIndex(1)),
        ("date", lambda: (view.day.setDate(day), view.on_day.setChecked(True))),
        (
            "range",
            lambda: (
                view.on_day.setChecked(False),
                view.day_start.setDate(day),
                view.from_day.setChecked(True),
                view.day_ends.setDate(day + dt.timedelta(days=10)),
                view.to_day.setChecked(True),
            ),
        ),
        ("done", lambda: (view.keyword.clear(), view.completed.setCurrentIndex(2))),
    ]
    for name, act in cases:
        start = time.perf_counter()
        act()
        elapsed = time.perf_counter() - start
        flt = view.session_filter()
        expected = [s.id for s in sessions if flt.matches(s)]
        shown = [
            view.proxy.session_at(view.proxy.index(r, 0)).id for r in range(view.proxy.rowCount())
        ]
        assert shown == expected, name
        assert elapsed < 1.0, name  # generous: the bench holds the 30 ms target
    assert f"of {5_000:,} sessions" in view.count.text()


def test_the_list_comes_from_the_engine(qtbot: Any, local_ctx: Any) -> None:
    for name in ("Write the report", "Review code", "Write tests"):
        local_ctx.engine.sessions.create(
            SessionCreate(name=name, duration=30, schedule=dt.date(2026, 11, 20), time="10:00")
        )
    view = search.create(local_ctx)
    qtbot.addWidget(view)
    wait_for(qtbot, local_ctx)
    assert view.model.rowCount() == 3
    view.keyword.setText("write")
    assert view.proxy.rowCount() == 2
    assert view.session_filter() == SessionFilter(keyword="write")
    opened: list[Any] = []
    view.open_session.connect(opened.append)
    view.list.activated.emit(view.proxy.index(0, 0))
    qtbot.waitUntil(lambda: bool(opened))  # the whole session, read through the bridge
    assert opened[0].name.startswith("Write") and opened[0].duration == 30
