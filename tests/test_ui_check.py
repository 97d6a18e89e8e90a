"""The 检查 page: findings of ``rules.check`` with filters, double-click to the account, xlsx export."""

from __future__ import annotations

from datetime import date

import openpyxl
from PySide6.QtCore import QSettings, Qt

from gzdesk import registry
from gzdesk.cli import main
from gzdesk.registry import AccountData, PersonData, TeamMember, UnitData
from gzdesk.rules import RULE_LABELS
from gzdesk.ui import check_page
from gzdesk.ui.check_page import CheckPage
from gzdesk.ui.controller import Controller

TODAY = date(2026, 11, 20)


def _setup(db) -> dict[str, int]:
    """Accounts that break rules of the 南通 profile (see tests/test_rules.py)."""
    with db.transaction() as s:
        bureau = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        office = registry.save_unit(s, UnitData(name="海门区教育局办公室", kind="internal", parent_id=bureau))
        trained = registry.save_person(s, PersonData(name="王芳", trained_on=date(2024, 1, 1)))
        fresh = dict(last_update_on=date(2026, 11, 18), last_original_on=date(2026, 11, 10),
                     verification_names_host=True)
        ok = registry.save_account(s, AccountData(name="海门教育", platform="weibo", host_unit_id=bureau,
                                                  team=[TeamMember(trained, "admin")], **fresh))
        stale = registry.save_account(s, AccountData(name="教育局办公室", platform="douyin", host_unit_id=office,
                                                     last_update_on=date(2026, 10, 1),
                                                     verification_names_host=False))
    return {"ok": ok, "stale": stale}


def _page(qtbot, db) -> CheckPage:
    page = CheckPage(Controller(db))
    qtbot.addWidget(page)
    page.today = TODAY
    page.resize(1200, 700)
    page.show()  # loads on first show
    return page


def _cell(page: CheckPage, row: int, col: int) -> str:
    return page.model.data(page.model.index(row, col))


def test_findings_are_listed_with_levels_colours_and_articles(qtbot, db):
    ids = _setup(db)
    page = _page(qtbot, db)
    rows = page.visible_findings()
    assert rows, "the stale account breaks several rules"
    assert {f.rule for f in rows if f.account_id == ids["ok"]} <= {"overdue"}  # only its missing 备案
    rules_found = {f.rule for f in rows}
    assert {"internal_unit", "verification", "no_update_2_weeks", "no_responsible"} <= rules_found
    # 否决 first, in red; 依据 shown and in the tooltip
    assert _cell(page, 0, 0) == "否决" and _cell(page, 0, 1) == RULE_LABELS["no_update_2_weeks"]
    assert page.model.data(page.model.index(0, 0), Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    problem = next(i for i, f in enumerate(rows) if f.level == "问题")
    assert page.model.data(page.model.index(problem, 0), Qt.ItemDataRole.BackgroundRole) is not None
    tip = page.model.data(page.model.index(0, 5), Qt.ItemDataRole.ToolTipRole)
    assert "附件2" in tip
    text = page.summary.text()
    assert f"共 {len(rows)} 条" in text and "否决" in text and "按2026年11月20日检查" in text
    page.table.setCurrentIndex(page.model.index(0, 0))
    assert "附件2" in page.detail.text() and "教育局办公室" in page.detail.text()
    assert "最近更新：2026年10月1日" in page.detail.text()  # dates in Chinese, not ISO


def test_filters_by_level_rule_and_search(qtbot, db):
    _setup(db)
    page = _page(qtbot, db)
    total = len(page.findings)
    page.level.setCurrentIndex(page.level.findData("否决"))
    assert page.visible_findings() and all(f.level == "否决" for f in page.visible_findings())
    assert f"显示 {len(page.visible_findings())} 条" == page.shown_label.text()
    page.level.setCurrentIndex(0)
    page.rule.setCurrentIndex(page.rule.findData("internal_unit"))
    assert [f.rule for f in page.visible_findings()] == ["internal_unit"]
    assert page.rule.currentText().startswith(RULE_LABELS["internal_unit"])
    page.rule.setCurrentIndex(0)
    page.search.setText("认证")
    page._apply()  # the search box waits 250 ms after typing
    assert [f.rule for f in page.visible_findings()] == ["verification"]
    page.search.setText("没有这样的账号")
    page._apply()
    assert page.visible_findings() == [] and not page.export_button.isEnabled()
    page.search.clear()
    page._apply()
    assert len(page.visible_findings()) == total


def test_data_changed_rechecks_a_visible_page(qtbot, db):
    ids = _setup(db)
    page = _page(qtbot, db)
    assert any(f.rule == "verification" for f in page.findings)

    def fix(s):
        data = registry.get_account(s, ids["stale"])
        data.verification_names_host = True
        registry.save_account(s, data)

    page.controller.write(fix, topic="accounts")
    assert not any(f.rule == "verification" for f in page.findings)


def test_double_click_opens_the_account_editor(qtbot, db, tmp_path, monkeypatch):
    from gzdesk.ui.account_editor import AccountEditor
    from gzdesk.ui.main_window import MainWindow

    ids = _setup(db)
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.check_page",),
                        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert "gzdesk.ui.check_page" in window.loaded_extensions
    action = next(a for a in window.menu("账号").actions() if a.text() == "按制度检查(&K)")
    assert action.shortcut().toString() == "Ctrl+K"
    page = window.check_page
    page.today = TODAY
    window.show()
    action.trigger()
    assert window.current_page_key() == "check" and page.findings
    opened: list[str] = []
    monkeypatch.setattr(AccountEditor, "exec", lambda self: opened.append(self.data.name) or 0)
    row = next(i for i, f in enumerate(page.visible_findings()) if f.account_id == ids["stale"])
    index = page.model.index(row, 2)
    page.table.doubleClicked.emit(index)  # (qtbot.mouseDClick does not reach doubleClicked offscreen)
    assert opened == ["教育局办公室"]
    with qtbot.waitSignal(page.open_account) as blocker:
        page._activated(index)
    assert blocker.args == [ids["stale"]]
    assert callable(check_page.open_account_editor)


def test_export_writes_the_shown_rows(qtbot, db, tmp_path):
    _setup(db)
    page = _page(qtbot, db)
    page.level.setCurrentIndex(page.level.findData("问题"))
    shown = page.visible_findings()
    out = page.export(str(tmp_path / "检查.xlsx"))
    assert out is not None and out.exists()
    ws = openpyxl.load_workbook(out).active
    assert ws.title == "检查结果" and ws["A1"].value == "政务新媒体制度检查结果"
    assert "测试县人民政府办公室" in ws["A2"].value and "按2026年11月20日检查" in ws["A2"].value
    assert [c.value for c in ws[3]] == ["序号", "级别", "规则", "账号", "主办单位", "问题", "依据"]
    assert ws.freeze_panes == "A4"
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert len(body) == len(shown)
    assert [r[1] for r in body] == ["问题"] * len(shown)
    assert body[0][5] == shown[0].message and body[0][6] == shown[0].article
    assert {r[2] for r in body} == {RULE_LABELS[f.rule] for f in shown}


def test_long_text_gets_a_taller_row_in_the_workbook():
    from gzdesk.exchange.check_report import row_height, text_width

    assert text_width("第十二条") == 8 and text_width("ab") == 2
    short = row_height([1, "问题", "未核准平台", "某账号", "某单位", "短", "第十二条"])
    long = row_height([1, "问题", "未核准平台", "某账号", "某单位", "很长的说明" * 12, "第十二条"])
    assert long >= 2 * short - 4


def test_cli_check_xlsx(db, db_path, tmp_path, capsys):
    _setup(db)
    out = tmp_path / "check.xlsx"
    assert main(["check", "--db", str(db_path), "--today", "2026-11-20", "--xlsx", str(out)]) == 0
    assert "已导出检查结果" in capsys.readouterr().out
    ws = openpyxl.load_workbook(out).active
    levels = [r[1].value for r in ws.iter_rows(min_row=4)]
    assert levels and levels[0] == "否决" and "问题" in levels
    assert main(["check", "--db", str(db_path), "--xlsx", str(tmp_path / "bad.txt")]) == 1


def test_checks_only_when_first_shown(qtbot, db):
    _setup(db)
    page = CheckPage(Controller(db))
    qtbot.addWidget(page)
    page.today = TODAY
    assert page.findings == [] and page._stale  # opening the window does not run the check
    page.controller.notify("accounts")
    assert page.findings == []
    page.show()
    assert page.findings and not page._stale
    page.focus_search()
    assert page.search.hasFocus() or not page.isActiveWindow()


def test_double_click_on_a_unit_finding_lists_that_units_accounts(qtbot, db, tmp_path):
    """名称不一致 is about a unit's accounts together: double-click filters the 账号台账 to that 主办单位."""
    from gzdesk.ui.main_window import MainWindow

    _setup(db)
    with db.transaction() as s:
        town = registry.save_unit(s, UnitData(name="三星镇人民政府", kind="township"))
        for name, platform in (("三星发布", "weibo"), ("魅力三星", "douyin")):
            registry.save_account(s, AccountData(name=name, platform=platform, host_unit_id=town))
    window = MainWindow(Controller(db), extensions=("gzdesk.ui.check_page",),
                        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    page = window.check_page
    page.today = TODAY
    window.show()
    window.registry.search.setText("海门")  # a filter left over from earlier work is cleared
    window.show_page("check")
    row = next(i for i, f in enumerate(page.visible_findings()) if f.rule == "name_mismatch")
    finding = page.visible_findings()[row]
    assert finding.account_id is None and (finding.host_unit, finding.host_unit_id) == ("三星镇人民政府", town)
    assert _cell(page, row, 3) == "三星镇人民政府"
    page.table.doubleClicked.emit(page.model.index(row, 2))
    assert window.current_page_key() == "accounts"
    assert sorted(r.name for r in window.registry.model.visible_rows) == ["三星发布", "魅力三星"]
    assert window.registry.unit_combo.currentText() == "三星镇人民政府"
    assert window.registry.search.text() == ""


def test_a_big_database_is_checked_off_the_gui_thread_with_cancel(qtbot, db, monkeypatch):
    """On a big database the check runs in a worker thread (the page shows 正在检查… with 取消)
    and the findings arrive on the GUI thread; a cancelled check leaves the page to check again."""
    import threading

    from gzdesk import rules
    from gzdesk.ui import background

    _setup(db)
    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    threads, release = [], threading.Event()
    real = rules.check

    def slow_check(session, day):
        threads.append(threading.current_thread())
        release.wait(10)
        return real(session, day)

    monkeypatch.setattr(rules, "check", slow_check)
    page = CheckPage(Controller(db))
    qtbot.addWidget(page)
    page.today = TODAY
    page.show()  # starts the check
    assert page.loading.isVisible() and page.visible_findings() == []
    page.loading.cancel_button.click()
    assert not page.loading.isVisible() and page._stale
    release.set()
    qtbot.wait(100)
    assert page.visible_findings() == []  # the cancelled check's result was dropped

    release.clear()
    page.recheck_button.click()
    assert page.loading.isVisible()
    release.set()
    qtbot.waitUntil(lambda: bool(page.visible_findings()), timeout=5000)
    assert not page.loading.isVisible()
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_the_row_height_fits_the_longest_text_of_each_key_column(qtbot, db):
    """One row height for the table, tall enough for the longest 问题 however the others are sized
    (the texts are made as they are measured: each column's own texts, not another's)."""
    from PySide6.QtWidgets import QHeaderView

    from gzdesk.ui.widgets import fit_row_height

    _setup(db)
    page = _page(qtbot, db)
    header = page.table.horizontalHeader()
    header.setSectionResizeMode(4, QHeaderView.ResizeMode.Interactive)
    for column in check_page.KEY_COLUMNS:
        page.table.setColumnWidth(column, 200 if column == 4 else 900)  # only 问题 wraps
    page._apply()
    height = page.table.verticalHeader().defaultSectionSize()
    texts = {c: [page.model.columns[c][1](f) for f in page.model.rows] for c in check_page.KEY_COLUMNS}
    assert fit_row_height(page.table, texts, max_lines=3) > 1  # the 问题 need more than one line
    assert page.table.verticalHeader().defaultSectionSize() == height


def test_the_read_shares_equal_texts_and_changes_none(db):
    """``read_check`` keeps one string for equal texts; every finding and search text is as before."""
    from gzdesk import rules
    from gzdesk.rules import Finding

    _setup(db)
    with db.reader() as s:
        findings = rules.check(s, date(2025, 10, 9))
    # hand-made ones too: equal texts in separate strings, blanks, a unit's finding, odd characters
    made = "".join(["青石", "镇发布"])
    findings += [Finding("one_per_platform", "问题", "第八条", "同一平台" + str(n % 3), n, made if n % 2 else "",
                         "Ｘ单位\u3000<b>", None) for n in range(9)]
    before = [(f.to_json(), check_page.search_text(f)) for f in findings]
    keys = check_page._shared_texts(findings)
    assert [(f.to_json(), k) for f, k in zip(findings, keys, strict=True)] == before
    assert len({id(f.message) for f in findings[-9:]}) == 3 and len({id(k) for k in keys[-9:]}) <= 6


def test_the_interpreter_switches_more_often_only_while_a_page_reads(qtbot, db, monkeypatch):
    import sys
    import threading

    from gzdesk import rules
    from gzdesk.ui import background

    _setup(db)
    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    own = sys.getswitchinterval()
    seen, release = [], threading.Event()
    real = rules.check

    def slow_check(session, day):
        seen.append(sys.getswitchinterval())
        release.wait(10)
        return real(session, day)

    monkeypatch.setattr(rules, "check", slow_check)
    page = CheckPage(Controller(db))
    qtbot.addWidget(page)
    page.today = TODAY
    page.show()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen == [background.READ_SWITCH_INTERVAL] and sys.getswitchinterval() == background.READ_SWITCH_INTERVAL
    release.set()
    qtbot.waitUntil(lambda: bool(page.visible_findings()), timeout=5000)
    assert sys.getswitchinterval() == own
