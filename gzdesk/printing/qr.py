"""The 二维码 cell: the account's own QR picture, or a QR code generated from its 访问链接."""

from __future__ import annotations

import io

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Rect
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


def qr_modules(text: str) -> tuple[list[tuple[float, float, float, float]], tuple[float, float, float, float]]:
    """The dark modules of the QR code for ``text`` as rectangles, and their bounds."""
    widget = QrCodeWidget(text, barBorder=1)
    rects = [(r.x, r.y, r.width, r.height) for r in widget.draw().contents if isinstance(r, Rect)]
    return rects, widget.getBounds()


def draw_qr(c: Canvas, text: str, x: float, y: float, side: float) -> None:
    """Draw the QR code as filled squares straight on the canvas.

    (``renderPDF.draw`` would also work but sets Helvetica as the drawing's font, which then shows
    up, unembedded, in ``pdffonts`` — we keep the PDF free of any non-embedded font.)
    """
    rects, (x0, y0, x1, y1) = qr_modules(text)
    k = side / max(x1 - x0, y1 - y0)
    c.saveState()
    c.setFillColorRGB(1, 1, 1)
    c.rect(x, y, side, side, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    for rx, ry, rw, rh in rects:
        if rw * k >= side * 0.99:  # the white background square of the widget
            continue
        c.rect(x + (rx - x0) * k, y + (ry - y0) * k, rw * k, rh * k, stroke=0, fill=1)
    c.restoreState()
