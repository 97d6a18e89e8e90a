"""Every item model in the window under Qt's own model checker (QAbstractItemModelTester: any
complaint it logs in the qt.modeltest category fails the test, pytest-qt sees to that) while random
sorts, filters, inserts, updates and removals run; after each step the rows shown are compared with
what the filter and sort say they should be, and a row the clerk had selected is still that row."""

from __future__ import annotations

import ast
import csv
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester

from gzdesk import demo, enums, registry
from gzdesk.errors import UserError
from gzdesk.registry import AccountRow, PersonData, UnitData
from gzdesk.ui.account_editor import UnitChoices, UnitCombo
from gzdesk.ui.account_table import COLUMNS, AccountTableModel, search_key
from gzdesk.ui.check_page import CheckPage
from gzdesk.ui.controller import Controller
from gzdesk.ui.filing_pages import FilingsPage
from gzdesk.ui.import_wizard import PreviewModel
from gzdesk.ui.pending_view import PendingView
from gzdesk.ui.people_page import FILTERS, PeoplePage
from gzdesk.ui.pinyin import PINYIN
from gzdesk.ui.unit_editor import UnitCombo as ParentUnitCombo
from gzdesk.ui.units_page import UnitsPage
from gzdesk.units_tree import children_map

UI = Path(__file__).resolve().parent.parent / "gzdesk" / "ui"
TODAY = date(2026, 11, 20)

# Every model class defined in gzdesk/ui and every Qt model made there, with the test that runs it.
COVERED = {
    "account_table.py: class AccountTableModel": "test_registry_model",
    "list_model.py: class ListModel": "test_list_pages_models",
    "import_wizard.py: class PreviewModel": "test_import_preview_model",
    "unit_tree_model.py: class UnitTreeModel": "test_units_page_model",
    "unit_editor.py: QStandardItemModel()": "test_unit_combo_models",
    "account_editor.py: QStringListModel()": "test_unit_combo_models",
    "files.py: class ChineseFileModel": "test_file_dialog_model",
}


@pytest.fixture
def qtmodeltester(qtbot):
    """``qtmodeltester.check(model)`` for any number of models in one test (pytest-qt's fixture of
    that name keeps only the last one it was given)."""
    testers: list[QAbstractItemModelTester] = []

    class Checker:
        @staticmethod
        def check(model: QAbstractItemModel) -> None:
            testers.append(QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Warning))

    yield Checker
    testers.clear()


def _models_in_ui() -> set[str]:
    found = set()
    for path in sorted(UI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                if any(b.startswith("Q") and b.endswith("Model") for b in bases):
                    found.add(f"{path.name}: class {node.name}")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id.startswith("Q") and node.func.id.endswith("Model"):
                    found.add(f"{path.name}: {node.func.id}()")
    return found


def test_every_model_of_the_window_is_checked_here():
    assert _models_in_ui() == set(COVERED), "a new model in gzdesk/ui needs its run in this module"
    assert all(name in globals() for name in COVERED.values())


# --------------------------------------------------------------------------- 账号台账


SYLLABLES = "安北成东鄂福高海江科兰梅南欧平青融山泰文西杨政中"
PLATFORMS = [enums.Platform.WECHAT_SERVICE, enums.Platform.DOUYIN, enums.Platform.WEIBO, enums.Platform.OTHER]
STATUSES = list(enums.STATUS_LABELS)
UNITS = [(None, ""), (1, "安区局"), (2, "北区局"), (3, "成区局")]


def _account(rng: random.Random, account_id: int) -> AccountRow:
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) + rng.choice(["发布", "在线", ""])
    platform, status = rng.choice(PLATFORMS), rng.choice(STATUSES)
    unit_id, unit = rng.choice(UNITS)
    return AccountRow(account_id, name, platform, enums.label("platform", platform), unit, status,
                      enums.label("status", status), rng.choice([None, date(2026, rng.randint(1, 11), 1)]),
                      rng.choice([None, 0, 7, 7000]), rng.choice([None, f"h{account_id}"]),
                      rng.choice([None, date(2019, 5, 1)]), "", "", unit_id, f"u{account_id}")


def _expected(rows: dict[int, AccountRow], column: int, order: Qt.SortOrder, words: list[str],
              platform: str | None, status: str | None, unit_id: int | None) -> list[int]:
    PINYIN.learn({r.name for r in rows.values()} | {r.host_unit for r in rows.values()})
    shown = [r for r in rows.values()
             if all(w in search_key(r) for w in words) and platform in (None, r.platform)
             and status in (None, r.status) and unit_id in (None, r.host_unit_id)]
    shown.sort(key=COLUMNS[column].sort_key, reverse=order == Qt.SortOrder.DescendingOrder)
    return [r.id for r in shown]


def test_registry_model(qtmodeltester):
    rng = random.Random(13)
    rows = {i: _account(rng, i) for i in range(1, 81)}
    model = AccountTableModel()
    qtmodeltester.check(model)
    model.set_rows(list(rows.values()))
    column, order = 0, Qt.SortOrder.AscendingOrder
    words: list[str] = []
    platform = status = unit_id = None
    next_id = 1000
    for _step in range(400):
        op = rng.random()
        watched = None  # a shown row and its persistent index, for row-by-row changes
        if model.rowCount():
            at = rng.randrange(model.rowCount())
            watched = (model.row_at(at).id, QPersistentModelIndex(model.index(at, 1)))
        if op < 0.1:
            column, order = rng.randrange(len(COLUMNS)), rng.choice(list(Qt.SortOrder))
            model.sort(column, order)
            watched = None
        elif op < 0.25:
            words = rng.choice([[], ["发布"], ["安"], ["h1"], ["北", "在线"], ["区局"]])
            platform = rng.choice([None, None, *PLATFORMS])
            status = rng.choice([None, None, *STATUSES])
            unit_id = rng.choice([None, None, 1, 2])
            model.set_filter(text=" ".join(words), platform=platform, status=status, host_unit_id=unit_id)
            watched = None
        elif op < 0.6 and rows:  # a saved account
            changed = _account(rng, rng.choice(list(rows)))
            if rng.random() < 0.5:
                changed = replace(rows[changed.id], followers=changed.followers, name=changed.name)
            rows[changed.id] = changed
            model.upsert_row(changed)
        elif op < 0.8:  # a new account
            next_id += 1
            rows[next_id] = _account(rng, next_id)
            model.upsert_row(rows[next_id])
        elif op < 0.97 and rows:  # a deleted account
            gone = rng.choice(list(rows))
            del rows[gone]
            model.remove_row(gone)
            if watched and watched[0] == gone:
                watched = None
        else:  # F5: everything read again
            model.set_rows(list(rows.values()))
            watched = None
        assert [r.id for r in model.visible_rows] == _expected(rows, column, order, words, platform, status,
                                                               unit_id)
        if watched is not None:
            account_id, index = watched
            still_shown = account_id in {r.id for r in model.visible_rows}
            assert index.isValid() == still_shown
            if still_shown:
                assert model.row_at(index.row()).id == account_id, "the selection stays on its account"


# --------------------------------------------------------------------------- pages over a demo registry


@pytest.fixture
def demo_controller(db):
    demo.generate(db, 40, seed=11, today=TODAY)
    return Controller(db)


def test_people_page_models(demo_controller, qtbot, qtmodeltester):
    rng = random.Random(5)
    page = PeoplePage(demo_controller)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.tasks_model)
    page.reload()
    page.table.setSortingEnabled(True)
    people = demo_controller.read(registry.list_people)
    fragments = ["", "", "局", "镇", "王", "138", people[0].name[:1]]
    for step in range(60):
        op = rng.random()
        if op < 0.3:
            page.table.sortByColumn(rng.randrange(page.model.columnCount()), rng.choice(list(Qt.SortOrder)))
            page.tasks_table.sortByColumn(rng.randrange(page.tasks_model.columnCount()),
                                          rng.choice(list(Qt.SortOrder)))
        elif op < 0.6:
            page.search_edit.setText(rng.choice(fragments))
            page.filter_combo.setCurrentIndex(rng.randrange(page.filter_combo.count()))
            page.apply_filter()
        elif op < 0.8:
            demo_controller.write(registry.save_person, PersonData(name=f"新人{step}", title="干部",
                                                                   left_on=rng.choice([None, TODAY])))
            page.reload()
        else:
            unstaffed = [p for p in page.model.rows if p.account_count == 0]
            if unstaffed:
                demo_controller.write(registry.delete_person, rng.choice(unstaffed).id)
            page.reload()
        keep = FILTERS[page.filter_combo.currentText()]
        words = page.search_edit.text().lower().split()
        everyone = demo_controller.read(registry.list_people)
        expected = {p.id for p in everyone if keep(p) and all(
            w in " ".join(x or "" for x in (p.name, p.unit_name, p.title, p.office_phone, p.mobile, p.notes)).lower()
            for w in words)}
        assert {p.id for p in page.model.rows} == expected
        if page.model.rows:  # the person the clerk selected stays selected when the table is sorted
            at = rng.randrange(len(page.model.rows))
            chosen = page.model.rows[at].id
            page.table.selectRow(at)
            page.table.sortByColumn(rng.randrange(page.model.columnCount()), rng.choice(list(Qt.SortOrder)))
            assert page.current_id() == chosen


def _same_branches(model, kids: dict, parent: QModelIndex, parent_id: int | None) -> None:
    """Under every row, the children ``kids`` lists, in its order."""
    got = [model.index(r, 0, parent).data(Qt.ItemDataRole.UserRole) for r in range(model.rowCount(parent))]
    assert got == [u.id for u in kids.get(parent_id, [])]
    for r, unit_id in enumerate(got):
        _same_branches(model, kids, model.index(r, 0, parent), unit_id)


def test_units_page_model(demo_controller, qtbot, qtmodeltester):
    rng = random.Random(6)
    page = UnitsPage(demo_controller)
    qtbot.addWidget(page)
    qtmodeltester.check(page.model)
    page.reload()
    for step in range(40):
        op = rng.random()
        if op < 0.5:
            page.search_edit.setText(rng.choice(["", "", "局", "镇", "办公室", "卫生院", "无此单位"]))
            page.rebuild()
        elif op < 0.8:
            parent = rng.choice(page.units).id
            demo_controller.write(registry.save_unit, UnitData(name=f"新单位{step}", parent_id=parent))
            page.reload()
        else:
            leaves = [u for u in page.units if not u.account_count
                      and not any(c.parent_id == u.id for c in page.units)]
            if leaves:
                try:
                    demo_controller.write(registry.delete_unit, rng.choice(leaves).id)
                except UserError:  # a unit its people still belong to stays
                    pass
            page.reload()
        text = page.search_edit.text().strip()
        shown = [i.data() for i in page._all_indexes()]
        units = demo_controller.read(registry.list_units)
        assert len(shown) == len(set(shown)), "each unit once"
        if text:
            assert {u.name for u in units if text in u.name} <= set(shown)
        else:
            assert sorted(shown) == sorted(u.name for u in units)
            PINYIN.learn(u.name for u in units)
            kids = children_map(units, PINYIN.key)  # each branch: by type, then pinyin

            _same_branches(page.model, kids, QModelIndex(), None)


def test_list_pages_models(demo_controller, qtbot, qtmodeltester):
    """待办, 检查 and 备案: read-only lists (ListModel) under their filters."""
    rng = random.Random(7)
    pending, check, filed = PendingView(demo_controller), CheckPage(demo_controller), FilingsPage(demo_controller)
    for page in (pending, check, filed):
        qtbot.addWidget(page)
        qtmodeltester.check(page.model)
    pending.set_today(TODAY)
    check.set_today(TODAY)
    filed.reload()
    for _step in range(30):
        pending.kind.setCurrentIndex(rng.randrange(pending.kind.count()))
        pending.scope.setCurrentIndex(rng.randrange(pending.scope.count()))  # 全部 / 只看逾期 / 本周到期 / 在办无时限
        kind, scope = pending.kind.currentData(), pending.scope.currentData()
        end = TODAY + timedelta(days=6 - TODAY.weekday())
        assert all((kind is None or i.kind == kind)
                   and {None: True, "overdue": i.overdue, "undated": i.due is None,
                        "week": not i.overdue and i.due is not None and TODAY <= i.due <= end}[scope]
                   for i in pending.visible_items())
        check.level.setCurrentIndex(rng.randrange(check.level.count()))
        check.rule.setCurrentIndex(rng.randrange(check.rule.count()))
        check.search.setText(rng.choice(["", "", "培训", "名称", "无此内容"]))
        check._apply()
        level, rule = check.level.currentData(), check.rule.currentData()
        assert all(level in (None, f.level) and rule in (None, f.rule) for f in check.visible_findings())
        filed.state.setCurrentIndex(rng.randrange(filed.state.count()))
        filed.kind.setCurrentIndex(rng.randrange(filed.kind.count()))
        filed.search.setText(rng.choice(["", "", "2026", "发布"]))
        kind = filed.kind.currentData()
        assert all(kind in (None, r.kind) for r in filed.visible_rows())
        if rng.random() < 0.2:
            for page in (pending, check, filed):
                page.reload()


def test_import_preview_model(db, tmp_path, qtmodeltester):
    from gzdesk.exchange.excel_import import preview_file

    path = tmp_path / "旧台账.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["账号名称", "平台", "主办单位", "创建日期"])
        for i in range(30):
            w.writerow([f"账号{i}", "微信群" if i % 4 == 0 else "抖音", "县教育局", "2019年3月12日" if i % 5 else "某天"])
    with db.reader() as s:
        plan = preview_file(s, path)
    changes = []
    model = PreviewModel(plan, lambda: changes.append(1))
    qtmodeltester.check(model)
    rng = random.Random(8)
    bad_rows = [i for i, (_sheet, r) in enumerate(model.items) if r.bad]
    assert bad_rows and model.rowCount() == len(model.items)
    for _step in range(60):
        at = rng.randrange(model.rowCount())
        wanted = rng.choice([Qt.CheckState.Checked, Qt.CheckState.Unchecked])
        accepted = model.setData(model.index(at, 0), wanted.value, Qt.ItemDataRole.CheckStateRole)
        assert accepted == (at in bad_rows)
        if accepted:
            assert model.items[at][1].excluded == (wanted == Qt.CheckState.Checked)
            assert model.index(at, 0).data(Qt.ItemDataRole.CheckStateRole) == wanted
    assert changes


def test_unit_combo_models(qtbot, qtmodeltester):
    rng = random.Random(9)
    units = [UnitData(name=f"{rng.choice(SYLLABLES)}{rng.choice(SYLLABLES)}局", id=i,
                      parent_id=rng.choice([None, *range(1, i)]) if i > 1 else None) for i in range(1, 40)]
    combo = UnitCombo()
    qtbot.addWidget(combo)
    for _step in range(20):
        choices = UnitChoices([(u.id, u.name) for u in rng.sample(units, rng.randrange(1, len(units)))])
        qtmodeltester.check(choices.model)
        combo.set_choices(choices)
        assert combo.count() == len(choices.names)
    parent_combo = ParentUnitCombo()
    qtbot.addWidget(parent_combo)
    qtmodeltester.check(parent_combo.model())
    for _step in range(20):
        exclude = set(rng.sample([u.id for u in units], rng.randrange(5)))
        parent_combo.set_units(units, exclude)
        shown = {parent_combo.itemData(i, Qt.ItemDataRole.UserRole) for i in range(parent_combo.count())}
        assert shown - {None} == {u.id for u in units} - exclude


def test_file_dialog_model(qtbot, tmp_path, qtmodeltester):
    """The file dialogs' Chinese proxy over the file system model, while files come and go."""
    from PySide6.QtWidgets import QFileSystemModel

    from gzdesk.ui.files import ChineseFileModel

    class TmpOnly(QFileSystemModel):
        """The tester walks every folder it can fetch: only the test's folder and the path to it
        (the whole file system takes minutes, and reading /proc/kmsg for its type blocks)."""

        def canFetchMore(self, parent):  # noqa: N802 (Qt API)
            path = self.filePath(parent) if parent.isValid() else ""
            return bool(path) and (path.startswith(str(tmp_path)) or str(tmp_path).startswith(path)) \
                and super().canFetchMore(parent)

    for i in range(5):
        (tmp_path / f"台账{i}.xlsx").write_bytes(b"x" * (i * 900))
    (tmp_path / "子文件夹").mkdir()
    source = TmpOnly()
    root_source = source.setRootPath(str(tmp_path))
    proxy = ChineseFileModel()
    proxy.setSourceModel(source)
    root = proxy.mapFromSource(root_source)
    qtbot.waitUntil(lambda: proxy.rowCount(root) == 6, timeout=5000)
    qtmodeltester.check(proxy)
    (tmp_path / "台账0.xlsx").unlink()
    (tmp_path / "新文件.pdf").write_bytes(b"%PDF")
    qtbot.waitUntil(lambda: {proxy.index(r, 0, root).data() for r in range(proxy.rowCount(root))} >= {"新文件.pdf"},
                    timeout=5000)
    kinds = {proxy.index(r, 0, root).data(): proxy.index(r, 2, root).data() for r in range(proxy.rowCount(root))}
    assert kinds["子文件夹"] == "文件夹" and kinds["新文件.pdf"] == "PDF 文件"
