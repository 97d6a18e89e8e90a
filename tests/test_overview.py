"""首页: the counts (gzdesk.overview) and every figure clicking through to the rows it counted."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from gzdesk import backup, deadlines, demo, overview, registry, rules
from gzdesk.ui import overview_page
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow

TODAY = date.today()


@pytest.fixture
def office(make_db):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    demo.generate(db, 300, seed=3)
    return db


def test_counts_match_the_registry(office):
    with office.reader() as s:
        o = overview.overview(s, TODAY, office.path)
        rows = registry.list_accounts(s)
        items = deadlines.pending(s, TODAY)
        findings = rules.check(s, TODAY)
        units = {u.id: u.kind for u in registry.list_units(s)}
        checks = overview.check_section(s, TODAY)
    assert o.accounts == len(rows) == 300
    charts = {c.key: c for c in o.charts}
    assert {b.label: b.value for b in charts["status"].bars} == {
        label: n for label, n in Counter(r.status_label for r in rows).items()}
    assert sum(b.value for b in charts["platform"].bars) == 300
    by_kind = Counter(units.get(r.host_unit_id) for r in rows)
    assert {b.link.get("host_kind"): b.value for b in charts["host_kind"].bars} == {
        (k or overview.NO_HOST): n for k, n in by_kind.items()}
    assert o.figure("overdue").value == sum(1 for i in items if i.overdue) > 0
    end = overview.week_end(TODAY)
    assert o.figure("due_week").value == sum(1 for i in items if not i.overdue and i.due and TODAY <= i.due <= end)
    assert end.weekday() == 6 and 0 <= (end - TODAY).days <= 6
    levels = Counter(f.level for f in findings)
    assert [f.value for f in checks.figures] == [levels["否决"], levels["问题"], levels["提示"]]
    assert o.figure("last_backup").value == "从未" and o.figure("last_snapshot").value == "从未"


def test_slow_sections_come_separately(office):
    with office.reader() as s:
        fast = overview.overview(s, TODAY, office.path, slow=False)
        due = overview.section(s, TODAY, "due")
    assert fast.section("due") is None and fast.section("filings") is not None
    assert due.key == "due" and [f.key for f in due.figures] == ["overdue", "due_week", "tasks"]


def test_last_backup_and_snapshot(office, tmp_path):
    today = date.today()  # not the module's TODAY: a run that crosses midnight would count one day more
    backup.backup_database(office.path, now=datetime.now() - timedelta(days=3))
    elsewhere = tmp_path / "U盘"
    backup.backup_database(office.path, elsewhere)  # a copy made today on a stick
    with office.transaction() as s:
        overview.record_snapshot_sent(s, tmp_path / "上报.gzsnap", datetime.now())
    with office.reader() as s:
        o = overview.overview(s, today, office.path)
        assert o.figure("last_backup").value == "3 天前"
        assert overview.overview(s, today, office.path, (elsewhere,)).figure("last_backup").value == "今天"
    assert o.figure("last_snapshot").value == "今天"
    with office.transaction() as s:  # a hand-edited setting shows nothing rather than a wrong date
        overview.set_setting(s, overview.SNAPSHOT_SENT_KEY, "{broken")
    with office.reader() as s:
        assert overview.overview(s, today, office.path).figure("last_snapshot").value == "从未"


@pytest.fixture
def window(qtbot, office, tmp_path):
    w = MainWindow(Controller(office), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.resize(1366, 740)
    w.show()
    return w


def _click_bar(qtbot, chart, label):
    i = next(n for n, b in enumerate(chart.chart.bars) if b.label == label)
    r = chart.bar_rect(i)
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(r.left() + 2, r.center().y()))
    return chart.chart.bars[i].value


def test_overview_is_first_and_each_figure_opens_its_rows(qtbot, window):
    assert window.nav.item(0).text() == "首页" and window.current_page_key() == "overview"
    assert window._page_actions["overview"].shortcut().toString() == "Ctrl+1"
    assert window._page_actions["accounts"].shortcut().toString() == "Ctrl+2"
    page = window.overview_page
    qtbot.waitUntil(lambda: isinstance(page.figure_value("overdue"), int), timeout=10000)
    assert isinstance(page.figure_value("check_问题"), int)  # a small registry is checked at once

    n = _click_bar(qtbot, page.charts["platform"], "抖音")
    assert window.current_page_key() == "accounts"
    shown = window.registry.model.visible_rows
    assert len(shown) == n and {r.platform_label for r in shown} == {"抖音"}

    window.show_page("overview")
    n = _click_bar(qtbot, page.charts["status"], "暂停")
    assert {r.status_label for r in window.registry.model.visible_rows} == {"暂停"}
    assert len(window.registry.model.visible_rows) == n and window.registry.platform_combo.currentIndex() == 0

    window.show_page("overview")
    n = _click_bar(qtbot, page.charts["host_kind"], "乡镇人民政府")
    assert len(window.registry.model.visible_rows) == n and window.registry.kind_chip.isVisible()
    window.registry.kind_chip.click()  # ✕ drops the filter
    assert len(window.registry.model.visible_rows) == 300

    cases = [("overdue", "pending", lambda: len(window.page("pending").visible_items())),
             ("due_week", "pending", lambda: len(window.page("pending").visible_items())),
             ("in_progress", "filings", lambda: len(window.page("filings").visible_rows())),
             ("filed", "filings", lambda: len(window.page("filings").visible_rows())),
             ("check_问题", "check", lambda: len(window.check_page.visible_findings())),
             ("untrained", "people", lambda: window.people_page.model.rowCount())]
    for key, target, count in cases:
        window.show_page("overview")
        tile = page.tiles[key]
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        assert window.current_page_key() == target, key
        assert count() == tile.figure.value, key


def test_backup_tile_runs_the_backup_and_the_figure_follows(qtbot, window, monkeypatch, tmp_path):
    page = window.overview_page
    folder = tmp_path / "备份"
    actions = window.snapshot_actions
    real = actions.backup
    monkeypatch.setattr(actions, "backup", lambda: real(folder))
    monkeypatch.setattr(QApplication, "activeModalWidget", lambda: None)
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    assert page.figure_value("last_backup") == "从未"
    page.tiles["last_backup"].activate()
    assert page.figure_value("last_backup") == "今天"  # the backup folder chosen is looked at too


def test_a_big_registry_is_checked_only_when_asked(qtbot, office, tmp_path, monkeypatch):
    monkeypatch.setattr(overview_page, "AUTO_CHECK_LIMIT", 100)
    w = MainWindow(Controller(office), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    page = w.overview_page
    qtbot.waitUntil(lambda: isinstance(page.figure_value("overdue"), int), timeout=10000)
    assert page.figure_value("check_问题") is None and "点击开始检查" in page.tiles["check_run"].figure.note
    w.show_page("check")  # the 检查 page's own run fills the figures
    assert page.figure_value("check_问题") == sum(1 for f in w.check_page.findings if f.level == "问题")


def test_on_a_big_database_the_figures_are_read_off_the_window_thread(qtbot, office, tmp_path, monkeypatch):
    """Issue 14: 首页 read its figures and, up to AUTO_CHECK_LIMIT accounts, the rule check on the
    window's thread (2.2 s at 20,000 accounts); on a big database it now reads them in a worker,
    with a busy bar, and the figures arrive as before."""
    import threading

    from gzdesk.ui import background

    monkeypatch.setattr(background, "BACKGROUND_FROM_BYTES", 0)
    threads: set[bool] = set()
    for name in ("overview", "sections"):
        real = getattr(overview, name)

        def spy(*args, _real=real, **kw):
            threads.add(threading.current_thread() is threading.main_thread())
            return _real(*args, **kw)

        monkeypatch.setattr(overview, name, spy)
    w = MainWindow(Controller(office), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    page = w.overview_page
    qtbot.waitUntil(lambda: isinstance(page.figure_value("check_问题"), int), timeout=20000)
    assert isinstance(page.figure_value("overdue"), int) and not page.loading.isVisible()
    assert threads == {False}  # every read in a worker
    with office.reader() as s:
        expected = sum(1 for f in rules.check(s, TODAY) if f.level == "问题")
    assert page.figure_value("check_问题") == expected


def test_empty_registry_says_what_to_do(qtbot, make_db, tmp_path):
    db = make_db("nantong")
    w = MainWindow(Controller(db), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    page = w.overview_page
    assert page.empty.isVisible() and "新建账号" in page.empty.text() and "F1" in page.empty.text()
    assert [b.value for b in page.charts["status"].chart.bars] == []


def test_open_rectification_and_fake_reports_are_counted_and_open_their_pages(qtbot, office, tmp_path):
    from gzdesk import fakes, rectify, scope

    with office.transaction() as s:
        fakes.new_report(s, "盐湖发布（假）", TODAY, how="网民举报", reporter="群众")
        fakes.new_report(s, "假冒盐湖教育", TODAY)
    with office.reader() as s:
        section = overview.overview(s, TODAY, office.path).section("supervision")
        here = scope.resolve(s, None)
        open_items = rectify.list_items(s, TODAY, open_only=True, scope=here)
    figures = {f.key: f for f in section.figures}
    assert figures["fakes_open"].value == 2 and figures["rectify_open"].value == len(open_items)
    w = MainWindow(Controller(office), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    page = w.overview_page
    qtbot.mouseClick(page.tiles["fakes_open"], Qt.MouseButton.LeftButton)
    assert w.current_page_key() == "fakes" and len(w.page("fakes").model.rows) == 2
    w.show_page("overview")
    qtbot.mouseClick(page.tiles["rectify_open"], Qt.MouseButton.LeftButton)
    assert w.current_page_key() == "rectify" and len(w.page("rectify").visible_items()) == len(open_items)
