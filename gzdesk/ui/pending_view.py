"""The 待办 page: every pending deadline (``deadlines.pending``), overdue first and in red.

The same list as ``gzdesk due``: filing deadlines, the 主管单位's provincial filing, backfill
windows, 停更注销公告 and closures, 离职 tasks — each with its due date in working days and the
article it comes from. Filters: by 类别 and 只看逾期.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
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
from gzdesk.ui.controller import Controller
from gzdesk.ui.widgets import LazyPage

AnyIndex = QModelIndex | QPersistentModelIndex
RED = QColor("#c62828")
RED_BACK = QColor("#fdecea")
AMBER = QColor("#a15c00")


class RowsModel(QAbstractTableModel):
    """A read-only table over a Python list; ``columns`` are (header, text(row)).

    ``colour(row)`` may give a (foreground, background) pair for a whole row.
    """

    def __init__(self, columns: Sequence[tuple[str, Callable[[Any], str]]],
                 colour: Callable[[Any], tuple[QColor | None, QColor | None]] | None = None, parent: Any = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.colour = colour
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.columns[index.column()][1](row)
        if self.colour and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            fg, bg = self.colour(row)
            c = fg if role == Qt.ItemDataRole.ForegroundRole else bg
            return QBrush(c) if c is not None else None
        return None


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
    ("时限规定", lambda i: i.rule),
    ("依据", lambda i: i.article),
    ("说明", lambda i: i.message),
]


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
        self.overdue_only = QCheckBox("只看逾期")
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("类别："))
        top.addWidget(self.kind)
        top.addWidget(self.overdue_only)
        top.addStretch(1)
        top.addWidget(self.summary)
        self.model = RowsModel(COLUMNS, _colour, self)
        self.table = QTableView()
        self.table.setObjectName("pendingTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((130, 120, 100, 230, 150, 100, 250, 300)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.kind.currentIndexChanged.connect(self._apply)
        self.overdue_only.toggled.connect(self._apply)

    def day(self) -> date:
        return self.today or date.today()

    def set_today(self, day: date | None) -> None:
        self.today = day
        self.reload()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._stale = False
        try:
            self.items = self.controller.read(deadlines.pending, self.day())
        except UserError:  # database not initialised yet
            self.items = []
        self._apply()

    def visible_items(self) -> list[DueItem]:
        return list(self.model.rows)

    def _apply(self) -> None:
        kind = self.kind.currentData()
        rows = [i for i in self.items if (kind is None or i.kind == kind)
                and (not self.overdue_only.isChecked() or i.overdue)]
        self.model.set_rows(rows)
        late = sum(1 for i in self.items if i.overdue)
        self.summary.setText(f"共 {len(self.items)} 项，逾期 <span style='color:#c62828'><b>{late}</b></span> 项"
                             f"（按{cn_date(self.day())}计）")

    def _activated(self, index: QModelIndex) -> None:
        item = self.model.rows[index.row()]
        if item.filing_id is not None:
            self.open_filing.emit(item.filing_id)
        elif item.account_id is not None and item.kind in ("backfill", "filing"):
            self.start_filing.emit(item.account_id, "backfill" if item.kind == "backfill" else "open")
        elif item.kind in ("rectify", "quarter_report", "fake"):
            self.open_record.emit(item.kind, item.ref_id if item.ref_id is not None else -1)
