"""The session editor (create and edit): every field of the seed's session, on four pages.

The body is checked with the wire model before it is sent (messages appear at once, next
to their field), then created or updated through the bridge; the server's 422 lands next to
the fields it names the same way. Deleting asks first (confirm.confirm_delete).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.domain.models import SessionCreate, SessionUpdate
from deepworkzone.engine import catalog, connections
from deepworkzone.gui.dialogs.confirm import confirm_delete
from deepworkzone.gui.dialogs.editor_blocking import BlockingPage, domain_problems
from deepworkzone.gui.dialogs.editor_general import GeneralPage
from deepworkzone.gui.dialogs.editor_repeat import RepeatPage
from deepworkzone.gui.dialogs.editor_snooze import SnoozePage
from deepworkzone.gui.dialogs.field_errors import (
    FieldErrors,
    engine_fields,
    error_label,
    pydantic_fields,
)


def default_timezone(configured: str | None) -> str:
    """The settings' zone, else the system's, else UTC (the contract's default)."""
    if configured:
        return configured
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # no tzlocal, or an unreadable system zone
        return "UTC"


class SessionEditor(QDialog):
    saved = Signal(object)  # the engine's Edit
    deleted = Signal(object)  # (session id, "occurrence" | "series")

    def __init__(
        self,
        ctx: Any,
        parent: QWidget | None = None,
        session: Any = None,
        occurrence: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session = session
        self.occurrence = occurrence
        self.setWindowTitle(self.tr("Edit session") if session else self.tr("New session"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.banner = error_label(self)
        self.banner.setAccessibleName(self.tr("Problems with this session"))
        layout.addWidget(self.banner)
        self.errors = FieldErrors(self.banner)
        today = ctx.clock.now().astimezone().date()
        self.general = GeneralPage(self.errors, today, self)
        self.blocking = BlockingPage(ctx, self.errors, self)
        self.snooze = SnoozePage(self.errors, self)
        self.repeat = RepeatPage(self.errors, self)
        self.tabs = QTabWidget(self)
        self.pages: list[QWidget] = [self.general, self.blocking, self.snooze, self.repeat]
        for page, title in zip(
            self.pages,
            (self.tr("&Session"), self.tr("&Websites"), self.tr("S&nooze"), self.tr("&Repeat")),
            strict=True,
        ):
            self.tabs.addTab(page, title)
        layout.addWidget(self.tabs, 1)
        if session is not None and session.is_recurring:
            note = QLabel(self.tr("Changes apply to every occurrence of this series."), self)
            note.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.delete_button: QPushButton | None = None
        if session is not None:
            self.delete_button = self.buttons.addButton(
                self.tr("&Delete…"), QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.delete_button.clicked.connect(self._delete)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.general.date.dateChanged.connect(
            lambda _d: self.repeat.set_schedule(self.general.schedule())
        )
        self.repeat.set_schedule(self.general.schedule())
        self.snooze.connect_requested.connect(self._open_connections)
        if session is not None:
            self._load(session)
        self._set_tab_order()
        self.general.name.setFocus()
        ctx.bridge.run(catalog.categories, on_done=self._categories, on_error=self._show_error)
        ctx.bridge.run(
            connections.connection_rows,
            on_done=self.snooze.set_connections,
            on_error=lambda _e: self.snooze.set_connections([]),
        )
        if session is None:
            self.blocking.chips.set_selected(ctx.engine.settings.default_categories)

    def _categories(self, infos: list[Any]) -> None:
        chosen = (
            self.session.website_blocker.category
            if self.session
            else self.ctx.engine.settings.default_categories
        )
        self.blocking.set_categories(infos)
        self.blocking.chips.set_selected(chosen)

    def _load(self, s: Any) -> None:
        for page in self.pages:
            page.load(s)  # type: ignore[attr-defined]

    def _set_tab_order(self) -> None:
        for page in self.pages:
            order = page.focus_order()  # type: ignore[attr-defined]
            for first, second in itertools.pairwise(order):
                QWidget.setTabOrder(first, second)

    # -- the body ------------------------------------------------------------------------------

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for page in self.pages:
            out.update(page.values())  # type: ignore[attr-defined]
        if self.session is not None:
            out["timezone"] = self.session.timezone
        else:
            out["timezone"] = default_timezone(self.ctx.engine.settings.timezone)
        return out

    def save(self) -> None:
        self.errors.clear()
        body = self.body()
        problems: dict[str, str] = {}
        sites = domain_problems(self.blocking.sites.toPlainText())
        if sites:
            problems["website_blocker.urls"] = "\n".join(sites)
        try:
            checked = SessionCreate.model_validate(body)
        except ValidationError as exc:
            problems = {**pydantic_fields(exc), **problems}
        if problems:
            self.show_fields(problems)
            return
        self.save_button.setEnabled(False)
        sessions = self.ctx.engine.sessions
        if self.session is None:
            self.ctx.bridge.run(
                sessions.create, checked, on_done=self._saved, on_error=self._failed
            )
        else:
            changes = SessionUpdate.model_validate(checked.model_dump(mode="json"))
            self.ctx.bridge.run(
                sessions.update,
                self.session.id,
                changes,
                on_done=self._saved,
                on_error=self._failed,
            )

    def _saved(self, edit: Any) -> None:
        self.save_button.setEnabled(True)
        self.saved.emit(edit)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        fields = engine_fields(exc)
        if fields is not None:
            self.show_fields(fields)
        else:
            self._show_error(exc)

    def show_fields(self, fields: dict[str, str]) -> None:
        used = self.errors.show(fields)
        for page in self.pages:
            if any(page.isAncestorOf(label) for label in used):
                self.show_page(page)
                break

    def show_page(self, page: QWidget) -> None:
        # By index: the blocking page sits inside a scroll area, which is the tab itself.
        self.tabs.setCurrentIndex(self.pages.index(page))

    def _show_error(self, exc: BaseException) -> None:
        self.banner.setText(str(exc) or type(exc).__name__)
        self.banner.setVisible(True)

    # -- delete, connect ---------------------------------------------------------------------

    def _delete(self) -> None:
        choice = confirm_delete(self, self.session, self.occurrence)
        if choice is None:
            return
        day = self.occurrence or self.session.schedule
        target = day if choice == "occurrence" else None
        sid = self.session.id

        def done(_edit: Any) -> None:
            self.deleted.emit((sid, choice))
            self.accept()

        self.ctx.bridge.run(
            self.ctx.engine.sessions.delete, sid, target, on_done=done, on_error=self._show_error
        )

    def _open_connections(self, service: str) -> None:
        from deepworkzone.gui.dialogs.settings import open_settings

        dialog = open_settings(self.ctx, self, page="connections")
        dialog.finished.connect(
            lambda _r: self.ctx.bridge.run(
                connections.connection_rows, on_done=self.snooze.set_connections
            )
        )
        dialog.show()


def _scrolled(page: QWidget) -> QScrollArea:
    """A page that can outgrow a small screen scrolls instead of squeezing its labels."""
    area = QScrollArea()
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def open_editor(
    ctx: Any, parent: QWidget | None, session: Any = None, occurrence: dt.date | None = None
) -> QDialog:
    """A new (``session`` None) or existing session's editor, not yet shown: ``exec()`` or
    ``open()`` it; ``saved`` carries the engine's Edit."""
    dialog = SessionEditor(ctx, parent, session, occurrence)
    dialog.setModal(True)
    return dialog
