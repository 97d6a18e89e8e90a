"""The 二维码 cell: the account's own QR picture, or a QR code generated from its 访问链接."""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas


def draw_image(c: Canvas, data: bytes, x: float, y: float, w: float, h: float) -> bool:
    """Draw PNG/JPEG bytes fitted into the box, keeping proportions; False if unreadable."""
    try:
        img = ImageReader(io.BytesIO(data))
        iw, ih = img.getSize()
    except Exception:  # noqa: BLE001 - any decoder error means "no usable picture"
        return False
    scale = min(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    c.drawImage(img, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, mask="auto")
    return True


def qr_drawing(text: str, side: float) -> Drawing:
    widget = QrCodeWidget(text, barBorder=1)
    x0, y0, x1, y1 = widget.getBounds()
    d = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    d.add(widget)
    return d


def draw_qr(c: Canvas, text: str, x: float, y: float, side: float) -> None:
    renderPDF.draw(qr_drawing(text, side), c, x, y)
