"""Small shared widgets and helpers of the window."""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from gzdesk.ui.widgets import image_bytes_from_file, png_bytes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_an_image_in_another_format_is_stored_as_png(tmp_path, qapp):
    image = QImage(12, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("#2b5797"))
    bmp = tmp_path / "二维码.bmp"
    assert image.save(str(bmp), "BMP")
    data = image_bytes_from_file(bmp)
    assert data.startswith(PNG_MAGIC)
    back = QImage.fromData(data)
    assert (back.width(), back.height()) == (12, 8) and back.pixelColor(3, 3) == QColor("#2b5797")
    assert png_bytes(image).startswith(PNG_MAGIC)
