"""Translations: Qt's own strings and ours, for the system's language, loaded at start.

Our strings are extracted with ``pyside6-lupdate`` into resources/translations/
deepworkzone_<lang>.ts and compiled with ``pyside6-lrelease`` into a .qm next to it
(docs/app.md, "Adding a language"). A language with no .qm simply stays English.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from deepworkzone.gui import theme

log = logging.getLogger(__name__)


def translations_dir() -> Path:
    return theme.resources_dir() / "translations"


def install_translators(app: QApplication, locale: QLocale | None = None) -> list[QTranslator]:
    """Install Qt's and the app's translators for ``locale`` (the system's by default);
    returns the ones that loaded (Qt's "qtbase", then ours), each named by objectName."""
    locale = locale or QLocale.system()
    loaded: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name, folder in (("qtbase", qt_dir), ("deepworkzone", str(translations_dir()))):
        translator = QTranslator(app)
        # Tries deepworkzone_de_DE.qm, deepworkzone_de.qm, ... for the locale's languages.
        if translator.load(locale, name, "_", folder):
            translator.setObjectName(name)
            app.installTranslator(translator)
            loaded.append(translator)
        else:
            translator.deleteLater()
    if loaded:
        log.info(
            "translations for %s: %s", locale.name(), ", ".join(t.objectName() for t in loaded)
        )
    return loaded
