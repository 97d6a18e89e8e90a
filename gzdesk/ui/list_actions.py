"""打印清单… / 导出 Excel… for the list pages (账号台账, 待办, 检查, 人员, 备案).

A page that can be printed defines ``list_table() -> gzdesk.printing.lists.ListTable``: the rows it
shows now (after its filters), with the filters named in the subtitle. ``add_list_buttons`` puts
the two buttons in the page's toolbar; 文件 → 打印当前清单… (Ctrl+P) and 导出当前清单… act on the
page being shown. The PDF (``printing.lists.render_list``) opens in the print preview; the workbook
(``exchange.list_sheet``) is followed by the 打开文件 / 打开所在文件夹 message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QBoxLayout, QMessageBox, QPushButton, QWidget

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.ui import files
from gzdesk.ui.widgets import confirm

if TYPE_CHECKING:  # reportlab and XlsxWriter are imported when a list is printed or exported, not at start
    from gzdesk.printing.lists import ListTable

LARGE = 3000  # rows: asked before printing (about 60 A4 pages)
PREVIEW_PAGES = 30


def office_name(controller) -> str:
    try:
        return controller.office().unit_name
    except UserError:
        return ""


def print_list(parent: QWidget, table: ListTable) -> bool:
    """The table as an A4 PDF in the print preview; True when it was printed or saved."""
    if not table.rows:
        QMessageBox.information(parent, "打印清单", "当前没有可打印的行（可修改筛选条件）")
        return False
    if len(table.rows) > LARGE and not confirm(
            parent, "打印清单", f"当前清单有 {len(table.rows):,} 行，约 {len(table.rows) // 45 + 1} 页 A4，确定要打印吗？\n"
            "可先用筛选缩小范围。", yes="继续", no="取消"):
        return False
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        from gzdesk.printing.lists import render_list

        data = render_list(table)
    except UserError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, "打印清单", exc.message)
        return False
    QApplication.restoreOverrideCursor()
    from gzdesk.ui.pdf_preview import PdfPreviewDialog

    dialog = PdfPreviewDialog(data, table.dated_title, parent, max_pages=PREVIEW_PAGES)
    try:
        dialog.exec()
        return dialog.handed_out()
    finally:
        dialog.deleteLater()


def export_list(parent: QWidget, table: ListTable, path: str | None = None) -> str | None:
    """The table as an Excel workbook (asks where unless ``path``); the path written, or None."""
    interactive = path is None
    if path is None:
        path = files.ask_save_file(parent, f"导出{table.title}", f"{table.title}{cn_date(table.printed_on)}.xlsx",
                                   files.EXCEL_FILTER)
        if not path:
            return None
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        from gzdesk.exchange.list_sheet import write_list_xlsx

        n = write_list_xlsx(table, path)
    except UserError as exc:
        QApplication.restoreOverrideCursor()
        QMessageBox.warning(parent, f"导出{table.title}", exc.message)
        return None
    QApplication.restoreOverrideCursor()
    if interactive:
        files.show_saved(parent, f"导出{table.title}", f"已导出 {n} 行。", path)
    return str(path)


def add_list_buttons(page: Any, layout: QBoxLayout) -> tuple[QPushButton, QPushButton]:
    """打印清单… and 导出 Excel… at the end of a page's toolbar, acting on ``page.list_table()``."""
    printing = QPushButton("打印清单…")
    printing.setObjectName("printList")
    printing.setToolTip("把当前显示的行打印成 A4 表格（Ctrl+P）")
    exporting = QPushButton("导出 Excel…")
    exporting.setObjectName("exportList")
    exporting.setToolTip("把当前显示的行导出为 Excel 工作簿")
    printing.clicked.connect(lambda: print_list(page, page.list_table()))
    exporting.clicked.connect(lambda: export_list(page, page.list_table()))
    layout.addWidget(printing)
    layout.addWidget(exporting)
    return printing, exporting


def filters_text(*pairs: tuple[str, str | None]) -> str:
    """查找“教育”；平台：抖音 — the filters in force (those set), for the subtitle."""
    return "；".join(f"{what}：{value}" for what, value in pairs if value)


def _current(window: Any):
    page = window.pages.currentWidget()
    return page if callable(getattr(page, "list_table", None)) else None


def install(window: Any) -> None:
    """文件 → 打印当前清单… (Ctrl+P) / 导出当前清单…, for the page being shown."""
    menu = window.menu("文件")
    before = getattr(window, "quit_action", None)
    printing = QAction("打印当前清单(&P)…", window)
    printing.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
    exporting = QAction("导出当前清单到 Excel…", window)

    def run(fn) -> None:
        page = _current(window)
        if page is None:
            window.status_message("当前页面没有可打印的清单：请切换到账号台账、待办、检查、人员或备案")
            return
        fn(page, page.list_table())

    printing.triggered.connect(lambda: run(print_list))
    exporting.triggered.connect(lambda: run(export_list))
    for action in (printing, exporting):
        if before is not None and before in menu.actions():
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
    window.list_actions = {"print": printing, "export": exporting}

