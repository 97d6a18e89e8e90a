"""Logging in, the first 管理员, one's own password, and the 用户管理 dialog of a 管理员.

``run_window`` shows ``LoginDialog`` after the database opens and before the main window (or
``FirstAdminDialog`` on a database that has no users yet: its history is kept, and from then on
every write names a logged-in user). ``install(window)`` adds 文件 → 修改密码… and, for a 管理员,
文件 → 用户管理…, and shows who is logged in in the status bar. What a role may do is
``gzdesk.permissions``; the dialogs only call the domain through the controller.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import APP_TITLE, users
from gzdesk.dates import cn_date
from gzdesk.enums import USER_ROLE_LABELS, UserRole
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.ui.controller import Controller
from gzdesk.ui.widgets import ERROR_STYLE, confirm


def _password_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class LoginDialog(QDialog):
    """用户登录: name and password; a refusal (wrong password, locked until …) stays in the dialog."""

    def __init__(self, controller: Controller, parent: QWidget | None = None, unit: str = ""):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(f"{APP_TITLE} — 登录")
        self.setMinimumWidth(420)
        head = QLabel(f"<b style='font-size:13pt'>{APP_TITLE}</b>"
                      + (f"<br><span style='color:#555'>{unit}</span>" if unit else ""))
        head.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("loginName")
        self.password_edit = _password_edit("loginPassword")
        form = QFormLayout()
        form.addRow("用户名：", self.name_edit)
        form.addRow("密码：", self.password_edit)
        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        note = QLabel("每次修改都以登录的用户记入审计日志。忘记密码请联系本单位的管理员重置。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#666")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addSpacing(8)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.name_edit.setFocus()

    def accept(self) -> None:
        name, password = self.name_edit.text().strip(), self.password_edit.text()
        if not name:
            self.message.setText("请填写用户名")
            return
        try:
            self.controller.login(name, password)
        except UserError as exc:
            self.message.setText(exc.message)
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        super().accept()


class _PasswordForm:
    """Two password fields and the rules of ``users.password_problem``."""

    def __init__(self, form: QFormLayout, first: str = "密码："):
        self.first = _password_edit("newPassword")
        self.second = _password_edit("newPasswordAgain")
        form.addRow(first, self.first)
        form.addRow("再输入一次：", self.second)

    def problem(self, name: str) -> str | None:
        if self.first.text() != self.second.text():
            return "两次输入的密码不一致"
        return users.password_problem(name, self.first.text())


class FirstAdminDialog(QDialog):
    """本库还没有用户: create the 管理员 (and log in as them). The registry's history is kept."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(f"{APP_TITLE} — 创建管理员")
        self.setMinimumWidth(480)
        intro = QLabel("本库还没有设置用户。请先创建本单位的管理员：此后打开程序须登录，每次修改都以登录的用户"
                       "记入审计日志；管理员可添加审核人、经办人和只读用户。已有的数据和审计日志全部保留。")
        intro.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("adminName")
        form = QFormLayout()
        form.addRow("管理员姓名：", self.name_edit)
        self.passwords = _PasswordForm(form)
        self.message = QLabel()
        self.message.setObjectName("adminMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("创建并登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        problem = "请填写管理员姓名" if not name else self.passwords.problem(name)
        if problem:
            self.message.setText(problem)
            return
        try:
            self.controller.create_first_admin(name, self.passwords.first.text())
        except UserError as exc:
            self.message.setText(exc.message)
            return
        super().accept()


class ChangePasswordDialog(QDialog):
    """修改密码: the logged-in user's own, knowing the old one."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("修改密码")
        self.old = _password_edit("oldPassword")
        form = QFormLayout()
        form.addRow("原密码：", self.old)
        self.passwords = _PasswordForm(form, "新密码：")
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        user = self.controller.user
        if user is None:
            return
        problem = self.passwords.problem(user.name)
        if problem:
            self.message.setText(problem)
            return
        try:
            self.controller.write(users.change_own_password, self.old.text(), self.passwords.first.text(), topic="users")
        except UserError as exc:
            self.message.setText(exc.message)
            return
        super().accept()


class NewUserDialog(QDialog):
    """A 管理员 adds a user, or sets a user's new password (``name`` given)."""

    def __init__(self, parent: QWidget | None = None, name: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("重置密码" if name else "添加用户")
        self.name_edit = QLineEdit(name or "")
        self.name_edit.setObjectName("newUserName")
        self.name_edit.setReadOnly(bool(name))
        self.role = QComboBox()
        self.role.setObjectName("newUserRole")
        for code, label in USER_ROLE_LABELS.items():
            self.role.addItem(label, code)
        self.role.setCurrentIndex(list(USER_ROLE_LABELS).index(UserRole.CLERK))
        form = QFormLayout()
        form.addRow("姓名：", self.name_edit)
        if not name:
            form.addRow("角色：", self.role)
        self.passwords = _PasswordForm(form, "新密码：" if name else "初始密码：")
        self.message = QLabel()
        self.message.setStyleSheet(ERROR_STYLE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        problem = "请填写姓名" if not name else self.passwords.problem(name)
        if problem:
            self.message.setText(problem)
            return
        super().accept()

    def values(self) -> tuple[str, str, str]:
        return self.name_edit.text().strip(), self.role.currentData(), self.passwords.first.text()


USER_COLUMNS = ("姓名", "角色", "状态", "最近登录")


class UserAdminDialog(QDialog):
    """用户管理 (管理员): the users with role and state; add, reset a password, change a role, disable."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("用户管理")
        self.resize(640, 400)
        self.table = QTableWidget(0, len(USER_COLUMNS))
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels(list(USER_COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("添加用户…")
        self.reset_button = QPushButton("重置密码…")
        self.role_box = QComboBox()
        self.role_box.setObjectName("userRole")
        for code, label in USER_ROLE_LABELS.items():
            self.role_box.addItem(label, code)
        self.role_button = QPushButton("改为该角色")
        self.disable_button = QPushButton("停用")
        self.enable_button = QPushButton("启用")
        for b in (self.add_button, self.reset_button, self.role_button, self.disable_button, self.enable_button):
            b.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.role_button.clicked.connect(self.change_role)
        self.disable_button.clicked.connect(lambda: self._act(users.disable_user, "停用"))
        self.enable_button.clicked.connect(lambda: self._act(users.enable_user, "启用"))
        buttons = QHBoxLayout()
        for w in (self.add_button, self.reset_button, self.role_box, self.role_button, self.disable_button,
                  self.enable_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        note = QLabel("管理员：用户、本单位设置、策略配置、节假日表、恢复备份；审核人：记录审批；经办人：账号、单位、人员、"
                      "备案办理、导入；只读：查看、打印、导出脱敏副本。")
        note.setWordWrap(True)
        note.setStyleSheet("color:#666")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.reload()

    def reload(self) -> None:
        self.rows = self.controller.read(users.list_users)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            seen = f"{cn_date(r.last_login_at.date())} {r.last_login_at:%H:%M}" if r.last_login_at else ""
            for j, text in enumerate((r.name, r.role_label, r.state_text(), seen)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self._selection_changed()

    def selected(self) -> users.UserRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) and self.table.selectedItems() else None

    def select(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r.name == name:
                self.table.selectRow(i)
                return

    def _selection_changed(self) -> None:
        r = self.selected()
        for b in (self.reset_button, self.role_button, self.role_box):
            b.setEnabled(r is not None)
        self.disable_button.setEnabled(r is not None and not r.disabled)
        self.enable_button.setEnabled(r is not None and r.disabled)
        if r is not None:
            self.role_box.setCurrentIndex(max(0, self.role_box.findData(r.role)))

    def _write(self, fn, *args) -> bool:
        try:
            self.controller.write(fn, *args, topic="users")
        except UserError as exc:
            QMessageBox.warning(self, "用户管理", exc.message)
            return False
        return True

    def add_user(self) -> None:
        dialog = NewUserDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        name, role, password = dialog.values()
        if self._write(users.add_user, name, role, password):
            self.reload()
            self.select(name)

    def reset_password(self) -> None:
        r = self.selected()
        if r is None:
            return
        dialog = NewUserDialog(self, name=r.name)
        if dialog.exec() == QDialog.DialogCode.Accepted and self._write(users.reset_password, r.name,
                                                                         dialog.values()[2]):
            QMessageBox.information(self, "用户管理", f"已为“{r.name}”设置新密码（如已锁定，也已解除）")
            self.reload()

    def change_role(self) -> None:
        r = self.selected()
        if r is not None and self._write(users.set_role, r.name, self.role_box.currentData()):
            self.reload()
            self.select(r.name)

    def _act(self, fn, what: str) -> None:
        r = self.selected()
        if r is None or not confirm(self, "用户管理", f"{what}用户“{r.name}”？", yes=what):
            return
        if self._write(fn, r.name):
            self.reload()
            self.select(r.name)


def install(window) -> None:
    """Status bar: who is logged in; 文件 → 修改密码… and (管理员) 用户管理…"""
    controller: Controller = window.controller
    user = controller.user
    if user is not None:
        text = f"当前用户：{user.describe()}"
    else:
        text = "未登录（只能查看）" if controller.has_users() else "未启用登录（本库尚未设置用户）"
    window.user_label = QLabel(text)
    window.user_label.setObjectName("currentUser")
    window.statusBar().addPermanentWidget(window.user_label)
    menu = window.menu("文件")
    if user is not None:
        change = QAction("修改密码…", window)
        change.triggered.connect(lambda: ChangePasswordDialog(controller, window).exec())
        menu.addAction(change)
        window.change_password_action = change
    manage = QAction("用户管理…", window)
    manage.setObjectName("manageUsers")
    manage.triggered.connect(lambda: UserAdminDialog(controller, window).exec())
    manage.setVisible(user is not None and controller.can(Cap.USERS))
    menu.addAction(manage)
    window.manage_users_action = manage
