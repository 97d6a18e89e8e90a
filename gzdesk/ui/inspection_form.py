"""The inspection form: one account checked with the indicator sheet (南通 附件2).

单项否决指标 are check boxes (with the 评分细则 that applies), 扣分指标 are counts with the points
they cost shown beside them, and the score and result update as the clerk ticks (the same
``inspections.score`` the command line uses). What the registry already knows is pre-filled
and marked 据本库 — the clerk confirms it or clears it. Saving makes one audited transaction.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, inspections, quarters
from gzdesk.errors import UserError
from gzdesk.indicator_sheets import FAIL, Sheet
from gzdesk.inspections import DEDUCT, VETO, FindingInput
from gzdesk.ui.controller import SUPERVISION, Controller
from gzdesk.ui.widgets import DateEdit, ErrorLabel, fit_to_screen

PREFILL_STYLE = "color: #1565c0;"


class _VetoRow:
    def __init__(self, item, grid: QGridLayout, row: int):
        self.item = item
        self.check = QCheckBox(item.name)
        self.rule = QComboBox()
        self.rule.addItem("（未指明细则）", None)
        for ln in item.lines:
            self.rule.addItem(f"{ln.n}. {ln.rule}", ln.n)
        self.rule.setMaximumWidth(420)
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明")
        self.source = QLabel()
        self.source.setStyleSheet(PREFILL_STYLE)
        self.prefilled = False
        grid.addWidget(self.check, row, 0)
        grid.addWidget(self.rule, row, 1)
        grid.addWidget(self.note, row, 2)
        grid.addWidget(self.source, row + 1, 1, 1, 2)

    def finding(self) -> FindingInput | None:
        if not self.check.isChecked():
            return None
        return FindingInput(VETO, self.item.name, 1, self.rule.currentData(), self.note.text().strip() or None,
                            self.prefilled)


class _DeductRow:
    def __init__(self, item, grid: QGridLayout, row: int):
        self.item = item
        line = item.lines[0]
        self.label = QLabel(f"{item.name}（{item.points}分）")
        self.label.setToolTip(line.rule)
        self.count = QSpinBox()
        self.count.setRange(0, 99)
        self.count.setSuffix(" 起")
        self.count.setToolTip(line.rule)
        self.points = QLabel("")
        self.points.setMinimumWidth(60)
        self.note = QLineEdit()
        self.note.setPlaceholderText("说明")
        self.source = QLabel()
        self.source.setStyleSheet(PREFILL_STYLE)
        self.prefilled = False
        grid.addWidget(self.label, row, 0)
        grid.addWidget(self.count, row, 1)
        grid.addWidget(self.points, row, 2)
        grid.addWidget(self.note, row, 3)
        grid.addWidget(self.source, row, 4)

    def finding(self) -> FindingInput | None:
        n = self.count.value()
        if n <= 0:
            return None
        return FindingInput(DEDUCT, self.item.name, n, None, self.note.text().strip() or None, self.prefilled)


class InspectionDialog(QDialog):
    """登记检查. ``result_id`` is the inspection saved."""

    def __init__(self, controller: Controller, account_id: int | None = None, parent: QWidget | None = None,
                 today: date | None = None):
        super().__init__(parent)
        self.controller = controller
        self.today = today or date.today()
        self.result_id: int | None = None
        self.account_id: int | None = None
        self.sheet: Sheet = controller.read(inspections.sheet_of)
        self.setWindowTitle("登记检查")
        fit_to_screen(self, 1060, 760)

        # -- who, when
        self.search = QLineEdit()
        self.search.setPlaceholderText("输入账号名称、主办单位或编号查找")
        self.search.setClearButtonEnabled(True)
        self.matches = QListWidget()
        self.matches.setMaximumHeight(96)
        self.account_label = QLabel("（未选择账号）")
        self.account_label.setObjectName("inspectionAccount")
        self.account_label.setStyleSheet("QLabel#inspectionAccount { font-weight: bold; }")
        self.inspected_on = DateEdit()
        self.inspected_on.setDate(self.today)
        self.quarter = QComboBox()
        self._fill_quarters()
        self.inspector = QLineEdit()
        self.inspector.setPlaceholderText("检查人姓名")
        self.level = QComboBox()
        for code, label in enums.labels("inspection_level").items():
            self.level.addItem(label, code)
        self.note = QLineEdit()
        self.note.setPlaceholderText("本次检查的总体说明（可不填）")
        form = QFormLayout()
        form.addRow("查找账号：", self.search)
        form.addRow("", self.matches)
        form.addRow("检查账号：", self.account_label)
        when = QHBoxLayout()
        when.addWidget(self.inspected_on, 1)
        when.addWidget(QLabel("季度："))
        when.addWidget(self.quarter)
        when.addWidget(QLabel("类别："))
        when.addWidget(self.level)
        form.addRow("检查日期：", when)
        form.addRow("检查人：", self.inspector)
        form.addRow("备注：", self.note)

        # -- the sheet
        veto_box = QGroupBox(f"{self.sheet.groups.get('veto') or '单项否决指标'}（出现任意一种，即单项否决）")
        vgrid = QGridLayout(veto_box)
        self.veto_rows = [_VetoRow(it, vgrid, 2 * i) for i, it in enumerate(self.sheet.veto)]
        vgrid.setColumnStretch(2, 1)
        deduct_box = QGroupBox(self.sheet.groups.get("deduction") or "扣分指标")
        dgrid = QGridLayout(deduct_box)
        self.deduct_rows = [_DeductRow(it, dgrid, i) for i, it in enumerate(self.sheet.deductions)]
        dgrid.setColumnStretch(3, 1)
        sheet_widget = QWidget()
        sl = QVBoxLayout(sheet_widget)
        sl.addWidget(veto_box)
        sl.addWidget(deduct_box)
        explanation = QLabel(self.sheet.explanation + "\n依据：" + self.sheet.source_note)
        explanation.setWordWrap(True)
        explanation.setStyleSheet("color: #555;")
        sl.addWidget(explanation)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(sheet_widget)

        self.score_label = QLabel()
        self.score_label.setObjectName("inspectionScore")
        self.score_label.setStyleSheet("QLabel#inspectionScore { font-size: 13pt; font-weight: bold; }")
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(scroll, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.score_label, 1)
        bottom.addWidget(self.buttons)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.matches.itemActivated.connect(self._picked)
        self.matches.itemClicked.connect(self._picked)
        self.inspected_on.changed.connect(self._date_changed)
        for r in self.veto_rows:
            r.check.toggled.connect(self._update_score)
        for d in self.deduct_rows:
            d.count.valueChanged.connect(self._update_score)
        if account_id is not None:
            self.set_account(account_id)
            self.matches.hide()
        else:
            self._search()
        self._update_score()

    # ------------------------------------------------------------------ account and date
    def _fill_quarters(self) -> None:
        current = quarters.of(self.today)
        q = current
        self.quarter.clear()
        for _ in range(5):
            self.quarter.addItem(q.label, q.code)
            q = quarters.Quarter(q.year - 1, 4) if q.q == 1 else quarters.Quarter(q.year, q.q - 1)

    def _search(self) -> None:
        self._timer.stop()
        self.matches.clear()
        for choice in self.controller.read(inspections.search_accounts, self.search.text()):
            item = QListWidgetItem(choice.text)
            item.setData(Qt.ItemDataRole.UserRole, choice.id)
            self.matches.addItem(item)
        # the list only while choosing: an account already chosen and nothing typed needs no list
        self.matches.setVisible(self.account_id is None or bool(self.search.text().strip()))

    def _picked(self, item: QListWidgetItem) -> None:
        self.set_account(item.data(Qt.ItemDataRole.UserRole))

    def set_account(self, account_id: int) -> None:
        choice = self.controller.read(inspections.account_choice, account_id)
        self.account_id = account_id
        self.account_label.setText(choice.text)
        self._prefill()

    def _date_changed(self) -> None:
        try:
            d = self.inspected_on.date()
        except ValueError:
            return
        if d is not None:
            i = self.quarter.findData(quarters.of(d).code)
            if i >= 0:
                self.quarter.setCurrentIndex(i)
            if self.account_id is not None:
                self._prefill()

    def _prefill(self) -> None:
        """Tick what the registry knows on the inspection date; clear earlier pre-fills."""
        try:
            on = self.inspected_on.date() or self.today
        except ValueError:
            on = self.today
        found = self.controller.read(inspections.prefill, self.account_id, on, self.sheet)
        for r in self.veto_rows:
            if r.prefilled:
                r.check.setChecked(False)
                r.note.clear()
            r.prefilled = False
            r.source.clear()
        for d in self.deduct_rows:
            if d.prefilled:
                d.count.setValue(0)
                d.note.clear()
            d.prefilled = False
            d.source.clear()
        for r in self.veto_rows:
            r.source.setVisible(False)
        for f in found:
            if f.kind == VETO:
                r = next(x for x in self.veto_rows if x.item.name == f.item)
                r.check.setChecked(True)
                r.rule.setCurrentIndex(max(r.rule.findData(f.rule_no), 0))
                r.note.setText(f.note or "")
                r.prefilled = True
                r.source.setText(f"据本库：{f.note}（如核实不存在，请取消勾选）")
                r.source.setVisible(True)
            else:
                d = next(x for x in self.deduct_rows if x.item.name == f.item)
                d.count.setValue(f.count)
                d.note.setText(f.note or "")
                d.prefilled = True
                d.source.setText("据本库")
                d.source.setToolTip(f.note or "")
        self._update_score()

    # ------------------------------------------------------------------ scoring
    def findings(self) -> list[FindingInput]:
        out = [f for r in self.veto_rows if (f := r.finding())]
        return out + [f for r in self.deduct_rows if (f := r.finding())]

    def scored(self) -> inspections.Scored:
        return inspections.score(self.sheet, self.findings())

    def _update_score(self) -> None:
        s = self.scored()
        vetoed = s.vetoed
        for r in self.deduct_rows:
            f = next((x for x in s.deductions if x.item == r.item.name), None)
            r.points.setText("" if f is None else "不计分" if vetoed else f"扣{f.points}分")
        if vetoed:
            text = f"单项否决（{'、'.join(f.item for f in s.veto)}）：{FAIL}，不再对其他指标评分"
        else:
            text = f"得分：{s.score}　{s.result}"
        colour = "#c62828" if s.result == FAIL else "#2e7d32"
        self.score_label.setText(f"<span style='color:{colour}'>{text}</span>")

    # ------------------------------------------------------------------ saving
    def submit(self) -> bool:
        try:
            if self.account_id is None:
                raise UserError("请先选择要检查的账号")
            on = self.inspected_on.date()
            if on is None:
                raise UserError("请填写检查日期")
            d = self.controller.write(inspections.new_inspection, self.account_id, self.quarter.currentData(), on,
                                      self.inspector.text(), self.findings(), level=self.level.currentData(),
                                      note=self.note.text(), topic=SUPERVISION)
        except ValueError as exc:
            self.error.set_error(f"检查日期：{exc}")
            return False
        except UserError as exc:
            self.error.set_error(str(exc))
            return False
        self.result_id = d.id
        self.saved = d
        return True

    def accept(self) -> None:
        if self.submit():
            super().accept()
