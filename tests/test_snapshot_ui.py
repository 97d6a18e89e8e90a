"""The window's 数据交换 → 上报快照 actions, the 来源快照 page and 文件 → 备份/恢复/检查."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from gzdesk import demo
from gzdesk.exchange.snapshot import export_snapshot
from gzdesk.ui import files as chooser
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow
from gzdesk.ui.snapshot_actions import SOURCES_PAGE


def count(path, table="account") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def setup(qtbot, make_db, tmp_path, monkeypatch):
    a = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    demo.generate(a, 15, seed=1, today=date(2026, 11, 20))
    b = make_db("nantong", unit="启东市人民政府办公室", name="qidong.db")
    demo.generate(b, 10, seed=2, today=date(2026, 11, 20))
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    files = [export_snapshot(d.path, tmp_path / f"{i}.gzsnap").path for i, d in enumerate((a, b))]
    window = MainWindow(Controller(city), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    errors: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: errors.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    return window, city, files, errors


def test_menus_and_page_are_installed(setup):
    window, *_ = setup
    assert "gzdesk.ui.snapshot_actions" in window.loaded_extensions
    exchange = [a.text() for a in window.menu("数据交换").actions()]
    assert "导出上报快照…" in exchange and "合并下级快照…" in exchange and "来源快照" in exchange
    file_menu = [a.text() for a in window.menu("文件").actions()]
    for title in ("备份数据库…", "从备份恢复…", "检查数据库"):
        assert title in file_menu
    assert file_menu.index("检查数据库") < file_menu.index("退出(&X)")
    window.snapshot_menu_actions["sources"].trigger()
    assert window.current_page_key() == SOURCES_PAGE


def test_merge_dialog_flow(setup, monkeypatch):
    window, city, files, errors = setup
    monkeypatch.setattr(chooser, "ask_open_files", lambda *a, **k: [str(f) for f in files])
    page = window.page(SOURCES_PAGE)
    assert page.summary.text() == ""  # hidden: not read yet (saves elsewhere do not wait on this page)
    window.show()
    window.show_page(SOURCES_PAGE)
    assert page.table.rowCount() == 0 and "尚未合并" in page.summary.text()

    window.snapshot_menu_actions["merge"].trigger()
    assert not errors
    dialog = window.snapshot_actions.last_dialog
    assert dialog is not None and dialog.windowTitle() == "合并结果"
    text = dialog.text.toPlainText()
    assert "海门区人民政府办公室" in text and "启东市人民政府办公室" in text and "新增" in text
    assert count(city.path) == 25
    # the 来源快照 page reloaded through data_changed and shows each source's last snapshot date
    assert page.table.rowCount() == 2
    cells = {page.table.item(r, 0).text(): page.table.item(r, 2).text() for r in range(2)}
    assert set(cells) == {"海门区人民政府办公室", "启东市人民政府办公室"}
    assert all("年" in v and "月" in v for v in cells.values())
    assert {page.table.item(r, 5).text() for r in range(2)} == {"15", "10"}

    # the same files again: nothing changes and the report says so
    window.snapshot_menu_actions["merge"].trigger()
    assert "未作任何改动" in window.snapshot_actions.last_dialog.heading.text()
    assert count(city.path) == 25


def test_cancel_in_the_progress_dialog_leaves_nothing(setup, monkeypatch):
    window, city, files, errors = setup
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    assert window.snapshot_actions.merge(files) is None
    assert count(city.path) == 0 and count(city.path, "snapshot_source") == 0
    assert not errors
    assert "取消" in window.statusBar().currentMessage()


def test_a_tampered_file_is_refused_with_its_reason(setup):
    window, city, files, errors = setup
    data = bytearray(files[1].read_bytes())
    data[len(data) // 2] ^= 0x10
    files[1].write_bytes(bytes(data))
    assert window.snapshot_actions.merge(files) is None
    assert len(errors) == 1 and "1.gzsnap" in errors[0] and "未作任何改动" in errors[0]
    assert count(city.path) == 0


def test_export_backup_restore_verify_from_the_window(setup, monkeypatch, tmp_path):
    window, city, files, errors = setup
    actions = window.snapshot_actions
    window.snapshot_actions.merge(files)
    target = tmp_path / "city.gzsnap"
    monkeypatch.setattr(chooser, "ask_save_file", lambda *a, **k: str(target))
    window.snapshot_menu_actions["export"].trigger()
    assert target.exists() and not errors
    assert "已导出上报快照" in actions.last_dialog.heading.text()

    saved = actions.backup(tmp_path / "bk")
    assert saved is not None and saved.exists()
    window.snapshot_menu_actions["verify"].trigger()
    assert actions.last_dialog.windowTitle() == "检查数据库"
    assert "检查通过" in actions.last_dialog.heading.text()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    conn = sqlite3.connect(city.path)
    conn.execute("DELETE FROM account_role")
    conn.execute("DELETE FROM task")
    conn.commit()
    conn.close()
    result = actions.restore(saved)
    assert result is not None and count(city.path, "account_role") > 0
    assert actions.restore(target) is None and "上报快照" in errors[-1]


def test_sources_page_shows_fingerprints_and_a_refused_snapshot_changes_nothing(setup, tmp_path, monkeypatch):
    """The merge report names the pinned key; re-pinning from the page is the 管理员's and audited."""
    import shutil

    from gzdesk import signing
    from gzdesk.db import Database
    from gzdesk.exchange.merge import list_sources

    window, city, files, errors = setup
    reports = window.snapshot_actions.merge(files)
    assert reports and all("首次登记该来源的签名公钥" in r.text() for r in reports)
    page = window.page(SOURCES_PAGE)
    window.show_page(SOURCES_PAGE)
    page.reload()
    with city.reader() as s:
        pinned = {r.name: r.fingerprint for r in list_sources(s)}
    shown = {page.table.item(r, 0).text(): page.table.item(r, 8).text() for r in range(page.table.rowCount())}
    assert shown == pinned and all(len(f) == 24 for f in shown.values())
    assert page.repin_button.isVisibleTo(page)  # no users yet: everything is allowed
    # the county rebuilt its database with a new key: refused, until re-pinned from the page
    src = tmp_path / "rebuilt.db"
    shutil.copyfile(files[0], src)
    conn = sqlite3.connect(src)
    conn.execute("DROP TABLE snapshot_manifest")
    conn.commit()
    conn.close()
    rebuilt = Database(src)
    with rebuilt.transaction() as s:
        signing.ensure_key(s)
    rebuilt.close()
    new = export_snapshot(src, tmp_path / "new.gzsnap").path
    assert window.snapshot_actions.merge([new]) is None
    assert errors and "由另一把密钥签名" in errors[-1]
    assert page.repin(new)
    assert window.snapshot_actions.merge([new])
    with city.reader() as s:
        assert {r.name: r.fingerprint for r in list_sources(s)}["海门区人民政府办公室"] != pinned["海门区人民政府办公室"]


def test_export_and_merge_run_off_the_gui_thread(setup, monkeypatch, tmp_path):
    """Issue 14: exporting or merging 200,000 accounts from the window blocked its thread for 15 s and
    more; both now run in a worker while the window's event loop turns (a timer set on the GUI thread
    fires while the work waits for it)."""
    import threading

    from PySide6.QtCore import QTimer

    from gzdesk.exchange import merge as merge_mod
    from gzdesk.ui import snapshot_actions

    window, city, files, errors = setup
    seen: dict[str, object] = {}
    ticked = threading.Event()

    def slowly(name, real):
        def run(*args, **kw):
            seen[name] = (threading.current_thread() is not threading.main_thread(), ticked.wait(5))
            return real(*args, **kw)
        return run

    monkeypatch.setattr(snapshot_actions.snapshot, "export_snapshot",
                        slowly("export", snapshot_actions.snapshot.export_snapshot))
    monkeypatch.setattr(merge_mod, "merge_snapshots", slowly("merge", merge_mod.merge_snapshots))
    QTimer.singleShot(100, ticked.set)
    reports = window.snapshot_actions.merge(files)
    assert reports and count(city.path) == 25 and not errors
    ticked.clear()
    QTimer.singleShot(100, ticked.set)
    info = window.snapshot_actions.export(tmp_path / "city.gzsnap")
    assert info is not None and info.path.exists()
    assert seen == {"merge": (True, True), "export": (True, True)}
