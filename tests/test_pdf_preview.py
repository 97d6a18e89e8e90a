"""The print preview dialog (offscreen), printing to a PDF printer, and the 文件 menu entry."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMainWindow, QMenu

from gzdesk.printing import render_blank
from gzdesk.ui import pdf_preview
from gzdesk.ui.pdf_preview import PdfPreviewDialog, paint_pdf, print_pdf


@pytest.fixture(scope="module")
def two_page_pdf() -> bytes:
    # a generic form with many approval steps runs onto a second page
    return render_blank("generic", [f"第{i}级主管单位意见" for i in range(1, 9)])


def _dark_fraction(image) -> float:
    """Share of non-white pixels in a sample grid of the image."""
    dark = total = 0
    for x in range(0, image.width(), 7):
        for y in range(0, image.height(), 7):
            total += 1
            if image.pixelColor(x, y).lightness() < 200:
                dark += 1
    return dark / total


def test_preview_shows_every_page_and_zooms(qtbot, two_page_pdf):
    dlg = PdfPreviewDialog(two_page_pdf, "空白《政务新媒体建设备案表》")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.page_count == 2
    assert len(dlg.page_labels) == 2
    pix = dlg.page_labels[0].pixmap()
    assert not pix.isNull()
    image = pix.toImage()
    # A4 proportions and real content (table rules and text), not a blank page
    assert abs(image.height() / image.width() - 297 / 210) < 0.02
    assert 0.01 < _dark_fraction(image) < 0.5
    dlg.zoom = 1.0
    dlg.fit_width = False
    dlg.refresh()
    w100 = dlg.page_labels[0].pixmap().width()
    dlg.zoom_in()
    assert dlg.page_labels[0].pixmap().width() > w100
    assert dlg.zoom_label.text() == "125%"
    dlg.zoom_out()
    dlg.zoom_out()
    assert dlg.page_labels[0].pixmap().width() < w100
    dlg.fit_to_width()
    assert dlg.fit_width
    texts = {b.text() for b in (dlg.print_btn, dlg.save_btn, dlg.close_btn)}
    assert texts == {"打印…", "另存为 PDF…", "关闭"}
    dlg.close_btn.click()
    assert dlg.result() == QDialog.DialogCode.Rejected


def test_save_as_writes_the_same_bytes(qtbot, two_page_pdf, tmp_path, monkeypatch):
    dlg = PdfPreviewDialog(two_page_pdf, "表")
    qtbot.addWidget(dlg)
    target = tmp_path / "保存的表"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    saved = dlg.save_as()
    assert saved == tmp_path / "保存的表.pdf"
    assert saved.read_bytes() == two_page_pdf


def test_paint_pdf_prints_every_page(qtbot, two_page_pdf, tmp_path):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printer.setResolution(150)
    assert paint_pdf(printer, two_page_pdf) == 2
    doc = pdfium.PdfDocument(out.read_bytes())
    assert len(doc) == 2
    doc.close()


def test_print_pdf_goes_through_the_print_dialog(qtbot, two_page_pdf, tmp_path, monkeypatch):
    out = tmp_path / "via_dialog.pdf"
    seen = {}

    def fake_exec(self):
        seen["printer"] = self.printer()
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(out))
        self.printer().setResolution(100)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    assert print_pdf(None, two_page_pdf) is True
    assert seen["printer"].fromPage() == 1 and seen["printer"].toPage() == 2
    assert out.exists() and out.stat().st_size > 1000
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert print_pdf(None, two_page_pdf) is False


class _FakeWindow(QMainWindow):
    """A bare window with a real controller: the menu code needs nothing else."""

    def __init__(self, controller):
        super().__init__()
        self.controller = controller
        self._menus: dict[str, QMenu] = {}

    def menu(self, title: str) -> QMenu:
        if title not in self._menus:
            self._menus[title] = self.menuBar().addMenu(title)
        return self._menus[title]


def test_file_menu_prints_a_blank_form(qtbot, monkeypatch, make_db):
    from gzdesk.ui import print_actions
    from gzdesk.ui.controller import Controller

    window = _FakeWindow(Controller(make_db("taibai")))
    qtbot.addWidget(window)
    print_actions.install(window)
    action = next(a for a in window.menu("文件").actions() if a.text() == "打印空白备案登记表…")
    offered = {}

    def fake_get_item(parent, title, label, items, current, editable):
        offered["items"] = items
        return items[current], True

    shown = {}

    def fake_exec(self):
        shown["title"] = self.title
        shown["pages"] = self.page_count
        shown["pdf"] = self.pdf_bytes
        return 0

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(fake_get_item))
    monkeypatch.setattr(pdf_preview.PdfPreviewDialog, "exec", fake_exec)
    action.trigger()
    # 太白's profile uses the generic form: offered first, printed with 太白's chain
    assert offered["items"][0].endswith("（generic）")
    assert shown["title"] == "空白《政务新媒体建设备案表》"
    assert shown["pages"] >= 1 and shown["pdf"].startswith(b"%PDF")
    doc = pdfium.PdfDocument(shown["pdf"])
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    flat = "".join(text.split())
    assert "县政务公开办公室意见" in flat
    assert "主要负责人签字" in flat  # 太白 第六条: signed by the head of the 主办单位
