"""Print preview inside the program: PDF pages drawn with pypdfium2, printed through the system dialog.

API (used by the 备案 pages for filled forms and batch printing)::

    from gzdesk.ui.pdf_preview import PdfPreviewDialog, print_pdf, preview_pdf

    PdfPreviewDialog(pdf_bytes, "备案登记表 QF-2026-001", parent).exec()   # 打印… / 另存为 PDF… / 关闭
    print_pdf(parent, pdf_bytes)           # straight to QPrintDialog; True when printed
    preview_pdf(parent, pdf_bytes, title)  # shows the dialog; True (the clerk has seen the form)

The dialog holds no session and reads no database: it only shows the bytes it was given.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QShortcut
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

SCREEN_DPI = 96.0
ZOOM_STEPS = (0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0)
PRINT_DPI_CAP = 300  # printer resolution is capped here: enough for forms, kind to memory


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def render_page(doc: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    """One page as a QImage at ``dpi`` (a deep copy: safe after the PDF is closed)."""
    page = doc[index]
    try:
        bitmap = page.render(scale=dpi / 72.0, prefer_bgrx=True)
        try:
            w, h, stride = bitmap.width, bitmap.height, bitmap.stride
            image = QImage(bitmap.buffer, w, h, stride, QImage.Format.Format_RGB32).copy()
        finally:
            bitmap.close()
    finally:
        page.close()
    return image


def page_sizes(doc: pdfium.PdfDocument) -> list[tuple[float, float]]:
    """Page sizes in points."""
    out = []
    for i in range(len(doc)):
        page = doc[i]
        out.append((page.get_width(), page.get_height()))
        page.close()
    return out


class PdfPreviewDialog(QDialog):
    """Shows every page of a PDF; zoom in / out / fit width; print, save, close."""

    def __init__(self, pdf_bytes: bytes, title: str = "打印预览", parent: QWidget | None = None):
        super().__init__(parent)
        self.pdf_bytes = bytes(pdf_bytes)
        self.title = title
        self.setWindowTitle(f"打印预览 — {title}")
        self.resize(860, 960)
        doc = pdfium.PdfDocument(self.pdf_bytes)
        try:
            self._sizes = page_sizes(doc)
        finally:
            doc.close()
        self.zoom = 1.0
        self.fit_width = True

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages_widget = QWidget()
        self.pages_widget.setStyleSheet("background: #8a8a8a;")
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setSpacing(12)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_labels: list[QLabel] = []
        for _ in self._sizes:
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("background: white; border: 1px solid #555;")
            self.pages_layout.addWidget(label)
            self.page_labels.append(label)
        self.scroll_area.setWidget(self.pages_widget)

        self.zoom_out_btn = QPushButton("缩小")
        self.zoom_in_btn = QPushButton("放大")
        self.fit_btn = QPushButton("适合宽度")
        self.zoom_label = QLabel()
        self.print_btn = QPushButton("打印…")
        self.save_btn = QPushButton("另存为 PDF…")
        self.close_btn = QPushButton("关闭")
        self.print_btn.setDefault(True)
        self.zoom_out_btn.clicked.connect(self.zoom_out)
        self.zoom_in_btn.clicked.connect(self.zoom_in)
        self.fit_btn.clicked.connect(self.fit_to_width)
        self.print_btn.clicked.connect(self.print_document)
        self.save_btn.clicked.connect(self.save_as)
        self.close_btn.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, self.zoom_in)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, self.zoom_out)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_document)

        bar = QHBoxLayout()
        for w in (self.zoom_out_btn, self.zoom_in_btn, self.fit_btn, self.zoom_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(QLabel(f"共 {len(self._sizes)} 页"))
        for w in (self.print_btn, self.save_btn, self.close_btn):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        self._shown_width = 0
        self.refresh()

    # ------------------------------------------------------------------ display
    @property
    def page_count(self) -> int:
        return len(self._sizes)

    def _fit_zoom(self) -> float:
        if not self._sizes:
            return 1.0
        avail = max(self.scroll_area.viewport().width() - 40, 200)
        widest = max(w for w, _ in self._sizes) / 72.0 * SCREEN_DPI
        return max(0.2, avail / widest)

    def refresh(self) -> None:
        """Redraw every page at the current zoom (fit width recomputed from the viewport)."""
        if self.fit_width:
            self.zoom = self._fit_zoom()
        ratio = self.devicePixelRatioF() or 1.0
        dpi = SCREEN_DPI * self.zoom * ratio
        doc = pdfium.PdfDocument(self.pdf_bytes)  # opened per redraw: nothing left open by the dialog
        try:
            for i, label in enumerate(self.page_labels):
                image = render_page(doc, i, dpi)
                pix = QPixmap.fromImage(image)
                pix.setDevicePixelRatio(ratio)
                label.setPixmap(pix)
                label.setFixedSize(int(image.width() / ratio) + 2, int(image.height() / ratio) + 2)
        finally:
            doc.close()
        self.zoom_label.setText(f"{round(self.zoom * 100)}%")
        self._shown_width = self.scroll_area.viewport().width()

    def zoom_in(self) -> None:
        self.fit_width = False
        self.zoom = next((z for z in ZOOM_STEPS if z > self.zoom + 1e-6), ZOOM_STEPS[-1])
        self.refresh()

    def zoom_out(self) -> None:
        self.fit_width = False
        self.zoom = next((z for z in reversed(ZOOM_STEPS) if z < self.zoom - 1e-6), ZOOM_STEPS[0])
        self.refresh()

    def fit_to_width(self) -> None:
        self.fit_width = True
        self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.fit_width and abs(self.scroll_area.viewport().width() - self._shown_width) > 8:
            self.refresh()

    # ------------------------------------------------------------------ actions
    def print_document(self) -> bool:
        return print_pdf(self, self.pdf_bytes)

    def save_as(self) -> Path | None:
        name = "".join(ch for ch in self.title if ch not in '\\/:*?"<>|') or "登记表"
        path, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", f"{name}.pdf", "PDF 文件 (*.pdf)")
        if not path:
            return None
        target = Path(path if path.lower().endswith(".pdf") else path + ".pdf")
        try:
            target.write_bytes(self.pdf_bytes)
        except OSError:
            QMessageBox.warning(self, "另存为 PDF", f"无法写入“{target}”，请换一个文件夹")
            return None
        return target


def paint_pdf(printer: QPrinter, pdf_bytes: bytes, first: int = 1, last: int = 0) -> int:
    """Paint pages ``first``..``last`` (1-based, 0 = to the end) on ``printer``; returns pages printed.

    Each page is rendered at the printer's resolution (capped) and scaled into the printable area
    keeping its proportions, so the form prints at its real size on A4.
    """
    doc = pdfium.PdfDocument(pdf_bytes)
    painter = QPainter()
    printed = 0
    try:
        n = len(doc)
        last = n if last <= 0 else min(last, n)
        if not painter.begin(printer):
            return 0
        dpi = min(printer.resolution(), PRINT_DPI_CAP)
        for i in range(max(first, 1) - 1, last):
            if printed:
                printer.newPage()
            image = render_page(doc, i, dpi)
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            target = QRectF(0, 0, area.width(), area.height())
            scale = min(target.width() / image.width(), target.height() / image.height())
            w, h = image.width() * scale, image.height() * scale
            painter.drawImage(QRectF((target.width() - w) / 2, 0, w, h), image)
            printed += 1
    finally:
        if painter.isActive():
            painter.end()
        doc.close()
    return printed


def print_pdf(parent: QWidget | None, pdf_bytes: bytes) -> bool:
    """Ask for a printer with the system print dialog and print every page. True when printed."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("政务新媒体备案登记表")
    printer.setFromTo(1, page_count(pdf_bytes))
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    first, last = (printer.fromPage(), printer.toPage()) if printer.printRange() == QPrinter.PrintRange.PageRange \
        else (1, 0)
    return paint_pdf(printer, pdf_bytes, first, last) > 0


def preview_pdf(parent: QWidget | None, pdf_bytes: bytes, title: str) -> bool:
    """Show the preview dialog; True once shown (the clerk has seen the form)."""
    PdfPreviewDialog(pdf_bytes, title, parent).exec()
    return True
