"""The main window: extensions, menus and shortcuts, the registry table's search/filter/sort,
remembered layout, status bar counts, the first-run dialog and Qt's Chinese translations."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from functools import cmp_to_key

import pytest
from PySide6.QtCore import QCollator, QLocale, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QMessageBox

from gzdesk import enums, registry
from gzdesk.db import Database
from gzdesk.registry import AccountData, AccountRow, UnitData
from gzdesk.ui.account_rows import AccountRows
from gzdesk.ui.account_table import COLUMN_KEYS, COLUMNS, AccountTableModel
from gzdesk.ui.app import install_translations, make_main_window, run_window
from gzdesk.ui.controller import Controller
from gzdesk.ui.first_run import FirstRunDialog


def _row(i: int, name: str, platform: str = "wechat_subscription", host: str = "某县财政局",
         status: str = "normal", followers: int | None = None, last: date | None = None,
         handle: str | None = None, host_id: int | None = 1) -> AccountRow:
    return AccountRow(i, name, platform, enums.label("platform", platform), host, status,
                      enums.label("status", status), last, followers, handle, None, "", "", host_id, f"u{i}")


ROWS = [
    _row(1, "财政之声", followers=300, last=date(2026, 1, 2), handle="czzs"),
    _row(2, "青山发布", "douyin", "青山镇人民政府", followers=None, last=None, host_id=2, handle="dy_qs"),
    _row(3, "青山文旅", "weibo", "青山镇人民政府", "paused", followers=50, last=date(2025, 5, 1), host_id=2),
    _row(4, "Health 健康", "douyin", "某县卫生健康委员会", "cancelled", followers=9000, host_id=3),
]


def _names(model: AccountTableModel) -> list[str]:
    return [model.data(model.index(r, COLUMN_KEYS.index("name"))) for r in range(model.rowCount())]


def test_model_search_filters_and_sort():
    model = AccountTableModel()
    model.set_rows(ROWS)
    assert model.rowCount() == 4 and model.columnCount() == 9
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(9)] == [
        "编号", "名称", "平台", "主办单位", "运行状态", "最近更新", "关注量", "账号ID", "创建日期"]
    model.set_filter(text="青山")
    assert _names(model) == ["青山发布", "青山文旅"]
    model.set_filter(text="DY_")  # handle, case-insensitive
    assert _names(model) == ["青山发布"]
    model.set_filter(text="health")
    assert _names(model) == ["Health 健康"]
    model.set_filter(text="卫生健康 health")  # several words: all must match
    assert _names(model) == ["Health 健康"]
    model.set_filter(text="")
    model.set_filter(platform=enums.Platform.DOUYIN)
    assert _names(model) == ["青山发布", "Health 健康"]
    model.set_filter(status=enums.AccountStatus.CANCELLED)
    assert _names(model) == ["Health 健康"]
    model.set_filter(platform=None, status=None, host_unit_id=2)
    assert _names(model) == ["青山发布", "青山文旅"]
    model.set_filter(host_unit_id=None)

    model.sort(COLUMN_KEYS.index("followers"), Qt.SortOrder.DescendingOrder)
    assert _names(model) == ["Health 健康", "财政之声", "青山文旅", "青山发布"]  # 未填 last
    model.sort(COLUMN_KEYS.index("last_update_on"), Qt.SortOrder.AscendingOrder)
    assert _names(model)[-2:] == ["青山文旅", "财政之声"]
    model.set_filter(text="青山")  # filtering keeps the sort order
    assert _names(model) == ["青山发布", "青山文旅"]
    model.sort(COLUMN_KEYS.index("name"), Qt.SortOrder.DescendingOrder)
    assert _names(model) == ["青山文旅", "青山发布"]


def test_model_shows_chinese_dates_and_numbers():
    model = AccountTableModel()
    model.set_rows(ROWS)
    assert model.data(model.index(0, COLUMN_KEYS.index("last_update_on"))) == "2026年1月2日"
    assert model.data(model.index(3, COLUMN_KEYS.index("followers"))) == "9,000"
    assert model.data(model.index(1, COLUMN_KEYS.index("followers"))) == ""
    assert model.data(model.index(2, COLUMN_KEYS.index("status"))) == "暂停"
    assert model.data(model.index(1, COLUMN_KEYS.index("platform"))) == "抖音"
    assert model.data(model.index(0, 0), AccountTableModel.ID_ROLE) == 1


@pytest.fixture
def filled_db(db):
    with db.transaction() as s:
        town = registry.save_unit(s, UnitData(name="青山镇人民政府", kind=enums.UnitType.TOWNSHIP))
        bureau = registry.save_unit(s, UnitData(name="测试县财政局", kind=enums.UnitType.DEPARTMENT))
        for name, platform, host, status in (
                ("青山发布", "douyin", town, "normal"), ("青山微讯", "wechat_subscription", town, "normal"),
                ("财政之声", "wechat_subscription", bureau, "paused"), ("财政快讯", "weibo", bureau, "closed")):
            registry.save_account(s, AccountData(name=name, platform=platform, host_unit_id=host, status=status))
    return db


@pytest.fixture
def window(filled_db, qtbot):
    w = make_main_window(filled_db, extensions=())
    qtbot.addWidget(w)
    w.show()
    return w


def test_window_title_menus_shortcuts_and_counts(window):
    # the office and the file; the system adds the program's name (applicationDisplayName)
    assert window.windowTitle() == f"测试县人民政府办公室（{window.controller.db.path.name}）"
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["文件", "编辑", "账号", "视图", "帮助"]
    window.menu("数据交换")
    window.menu("备案")
    assert window.menu("账号") is window.menu("账号")
    assert [a.text() for a in window.menuBar().actions()] == ["文件", "编辑", "账号", "备案", "数据交换", "视图", "帮助"]
    shortcuts = {a.shortcut().toString(): a.text() for a in window.findChildren(type(window.quit_action))
                 if not a.shortcut().isEmpty()}
    assert shortcuts["Ctrl+N"].startswith("新建账号")
    assert shortcuts["Ctrl+F"].startswith("查找")
    assert shortcuts["Del"].startswith("删除")
    assert shortcuts["Ctrl+Q"].startswith("退出")
    assert shortcuts["F5"].startswith("刷新")
    assert window.counts_label.text() == "共 4 个账号，显示 4 个　｜　正常 2　暂停 1　关停 1"


def test_search_as_you_type_and_filter_combos(window, qtbot):
    page = window.registry
    page.search.setText("青山")  # typed text is applied after a short pause
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert window.counts_label.text().startswith("共 4 个账号，显示 2 个")
    page.search.setText("")
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    page.status_combo.setCurrentIndex(page.status_combo.findData(enums.AccountStatus.PAUSED))
    assert [r.name for r in page.model.visible_rows] == ["财政之声"]
    page.status_combo.setCurrentIndex(0)
    page.unit_combo.setCurrentIndex(page.unit_combo.findText("测试县财政局"))
    page.platform_combo.setCurrentIndex(page.platform_combo.findData(enums.Platform.WEIBO))
    assert [r.name for r in page.model.visible_rows] == ["财政快讯"]
    qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
    assert page.model.rowCount() == 4 and page.unit_combo.currentIndex() == 0
    page.unit_combo.setEditText("青山")  # typing part of a unit name picks the unit
    page.unit_combo.lineEdit().editingFinished.emit()
    assert page.unit_combo.currentText() == "青山镇人民政府"
    assert sorted(r.name for r in page.model.visible_rows) == ["青山发布", "青山微讯"]
    page.unit_combo.setEditText("")
    page.unit_combo.lineEdit().editingFinished.emit()
    assert page.unit_combo.currentIndex() == 0 and page.model.rowCount() == 4
    page.search.setText("没有这个")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert page.empty_label.isVisible() and "清除筛选" in page.empty_label.text()


def test_header_click_sorts(window, qtbot):
    page = window.registry
    header = page.table.horizontalHeader()
    name_col = COLUMN_KEYS.index("name")
    header.setSortIndicator(name_col, Qt.SortOrder.DescendingOrder)
    names = [r.name for r in page.model.visible_rows]
    # Chinese names in pinyin order (财 cai before 青 qing), as QCollator puts them
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    assert names == sorted(names, key=cmp_to_key(collator.compare), reverse=True)
    assert names != sorted(names, reverse=True)  # not by character code


def test_table_follows_writes_from_anywhere(window, filled_db, qtbot):
    window.controller.write(registry.save_account, AccountData(name="新开账号"))
    qtbot.waitUntil(lambda: page_names(window).count("新开账号") == 1)
    assert window.counts_label.text().startswith("共 5 个账号")


def test_f5_reloads_changes_made_outside_the_window(window, filled_db, qtbot):
    with filled_db.transaction() as s:  # e.g. the command line, on the same file
        registry.save_account(s, AccountData(name="命令行新建"))
    assert "命令行新建" not in page_names(window)
    window.refresh_action.trigger()
    qtbot.waitUntil(lambda: "命令行新建" in page_names(window))
    assert window.statusBar().currentMessage() == "已刷新"


def test_hidden_registry_reloads_when_shown_again(window, filled_db, qtbot):
    from PySide6.QtWidgets import QLabel as Page

    window.add_page("other", "其他页", Page("其他"))
    window.show_page("other")
    window.controller.write(registry.save_account, AccountData(name="后台新开"))
    qtbot.wait(20)
    assert "后台新开" not in page_names(window)  # not reloaded while hidden
    window.show_page("accounts")
    qtbot.waitUntil(lambda: "后台新开" in page_names(window))


def page_names(window) -> list[str]:
    return [r.name for r in window.registry.model.visible_rows]


def test_selection_survives_search_and_sort(window, qtbot):
    page = window.registry
    target = next(r.id for r in page.model.visible_rows if r.name == "青山微讯")
    page.select_id(target)
    page.search.setText("青山")
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.selected_ids() == [target]
    page.table.horizontalHeader().setSortIndicator(COLUMN_KEYS.index("name"), Qt.SortOrder.DescendingOrder)
    assert page.selected_ids() == [target] and page.current_id() == target


def test_delete_key_in_the_search_box_edits_text(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = window.registry
    page.table.selectRow(0)
    page.search.setFocus()
    page.search.setText("abc")
    page.search.setCursorPosition(0)
    asked = []

    def close_question():  # were a question asked, do not hang the test run
        box = QApplication.activeModalWidget()
        if box is not None:
            asked.append(box)
            box.done(0)

    QTimer.singleShot(500, close_question)
    qtbot.keyClick(page.search, Qt.Key.Key_Delete)  # must not ask to delete the account
    qtbot.wait(600)
    assert page.search.text() == "bc"
    assert not asked


def test_ctrl_f_focuses_search(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.registry.table.setFocus()
    qtbot.keyClick(window.registry.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.registry.search.hasFocus())


def test_layout_is_remembered(filled_db, qtbot):
    first = make_main_window(filled_db, extensions=())
    qtbot.addWidget(first)
    first.show()
    first.resize(1000, 640)
    table = first.registry.table
    name_col = COLUMN_KEYS.index("name")
    table.setColumnWidth(name_col, 333)
    table.horizontalHeader().setSortIndicator(COLUMN_KEYS.index("followers"), Qt.SortOrder.DescendingOrder)
    table.horizontalHeader().setSectionHidden(COLUMN_KEYS.index("handle"), True)  # header menu
    first.close()

    second = make_main_window(filled_db, extensions=())
    qtbot.addWidget(second)
    assert second.registry.table.columnWidth(name_col) == 333
    header = second.registry.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COLUMN_KEYS.index("followers"), Qt.SortOrder.DescendingOrder)
    assert second.registry.model._sort_column == COLUMN_KEYS.index("followers")
    assert header.isSectionHidden(COLUMN_KEYS.index("handle"))
    second.registry.reset_columns()
    assert not header.isSectionHidden(COLUMN_KEYS.index("handle"))
    assert second.registry.table.columnWidth(name_col) == COLUMNS[name_col].width
    assert not second.settings.value("main/geometry").isEmpty()  # size and place (clamped to the screen)


# ---------------------------------------------------------------- extensions


def test_main_window_loads_every_part_of_the_program(db, qtbot):
    """A fixed list: a part that a build lost must fail this test, not drop from both sides."""
    w = make_main_window(db)
    qtbot.addWidget(w)
    assert w.loaded_extensions == [
        "gzdesk.ui.units_page", "gzdesk.ui.people_page", "gzdesk.ui.filing_pages",
        "gzdesk.ui.print_actions", "gzdesk.ui.excel_actions", "gzdesk.ui.snapshot_actions",
        "gzdesk.ui.settings_actions", "gzdesk.ui.check_page", "gzdesk.ui.supervision_pages",
        "gzdesk.ui.audit_page", "gzdesk.ui.login", "gzdesk.ui.file_actions", "gzdesk.ui.list_actions",
        "gzdesk.ui.help_window", "gzdesk.ui.overview_page"]
    assert [w.nav.item(i).text() for i in range(2)] == ["首页", "账号台账"]  # 首页 first, shown at start
    assert w.current_page_key() == "overview"
    assert {"单位", "人员", "备案", "检查", "季度检查", "年度考核"} <= {w.nav.item(i).text() for i in range(w.nav.count())}


@pytest.fixture
def ext_dir(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("gzx_")]:
        del sys.modules[name]


def test_extension_install_adds_pages_and_menus(db, qtbot, ext_dir):
    (ext_dir / "gzx_good.py").write_text(
        "from PySide6.QtWidgets import QLabel\n"
        "def install(window):\n"
        "    window.add_page('demo', '演示页', QLabel('演示'))\n"
        "    window.menu('数据交换').addAction('导出台账…')\n", encoding="utf-8")
    w = make_main_window(db, extensions=("gzx_good",))
    qtbot.addWidget(w)
    assert w.loaded_extensions == ["gzx_good"]
    assert [w.nav.item(i).text() for i in range(w.nav.count())] == ["账号台账", "演示页"]
    w.show_page("demo")
    assert isinstance(w.pages.currentWidget(), QLabel) and w.current_page_key() == "demo"
    assert [a.text() for a in w.menuBar().actions()] == ["文件", "编辑", "账号", "数据交换", "视图", "帮助"]
    view = [a.text() for a in w.menu("视图").actions() if a.text()]
    assert view[:2] == ["账号台账", "演示页"]


def test_missing_or_broken_extension_is_not_silently_skipped(db, qtbot, ext_dir):
    with pytest.raises(ModuleNotFoundError) as info:
        make_main_window(db, extensions=("gzx_not_written",))
    assert info.value.name == "gzx_not_written"
    (ext_dir / "gzx_broken.py").write_text("import gzx_missing_dependency\n"
                                           "def install(window):\n    pass\n", encoding="utf-8")
    with pytest.raises(ModuleNotFoundError) as info:
        make_main_window(db, extensions=("gzx_broken",))
    assert info.value.name == "gzx_missing_dependency"
    (ext_dir / "gzx_failing.py").write_text("def install(window):\n    raise RuntimeError('bug')\n",
                                            encoding="utf-8")
    with pytest.raises(RuntimeError):
        make_main_window(db, extensions=("gzx_failing",))


# ---------------------------------------------------------------- first run, app start


def test_first_run_dialog_initialises_the_database(db_path, qtbot):
    database = Database(db_path)
    try:
        controller = Controller(database)
        assert not controller.is_initialized()
        dialog = FirstRunDialog(controller)
        qtbot.addWidget(dialog)
        assert [p.id for p in dialog.profiles][:5] == ["yanhu", "taibai", "yunnan", "nantong", "linyi"]
        assert not dialog.ok_button.isEnabled()  # no unit name yet
        dialog.unit_edit.setText("盐湖区人民政府办公室")
        dialog.select_profile("yanhu")
        html = dialog.details.toPlainText()
        assert "审批链" in html and "备案登记表" in html
        assert dialog.ok_button.isEnabled()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.result() == dialog.DialogCode.Accepted
        assert controller.is_initialized()
        info = controller.office()
        assert (info.unit_name, info.profile.id) == ("盐湖区人民政府办公室", "yanhu")
    finally:
        database.close()


def test_qt_standard_buttons_are_chinese(qtbot):
    app = QApplication.instance()
    assert install_translations(app)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Yes)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("取消")
    assert box.button(QDialogButtonBox.StandardButton.Yes).text().startswith("是")
    assert QKeySequence(QKeySequence.StandardKey.Save).toString() == "Ctrl+S"


def test_too_new_database_shows_the_reason(tmp_path, monkeypatch, qtbot):
    from gzdesk.models import migrations

    path = tmp_path / "new.db"
    Database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text)))
    assert run_window(str(path)) == 1
    assert len(shown) == 1 and "较新版本" in shown[0][1]


def test_opening_reads_and_sorts_the_accounts_once(filled_db, qtbot, monkeypatch):
    """A window closed sorted by 名称 opens with one read of the accounts and one sort (it read
    them twice — 备案's closures-on-open announced a change of every page even when none was
    due — and sorted them three times: by 编号 while empty, by 编号 when read, by 名称 on restore)."""
    first = make_main_window(filled_db)
    qtbot.addWidget(first)
    first.show()
    first.show_page("accounts")
    first.registry.table.horizontalHeader().setSortIndicator(COLUMN_KEYS.index("name"), Qt.SortOrder.AscendingOrder)
    first.close()

    reads, sorts = [], []
    real_read = registry.account_table
    monkeypatch.setattr(registry, "account_table", lambda s, **kw: reads.append(1) or real_read(s, **kw))
    real_sort = AccountRows._sort_all
    monkeypatch.setattr(AccountRows, "_sort_all", lambda self: sorts.append(len(self.table)) or real_sort(self))
    second = make_main_window(filled_db)
    qtbot.addWidget(second)
    second.show()
    second.show_page("accounts")
    qtbot.wait(50)
    assert reads == [1]
    assert [n for n in sorts if n] == [4]
    assert _names(second.registry.model) == ["财政快讯", "财政之声", "青山发布", "青山微讯"]
