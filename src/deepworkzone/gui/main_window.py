"""The main window: a sidebar of views, the offline banner, a status bar with sync state,
standard menus and shortcuts, and its layout remembered between runs."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.core.paths import HOME_ENV, app_paths
from deepworkzone.gui import theme
from deepworkzone.gui.context import AppContext
from deepworkzone.gui.widgets.banner import Banner
from deepworkzone.gui.widgets.messages import error_text
from deepworkzone.gui.window_actions import WindowActions

log = logging.getLogger(__name__)

# key, sidebar label, icon, module (each exposes create(ctx, parent)), shortcut
VIEWS = (
    ("focus", "Focus", "focus", "deepworkzone.gui.views.focus", "Ctrl+1"),
    ("today", "Today", "today", "deepworkzone.gui.views.today", "Ctrl+2"),
    ("dropin", "Drop-in", "dropin", "deepworkzone.gui.views.dropin", "Ctrl+3"),
    ("history", "History", "history", "deepworkzone.gui.views.history", "Ctrl+4"),
    ("search", "Search", "search", "deepworkzone.gui.views.search", "Ctrl+F"),
)


def window_settings() -> QSettings:
    """Window state only (the app's settings live in core/settings.py). Under
    DEEPWORKZONE_HOME an explicit ini file, so tests and portable installs stay inside it."""
    if os.environ.get(HOME_ENV):
        path = app_paths().config_dir / "window.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings("DeepWorkZone", "deepworkzone")


def placeholder(text: str, parent: QWidget) -> QWidget:
    label = QLabel(text, parent)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    label.setEnabled(False)
    return label


class MainWindow(QMainWindow, WindowActions):
    account_changed = Signal()  # signed in or out in the settings: the shell rebuilds its engine

    def __init__(
        self, ctx: AppContext, *, request_quit: Callable[[], None], keep_in_tray: bool = False
    ):
        super().__init__()
        self.ctx = ctx
        self.request_quit = request_quit
        self.keep_in_tray = keep_in_tray
        self.quitting = False
        self.settings = ctx.window_settings or window_settings()
        ctx.window_settings = self.settings
        self.setWindowTitle(self.tr("Deep Work Zone"))
        self.setWindowIcon(theme.app_icon())
        self.pages: dict[str, QWidget] = {}
        self._build()
        self._menus()
        ctx.signals.sync_state.connect(self.show_sync)
        ctx.signals.started.connect(lambda _e: self.show_view("focus"))
        ctx.signals.sessions_changed.connect(self.refresh_views)
        ctx.bridge.failed.connect(lambda e: self.statusBar().showMessage(error_text(e), 10_000))
        self._restore()

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.sidebar = QListWidget(self)
        self.sidebar.setAccessibleName(self.tr("Views"))
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.sidebar.setMinimumWidth(150)
        labels = {
            "focus": self.tr("Focus"),
            "today": self.tr("Today"),
            "dropin": self.tr("Drop-in"),
            "history": self.tr("History"),
            "search": self.tr("Search"),
        }
        for key, _label, icon, _module, _keys in VIEWS:
            item = QListWidgetItem(theme.icon(icon), labels[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 38))
            self.sidebar.addItem(item)
        self.stack = QStackedWidget(self)
        for _ in VIEWS:
            self.stack.addWidget(QWidget(self.stack))  # filled on first show: a fast start
        right = QWidget(self)
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        self.banner = Banner(right)
        col.addWidget(self.banner)
        col.addWidget(self.stack, 1)
        self._column = col
        self.splitter = QSplitter(self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([170, 830])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.sidebar.currentRowChanged.connect(self._row_changed)
        self.sync_label = QLabel(
            self.tr("Local only") if not self.ctx.engine.sessions.can("sync") else self.tr("Online")
        )
        self.sync_label.setAccessibleName(self.tr("Sync state"))
        self.statusBar().addPermanentWidget(self.sync_label)

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self._act(
            file_menu,
            self.tr("&New Session…"),
            self.new_session,
            QKeySequence.StandardKey.New,
            "add",
        )
        file_menu.addSeparator()
        self._act(file_menu, self.tr("&Settings…"), self.open_settings, "Ctrl+,", "settings")
        file_menu.addSeparator()
        self._act(file_menu, self.tr("&Quit"), self.request_quit, "Ctrl+Q", "quit")
        view_menu = bar.addMenu(self.tr("&View"))
        for key, label, icon, _module, keys in VIEWS:
            self._act(
                view_menu, self.tr(label), lambda _c=False, k=key: self.show_view(k), keys, icon
            )
        help_menu = bar.addMenu(self.tr("&Help"))
        self._act(help_menu, self.tr("&About Deep Work Zone"), self.about)

    def _act(
        self, menu: Any, text: str, slot: Callable, keys: Any = None, icon: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(theme.icon(icon))
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)  # shortcuts work with the menu bar hidden too
        return action

    # -- views -----------------------------------------------------------------------------

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = VIEWS[row][0]
        self.page(key)
        self.stack.setCurrentIndex(row)
        self.settings.setValue("window/view", key)

    def page(self, key: str) -> QWidget:
        """The view's widget, made on first use; a placeholder until its module exists."""
        if key in self.pages:
            return self.pages[key]
        row = [v[0] for v in VIEWS].index(key)
        module_name = VIEWS[row][3]
        try:
            module = importlib.import_module(module_name)
            widget = module.create(self.ctx, self.stack)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            widget = placeholder(self.tr("This view is not available yet."), self.stack)
        except Exception as exc:  # a broken view must not take the window down
            log.exception("the %s view failed to open", key)
            widget = placeholder(
                self.tr("This view could not open: %1").replace("%1", error_text(exc)), self.stack
            )
        old = self.stack.widget(row)
        self.stack.insertWidget(row, widget)
        self.stack.removeWidget(old)
        old.deleteLater()
        self.pages[key] = widget
        if hasattr(widget, "open_session"):  # Search: a double-clicked session is edited
            widget.open_session.connect(self.edit_session)
        return widget

    def refresh_views(self) -> None:
        """After an edit, a delete or another account: every view made so far loads again."""
        for widget in self.pages.values():
            refresh = getattr(widget, "refresh", None)
            if callable(refresh):
                refresh()

    def add_prompt(self, widget: QWidget) -> None:
        """A non-modal question bar (Start / Skip) between the banner and the views."""
        self._column.insertWidget(1, widget)

    def engine_changed(self) -> None:
        """The shell swapped ctx.engine (another account): the status bar and the views."""
        can_sync = self.ctx.engine.sessions.can("sync")
        self.sync_label.setText(self.tr("Online") if can_sync else self.tr("Local only"))
        self.banner.hide()
        self.ctx.signals.sessions_changed.emit()

    def show_view(self, key: str) -> QWidget:
        row = [v[0] for v in VIEWS].index(key)
        self.sidebar.setCurrentRow(row)
        widget = self.page(key)
        if key == "search":
            getattr(widget, "focus_search", widget.setFocus)()
        return widget

    def current_view(self) -> str:
        return VIEWS[max(self.sidebar.currentRow(), 0)][0]

    # -- state -----------------------------------------------------------------------------

    def show_sync(self, state: Any) -> None:
        if state.online and not state.error:
            self.banner.hide()
            self.sync_label.setText(self.tr("Synced"))
        else:
            self.banner.show_offline(state.offline_since or self.ctx.clock.now(), state.outbox)
            self.sync_label.setText(self.tr("Offline"))

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save()
        if self.quitting:  # Qt 6 closes every window on quit; a refusal would cancel it
            event.accept()
            return
        if self.keep_in_tray:
            # The tray keeps the app (and its scheduled sessions) alive.
            event.ignore()
            self.hide()
            return
        event.ignore()
        self.request_quit()

    def _save(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("window/view", self.current_view())
        self.settings.sync()

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1000, 680)
        splitter = self.settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        key = str(self.settings.value("window/view", "today"))
        self.show_view(key if key in [v[0] for v in VIEWS] else "today")
