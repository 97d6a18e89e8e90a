"""审计日志 page: who did what and when, filtered; the before/after of each change; Excel; the check.

Reads through ``gzdesk.audit_log`` (the controller's read) and checks through
``gzdesk.backup.verify_database`` (the same check as ``gzdesk verify``). Everyone may look; a 只读
user's Excel copy has its phone numbers masked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gzdesk import audit_log, backup
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import may
from gzdesk.ui.list_model import ListModel
from gzdesk.ui.widgets import DateEdit, LazyPage

PAGE = "audit"
LIMIT = 5000  # rows shown at once (the filters narrow it; the Excel export has them all)
AUTO_CHECK_BYTES = 30 * 1024 * 1024  # databases smaller than this are checked when the page is first shown
COLUMNS = (
    ("编号", lambda e: str(e.id)),
    ("时间", lambda e: e.at_text),
    ("操作人", lambda e: e.actor),
    ("操作", lambda e: e.action_label),
    ("对象", lambda e: e.entity_label),
    ("记录", lambda e: e.summary),
    ("修改内容", lambda e: e.changes_text()),
)
OK_STYLE = "color: #2e7d32;"
BAD_STYLE = "color: #c62828; font-weight: bold;"


def _colour(e: audit_log.EventRow):
    if e.action == "delete":
        return QColor("#8b1a1a"), None
    if e.action in ("restore", "baseline", "repin", "reset_source"):
        return QColor("#1f4e8c"), None
    return None, None


@dataclass
class AuditRead:
    actors: list[str]
    rows: list[audit_log.EventRow]
    total: int
    error: str | None = None


def read_audit(session, filters: audit_log.Filters, limit: int) -> AuditRead:
    """The 操作人 box's names, the events the filters let through and how many there are in all
    (in a worker thread on a big database). A 操作人 no longer in the log counts as 全部."""
    names = audit_log.actors(session)
    if filters.actor is not None and filters.actor not in names:
        filters = replace(filters, actor=None)
    try:
        return AuditRead(names, audit_log.list_events(session, filters, limit), audit_log.count_events(session))
    except UserError as exc:
        return AuditRead(names, [], 0, exc.message)


class AuditPage(LazyPage):
    """The 审计日志 page (a page of the main window)."""

    reload_topics = None  # every write adds events

    def __init__(self, controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.rows: list[audit_log.EventRow] = []
        self.actor = QComboBox()
        self.actor.setObjectName("auditActor")
        self.actor.setMinimumContentsLength(8)
        self.since = DateEdit()
        self.until = DateEdit()
        self.record = QLineEdit()
        self.record.setObjectName("auditRecord")
        self.record.setPlaceholderText("记录名称、编号或标识")
        self.record.setClearButtonEnabled(True)
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem("全部操作", None)
        for code, label in audit_log.ACTION_LABELS.items():
            self.action.addItem(label, code)
        self.entity = QComboBox()
        self.entity.setObjectName("auditEntity")
        self.entity.addItem("全部对象", None)
        for code, label in audit_log.TABLE_LABELS.items():
            if code != "*":
                self.entity.addItem(label, code)
        self.count = QLabel()
        self.export_button = QPushButton("导出 Excel…")
        self.verify_button = QPushButton("校验审计日志")
        self.verify_button.setObjectName("auditVerify")
        for edit in (self.since, self.until):
            edit.setMinimumWidth(150)
        bar = QHBoxLayout()
        for label, widget in (("操作人：", self.actor), ("日期从", self.since), ("至", self.until), ("记录：", self.record),
                              ("", self.action), ("", self.entity)):
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(widget, 2 if widget is self.record else 0)

        self.result = QLabel("尚未校验：点“校验审计日志”重新计算校验链，并逐条核对记录与日志")
        self.result.setObjectName("auditResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        second = QHBoxLayout()
        second.addWidget(self.result, 1)
        second.addWidget(self.count)
        second.addWidget(self.export_button)
        second.addWidget(self.verify_button)

        self.model = ListModel(COLUMNS, _colour, self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in enumerate((60, 150, 80, 80, 80, 220)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

        self.detail = QTableWidget(0, 3)
        self.detail.setObjectName("auditDetail")
        self.detail.setHorizontalHeaderLabels(["字段", "修改前", "修改后"])
        self.detail.verticalHeader().hide()
        self.detail.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.detail.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.detail.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.detail.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.detail_title = QLabel("选择一条记录查看修改前后的内容")
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self.loading = BackgroundRead(controller, "正在读取审计日志…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(second)
        layout.addWidget(self.loading)
        layout.addWidget(splitter, 1)
        self._checked_once = False

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.reload)
        for combo in (self.actor, self.action, self.entity):
            combo.currentIndexChanged.connect(lambda _i: self._timer.start())
        self.record.textChanged.connect(lambda _t: self._timer.start())
        self.since.changed.connect(self._timer.start)
        self.until.changed.connect(self._timer.start)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_detail())
        self.export_button.clicked.connect(lambda: self.export())
        self.verify_button.clicked.connect(self.verify)

    # ------------------------------------------------------------------ reading
    def filters(self) -> audit_log.Filters:
        return audit_log.Filters(actor=self.actor.currentData(), since=self.since.date(), until=self.until.date(),
                                 text=self.record.text().strip() or None, action=self.action.currentData(),
                                 entity=self.entity.currentData())

    def reload(self) -> None:
        """Read the events the filters let through (in a worker thread on a big database)."""
        self._stale = False
        self._timer.stop()
        self.loading.start(read_audit, self.filters(), LIMIT, done=self._got)

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown

    def _got(self, read: AuditRead) -> None:
        self._fill_actors(read.actors)
        if read.error is not None:
            self.result.setText(read.error)
            return
        self.rows, total = read.rows, read.total
        self.model.set_rows(self.rows)
        shown = f"显示 {len(self.rows)} 条" + ("（最近的）" if len(self.rows) >= LIMIT else "")
        self.count.setText(f"{shown}，共 {total} 条")
        if self.rows:
            self.table.selectRow(0)
        self._show_detail()
        if not self._checked_once:
            self._checked_once = True
            try:  # a small registry is checked at once; a big one (seconds per 100,000 rows) on request
                small = Path(self.controller.db.path).stat().st_size < AUTO_CHECK_BYTES
            except OSError:
                small = False
            if small:
                QTimer.singleShot(0, self.verify)

    def _fill_actors(self, names: list[str]) -> None:
        current = self.actor.currentData()
        self.actor.blockSignals(True)
        self.actor.clear()
        self.actor.addItem("全部", None)
        for name in names:
            self.actor.addItem(name, name)
        index = self.actor.findData(current) if current else 0
        self.actor.setCurrentIndex(max(0, index))
        self.actor.blockSignals(False)

    def selected(self) -> audit_log.EventRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows and rows[0].row() < len(self.rows) else None

    def _show_detail(self) -> None:
        e = self.selected()
        self.detail.setRowCount(0)
        if e is None:
            self.detail_title.setText("选择一条记录查看修改前后的内容")
            return
        self.detail_title.setText(f"第 {e.id} 条：{e.at_text}  {e.actor}  {e.action_label}{e.entity_label}"
                                  f"“{e.summary}”" + (f"  标识 {e.entity_uuid}" if e.entity_uuid else ""))
        lines = [(c.label, c.before, c.after) for c in e.changes]
        if e.rows:
            lines.insert(0, ("批量写入", "", f"{e.rows} 条记录，每条的内容摘要记入审计明细"))
        self.detail.setRowCount(len(lines))
        for r, (label, before, after) in enumerate(lines):
            for c, text in enumerate((label, before, after)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.detail.setItem(r, c, item)

    # ------------------------------------------------------------------ actions
    def export(self, path: str | Path | None = None) -> int | None:
        masked = not may(self.controller, Cap.EXPORT)
        if path is None:
            name = f"审计日志{'（脱敏）' if masked else ''}{cn_date(date.today())}.xlsx"
            path = files.ask_save_file(self, "导出审计日志", name, files.EXCEL_FILTER)
            if not path:
                return None
            interactive = True
        else:
            interactive = False
        try:
            n = self.controller.read(audit_log.export_events, Path(path), self.filters(), mask_phones=masked)
        except UserError as exc:
            QMessageBox.warning(self, "导出审计日志", exc.message)
            return None
        status = getattr(self.window(), "status_message", None)
        if callable(status):
            status(f"已导出 {n} 条审计记录到 {path}" + ("（电话已脱敏）" if masked else ""))
        if interactive:
            files.show_saved(self, "导出审计日志", f"已导出 {n} 条审计记录" + ("（电话已脱敏）。" if masked else "。"), path)
        return n

    def verify(self) -> backup.VerifyReport | None:
        try:
            report = backup.verify_database(Path(self.controller.db.path))
        except UserError as exc:
            self.result.setText(exc.message)
            self.result.setStyleSheet(BAD_STYLE)
            return None
        head = f"链末端：第 {report.head[0]} 条 {report.head[1][:16]}。" if report.head else ""
        if report.ok:
            self.result.setText(f"校验通过：审计日志 {report.events} 条的校验链完整，每条记录都与日志相符。{head}"
                                "（这说明文件内部一致；改写整个文件的人也能重算校验链，可与上报快照、备份或登记表上的"
                                "链末端比对。）")
            self.result.setStyleSheet(OK_STYLE)
        else:
            first = report.problems[0].message
            more = f"（另有 {len(report.problems) - 1} 个问题，见 文件 → 检查数据库）" if len(report.problems) > 1 else ""
            self.result.setText(f"校验未通过：{first}{more}")
            self.result.setStyleSheet(BAD_STYLE)
        return report


def install(window) -> None:
    page = AuditPage(window.controller, window)
    window.add_page(PAGE, "审计日志", page)
    window.audit_page = page
