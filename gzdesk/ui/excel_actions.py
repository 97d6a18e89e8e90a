"""数据交换 menu: export the 台账 (full or 脱敏), the blank import template, and the import wizard.

Long runs show a progress dialog (``ui.background``) whose 取消 returns False from the progress
callback (``gzdesk.exchange.progress``): the export (in a worker thread) deletes its partial file,
the import rolls back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange.progress import Cancelled
from gzdesk.permissions import Cap
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRunner
from gzdesk.ui.controller import may

if TYPE_CHECKING:  # the exporter and XlsxWriter are imported when a workbook is written, not at start (~0.15 s)
    from gzdesk.exchange.excel_export import ExportResult

T = TypeVar("T")
MENU = "数据交换"


def export_workbook(session, path: Path, **kw) -> ExportResult:
    """``excel_export.export_workbook``, imported when a workbook is written: the exporter and
    XlsxWriter cost ~0.15 s, and this module is imported at every start of the window."""
    from gzdesk.exchange import excel_export

    return excel_export.export_workbook(session, path, **kw)


def export_template(path: str | Path, unit_name: str) -> Path:
    """``excel_export.export_template``, imported when it is written (see ``export_workbook``)."""
    from gzdesk.exchange import excel_export

    return excel_export.export_template(path, unit_name)


def default_export_name(unit: str, masked: bool = False, today: date | None = None) -> str:
    return f"{unit}政务新媒体台账{'（脱敏）' if masked else ''}{cn_date(today or date.today())}.xlsx"


def export_registry(window, path: str | Path | None = None, masked: bool = False) -> ExportResult | None:
    """Ask for a file (unless given) and write the 台账 with a progress dialog."""
    controller = window.controller
    interactive = path is None
    if path is None:
        name = default_export_name(controller.office().unit_name, masked)
        path = files.ask_save_file(window, "导出脱敏台账" if masked else "导出 Excel 台账", name, files.EXCEL_FILTER)
        if not path:
            return None
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    runner = BackgroundRunner(window, "导出 Excel 台账", "正在导出台账……")
    try:
        result = runner.run(lambda cb: controller.read(export_workbook, path, mask_phones=masked, progress=cb))
    except Cancelled:
        window.status_message("已取消导出，未留下文件")
        return None
    except UserError as exc:
        QMessageBox.warning(window, "导出失败", str(exc))
        return None
    window.status_message(f"已导出 {result.accounts} 个账号到 {path}")
    notes = ""
    if result.long_texts:  # text over Excel's cell limit: where it went, in the same message
        shown = "\n".join(t.message() for t in result.long_texts[:10])
        more = f"\n……另有 {len(result.long_texts) - 10} 处" if len(result.long_texts) > 10 else ""
        notes = f"\n\n{shown}{more}"
    if interactive:
        files.show_saved(window, "导出 Excel 台账", f"已导出 {result.accounts} 个账号的台账。{notes}", path)
    elif notes:
        QMessageBox.information(window, "有超长文本", f"已导出到 {path}。{notes}")
    return result


def export_blank_template(window, path: str | Path | None = None) -> Path | None:
    controller = window.controller
    interactive = path is None
    if path is None:
        path = files.ask_save_file(window, "导出导入模板", "政务新媒体台账导入模板.xlsx", files.EXCEL_FILTER)
        if not path:
            return None
    try:
        out = export_template(path, controller.office().unit_name)
    except UserError as exc:
        QMessageBox.warning(window, "导出失败", str(exc))
        return None
    window.status_message(f"已导出导入模板：{out}")
    if interactive:
        files.show_saved(window, "导出导入模板", "已导出空白导入模板：按表头填写后用“从 Excel 导入…”导入。", out)
    return out


def open_import_wizard(window, path: str | None = None):
    from gzdesk.ui.import_wizard import ImportWizard

    wizard = ImportWizard(window.controller, window, path=path)
    wizard.exec()
    return wizard


def install(window) -> None:
    menu = window.menu(MENU)
    actions = (
        ("导出 Excel 台账…", lambda: export_registry(window)),
        ("导出脱敏台账…", lambda: export_registry(window, masked=True)),
        ("导出导入模板…", lambda: export_blank_template(window)),
        (None, None),
        ("从 Excel 导入…", lambda: open_import_wizard(window)),
    )
    for text, slot in actions:
        if text is None:
            menu.addSeparator()
            continue
        action = QAction(text, window)
        action.setObjectName("excel_" + {"导出 Excel 台账…": "export", "导出脱敏台账…": "export_masked",
                                         "导出导入模板…": "template", "从 Excel 导入…": "import"}[text])
        action.triggered.connect(lambda _=False, s=slot: s())
        cap = {"导出 Excel 台账…": Cap.EXPORT, "从 Excel 导入…": Cap.IMPORT}.get(text)
        action.setEnabled(cap is None or may(window.controller, cap))
        menu.addAction(action)
