"""Setting the machine up for hosts-file blocking from the app: the same steps as
``deepworkzone setup`` (engine/setup.py), with its plain explanation asked first.

The plan, the administrator prompt (pkexec shows the desktop's own password dialog) and the
checks after it all run through the bridge; the GUI thread only asks and shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from deepworkzone.engine import setup as machine_setup
from deepworkzone.gui.widgets.messages import error_text

Done = Callable[[bool, str], None]  # it worked, what to tell the user


def offer_setup(ctx: Any, parent: QWidget, on_done: Done, *, ask: Any = None) -> None:
    """Plan, ask, install, tell. ``ask(plan) -> bool`` replaces the question (tests)."""

    def planned(plan: Any) -> None:
        if plan.problems or not plan.supported:
            why = "; ".join(plan.problems) or parent.tr("not available on this system")
            on_done(
                False, parent.tr("Website blocking cannot be set up here: %1").replace("%1", why)
            )
            return
        if plan.state in ("installed", "installed by a package"):
            on_done(True, parent.tr("Website blocking is already set up on this computer."))
            return
        if plan.elevation == "sudo":  # sudo asks in a terminal, which the app does not have
            on_done(
                False,
                parent.tr(
                    "This computer has no graphical password prompt (polkit). In a terminal, run: "
                    "deepworkzone setup"
                ),
            )
            return
        if not (ask or _ask)(parent, plan):
            on_done(False, "")
            return
        ctx.bridge.run(machine_setup.run_setup, on_done=finished, on_error=failed)

    def finished(result: Any) -> None:
        on_done(bool(result.ok), str(result.message))

    def failed(exc: BaseException) -> None:
        on_done(False, error_text(exc))

    ctx.bridge.run(machine_setup.plan_setup, on_done=planned, on_error=failed)


def _ask(parent: QWidget, plan: Any) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.tr("Set up website blocking"))
    box.setText(parent.tr("Install the small helper that edits the hosts file?"))
    box.setInformativeText(str(plan.explanation))
    if plan.files:
        box.setDetailedText("\n".join(f"{f.path}: {f.what}" for f in plan.files))
    box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Ok).setText(parent.tr("Set up…"))
    return box.exec() == QMessageBox.StandardButton.Ok
