"""Light, dark or the system's scheme, and monochrome icons tinted from the palette.

The palette stays the platform's own (Fusion only where we must force a scheme), so the app
looks native; action icons are single-colour SVGs recoloured for the current palette, so
dark mode needs no second icon set.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
OLD_THEME_KEY = "appearance/theme"  # where the window settings kept it before core settings
ACCENT = QColor("#3b63f0")
_SIZES = (16, 20, 24, 32, 48, 64)


def resources_dir() -> Path:
    """resources/ in a checkout, or its copy inside the installed package."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "_resources", here.parents[3] / "resources"):
        if candidate.is_dir():
            return candidate
    return here.parents[3] / "resources"


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def app_icon() -> QIcon:
    return QIcon(str(icon_path("app")))


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def icon(name: str, color: QColor | None = None) -> QIcon:
    """``name`` from resources/icons, drawn in ``color`` (default: the palette's text)."""
    if color is None:
        color = QGuiApplication.palette().color(QPalette.ColorRole.WindowText)
    return _tinted(name, color.name())


@functools.lru_cache(maxsize=256)
def _tinted(name: str, hex_color: str) -> QIcon:
    try:
        svg = icon_path(name).read_text(encoding="utf-8")
    except OSError:
        return QIcon()
    renderer = QSvgRenderer(QByteArray(svg.replace("#000000", hex_color).encode()))
    out = QIcon()
    ratio = max(QGuiApplication.primaryScreen().devicePixelRatio() if _has_screen() else 1, 1)
    for size in _SIZES:
        pix = QPixmap(QSize(size, size) * ratio)
        pix.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pix)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, pix.width(), pix.height()))
        painter.end()
        pix.setDevicePixelRatio(ratio)
        out.addPixmap(pix)
    return out


def _has_screen() -> bool:
    return QGuiApplication.primaryScreen() is not None


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d31"), QColor("#e8e8ea")
    for role, color in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor("#26282c")),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor("#34363b")),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.ToolTipBase, base),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#8b8d93")),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor("#7c9bff")),
        (QPalette.ColorRole.Mid, QColor("#45474d")),
    ):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6d6f75"))
    return p


def _light_palette() -> QPalette:
    p = QApplication.style().standardPalette()
    p.setColor(QPalette.ColorRole.Highlight, ACCENT)
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return p


def system_prefers_dark() -> bool:
    try:
        scheme = QGuiApplication.styleHints().colorScheme()
    except AttributeError:  # Qt < 6.5: ask the palette
        return is_dark()
    return scheme == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, mode: str = "system") -> str:
    """Apply ``mode``; returns the scheme in effect ("light" or "dark")."""
    _tinted.cache_clear()
    dark = system_prefers_dark() if mode not in ("light", "dark") else mode == "dark"
    if mode in ("light", "dark") or sys.platform.startswith("linux"):
        # Linux platform themes without a dark palette (offscreen, plain X11): Fusion with
        # our palette. Elsewhere "system" keeps the platform style untouched.
        app.setStyle("Fusion")
        app.setPalette(_dark_palette() if dark else _light_palette())
    return "dark" if dark else "light"


def setting() -> str:
    """The ``theme`` of the app's settings (core/settings.py), shared with the settings
    dialog; a small file read, at start-up and when the system's scheme changes."""
    from deepworkzone.core.settings import load_settings

    mode = load_settings().theme
    return mode if mode in THEMES else "system"


def migrate_window_theme(window_settings: Any) -> None:
    """Once: a theme chosen before it moved to core settings (the window's QSettings key)
    becomes the ``theme`` setting, unless that was already set; the old key goes."""
    from deepworkzone.core.settings import load_settings, save_settings

    if not window_settings.contains(OLD_THEME_KEY):
        return
    old = str(window_settings.value(OLD_THEME_KEY, "system"))
    settings = load_settings()
    if old in THEMES and settings.theme == "system":
        settings.theme = old  # type: ignore[assignment]
        save_settings(settings)
    window_settings.remove(OLD_THEME_KEY)
    window_settings.sync()


def follow_system(app: QApplication, mode_of: object) -> None:
    """Re-apply when the system scheme changes while the setting says "system"."""
    hints = QGuiApplication.styleHints()
    signal = getattr(hints, "colorSchemeChanged", None)
    if signal is not None:
        signal.connect(lambda _scheme: mode_of() == "system" and apply_theme(app, "system"))  # type: ignore[operator]
