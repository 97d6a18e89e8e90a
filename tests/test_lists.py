"""Any list printed as an A4 table (title, date, page numbers, landscape when wide) or exported to Excel."""

from __future__ import annotations

from datetime import date

import openpyxl
import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QSettings

from gzdesk import demo
from gzdesk.exchange.list_sheet import write_list_xlsx
from gzdesk.printing.fonts import fonts
from gzdesk.printing.lists import ListColumn, ListTable, render_list, wrap
from gzdesk.ui import list_actions, pdf_preview
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow


def pdf_pages(data: bytes) -> list[tuple[str, float, float]]:
    """(text without white space, width, height) of every page."""
    doc = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            out.append(("".join(page.get_textpage().get_text_range().split()), page.get_width(), page.get_height()))
            page.close()
        return out
    finally:
        doc.close()


def _table(n: int, wide: bool = False) -> ListTable:
    cols = [ListColumn("序号", "right"), ListColumn("名称"), ListColumn("主办单位")]
    if wide:
        cols += [ListColumn(t) for t in ("平台", "运行状态", "最近更新", "关注量", "账号ID", "创建日期", "说明")]
    rows = []
    for i in range(1, n + 1):
        row = [str(i), f"盐湖发布{i}", "运城市盐湖区融媒体中心"]
        if wide:
            row += ["微信订阅号", "正常", "2026年11月28日", f"{i * 1234:,}", f"https://weibo.com/u/{i:010d}",
                    "2019年3月12日", "省政府办公厅意见于2026年11月16日签署，备案2026-00006（补办）尚未标记已报送"]
        rows.append(row)
    return ListTable("政务新媒体账号台账", cols, rows, "运城市盐湖区人民政府办公室", "平台：微信订阅号",
                     printed_on=date(2026, 12, 1))


def test_narrow_list_is_portrait_with_title_date_and_page_numbers():
    pages = pdf_pages(render_list(_table(120)))
    assert len(pages) >= 3
    text, w, h = pages[0]
    assert h > w  # A4 portrait
    assert "政务新媒体账号台账" in text and "运城市盐湖区人民政府办公室" in text and "平台：微信订阅号" in text
    assert "打印日期：2026年12月1日" in text and f"第1页共{len(pages)}页" in text and "共120行" in text
    for n, (page_text, _w, _h) in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in page_text
        assert "序号名称主办单位" in page_text  # the header row on every page
    everything = "".join(t for t, _w, _h in pages)
    assert all(f"盐湖发布{i}" in everything for i in range(1, 121))


def test_wide_list_turns_landscape_and_wraps_instead_of_cutting():
    table = _table(40, wide=True)
    pages = pdf_pages(render_list(table))
    text, w, h = pages[0]
    assert w > h  # landscape
    everything = "".join(t for t, _w, _h in pages)
    for row in table.rows:  # every cell is there in full (wrapped, not cut off)
        for cell in row:
            assert "".join(cell.split()) in everything, cell


def test_wrap_keeps_numbers_whole():
    fs = fonts()
    lines = wrap(fs, "备案2026-00006（补办）尚未标记已报送", fs.width("备案2026-00006", 9) + 1, 9)
    assert lines[0] == "备案2026-00006" and "".join(lines) == "备案2026-00006（补办）尚未标记已报送"


def test_excel_export_of_a_list(tmp_path):
    path = tmp_path / "台账.xlsx"
    assert write_list_xlsx(_table(30), path) == 30
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "政务新媒体账号台账" and "平台：微信订阅号" in ws["A2"].value
    assert "2026年12月1日" in ws["A3"].value
    assert [c.value for c in ws[4]][:3] == ["序号", "名称", "主办单位"]
    assert ws["B5"].value == "盐湖发布1" and ws.max_row == 34
    assert ws.freeze_panes == "A5"


@pytest.fixture
def window(qtbot, make_db, tmp_path):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    demo.generate(db, 120, seed=2)
    w = MainWindow(Controller(db), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


def test_each_list_page_prints_what_it_shows(qtbot, window, monkeypatch, tmp_path):
    shown = []

    def fake_exec(self):
        shown.append(self.pdf_bytes)
        return 0

    monkeypatch.setattr(pdf_preview.PdfPreviewDialog, "exec", fake_exec)
    registry = window.registry
    registry.platform_combo.setCurrentIndex(registry.platform_combo.findText("抖音"))
    table = registry.list_table()
    assert len(table.rows) == len(registry.model.visible_rows) > 0 and "平台：抖音" in table.subtitle
    assert table.office == "运城市盐湖区人民政府办公室"
    registry.print_button.click()
    text = "".join(t for t, _w, _h in pdf_pages(shown[-1]))
    assert "".join(registry.model.visible_rows[0].name.split()) in text and "平台：抖音" in text
    for key in ("pending", "check", "people", "filings"):
        window.show_page(key)
        window.list_actions["print"].trigger()  # 文件 → 打印当前清单 (Ctrl+P) acts on the page shown
        page = window.page(key)
        assert len(page.list_table().rows) > 0
        assert page.list_table().title.replace(" ", "") in "".join(t for t, _w, _h in pdf_pages(shown[-1]))
    assert window.list_actions["print"].shortcut().toString() == "Ctrl+P"
    out = list_actions.export_list(window, window.page("people").list_table(), str(tmp_path / "人员.xlsx"))
    ws = openpyxl.load_workbook(out).active
    assert ws.max_row == 4 + len(window.page("people").model.rows)
    window.show_page("overview")
    window.list_actions["print"].trigger()
    assert "没有可打印的清单" in window.statusBar().currentMessage()
