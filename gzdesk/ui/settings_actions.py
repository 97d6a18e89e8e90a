"""文件 → 本单位设置: the office's policy profile and its own holiday table.

The profile dialog shows the numbers the program counts with and where each comes from, and lets
the office use an edited copy (a JSON file exported with ``gzdesk profiles export``). The holiday
dialog edits the table used for years chinese-calendar does not cover yet.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
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
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.ui import files, profile_text
from gzdesk.ui.controller import Controller
from gzdesk.ui.widgets import ChineseCalendar
from gzdesk.workdays import WorkdayCalendar


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
        self.table.setWordWrap(True)  # every line in full, wrapped (a few rows: sized to their text)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_a: self.table.resizeRowsToContents())
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
        self.reload()

    def reload(self) -> None:
        info = self.controller.read(office.office)
        p = info.profile
        self.heading.setText(f"<b>{info.unit_name}</b>　使用策略配置：<b>{p.name}</b><br>{p.document}")
        numbers = profile_text.numbers(p)
        self.table.setRowCount(len(numbers))
        for row, (what, value, article) in enumerate(numbers):
            for col, text in enumerate((what, value, article)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()

    def _export(self) -> None:
        path = files.ask_save_file(self, "导出策略配置", "策略配置.json", "JSON 文件 (*.json)")
        if path:
            p = self.controller.read(office.current_profile)
            Path(path).write_text(p.to_json(), encoding="utf-8")
            files.show_saved(self, "导出策略配置", "已导出策略配置副本，可编辑后用“使用编辑过的配置…”导入。", path)

    def _import(self) -> None:
        path = files.ask_open_file(self, "选择策略配置文件", "JSON 文件 (*.json)")
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
        self.table.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)  # a whole 假期 at once
        layout.addWidget(self.table)
        form = QHBoxLayout()
        self.day = self._date_edit(QDate(date.today().year + 1, 1, 1))
        self.until = self._date_edit(self.day.date())  # 放假 comes in ranges: 春节 is eight days
        self.day.dateChanged.connect(self._day_changed)
        self.kind = QComboBox()
        self.kind.addItems(["放假", "上班（调休）"])
        self.name = QLineEdit()
        self.name.setPlaceholderText("名称，如 春节")
        self.add_button = QPushButton("登记")
        self.remove_button = QPushButton("删除所选")
        form.addWidget(QLabel("从"))
        form.addWidget(self.day)
        form.addWidget(QLabel("至"))
        form.addWidget(self.until)
        for w in (self.kind, self.name, self.add_button, self.remove_button):
            form.addWidget(w)
        layout.addLayout(form)
        self.range_note = QLabel()
        self.range_note.setStyleSheet("color: #666;")
        layout.addWidget(self.range_note)
        self.until.dateChanged.connect(lambda _d: self._show_range())
        self._show_range()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.reload()

    @staticmethod
    def _date_edit(day: QDate) -> QDateEdit:
        edit = QDateEdit(day)
        edit.setCalendarPopup(True)
        edit.setCalendarWidget(ChineseCalendar())
        edit.setDisplayFormat("yyyy年M月d日")
        return edit

    def _day_changed(self, day: QDate) -> None:
        if self.until.date() < day:
            self.until.setDate(day)
        self._show_range()

    def days(self) -> list[date]:
        """The days from 从 to 至 (one day when they are the same)."""
        first, last = _py_date(self.day.date()), _py_date(self.until.date())
        return [first + timedelta(days=i) for i in range((last - first).days + 1)] if last >= first else []

    def _show_range(self) -> None:
        days = self.days()
        self.range_note.setText(f"将登记 {len(days)} 天：{cn_date(days[0])}至{cn_date(days[-1])}" if len(days) > 1 else "")

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
        days = self.days()
        if not days:
            QMessageBox.warning(self, "无法登记", "结束日期不能早于开始日期")
            return
        if len(days) > MAX_RANGE:
            QMessageBox.warning(self, "无法登记", f"一次最多登记 {MAX_RANGE} 天，请分段登记")
            return
        built_in = [d for d in days if WorkdayCalendar.covered(d)]
        if built_in:
            QMessageBox.warning(self, "无法登记", f"{built_in[0].year}年的节假日安排已内置，无需在本单位节假日表中填写")
            return
        try:
            self.controller.write(_set_days, days, self.kind.currentIndex() == 1, self.name.text().strip(),
                                  topic="all")
        except UserError as exc:
            QMessageBox.warning(self, "无法登记", exc.message)
            return
        self.name.clear()
        self.reload()

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}) or (
            [self.table.currentRow()] if self.table.currentRow() >= 0 else [])
        days = [date.fromisoformat(self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)) for r in rows]
        if days:
            self.controller.write(_remove_days, days, topic="all")
            self.reload()


MAX_RANGE = 31


def _set_days(session, days: list[date], workday: bool, name: str) -> None:
    """A range of days in one transaction: all of them or none."""
    for day in days:
        holidays.set_holiday(session, day, workday, name)


def _remove_days(session, days: list[date]) -> None:
    for day in days:
        holidays.remove_holiday(session, day)


def _py_date(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


def install(window) -> None:
    menu = window.menu("文件")
    settings = menu.addMenu("本单位设置")
    profile_action = QAction("策略配置…", window)
    profile_action.triggered.connect(lambda: ProfileDialog(window.controller, window).exec())
    holiday_action = QAction("节假日表…", window)
    holiday_action.triggered.connect(lambda: HolidayDialog(window.controller, window).exec())
    settings.addAction(profile_action)
    settings.addAction(holiday_action)
