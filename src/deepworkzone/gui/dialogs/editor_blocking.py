"""The editor's website-blocker page: mode, category chips, own domains (checked as typed),
strict mode, and a preview of exactly what the session will block and by which method."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from deepworkzone.domain.hostnames import InvalidDomain, normalise_domain
from deepworkzone.engine.block_preview import Preview, preview
from deepworkzone.gui.dialogs.editor_general import field_box
from deepworkzone.gui.dialogs.field_errors import FieldErrors
from deepworkzone.gui.widgets.chips import CategoryChips
from deepworkzone.gui.widgets.wrap_label import WrapLabel

PREVIEW_DELAY_MS = 200  # typing a domain re-plans once the user pauses, not per key
METHOD_WORDS = {
    "hosts": "the hosts file",
    "proxy": "the blocking proxy",
    "both": "the hosts file and the blocking proxy",
}


def domain_problems(text: str) -> list[str]:
    """One message per line that cannot be blocked by name (blank lines are fine)."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                normalise_domain(line)
            except InvalidDomain as exc:
                out.append(f"line {number}: {exc}")
    return out


class BlockingPage(QWidget):
    def __init__(self, ctx: Any, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._ticket = 0
        self.last_preview: Preview | None = None
        layout = QVBoxLayout(self)
        self.enabled = QCheckBox(self.tr("&Block distracting websites during this session"), self)
        layout.addWidget(field_box(self.enabled, errors, "website_blocker_enabled"))
        self.body = QWidget(self)
        inner = QVBoxLayout(self.body)
        inner.setContentsMargins(18, 0, 0, 0)
        self.modes = QButtonGroup(self)
        for mode, text in (
            ("preset", self.tr("&Categories, plus my own sites")),
            ("custom", self.tr("&Only my own sites")),
            ("allowlist", self.tr("&Allow only my sites; block everything else")),
        ):
            radio = QRadioButton(text, self.body)
            radio.setProperty("mode", mode)
            self.modes.addButton(radio)
            inner.addWidget(radio)
        self.chips = CategoryChips(self.body)
        inner.addWidget(field_box(self.chips, errors, "website_blocker"))
        self.notes = WrapLabel("", self.body)
        self.notes.setStyleSheet("color: palette(placeholder-text);")
        inner.addWidget(self.notes)
        self.sites_label = QLabel(self.body)
        inner.addWidget(self.sites_label)
        self.sites = QPlainTextEdit(self.body)
        self.sites.setPlaceholderText(self.tr("one per line, e.g. news.ycombinator.com"))
        self.sites.setTabChangesFocus(True)
        self.sites.setFixedHeight(72)
        self.sites_label.setBuddy(self.sites)
        inner.addWidget(field_box(self.sites, errors, "website_blocker.urls"))
        self.sites_error = errors.label("website_blocker.urls")
        self.strict = QCheckBox(
            self.tr("&Strict mode: the session cannot be ended early"), self.body
        )
        self.strict.setToolTip(self.tr("Only a rationed emergency exit ends it before its time."))
        inner.addWidget(self.strict)
        self.summary = WrapLabel("", self.body)
        self.details_button = QToolButton(self.body)
        self.details_button.setText(self.tr("Show the list"))
        self.details_button.setCheckable(True)
        self.details = QPlainTextEdit(self.body)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setAccessibleName(self.tr("Everything this session blocks"))
        self.details_button.toggled.connect(self.details.setVisible)
        inner.addWidget(self.summary)
        inner.addWidget(self.details_button)
        inner.addWidget(self.details)
        layout.addWidget(self.body)
        layout.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self.enabled.toggled.connect(self._changed)
        self.modes.buttonToggled.connect(lambda *_: self._changed())
        self.chips.changed.connect(lambda _ids: self._changed())
        self.sites.textChanged.connect(self._changed)
        self.set_mode("preset")
        self.enabled.setChecked(True)

    def focus_order(self) -> list[QWidget]:
        return [
            self.enabled,
            *self.modes.buttons(),
            *self.chips.chips().values(),
            self.sites,
            self.strict,
            self.details_button,
        ]

    def set_categories(self, infos: list[Any]) -> None:
        self.chips.set_categories(infos)
        self._changed()

    def mode(self) -> str:
        checked = self.modes.checkedButton()
        return str(checked.property("mode")) if checked else "preset"

    def set_mode(self, mode: str) -> None:
        for button in self.modes.buttons():
            button.setChecked(button.property("mode") == mode)

    def urls(self) -> list[str]:
        return [line.strip() for line in self.sites.toPlainText().splitlines() if line.strip()]

    def load(self, s: Any) -> None:
        blocker = s.website_blocker
        self.enabled.setChecked(s.website_blocker_enabled)
        self.set_mode(blocker.mode)
        self.chips.set_selected(blocker.category)
        self.sites.setPlainText("\n".join(blocker.urls))
        self.strict.setChecked(bool(blocker.strict))

    def values(self) -> dict[str, Any]:
        mode = self.mode()
        return {
            "website_blocker_enabled": self.enabled.isChecked(),
            "website_blocker": {
                "mode": mode,
                "category": self.chips.selected() if mode == "preset" else [],
                "urls": self.urls(),
                "strict": self.strict.isChecked(),
            },
        }

    # -- reacting -----------------------------------------------------------------------------

    def _changed(self) -> None:
        mode = self.mode()
        self.body.setEnabled(self.enabled.isChecked())
        self.chips.setVisible(mode == "preset")
        self.notes.setVisible(mode == "preset" and bool(self.chips.notes()))
        self.notes.setText(
            "\n".join(self.tr("⚠ {note}").format(note=n) for n in self.chips.notes())
        )
        self.sites_label.setText(
            {
                "preset": self.tr("Also &block:"),
                "custom": self.tr("&Block these sites:"),
                "allowlist": self.tr("&Allow only these sites:"),
            }[mode]
        )
        problems = domain_problems(self.sites.toPlainText())
        if self.sites_error is not None:
            self.sites_error.setText("\n".join(problems))
            self.sites_error.setVisible(bool(problems))
        self._timer.start()

    def refresh_preview(self) -> None:
        self._ticket += 1
        ticket = self._ticket
        if domain_problems(self.sites.toPlainText()):
            self.summary.setText(self.tr("Fix the sites above to see what will be blocked."))
            return
        method = self._ctx.engine.settings.blocking_method

        def done(result: Preview) -> None:
            if ticket == self._ticket:  # an older plan that finished late is dropped
                self._show(result)

        def failed(exc: BaseException) -> None:
            if ticket == self._ticket:
                self.summary.setText(str(exc))

        self._ctx.bridge.run(
            preview,
            self.chips.selected(),
            self.urls(),
            self.mode(),
            method,
            enabled=self.enabled.isChecked(),
            on_done=done,
            on_error=failed,
        )

    def _show(self, p: Preview) -> None:
        self.last_preview = p
        if p.method == "none" or not (p.domains or p.allowlist_only):
            self.summary.setText(self.tr("Nothing will be blocked."))
            self.details.setPlainText("")
            return
        how = self.tr(METHOD_WORDS.get(p.method, p.method))
        if p.allowlist_only:
            text = self.tr("Every site except {n} allowed will be blocked, through {how}.").format(
                n=len(p.allowed), how=how
            )
        else:
            text = self.tr("{n} sites will be blocked, through {how}.").format(
                n=len(p.domains), how=how
            )
            if p.hosts_domains and len(p.proxy_domains) > len(p.hosts_domains):
                text += " " + self.tr("{h} in the hosts file; the rest by the proxy only.").format(
                    h=len(p.hosts_domains)
                )
        if p.apps:
            text += " " + self.tr("Closes {apps}.").format(apps=", ".join(p.apps))
        self.summary.setText("\n".join([text, *p.notes]))
        lines: list[str] = []
        if p.hosts_domains:
            lines += [self.tr("# hosts file"), *p.hosts_domains]
        proxy_only = [d for d in p.proxy_domains if d not in set(p.hosts_domains)]
        if proxy_only:
            lines += [self.tr("# blocking proxy"), *proxy_only]
        if p.allowed:
            lines += [self.tr("# allowed"), *p.allowed]
        self.details.setPlainText("\n".join(lines))
