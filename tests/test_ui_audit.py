"""The 审计日志 page: filters, the before/after of a change, Excel export (masked for 只读), the check."""

from __future__ import annotations

import sqlite3
from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import QSettings

from gzdesk import registry, users
from gzdesk.db import Database
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow


@pytest.fixture
def office(db):
    with db.transaction() as s:
        pid = registry.save_person(s, registry.PersonData(name="张三", mobile="13800001111"))
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        registry.set_team(s, aid, [(pid, "admin")])
        users.add_user(s, "王管理", "管理员", "admin-pass-1")
    db.login("王管理", "admin-pass-1")
    with db.transaction() as s:
        users.add_user(s, "赵只读", "只读", "viewer-pass-1")
        data = registry.get_account(s, aid)
        data.name = "通州发布号"
        registry.save_account(s, data)
        person = registry.get_person(s, pid)
        person.mobile = "13900002222"
        registry.save_person(s, person)
    db.logout()
    return db


def _window(qtbot, tmp_path, db, name, password) -> MainWindow:
    controller = Controller(Database(db.path))
    controller.login(name, password)
    window = MainWindow(controller, settings=QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.show_page("audit")
    return window


def test_filters_and_the_before_after_of_a_change(qtbot, tmp_path, office):
    window = _window(qtbot, tmp_path, office, "王管理", "admin-pass-1")
    page = window.audit_page
    assert page.rows and page.rows[0].id > page.rows[-1].id  # newest first
    page.actor.setCurrentIndex(page.actor.findData("王管理"))
    page.reload()
    assert page.rows and {e.actor for e in page.rows} == {"王管理"}
    page.record.setText("通州发布号")
    page.action.setCurrentIndex(page.action.findData("update"))
    page.reload()
    assert [e.entity for e in page.rows] == ["account"]
    page.table.selectRow(0)
    cells = [[page.detail.item(r, c).text() for c in range(3)] for r in range(page.detail.rowCount())]
    assert ["名称", "通州发布", "通州发布号"] in cells
    assert "第 " in page.detail_title.text() and "修改账号" in page.detail_title.text()
    page.actor.setCurrentIndex(page.actor.findData("测试员"))
    page.record.clear()
    page.action.setCurrentIndex(0)
    page.since.setDate(date(2000, 1, 1))
    page.until.setDate(date(2000, 1, 2))
    page.reload()
    assert page.rows == []


def test_export_and_a_viewer_gets_masked_phones(qtbot, tmp_path, office):
    window = _window(qtbot, tmp_path, office, "王管理", "admin-pass-1")
    full = tmp_path / "full.xlsx"
    assert window.audit_page.export(full) > 0
    text = _cells(full)
    assert "13900002222" in text and "通州发布号" in text and "（已隐藏）" in text  # the password hash
    viewer = _window(qtbot, tmp_path, office, "赵只读", "viewer-pass-1")
    masked = tmp_path / "masked.xlsx"
    assert viewer.audit_page.export(masked) > 0
    text = _cells(masked)
    assert "13900002222" not in text and "139****2222" in text


def _cells(path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(v) for row in book.active.iter_rows(values_only=True) for v in row if v is not None)


def test_the_check_passes_then_names_what_was_changed(qtbot, tmp_path, office):
    window = _window(qtbot, tmp_path, office, "王管理", "admin-pass-1")
    page = window.audit_page
    assert page.verify().ok
    assert page.result.text().startswith("校验通过") and "链末端" in page.result.text()
    conn = sqlite3.connect(office.path)
    conn.execute("UPDATE person SET mobile = '13700003333' WHERE name = '张三'")
    conn.commit()
    conn.close()
    report = page.verify()
    assert not report.ok
    assert page.result.text().startswith("校验未通过：人员“张三（编号") and "手机号码" in page.result.text()


def test_the_export_writes_text_as_text_and_masks_phones_in_free_text(tmp_path, office):
    """As the 台账 is written (exchange/excel_export.write_book): a value that looks like a formula stays
    text, and a masked copy hides a phone number written inside a note, not only in phone fields."""
    from gzdesk import audit_log

    office.login("王管理", "admin-pass-1")
    with office.transaction() as s:
        aid = registry.save_account(s, registry.AccountData(name="=HYPERLINK(\"http://x\",\"点我\")",
                                                            notes="值班电话 13600004444"))
    path = tmp_path / "log.xlsx"
    with office.reader() as s:
        assert audit_log.export_events(s, path) > 0
        assert audit_log.export_events(s, tmp_path / "masked.xlsx", mask_phones=True) > 0
    book = openpyxl.load_workbook(path)
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("=HYPERLINK") for v in values)
    assert all(c.data_type != "f" for row in book.active.iter_rows() for c in row)
    text = _cells(tmp_path / "masked.xlsx")
    assert aid and "13600004444" not in text and "136****4444" in text
    assert not list(tmp_path.glob(".*part*"))
