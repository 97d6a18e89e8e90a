"""Make the application icon's bitmaps from gzdesk/resources/icons/gzdesk.svg.

    .venv/bin/python scripts/make_icon.py

Writes gzdesk.png (256 px, the window icon) and gzdesk.ico (16–256 px, each size rendered from the
drawing, stored as PNG inside the .ico as Windows Vista and later read it; the Windows build's
executable icon). Qt renders the SVG, so no other tool is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "gzdesk" / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # (the stubs say bytes; PySide takes str only)
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An .ico file: header, one directory entry per size, then the PNG images."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = len(head) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in images.items():
        side = 0 if size >= 256 else size  # 0 means 256 in the directory
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return head + entries + blobs


def main() -> int:
    QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "gzdesk.svg"))
    if not renderer.isValid():
        print("gzdesk.svg cannot be read", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in SIZES}
    (ICONS / "gzdesk.png").write_bytes(images[256])
    (ICONS / "gzdesk.ico").write_bytes(ico(images))
    print(f"{ICONS / 'gzdesk.png'}, {ICONS / 'gzdesk.ico'} ({', '.join(map(str, SIZES))} px)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
