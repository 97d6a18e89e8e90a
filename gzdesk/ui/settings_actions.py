"""文件 → 本单位设置: the office's policy profile and its own holiday table.

The profile dialog shows the numbers the program counts with and where each comes from, and lets
the office use an edited copy (a JSON file exported with ``gzdesk profiles export``). The holiday
dialog edits the table used for years chinese-calendar does not cover yet.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
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

from gzdesk import holidays, office, profiles
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.ui.controller import Controller, may


class ProfileDialog(QDialog):
    """The current policy profile: its numbers with their articles; export and use a copy."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("策略配置")
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["项目", "规定", "依据"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.export_button = QPushButton("导出副本以便编辑…")
        self.import_button = QPushButton("使用编辑过的配置…")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._export)
        self.import_button.clicked.connect(self._import)
        self.import_button.setEnabled(may(controller, Cap.SETTINGS))
        self.reload()

    def reload(self) -> None:
        info = self.controller.read(office.office)
        p = info.profile
        self.heading.setText(f"<b>{info.unit_name}</b>　使用策略配置：<b>{p.name}</b>（{p.id}）<br>{p.document}")
        numbers = p.numbers()
        self.table.setRowCount(len(numbers))
        for row, (what, value, article) in enumerate(numbers):
            for col, text in enumerate((what, value, article)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出策略配置", "策略配置.json", "JSON 文件 (*.json)")
        if path:
            p = self.controller.read(office.current_profile)
            Path(path).write_text(p.to_json(), encoding="utf-8")

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择策略配置文件", "", "JSON 文件 (*.json)")
        if not path:
            return
        try:
            p = profiles.load_file(Path(path))
        except UserError as exc:
            QMessageBox.warning(self, "无法使用该配置", exc.message)
            return
        answer = QMessageBox.question(self, "更换策略配置",
                                      f"本库将改用“{p.name}”计算时限和检查规则，确定吗？")
        if answer == QMessageBox.StandardButton.Yes:
            self.controller.write(office.replace_profile, p, topic="office")
            self.reload()


class HolidayDialog(QDialog):
    """The office's own holiday table (放假 / 调休上班) for years not yet built into the program."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("本单位节假日表")
        self.resize(560, 440)
        layout = QVBoxLayout(self)
        note = QLabel("程序已内置 2004–2026 年的法定节假日和调休安排。之后年份的安排公布前，"
                      "工作日按周末、法定节日推算并标注“预估”；公布后可在此登记放假和调休上班的日期。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["日期", "安排", "名称"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        layout.addWidget(self.table)
        form = QHBoxLayout()
        self.day = QDateEdit(QDate(date.today().year + 1, 1, 1))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy年M月d日")
        self.kind = QComboBox()
        self.kind.addItems(["放假", "上班（调休）"])
        self.name = QLineEdit()
        self.name.setPlaceholderText("名称，如 春节")
        self.add_button = QPushButton("登记")
        self.remove_button = QPushButton("删除所选")
        for w in (self.day, self.kind, self.name, self.add_button, self.remove_button):
            form.addWidget(w)
        layout.addLayout(form)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        for b in (self.add_button, self.remove_button):
            b.setEnabled(may(controller, Cap.SETTINGS))
        self.reload()

    def reload(self) -> None:
        rows = self.controller.read(holidays.list_holidays)
        self.table.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            first = QTableWidgetItem(f"{entry.day.year}年{entry.day.month}月{entry.day.day}日")
            first.setData(Qt.ItemDataRole.UserRole, entry.day.isoformat())
            self.table.setItem(r, 0, first)
            self.table.setItem(r, 1, QTableWidgetItem(entry.kind_label))
            self.table.setItem(r, 2, QTableWidgetItem(entry.name))

    def _add(self) -> None:
        d = self.day.date()
        try:
            self.controller.write(holidays.set_holiday, date(d.year(), d.month(), d.day()),
                                  self.kind.currentIndex() == 1, self.name.text().strip(), topic="all")
        except UserError as exc:
            QMessageBox.warning(self, "无法登记", exc.message)
            return
        self.name.clear()
        self.reload()

    def _remove(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        day = date.fromisoformat(self.table.item(row, 0).data(Qt.ItemDataRole.UserRole))
        self.controller.write(holidays.remove_holiday, day, topic="all")
        self.reload()


def install(window) -> None:
    menu = window.menu("文件")
    settings = menu.addMenu("本单位设置")
    profile_action = QAction("策略配置…", window)
    profile_action.triggered.connect(lambda: ProfileDialog(window.controller, window).exec())
    holiday_action = QAction("节假日表…", window)
    holiday_action.triggered.connect(lambda: HolidayDialog(window.controller, window).exec())
    settings.addAction(profile_action)
    settings.addAction(holiday_action)
