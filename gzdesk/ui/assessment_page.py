"""年度考核: the annual assessment sheet (南通 附件3) for this office or a merged lower office.

Every line of the document's table with what the registry counted, the value used, the points and
where the value came from. The 填写 column takes what the registry cannot know (or corrects a
count): a number, 是/否, or for 检查比例 the points; 保存填写 keeps the entries (one audited
transaction) and the sheet is counted again. 导出评分表… writes the printable sheet (PDF or Excel).
The count reads every account (~6 s at 200,000): on a big database it runs in a worker thread
behind a busy bar with 取消 (``ui.background.BackgroundRead``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import assessment, scope
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import ALL, SUPERVISION, Controller
from gzdesk.ui.widgets import LazyPage

HEADERS = ("一级指标", "二级指标", "评分细则", "分值", "本库计得", "填写", "采用值", "得分", "来源")
ENTRY_COL = 5
RED_BACK = QColor("#fdecea")


def _save_entries(session, year: int, sc: scope.Scope, entries: list[tuple[str, str]]) -> None:
    for key, value in entries:
        assessment.set_entry(session, year, sc, key, value)


@dataclass
class AssessmentRead:
    scopes: list[scope.Scope]
    scope: scope.Scope | None  # the office assessed: the one chosen, else the first
    result: assessment.Assessment | None = None
    error: str | None = None  # why it could not be counted


def read_assessment(session, year: int, chosen: scope.Scope | None, day: date) -> AssessmentRead:
    """The offices to choose from and the assessment of the chosen one (in a worker thread on a
    big database)."""
    try:
        scopes = scope.choices(session)
    except UserError:
        scopes = []
    sc = chosen if chosen in scopes else (scopes[0] if scopes else None)
    if sc is None:
        return AssessmentRead(scopes, None)
    try:
        return AssessmentRead(scopes, sc, assessment.assess(session, year, sc, day))
    except UserError as exc:
        return AssessmentRead(scopes, sc, error=str(exc))


class AssessmentPage(LazyPage):
    """The assessment of one year for one office (``scope``)."""

    reload_topics = (SUPERVISION, ALL, "filings", "accounts")

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.today: date | None = None
        self.result: assessment.Assessment | None = None
        self.scopes: list[scope.Scope] = []
        self._keys: list[str] = []  # LineResult.key of each table row
        self._entered: dict[str, str] = {}
        self.year = QSpinBox()
        self.year.setRange(2019, 2100)
        self.year.setValue(date.today().year)
        self.unit = QComboBox()
        self.unit.setMinimumContentsLength(16)
        self.recount_button = QPushButton("重新计算")
        self.save_button = QPushButton("保存填写")
        self.export_button = QPushButton("导出评分表…")
        self.result_label = QLabel()
        self.result_label.setObjectName("assessmentResult")
        self.result_label.setStyleSheet("QLabel#assessmentResult { font-size: 13pt; font-weight: bold; }")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        top = QHBoxLayout()
        top.addWidget(QLabel("年度："))
        top.addWidget(self.year)
        top.addWidget(QLabel("被考核单位："))
        top.addWidget(self.unit, 1)
        top.addWidget(self.recount_button)
        top.addWidget(self.save_button)
        top.addWidget(self.export_button)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("assessmentTable")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, w in enumerate((76, 100, 330, 44, 60, 50, 52, 130)):
            self.table.setColumnWidth(col, w)
        self.loading = BackgroundRead(controller, "正在计算考核得分…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addWidget(self.result_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        self.year.valueChanged.connect(lambda _v: self.reload())
        self.unit.currentIndexChanged.connect(lambda _i: self.reload())
        self.recount_button.clicked.connect(self.reload)
        self.save_button.clicked.connect(self.save_entries)
        self.export_button.clicked.connect(lambda: self.export())
        self.table.itemChanged.connect(self._edited)

    def day(self) -> date:
        return self.today or date.today()

    def current_scope(self) -> scope.Scope | None:
        i = self.unit.currentIndex()
        return self.scopes[i] if 0 <= i < len(self.scopes) else None

    def _fill_units(self, scopes: list[scope.Scope], chosen: scope.Scope | None) -> None:
        self.scopes = scopes
        self.unit.blockSignals(True)
        self.unit.clear()
        for sc in self.scopes:
            self.unit.addItem(sc.name + ("（本单位）" if sc.origin is None else "（下级上报）"))
        if chosen in self.scopes:
            self.unit.setCurrentIndex(self.scopes.index(chosen))
        self.unit.blockSignals(False)

    def reload(self) -> None:
        """Count the year's sheet again (in a worker thread on a big database)."""
        self._stale = False
        self.loading.start(read_assessment, self.year.value(), self.current_scope(), self.day(), done=self._got)

    def _got(self, read: AssessmentRead) -> None:
        self._fill_units(read.scopes, read.scope)
        if read.scope is None:
            return
        if read.error is not None:
            self.result = None
            self.result_label.setText(read.error)
            self.table.setRowCount(0)
            return
        self.result = read.result
        self._show()

    def _on_cancelled(self) -> None:
        self._stale = True  # counted again when next shown, or with 重新计算
        self.result_label.setText("计算已取消，点击“重新计算”再算。")

    def _show(self) -> None:
        a = self.result
        if a is None:
            return
        self._entered = {}
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self._keys = []
        groups = {"veto": a.sheet.groups.get("veto") or "单项否决指标",
                  "deductions": a.sheet.groups.get("deduction") or "扣分指标",
                  "bonus": a.sheet.groups.get("bonus") or "加分指标"}
        for it in a.items:
            for ln in it.lines:
                row = self.table.rowCount()
                self.table.insertRow(row)
                self._keys.append(ln.key)
                rule = (f"{ln.key.split('.')[-1]}. " if "." in ln.key else "") + ln.rule
                if it.group == "veto":
                    used, pts = ("出现" if ln.value else "未出现"), ("否决" if ln.value else "")
                else:
                    scored = not ((it.group == "bonus" and a.tally.bonus is None)
                                  or (it.group == "deductions" and a.tally.vetoed))
                    used, pts = str(ln.value), it.points_text(ln, scored)
                cells = [groups[it.group], it.name, rule, "否决" if it.group == "veto" else str(it.cap),
                         "" if ln.computed is None else str(ln.computed),
                         "" if ln.manual is None else str(ln.manual), used, pts,
                         ln.source + (f"（{ln.note}）" if ln.note else "")]
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(text)
                    if col != ENTRY_COL:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    else:
                        item.setToolTip("填写次数、是/否（检查比例填所加分数 0/5/10）；清空则删除填写")
                        item.setBackground(QBrush(QColor("#fffde7")))
                    if it.group == "veto" and ln.value:
                        item.setBackground(QBrush(RED_BACK))
                    self.table.setItem(row, col, item)
        self.table.resizeRowsToContents()
        self.table.blockSignals(False)
        t = a.tally
        colour = "#c62828" if t.result == "不合格" else "#2e7d32"
        self.result_label.setText(f"{a.scope.name} {a.year}年度：<span style='color:{colour}'>{a.result_text}</span>")
        unknown = f"本库无从得知、尚未填写：{'、'.join(a.unknown)}。" if a.unknown else ""
        self.note.setText(f"按{cn_date(a.today)}计。{unknown}依据：{a.sheet.source_note}。{a.sheet.explanation}")
        self.save_button.setEnabled(False)

    def _edited(self, item: QTableWidgetItem) -> None:
        if item.column() != ENTRY_COL:
            return
        key = self._keys[item.row()]
        self._entered[key] = item.text().strip()
        self.save_button.setEnabled(True)

    def set_entry_text(self, key: str, text: str) -> None:
        """Type ``text`` into the 填写 cell of ``key`` (as the clerk would)."""
        item = self.table.item(self._keys.index(key), ENTRY_COL)
        assert item is not None, "every line has its 填写 cell"
        item.setText(text)

    def save_entries(self) -> bool:
        if not self._entered or self.result is None:
            return False
        try:
            self.controller.write(_save_entries, self.result.year, self.result.scope, list(self._entered.items()),
                                  topic=SUPERVISION)
        except UserError as exc:
            QMessageBox.warning(self, "无法保存", str(exc))
            return False
        self.reload()
        return True

    def export(self, path: str | None = None) -> str | None:
        if self.result is None:
            return None
        interactive = not path
        if not path:
            default = f"{self.result.scope.name}{self.result.year}年度监管工作考核评分表.pdf"
            path = files.ask_save_file(self, "导出考核评分表", default, f"{files.PDF_FILTER};;{files.EXCEL_FILTER}")
            if not path:
                return None
        from gzdesk.reports import assessment_sheet

        try:
            assessment_sheet.write(path, self.result)
        except UserError as exc:
            QMessageBox.warning(self, "无法导出", str(exc))
            return None
        window = self.window()
        if hasattr(window, "status_message"):
            window.status_message(f"已导出考核评分表：{path}")
        if interactive:
            files.show_saved(self, "导出考核评分表", "已导出年度监管工作考核评分表。", path)
        return path
