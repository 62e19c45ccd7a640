"""History: focused time per day and per week as a chart, the streak, and every run
(completed, missed, ended early with its reason), with a CSV export in the CLI's format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.engine.history import csv_text, week_totals
from deepworkzone.gui.models.history import RunsModel
from deepworkzone.gui.widgets.chart import Bar, BarChart, minutes_text
from deepworkzone.gui.widgets.wrap_label import MessageLine


@dataclass(frozen=True)
class HistoryData:
    month: Any  # engine.history.Stats of the last 30 days
    quarter: Any  # the last 12 weeks, for the per-week bars
    runs: list[Any]


def load(history: Any) -> HistoryData:
    """On a worker: everything the view shows, in one go."""
    return HistoryData(history.stats("month"), history.stats("quarter"), history.list())


def write_csv(path: str, runs: list[Any]) -> str:
    """Bytes as csv_text made them, so the CRLFs of RFC 4180 stay as they are."""
    Path(path).write_bytes(csv_text(runs).encode("utf-8"))
    return path


class HistoryView(QWidget):
    loaded = Signal()
    exported = Signal(str)

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: HistoryData | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.per_day = QToolButton(self)
        self.per_day.setText(self.tr("Per &day"))
        self.per_week = QToolButton(self)
        self.per_week.setText(self.tr("Per &week"))
        group = QButtonGroup(self)
        for button in (self.per_day, self.per_week):
            button.setCheckable(True)
            group.addButton(button)
            top.addWidget(button)
        self.per_day.setChecked(True)
        group.buttonToggled.connect(lambda *_: self._show_chart())
        top.addSpacing(16)
        self.streak = QLabel(self)
        self.streak.setAccessibleName(self.tr("Streak"))
        font = self.streak.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.streak.setFont(font)
        self.total = QLabel(self)
        top.addWidget(self.streak)
        top.addSpacing(12)
        top.addWidget(self.total)
        top.addStretch(1)
        self.export_button = QPushButton(self.tr("&Export CSV…"), self)
        self.export_button.clicked.connect(self._ask_export)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.chart = BarChart(self)
        self.table = QTableView(self)
        self.model = RunsModel(ctx.engine.history.tz, self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Focus runs"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.chart)
        self.splitter.addWidget(self.table)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        self.message = MessageLine(self)
        layout.addWidget(self.message)
        ctx.signals.ended.connect(lambda _e: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        self.ctx.bridge.run(
            load, self.ctx.engine.history, on_done=self._loaded, on_error=self._error
        )

    def _loaded(self, data: HistoryData) -> None:
        self.data = data
        self.model.set_runs(data.runs)
        days = data.month.streak_days
        self.streak.setText(
            self.tr("{n}-day streak").format(n=days) if days else self.tr("No streak yet")
        )
        self.total.setText(
            self.tr("{total} in the last 30 days").format(
                total=minutes_text(data.month.total_minutes)
            )
        )
        self.export_button.setEnabled(bool(data.runs))
        self._show_chart()
        self.loaded.emit()

    def _show_chart(self) -> None:
        if self.data is None:
            return
        locale = QLocale()
        if self.per_day.isChecked():
            days = self.data.month.days
            bars = [
                Bar(
                    locale.toString(d.day, "d MMM"),
                    d.focused_minutes,
                    f"{locale.toString(d.day, 'ddd d MMM')}: {minutes_text(d.focused_minutes)}",
                )
                for d in days
            ]
        else:
            weeks = week_totals(self.data.quarter.days)
            bars = [
                Bar(
                    locale.toString(w.day, "d MMM"),
                    w.focused_minutes,
                    self.tr("Week of {day}: {time}").format(
                        day=locale.toString(w.day, "d MMM"), time=minutes_text(w.focused_minutes)
                    ),
                )
                for w in weeks
            ]
        self.chart.set_bars(bars, highlight=len(bars) - 1 if bars else None)

    def _ask_export(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            self.tr("Export focus history"),
            "deepworkzone-history.csv",
            self.tr("CSV files (*.csv)"),
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        runs = list(reversed(self.model.runs()))  # oldest first, as the CLI writes them

        def done(written: str) -> None:
            self._say(self.tr("Saved {path}").format(path=written))
            self.exported.emit(written)

        self.ctx.bridge.run(write_csv, path, runs, on_done=done, on_error=self._error)

    def _say(self, text: str) -> None:
        self.message.say(text)

    def _error(self, exc: BaseException) -> None:
        self.message.error(exc)


def create(ctx: Any, parent: QWidget | None = None) -> QWidget:
    return HistoryView(ctx, parent)
