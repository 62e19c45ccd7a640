"""The desktop app's process: QApplication, one instance, the engine's life, quit rules.

One instance, by the engine's rule: a running agent hands over to the app (its running
session is left in place and the app resumes it); a foreground ``focus`` keeps the lock and
the app says so and quits. The app then holds the lock and the control socket itself, so
``deepworkzone status/stop/extend`` work against it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QSystemTrayIcon

from deepworkzone.engine.engine import Engine
from deepworkzone.gui import theme
from deepworkzone.gui.bridge import Bridge
from deepworkzone.gui.context import AppContext
from deepworkzone.gui.desktop_actions import DesktopActions
from deepworkzone.gui.events import EngineSignals, LiveStatus
from deepworkzone.gui.main_window import MainWindow, window_settings
from deepworkzone.gui.notifications import Notifier
from deepworkzone.gui.responsiveness import freeze_what_lasts, share_the_interpreter
from deepworkzone.gui.tray import Tray
from deepworkzone.gui.widgets.messages import error_text, show_error

log = logging.getLogger(__name__)


def build_engine() -> Engine:
    """The app's engine for the account saved now: a server's, or local only."""
    from deepworkzone.engine.sessions_service import open_sessions

    return Engine(open_sessions())


class Shell(QObject):
    """Everything the app process holds: the context, the window, the tray, notifications."""

    def __init__(
        self,
        app: QApplication,
        engine: Engine,
        *,
        host: Any = None,
        tray: bool | None = None,
        start_engine: bool = True,
        make_engine: Callable[[], Engine] = build_engine,
    ) -> None:
        super().__init__()
        share_the_interpreter()
        self.app, self.engine, self.host = app, engine, host
        self.make_engine = make_engine
        bridge = Bridge(self)
        signals = EngineSignals(engine.events, self)
        self.ctx = AppContext(engine, bridge, signals, engine.clock)
        self.ctx.live = LiveStatus(engine, bridge, signals, self)
        self.ctx.window_settings = window_settings()
        if tray is None:
            tray = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray = Tray(self.ctx, self.show_window, self.request_quit, self) if tray else None
        self.window = MainWindow(self.ctx, request_quit=self.request_quit, keep_in_tray=bool(tray))
        self.window.account_changed.connect(self.rebuild_engine)
        self.desktop = DesktopActions(bridge, on_default=self.show_window)
        self.desktop.open()
        self.notifier = Notifier(
            self.ctx, self.tray.icon if self.tray else None, self, actions=self.desktop
        )
        self.window.add_prompt(self.notifier.prompt)
        self.started = False
        self.quitting = False
        self.swaps = 0  # engines built again after an account change (tests wait on it)
        if self.tray is not None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
        if self.tray is not None:  # a notification clicked: the window, with its question
            self.tray.icon.messageClicked.connect(self.show_window)
        if start_engine:
            bridge.run(engine.start, on_done=self._engine_started, on_error=self._start_failed)
        else:
            QTimer.singleShot(0, self, freeze_what_lasts)

    def _engine_started(self, _result: Any) -> None:
        self.started = True
        freeze_what_lasts()
        self.ctx.live.refresh()
        today = self.window.pages.get("today")
        if today is not None:
            today.refresh()

    def rebuild_engine(self) -> None:
        """Signed in or out: the old engine goes (a running session is handed over, not
        ended), a new one is built for the saved account and started, all on a worker; then
        the context, the control socket and the views move to it."""
        old, make = self.engine, self.make_engine

        def swap() -> Engine:
            old.shutdown("the account changed", hand_over=True)
            new = make()
            new.start()
            return new

        self.ctx.bridge.run(swap, on_done=self._swapped, on_error=self._start_failed)

    def _swapped(self, engine: Engine) -> None:
        self.engine = self.ctx.engine = engine
        self.ctx.clock = engine.clock
        if self.ctx.live is not None:
            self.ctx.live.engine = engine
            self.ctx.live.refresh()
        self.ctx.signals.attach(engine.events)
        if self.host is not None:
            self.host.engine = engine  # the CLI's status/stop/extend reach the new one
        self.window.engine_changed()
        self.swaps += 1

    def _start_failed(self, exc: BaseException) -> None:
        show_error(self.window, exc, self.tr("Deep Work Zone could not start its schedule"))

    def welcome(self) -> QDialog:
        """The first run's welcome, over the window (not modal to the app: the tray works)."""
        from deepworkzone.gui.dialogs.welcome import WelcomeDialog

        dialog = WelcomeDialog(self.ctx, self.window, self.ctx.window_settings)
        dialog.account_changed.connect(self.window.account_changed.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.welcome_dialog = dialog
        return dialog

    def show_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def request_quit(self) -> None:
        if self.window.isVisible() or self.tray is None:
            parent_ok = self.window.confirm_quit()
        else:
            self.show_window()
            parent_ok = self.window.confirm_quit()
        if parent_ok:
            self.quit()

    def quit(self) -> None:
        """Shut the engine down on a worker and wait for it, then leave the event loop."""
        if self.quitting:
            return
        self.quitting = self.window.quitting = True
        self.window._save()
        bridge = self.ctx.bridge
        bridge.run(
            self.engine.shutdown, "the app quit", on_error=lambda e: log.error("shutdown: %s", e)
        )
        bridge.wait(30_000)
        self.ctx.signals.detach()
        self.desktop.close()
        if self.host is not None:
            self.host.close()
        if self.tray is not None:
            self.tray.hide()
        self.window.close()
        # exit(), not quit(): the engine is already down, nothing may veto leaving now.
        self.app.exit(0)


def _refuse(text: str) -> int:
    QMessageBox.critical(None, QApplication.translate("app", "Deep Work Zone"), text)
    return 1


def startup(argv: list[str] | None = None) -> Shell | int:
    """Everything up to the event loop: one instance (taking over from a running agent), the
    engine started with the session it left, the window shown. An exit code on refusal."""
    from deepworkzone.engine.agent import Host, running_instance, take_over_from_agent
    from deepworkzone.engine.errors import EngineError
    from deepworkzone.engine.instance_lock import AlreadyRunning
    from deepworkzone.gui.translations import install_translators

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Deep Work Zone")
    app.setOrganizationName("DeepWorkZone")
    app.setDesktopFileName(
        "ai.deepworkzone.DeepWorkZone"
    )  # the .desktop id: Wayland matches the icon
    app.setWindowIcon(theme.app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray (or the quit rule) decides
    install_translators(app)

    holder = running_instance()
    if holder is not None and holder.kind == "app":
        return _refuse(
            QApplication.translate("app", "Deep Work Zone is already open (process %1).").replace(
                "%1", str(holder.pid)
            )
        )
    if holder is not None and not take_over_from_agent():
        return _refuse(
            QApplication.translate(
                "app",
                "A focus session runs in a terminal (process %1). Stop it there, or wait for it to end, then open Deep Work Zone again.",
            ).replace("%1", str(holder.pid))
        )
    try:
        engine = build_engine()
    except EngineError as exc:
        return _refuse(error_text(exc))
    host = Host(engine, "app")
    try:
        host.open()
    except AlreadyRunning as exc:
        return _refuse(
            QApplication.translate("app", "Deep Work Zone is already running (%1).").replace(
                "%1", str(exc.data.get("kind", "?"))
            )
        )
    settings = window_settings()
    theme.migrate_window_theme(settings)
    theme.apply_theme(app, theme.setting())
    theme.follow_system(app, theme.setting)
    shell = Shell(app, engine, host=host)
    shell.window.show()
    from deepworkzone.gui.dialogs.welcome import should_welcome

    if should_welcome(settings):
        shell.welcome()
    app.aboutToQuit.connect(shell.quit)
    return shell


def main(argv: list[str] | None = None) -> int:
    shell = startup(argv)
    if isinstance(shell, int):
        return shell
    # Ctrl-C in the terminal, SIGTERM at log-out or from a service manager, SIGHUP when the
    # terminal goes: quit cleanly, like the menu (blocks put back; strict mode aside).
    import signal

    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), lambda *_: QTimer.singleShot(0, shell.quit))
    timer = QTimer()
    timer.start(500)  # lets Python see the signal while Qt's loop runs
    timer.timeout.connect(lambda: None)
    return shell.app.exec()
