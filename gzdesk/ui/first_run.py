"""First run: which office is this (unit name) and which policy profile it follows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gzdesk import office, profiles
from gzdesk.errors import UserError
from gzdesk.profiles import Profile
from gzdesk.ui.controller import OFFICE, Controller
from gzdesk.ui.profile_text import profile_html


class FirstRunDialog(QDialog):
    """Asks for the office's unit and profile, then ``office.init_office`` in one transaction."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("首次使用设置")  # the system adds the program's name
        self.resize(900, 600)

        intro = QLabel("欢迎使用政务新媒体备案管理。请先填写本单位名称，并选择本地区适用的备案管理制度"
                       "（策略配置）：备案时限、公告期、审批流程和登记表式样都按所选制度执行，以后可以复制修改。")
        intro.setWordWrap(True)

        self.unit_edit = QLineEdit()
        self.unit_edit.setObjectName("unitName")
        self.unit_edit.setPlaceholderText("例如：某某县人民政府办公室")
        form = QFormLayout()
        form.addRow("本单位名称：", self.unit_edit)

        self.profile_list = QListWidget()
        self.profile_list.setObjectName("profiles")
        self.profiles = profiles.bundled()
        for p in self.profiles:
            item = QListWidgetItem(p.name)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(p.document)
            self.profile_list.addItem(item)
        self.details = QTextBrowser()
        self.details.setObjectName("profileDetails")
        self.details.setOpenLinks(False)
        splitter = QSplitter()
        splitter.addWidget(self.profile_list)
        splitter.addWidget(self.details)
        splitter.setSizes([220, 640])
        splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("开始使用")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel("适用制度（策略配置）："))
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

        self.profile_list.currentRowChanged.connect(self._show_profile)
        self.unit_edit.textChanged.connect(self._update_ok)
        if self.profiles:
            self.profile_list.setCurrentRow(0)
        self._update_ok()
        self.unit_edit.setFocus()

    def selected_profile(self) -> Profile | None:
        row = self.profile_list.currentRow()
        return self.profiles[row] if 0 <= row < len(self.profiles) else None

    def select_profile(self, profile_id: str) -> None:
        for i, p in enumerate(self.profiles):
            if p.id == profile_id:
                self.profile_list.setCurrentRow(i)
                return
        raise KeyError(profile_id)

    def _show_profile(self, row: int) -> None:
        p = self.selected_profile()
        self.details.setHtml(profile_html(p) if p else "")
        self._update_ok()

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.unit_edit.text().strip()) and self.selected_profile() is not None)

    def accept(self) -> None:
        p = self.selected_profile()
        unit = self.unit_edit.text().strip()
        if not unit or p is None:
            QMessageBox.warning(self, "首次使用设置", "请填写本单位名称并选择适用制度")
            return
        try:
            self.controller.write(office.init_office, unit, p.id, topic=OFFICE)
        except UserError as exc:
            QMessageBox.warning(self, "首次使用设置", exc.message)
            return
        super().accept()
