"""Screenshots for docs/screenshots/: the real windows with realistic data, light and dark.

    Xvfb :99 -screen 0 1280x900x24 & DISPLAY=:99 python -m tests.gui.screenshots

Runs on a throw-away DEEPWORKZONE_HOME with a private hosts file, a manual clock and manual
timers, so nothing on the machine changes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="dwz-shots-"))
    os.environ.update(
        DEEPWORKZONE_HOME=str(home / "home"),
        DEEPWORKZONE_SECRETS="file",
        DEEPWORKZONE_HOSTS_FILE=str(home / "hosts"),
        DEEPWORKZONE_SYSTEM_PROXY="off",
        # The focus shots run a session: it must not change the machine.
        DEEPWORKZONE_BROWSER_POLICIES="off",
        DEEPWORKZONE_CLOSE_CONNECTIONS="off",
        DEEPWORKZONE_NETWORK_NUDGE="off",
    )
    (home / "hosts").write_text("127.0.0.1\tlocalhost\n")
    from PySide6.QtWidgets import QApplication

    from deepworkzone.core.settings import Settings
    from deepworkzone.domain.clock import ManualClock
    from deepworkzone.engine.engine import Engine
    from deepworkzone.engine.sessions_service import SessionsService
    from deepworkzone.engine.timers import ManualTimers
    from deepworkzone.gui import theme
    from deepworkzone.gui.app import Shell
    from tests.gui.shell_helpers import create

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Deep Work Zone")
    mode = sys.argv[1] if len(sys.argv) > 1 else "light"
    theme.apply_theme(app, mode)
    local = datetime.now().astimezone().tzinfo
    start = datetime.now().astimezone().replace(hour=9, minute=20, second=0, microsecond=0)
    clock = ManualClock(start.astimezone(local))
    engine = Engine(
        SessionsService(None, clock=clock),
        timers=ManualTimers(clock),
        clock=clock,
        settings=Settings(blocking_method="hosts"),
    )
    shell = Shell(app, engine, tray=True, start_engine=False)
    ctx = shell.ctx
    tz = str(getattr(local, "key", "UTC")) if hasattr(local, "key") else "UTC"
    today = start.date()
    zone = {"timezone": tz if tz != "UTC" else "UTC"}
    create(
        ctx,
        name="Morning deep work",
        time="9:00 AM",
        duration=90,
        is_recurring=1,
        occurrence="daily",
        recurring_start=(today - timedelta(days=3)).isoformat(),
        website_blocker={"mode": "preset", "category": ["social-media", "video"]},
        snooze_enabled=True,
        snooze_apps={"slack": True, "teams": True},
        **zone,
    )
    create(
        ctx,
        name="Team drop-in",
        type="drop-in",
        is_public=True,
        time="2:00 PM",
        duration=60,
        is_recurring=1,
        occurrence="weekly",
        recurring_days=[1, 3, 5],
        recurring_start=today.isoformat(),
        website_blocker={"mode": "preset", "category": ["news"]},
        **zone,
    )
    create(
        ctx,
        name="Writing sprint",
        time="4:30 PM",
        duration=50,
        website_blocker={
            "mode": "custom",
            "urls": ["reddit.com", "news.ycombinator.com"],
            "strict": True,
        },
        **zone,
    )
    create(
        ctx,
        name="Quarterly planning",
        schedule=(today + timedelta(days=2)).isoformat(),
        time="10:00 AM",
        duration=120,
        snooze_enabled=True,
        snooze_apps={"slack": True},
        **zone,
    )
    engine.start(sync=False)
    # 9:20: the scheduler has started the 9:00 session by itself (a late start).
    assert engine.focus.status() is not None, "the morning session should be running"
    clock.advance(25 * 60)  # 9:45: the ring shows some of the session gone
    engine.timers.run_due()
    window = shell.window
    window.resize(1100, 720)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def settle(ms: int = 400) -> None:
        for _ in range(10):
            ctx.bridge.wait()
            app.processEvents()
        from PySide6.QtTest import QTest

        QTest.qWait(ms)

    ctx.live.refresh()
    settle()
    for key in ("today", "focus"):
        window.show_view(key)
        window.pages[key].refresh() if hasattr(window.pages[key], "refresh") else None
        settle()
        window.grab().save(str(OUT / f"{key}-{mode}.png"))
    # The focus view's "What's covered…": the running session's reach, and a "why" answered.
    focus = window.pages["focus"]
    focus.show_coverage()
    dialog = focus.coverage_dialog
    dialog.resize(620, 640)
    settle()
    dialog.panel.url.setText("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    dialog.panel.ask_why()
    settle()
    dialog.grab().save(str(OUT / f"coverage-{mode}.png"))
    dialog.close()
    # The first run's welcome, with what this computer offers.
    from deepworkzone.gui.dialogs.welcome import WelcomeDialog

    welcome = WelcomeDialog(ctx, window)
    welcome.show()
    settle()
    welcome.resize(640, welcome.sizeHint().height())
    settle()
    welcome.grab().save(str(OUT / f"welcome-{mode}.png"))
    welcome.close()
    tray = shell.tray
    tray.rebuild()
    tray.menu.popup(window.mapToGlobal(window.rect().center()))
    settle()
    tray.menu.grab().save(str(OUT / f"tray-menu-{mode}.png"))
    tray.menu.hide()
    engine.shutdown()
    print("saved to", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
