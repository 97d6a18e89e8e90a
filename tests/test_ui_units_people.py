"""The 单位 and 人员 pages and their editors, driven through the real dialogs (pytest-qt, offscreen)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from gzdesk import registry
from gzdesk.enums import Role, UnitType
from gzdesk.people_tasks import accounts_of_person, departure_task_due, task_rows
from gzdesk.registry import AccountData, PersonData, TeamMember, UnitData
from gzdesk.ui.controller import Controller
from gzdesk.ui.people_page import PeoplePage
from gzdesk.ui.person_editor import PersonEditor
from gzdesk.ui.unit_editor import UnitEditor
from gzdesk.ui.units_page import UnitsPage
from gzdesk.units_tree import descendant_ids, filter_units, tree_order, unit_paths

# --------------------------------------------------------------------------- modal helpers


class ModalDriver:
    """Answers modal dialogs as they open: each handler gets the next modal widget of its type.

    Handlers run inside the dialog's own event loop (``exec``), exactly as a person's clicks would.
    A dialog nobody expected is rejected and reported, and so is a dialog whose handler fails (an
    assertion inside it), so a test can never hang on it.
    """

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.handlers: list[tuple[type, Callable[[QWidget], None]]] = []
        self.seen: list[QWidget] = []
        self.unexpected: list[str] = []
        self.failures: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def expect(self, kind: type, handler: Callable[[QWidget], None]) -> None:
        self.handlers.append((kind, handler))

    def _poll(self) -> None:
        w = QApplication.activeModalWidget()
        if w is None or w in self.seen or not w.isVisible():
            return
        self.seen.append(w)
        if self.handlers and isinstance(w, self.handlers[0][0]):
            _, handler = self.handlers.pop(0)
            # Run outside this timer slot: a handler that opens another modal dialog blocks, and a
            # timer does not fire again while its own slot is still running.
            QTimer.singleShot(0, lambda: self._run(handler, w))
        else:
            text = w.text() if isinstance(w, QMessageBox) else w.windowTitle()
            self.unexpected.append(f"{type(w).__name__}: {text}")
            w.reject() if isinstance(w, QDialog) else w.close()

    def _run(self, handler: Callable[[QWidget], None], w: QWidget) -> None:
        try:
            handler(w)
        except Exception:  # noqa: BLE001 — reported by done() and the fixture; the dialog must close
            self.failures.append(traceback.format_exc())
            if w.isVisible():
                w.reject() if isinstance(w, QDialog) else w.close()

    def done(self) -> None:
        self.timer.stop()
        assert not self.failures, "\n".join(self.failures)
        assert not self.unexpected, self.unexpected
        assert not self.handlers, f"dialogs never shown: {self.handlers}"


@pytest.fixture
def modals(qtbot):
    driver = ModalDriver(qtbot)
    yield driver
    driver.timer.stop()
    assert not driver.failures, "\n".join(driver.failures)


def click_box(text_out: list[str], button_text: str) -> Callable[[QWidget], None]:
    """Handler for a QMessageBox: remember its text and click the button labelled ``button_text``."""

    def handler(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        text_out.append(box.text())
        for b in box.buttons():
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

    return handler


def keep(qtbot, dialog: QDialog) -> QDialog:
    """Let pytest-qt close the dialog at the end without asking about unsaved edits."""
    qtbot.addWidget(dialog, before_close_func=lambda d: setattr(d, "_initial", None))
    return dialog


@pytest.fixture
def controller(db):
    return Controller(db)


def tree_rows(page: UnitsPage) -> dict[str, tuple[str | None, list[str]]]:
    """name → (parent name, the row's texts) for every unit in the tree."""
    out = {}
    model = page.model
    stack = [(QModelIndex(), None)]
    while stack:
        parent, parent_name = stack.pop()
        for r in range(model.rowCount(parent)):
            texts = [model.index(r, c, parent).data() for c in range(model.columnCount(parent))]
            out[texts[0]] = (parent_name, texts)
            stack.append((model.index(r, 0, parent), texts[0]))
    return out


# --------------------------------------------------------------------------- the unit tree


def test_tree_order_and_descendants():
    units = [UnitData("县政府", UnitType.GOVERNMENT, id=1),
             UnitData("乙局", UnitType.DEPARTMENT, id=2, parent_id=1),
             UnitData("甲镇人民政府", UnitType.TOWNSHIP, id=3, parent_id=1),
             UnitData("党政办", UnitType.INTERNAL, id=4, parent_id=3),
             UnitData("孤儿单位", id=5, parent_id=99)]
    order = [(d, u.name) for d, u in tree_order(units)]
    assert order == [(0, "县政府"), (1, "甲镇人民政府"), (2, "党政办"), (1, "乙局"), (0, "孤儿单位")]
    assert descendant_ids(units, 3) == {3, 4}
    assert descendant_ids(units, 1) == {1, 2, 3, 4}
    assert unit_paths(units) == {1: "县政府", 2: "县政府 / 乙局", 3: "县政府 / 甲镇人民政府",
                                 4: "县政府 / 甲镇人民政府 / 党政办", 5: "孤儿单位"}
    shown, matched = filter_units(units, "党政")
    assert matched == {4} and shown == {1, 3, 4}


def test_create_unit_and_child_through_editor(controller, qtbot, modals):
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    page.show()
    assert "测试县人民政府办公室" in tree_rows(page)

    def fill_township(d: QWidget) -> None:
        assert isinstance(d, UnitEditor)
        d.name_edit.setText("青石镇人民政府")
        assert d.kind_combo.currentData() == UnitType.TOWNSHIP  # guessed from the name
        office_index = d.parent_combo.findText("测试县人民政府办公室")
        d.parent_combo.setCurrentIndex(office_index)
        d.head_edit.setText("王建国")
        d.leader_edit.setText("李明　副镇长")
        d.phone_edit.setText("0513-86123456")
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(UnitEditor, fill_township)
    town_id = page.new_unit()
    assert town_id is not None
    rows = tree_rows(page)
    parent, texts = rows["青石镇人民政府"]
    assert parent == "测试县人民政府办公室"
    assert texts[1:5] == ["乡镇人民政府", "王建国", "李明　副镇长", "0513-86123456"]
    assert page.current_id() == town_id

    def fill_office(d: QWidget) -> None:
        assert isinstance(d, UnitEditor)
        assert d.parent_combo.unit_id() == (town_id, None)  # 新建下级单位 starts under the selection
        assert d.kind_combo.currentData() == UnitType.INTERNAL
        d.name_edit.setText("党政综合办公室")
        d.classified_check.setChecked(True)
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(UnitEditor, fill_office)
    child_id = page.new_child_unit()
    modals.done()
    rows = tree_rows(page)
    parent, texts = rows["党政综合办公室"]
    assert parent == "青石镇人民政府"
    assert texts[1] == "内设机构" and texts[5] == "是"
    saved = controller.read(registry.get_unit, child_id)
    assert saved.parent_id == town_id and saved.classified


def test_unit_editor_messages_and_parent_choices(controller, qtbot):
    town = controller.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    child = controller.write(registry.save_unit, UnitData("党政办", UnitType.INTERNAL, parent_id=town))
    d = UnitEditor(controller, unit_id=town)
    keep(qtbot, d)
    d.show()
    choices = {d.parent_combo.itemData(i) for i in range(d.parent_combo.count())}
    assert town not in choices and child not in choices  # not itself, not below itself
    d.phone_edit.setText("8612")
    assert "格式不正确" in d.message("phone")  # shown as soon as the field is edited
    d.name_edit.setText("")
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.message("name") == "单位名称不能为空"
    assert d.isVisible() and d.saved_id is None
    d.name_edit.setText("党政办")
    assert "已有同名单位" in d.message("name")
    d.name_edit.setText("青石镇人民政府")
    d.phone_edit.setText("0513-86123456")
    assert d.message("name") == "" and d.message("phone") == ""
    d.parent_combo.setEditText("不存在的单位")
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert "找不到单位" in d.message("parent_id") and d.saved_id is None
    d.parent_combo.set_unit_id(None)
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.saved_id == town and not d.isVisible()
    assert controller.read(registry.get_unit, town).phone == "0513-86123456"


def test_unsaved_unit_edits_are_asked_about(controller, qtbot, modals):
    d = UnitEditor(controller)
    keep(qtbot, d)
    d.show()
    d.name_edit.setText("新单位")
    texts: list[str] = []
    modals.expect(QMessageBox, click_box(texts, "取消"))
    d.reject()
    assert d.isVisible() and texts == ["内容已修改，是否保存？"]
    modals.expect(QMessageBox, click_box(texts, "不保存"))
    d.reject()
    modals.done()
    assert not d.isVisible() and d.saved_id is None
    assert all(u.name != "新单位" for u in controller.read(registry.list_units))


def test_deleting_a_unit_with_accounts_is_refused(controller, qtbot, modals):
    town = controller.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    spare = controller.write(registry.save_unit, UnitData("临时单位", UnitType.OTHER))
    controller.write(registry.save_account, AccountData(name="青石发布", host_unit_id=town))
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    page.show()
    assert tree_rows(page)["青石镇人民政府"][1][6] == "1"
    assert page.select_unit(town)
    texts: list[str] = []
    modals.expect(QMessageBox, click_box(texts, "删除"))
    modals.expect(QMessageBox, click_box(texts, "知道了"))
    page.delete_selected()
    assert "确定删除单位“青石镇人民政府”" in texts[0]
    assert texts[1] == "单位“青石镇人民政府”还关联着 1 个账号，不能删除"
    assert "青石镇人民政府" in tree_rows(page)
    assert page.select_unit(spare)
    modals.expect(QMessageBox, click_box(texts, "删除"))
    page.delete_selected()
    modals.done()
    assert "临时单位" not in tree_rows(page)
    assert all(u.id != spare for u in controller.read(registry.list_units))


def test_unit_search_keeps_ancestors(controller, qtbot):
    town = controller.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    controller.write(registry.save_unit, UnitData("党政综合办公室", UnitType.INTERNAL, parent_id=town))
    controller.write(registry.save_unit, UnitData("县教育体育局", UnitType.DEPARTMENT))
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    page.show()
    page.search_edit.setText("综合")
    page.rebuild()
    rows = tree_rows(page)
    assert set(rows) == {"青石镇人民政府", "党政综合办公室"}
    assert page.count_label.text() == "找到 1 个单位"
    page.search_edit.setText("")
    page.rebuild()
    assert "县教育体育局" in tree_rows(page)


# --------------------------------------------------------------------------- people


def _person_row(page: PeoplePage, name: str) -> list[str]:
    for r, p in enumerate(page.model.rows):
        if p.name == name:
            return [page.model.index(r, c).data() for c in range(page.model.columnCount())]
    raise AssertionError(f"{name} not in table")


def test_departure_through_editor_creates_tasks(controller, qtbot, modals):
    unit = controller.write(registry.save_unit, UnitData("县融媒体中心", UnitType.INSTITUTION))
    page = PeoplePage(controller)
    qtbot.addWidget(page)
    page.show()

    def fill_person(d: QWidget) -> None:
        assert isinstance(d, PersonEditor)
        d.name_edit.setText("赵敏")
        d.unit_combo.set_unit_id(unit)
        d.title_edit.setText("编辑")
        d.mobile_edit.setText("13912345678")
        d.trained_edit.setDate(date(2025, 3, 1))
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(PersonEditor, fill_person)
    person_id = page.new_person()
    assert _person_row(page, "赵敏")[:5] == ["赵敏", "县融媒体中心", "编辑", "", "13912345678"]
    assert _person_row(page, "赵敏")[5] == "2025年3月1日"

    # The account editor puts her on a 管理队伍 (here through the domain, as that editor would).
    controller.write(registry.save_account, AccountData(
        name="县融媒发布", host_unit_id=unit, team=[TeamMember(person_id, Role.ADMIN)]))
    assert _person_row(page, "赵敏")[7] == "1"
    assert page.select_person(person_id)

    left = date.today() - timedelta(days=1)
    seen: list[str] = []

    def record_departure(d: QWidget) -> None:
        assert isinstance(d, PersonEditor)
        assert d.roles_table.rowCount() == 1
        assert d.roles_table.item(0, 0).text() == "县融媒发布" and d.roles_table.item(0, 2).text() == "管理员"
        assert not d.left_warning.isVisible()
        d.left_edit.setText(left.isoformat())
        assert d.left_warning.isVisible()
        assert "负责的 1 个账号" in d.left_warning.text() and "第二十七条" in d.left_warning.text()  # 南通
        modals.expect(QMessageBox, click_box(seen, "登记离职"))
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(PersonEditor, record_departure)
    assert page.edit_current() == person_id
    modals.done()
    # she was put on the team today (the role's start) and left yesterday: the date is questioned
    assert "早于其在“县融媒发布”任职的开始日期" in seen[0] and "仍要登记离职吗" in seen[0]

    tasks = controller.read(task_rows)
    assert sorted(t.kind_label for t in tasks) == ["收回工作设备", "更改账号密码"]
    due = controller.read(departure_task_due, left)
    assert due > date.today()  # not late the day it is made (it was due the day she left)
    assert all(t.account_name == "县融媒发布" and t.person_name == "赵敏" and t.due_on == due for t in tasks)
    assert page.tasks_model.rowCount() == 2
    assert {page.tasks_model.index(r, 0).data() for r in range(2)} == {"更改账号密码", "收回工作设备"}
    assert page.tasks_model.index(0, 1).data() == "县融媒发布（微信订阅号）"
    assert _person_row(page, "赵敏")[6] == f"{left.year}年{left.month}月{left.day}日"
    assert controller.read(accounts_of_person, person_id)[0].until == left

    page.only_person_check.setChecked(True)  # she is still selected
    assert page.tasks_model.rowCount() == 2 and "所选人员 2 项" in page.tasks_label.text()
    page.table.clearSelection()
    assert page.tasks_model.rowCount() == 0
    page.only_person_check.setChecked(False)
    assert page.tasks_model.rowCount() == 2
    page.tasks_table.selectAll()
    qtbot.mouseClick(page.complete_button, Qt.MouseButton.LeftButton)
    assert page.tasks_model.rowCount() == 0
    assert controller.read(task_rows) == []
    assert len(controller.read(task_rows, open_only=False)) == 2


def test_bad_mobile_is_explained_next_to_the_field(controller, qtbot):
    d = PersonEditor(controller)
    keep(qtbot, d)
    d.show()
    d.name_edit.setText("李四")
    d.mobile_edit.setText("123")
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.message("mobile").startswith("手机号码“123”格式不正确")
    assert d.isVisible() and d.saved_id is None
    assert controller.read(registry.list_people) == []
    d.mobile_edit.setText("0513-86123456")  # a landline is not a mobile
    assert "格式不正确" in d.message("mobile")
    d.left_edit.setText("2025年13月1日")
    assert "不存在的日期" in d.message("left_on")
    d.left_edit.setText("")
    d.mobile_edit.setText("13812345678")
    assert d.message("mobile") == ""
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.saved_id is not None and not d.isVisible()
    assert [p.mobile for p in controller.read(registry.list_people)] == ["13812345678"]


def test_people_filter_and_search(controller, qtbot):
    today = date.today()
    for name, trained, left in (("张三", date(2024, 1, 5), None), ("李四", None, None),
                                ("王五", date(2023, 6, 1), today - timedelta(days=3))):
        controller.write(registry.save_person, PersonData(name=name, trained_on=trained, left_on=left))
    page = PeoplePage(controller)
    qtbot.addWidget(page)
    page.show()
    names = lambda: sorted(p.name for p in page.model.rows)  # noqa: E731
    assert names() == ["张三", "李四", "王五"]
    assert [p.name for p in page.model.rows] == ["李四", "王五", "张三"]  # pinyin order: L, W, Z
    expected = {"在岗": ["张三", "李四"], "已离职": ["王五"], "未培训": ["李四"], "全部": ["张三", "李四", "王五"]}
    for label, want in expected.items():
        page.filter_combo.setCurrentText(label)
        assert names() == want, label
    assert _person_row(page, "李四")[5] == "未培训"
    page.search_edit.setText("王")
    page.apply_filter()
    assert names() == ["王五"]
    assert page.count_label.text() == "显示 1 / 共 3 人"


# --------------------------------------------------------------------------- in the main window


def test_pages_install_into_the_main_window(db, qtbot, tmp_path):
    from gzdesk.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.units_page", "gzdesk.ui.people_page"),
                        settings=settings)
    qtbot.addWidget(window)
    assert window.loaded_extensions == ["gzdesk.ui.units_page", "gzdesk.ui.people_page"]
    assert isinstance(window.page("units"), UnitsPage) and isinstance(window.page("people"), PeoplePage)
    texts = [a.text() for a in window.menu("编辑").actions()]
    assert {"新建单位…", "新建下级单位…", "新建人员…", "离职待办…"} <= set(texts)
    window.show()
    window.show_page("units")
    assert "测试县人民政府办公室" in tree_rows(window.page("units"))
    # A write anywhere reloads the page on show: hidden pages only mark themselves stale.
    window.controller.write(registry.save_person, PersonData(name="孙七"))
    window.show_page("people")
    assert [p.name for p in window.page("people").model.rows] == ["孙七"]


def test_clearing_the_search_restores_opened_branches(controller, qtbot):
    town = controller.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    controller.write(registry.save_unit, UnitData("党政综合办公室", UnitType.INTERNAL, parent_id=town))
    bureau = controller.write(registry.save_unit, UnitData("县教育体育局", UnitType.DEPARTMENT))
    controller.write(registry.save_unit, UnitData("办公室", UnitType.INTERNAL, parent_id=bureau))
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    page.show()
    assert page.select_unit(town)
    page.tree.collapse(page.tree.currentIndex())
    assert page._expanded_ids() == {bureau}  # the first view opened the top level; town closed by hand
    page.search_edit.setText("办公室")
    page.rebuild()
    assert {town, bureau} <= page._expanded_ids()
    page.search_edit.setText("")
    page.rebuild()
    assert page._expanded_ids() == {bureau}


def test_ctrl_s_saves_the_unit_editor(controller, qtbot):
    d = UnitEditor(controller)
    keep(qtbot, d)
    d.show()
    d.activateWindow()
    qtbot.waitUntil(d.isActiveWindow)  # a window shortcut needs its window active
    d.name_edit.setText("县档案馆")
    assert d.kind_combo.currentData() == UnitType.INSTITUTION
    qtbot.keyClick(d.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert d.saved_id is not None and not d.isVisible()
    assert controller.read(registry.get_unit, d.saved_id).name == "县档案馆"


def test_deleting_a_person_on_a_team_is_refused(controller, qtbot, modals):
    busy = controller.write(registry.save_person, PersonData(name="周八"))
    idle = controller.write(registry.save_person, PersonData(name="吴九"))
    controller.write(registry.save_account, AccountData(name="县政府发布", team=[TeamMember(busy, Role.LEADER)]))
    page = PeoplePage(controller)
    qtbot.addWidget(page)
    page.show()
    texts: list[str] = []
    assert page.select_person(busy)
    modals.expect(QMessageBox, click_box(texts, "删除"))
    modals.expect(QMessageBox, click_box(texts, "知道了"))
    page.delete_selected()
    assert texts[1] == "“周八”还在 1 个账号的管理队伍中，请先从管理队伍移除或登记离职"
    assert page.select_person(idle)
    modals.expect(QMessageBox, click_box(texts, "删除"))
    page.delete_selected()
    modals.done()
    assert [p.name for p in page.model.rows] == ["周八"]


def test_unit_context_actions_in_the_main_window(db, qtbot, tmp_path, modals):
    from gzdesk.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.units_page", "gzdesk.ui.people_page"),
                        settings=settings)
    qtbot.addWidget(window)
    window.show()
    c = window.controller
    town = c.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    bureau = c.write(registry.save_unit, UnitData("县教育体育局", UnitType.DEPARTMENT))
    c.write(registry.save_account, AccountData(name="青石发布", host_unit_id=town))
    c.write(registry.save_account, AccountData(name="教育发布", host_unit_id=bureau))
    actions = dict(window.page("units").unit_actions)
    assert set(actions) == {"查看本单位主办的账号", "新建本单位人员…"}
    actions["查看本单位主办的账号"](town)
    assert window.current_page_key() == "accounts"
    assert [r.name for r in window.registry.model.visible_rows] == ["青石发布"]

    def fill(d: QWidget) -> None:
        assert isinstance(d, PersonEditor)
        assert d.unit_combo.unit_id() == (bureau, None)
        d.name_edit.setText("钱十")
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(PersonEditor, fill)
    actions["新建本单位人员…"](bureau)
    modals.done()
    assert window.current_page_key() == "people"
    assert [(p.name, p.unit_name) for p in window.page("people").model.rows] == [("钱十", "县教育体育局")]


def test_one_pinyin_order_for_units_people_and_accounts(qapp):
    """The units tree, the people list and the account table sort names with one collation
    (gzdesk.ui.pinyin; the units tree had its own QCollator): the order is the collator's, also
    when a rare character (outside the characters ranked up front) comes late in the list."""
    from PySide6.QtCore import QCollator, QLocale

    from gzdesk.ui.pinyin import pinyin_key_for

    names = ["张家镇人民政府", "阿拉乡人民政府", "白石镇人民政府", "第10中学", "第2中学", "㐀村委会", "陈庄"]
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    collator.setNumericMode(True)
    assert sorted(names, key=pinyin_key_for(names)) == sorted(names, key=collator.sortKey)


# --------------------------------------------------------------------------- a big database (issue 14)


def _spy_threads(monkeypatch, module, name: str) -> list[bool]:
    """Record, for each call of ``module.name``, whether it ran on the main (GUI) thread."""
    import threading

    seen: list[bool] = []
    real = getattr(module, name)

    def spy(*args, **kw):
        seen.append(threading.current_thread() is threading.main_thread())
        return real(*args, **kw)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_on_a_big_database_the_unit_tree_is_read_and_searched_off_the_gui_thread(controller, qtbot, modals,
                                                                                  monkeypatch):
    """Issue 14: 40,000 units took 5.6 s of the GUI thread; on a big database they are read, ordered
    and searched in a worker, the page shows a busy bar meanwhile, and the tree is the same."""
    from gzdesk import units_tree
    from gzdesk.ui import background, units_page

    town = controller.write(registry.save_unit, UnitData("青石镇人民政府", UnitType.TOWNSHIP))
    controller.write(registry.save_unit, UnitData("党政综合办公室", UnitType.INTERNAL, parent_id=town))
    controller.write(registry.save_unit, UnitData("县教育体育局", UnitType.DEPARTMENT))
    small = UnitsPage(controller)
    qtbot.addWidget(small)
    small.show()
    expected = tree_rows(small)

    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    reads = _spy_threads(monkeypatch, units_page, "list_units")
    searches = _spy_threads(monkeypatch, units_tree, "unit_matches")
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    page.show()
    assert page.loading.isVisible()
    qtbot.waitUntil(lambda: not page.loading.busy, timeout=5000)
    assert tree_rows(page) == expected and not page.loading.isVisible()
    page.search_edit.setText("综合")
    page.rebuild()
    qtbot.waitUntil(lambda: page.count_label.text() == "找到 1 个单位", timeout=5000)
    assert set(tree_rows(page)) == {"青石镇人民政府", "党政综合办公室"}
    assert reads == [False] and searches and not any(searches)

    page.search_edit.setText("")
    page.rebuild()

    def fill(d: QWidget) -> None:
        d.name_edit.setText("县档案馆")
        qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)

    modals.expect(UnitEditor, fill)
    saved = page.new_unit()  # the save reloads the tree in the worker: the selection waits for it
    modals.done()
    qtbot.waitUntil(lambda: page.current_id() == saved, timeout=5000)
    assert "县档案馆" in tree_rows(page) and len(reads) > 1 and not any(reads)


def test_on_a_big_database_people_are_read_filtered_and_sorted_off_the_gui_thread(controller, qtbot, monkeypatch):
    """Issue 14: 100,000 people took 2.8 s of the GUI thread; on a big database they are read,
    filtered and put in pinyin order in a worker, and the table shows the same rows."""
    from gzdesk.ui import background, people_page

    for name, trained in (("张三", date(2024, 1, 5)), ("李四", None), ("王五", None), ("阿明", None)):
        controller.write(registry.save_person, PersonData(name=name, trained_on=trained))
    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    reads = _spy_threads(monkeypatch, people_page, "list_people")
    sorts = _spy_threads(monkeypatch, people_page, "shown_people")  # filter and sort
    page = PeoplePage(controller)
    qtbot.addWidget(page)
    page.show()
    assert page.loading.isVisible()
    qtbot.waitUntil(lambda: not page.loading.busy, timeout=5000)
    assert [p.name for p in page.model.rows] == ["阿明", "李四", "王五", "张三"]  # pinyin order
    page.filter_combo.setCurrentText("未培训")
    qtbot.waitUntil(lambda: not page.loading.busy and page.count_label.text() == "显示 3 / 共 4 人", timeout=5000)
    assert [p.name for p in page.model.rows] == ["阿明", "李四", "王五"]
    assert reads == [False] and sorts and not any(sorts)


def test_what_a_page_read_in_a_worker_is_kept_out_of_the_collectors_way(controller, qtbot, monkeypatch):
    """Full collections scanned every row the window holds (180 ms at 200,000 accounts, on whichever
    thread allocated): a worker's read runs with automatic collection off, and what the page took
    from it is frozen (the permanent generation, never scanned)."""
    import gc

    from gzdesk.ui import background, units_page

    controller.write(registry.save_unit, UnitData("县档案馆", UnitType.INSTITUTION))
    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    collecting: list[bool] = []
    real = units_page.list_units

    def spy(session):
        collecting.append(gc.isenabled())
        return real(session)

    monkeypatch.setattr(units_page, "list_units", spy)
    page = UnitsPage(controller)
    qtbot.addWidget(page)
    try:
        page.show()
        qtbot.waitUntil(lambda: not page.loading.busy, timeout=5000)
        unit = page.units[0]
        assert collecting == [False] and gc.isenabled()
        assert gc.is_tracked(unit) and not any(o is unit for o in gc.get_objects())  # frozen
    finally:
        gc.unfreeze()
