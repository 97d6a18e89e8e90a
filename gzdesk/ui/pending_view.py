"""The 待办 page: every pending deadline (``deadlines.pending``), overdue first and in red.

The same list as ``gzdesk due``: filing deadlines, the 主管单位's provincial filing, backfill
windows, 停更注销公告 and closures, 离职 tasks — each with its due date in working days and the
article it comes from. Filters: by 类别 and 只看逾期.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gzdesk import deadlines
from gzdesk.dates import cn_date
from gzdesk.deadlines import DueItem
from gzdesk.errors import UserError
from gzdesk.overview import in_scope
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

AnyIndex = QModelIndex | QPersistentModelIndex
RED = QColor("#c62828")
RED_BACK = QColor("#fdecea")
AMBER = QColor("#a15c00")




def _colour(item: DueItem) -> tuple[QColor | None, QColor | None]:
    if item.overdue:
        return RED, RED_BACK
    if item.days_left is None:
        return None, None  # in progress, no deadline: plain
    if item.days_left <= 2:
        return AMBER, None
    return None, None


COLUMNS: list[tuple[str, Callable[[DueItem], str]]] = [
    ("到期日", lambda i: i.due_text),
    ("剩余", lambda i: i.left_text),
    ("类别", lambda i: i.kind_label),
    ("事项", lambda i: i.title),
    ("账号", lambda i: i.account),
    ("备案号", lambda i: i.filing_number or ""),
    ("依据", lambda i: i.article),  # shown shortened (本办法第十七条); in full below the table
    ("说明", lambda i: i.message),
]
# 事项, 依据, 说明 wrap and are never cut off; the rule (时限规定) is long and the same for every item
# of a kind: it is shown in full, with the article, in the line below the table
KEY_COLUMNS = (3, 6, 7)
ARTICLE = 6


@dataclass
class PendingRead:
    items: list[DueItem]
    texts: dict[int, list[DueItem]]  # ``widgets.longest_first`` of the key columns (依据: the articles in full)
    measures: TextMeasures | None = None


def read_pending(session, day: date, measures: TextMeasures | None = None) -> PendingRead:
    """``deadlines.pending``, each key column's distinct texts, longest first, and (``measures``)
    their widths in the table's font (in the worker thread on a big database: the row height is
    then fitted without a pass over every item, nor a text measured on the GUI thread)."""
    items = deadlines.pending(session, day)
    texts = longest_first(items, {c: COLUMNS[c][1] for c in KEY_COLUMNS})
    if measures is not None:
        measures.measure(texts, {c: COLUMNS[c][1] for c in KEY_COLUMNS})
    return PendingRead(items, texts, measures)


SCOPES: tuple[tuple[str, str | None], ...] = (("全部", None), ("只看逾期", "overdue"), ("本周到期", "week"),
                                              ("在办无时限", "undated"))


class PendingView(LazyPage):
    """待办: deadlines of filings and tasks. Double-click opens the filing on the 备案 page, or
    starts the missing 开设/补办 filing of an account that has none."""

    open_filing = Signal(int)
    start_filing = Signal(int, str)  # account id, filing kind: an account with no filing yet
    open_record = Signal(str, int)  # a supervision item (整改, 季度报告, 假冒账号): its kind and record id (-1: none)

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.today: date | None = None  # None: the real today (tests set a day)
        self.items: list[DueItem] = []
        self.kind = QComboBox()
        self.kind.addItem("全部类别", None)
        for code, label in deadlines.KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.scope = QComboBox()
        for scope_label, scope in SCOPES:
            self.scope.addItem(scope_label, scope)
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("类别："))
        top.addWidget(self.kind)
        top.addWidget(QLabel("范围："))
        top.addWidget(self.scope)
        top.addStretch(1)
        top.addWidget(self.summary)
        from gzdesk.ui.list_actions import add_list_buttons

        add_list_buttons(self, top)
        self.model = ListModel(COLUMNS, _colour, self)
        self.document = ""  # the office's own document: its articles read 本办法第十七条 in the table
        self.model.columns[ARTICLE] = ("依据", lambda i: short_article(i.article, self.document))
        self.table = QTableView()
        self.table.setObjectName("pendingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((104, 116, 96, 210, 130, 92, 124)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._activated)
        self.row_heights = RowHeights(self.table, KEY_COLUMNS, max_lines=3)
        header.sectionResized.connect(lambda *_a: self._fit_rows())
        self.detail = QLabel()
        self.detail.setObjectName("pendingDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("QLabel#pendingDetail { padding: 6px; background: #f5f5f5; border: 1px solid #ddd; }")
        self.detail.setMinimumHeight(44)
        self.table.selectionModel().currentRowChanged.connect(lambda *_a: self._show_detail())
        self.loading = BackgroundRead(controller, "正在计算待办期限…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.empty_hint = EmptyHint(self.table, lambda: "没有符合筛选条件的待办。" if self.items else (
            "这里按工作日列出备案、报送、公告和离职待办的时限，逾期的在最前。现在没有待办：各项都已按时办理。"))
        self.kind.currentIndexChanged.connect(self._apply)
        self.scope.currentIndexChanged.connect(self._apply)

    def day(self) -> date:
        return self.today or date.today()

    def set_today(self, day: date | None) -> None:
        self.today = day
        self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the deadlines again: in a worker thread on a big database, shown when done."""
        self._stale = False
        self.loading.start(read_pending, self.day(), self.row_heights.measures(), done=self._show_items,
                           failed=lambda _exc: self._show_items(None))  # database not initialised yet

    def _show_items(self, read: PendingRead | None) -> None:
        if read is not None:
            try:
                self.document = self.controller.profile.data.get("document", "")
            except UserError:  # database not initialised yet
                read = None
        self.items = read.items if read is not None else []
        self.row_heights.set_whole(self.items, read.texts if read is not None else {},
                                   read.measures if read is not None else None)
        self._apply()

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown

    def visible_items(self) -> list[DueItem]:
        return list(self.model.rows)

    def _apply(self) -> None:
        kind = self.kind.currentData()
        keep = in_scope(self.scope.currentData(), self.day())
        rows = [i for i in self.items if (kind is None or i.kind == kind) and keep(i)]
        self.model.set_rows(rows)
        self._fit_rows()
        self._show_detail()
        late = sum(1 for i in self.items if i.overdue)
        self.summary.setText(f"共 {len(self.items)} 项，逾期 <span style='color:#c62828'><b>{late}</b></span> 项"
                             f"（按{cn_date(self.day())}计）")

    def _fit_rows(self) -> None:
        self.row_heights.fit(self.model, self.document)

    def _show_detail(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or index.row() >= len(self.model.rows):
            self.detail.setText("选中一条可在此查看时限规定和依据条款全文；双击打开对应的备案（尚未备案的账号：新建备案）。")
            return
        i = self.model.rows[index.row()]
        when = f"{i.due_text}（{i.left_text}）" if i.due_text else i.left_text
        self.detail.setText(f"<b>[{html.escape(i.kind_label)}] {html.escape(i.title)}</b>　{html.escape(when)}"
                            f"<br>{html.escape(i.rule)}　依据：{html.escape(i.article)}<br>{html.escape(i.message)}")

    def list_table(self):
        """打印清单 / 导出 Excel: the items shown, with the rule and the article in full."""
        from gzdesk.printing.lists import ListColumn, ListTable
        from gzdesk.ui.list_actions import filters_text, office_name

        columns = [ListColumn("到期日"), ListColumn("剩余"), ListColumn("类别"), ListColumn("事项", max_mm=50),
                   ListColumn("账号"), ListColumn("备案号"), ListColumn("时限规定", max_mm=55),
                   ListColumn("依据", max_mm=45), ListColumn("说明", max_mm=60)]
        rows = [[i.due_text, i.left_text, i.kind_label, i.title, i.account, i.filing_number or "", i.rule, i.article,
                 i.message] for i in self.model.rows]
        pick = lambda c: c.currentText() if c.currentIndex() > 0 else None  # noqa: E731
        subtitle = filters_text(("类别", pick(self.kind)), ("范围", pick(self.scope)),
                                ("计算日期", cn_date(self.day())))
        return ListTable("待办时限", columns, rows, office_name(self.controller), subtitle)

    def apply_link(self, link) -> None:
        """Show what a figure of 首页 counted (范围: overdue / week; 类别)."""
        self.kind.setCurrentIndex(max(self.kind.findData(link.get("kind")), 0))
        self.scope.setCurrentIndex(max(self.scope.findData(link.get("scope")), 0))

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.rows[index.row()]
        if item.filing_id is not None:
            self.open_filing.emit(item.filing_id)
        elif item.account_id is not None and item.kind in ("backfill", "filing"):
            self.start_filing.emit(item.account_id, "backfill" if item.kind == "backfill" else "open")
        elif item.kind in ("rectify", "quarter_report", "fake"):
            self.open_record.emit(item.kind, item.ref_id if item.ref_id is not None else -1)
