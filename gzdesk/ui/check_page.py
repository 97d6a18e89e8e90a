"""The 检查 page: the registry checked against the office's policy document (``rules.check``).

The same findings as ``gzdesk check``: 否决 rows red, 问题 rows amber, each with the article it
comes from (in full in the tooltip and in the line below the table). Filters by 级别, by 规则 and a
search box; double-click opens the account editor; 导出检查结果… writes the shown findings to
.xlsx (``gzdesk.exchange.check_report``). Loaded only when first shown: at 200,000 accounts a
check takes a few seconds and most sessions never open this page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gzdesk import rules
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange.check_report import LEVELS, summary_text, write_check_report
from gzdesk.rules import RULE_LABELS, Finding
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import Controller
from gzdesk.ui.list_model import ListModel
from gzdesk.ui.widgets import (
    EmptyHint,
    LazyPage,
    RowHeights,
    TextMeasures,
    longest_first,
    short_article,
)

RED, RED_BACK = QColor("#c62828"), QColor("#fdecea")
AMBER, AMBER_BACK = QColor("#8a4b00"), QColor("#fff4e0")
WHOLE_UNIT = "（全单位）"


def _colour(f: Finding) -> tuple[QColor | None, QColor | None]:
    if f.level == "否决":
        return RED, RED_BACK
    if f.level == "问题":
        return AMBER, AMBER_BACK
    return None, None


COLUMNS: list[tuple[str, Callable[[Finding], str]]] = [
    ("级别", lambda f: f.level),
    ("规则", lambda f: RULE_LABELS.get(f.rule, f.rule)),
    ("账号", lambda f: f.account or WHOLE_UNIT),
    ("主办单位", lambda f: f.host_unit),
    ("问题", lambda f: f.message),
    ("依据", lambda f: f.article),  # shown as 本办法第八条; in full in the line below the table
]
KEY_COLUMNS = (4, 2, 3, 5)  # 问题, 账号, 主办单位, 依据: wrapped, never cut off (问题 the likeliest to need 3 lines)


def search_text(f: Finding) -> str:
    return f"{f.account}\n{f.host_unit}\n{f.message}\n{f.article}\n{RULE_LABELS.get(f.rule, f.rule)}".lower()


def _shared_texts(findings: list[Finding]) -> list[str]:
    """Make the findings hold one string object for each distinct message and account name, and
    return their search texts (``search_text``), one object for each distinct one.

    ``rules.check`` makes each finding's texts anew: at 200,000 accounts 403,758 findings held
    335,083 message strings of 47,705 distinct texts and 264,774 account names of 42,031, and
    their search texts are 276,612 distinct of 403,758. A search text is dropped for the one kept
    as soon as it is made, so the next one reuses its memory."""
    pool: dict[str, str] = {}
    out = []
    for f in findings:
        f.message = pool.setdefault(f.message, f.message)
        f.account = pool.setdefault(f.account, f.account)
        key = search_text(f)
        out.append(pool.setdefault(key, key))
    return out


@dataclass
class CheckRead:
    findings: list[Finding]
    keys: list[str]  # ``search_text`` of each
    levels: Counter[str]  # the findings by 级别
    rules: Counter[str]  # and by rule
    # each key column's distinct texts, longest first (``widgets.longest_first``; 依据: the articles,
    # shortened when shown), for fitting the row height of the whole list
    texts: dict[int, list[Finding]]
    measures: TextMeasures | None = None  # their widths in the table's font (``widgets.TextMeasures``)


def _counted(findings: list[Finding], keys: list[str]) -> CheckRead:
    texts = longest_first(findings, {c: COLUMNS[c][1] for c in KEY_COLUMNS})
    return CheckRead(findings, keys, Counter(f.level for f in findings), Counter(f.rule for f in findings), texts)


def read_check(session, day: date, measures: TextMeasures | None = None) -> CheckRead:
    """``rules.check``, the search text of every finding, their counts and (``measures``) the widths
    of their distinct texts (in a worker thread on a big database: seconds at 200,000 accounts, and
    150,000 findings)."""
    findings = rules.check(session, day)
    read = _counted(findings, _shared_texts(findings))
    if measures is not None:
        measures.measure(read.texts, {c: COLUMNS[c][1] for c in KEY_COLUMNS})
        read.measures = measures
    return read


def _office_unit(session) -> str:
    from gzdesk.office import office

    return office(session).unit_name


class CheckPage(LazyPage):
    """按制度检查: one row per finding. ``open_account(id)`` asks the window to edit an account."""

    open_account = Signal(int)
    checked = Signal(object, object)  # the findings' counts by 级别 and the day checked (首页 shows them)
    show_unit_accounts = Signal(int)  # a finding on a unit as a whole: its accounts in the 账号台账

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.today: date | None = None  # None: the real today (tests set a day)
        self.findings: list[Finding] = []
        self._keys: list[str] = []
        self._read = _counted([], [])

        self.summary = QLabel()
        self.summary.setObjectName("checkSummary")
        self.summary.setStyleSheet("QLabel#checkSummary { font-size: 11pt; }")
        self.level = QComboBox()
        self.level.addItem("全部级别", None)
        for level in LEVELS:
            self.level.addItem(level, level)
        self.rule = QComboBox()
        self.rule.setMinimumContentsLength(14)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索账号、单位、问题或条款")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.export_button = QPushButton("导出检查结果…")
        self.recheck_button = QPushButton("重新检查")

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.recheck_button)
        top.addWidget(self.export_button)
        from gzdesk.ui.list_actions import print_list

        self.print_button = QPushButton("打印清单…")
        self.print_button.setObjectName("printList")
        self.print_button.setToolTip("把当前显示的检查结果打印成 A4 表格（Ctrl+P）")
        self.print_button.clicked.connect(lambda: print_list(self, self.list_table()))
        top.addWidget(self.print_button)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("级别："))
        filters.addWidget(self.level)
        filters.addWidget(QLabel("规则："))
        filters.addWidget(self.rule)
        filters.addWidget(QLabel("查找："))
        filters.addWidget(self.search, 1)
        self.shown_label = QLabel()
        filters.addWidget(self.shown_label)

        self.model = ListModel(COLUMNS, _colour, self)
        self.document = ""
        self.model.columns[5] = ("依据", lambda f: short_article(f.article, self.document))
        self.table = QTableView()
        self.table.setObjectName("checkTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in enumerate((52, 140, 150, 190, 460, 140)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)  # 问题 takes the room
        self.row_heights = RowHeights(self.table, KEY_COLUMNS, max_lines=3)
        header.sectionResized.connect(lambda *_a: self._fit_rows())
        self.detail = QLabel()
        self.detail.setObjectName("checkDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("QLabel#checkDetail { padding: 6px; background: #f5f5f5; border: 1px solid #ddd; }")
        self.detail.setMinimumHeight(48)

        self.loading = BackgroundRead(controller, "正在检查…", self)
        self.loading.cancelled.connect(self._on_cancelled)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.empty_hint = EmptyHint(self.table, lambda: "正在检查…" if self.loading.busy else "没有符合筛选条件的问题。" if self.findings else (
            "这里按本单位制度检查信息库，每条问题注明依据条款。未发现问题。"))

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)  # at 200k accounts a filter pass is not free
        self._search_timer.timeout.connect(self._apply)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply)
        self.level.currentIndexChanged.connect(self._apply)
        self.rule.currentIndexChanged.connect(self._apply)
        self.table.doubleClicked.connect(self._activated)
        self.table.selectionModel().currentRowChanged.connect(self._show_detail)
        self.export_button.clicked.connect(self.export)
        self.recheck_button.clicked.connect(self.reload)
        self._fill_rules()

    # ------------------------------------------------------------------ loading
    def day(self) -> date:
        return self.today or date.today()

    def set_today(self, day: date | None) -> None:
        self.today = day
        self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Check again: in a worker thread on a big database (seconds at 200,000 accounts), the
        findings shown when it is done."""
        self._stale = False
        self.loading.start(read_check, self.day(), self.row_heights.measures(), done=self._show_findings,
                           failed=lambda _exc: self._show_findings(None))  # database not initialised yet
        self.empty_hint.update_hint()

    def _show_findings(self, read: CheckRead | None) -> None:
        if read is not None:
            try:
                self.document = self.controller.profile.data.get("document", "")
            except UserError:  # database not initialised yet
                read = None
        self._read = read or _counted([], [])
        self.findings, self._keys = self._read.findings, self._read.keys
        self.row_heights.set_whole(self.findings, self._read.texts, self._read.measures)
        self.checked.emit(self._read.levels, self.day())  # counted in the worker, not again here
        self._fill_rules()
        self._apply()

    def _on_cancelled(self) -> None:
        self._stale = True  # checked again when next shown, or with 重新检查
        self.summary.setText("检查已取消，点击“重新检查”再查。")

    def _fill_rules(self) -> None:
        """规则 box: every rule with its count today; the chosen rule stays chosen."""
        chosen = self.rule.currentData()
        counts = self._read.rules
        self.rule.blockSignals(True)
        self.rule.clear()
        self.rule.addItem("全部规则", None)
        for code, label in RULE_LABELS.items():
            self.rule.addItem(f"{label}（{counts[code]}）" if counts[code] else label, code)
        index = self.rule.findData(chosen)
        self.rule.setCurrentIndex(max(index, 0))
        self.rule.blockSignals(False)

    # ------------------------------------------------------------------ filters
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def list_table(self):
        """打印清单: the findings shown, with their articles in full (导出检查结果… writes the workbook)."""
        from gzdesk.printing.lists import ListColumn, ListTable
        from gzdesk.ui.list_actions import filters_text, office_name

        columns = [ListColumn("级别", "center"), ListColumn("规则"), ListColumn("账号"), ListColumn("主办单位"),
                   ListColumn("问题", max_mm=80), ListColumn("依据", max_mm=60)]
        rows = [[f.level, RULE_LABELS.get(f.rule, f.rule), f.account or WHOLE_UNIT, f.host_unit, f.message, f.article]
                for f in self.model.rows]
        pick = lambda c: c.currentText() if c.currentIndex() > 0 else None  # noqa: E731
        words = self.search.text().strip()
        subtitle = filters_text(("级别", pick(self.level)), ("规则", pick(self.rule)),
                                ("查找", f"“{words}”" if words else None), ("检查日期", cn_date(self.day())))
        return ListTable("按制度检查结果", columns, rows, office_name(self.controller), subtitle)

    def apply_link(self, link) -> None:
        """Show what a figure of 首页 counted: the findings of one 级别."""
        self.rule.setCurrentIndex(0)
        self.search.clear()
        self.level.setCurrentIndex(max(self.level.findData(link.get("level")), 0))
        self._apply()

    def visible_findings(self) -> list[Finding]:
        return list(self.model.rows)

    def _apply(self) -> None:
        self._search_timer.stop()
        level, rule = self.level.currentData(), self.rule.currentData()
        words = self.search.text().strip().lower().split()
        if level is None and rule is None and not words:
            rows = list(self.findings)
        else:
            rows = [f for f, key in zip(self.findings, self._keys, strict=True)
                    if (level is None or f.level == level) and (rule is None or f.rule == rule)
                    and all(w in key for w in words)]
        self.model.set_rows(rows)
        self._fit_rows()
        self.summary.setText(self._summary_html())
        filtered = len(rows) != len(self.findings)
        self.shown_label.setText(f"显示 {len(rows)} 条" if filtered else "")
        self.export_button.setEnabled(bool(rows))
        self._show_detail(self.table.currentIndex())

    def _fit_rows(self) -> None:
        self.row_heights.fit(self.model, self.document)

    def _summary_html(self) -> str:
        if not self.findings:
            return f"未发现问题，按{cn_date(self.day())}检查"
        counts = self._read.levels
        text = summary_text(self.findings, self.day(), counts)
        for level, colour in (("否决", "#c62828"), ("问题", "#8a4b00")):
            n = counts.get(level, 0)
            if n:
                text = text.replace(f"{level} {n} 条", f"<span style='color:{colour}'><b>{level} {n} 条</b></span>", 1)
        return text

    def _show_detail(self, index: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not index.isValid() or index.row() >= len(self.model.rows):
            self.detail.setText("选中一条可在此查看问题和依据条款全文；双击打开该账号（单位的问题：在账号台账中列出该单位的账号）。")
            return
        f = self.model.rows[index.row()]
        who = f"{f.account}（{f.host_unit}）" if f.account else (f.host_unit or WHOLE_UNIT)
        self.detail.setText(f"<b>[{f.level}] {RULE_LABELS.get(f.rule, f.rule)}</b>　{_esc(who)}：{_esc(f.message)}"
                            f"<br>依据：{_esc(f.article)}")

    # ------------------------------------------------------------------ actions
    def _activated(self, index: QModelIndex) -> None:
        f = self.model.rows[index.row()]
        if f.account_id is not None:
            self.open_account.emit(f.account_id)
        elif f.host_unit_id is not None:
            self.show_unit_accounts.emit(f.host_unit_id)

    def export(self, path: str | None = None) -> Path | None:
        """导出检查结果…: the findings now shown (after the filters) to .xlsx."""
        rows = self.visible_findings()
        if not rows:
            return None
        interactive = not path
        if not path:
            default = f"制度检查结果{self.day().strftime('%Y%m%d')}.xlsx"
            path = files.ask_save_file(self, "导出检查结果", default, files.EXCEL_FILTER)
            if not path:
                return None
        try:
            unit = self.controller.read(_office_unit)
        except UserError:
            unit = ""
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # ~6 s for 150,000 findings
        try:
            n = write_check_report(path, rows, self.day(), unit)
        except UserError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self, "导出检查结果", exc.message)
            return None
        QApplication.restoreOverrideCursor()
        window = self.window()
        if hasattr(window, "status_message"):
            window.status_message(f"已导出检查结果 {n} 条：{path}")
        if interactive:
            files.show_saved(self, "导出检查结果", f"已导出检查结果 {n} 条。", path)
        return Path(path)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_account_editor(window, account_id: int) -> None:
    """Edit the account of a finding (the same editor as the 账号台账 page); saving re-checks."""
    from gzdesk.ui.account_editor import AccountEditor

    try:
        dialog = AccountEditor(window.controller, account_id, window)
    except UserError as exc:  # deleted meanwhile
        QMessageBox.warning(window, "无法打开账号", exc.message)
        return
    try:
        if dialog.exec() and dialog.saved_id is not None and hasattr(window, "status_message"):
            window.status_message(f"已保存账号“{dialog.saved_name}”")
    finally:
        dialog.deleteLater()


def show_unit_accounts(window, unit_id: int) -> None:
    """The 账号台账 filtered to one 主办单位 (e.g. to compare its account names across platforms)."""
    window.show_page("accounts")
    if not window.registry.show_host_unit(unit_id):
        window.status_message("该单位已没有账号")


def install(window) -> None:
    """The 检查 page and 账号 → 按制度检查 (Ctrl+K)."""
    page = CheckPage(window.controller, window)
    window.add_page("check", "检查", page)
    window.check_page = page
    page.open_account.connect(lambda account_id: open_account_editor(window, account_id))
    page.show_unit_accounts.connect(lambda unit_id: show_unit_accounts(window, unit_id))
    action = QAction("按制度检查(&K)", window)
    action.setShortcut(QKeySequence("Ctrl+K"))
    action.triggered.connect(lambda: window.show_page("check"))
    menu = window.menu("账号")
    menu.addSeparator()
    menu.addAction(action)
    window.check_action = action
