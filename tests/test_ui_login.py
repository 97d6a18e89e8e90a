"""The window and users: the login dialog, the first 管理员, what each role sees enabled, 用户管理."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox

from gzdesk import filings, registry, users
from gzdesk.db import Database
from gzdesk.models import AuditEvent
from gzdesk.ui import app as app_module
from gzdesk.ui import login as login_ui
from gzdesk.ui.account_editor import AccountEditor
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow

PASSWORDS = {"王管理": "admin-pass-1", "钱审核": "review-pass-1", "李经办": "clerk-pass-1", "赵只读": "viewer-pass-1"}
ROLES = {"王管理": "管理员", "钱审核": "审核人", "李经办": "经办人", "赵只读": "只读"}


@pytest.fixture
def office(db):
    """One user per role, an account and an open filing (nobody logged in on ``db``)."""
    with db.transaction() as s:
        users.add_user(s, "王管理", "管理员", PASSWORDS["王管理"])
    db.login("王管理", PASSWORDS["王管理"])
    with db.transaction() as s:
        for name in ("钱审核", "李经办", "赵只读"):
            users.add_user(s, name, ROLES[name], PASSWORDS[name])
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        filings.new_filing(s, aid, "开设", "新开设账号", filled_on=date(2025, 10, 9))
    db.logout()
    return db


def _window(qtbot, tmp_path, db: Database, name: str) -> MainWindow:
    controller = Controller(Database(db.path))
    controller.login(name, PASSWORDS[name])
    window = MainWindow(controller, settings=QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    return window


def test_login_dialog_refuses_then_logs_in(qtbot, office):
    controller = Controller(Database(office.path))
    dialog = login_ui.LoginDialog(controller, unit="测试县人民政府办公室")
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("李经办")
    qtbot.keyClicks(dialog.password_edit, "wrong-password")
    dialog.ok_button.click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text() == "用户名或密码不正确（再错 4 次将锁定 15 分钟）"
    assert dialog.password_edit.text() == ""  # cleared for the next try
    assert controller.user is None
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["李经办"])
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert controller.user.name == "李经办" and controller.user.role == "clerk"
    controller.db.close()


def test_login_dialog_shows_until_when_a_user_is_locked(qtbot, office):
    controller = Controller(Database(office.path))
    dialog = login_ui.LoginDialog(controller)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("李经办")
    for _ in range(users.MAX_FAILURES):
        qtbot.keyClicks(dialog.password_edit, "wrong-password")
        dialog.ok_button.click()
    assert "已被锁定至" in dialog.message.text() and "年" in dialog.message.text()
    qtbot.keyClicks(dialog.password_edit, PASSWORDS["李经办"])
    dialog.ok_button.click()
    assert "请于" in dialog.message.text() and "后再试" in dialog.message.text()
    assert controller.user is None
    controller.db.close()


def test_a_database_without_users_asks_for_the_first_admin_and_keeps_its_history(qtbot, db, monkeypatch):
    with db.transaction() as s:
        registry.save_account(s, registry.AccountData(name="旧账号"))
    controller = Controller(Database(db.path))
    shown = []

    def fake_exec(dialog):
        shown.append(type(dialog).__name__)
        if isinstance(dialog, login_ui.FirstAdminDialog):
            dialog.name_edit.setText("王管理")
            dialog.passwords.first.setText("short")
            dialog.passwords.second.setText("short")
            dialog.accept()
            assert "至少需要 8 个字符" in dialog.message.text()
            dialog.passwords.first.setText(PASSWORDS["王管理"])
            dialog.passwords.second.setText(PASSWORDS["王管理"])
            dialog.accept()
        return dialog.result()

    monkeypatch.setattr(QDialog, "exec", fake_exec)
    assert app_module.log_in(controller)
    assert shown == ["FirstAdminDialog"]
    assert controller.user.name == "王管理" and controller.user.role == "admin"
    with controller.db.reader() as s:
        assert [a.name for a in registry.list_accounts(s)] == ["旧账号"]
        made = s.query(AuditEvent).filter(AuditEvent.entity == "app_user", AuditEvent.action == "create").one()
        assert made.actor == "王管理"
    # next time: the login dialog
    other = Controller(Database(db.path))
    shown.clear()
    assert not app_module.log_in(other)  # the fake exec does not log in: the clerk quit
    assert shown == ["LoginDialog"]
    other.db.close()
    controller.db.close()


def test_a_clerk_cannot_record_an_approval_step_and_a_reviewer_can(qtbot, tmp_path, office):
    clerk = _window(qtbot, tmp_path, office, "李经办")
    assert clerk.windowTitle().endswith("李经办（经办人）")
    assert clerk.user_label.text() == "当前用户：李经办（经办人）"
    page = clerk.page("filings")
    clerk.show()
    clerk.show_page("filings")
    page.table.selectRow(0)
    assert page.current_row() is not None
    assert not page.actions_["step"].isEnabled() and not page.actions_["return"].isEnabled()
    assert page.actions_["withdraw"].isEnabled() and page.actions_["new"].isEnabled()
    assert not clerk.manage_users_action.isVisible()
    reviewer = _window(qtbot, tmp_path, office, "钱审核")
    reviewer.show()
    reviewer.show_page("filings")
    reviewer.page("filings").table.selectRow(0)
    assert reviewer.page("filings").actions_["step"].isEnabled()
    assert not reviewer.page("filings").actions_["new"].isEnabled()
    assert not reviewer.new_account_action.isEnabled() and not reviewer.registry.new_button.isEnabled()
    assert clerk.new_account_action.isEnabled() and clerk.registry.new_button.isEnabled()
    assert clerk.inspections_page.new_button.isEnabled() and not reviewer.fakes_page.new_button.isEnabled()


def test_a_viewer_cannot_save_and_the_domain_refuses_anyway(qtbot, tmp_path, office, monkeypatch):
    viewer = _window(qtbot, tmp_path, office, "赵只读")
    assert not viewer.registry.new_button.isEnabled()
    assert not viewer.snapshot_menu_actions["export"].isEnabled()
    assert not viewer.snapshot_menu_actions["restore"].isEnabled()
    assert not viewer.inspections_page.new_button.isEnabled() and not viewer.inspect_action.isEnabled()
    with viewer.controller.db.reader() as s:
        aid = registry.list_accounts(s)[0].id
    editor = AccountEditor(viewer.controller, aid, viewer)
    qtbot.addWidget(editor)
    assert not editor.save_button.isEnabled() and editor.windowTitle().endswith("（只读）")
    editor.name_edit.setText("改名")
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: said.append(text))
    assert editor.save() is False  # Ctrl+S goes to the domain, which refuses
    assert said == ["只读用户“赵只读”不能修改数据"]
    with office.reader() as s:
        assert registry.get_account(s, aid).name == "通州发布"


def test_user_admin_dialog_adds_a_user_and_resets_a_password(qtbot, tmp_path, office, monkeypatch):
    admin = _window(qtbot, tmp_path, office, "王管理")
    assert admin.manage_users_action.isVisible()
    dialog = login_ui.UserAdminDialog(admin.controller, admin)
    qtbot.addWidget(dialog)
    assert [r.name for r in dialog.rows] == ["王管理", "钱审核", "李经办", "赵只读"]

    def fill(d):
        if not d.name_edit.isReadOnly():
            d.name_edit.setText("孙经办")
            d.role.setCurrentIndex(d.role.findData("clerk"))
        d.passwords.first.setText("sun-pass-123")
        d.passwords.second.setText("sun-pass-123")
        d.accept()
        return d.result()

    monkeypatch.setattr(login_ui.NewUserDialog, "exec", fill)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    dialog.add_button.click()
    assert dialog.selected().name == "孙经办" and dialog.selected().role_label == "经办人"
    dialog.select("李经办")
    dialog.reset_button.click()
    dialog.role_box.setCurrentIndex(dialog.role_box.findData("viewer"))
    dialog.role_button.click()
    assert dialog.selected().role == "viewer"
    assert Database(office.path).login("李经办", "sun-pass-123").role == "viewer"
