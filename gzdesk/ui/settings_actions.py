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
    QCheckBox,
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
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, holiday_notice, holidays, office, profiles
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.printing import options as print_options
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
        self.platforms_button = QPushButton("核准平台名单…")
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.platforms_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.export_button.clicked.connect(self._export)
        self.import_button.clicked.connect(self._import)
        self.platforms_button.clicked.connect(self._platforms)
        self.import_button.setEnabled(may(controller, Cap.SETTINGS))
        self.platforms_button.setEnabled(may(controller, Cap.SETTINGS))
        self.reload()

    def _platforms(self) -> None:
        if PlatformListDialog(self.controller, self).exec() == QDialog.DialogCode.Accepted:
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
                      "工作日按周末、法定节日推算并标注“预估”；国务院办公厅的通知公布后，可导入通知全文"
                      "（该年即不再标注“预估”），或在此逐日登记。")
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
        bottom = QHBoxLayout()
        self.import_button = QPushButton("导入国务院节假日安排通知…")
        bottom.addWidget(self.import_button)
        bottom.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.import_button.clicked.connect(self._import)
        for b in (self.add_button, self.remove_button, self.import_button):
            b.setEnabled(may(controller, Cap.SETTINGS))
        self.reload()

    def _import(self) -> None:
        if NoticeImportDialog(self.controller, self).exec() == QDialog.DialogCode.Accepted:
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
        item = self.table.item(self.table.currentRow(), 0)
        if item is None:
            return
        day = date.fromisoformat(item.data(Qt.ItemDataRole.UserRole))
        self.controller.write(holidays.remove_holiday, day, topic="all")
        self.reload()


class PlatformListDialog(QDialog):
    """The office's own list of approved platforms (no document lists them; 盐湖's form names
    今日头条、一点资讯、美篇、知乎、简书、抖音、快手、火山小视频 as examples). Accounts on other platforms
    are pointed out by 问题检查, saying the list is the office's own."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("核准平台名单（本单位自定）")
        profile = controller.profile
        layout = QVBoxLayout(self)
        note = QLabel("文件只要求在国家主管部门核准的平台上开设，没有列出平台：名单由本单位自定，"
                      "检查时只作提示，不引用条款。")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.use_list = QCheckBox("按名单检查账号的平台")
        codes = profile.approved_platforms
        self.use_list.setChecked(codes is not None)
        layout.addWidget(self.use_list)
        self.boxes: dict[str, QCheckBox] = {}
        for code, label in enums.PLATFORM_LABELS.items():
            if code == enums.Platform.OTHER:
                continue
            box = QCheckBox(label)
            box.setChecked(codes is None or code in codes)
            self.boxes[code] = box
            layout.addWidget(box)
        self.others = QLineEdit("、".join(profile.approved_other_platforms))
        self.others.setPlaceholderText("其他平台的名称，用顿号分隔，如 一点资讯、美篇、知乎")
        layout.addWidget(QLabel("名单内的其他平台："))
        layout.addWidget(self.others)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        import re

        codes = [c for c, box in self.boxes.items() if box.isChecked()] if self.use_list.isChecked() else None
        others = re.split(r"[、，,;；\s]+", self.others.text())
        try:
            profile = self.controller.profile.with_platform_list(codes, others)
            self.controller.write(office.replace_profile, profile, topic="office")
        except UserError as exc:
            QMessageBox.warning(self, "无法保存", exc.message)
            return
        super().accept()


class NoticeImportDialog(QDialog):
    """Paste or open 《国务院办公厅关于YYYY年部分节假日安排的通知》, see what the program read, confirm.

    "识别" reads the text (``holiday_notice.parse``) and lists every day with its arrangement, what
    was not used, and any difference from the built-in calendar; "写入本单位节假日表" writes it in
    one audited transaction. Nothing is written before the clerk confirms.
    """

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.notice: holiday_notice.Notice | None = None
        self.setWindowTitle("导入国务院节假日安排通知")
        self.resize(720, 620)
        layout = QVBoxLayout(self)
        hint = QLabel("把《国务院办公厅关于YYYY年部分节假日安排的通知》的全文粘贴到下面（或打开保存的文本文件），"
                      "点“识别”核对读到的日期，无误后写入本单位节假日表。")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。……")
        layout.addWidget(self.text, 2)
        row = QHBoxLayout()
        self.open_button = QPushButton("打开文件…")
        self.read_button = QPushButton("识别")
        row.addWidget(self.open_button)
        row.addWidget(self.read_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.read_table = QTableWidget(0, 4)
        self.read_table.setHorizontalHeaderLabels(["日期", "星期", "安排", "节日"])
        self.read_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.read_table.verticalHeader().setVisible(False)
        self.read_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.read_table, 3)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("写入本单位节假日表")
        self.ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.open_button.clicked.connect(self._open)
        self.read_button.clicked.connect(self.read_notice)
        self.text.textChanged.connect(lambda: self.ok.setEnabled(False))

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开通知", "", "文本 (*.txt *.html *.htm);;所有文件 (*)")
        if path:
            from gzdesk.holiday_notice import read_file

            try:
                self.text.setPlainText(read_file(Path(path)))
            except UserError as exc:
                QMessageBox.warning(self, "无法打开", exc.message)
                return
            self.read_notice()

    def read_notice(self) -> None:
        """Read the pasted text and show what was read; the OK button only when it can be written."""
        from gzdesk import holiday_notice

        self.notice = None
        self.ok.setEnabled(False)
        self.read_table.setRowCount(0)
        try:
            notice = holiday_notice.parse(self.text.toPlainText())
        except UserError as exc:
            self.summary.setStyleSheet("color: #c62828;")
            self.summary.setText(exc.message)
            return
        weekdays = "一二三四五六日"
        self.read_table.setRowCount(len(notice.days))
        for r, d in enumerate(notice.days):
            for c, text in enumerate((f"{d.day.year}年{d.day.month}月{d.day.day}日", f"星期{weekdays[d.day.weekday()]}",
                                      d.kind_label, d.name)):
                self.read_table.setItem(r, c, QTableWidgetItem(text))
        lines = [f"{notice.title or notice.year}：放假 {len(notice.off)} 天（含周末），调休上班 {len(notice.workdays)} 天。"]
        lines += [f"未采用：{u}" for u in notice.unused]
        diff = holiday_notice.differences(notice)
        if diff is not None:
            lines.append(f"{notice.year}年已内置，无需写入。" + ("与内置日历不同：" + "；".join(x.text() for x in diff)
                                                            if diff else "与内置日历完全一致。"))
            self.summary.setStyleSheet("color: #8a6d00;")
        else:
            lines.append("请核对以上日期，无误后写入本单位节假日表。")
            self.summary.setStyleSheet("")
            self.notice = notice
            self.ok.setEnabled(True)
        self.summary.setText("\n".join(lines))

    def accept(self) -> None:
        if self.notice is None:
            return
        try:
            self.controller.write(holidays.import_notice, self.notice, self.text.toPlainText(), topic="all")
        except UserError as exc:
            QMessageBox.warning(self, "无法写入", exc.message)
            return
        super().accept()


class PrintSettingsDialog(QDialog):
    """打印设置: 附件1 above the 南通 title; a QR code drawn from the 访问链接 (marked so) when an
    account has no QR picture."""

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("打印设置")
        layout = QVBoxLayout(self)
        current = controller.read(print_options.read_settings)
        self.boxes: dict[str, QCheckBox] = {}
        for key, (label, _default) in print_options.SETTINGS.items():
            box = QCheckBox(label)
            box.setChecked(current[key])
            self.boxes[key] = box
            layout.addWidget(box)
        note = QLabel("不生成时，无二维码图片的账号在表中留出“（请插入图片）”的位置，与登记表样式一致。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #666;")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        values = {key: box.isChecked() for key, box in self.boxes.items()}

        def save(session) -> None:
            for key, value in values.items():
                print_options.write_setting(session, key, value)

        self.controller.write(save, topic="office")
        super().accept()


def install(window) -> None:
    menu = window.menu("文件")
    settings = menu.addMenu("本单位设置")
    profile_action = QAction("策略配置…", window)
    profile_action.triggered.connect(lambda: ProfileDialog(window.controller, window).exec())
    holiday_action = QAction("节假日表…", window)
    holiday_action.triggered.connect(lambda: HolidayDialog(window.controller, window).exec())
    print_action = QAction("打印设置…", window)
    print_action.triggered.connect(lambda: PrintSettingsDialog(window.controller, window).exec())
    settings.addAction(profile_action)
    settings.addAction(holiday_action)
    settings.addAction(print_action)
