"""The 账号台账 at national scale: one saved/deleted account updates just its row (no model reset),
名称 and 主办单位 sort by pinyin, and the account editor reads light unit/person lists once."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, QStringListModel, Qt

from gzdesk import enums, registry
from gzdesk.registry import AccountData, AccountRow, PersonData, UnitData
from gzdesk.ui.account_editor import AccountEditor, PeopleChoices, PersonPicker, UnitChoices
from gzdesk.ui.account_table import COLUMN_KEYS, AccountTableModel
from gzdesk.ui.app import make_main_window
from gzdesk.ui.controller import ACCOUNTS, UNITS, Controller
from gzdesk.ui.pinyin import PinyinKeys

# --------------------------------------------------------------------------- registry functions


@pytest.fixture
def filled(db):
    with db.transaction() as s:
        town = registry.save_unit(s, UnitData(name="青山镇人民政府", kind=enums.UnitType.TOWNSHIP))
        bureau = registry.save_unit(s, UnitData(name="安平县财政局", kind=enums.UnitType.DEPARTMENT))
        li = registry.save_person(s, PersonData(name="李四", unit_id=town))
        zhao = registry.save_person(s, PersonData(name="赵六", left_on=date(2025, 1, 1), trained_on=None))
        a = registry.save_account(s, AccountData(name="成山发布", platform=enums.Platform.DOUYIN,
                                                 host_unit_id=town, supervisor_unit_id=bureau,
                                                 operator_unit_id=town, handle="chengshan",
                                                 followers=10, registered_on=date(2020, 5, 1)))
        b = registry.save_account(s, AccountData(name="北岭视频", platform=enums.Platform.OTHER,
                                                 platform_other="哔哩哔哩", host_unit_id=bureau,
                                                 status=enums.AccountStatus.PAUSED))
        c = registry.save_account(s, AccountData(name="安平财政"))
    return {"town": town, "bureau": bureau, "li": li, "zhao": zhao, "accounts": [a, b, c]}


def test_account_row_is_the_list_accounts_line(db, filled):
    with db.reader() as s:
        listed = {r.id: r for r in registry.list_accounts(s)}
        for account_id in filled["accounts"]:
            assert registry.account_row(s, account_id) == listed[account_id]
        assert registry.account_row(s, 99999) is None
        row = registry.account_row(s, filled["accounts"][1])
    assert row.platform_label == "其他：哔哩哔哩" and row.host_unit == "安平县财政局"
    assert row.status_label == "暂停"


def test_unit_and_person_choices_read_ids_and_names(db, filled):
    with db.reader() as s:
        units = registry.unit_choices(s)
        people = registry.person_choices(s)
        departed = registry.departed_person_ids(s)
        all_units = {u.id: u.name for u in registry.list_units(s)}
    assert dict(units) == all_units and len(units) == len(all_units)
    assert (filled["town"], "青山镇人民政府") in units
    assert (filled["li"], "李四", "青山镇人民政府") in people
    assert (filled["zhao"], "赵六", "") in people  # no unit: an empty name
    assert departed == {filled["zhao"]}


# --------------------------------------------------------------------------- pinyin


def test_pinyin_keys_order_chinese_by_pinyin_and_numbers_by_value():
    keys = PinyinKeys()
    words = ["成", "北", "安", "第10组", "第2组", "阿", "Beta", "alpha"]
    ordered = sorted(words, key=keys.key)
    assert ordered.index("阿") < ordered.index("安") < ordered.index("北") < ordered.index("成")
    assert ordered.index("第2组") < ordered.index("第10组")
    assert sorted(["成", "北", "安"]) == ["北", "安", "成"]  # by character code it would be wrong


def test_a_newly_ranked_character_keeps_the_order_of_older_keys():
    keys = PinyinKeys()
    keys.learn(["安北"])
    old = sorted(["北京", "安徽", "成都", "东营"], key=keys.key)
    version = keys.version
    assert keys.learn(["𠀋"])  # outside the basic block: ranked on first sight
    assert keys.version > version
    assert sorted(old, key=keys.key) == old
    assert not keys.learn(["安徽"])  # nothing new: keys stay valid


def _rows(names_units: list[tuple[str, str]]) -> list[AccountRow]:
    rows = []
    for i, (name, unit) in enumerate(names_units, start=1):
        rows.append(AccountRow(i, name, "weibo", "微博", unit, "normal", "正常", None, None, None, None,
                               "", "", i if unit else None, f"u{i}"))
    return rows


def test_name_and_host_unit_columns_sort_by_pinyin(qtbot):
    model = AccountTableModel()
    model.set_rows(_rows([("成华发布", "北区局"), ("北辰视频", "成区局"), ("安居在线", "安区局")]))
    model.sort(COLUMN_KEYS.index("name"))
    assert [r.name for r in model.visible_rows] == ["安居在线", "北辰视频", "成华发布"]
    model.sort(COLUMN_KEYS.index("name"), Qt.SortOrder.DescendingOrder)
    assert [r.name for r in model.visible_rows] == ["成华发布", "北辰视频", "安居在线"]
    model.sort(COLUMN_KEYS.index("host_unit"))
    assert [r.host_unit for r in model.visible_rows] == ["安区局", "北区局", "成区局"]


# --------------------------------------------------------------------------- one row at a time


class Signals:
    def __init__(self, model: AccountTableModel):
        self.events: list[str] = []
        model.modelReset.connect(lambda: self.events.append("reset"))
        model.dataChanged.connect(lambda *_a: self.events.append("changed"))
        model.rowsInserted.connect(lambda *_a: self.events.append("inserted"))
        model.rowsRemoved.connect(lambda *_a: self.events.append("removed"))
        model.rowsMoved.connect(lambda *_a: self.events.append("moved"))


def _fresh_order(model: AccountTableModel, rows: list[AccountRow], column: int, order, **filters) -> list[int]:
    """What a full reload would show."""
    fresh = AccountTableModel()
    fresh.set_rows(rows)
    fresh.sort(column, order)
    fresh.set_filter(**filters)
    return [r.id for r in fresh.visible_rows]


def test_upsert_changes_one_row_in_place_without_reset(qtbot):
    rows = _rows([("安居在线", "安区局"), ("北辰视频", "北区局"), ("成华发布", "成区局")])
    model = AccountTableModel()
    model.set_rows(rows)
    model.sort(COLUMN_KEYS.index("name"))
    seen = Signals(model)
    model.upsert_row(replace(rows[1], followers=99))
    assert seen.events == ["changed"]
    assert [r.id for r in model.visible_rows] == [1, 2, 3] and model.row_at(1).followers == 99
    seen.events.clear()
    model.upsert_row(replace(rows[1], name="阿北视频"))  # 阿 a: now first
    assert seen.events == ["moved", "changed"]
    assert [r.name for r in model.visible_rows] == ["阿北视频", "安居在线", "成华发布"]
    seen.events.clear()
    model.upsert_row(replace(rows[0], id=9, name="冬至发布", uuid="n"))  # a new account
    assert seen.events == ["inserted"]
    assert [r.name for r in model.visible_rows][-1] == "冬至发布" and model.total_count == 4
    seen.events.clear()
    model.remove_row(3)
    assert seen.events == ["removed"] and "成华发布" not in [r.name for r in model.visible_rows]
    assert model.total_count == 3


def test_upsert_respects_the_filter(qtbot):
    rows = _rows([("安居在线", "安区局"), ("北辰视频", "北区局"), ("成华发布", "成区局")])
    model = AccountTableModel()
    model.set_rows(rows)
    model.set_filter(text="发布")
    seen = Signals(model)
    model.upsert_row(replace(rows[2], name="成华之声"))  # no longer matches: leaves the view
    assert seen.events == ["removed"] and model.rowCount() == 0 and model.total_count == 3
    model.upsert_row(replace(rows[0], name="安居发布"))  # now matches: appears
    assert seen.events == ["removed", "inserted"] and [r.name for r in model.visible_rows] == ["安居发布"]
    assert "reset" not in seen.events


@pytest.mark.parametrize("column", ["name", "host_unit", "id", "followers", "status"])
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_many_row_updates_give_what_a_reload_would_show(qtbot, column, order):
    rng = random.Random(7)
    syllables = "安北成东鄂福高海江科兰梅南欧平青融山泰文西杨政中"
    def name() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) + rng.choice(["发布", "在线", ""])
    rows = _rows([(name(), rng.choice(["", "安区局", "北区局", "成区局"])) for _ in range(60)])
    rows = [replace(r, followers=rng.choice([None, 5, 50, 500]),
                    status=rng.choice(["normal", "paused"])) for r in rows]
    model = AccountTableModel()
    model.set_rows(rows)
    col = COLUMN_KEYS.index(column)
    model.sort(col, order)
    model.set_filter(text="发布" if column == "name" else "")
    seen = Signals(model)
    current = {r.id: r for r in rows}
    next_id = 1000
    for _ in range(120):
        action = rng.random()
        if action < 0.6 and current:
            old = current[rng.choice(list(current))]
            new = replace(old, name=name(), followers=rng.choice([None, 1, 70]),
                          status=rng.choice(["normal", "paused", "closed"]))
            current[new.id] = new
            model.upsert_row(new)
        elif action < 0.8:
            next_id += 1
            new = replace(rows[0], id=next_id, name=name(), uuid=f"n{next_id}")
            current[next_id] = new
            model.upsert_row(new)
        elif current:
            gone = rng.choice(list(current))
            del current[gone]
            model.remove_row(gone)
        expected = _fresh_order(model, list(current.values()), col, order,
                                text="发布" if column == "name" else "")
        assert [r.id for r in model.visible_rows] == expected
    assert "reset" not in seen.events and model.total_count == len(current)


# --------------------------------------------------------------------------- the page


@pytest.fixture
def window(db, filled, qtbot):
    w = make_main_window(db, extensions=())
    qtbot.addWidget(w)
    w.show()
    return w


def test_saving_in_the_editor_updates_only_that_row_and_keeps_the_selection(window, db, filled, qtbot,
                                                                           monkeypatch):
    page, model = window.registry, window.registry.model
    page.table.sortByColumn(COLUMN_KEYS.index("name"), Qt.SortOrder.AscendingOrder)
    assert [r.name for r in model.visible_rows] == ["安平财政", "北岭视频", "成山发布"]  # pinyin
    target = filled["accounts"][1]
    assert page.select_id(target)
    seen = Signals(model)
    loads = []
    original = registry.account_table
    monkeypatch.setattr(registry, "account_table",  # the whole registry read: no account named
                        lambda s, account_id=None, **kw: loads.append(account_id) or original(s, account_id, **kw))
    ed = AccountEditor(window.controller, target, page)
    ed.name_edit.setText("北岭视频号")
    ed.followers_spin.setValue(321)
    assert ed.save()
    ed.deleteLater()
    qtbot.wait(50)  # a queued reload would run now
    assert "reset" not in seen.events and "changed" in seen.events
    assert None not in loads and target in loads  # only that account's row read again, not the registry
    row = model.row_at(model.row_of_id(target))
    assert (row.name, row.followers) == ("北岭视频号", 321)
    assert page.selected_ids() == [target]
    qtbot.waitUntil(lambda: window.counts_label.text().startswith("共 3 个账号"))


def test_other_pages_still_hear_about_the_save(window, db, filled, qtbot, monkeypatch):
    import gzdesk.ui.account_editor as account_editor

    monkeypatch.setattr(account_editor, "confirm", lambda *a, **k: True)  # “新建单位？” answered yes
    topics = []
    window.controller.data_changed.connect(topics.append)
    saved = []
    window.controller.account_saved.connect(saved.append)
    ed = AccountEditor(window.controller, filled["accounts"][0], window)
    ed.name_edit.setText("成山发布2")
    ed.unit_combos["operator"].setEditText("成山镇融媒体中心")  # a new unit, created with it
    assert ed.save()
    ed.deleteLater()
    assert saved == [filled["accounts"][0]]
    assert topics == [ACCOUNTS, UNITS]
    with db.reader() as s:
        assert "成山镇融媒体中心" in {name for _i, name in registry.unit_choices(s)}
    assert window.registry.model.row_at(window.registry.model.row_of_id(filled["accounts"][0])).name == "成山发布2"


def test_deleting_removes_rows_without_reset(window, db, filled, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    page, model = window.registry, window.registry.model
    seen = Signals(model)
    ids = filled["accounts"][1:]
    page.table.clearSelection()
    for account_id in ids:
        row = model.row_of_id(account_id)
        page.table.selectionModel().select(model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                                           | QItemSelectionModel.SelectionFlag.Rows)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.StandardButton.Yes)
    page.delete_selected()
    assert [r.id for r in model.visible_rows] == [filled["accounts"][0]]
    assert seen.events.count("removed") == 2 and "reset" not in seen.events
    qtbot.waitUntil(lambda: window.counts_label.text().startswith("共 1 个账号"))


def test_f5_still_reloads_everything(window, db, filled, qtbot):
    with db.transaction() as s:
        registry.save_account(s, AccountData(name="外部新建"))
    seen = Signals(window.registry.model)
    window.refresh()
    qtbot.waitUntil(lambda: "外部新建" in [r.name for r in window.registry.model.visible_rows])
    assert "reset" in seen.events


# --------------------------------------------------------------------------- editor lists


def test_unit_boxes_share_one_light_list_kept_until_units_change(db, filled, qtbot):
    controller = Controller(db)
    first = UnitChoices.of(controller)
    assert UnitChoices.of(controller) is first
    assert isinstance(first.model, QStringListModel)
    assert first.names[1:] == ["安平县财政局", "测试县人民政府办公室", "青山镇人民政府"]  # an < ce < qing
    ed = AccountEditor(controller, filled["accounts"][0])
    combo = ed.unit_combos["host"]
    assert combo.model() is first.model
    assert combo.completer().filterMode() == Qt.MatchFlag.MatchContains
    assert combo.unit_id() == filled["town"] and combo.currentText() == "青山镇人民政府"
    combo.setEditText("财政")
    assert combo.unit_id() is None and combo.new_name() == "财政"
    combo.setEditText("安平县财政局")
    assert combo.unit_id() == filled["bureau"]
    ed.done(0)
    controller.write(registry.save_account, AccountData(name="不影响单位"), topic=ACCOUNTS)
    assert UnitChoices.of(controller) is first  # an account save keeps the unit list
    controller.write(registry.save_unit, UnitData(name="东山街道办事处", kind=enums.UnitType.SUBDISTRICT))
    again = UnitChoices.of(controller)
    assert again is not first and "东山街道办事处" in again.names


def test_choosing_a_unit_fills_its_contacts_from_the_record(db, qtbot):
    with db.transaction() as s:
        town = registry.save_unit(s, UnitData(name="青山镇人民政府", kind=enums.UnitType.TOWNSHIP,
                                              leader="王五 副镇长", phone="0513-82345678"))
    ed = AccountEditor(Controller(db))
    combo = ed.unit_combos["host"]
    combo.setCurrentIndex(combo.findText("青山镇人民政府"))
    combo.activated.emit(combo.currentIndex())
    assert combo.unit_id() == town
    assert ed.leader_edits["host"].text() == "王五 副镇长"
    assert ed.phone_edits["host"].text() == "0513-82345678"
    ed.done(0)


def test_person_picker_lists_names_and_units_and_marks_departures(db, filled, qtbot):
    controller = Controller(db)
    choices = PeopleChoices.of(controller)
    assert [p.name for p in choices.people] == ["李四", "赵六"]  # li before zhao
    picker = PersonPicker(choices, None, controller)
    texts = [picker.list.item(i).text() for i in range(picker.list.count())]
    assert texts == ["李四　青山镇人民政府", "赵六　（已离职）"]
    picker.search.setText("青山")
    assert picker.list.count() == 1
    person, role = picker.chosen()
    assert isinstance(person, PersonData) and person.id == filled["li"] and person.unit_name == "青山镇人民政府"
    assert role == enums.Role.ADMIN
    picker.done(0)


def test_the_search_keys_are_made_while_the_window_is_idle(window, filled, qtbot):
    """Made a chunk at a time after the table is shown (so neither the start nor the first
    keystroke waits for 200,000 of them); a search before they are all made still finds."""
    page, rows = window.registry, window.registry.model.rows
    with window.controller.db.reader() as s:
        expected = [r.id for r in registry.list_accounts(s) if "青山" in registry.account_search_text(r)]
    page.reload()
    assert rows._search is None
    page.model.set_filter(text="青山")
    assert [r.id for r in page.model.visible_rows] == expected and expected
    page.model.set_filter(text="")
    page.reload()
    qtbot.waitUntil(lambda: rows._search is not None)
    page.model.set_filter(text="青山")
    assert [r.id for r in page.model.visible_rows] == expected and expected
