"""The 账号台账 of a big registry at start: the first screenful shown at once, the rest read in
parts after the first paint (``RegistryPage.start_loading``). While it reads, the window says so,
and a search, a filter, a sort, 打印/导出, a row saved and a link of 首页 act on every account,
never on the part read so far; once read, the table is the one a plain reload shows."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from gzdesk import demo, enums, registry
from gzdesk.registry import AccountData
from gzdesk.ui.account_table import COLUMN_KEYS, RegistryPage
from gzdesk.ui.app import make_main_window
from gzdesk.ui.controller import ACCOUNTS

TODAY = date(2026, 11, 20)


@pytest.fixture
def county(make_db, monkeypatch):
    db = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(db, 25, seed=4, today=TODAY)
    monkeypatch.setattr(RegistryPage, "PARTS_FROM", 10)  # 25 accounts count as a big registry here
    monkeypatch.setattr(RegistryPage, "FIRST_ROWS", 3)
    monkeypatch.setattr(RegistryPage, "PART_ROWS", 5)
    return db


def _ids(page) -> list[int]:
    return page.model.visible_ids()


def _all_ids(db) -> list[int]:
    with db.reader() as s:
        return sorted(registry.account_table(s, shown_only=True).id)


def _window(db, qtbot, **kw):
    w = make_main_window(db, **kw)
    qtbot.addWidget(w)
    return w


def test_a_big_registry_shows_a_screenful_then_every_account(county, qtbot):
    w = _window(county, qtbot, extensions=())
    page = w.registry
    counts = []
    page.counts_changed.connect(counts.append)
    assert page.loading() and _ids(page) == _all_ids(county)[:3]
    w.show()
    assert page.loading_label.isVisible() and "正在读取" in page.loading_label.text()
    assert "正在读取账号" in w.counts_label.text()
    qtbot.waitUntil(lambda: not page.loading(), timeout=5000)
    assert not page.loading_label.isVisible()
    assert _ids(page) == _all_ids(county) and page.model.total_count == 25
    assert any("已读 8 个，共 25 个" in c for c in counts)  # the counts follow the parts
    assert w.counts_label.text().startswith("共 25 个账号，显示 25 个")
    shown = [page.model.row_at(i) for i in range(page.model.rowCount())]
    page.reload()  # what a plain read of every account shows
    assert [page.model.row_at(i) for i in range(page.model.rowCount())] == shown
    assert page.unit_combo.count() == len(page.model.rows.host_units()) + 1  # (the reload filled it at once)


def test_the_unit_filter_is_filled_in_the_turn_after_the_last_part(county, qtbot):
    w = _window(county, qtbot, extensions=())
    page = w.registry
    while page.loading():
        page._read_part()
    assert page.unit_combo.count() == 1 and page.model.total_count == 25  # 全部主办单位 alone, for one turn
    host = page.model.row_at(0).host_unit_id
    assert page.show_host_unit(host)  # asked before that turn: filled first
    assert page.unit_combo.count() == len(page.model.rows.host_units()) + 1
    assert page.unit_combo.currentData() == host


def test_a_small_registry_is_read_at_once(county, qtbot, monkeypatch):
    monkeypatch.setattr(RegistryPage, "PARTS_FROM", 26)
    w = _window(county, qtbot, extensions=())
    assert not w.registry.loading() and _ids(w.registry) == _all_ids(county)


@pytest.mark.parametrize("act", ["search", "platform", "sort", "list", "link", "unit"])
def test_what_the_clerk_does_while_it_reads_acts_on_every_account(county, qtbot, act):
    w = _window(county, qtbot, extensions=())
    page = w.registry
    assert page.loading()
    if act == "search":
        page.search.setText("发布")
        page._apply_search()
        expected = [r.id for r in _every(county) if "发布" in registry.account_search_text(r)]
        assert _ids(page) == expected and len(expected) > 3
    elif act == "platform":
        page.platform_combo.setCurrentIndex(page.platform_combo.findData(enums.Platform.WECHAT_SUBSCRIPTION))
        expected = [r.id for r in _every(county) if r.platform == enums.Platform.WECHAT_SUBSCRIPTION]
        assert _ids(page) == expected and len(expected) > 3
    elif act == "sort":  # a click on the header
        page.table.sortByColumn(COLUMN_KEYS.index("followers"), Qt.SortOrder.DescendingOrder)
        rows = sorted(_every(county), key=lambda r: (-1 if r.followers is None else r.followers, r.id))[::-1]
        assert _ids(page) == [r.id for r in rows]
    elif act == "list":  # 打印当前清单 / 导出当前清单
        assert len(page.list_table().rows) == 25
    elif act == "link":  # a figure of 首页
        page.apply_link({"status": enums.AccountStatus.NORMAL})
        assert _ids(page) == [r.id for r in _every(county) if r.status == enums.AccountStatus.NORMAL]
    elif act == "unit":  # 单位 → 查看本单位主办的账号
        host = _every(county)[-1].host_unit_id
        assert page.show_host_unit(host)
        assert _ids(page) == [r.id for r in _every(county) if r.host_unit_id == host]
    assert not page.loading() and page.model.total_count == 25


def _every(db) -> list[registry.AccountRow]:
    with db.reader() as s:
        return registry.account_table(s, shown_only=True).rows()


def test_a_row_saved_or_a_change_announced_while_it_reads(county, qtbot):
    w = _window(county, qtbot, extensions=())
    page = w.registry
    assert page.loading()
    with county.transaction() as s:  # a new account, announced row by row as the editor does
        new_id = registry.save_account(s, AccountData(name="新开账号", platform=enums.Platform.WEIBO))
    w.controller.announce_accounts(saved=[new_id])
    assert not page.loading() and new_id in _ids(page) and page.model.total_count == 26

    w2 = _window(county, qtbot, extensions=())
    page2 = w2.registry
    page2._read_part()  # every unit's name
    page2._read_part()  # the second part read, before the change
    assert page2.loading() and page2._parts.read == 8
    with county.transaction() as s:  # changed behind the parts read so far: read from the start again
        s.execute(registry.Account.__table__.update().values(name="改名了"))
    w2.controller.notify(ACCOUNTS)
    assert page2.loading() and page2._parts.read == 3
    page2.finish_loading()
    assert {r.name for r in page2.model.visible_rows} == {"改名了"} and page2.model.total_count == 26


def test_the_whole_window_opens_on_a_big_registry(county, qtbot):
    """Every page and menu installed over a registry that is still being read: 帮助 (F1) and
    文件 → 打开… are there from the start."""
    w = _window(county, qtbot)
    assert w.registry.loading()
    w.show()
    assert not w.help_action.shortcut().isEmpty() and w.file_actions["open"].isEnabled()
    w.show_page("accounts")
    qtbot.waitUntil(lambda: not w.registry.loading(), timeout=5000)
    assert _ids(w.registry) == _all_ids(county)
