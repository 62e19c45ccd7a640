"""Render resources/icons/app.svg to the PNG sizes a freedesktop icon theme wants.

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py [--check]

Writes resources/icons/hicolor/<n>x<n>/apps/ai.deepworkzone.DeepWorkZone.png (the layout
the files take in /usr/share/icons and ~/.local/share/icons, so a package copies the tree
as it is). Qt's own SVG renderer (PySide6, already a dependency) draws them: no other tool
needed. ``--check`` renders to memory and exits 1 when a committed PNG is missing or its
size is wrong, for CI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
APP_ID = "ai.deepworkzone.DeepWorkZone"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def target(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main(argv: list[str]) -> int:
    check = "--check" in argv
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / "app.svg"))
    if not renderer.isValid():
        print(f"cannot read {ICONS / 'app.svg'}", file=sys.stderr)
        return 1
    bad = 0
    for size in SIZES:
        path = target(size)
        if check:
            image = QImage(str(path))
            if image.isNull() or (image.width(), image.height()) != (size, size):
                print(f"{path.relative_to(ROOT)}: missing or not {size}x{size}", file=sys.stderr)
                bad += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(renderer, size))
        print(path.relative_to(ROOT))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
