"""使用说明 (F1) with the office's own articles, 关于 with version and database path, empty pages that say what they are for."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gzdesk import APP_TITLE, __version__, profiles
from gzdesk.ui import help_window
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow


@pytest.mark.parametrize("profile_id", [p.id for p in profiles.bundled()])
def test_manual_is_filled_for_every_profile(profile_id):
    p = profiles.by_id(profile_id)
    text = help_window.render_manual(p, "某县人民政府办公室")
    assert "{{" not in text and "}}" not in text
    assert p.document in text and "某县人民政府办公室" in text
    for step in p.chain:
        assert step["title"] in text


def test_manual_quotes_each_office_its_own_rules():
    yunnan = help_window.render_manual(profiles.by_id("yunnan"))
    assert "7个工作日" in yunnan and "云南省政务新媒体管理办法第十七条" in yunnan
    assert "60个工作日" in yunnan and "第四十七条" in yunnan
    yanhu = help_window.render_manual(profiles.by_id("yanhu"))
    assert "关停、注销前至少3个工作日发布" in yanhu and "开设前报请审批" in yanhu
    assert "第十条" in yanhu and "2024年5月27日" in yanhu and "2024-05-27" not in yanhu
    nantong = help_window.render_manual(profiles.by_id("nantong"))
    assert "不少于15个工作日" in nantong and "开设前报请审批" not in nantong
    assert help_window.render_manual(None)  # before the first-run dialog: still readable


@pytest.fixture
def window(qtbot, make_db, tmp_path):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    w = MainWindow(Controller(db), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


def test_every_page_has_its_chapter_and_f1_opens_it(qtbot, window):
    anchors = {a for a, _t in help_window.sections()}
    missing = [k for k in window._page_keys if f"page-{k}" not in anchors]
    assert missing == [], missing
    assert window.help_action.shortcut().toString() == "F1"
    assert [a.text() for a in window.menu("帮助").actions() if a.text()] == ["使用说明(&H)", "关于(&A)…"]
    window.show_page("filings")
    window.help_action.trigger()
    dialog = window.help_window
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.chapters.currentItem().text() == "备案"
    assert "停更注销公告" in dialog.plain_text() and "第十一条" in dialog.plain_text()
    dialog.find_edit.setText("补办备案")
    assert dialog.find_next()
    dialog.find_edit.setText("不存在的词语xyz")
    assert not dialog.find_next() and dialog.find_status.text() == "没有找到"
    window.show_page("people")
    window.help_action.trigger()
    assert window.help_window is dialog and dialog.chapters.currentItem().text() == "人员"


def test_about_names_version_and_database(window, monkeypatch):
    seen = {}
    monkeypatch.setattr(QMessageBox, "about", lambda _p, title, text: seen.update(title=title, text=text))
    window.show_about()
    assert seen["title"] == "关于" and APP_TITLE not in seen["title"]  # the system adds the program's name
    assert __version__ in seen["text"] and str(window.controller.db.path) in seen["text"]
    assert "运城市盐湖区人民政府办公室" in seen["text"]


def test_each_empty_page_says_what_it_is_for(qtbot, window):
    for key in ("people", "filings", "pending", "check"):
        window.show_page(key)
        page = window.page(key)
        hint = page.empty_hint
        qtbot.waitUntil(hint.isVisible, timeout=3000)
        assert "这里" in hint.text() and len(hint.text().splitlines()) == 1, (key, hint.text())
    window.show_page("units")  # holds the office's own unit from the start; a search finding none says so
    window.units_page.search_edit.setText("没有这个单位")
    window.units_page.rebuild()
    assert window.units_page.empty_hint.isVisible() and "没有符合" in window.units_page.empty_hint.text()
    window.show_page("accounts")
    assert window.registry.empty_label.isVisible() and "新建账号" in window.registry.empty_label.text()
    window.show_page("overview")
    assert window.overview_page.empty.isVisible()
