"""数据交换 → 从 Excel 导入: choose a file → sheet, header row and column mapping → preview every
row with its problems → import with progress (cancel leaves nothing) → summary.

The wizard holds an ``ImportPlan`` (plain data from ``gzdesk.exchange.excel_import``) and runs the
domain functions through the ``Controller``; it never sees a session.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QBrush, QColor
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
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from gzdesk import enums
from gzdesk.errors import UserError
from gzdesk.exchange.columns import ACCOUNT_IMPORT_COLUMNS
from gzdesk.exchange.excel_import import (
    ACTION_LABELS,
    ImportPlan,
    ImportResult,
    PlanRow,
    apply_plan,
    check_against,
    fix_cells,
    preview_file,
    remap,
    row_cells,
)
from gzdesk.exchange.progress import Cancelled
from gzdesk.exchange.sheet_reader import cell_text
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRunner, ProgressRunner
from gzdesk.ui.controller import ALL, Controller
from gzdesk.ui.widgets import fit_row_height

BAD_COLOR = QColor("#c62828")
_ROOT = QModelIndex()
AnyIndex = QModelIndex | QPersistentModelIndex
NOT_IMPORTED = "（不导入）"
FILE_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.ods *.csv);;所有文件 (*)"


def column_letter(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s


# --------------------------------------------------------------------------- page 1: file


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("选择文件")
        self.setSubTitle("可导入 Excel（.xlsx/.xls）、WPS 另存的 .xlsx、LibreOffice（.ods）或 CSV 文件。"
                         "表头可以在标题行下面，列的顺序和名称可以不同。")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("台账文件的位置")
        self.path_edit.textChanged.connect(self.completeChanged)
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("文件："))
        layout.addLayout(row)
        layout.addStretch(1)

    def _browse(self) -> None:
        path = files.ask_open_file(self, "选择台账文件", FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def isComplete(self) -> bool:  # noqa: N802 (Qt name)
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:  # noqa: N802
        runner = BackgroundRunner(self, "读取文件", "正在读取并检查各行……")
        try:
            self.wiz.plan = runner.run(
                lambda cb: self.wiz.controller.read(preview_file, self.path_edit.text().strip(), progress=cb))
        except Cancelled:
            return False
        except UserError as exc:
            QMessageBox.warning(self, "无法读取", str(exc))
            return False
        return True


# --------------------------------------------------------------------------- page 2: mapping


class MappingPage(QWizardPage):
    """Sheet, header row, and one combo per source column (auto-filled, fixable)."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self._loading = False
        self.setTitle("工作表和列对应")
        self.setSubTitle("已按列名自动对应；如有不对，请在“导入为”一栏改正。")
        self.sheet_combo = QComboBox()
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, 30)
        self.header_spin.setSuffix(" 行")
        form = QFormLayout()
        form.addRow("工作表：", self.sheet_combo)
        form.addRow("表头在第：", self.header_spin)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["列", "表头", "第一行内容", "导入为"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(3, 200)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        self.sheet_combo.currentTextChanged.connect(self._sheet_changed)
        self.header_spin.valueChanged.connect(self._header_changed)
        self.fields = [(c.key, c.header) for c in ACCOUNT_IMPORT_COLUMNS]

    def initializePage(self) -> None:  # noqa: N802
        plan = self.wiz.loaded_plan
        how = f"文件按 {plan.encoding} 编码读取。" if plan.encoding else ""
        if plan.renamed:
            how += "文件内容与扩展名不符，已按实际格式读取。"
        self.setSubTitle(how + "已按列名自动对应；如有不对，请在“导入为”一栏改正。")
        self._loading = True
        self.sheet_combo.clear()
        self.sheet_combo.addItems(plan.sheets)
        self.sheet_combo.setCurrentText(plan.sheet)
        self.header_spin.setValue(plan.header_row + 1)
        self._loading = False
        self._fill()

    def _sheet_changed(self, name: str) -> None:
        if self._loading or not name:
            return
        remap(self.wiz.loaded_plan, sheet=name)
        self._loading = True
        self.header_spin.setValue(self.wiz.loaded_plan.header_row + 1)
        self._loading = False
        self._fill()

    def _header_changed(self, value: int) -> None:
        if self._loading:
            return
        remap(self.wiz.loaded_plan, header_row=value - 1)
        self._fill()

    def _fill(self) -> None:
        plan = self.wiz.loaded_plan
        rows = plan.tables[plan.sheet]
        header = rows[plan.header_row] if plan.header_row < len(rows) else []
        sample = rows[plan.header_row + 1] if plan.header_row + 1 < len(rows) else []
        width = max(len(header), max((len(r) for r in rows[plan.header_row:plan.header_row + 20]), default=0))
        self.table.setRowCount(width)
        self.combos: list[QComboBox] = []
        for col in range(width):
            self.table.setItem(col, 0, QTableWidgetItem(column_letter(col)))
            self.table.setItem(col, 1, QTableWidgetItem(cell_text(header[col]) if col < len(header) else ""))
            self.table.setItem(col, 2, QTableWidgetItem(cell_text(sample[col]) if col < len(sample) else ""))
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for key, label in self.fields:
                combo.addItem(label, key)
            mapped = plan.mapping.get(col)
            combo.setCurrentIndex(combo.findData(mapped) if mapped else 0)
            self.table.setCellWidget(col, 3, combo)
            self.combos.append(combo)

    def current_mapping(self) -> dict[int, str]:
        return {i: c.currentData() for i, c in enumerate(self.combos) if c.currentData()}

    def validatePage(self) -> bool:  # noqa: N802
        mapping = self.current_mapping()
        doubled = [k for k in set(mapping.values()) if list(mapping.values()).count(k) > 1]
        if doubled:
            labels = "、".join(h for k, h in self.fields if k in doubled)
            QMessageBox.warning(self, "列对应有重复", f"“{labels}”对应了不止一列，请只保留一列")
            return False
        if "name" not in mapping.values() or "platform" not in mapping.values():
            QMessageBox.warning(self, "缺少必需的列", "请指定哪一列是“账号名称”，哪一列是“平台”")
            return False
        plan = self.wiz.loaded_plan
        if plan.checked and mapping == plan.mapping:
            # Nothing changed since the file was read and checked: the check is not run again (it
            # reads the registry's matching records); the rows start un-excluded, as a new check's do.
            for r in plan.accounts.rows:
                r.excluded = False
            return True
        remap(plan, mapping=mapping)
        try:
            BackgroundRunner(self, "检查", "正在与库中的记录比对……").run(
                lambda _cb: self.wiz.controller.read(check_against, plan))
        except UserError as exc:
            QMessageBox.warning(self, "无法检查", str(exc))
            return False
        return True


# --------------------------------------------------------------------------- page 3: preview


class PreviewModel(QAbstractTableModel):
    """Every account row (and any bad row of the 管理队伍 / 备案记录 sheets) with its problems."""

    HEADERS = ("排除", "位置", "处理", "账号名称/姓名/编号", "平台", "主办单位", "问题或说明")

    def __init__(self, plan: ImportPlan, on_change):
        super().__init__()
        self.on_change = on_change
        self.items: list[tuple[str, PlanRow]] = [(plan.sheet, r) for r in plan.rows]
        for part in plan.parts()[1:]:
            self.items.extend((part.sheet, r) for r in part.rows if r.bad)

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:  # noqa: N802
        return len(self.HEADERS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():  # the root (row -1 would be the last item)
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self.items[index.row()][1].bad:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        sheet, row = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and col == 0 and row.bad:
            return Qt.CheckState.Checked if row.excluded else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and row.bad:
            return QBrush(BAD_COLOR)
        if role == Qt.ItemDataRole.ToolTipRole and col == 6:
            return "\n".join(row.problems + row.notes) or None
        if role == Qt.ItemDataRole.ToolTipRole and col in (3, 5):  # past the four wrapped lines
            return self.data(index) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        v = row.values
        if col == 1:
            return f"{sheet} 第 {row.line} 行"
        if col == 2:
            return "有问题" if row.bad else ACTION_LABELS.get(row.action, row.action)
        if col == 3:
            return str(v.get("name") or v.get("number") or "")
        if col == 4:
            p = v.get("platform") or v.get("account_platform")
            return enums.label("platform", p) if isinstance(p, str) else ""
        if col == 5:
            return str(v.get("host_unit") or v.get("unit") or "")
        if col == 6:
            return "；".join(row.problems) if row.bad else "；".join(row.notes)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role == Qt.ItemDataRole.CheckStateRole and index.column() == 0:
            row = self.items[index.row()][1]
            if not row.bad:
                return False
            row.excluded = Qt.CheckState(value) == Qt.CheckState.Checked
            self.dataChanged.emit(index, self.index(index.row(), self.columnCount() - 1))
            self.on_change()
            return True
        return False

    def exclude_all_bad(self) -> None:
        for _sheet, row in self.items:
            if row.bad:
                row.excluded = True
        if self.items:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.items) - 1, self.columnCount() - 1))
        self.on_change()


class RowFixDialog(QDialog):
    """改正此行: the cells of one bad row of the accounts sheet, as the file has them, to correct
    here instead of editing the file and starting again (the file itself is not changed)."""

    def __init__(self, plan: ImportPlan, row: PlanRow, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"改正第 {row.line} 行")
        self.line = row.line
        self.edits: dict[str, QLineEdit] = {}
        self.original: dict[str, str] = {}
        layout = QVBoxLayout(self)
        problems = QLabel("问题：" + "；".join(row.problems))
        problems.setWordWrap(True)
        problems.setStyleSheet(f"color: {BAD_COLOR.name()}")
        layout.addWidget(problems)
        form = QFormLayout()
        labels = {c.key: c.header for c in ACCOUNT_IMPORT_COLUMNS}
        for key, header, text in row_cells(plan, row.line):
            edit = QLineEdit(text)
            edit.setObjectName(key)
            self.edits[key] = edit
            self.original[key] = text
            shown = labels.get(key, key)
            form.addRow(f"{shown}（{header}）：" if header and header != shown else f"{shown}：", edit)
        layout.addLayout(form)
        note = QLabel("改正只用于这次导入，原文件不变。")
        note.setStyleSheet("color: #555")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def texts(self) -> dict[str, str]:
        """The cells the clerk changed."""
        return {k: e.text() for k, e in self.edits.items() if e.text() != self.original[k]}


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("预览")
        self.setSubTitle("红色的行有问题：选中后点“改正此行…”（或双击）在这里改正，或勾选“排除”明确跳过；"
                         "全部通过或已排除后才会写入。")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.view.verticalHeader().hide()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        # rows measured once the events of a change are through (a dragged column resizes many times)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.timeout.connect(self._fit_rows)
        self.view.horizontalHeader().sectionResized.connect(lambda *_a: self._fit_timer.start())
        self.exclude_button = QPushButton("排除全部有问题的行")
        self.exclude_button.clicked.connect(lambda: self.model.exclude_all_bad())
        self.fix_button = QPushButton("改正此行…")
        self.fix_button.setToolTip("在这里改正选中行的单元格，不必修改文件后重新导入（双击红色的行也可）")
        self.fix_button.clicked.connect(self.fix_selected)
        self.view.doubleClicked.connect(lambda _i: self.fix_selected())
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addWidget(self.fix_button)
        row.addWidget(self.exclude_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "导入")

    def initializePage(self) -> None:  # noqa: N802
        self.model = PreviewModel(self.wiz.loaded_plan, self._changed)
        self.view.setModel(self.model)
        self.view.setColumnWidth(0, 48)
        self.view.setColumnWidth(1, 130)
        self.view.setColumnWidth(2, 60)
        self.view.setColumnWidth(3, 180)
        self.view.setColumnWidth(4, 90)
        self.view.setColumnWidth(5, 180)
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._fixable_changed())
        # the texts change only with a new layout (dataChanged is an 排除 tick: no refit of every row)
        for signal in (self.model.layoutChanged, self.model.modelReset):
            signal.connect(lambda *_a: self._fit_rows())
        self._changed()
        self._fixable_changed()
        self._fit_timer.start()  # once the stretched last column has its width

    WRAPPED = (3, 5, 6)  # name, 主办单位, 问题或说明: wrapped to their whole text, never cut off

    def _fit_rows(self) -> None:
        if not hasattr(self, "model"):
            return
        rows = self.model.items
        fit_row_height(self.view, {c: [str(self.model.data(self.model.index(r, c)) or "") for r in range(len(rows))]
                                   for c in self.WRAPPED}, max_lines=4)

    def fixable_row(self) -> PlanRow | None:
        """The selected row when it is a bad row of the accounts sheet (the rows the clerk can correct)."""
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        sheet, row = self.model.items[index.row()]
        return row if row.bad and sheet == self.wiz.loaded_plan.sheet else None

    def _fixable_changed(self) -> None:
        self.fix_button.setEnabled(self.fixable_row() is not None)

    def fix_selected(self) -> None:
        row = self.fixable_row()
        if row is None:
            return
        dialog = RowFixDialog(self.wiz.loaded_plan, row, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.texts():
                return
            self.apply_fix(row.line, dialog.texts())
        finally:
            dialog.deleteLater()

    def apply_fix(self, line: int, texts: dict[str, str]) -> None:
        """Read the sheet again with the corrected cells and show the row where it is."""
        try:
            self.wiz.controller.read(lambda s: fix_cells(self.wiz.loaded_plan, line, texts, s))
        except UserError as exc:
            QMessageBox.warning(self, "无法改正", str(exc))
            return
        self.wiz.fixed_cells.update((line, key) for key in texts)
        self.initializePage()
        for r, (sheet, item) in enumerate(self.model.items):
            if sheet == self.wiz.loaded_plan.sheet and item.line == line:
                self.view.selectRow(r)
                break

    def _changed(self) -> None:
        plan = self.wiz.loaded_plan
        c = plan.counts()
        bad = plan.bad_rows()
        waiting = sum(1 for _s, r in bad if not r.excluded)
        text = (f"工作表“{plan.sheet}”共 {c['rows']} 行：新增 {c['create']}，更新 {c['update']}，"
                f"不变 {c['same']}，有问题 {len(bad)} 行")
        if plan.team:
            text += f"；管理队伍 {c['team_rows']} 行"
        if plan.filings:
            text += f"；备案记录 {c['filing_rows']} 行"
        if waiting:
            text += f"。还有 {waiting} 行有问题未排除，不能导入。"
        elif bad:
            text += f"。已排除 {len(bad)} 行，其余各行将导入。"
        self.summary.setText(text)
        self.exclude_button.setEnabled(waiting > 0)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return all(r.excluded for _s, r in self.wiz.loaded_plan.bad_rows())

    def validatePage(self) -> bool:  # noqa: N802
        runner = ProgressRunner(self, "导入台账", "正在导入……")
        try:
            self.wiz.import_result = runner.run(
                lambda cb: self.wiz.controller.write(apply_plan, self.wiz.loaded_plan, progress=cb, topic=ALL))
        except Cancelled:
            QMessageBox.information(self, "已取消", "已取消导入，数据库没有任何改动。")
            return False
        except UserError as exc:
            QMessageBox.warning(self, "未导入", str(exc))
            return False
        return True


# --------------------------------------------------------------------------- page 4: summary


class SummaryPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("导入完成")
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        result: ImportResult | None = self.wiz.import_result
        fixed = (f"（其中 {len(self.wiz.fixed_cells)} 个单元格在预览中改正，原文件未改）"
                 if self.wiz.fixed_cells else "")
        self.label.setText(f"已从“{self.wiz.loaded_plan.path.name}”导入：{result.summary()}。{fixed}" if result else "")


class ImportWizard(QWizard):
    def __init__(self, controller: Controller, parent: QWidget | None = None, path: str | None = None):
        super().__init__(parent)
        self.controller = controller
        self.plan: ImportPlan | None = None
        self.import_result: ImportResult | None = None  # (QDialog.result() is the dialog's code)
        self.fixed_cells: set[tuple[int, str]] = set()  # (line, field) corrected in the preview (改正此行…)
        self.setWindowTitle("从 Excel 导入台账")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # the import is done by then
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.summary_page = SummaryPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.summary_page):
            self.addPage(page)
        self.resize(980, 640)
        if path:
            self.file_page.path_edit.setText(str(path))

    @property
    def loaded_plan(self) -> ImportPlan:
        """The plan the first page read (the pages after it are shown only once it is)."""
        if self.plan is None:
            raise RuntimeError("the import wizard has no file read yet")
        return self.plan
