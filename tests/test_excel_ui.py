"""Issue 4 window parts: the import wizard through its pages, cancel leaves nothing, and the
数据交换 menu's export actions."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QWizard
from sqlalchemy import func, select

from gzdesk import demo
from gzdesk.exchange.excel_import import read_workbook
from gzdesk.models import Account, AuditEvent
from gzdesk.ui import background, excel_actions, files, import_wizard
from gzdesk.ui.controller import Controller
from gzdesk.ui.import_wizard import ImportWizard


class _Boxes:
    """Stands in for QMessageBox so that no modal box blocks the test; remembers what was said."""

    said: list[str] = []

    @classmethod
    def warning(cls, _parent, title, text):
        cls.said.append(f"{title}：{text}")

    information = warning


@pytest.fixture(autouse=True)
def quiet_boxes(monkeypatch):
    _Boxes.said = []
    monkeypatch.setattr(import_wizard, "QMessageBox", _Boxes)
    monkeypatch.setattr(excel_actions, "QMessageBox", _Boxes)
    return _Boxes


def messy_file(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "统计"
    ws.append(["测试县政务新媒体统计表"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "公众号", "平台", "开设单位", "开通时间"])  # 公众号 is not a known header
    ws.append([1, "测试发布", "微信", "测试县人民政府办公室", "2019年3月12日"])
    ws.append([2, "测试群聊", "微信群", "测试县人民政府办公室", "2019.3.12"])  # row 4: bad platform
    ws.append([3, "测试教育", "抖音", "测试县教育局", "2020-01-02"])
    wb.save(path)
    return path


def count(db) -> tuple[int, int]:
    with db.reader() as s:
        return (s.scalar(select(func.count(Account.id))), s.scalar(select(func.count(AuditEvent.id))))


def _go_to_preview(qtbot, db, tmp_path):
    path = messy_file(tmp_path / "统计.xlsx")
    wizard = ImportWizard(Controller(db), path=str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.currentPage() is wizard.file_page and wizard.file_page.isComplete()
    wizard.next()
    page = wizard.mapping_page
    assert wizard.currentPage() is page
    assert page.sheet_combo.currentText() == "统计" and page.header_spin.value() == 2
    assert page.table.rowCount() == 5
    assert page.table.item(1, 1).text() == "公众号" and page.table.item(1, 2).text() == "测试发布"
    assert page.combos[2].currentData() == "platform" and page.combos[3].currentData() == "host_unit"
    assert page.combos[1].currentData() is None  # not recognised: the person fixes it
    page.combos[1].setCurrentIndex(page.combos[1].findData("name"))
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    return wizard


def test_wizard_through_its_pages(qtbot, db, tmp_path):
    wizard = _go_to_preview(qtbot, db, tmp_path)
    preview = wizard.preview_page
    model = preview.model
    assert model.rowCount() == 3
    bad = model.index(1, 6)
    assert model.data(model.index(1, 1)) == "统计 第 4 行"
    assert "平台“微信群”无法识别" in model.data(bad)
    assert model.data(bad, Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert model.data(model.index(0, 2)) == "新增"
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsUserCheckable == Qt.ItemFlag.NoItemFlags
    assert not preview.isComplete()
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert "还有 1 行有问题未排除" in preview.summary.text()
    before = count(db)
    model.setData(model.index(1, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert preview.isComplete() and "已排除 1 行" in preview.summary.text()
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page
    assert "新增账号 2 个" in wizard.summary_page.label.text()
    assert "跳过有问题的行 1 行" in wizard.summary_page.label.text()
    assert count(db)[0] == before[0] + 2


def test_cancel_during_import_leaves_nothing(qtbot, db, tmp_path, monkeypatch):
    wizard = _go_to_preview(qtbot, db, tmp_path)
    wizard.preview_page.exclude_button.click()
    assert wizard.preview_page.isComplete()
    before = count(db)
    monkeypatch.setattr(background.ProgressRunner, "callback", lambda self, done, total: False)
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    assert any("已取消导入" in s for s in _Boxes.said)
    assert count(db) == before


def test_unreadable_file_stays_on_first_page(qtbot, db, tmp_path):
    path = tmp_path / "台账.et"
    path.write_bytes(b"x")
    wizard = ImportWizard(Controller(db), path=str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert any("另存为" in s for s in _Boxes.said)


def test_menu_actions_export_and_template(qtbot, db, tmp_path, monkeypatch):
    from gzdesk.ui.main_window import MainWindow

    demo.generate(db, 30, seed=5)
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.excel_actions",), settings=settings)
    qtbot.addWidget(window)
    texts = [a.text() for a in window.menu("数据交换").actions()]
    assert texts == ["导出 Excel 台账…", "导出脱敏台账…", "导出导入模板…", "", "从 Excel 导入…"]
    target = tmp_path / "导出台账"
    monkeypatch.setattr(files, "ask_save_file", lambda *a, **k: str(target) + ".xlsx")
    shown = []
    monkeypatch.setattr(files, "show_saved", lambda _p, _t, _x, path: shown.append(str(path)))
    window.findChild(type(window.menu("数据交换").actions()[0]), "excel_export").trigger()
    out = tmp_path / "导出台账.xlsx"
    assert out.exists()
    assert len(read_workbook(out).rows) == 30
    assert shown == [str(out)]
    masked = excel_actions.export_registry(window, tmp_path / "脱敏.xlsx", masked=True)
    assert masked is not None and masked.masked
    assert excel_actions.default_export_name("测试县人民政府办公室", True).startswith("测试县人民政府办公室政务新媒体台账（脱敏）")
    template = excel_actions.export_blank_template(window, tmp_path / "模板.xlsx")
    assert template.exists() and read_workbook(template).rows == []


def test_the_export_runs_off_the_window_thread(qtbot, db, tmp_path, monkeypatch):
    """Issue 14: exporting 200,000 accounts from the window held its thread for 15 s (87 s of gaps
    over 100 ms); the export now runs in a worker while the window's event loop turns."""
    import threading

    from gzdesk.ui.main_window import MainWindow

    demo.generate(db, 5, seed=5)
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.excel_actions",), settings=settings)
    qtbot.addWidget(window)
    seen: dict[str, object] = {}
    ticked = threading.Event()
    real = excel_actions.export_workbook

    def export(session, *args, **kw):
        seen["worker"] = threading.current_thread() is not threading.main_thread()
        seen["ticked"] = ticked.wait(5)
        return real(session, *args, **kw)

    monkeypatch.setattr(excel_actions, "export_workbook", export)
    QTimer.singleShot(100, ticked.set)
    result = excel_actions.export_registry(window, tmp_path / "台账.xlsx")
    assert result is not None and len(read_workbook(tmp_path / "台账.xlsx").rows) == 5
    assert seen == {"worker": True, "ticked": True}


def test_a_bad_cell_is_corrected_in_the_preview(qtbot, db, tmp_path):
    """Issue 12 item 15: the clerk corrects 微信群 in the preview (改正此行…) instead of editing the
    file and starting again; the corrected value goes through the same checks, the file is unchanged."""
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from gzdesk.ui.import_wizard import RowFixDialog

    wizard = _go_to_preview(qtbot, db, tmp_path)
    preview = wizard.preview_page
    file_bytes = wizard.loaded_plan.path.read_bytes()
    preview.view.selectRow(0)
    assert not preview.fix_button.isEnabled()  # a good row: nothing to correct
    preview.view.selectRow(1)
    assert preview.fix_button.isEnabled()
    seen: list[str] = []

    def correct(text: str) -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, RowFixDialog) and w.isVisible())
        seen.append(dialog.edits["platform"].text())
        assert dialog.edits["registered_on"].text() == "2019.3.12"  # the cell as the file has it
        dialog.edits["platform"].setText(text)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, lambda: correct("微信讨论组"))  # still not a platform: still red
    preview.fix_button.click()
    assert seen == ["微信群"]
    model = preview.model
    assert "平台“微信讨论组”无法识别" in model.data(model.index(1, 6)) and not preview.isComplete()
    assert preview.view.currentIndex().row() == 1  # the row stays selected
    QTimer.singleShot(0, lambda: correct("微信公众号(订阅号)"))
    preview.fix_button.click()
    assert seen == ["微信群", "微信讨论组"]
    model = preview.model
    assert model.data(model.index(1, 2)) == "新增" and model.data(model.index(1, 4)) == "微信订阅号"
    assert preview.isComplete() and "有问题 0 行" in preview.summary.text()
    before = count(db)
    wizard.next()
    assert "新增账号 3 个" in wizard.summary_page.label.text()
    assert "1 个单元格在预览中改正" in wizard.summary_page.label.text()
    assert count(db)[0] == before[0] + 3
    assert wizard.loaded_plan.path.read_bytes() == file_bytes


def test_a_long_problem_is_wrapped_in_the_preview_not_cut_off(qtbot, db, tmp_path):
    """Issue 12 item 11: the preview's 问题或说明 and names wrap to their full text (at most four lines;
    the rest in the tooltip) instead of being cut at the column's edge."""
    wizard = _go_to_preview(qtbot, db, tmp_path)
    preview = wizard.preview_page
    wizard.resize(1000, 640)
    _sheet, bad = preview.model.items[1]
    bad.link_problems.extend([f"第 {n} 个问题：主办单位“测试县教育局”与主管单位不一致，请核对后改正" for n in range(3)])
    preview.model.layoutChanged.emit()
    qtbot.waitUntil(lambda: preview.view.wordWrap())
    view = preview.view
    text = preview.model.data(preview.model.index(1, 6))
    fm = view.fontMetrics()
    assert fm.horizontalAdvance(text) > view.columnWidth(6)  # too long for one line
    assert view.rowHeight(1) >= 3 * fm.lineSpacing()


def test_the_registry_is_checked_once_when_the_mapping_is_kept(qtbot, db, tmp_path, monkeypatch):
    """Issue 14: reading the file checked it against the registry; leaving the mapping page with
    the mapping unchanged does not check it again (a second read of every matching record)."""
    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号名称", "平台", "主办单位"])
    ws.append(["测试发布", "微信", "测试县人民政府办公室"])
    ws.append(["测试群聊", "微信群", "测试县人民政府办公室"])
    wb.save(path)
    checks = []
    real = import_wizard.check_against
    monkeypatch.setattr(import_wizard, "check_against", lambda s, plan: checks.append(1) or real(s, plan))
    wizard = ImportWizard(Controller(db), path=str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.mapping_page
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    assert checks == []
    plan = wizard.loaded_plan
    assert plan.checked and [r.line for r in plan.rows if r.bad] == [3]
    assert [r.action for r in plan.rows] == ["create", "create"]


def test_reading_and_checking_run_off_the_window_thread(qtbot, db, tmp_path, monkeypatch):
    """Issue 14: the file is read and checked on a worker thread while the window goes on handling
    events (here a timer the read waits for: with the read on the window's thread it never fires)."""
    import threading

    path = messy_file(tmp_path / "统计.xlsx")
    real = import_wizard.preview_file
    seen: dict[str, object] = {}
    ticked = threading.Event()

    def preview(session, *args, **kw):
        seen["thread"] = threading.current_thread()
        seen["ticked"] = ticked.wait(5)
        return real(session, *args, **kw)

    monkeypatch.setattr(import_wizard, "preview_file", preview)
    wizard = ImportWizard(Controller(db), path=str(path))
    qtbot.addWidget(wizard)
    wizard.show()
    QTimer.singleShot(100, ticked.set)
    wizard.next()
    assert seen["thread"] is not threading.main_thread() and seen["ticked"] is True
    assert wizard.currentPage() is wizard.mapping_page
    assert [r.line for r in wizard.loaded_plan.rows] == [3, 4, 5]
