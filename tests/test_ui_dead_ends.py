"""Where a clerk got stuck or surprised (issue 12, items 4–8 and 11), each reproduced through the window."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QStyle, QWidget

from gzdesk import demo, enums, filing_announcements, filings, registry
from gzdesk.errors import UserError
from gzdesk.registry import AccountData, PersonData, TeamMember
from gzdesk.ui import filing_pages, pdf_preview
from gzdesk.ui.account_editor import AccountEditor
from gzdesk.ui.controller import Controller
from gzdesk.ui.filing_dialogs import NewFilingDialog, ReportDialog
from gzdesk.ui.main_window import MainWindow
from gzdesk.ui.person_editor import PersonEditor
from gzdesk.ui.unit_editor import UnitEditor

TODAY = date.today()


class Modals:
    """Answers modal dialogs as they appear: ``expect(cls, handler)`` in the order they will come."""

    def __init__(self):
        self.handlers: list[tuple[type, Callable[[QWidget], None]]] = []
        self.errors: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def expect(self, cls, handler) -> None:
        self.handlers.append((cls, handler))
        if not self.timer.isActive():
            self.timer.start()

    def _poll(self) -> None:
        w = QApplication.activeModalWidget()
        if w is None or not w.isVisible() or getattr(w, "_handled", False):
            return
        w._handled = True
        if not self.handlers:
            self.errors.append(f"unexpected {type(w).__name__}: {getattr(w, 'text', w.windowTitle)()}")
            w.reject() if isinstance(w, QDialog) else w.close()
            return
        cls, handler = self.handlers.pop(0)
        try:
            assert isinstance(w, cls), f"expected {cls.__name__}, got {type(w).__name__}"
            handler(w)
        except Exception as exc:  # noqa: BLE001 - reported by done()
            self.errors.append(repr(exc))
            if w.isVisible():
                w.reject() if isinstance(w, QDialog) else w.close()

    def done(self) -> None:
        self.timer.stop()
        assert not self.errors, self.errors
        assert not self.handlers, f"never shown: {self.handlers}"


@pytest.fixture
def modals(qtbot):
    m = Modals()
    yield m
    m.timer.stop()


def click(text: str, seen: list | None = None) -> Callable[[QWidget], None]:
    def handler(box: QWidget) -> None:
        if seen is not None:
            seen.append(box.text())
        button = next((b for b in box.buttons() if b.text().replace("&", "") == text), None)
        assert button is not None, [b.text() for b in box.buttons()]
        button.click()
    return handler


def _account(s, name="通州发布", **kw) -> int:
    return registry.save_account(s, AccountData(name=name, registered_on=date(2025, 9, 20), **kw))


def _filed_account(db) -> int:
    """An account whose 开设 filing went all the way up the 南通 chain."""
    with db.transaction() as s:
        aid = _account(s, host_leader="张三 副局长")
        f = filings.new_filing(s, aid, "开设", "为加强政务公开", filled_on=date(2025, 9, 22))
        filings.record_step(s, f.id, "同意", "甲", date(2025, 9, 23))
        filings.record_step(s, f.id, "同意", "乙", date(2025, 9, 24))
    return aid


def keep(qtbot, editor: AccountEditor) -> AccountEditor:
    """Close the editor at the end without its 是否保存 question (a failed test would hang on it)."""
    qtbot.addWidget(editor, before_close_func=lambda e: setattr(e, "_baseline", e._state()))
    return editor


def _page(qtbot, db):
    controller = Controller(db)
    page = filing_pages.FilingsPage(controller)
    qtbot.addWidget(page)
    page.show()
    return controller, page


# ----------------------------------------------------------------------------- 4. preview is not printing


def test_preview_alone_does_not_send_a_draft_for_signature(qtbot, db, monkeypatch):
    with db.transaction() as s:
        draft = filings.new_filing(s, _account(s), "开设", "新开设", filled_on=date(2025, 10, 9)).id
    _controller, page = _page(qtbot, db)
    page.select_filing(draft)

    def state():
        with db.reader() as s:
            return filings.get_filing(s, draft).state

    looked = []
    monkeypatch.setattr(pdf_preview.PdfPreviewDialog, "exec", lambda self: looked.append(self.title) or 0)
    page.print_selected()  # opened the preview, closed it
    page.print_pending()  # 批量打印待签批, nothing printed either
    assert len(looked) == 2 and state() == "draft"

    def printed(self):
        self.printed = True  # as print_document does once the printer took the pages
        return 0

    monkeypatch.setattr(pdf_preview.PdfPreviewDialog, "exec", printed)
    asked = []
    monkeypatch.setattr(filing_pages, "ask_sent_for_signature", lambda _p, n: asked.append(n) or False)
    page.print_selected()
    assert asked == [1] and state() == "draft"  # printed, not yet sent: still a draft
    monkeypatch.setattr(filing_pages, "ask_sent_for_signature", lambda _p, n: asked.append(n) or True)
    page.print_selected()
    assert state() == "pending_signature"  # 已打印并送签


def test_preview_marks_what_was_printed_or_saved(qtbot, tmp_path, monkeypatch):
    from gzdesk.printing import render_blank
    from gzdesk.ui import files

    data = render_blank("generic", None)
    dlg = pdf_preview.PdfPreviewDialog(data, "表")
    qtbot.addWidget(dlg)
    assert not dlg.printed and dlg.saved_path is None
    monkeypatch.setattr(files, "ask_save_file", lambda *a, **k: str(tmp_path / "表.pdf"))
    monkeypatch.setattr(files, "show_saved", lambda *a, **k: "")
    dlg.save_as()
    assert dlg.saved_path == tmp_path / "表.pdf" and dlg.handed_out()


# ----------------------------------------------------------------------------- 5. a form field changed → 变更


def test_changing_a_form_field_offers_a_change_filing(qtbot, db, modals):
    aid = _filed_account(db)
    controller = Controller(db)
    editor = keep(qtbot, AccountEditor(controller, aid))
    editor.name_edit.setText("通州政务")
    editor.tags_edit.setText("重大活动专项")  # not on the 登记表: saved at once
    seen: list[str] = []

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, NewFilingDialog) and dialog.kind_code() == "change"
        assert dialog.change_edits["name"].text() == "通州政务"
        assert dialog.changes() == {"name": "通州政务"}
        dialog.reason.setPlainText("单位更名")
        dialog.accept()

    modals.expect(QMessageBox, click("办理变更备案", seen))
    modals.expect(NewFilingDialog, fill)
    assert editor.save()
    modals.done()
    assert "名称：通州发布 → 通州政务" in seen[0] and "第十六条" in seen[0]  # 南通 第十六条
    with db.reader() as s:
        account = registry.get_account(s, aid)
        [change] = filings.list_filings(s, kind="变更")
        assert filings.get_filing(s, change.id).proposed == {"name": "通州政务"}
    assert account.name == "通州发布"  # the new name comes with the approved 变更
    assert account.tags == "重大活动专项"


def test_a_correction_can_be_saved_directly_and_no_offer_before_filing(qtbot, db, modals):
    aid = _filed_account(db)
    controller = Controller(db)
    editor = keep(qtbot, AccountEditor(controller, aid))
    editor.url_edit.setText("https://mp.weixin.qq.com/tz")
    modals.expect(QMessageBox, click("直接保存（更正录入错误）"))
    assert editor.save()
    modals.done()
    with db.reader() as s:
        assert registry.get_account(s, aid).url == "https://mp.weixin.qq.com/tz"
        assert filings.list_filings(s, kind="变更") == []
    with db.transaction() as s:
        fresh = _account(s, name="未备案账号")
    editor = keep(qtbot, AccountEditor(controller, fresh))  # never filed: just saved, nothing asked
    editor.name_edit.setText("未备案账号2")
    assert editor.save()


# ----------------------------------------------------------------------------- 6. 已报送 before the closure


def test_reported_before_the_closure_takes_effect_is_refused(qtbot, db):
    with db.transaction() as s:
        aid = _account(s)
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=TODAY - timedelta(days=3))
        filing_announcements.set_announcement(s, f.id, TODAY - timedelta(days=2))  # 15 working days from then
        filings.record_step(s, f.id, "同意", "甲", TODAY - timedelta(days=1))
        filings.record_step(s, f.id, "同意", "乙", TODAY)
        effective = filings.get_filing(s, f.id).effective_on
    assert effective > TODAY
    with db.transaction() as s, pytest.raises(UserError) as err:
        filings.mark_reported(s, f.id, TODAY)
    assert "生效" in err.value.message and "公告" in err.value.message
    controller = Controller(db)
    dlg = ReportDialog(controller, f.id)
    qtbot.addWidget(dlg)
    assert "生效" in dlg.note.text()  # said before the clerk tries
    assert not dlg.submit() and "生效" in dlg.error.text()


# ----------------------------------------------------------------------------- 7. 理由, 离职


def test_reason_can_be_edited_in_a_draft_and_on_reopening(qtbot, db, monkeypatch):
    with db.transaction() as s:
        aid = _account(s)
        draft = filings.new_filing(s, aid, "开设", "初稿理由", filled_on=date(2025, 10, 9)).id
    _controller, page = _page(qtbot, db)
    page.select_filing(draft)
    assert page.actions_["reason"].isEnabled()
    monkeypatch.setattr(filing_pages, "ask_reason", lambda _p, _t, old: old + "（已修改）")
    page.edit_reason()
    with db.reader() as s:
        assert filings.get_filing(s, draft).reason == "初稿理由（已修改）"
    with db.transaction() as s:
        filings.record_step(s, draft, "不同意：理由不充分", "甲", date(2025, 10, 10), result="returned")
    page.reload()
    page.select_filing(draft)
    assert not page.actions_["reason"].isEnabled() and page.actions_["reopen"].isEnabled()
    offered = []
    monkeypatch.setattr(filing_pages, "ask_reason",
                        lambda _p, title, old: offered.append((title, old)) or "补充说明后的理由")
    page.reopen()
    assert offered and offered[0][1] == "初稿理由（已修改）" and "不同意：理由不充分" in offered[0][0]
    with db.reader() as s:
        new = filings.get_filing(s, page.current_id())
    assert new.state == "draft" and new.reason == "补充说明后的理由"


def test_departure_before_the_role_began_is_questioned(qtbot, db, modals):
    with db.transaction() as s:
        pid = registry.save_person(s, PersonData(name="赵敏", mobile="13912345678"))
        registry.save_account(s, AccountData(name="县融媒发布", team=[TeamMember(pid, enums.Role.ADMIN)]))
    early = TODAY - timedelta(days=30)  # her role began today, the day it was given
    editor = PersonEditor(Controller(db), pid)
    qtbot.addWidget(editor, before_close_func=lambda d: setattr(d, "_initial", None))
    editor.left_edit.setText(early.isoformat())
    assert "早于其在“县融媒发布”任职的开始日期" in editor.left_warning.text()
    seen: list[str] = []
    modals.expect(QMessageBox, click("返回修改", seen))
    assert not editor.save()  # accepted silently before
    modals.done()
    assert "仍要登记离职吗" in seen[0]
    with db.reader() as s:
        assert registry.get_person(s, pid).left_on is None
        assert "任职的开始日期" in registry.departure_problem(s, pid, early)
    modals.expect(QMessageBox, click("登记离职"))  # confirmed: a team typed in after she had left
    assert editor.save()
    modals.done()
    with db.reader() as s:
        assert registry.get_person(s, pid).left_on == early


# ----------------------------------------------------------------------------- 8. 新建备案, unit type, phone


def test_new_filing_takes_the_selected_account(qtbot, db, tmp_path):
    with db.transaction() as s:
        ids = [_account(s, name=f"账号{i}") for i in range(5)]
        other = filings.new_filing(s, ids[1], "开设", "理由", filled_on=date(2025, 10, 9)).id
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.filing_pages",),
                        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.registry.select_id(ids[3])
    page = window.page("filings")
    seen = []
    page._run_dialog = lambda dialog: seen.append(dialog.account.currentData())
    window.show_page("filings")
    page.actions_["new"].click()  # the button (clicked passes False: the first account was taken)
    page.select_filing(other)
    page.actions_["new"].click()  # a filing is selected on this page: its account
    assert seen == [ids[3], ids[1]]


def test_unit_type_follows_the_name_typed(qtbot, db):
    controller = Controller(db)
    with db.transaction() as s:
        town = registry.save_unit(s, registry.UnitData(name="悦来镇人民政府", kind=enums.UnitType.TOWNSHIP))
        bureau = registry.save_unit(s, registry.UnitData(name="县教育局", kind=enums.UnitType.DEPARTMENT))
    for parent, name, expected in ((None, "桃园镇人民政府", "乡镇人民政府"), (None, "城东街道办事处", "街道办事处"),
                                   (town, "悦来镇东村镇人民政府", "乡镇人民政府"), (bureau, "办公室", "内设机构")):
        editor = UnitEditor(controller, parent_id=parent)
        qtbot.addWidget(editor, before_close_func=lambda d: setattr(d, "_initial", None))
        event = QInputMethodEvent()  # typed with the input method, as a clerk types Chinese
        event.setCommitString(name)
        QApplication.sendEvent(editor.name_edit, event)
        assert editor.kind_combo.currentText() == expected, (parent, name)
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findText("其他"))
    editor.kind_combo.activated.emit(editor.kind_combo.currentIndex())  # chosen by hand: kept
    editor.name_edit.setText("某镇人民政府")
    assert editor.kind_combo.currentText() == "其他"


@pytest.mark.parametrize("profile,code", [("yanhu", "0359"), ("nantong", "0513")])
def test_phone_placeholders_use_the_office_area_code(qtbot, make_db, profile, code):
    db = make_db(profile)
    controller = Controller(db)
    editor = keep(qtbot, AccountEditor(controller))
    placeholders = [e.placeholderText() for e in editor.phone_edits.values()]
    unit = UnitEditor(controller)
    person = PersonEditor(controller)
    for w in (unit, person):
        qtbot.addWidget(w, before_close_func=lambda d: setattr(d, "_initial", None))
    placeholders += [unit.phone_edit.placeholderText(), person.office_phone_edit.placeholderText()]
    assert all(f"{code}-" in p for p in placeholders), placeholders
    other = "0513" if code == "0359" else "0359"
    assert not any(other in p for p in placeholders)


# ----------------------------------------------------------------------------- 11. messages, gaps, clipping


def test_a_red_message_goes_once_the_field_is_fixed(qtbot, db):
    controller = Controller(db)
    editor = keep(qtbot, AccountEditor(controller))
    editor.name_edit.setText("某账号")
    editor.url_edit.setText("不是链接")
    assert not editor.save()
    assert editor.errors["url"].isVisibleTo(editor) and editor.summary.isVisibleTo(editor)
    editor.url_edit.setText("https://example.gov.cn")
    assert not editor.errors["url"].isVisibleTo(editor)  # gone without saving again
    assert not editor.summary.isVisibleTo(editor)
    with db.transaction() as s:
        aid = _account(s)
    dlg = NewFilingDialog(controller, aid)
    qtbot.addWidget(dlg)
    assert not dlg.submit() and dlg.error.isVisibleTo(dlg)
    dlg.reason.setPlainText("为加强政务公开")
    assert not dlg.error.isVisibleTo(dlg)


def test_no_gap_at_notes_in_the_person_editor(qtbot, make_db):
    db = make_db("yanhu")
    demo.generate(db, 30, seed=1)
    with db.reader() as s:
        busy = max(registry.list_people(s), key=lambda p: p.account_count).id  # the accounts table below
    editor = PersonEditor(Controller(db), busy)
    qtbot.addWidget(editor, before_close_func=lambda d: setattr(d, "_initial", None))
    editor.show()
    qtbot.waitExposed(editor)
    for key in ("notes", "name", "left_on"):
        field = editor.fields[key]
        label = editor.form.labelForField(field.parentWidget())
        gap = field.mapTo(editor, QPoint(0, 0)).y() - label.mapTo(editor, QPoint(0, 0)).y()
        assert abs(gap) <= 6, (key, gap)  # the field starts level with its label
    left = editor.fields["left_on"].parentWidget().geometry()
    notes = editor.fields["notes"].parentWidget().geometry()
    assert notes.top() - left.bottom() <= 16, (left, notes)  # no empty row between them


def _text_width(view, column: int) -> int:
    """The width a cell's text has: the column less its grid line and the style's text margins
    (QCommonStyle: PM_FocusFrameHMargin + 1 on each side)."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return view.columnWidth(column) - (1 if view.showGrid() else 0) - 2 * margin


def _fits(view, column: int, text: str) -> bool:
    width = _text_width(view, column)
    height = view.rowHeight(0)
    fm = QFontMetrics(view.font())
    return fm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text).height() <= height


def test_key_columns_show_their_text(qtbot, make_db, tmp_path):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    demo.generate(db, 120, seed=2)
    window = MainWindow(Controller(db), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    for key, columns in (("pending", ("事项", "依据", "说明")), ("check", ("账号", "主办单位", "问题", "依据"))):
        window.show_page(key)
        page = window.page(key)
        view = page.table
        model = view.model()
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        assert model.rowCount() > 0
        for title in columns:
            c = headers.index(title)
            texts = {model.index(r, c).data() for r in range(model.rowCount())}
            clipped = [t for t in texts if not _fits(view, c, t)]
            assert not clipped, (key, title, clipped[:3])
        view.selectRow(0)
        first = model.rows[0]
        assert first.article in page.detail.text()  # the full article below the table
        if key == "pending":
            assert first.rule in page.detail.text()
    from gzdesk.ui.settings_actions import ProfileDialog

    dialog = ProfileDialog(window.controller, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(50)  # the stretched columns laid out, the rows sized to them
    table = dialog.table
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            item = table.item(r, c)
            width = _text_width(table, c)
            fm = QFontMetrics(table.font())
            need = fm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), item.text()).height()
            assert need <= table.rowHeight(r), (item.text(), need, table.rowHeight(r))

