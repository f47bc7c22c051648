"""Render the app icon (leaddesk/resources/icons/leaddesk.svg) for the desktop builds.

``python3 packaging/make_icons.py`` writes the freedesktop hicolor PNGs
(packaging/linux/icons/NxN/leaddesk.png), packaging/windows/leaddesk.ico and, where Qt has the
ICNS writer, packaging/macos/leaddesk.icns. The results are committed; run it after changing
the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "leaddesk" / "resources" / "icons" / "leaddesk.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    """The icon at ``size``×``size`` pixels on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    """Write every size and format; say which format this Qt cannot write."""
    app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(SOURCE))
    for size in SIZES:
        target = ROOT / "packaging" / "linux" / "icons" / f"{size}x{size}" / "leaddesk.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        render(renderer, size).save(str(target))
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for fmt, target, size in (
        ("ico", ROOT / "packaging" / "windows" / "leaddesk.ico", 256),
        ("icns", ROOT / "packaging" / "macos" / "leaddesk.icns", 512),
    ):
        if fmt in formats:
            render(renderer, size).save(str(target), fmt)
        else:
            print(f"this Qt cannot write {fmt}: {target.name} not made", file=sys.stderr)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
