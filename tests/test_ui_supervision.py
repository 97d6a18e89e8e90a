"""Widget tests: the inspection form, the 整改 list, the assessment sheet and the 监管 pages in the window."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from gzdesk import inspections, quarters, rectify, registry
from gzdesk.inspections import DEDUCT, FindingInput
from gzdesk.registry import AccountData, UnitData
from gzdesk.ui import assessment_page
from gzdesk.ui.assessment_page import ENTRY_COL, AssessmentPage
from gzdesk.ui.controller import Controller
from gzdesk.ui.inspection_form import InspectionDialog
from gzdesk.ui.supervision_pages import RED, RectifyDoneDialog, RectifyPage

DAY = date(2026, 11, 20)


def type_text(widget, text: str) -> None:
    """Chinese typed as an input method commits it (``qtbot.keyClicks`` with Chinese aborts)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def _accounts(db) -> dict[str, int]:
    with db.transaction() as s:
        bureau = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        office = registry.save_unit(s, UnitData(name="海门区教育局办公室", kind="internal", parent_id=bureau))
        fresh = registry.save_account(s, AccountData(name="海门教育", platform="weibo", host_unit_id=bureau,
                                                     last_update_on=date(2026, 11, 18), verification_names_host=True))
        stale = registry.save_account(s, AccountData(name="教育局办公室", platform="douyin", host_unit_id=office,
                                                     last_update_on=date(2026, 10, 1)))
    return {"fresh": fresh, "stale": stale}


def _row(dlg, name):
    return next(r for r in [*dlg.veto_rows, *dlg.deduct_rows] if r.item.name == name)


def test_the_inspection_form_prefills_scores_live_and_saves(qtbot, db):
    ids = _accounts(db)
    controller = Controller(db)
    dlg = InspectionDialog(controller, ids["stale"], today=DAY)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    veto, internal = _row(dlg, "内容不更新"), _row(dlg, "开设不规范")
    assert veto.check.isChecked() and veto.rule.currentData() == 1 and veto.source.text().startswith("据本库")
    assert internal.count.value() == 1 and internal.prefilled
    assert "单项否决（内容不更新）：不合格" in dlg.score_label.text()
    assert internal.points.text() == "不计分"

    veto.check.setFocus()
    qtbot.keyClick(veto.check, Qt.Key.Key_Space)  # cleared: the account was updated after all
    assert not veto.check.isChecked() and "得分：90　合格" in dlg.score_label.text()
    spin = _row(dlg, "内容更新不及时").count
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "3")
    assert spin.value() == 3 and _row(dlg, "内容更新不及时").points.text() == "扣10分"  # 15, capped at 10
    for name in ("名称不规范", "认证信息不规范", "发布商业广告"):
        _row(dlg, name).count.setValue(1)
    assert "得分：50　不合格" in dlg.score_label.text()
    _row(dlg, "发布商业广告").count.setValue(0)
    assert "得分：60　合格" in dlg.score_label.text()  # exactly 60 passes

    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and "请填写检查人" in dlg.error.text()  # refused inside the dialog
    type_text(dlg.inspector, "王建国")
    type_text(_row(dlg, "名称不规范").note, "名称与职责不关联")
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dlg.isVisible() and dlg.result_id is not None
    with db.reader() as s:
        d = inspections.get_inspection(s, dlg.result_id)
    assert (d.score, d.result, d.inspector, d.quarter) == (60, "合格", "王建国", "2026Q4")
    assert [(f.item, f.count, f.points, f.prefilled) for f in d.deductions] == [
        ("开设不规范", 1, 10, True), ("名称不规范", 1, 10, False), ("认证信息不规范", 1, 10, False),
        ("内容更新不及时", 3, 10, False)]
    assert d.deductions[1].note == "名称与职责不关联"


def test_the_form_finds_accounts_and_refills_for_another(qtbot, db):
    ids = _accounts(db)
    dlg = InspectionDialog(Controller(db), today=DAY)
    qtbot.addWidget(dlg)
    type_text(dlg.search, "办公室")
    dlg._search()  # the 250 ms timer, at once
    assert dlg.matches.count() == 1 and "教育局办公室" in dlg.matches.item(0).text()
    dlg._picked(dlg.matches.item(0))
    assert dlg.account_id == ids["stale"] and _row(dlg, "内容不更新").check.isChecked()
    dlg.set_account(ids["fresh"])  # pre-filled findings of the first account are cleared
    assert not _row(dlg, "内容不更新").check.isChecked() and _row(dlg, "开设不规范").count.value() == 0


def _rectify_items(db, ids) -> None:
    with db.transaction() as s:
        q = quarters.parse("2026Q4")
        for aid, on in ((ids["fresh"], date(2026, 10, 10)), (ids["stale"], date(2026, 11, 10))):
            inspections.new_inspection(s, aid, q, on, "王建国", [FindingInput(DEDUCT, "名称不规范")], today=DAY)
        inspections.notify(s, q, date(2026, 10, 12), [inspections.list_inspections(s)[-1].id], today=DAY)


def test_the_rectify_list_shows_overdue_red_and_records_done(qtbot, db):
    ids = _accounts(db)
    _rectify_items(db, ids)
    controller = Controller(db)
    page = RectifyPage(controller)
    qtbot.addWidget(page)
    page.today = DAY
    page.show()
    rows = page.visible_items()
    assert [(r.account, r.status) for r in rows] == [("海门教育", "已逾期"), ("教育局办公室", "待通报")]
    fg = page.model.data(page.model.index(0, 1), Qt.ItemDataRole.ForegroundRole)
    assert fg.color() == RED and page.model.data(page.model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None
    assert "已逾期 1 项" in page.summary.text()

    page.table.selectRow(0)
    dlg = RectifyDoneDialog(controller, [rows[0].id], page, today=DAY)
    qtbot.addWidget(dlg)
    type_text(dlg.note, "已更改名称")
    qtbot.mouseClick(dlg.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dlg.error.text() == ""
    assert [r.account for r in page.visible_items()] == ["教育局办公室"]  # reloaded: only the open one
    page.open_only.setChecked(False)
    done = next(r for r in page.visible_items() if r.account == "海门教育")
    assert done.status == "逾期整改" and done.rectify_note == "已更改名称"  # due 10月22日, done 11月20日
    with db.reader() as s:
        assert [r.id for r in rectify.list_items(s, DAY, open_only=True)] == [rows[1].id]


def test_the_assessment_sheet_takes_entries_by_hand(qtbot, db, monkeypatch):
    _accounts(db)
    controller = Controller(db)
    page = AssessmentPage(controller)
    qtbot.addWidget(page)
    page.today = date(2026, 11, 30)
    page.year.setValue(2026)
    page.show()
    assert "不合格（单项否决：定期检查）" in page.result_label.text()  # no inspection recorded in Q1–Q3
    keys = page._keys
    assert keys[0] == "上级抽查检查情况.1" and "表彰表扬" in keys and page.table.rowCount() == len(keys)
    assert not page.save_button.isEnabled()
    page.set_entry_text("定期检查", "0")  # checked on paper: corrected by hand
    page.set_entry_text("考核评价", "是")
    assert page.save_button.isEnabled()
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "不合格（单项否决" not in page.result_label.text()
    row = keys.index("考核评价")
    assert page.table.item(row, ENTRY_COL).text() == "1" and page.table.item(row, 7).text().startswith("－10")
    assert page.table.item(row, 8).text() == "手工填写"
    said: list[str] = []
    monkeypatch.setattr(assessment_page.QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    page.set_entry_text("表彰表扬", "很多")
    assert page.save_entries() is False and "次数" in said[0]  # refused; nothing saved
    page.reload()
    assert page.table.item(keys.index("表彰表扬"), ENTRY_COL).text() == ""


def test_the_window_has_the_supervision_pages_and_menu(qtbot, db, monkeypatch):
    from gzdesk.ui.app import make_main_window

    ids = _accounts(db)
    _rectify_items(db, ids)
    w = make_main_window(db)
    qtbot.addWidget(w)
    for key in ("inspections", "rectify", "assessment", "fakes"):
        w.page(key)  # raises when missing
    titles = [a.text() for a in w.menu("监管").actions() if a.text()]
    assert titles[:2] == ["登记检查…", "登记通报…"] and "排查摸底报告…" in titles and "年度考核" in titles
    bar = [a.text() for a in w.menuBar().actions()]
    assert bar.index("监管") == bar.index("帮助") - 1  # before 帮助
    w.show()
    w.show_page("pending")
    item = next(i for i in w.page("pending").visible_items() if i.kind == "rectify" and i.due is not None)
    w.page("pending").open_record.emit("rectify", item.ref_id)
    assert w.current_page_key() == "rectify"
    [chosen] = [w.rectify_page.model.rows[i.row()] for i in w.rectify_page.table.selectionModel().selectedRows()]
    assert chosen.id == item.ref_id


def test_on_a_big_database_the_supervision_pages_read_off_the_gui_thread(qtbot, db, monkeypatch):
    """Issue 14: 年度考核 (5.9 s at 200,000 accounts) and 季度检查 (2.5 s) read on the GUI thread;
    on a big database they, 整改, 假冒账号 and 审计日志 read in a worker behind a busy bar, and
    show what they showed before."""
    import threading

    from gzdesk import assessment, audit_log, fakes
    from gzdesk.ui import background
    from gzdesk.ui.audit_page import AuditPage
    from gzdesk.ui.supervision_pages import FakesPage, InspectionsPage

    ids = _accounts(db)
    _rectify_items(db, ids)
    with db.transaction() as s:
        fakes.new_report(s, "海门教育（假）", DAY)
    controller = Controller(db)

    def pages():
        made = {"inspections": InspectionsPage(controller), "rectify": RectifyPage(controller),
                "assessment": AssessmentPage(controller), "fakes": FakesPage(controller), "audit": AuditPage(controller)}
        for page in made.values():
            qtbot.addWidget(page)
            page.today = DAY
        made["inspections"].quarter.setCurrentIndex(made["inspections"].quarter.findData("2026Q4"))
        made["assessment"].year.setValue(2026)
        return made

    def shown(made) -> dict[str, object]:
        return {"inspections": ([r.id for r in made["inspections"].model.rows], made["inspections"].summary.text()),
                "rectify": ([r.id for r in made["rectify"].model.rows], made["rectify"].summary.text()),
                "assessment": (made["assessment"].result_label.text(), made["assessment"].table.rowCount()),
                "fakes": [d.id for d in made["fakes"].model.rows],
                "audit": ([e.id for e in made["audit"].model.rows], made["audit"].count.text())}

    small = pages()
    for page in small.values():
        page.show()
    expected = shown(small)
    assert expected["inspections"][0] and expected["rectify"][0] and expected["fakes"] and expected["audit"][0]

    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    on_main: dict[str, list[bool]] = {}
    for module, name in ((inspections, "coverage"), (rectify, "list_items"), (assessment, "assess"),
                         (fakes, "list_reports"), (audit_log, "list_events")):
        calls = on_main[name] = []
        real = getattr(module, name)

        def spy(*args, _real=real, _calls=calls, **kw):
            _calls.append(threading.current_thread() is threading.main_thread())
            return _real(*args, **kw)

        monkeypatch.setattr(module, name, spy)
    big = pages()
    for page in big.values():
        page.show()
        assert page.loading.isVisible()
    qtbot.waitUntil(lambda: not any(page.loading.busy for page in big.values()), timeout=20000)
    assert shown(big) == expected
    assert all(calls and not any(calls) for calls in on_main.values()), on_main
