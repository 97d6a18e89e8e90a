"""文件 → 新建… / 打开… / 最近打开: another database in the window's place, claims released and taken."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from gzdesk import dblock, office
from gzdesk.db import Database
from gzdesk.ui import app, file_actions, files
from gzdesk.ui.app import start_path
from gzdesk.ui.controller import Controller
from gzdesk.ui.first_run import FirstRunDialog
from gzdesk.ui.main_window import MainWindow, window_settings

REAL_LOG_IN = app.log_in  # before the fixture below replaces it


def _office_db(path, unit, profile="nantong"):
    db = Database(path)
    with db.transaction() as s:
        office.init_office(s, unit, profile)
    db.close()
    return path


def _claimed(path) -> bool:
    return str(dblock._side(path, dblock.OWNER_SUFFIX)) in dblock._held_owner


@pytest.fixture
def setup(qtbot, tmp_path, monkeypatch):
    a = _office_db(tmp_path / "海门.db", "海门区人民政府办公室")
    b = _office_db(tmp_path / "启东.db", "启东市人民政府办公室", "yanhu")
    db = Database(a, window=True)
    window = MainWindow(Controller(db), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    window.owns_db = True
    qtbot.addWidget(window)
    window.show()
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    opened = []
    # the files here have no users: the login is the first-管理员 dialog, which these tests skip
    # (test_the_other_files_users_log_in goes through the real login)
    monkeypatch.setattr(app, "log_in", lambda controller: controller.has_users() is False)
    yield window, a, b, warnings, opened
    for w in [window, *opened]:
        if w.owns_db:
            w.controller.db.close()


def test_open_switches_database_and_claims(qtbot, setup):
    window, a, b, warnings, opened = setup
    assert window.windowTitle() == "海门区人民政府办公室（海门.db）" and _claimed(a)
    assert [x.text() for x in window.menu("文件").actions()[:3]] == ["新建数据库(&W)…", "打开(&O)…", "最近打开(&R)"]
    new = file_actions.open_database(window, b)
    opened.append(new)
    assert new is not None and not warnings
    assert new.windowTitle() == "启东市人民政府办公室（启东.db）" and new.isVisible() and not window.isVisible()
    assert not _claimed(a) and _claimed(b)  # the old claim released, the new one taken
    Database(a, window=True).close()  # another window may now open the old file
    assert new.controller.office().profile.id == "yanhu"
    file_actions.fill_recent_menu(new)
    entries = [x.text() for x in new.recent_menu.actions()]
    assert entries[0] == "&1 海门区人民政府办公室（海门.db）" and "清除列表" in entries
    back = file_actions.open_database(new, a)  # and back through 最近打开
    opened.append(back)
    assert back.controller.db.path == a and _claimed(a) and not _claimed(b)


def test_a_file_open_in_another_window_is_refused_and_nothing_changes(qtbot, setup, tmp_path):
    window, a, b, warnings, _opened = setup
    other = Database(b, window=True)  # "another window" has it
    try:
        assert file_actions.open_database(window, b) is None
    finally:
        other.close()
    assert len(warnings) == 1 and "已在本程序的另一个窗口中打开" in warnings[0]
    assert window.isVisible() and window.controller.db.path == a and _claimed(a)
    assert file_actions.open_database(window, a) is None  # the file already shown: nothing to do
    assert file_actions.open_database(window, tmp_path / "没有.db") is None and "找不到" in warnings[-1]
    not_db = tmp_path / "笔记.db"
    not_db.write_text("这不是数据库", encoding="utf-8")
    assert file_actions.open_database(window, not_db) is None and window.controller.db.path == a
    assert len(warnings) == 3


def test_new_database_for_another_office(qtbot, setup, tmp_path, monkeypatch):
    window, first, _b, warnings, opened = setup
    target = tmp_path / "如东.db"
    monkeypatch.setattr(files, "ask_save_file", lambda *a, **k: str(target))
    answers = iter([False, True])

    def first_run(self):
        if not next(answers):
            return QDialog.DialogCode.Rejected
        self.unit_edit.setText("如东县人民政府办公室")
        self.select_profile("nantong")
        self.accept()
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", first_run)
    assert file_actions.open_database(window, create=True) is None
    assert not target.exists() and window.isVisible()  # cancelled: no file left behind
    new = file_actions.open_database(window, create=True)
    opened.append(new)
    assert new.controller.db.path == target and new.windowTitle() == "如东县人民政府办公室（如东.db）"
    assert not warnings
    monkeypatch.setattr(files, "ask_save_file", lambda *_a, **_k: str(first))
    assert file_actions.open_database(new, create=True) is None and "已存在" in warnings[0]


def test_the_program_starts_with_the_database_opened_last(tmp_path, monkeypatch):
    b = _office_db(tmp_path / "启东.db", "启东市人民政府办公室")
    file_actions.remember(window_settings(), b, "启东市人民政府办公室")
    assert start_path(None) == b
    assert start_path(str(tmp_path / "x.db")) == tmp_path / "x.db"
    monkeypatch.setenv("GZDESK_DB", str(tmp_path / "env.db"))
    assert start_path(None) == tmp_path / "env.db"
    b.unlink()
    monkeypatch.delenv("GZDESK_DB")
    assert start_path(None).name == "gzdesk.db"  # gone: the default again


def test_the_other_files_users_log_in(qtbot, setup, monkeypatch):
    """A file with users opened through 文件 → 打开… asks for its own login, as at start; a login
    given up leaves the window on its own file (the other one not claimed)."""
    from gzdesk import users
    from gzdesk.ui.login import LoginDialog

    window, a, b, warnings, opened = setup
    monkeypatch.setattr(app, "log_in", REAL_LOG_IN)
    other = Database(b)
    with other.transaction() as s:
        users.add_user(s, "王管理", "管理员", "admin-pass-1")
    other.close()
    tries: list[str] = []

    def login(password):
        def exec_(dialog):
            tries.append(password)
            if password is None:
                return QDialog.DialogCode.Rejected
            dialog.name_edit.setText("王管理")
            dialog.password_edit.setText(password)
            dialog.accept()
            return dialog.result()
        return exec_

    monkeypatch.setattr(LoginDialog, "exec", login(None))
    assert file_actions.open_database(window, b) is None and tries == [None]
    assert window.isVisible() and _claimed(a) and not _claimed(b)
    monkeypatch.setattr(LoginDialog, "exec", login("admin-pass-1"))
    new = file_actions.open_database(window, b)
    opened.append(new)
    assert new is not None and new.controller.user is not None and new.controller.user.name == "王管理"
    assert new.windowTitle().startswith("启东市人民政府办公室（启东.db） — 王管理")
