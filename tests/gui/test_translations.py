"""Translations: the strings are extracted into resources/translations/deepworkzone_en.ts,
and a compiled .qm for the system's language is loaded at start (QTranslator)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from deepworkzone.gui import translations

TS = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de">
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
</context>
</TS>
"""


def test_the_english_source_file_holds_the_windows_strings() -> None:
    ts = translations.translations_dir() / "deepworkzone_en.ts"
    text = ts.read_text(encoding="utf-8")
    assert "<name>MainWindow</name>" in text and "Quit Deep Work Zone?" in text
    assert "<name>StartPrompt</name>" in text


@pytest.mark.skipif(shutil.which("pyside6-lrelease") is None, reason="needs pyside6-lrelease")
def test_a_compiled_language_is_loaded_at_start(
    qtbot: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QCoreApplication, QLocale
    from PySide6.QtWidgets import QApplication

    (tmp_path / "deepworkzone_de.ts").write_text(TS, encoding="utf-8")
    subprocess.run(
        ["pyside6-lrelease", str(tmp_path / "deepworkzone_de.ts")],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "deepworkzone_de.qm").exists()
    monkeypatch.setattr(translations, "translations_dir", lambda: tmp_path)
    app = QApplication.instance()
    loaded = translations.install_translators(app, QLocale("de_DE"))
    try:
        assert "deepworkzone" in [t.objectName() for t in loaded]
        assert QCoreApplication.translate("MainWindow", "&File") == "&Datei"
    finally:
        for t in loaded:
            app.removeTranslator(t)
    assert QCoreApplication.translate("MainWindow", "&File") == "&File"
    # No .qm for a language: it stays English, nothing of ours is installed.
    none = translations.install_translators(app, QLocale("fr_FR"))
    for t in none:
        app.removeTranslator(t)
    assert "deepworkzone" not in [t.objectName() for t in none]
