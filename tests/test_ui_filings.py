"""Widget tests: a filing walked through the dialogs of the 备案 page, and the 待办 view."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QSettings, Qt

from gzdesk import filing_announcements, filings, registry
from gzdesk.models import Account
from gzdesk.ui import filing_pages
from gzdesk.ui.controller import Controller
from gzdesk.ui.filing_dialogs import (
    AnnouncementDialog,
    MergeDialog,
    NewFilingDialog,
    ReportDialog,
    StepDialog,
)
from gzdesk.ui.pending_view import RED, PendingView


@pytest.fixture
def warnings(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(filing_pages, "warn", lambda _parent, text: said.append(text))
    monkeypatch.setattr(filing_pages, "confirm", lambda *a, **k: True)
    monkeypatch.setattr(filing_pages, "ask_reason", lambda _parent, _title, old: old)  # 重新办理 keeps the 理由
    return said


def _account(db, name="通州发布", registered_on=date(2025, 9, 20), **kw) -> int:
    with db.transaction() as s:
        return registry.save_account(s, registry.AccountData(name=name, registered_on=registered_on, **kw))


def _page(qtbot, db):
    controller = Controller(db)
    page = filing_pages.FilingsPage(controller)
    qtbot.addWidget(page)
    page.show()  # a hidden page only reloads when shown again
    return controller, page


def test_walk_a_filing_through_the_dialogs(qtbot, db, warnings):
    aid = _account(db)
    controller, page = _page(qtbot, db)
    assert page.visible_rows() == []

    dlg = NewFilingDialog(controller, aid, page)
    qtbot.addWidget(dlg)
    assert dlg.kind_code() == "open" and not dlg.changes_box.isVisibleTo(dlg)
    assert not dlg.submit()  # no reason yet: refused inside the dialog
    assert "请填写备案理由" in dlg.error.text()
    dlg.reason.setPlainText("为加强政务公开，拟开设本账号")
    dlg.filled_on.setText("2025-09-26")
    assert dlg.submit()
    fid = dlg.result_id
    page.reload()
    [row] = page.visible_rows()
    assert (row.id, row.state_label, row.next_step) == (fid, "草稿", "主办单位意见")
    assert page.select_filing(fid) and page.current_id() == fid
    assert page.actions_["step"].isEnabled() and not page.actions_["report"].isEnabled()
    assert "主办单位意见" in page.detail.toPlainText()

    for i, (signer, day) in enumerate((("主办单位负责人", "2025-09-29"), ("主管单位负责人", "2025-09-30"))):
        step = StepDialog(controller, fid, page)
        qtbot.addWidget(step)
        assert step.step_label.text().startswith(f"第{i + 1}步（共2步）")
        step.signer.setText(signer)
        step.signed_on.setText(day)
        assert step.submit(), step.error.text()
    row = next(r for r in page.visible_rows() if r.id == fid)  # reloaded by data_changed
    assert row.state_label == "已备案" and row.steps_done == 2
    assert page.actions_["report"].isEnabled() and not page.actions_["step"].isEnabled()

    report = ReportDialog(controller, fid, page)
    qtbot.addWidget(report)
    report.on.setText("2025-09-01")
    assert not report.submit() and "不能早于审批完成日期" in report.error.text()
    report.on.setText("2025-10-09")
    assert report.submit()
    assert next(r for r in page.visible_rows() if r.id == fid).state_label == "已报送"
    with db.reader() as s:
        d = filings.get_filing(s, fid)
    assert [st.signer for st in d.steps] == ["主办单位负责人", "主管单位负责人"]
    assert d.reported_on == date(2025, 10, 9)


def test_return_reopen_withdraw_and_scan(qtbot, db, warnings, tmp_path):
    aid = _account(db)
    with db.transaction() as s:
        fid = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 9, 26)).id
    controller, page = _page(qtbot, db)
    page.select_filing(fid)
    step = StepDialog(controller, fid, page, returned=True)
    qtbot.addWidget(step)
    assert step.return_.isChecked()
    step.signer.setText("主办单位负责人")
    step.signed_on.setText("2025-09-29")
    assert not step.submit() and "退回意见" in step.error.text()
    step.opinion.setPlainText("名称与职责不关联，请修改")
    assert step.submit()
    page.select_filing(fid)
    assert page.current_row().state_label == "退回" and page.actions_["reopen"].isEnabled()
    page.record_step()  # refused on a returned filing
    assert warnings and "不能再记录审批" in warnings[-1]
    page.reopen()
    new = page.current_row()
    assert new.id != fid and new.state_label == "草稿"
    scan = tmp_path / "登记表扫描.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    page.attach_scan(str(scan))
    assert page.current_row().scans == 1 and "登记表扫描.pdf" in page.detail.toPlainText()
    page.withdraw()
    assert page.current_row().state_label == "撤回"
    # the state filter
    page.state.setCurrentIndex(page.state.findText("退回"))
    assert [r.id for r in page.visible_rows()] == [fid]
    page.state.setCurrentIndex(page.state.findText("办理中（草稿、待签批）"))
    assert page.visible_rows() == []


def test_change_dialog_records_only_changed_fields(qtbot, db):
    aid = _account(db, host_leader="王副主任")
    controller, _page_ = _page(qtbot, db)
    dlg = NewFilingDialog(controller, aid, kind="change")
    qtbot.addWidget(dlg)
    assert dlg.changes_box.isVisibleTo(dlg)
    assert dlg.change_edits["name"].text() == "通州发布" and dlg.change_edits["host_leader"].text() == "王副主任"
    dlg.change_edits["name"].setText("通州发布厅")
    dlg.reason.setPlainText("更名")
    dlg.filled_on.setText("2025-10-09")
    assert dlg.changes() == {"name": "通州发布厅"}
    assert dlg.submit()
    with db.reader() as s:
        assert filings.get_filing(s, dlg.result_id).proposed == {"name": "通州发布厅"}


def test_announcement_dialog_previews_the_rule(qtbot, db):
    """南通 第十六条: 公告时间不少于15个工作日."""
    aid = _account(db)
    with db.transaction() as s:
        fid = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 9, 22)).id
    controller, page = _page(qtbot, db)
    dlg = AnnouncementDialog(controller, fid, page)
    qtbot.addWidget(dlg)
    dlg.from_date.setText("2025-09-26")
    dlg.close_on.setText("2025-10-10")
    assert "最早可于2025年10月24日关停" in dlg.preview.text()
    assert not dlg.submit() and "不少于15个工作日" in dlg.error.text()
    dlg.close_on.setText("")
    assert "2025年10月24日起关停生效" in dlg.preview.text()
    assert dlg.submit()
    page.select_filing(fid)
    assert filing_pages._closing_text(page.current_row()) == "2025年9月26日公告，2025年10月24日生效"


def test_merge_dialog(qtbot, db):
    with db.transaction() as s:
        town = registry.find_or_create_unit(s, "兴仁镇人民政府").id
        elsewhere = registry.find_or_create_unit(s, "石港镇人民政府").id
    kept, other = _account(db, "甲号", host_unit_id=town), _account(db, "乙号", host_unit_id=town)
    _account(db, "别的镇的号", host_unit_id=elsewhere)
    controller, _ = _page(qtbot, db)
    dlg = MergeDialog(controller, kept)
    qtbot.addWidget(dlg)
    offered = [dlg.others.item(i).text() for i in range(dlg.others.count())]
    assert offered == ["乙号（微信订阅号，兴仁镇人民政府）"]  # 整合 within one 主办单位
    dlg.reason.setPlainText("同平台重复账号")
    dlg.filled_on.setText("2025-10-09")
    assert not dlg.submit() and "至少选择一个" in dlg.error.text()
    dlg.check_account(other)
    assert dlg.checked_ids() == [other]
    assert dlg.submit()
    with db.reader() as s:
        m = filings.get_filing(s, dlg.result_id)
    assert m.kind == "merge" and [c.account_id for c in m.children] == [other]


def test_pending_view_overdue_red_and_filters(qtbot, make_db):
    db = make_db("yunnan")
    _account(db, "云南发布", date(2025, 9, 30))
    old = _account(db, "老账号", date(2015, 1, 1))
    controller = Controller(db)
    view = PendingView(controller)
    qtbot.addWidget(view)
    view.show()
    view.set_today(date(2025, 10, 9))
    items = view.visible_items()
    assert [i.kind for i in items] == ["backfill", "filing"]  # overdue first
    backfill, opening = items
    assert backfill.overdue and backfill.account == "老账号"
    assert opening.due == date(2025, 10, 16) and not opening.overdue and opening.days_left == 6
    model = view.model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole).color() == RED
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, 0)) == "2025年10月16日"
    assert model.data(model.index(1, 1)) == "剩余6个工作日"
    assert model.data(model.index(1, 6)) == "本办法第十七条"  # the office's own document, in short
    view.table.selectRow(1)
    assert "云南省政务新媒体管理办法第十七条" in view.detail.text()  # in full below the table
    view.scope.setCurrentIndex(view.scope.findData("overdue"))
    assert [i.account for i in view.visible_items()] == ["老账号"]
    view.scope.setCurrentIndex(0)
    view.kind.setCurrentIndex(view.kind.findData("filing"))
    assert [i.account for i in view.visible_items()] == ["云南发布"]
    # after 10-16 the opening filing is late too, and red
    view.kind.setCurrentIndex(0)
    view.set_today(date(2025, 10, 17))
    assert all(i.overdue for i in view.visible_items())
    # a filing for the old account reloads the view through data_changed
    controller.write(filings.new_filing, old, "补办", "补办备案", filled_on=date(2025, 10, 9))
    assert any(i.filing_number == "2025-00001" for i in view.visible_items())
    # hidden, it waits until shown again
    view.hide()
    controller.write(filings.new_filing, _account(db, "再一个号", date(2015, 1, 1)), "补办", "补办",
                     filled_on=date(2025, 10, 9))
    assert not any(i.filing_number == "2025-00002" for i in view.visible_items())
    view.show()
    assert any(i.filing_number == "2025-00002" for i in view.visible_items())


def test_installed_in_the_main_window(qtbot, db, tmp_path, warnings, monkeypatch):
    from gzdesk.ui.main_window import MainWindow

    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 9, 22))
        filing_announcements.set_announcement(s, f.id, date(2025, 9, 26))
        filings.record_step(s, f.id, "同意", "甲", date(2025, 9, 23))
        filings.record_step(s, f.id, "同意", "乙", date(2025, 9, 24))
        draft = filings.new_filing(s, _account_in(s), "开设", "新开设", filled_on=date(2025, 10, 9)).id
    controller = Controller(db)
    window = MainWindow(controller, extensions=("gzdesk.ui.filing_pages",),
                        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    # the 公告 ran out on 2025-10-23 (closed from 10-24): opening the window closed the account
    with db.reader() as s:
        assert s.get(Account, aid).status == "closed"
    assert "gzdesk.ui.filing_pages" in window.loaded_extensions
    titles = [a.text() for a in window.menu("备案").actions()]
    assert "新建备案(&B)…" in titles and "批量打印待签批…" in titles
    assert any(a.text() == "新建备案…" for a in window.account_actions)
    window.show_page("pending")
    assert window.current_page_key() == "pending"
    window.page("pending").open_filing.emit(draft)
    assert window.current_page_key() == "filings" and window.page("filings").current_id() == draft

    shown: list[tuple[bytes, str]] = []
    monkeypatch.setattr(filing_pages, "show_pdf", lambda _p, data, title: shown.append((data, title)) or True)
    window.page("filings").print_pending()
    assert shown and shown[0][0].startswith(b"%PDF") and "1 份" in shown[0][1]
    with db.reader() as s:
        assert filings.get_filing(s, draft).state == "pending_signature"  # printed → sent for signature


def _account_in(s) -> int:
    return registry.save_account(s, registry.AccountData(name="新账号", registered_on=date(2025, 10, 1)))


def test_pending_double_click_starts_a_missing_filing(qtbot, make_db):
    db = make_db("yunnan")
    aid = _account(db, "老账号", date(2015, 1, 1))
    view = PendingView(Controller(db))
    qtbot.addWidget(view)
    view.set_today(date(2025, 10, 9))
    with qtbot.waitSignal(view.start_filing) as blocker:
        view._activated(view.model.index(0, 0))
    assert blocker.args == [aid, "backfill"]


def test_pending_row_height_is_what_fitting_every_item_gave(qtbot, make_db):
    """待办's row height (fitted through the read's distinct texts, longest first, in slices) is the
    one ``fit_row_height`` gives over every shown item's 事项 / 依据 / 说明, whole and filtered, at
    widths where they wrap and where they do not."""
    from gzdesk.ui import pending_view
    from gzdesk.ui.widgets import fit_row_height

    db = make_db("yunnan")
    for n in range(6):
        _account(db, f"云南发布{'青石镇人民政府' * n}", date(2015 + n, 1, 1))
    view = PendingView(Controller(db))
    qtbot.addWidget(view)
    view.show()
    view.row_heights.SLICE = 3
    view.set_today(date(2025, 10, 9))
    assert len(view.items) > 3
    for width in (900, 160, 60):
        for column in pending_view.KEY_COLUMNS[:-1]:
            view.table.setColumnWidth(column, width)
        for kind in (None, "filing"):
            view.kind.setCurrentIndex(max(view.kind.findData(kind), 0))
            qtbot.waitUntil(lambda: not view.row_heights.busy, timeout=10000)
            height = view.table.verticalHeader().defaultSectionSize()
            columns = view.model.columns
            fit_row_height(view.table, {c: [columns[c][1](i) for i in view.model.rows]
                                        for c in pending_view.KEY_COLUMNS}, max_lines=3)
            assert view.table.verticalHeader().defaultSectionSize() == height, (width, kind)


def test_pending_view_lists_filings_in_progress_last(qtbot, make_db):
    """A 盐湖 变更 has no working-day limit: 待办 lists it undated, after the deadlines, with what it waits for."""
    db = make_db("yanhu")
    aid = _account(db, "盐湖发布", date(2015, 1, 1))
    controller = Controller(db)
    controller.write(filings.new_filing, aid, "补办", "补办", filled_on=date(2025, 10, 9))
    fid = controller.write(filings.new_filing, _account(db, "盐湖在线", date(2024, 8, 1)), "变更", "更名",
                           filled_on=date(2025, 10, 9), proposed={"name": "盐湖新名"}).id
    view = PendingView(controller)
    qtbot.addWidget(view)
    view.show()
    view.set_today(date(2025, 10, 10))
    kinds = [i.kind for i in view.visible_items()]
    assert kinds[0] == "backfill" and kinds[-1] == "in_progress"
    model = view.model
    last = model.rowCount() - 1
    assert model.data(model.index(last, 0)) == "无时限"
    assert model.data(model.index(last, 1)) == "草稿，待打印送签"
    assert model.data(model.index(last, 0), Qt.ItemDataRole.ForegroundRole) is None
    view.kind.setCurrentIndex(view.kind.findText("在办备案"))
    assert [i.filing_id for i in view.visible_items()] == [fid]
    with qtbot.waitSignal(view.open_filing) as blocker:
        view.table.doubleClicked.emit(model.index(0, 0))
    assert blocker.args == [fid]


def test_a_big_database_reads_the_filings_off_the_gui_thread(qtbot, db, monkeypatch):
    """On a big database the 备案 page reads in a worker thread; a filing asked for meanwhile (a
    link from 待办 or the registry) is selected when the rows arrive."""
    from gzdesk.ui import background

    aid = _account(db)
    with db.transaction() as s:
        fid = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 9, 26)).id
    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    controller, page = _page(qtbot, db)
    assert page.loading.busy and page.loading.isVisible()
    assert page.select_filing(fid)
    qtbot.waitUntil(lambda: not page.loading.busy, timeout=5000)
    assert [r.id for r in page.visible_rows()] == [fid]
    assert page.current_id() == fid and not page.loading.isVisible()
