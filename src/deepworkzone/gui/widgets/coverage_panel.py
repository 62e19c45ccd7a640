"""Honest coverage: what the chosen blocking method reaches on this machine, and why a typed
address is or is not blocked.

Both answers are the engine's (``Engine.coverage``, ``Engine.why``: the same report as
``deepworkzone block coverage`` and ``block why``), fetched through the bridge; this panel only
lays them out: one row per kind of client with its reach, the reason, and what to do.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.gui.widgets.messages import error_text
from deepworkzone.gui.widgets.wrap_label import WrapLabel

# The reach of a cell: a sign that does not rely on colour alone, and its colour.
_MARKS = {"yes": ("✓", "#2e7d32"), "partial": ("◐", "#b26a00"), "no": ("✗", "#c62828")}


class CoveragePanel(QWidget):
    """``show_method(m)`` for a planned method (settings), ``show_running()`` for the
    session that runs; ``session_id`` makes "why" answer for that stored session."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id: int | None = None
        self.report: Any = None  # the last CoverageReport shown (tests read it)
        self.answer: Any = None  # the last WhyAnswer shown
        self._task: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.summary = WrapLabel(self.tr("Checking this machine…"), self)
        self.summary.setAccessibleName(self.tr("Coverage summary"))
        layout.addWidget(self.summary)
        self.cells = QGridLayout()
        self.cells.setHorizontalSpacing(10)
        self.cells.setVerticalSpacing(6)
        self.cells.setColumnStretch(1, 1)
        layout.addLayout(self.cells)
        self.notes = WrapLabel("", self)
        self.notes.setAccessibleName(self.tr("Notes about this machine"))
        layout.addWidget(self.notes)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        ask = QLabel(self.tr("Why is, or isn't, a site blocked?"), self)
        layout.addWidget(ask)
        row = QHBoxLayout()
        self.url = QLineEdit(self)
        self.url.setPlaceholderText("https://www.youtube.com/watch?v=…")
        self.url.setAccessibleName(self.tr("Address to check"))
        self.url.setClearButtonEnabled(True)
        ask.setBuddy(self.url)
        self.check = QPushButton(self.tr("&Check"), self)
        self.check.setAccessibleName(self.tr("Check the address"))
        self.check.setEnabled(False)
        row.addWidget(self.url, 1)
        row.addWidget(self.check)
        layout.addLayout(row)
        self.why = WrapLabel("", self)
        self.why.setAccessibleName(self.tr("Answer"))
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.why)
        layout.addStretch(1)
        self.url.textChanged.connect(lambda text: self.check.setEnabled(bool(text.strip())))
        self.url.returnPressed.connect(self.ask_why)
        self.check.clicked.connect(self.ask_why)
        self._rows: list[QWidget] = []

    # -- the report ------------------------------------------------------------------------

    def show_method(self, method: str | None) -> None:
        """The report for ``method`` (None: the running session's, else the settings')."""
        if self._task is not None:
            self._task.cancel()  # only the newest answer is shown
        self._task = self.ctx.bridge.run(
            self.ctx.engine.coverage, method, on_done=self._report, on_error=self._failed
        )

    def show_running(self) -> None:
        self.show_method(None)

    def _report(self, report: Any) -> None:
        self.report = report
        self.title.setText(
            self.tr("What “%1” reaches on this machine").replace("%1", _method_name(report.method))
        )
        self.summary.setText(_sentence(report.summary))
        for widget in self._rows:
            self.cells.removeWidget(widget)
            widget.deleteLater()
        self._rows = []
        for r, cell in enumerate(report.cells):
            sign, color = _MARKS.get(cell.reached, ("?", "#666666"))
            mark = QLabel(sign, self)
            mark.setStyleSheet(f"color: {QColor(color).name()}; font-weight: bold;")
            mark.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            reach = {
                "yes": self.tr("reached"),
                "partial": self.tr("partly"),
                "no": self.tr("not reached"),
            }
            text = f"<b>{escape(cell.label)}</b> — {reach.get(cell.reached, cell.reached)}<br>{escape(_sentence(cell.reason))}"
            if cell.remedy:
                text += f"<br><i>{escape(_sentence(cell.remedy))}</i>"
            body = WrapLabel(text, self)
            body.setTextFormat(Qt.TextFormat.RichText)
            body.setAccessibleName(f"{cell.label}: {reach.get(cell.reached, cell.reached)}")
            body.setAccessibleDescription(" ".join(filter(None, (cell.reason, cell.remedy))))
            self.cells.addWidget(mark, r, 0)
            self.cells.addWidget(body, r, 1)
            self._rows += [mark, body]
        self.notes.setText("\n".join(_sentence(n) for n in report.notes))
        self.notes.setVisible(bool(report.notes))

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(error_text(exc))

    # -- why -------------------------------------------------------------------------------

    def ask_why(self) -> None:
        url = self.url.text().strip()
        if not url:
            return
        self.why.setText(self.tr("Checking…"))
        self.ctx.bridge.run(
            self.ctx.engine.why,
            url,
            self.session_id,
            on_done=self._answered,
            on_error=self._why_failed,
        )

    def _answered(self, answer: Any) -> None:
        self.answer = answer
        lines = [f"<b>{escape(_sentence(answer.sentence))}</b>"]
        if answer.layers:
            lines.append(self.tr("Blocked by: %1").replace("%1", ", ".join(answer.layers)))
        for gap in answer.gaps:
            lines.append(escape(f"{gap.label}: {_sentence(gap.reason)}"))
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.setText("<br>".join(lines))

    def _why_failed(self, exc: BaseException) -> None:
        self.answer = None
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        self.why.setText(error_text(exc))


class CoverageDialog(QDialog):
    """The panel on its own, for the running session (from the focus view)."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("What blocking reaches"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.panel = CoveragePanel(ctx, self)
        layout.addWidget(self.panel, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.panel.show_running()


def _method_name(method: str) -> str:
    names = {"hosts": "hosts file", "proxy": "blocking proxy", "both": "hosts file and proxy"}
    return names.get(method, method)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if "." not in first.rstrip(".:,"):  # a site's name keeps its case: www.youtube.com
        text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."
