"""监管 pages: 季度检查 (inspections), 整改, 假冒账号, and the 监管 menu that also opens 年度考核 and the
reports. Every page reads and writes through the ``Controller`` (topic ``supervision``); the
domain is ``gzdesk.inspections``, ``rectify``, ``fakes``; the forms are in ``inspection_form`` and
``report_dialogs``, the assessment sheet in ``assessment_page``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, fakes, inspections, quarters, rectify
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.indicator_sheets import FAIL
from gzdesk.permissions import Cap
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import ALL, SUPERVISION, Controller, may
from gzdesk.ui.inspection_form import InspectionDialog
from gzdesk.ui.list_model import ListModel
from gzdesk.ui.widgets import DateEdit, ErrorLabel, LazyPage, confirm

RED, RED_BACK = QColor("#c62828"), QColor("#fdecea")
GREEN = QColor("#2e7d32")
GREY = QColor("#777777")


def _table(model: ListModel, widths: tuple[int, ...], name: str) -> QTableView:
    t = QTableView()
    t.setObjectName(name)
    t.setModel(model)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().hide()
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    t.setWordWrap(False)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    for col, w in enumerate(widths):
        t.setColumnWidth(col, w)
    return t


def _selected(table: QTableView, model: ListModel) -> list:
    rows = sorted({i.row() for i in table.selectionModel().selectedRows()})
    return [model.rows[r] for r in rows if r < len(model.rows)]


def _select_row(table: QTableView, model: ListModel, record_id: int) -> bool:
    for row, r in enumerate(model.rows):
        if r.id == record_id:
            table.selectRow(row)
            table.scrollTo(model.index(row, 0))
            return True
    return False


def quarter_box(today: date, n: int = 8, with_all: bool = True) -> QComboBox:
    box = QComboBox()
    if with_all:
        box.addItem("全部季度", None)
    q = quarters.of(today)
    for _ in range(n):
        box.addItem(q.label, q.code)
        q = quarters.Quarter(q.year - 1, 4) if q.q == 1 else quarters.Quarter(q.year, q.q - 1)
    return box


class _SmallDialog(QDialog):
    """A form with an error line and OK/取消; ``submit`` does the work."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(520, 200)

    def accept(self) -> None:
        if self.submit():
            super().accept()

    def submit(self) -> bool:
        try:
            self.do()
        except ValueError as exc:
            self.error.set_error(f"日期：{exc}")
            return False
        except UserError as exc:
            self.error.set_error(str(exc))
            return False
        return True

    def do(self) -> None:
        raise NotImplementedError

    @staticmethod
    def required_date(edit: DateEdit, what: str) -> date:
        d = edit.date()
        if d is None:
            raise UserError(f"请填写{what}")
        return d


# --------------------------------------------------------------------------- 季度检查

INSPECTION_COLUMNS: list[tuple[str, Callable]] = [
    ("编号", lambda r: str(r.id)),
    ("季度", lambda r: r.quarter),
    ("检查日期", lambda r: cn_date(r.inspected_on)),
    ("账号", lambda r: r.account),
    ("平台", lambda r: r.platform_label),
    ("主办单位", lambda r: r.host_unit or ""),
    ("类别", lambda r: r.level_label),
    ("得分", lambda r: r.score_text),
    ("结果", lambda r: r.result),
    ("问题", lambda r: str(r.findings)),
    ("未整改", lambda r: str(r.open_items)),
    ("通报日期", lambda r: cn_date(r.notified_on)),
    ("检查人", lambda r: r.inspector),
]


def _inspection_colour(r) -> tuple[QColor | None, QColor | None]:
    return (RED, RED_BACK) if r.result == FAIL else (None, None)


@dataclass
class InspectionsRead:
    rows: list[inspections.InspectionRow]
    coverage: inspections.Coverage | None  # of the quarter chosen (None: 全部季度)


def read_inspections(session, code: str | None) -> InspectionsRead:
    """The quarter's inspections and how many running accounts they covered (the coverage reads
    every account: seconds at 200,000, in a worker thread on a big database)."""
    try:
        rows = inspections.list_inspections(session, code)
        here = _here(session)
        cov = inspections.coverage(session, quarters.parse(code), here) if code else None
    except UserError:
        return InspectionsRead([], None)
    return InspectionsRead(rows, cov)


class InspectionsPage(LazyPage):
    """季度检查: the office's inspections by quarter, coverage and pass rate above the table."""

    reload_topics = (SUPERVISION, ALL)

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.today: date | None = None
        self.rows: list[inspections.InspectionRow] = []
        self.quarter = quarter_box(date.today())
        self.quarter.setCurrentIndex(1)
        self.summary = QLabel()
        self.summary.setObjectName("inspectionSummary")
        self.summary.setStyleSheet("QLabel#inspectionSummary { font-size: 11pt; }")
        self.new_button = QPushButton("登记检查…")
        self.show_button = QPushButton("查看")
        self.notify_button = QPushButton("登记通报…")
        self.delete_button = QPushButton("删除…")
        top = QHBoxLayout()
        top.addWidget(QLabel("季度："))
        top.addWidget(self.quarter)
        top.addWidget(self.summary, 1)
        for b in (self.new_button, self.show_button, self.notify_button, self.delete_button):
            top.addWidget(b)
        self.model = ListModel(INSPECTION_COLUMNS, _inspection_colour, self)
        self.table = _table(self.model, (46, 62, 112, 160, 96, 180, 70, 44, 50, 40, 50, 112), "inspectionTable")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setStyleSheet("padding: 6px; background: #f5f5f5; border: 1px solid #ddd;")
        self.detail.setMinimumHeight(60)
        self.loading = BackgroundRead(controller, "正在读取检查记录…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        self.quarter.currentIndexChanged.connect(lambda _i: self.reload())
        self.new_button.clicked.connect(lambda: self.new_inspection())
        self.show_button.clicked.connect(self.show_current)
        self.notify_button.clicked.connect(self.notify)
        self.delete_button.clicked.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _i: self.show_current())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._detail(cur.row()))

    def day(self) -> date:
        return self.today or date.today()

    def reload(self) -> None:
        """Read the quarter's inspections (in a worker thread on a big database)."""
        self._stale = False
        self.loading.start(read_inspections, self.quarter.currentData(), done=self._got)

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown
        self.summary.setText("读取已取消")

    def _got(self, read: InspectionsRead) -> None:
        self.rows, cov = read.rows, read.coverage
        self.model.set_rows(self.rows)
        failed = sum(1 for r in self.rows if r.result == FAIL)
        text = f"共 {len(self.rows)} 次检查，不合格 <span style='color:#c62828'><b>{failed}</b></span> 次"
        if cov is not None:
            text += f"；本级检查 {cov.inspected}/{cov.active} 个在运行账号（检查比例 {cov.percent_text}）"
        self.summary.setText(text)
        self._detail(self.table.currentIndex().row())

    def _detail(self, row: int) -> None:
        if row < 0 or row >= len(self.model.rows):
            self.detail.setText("选中一次检查可在此查看发现的问题；双击查看全部。")
            return
        d = self.controller.read(inspections.get_inspection, self.model.rows[row].id)
        self.detail.setText(_inspection_html(d))

    def current(self) -> inspections.InspectionRow | None:
        rows = _selected(self.table, self.model)
        return rows[0] if rows else None

    def new_inspection(self, account_id: int | None = None) -> int | None:
        dlg = InspectionDialog(self.controller, account_id, self, today=self.today)
        try:
            if dlg.exec() and dlg.result_id is not None:
                window = self.window()
                if hasattr(window, "status_message"):
                    s = dlg.saved
                    window.status_message(f"已登记检查：{s.account_name}，{s.result}"
                                          + (f"，{s.score}分" if s.score is not None else "（单项否决）"))
                return dlg.result_id
        finally:
            dlg.deleteLater()
        return None

    def show_current(self) -> None:
        r = self.current()
        if r is None:
            return
        d = self.controller.read(inspections.get_inspection, r.id)
        QMessageBox.information(self, f"检查 {d.id}", _inspection_html(d))

    def notify(self) -> None:
        code = self.quarter.currentData() or quarters.of(self.day()).code
        chosen = [r.id for r in _selected(self.table, self.model) if r.findings and r.notified_on is None]
        dlg = NotifyDialog(self.controller, code, chosen, self)
        try:
            dlg.exec()
        finally:
            dlg.deleteLater()

    def delete_selected(self) -> None:
        r = self.current()
        if r is None:
            return
        if not confirm(self, "删除检查记录", f"删除{cn_date(r.inspected_on)}对“{r.account}”的检查及其整改事项？"):
            return
        try:
            self.controller.write(inspections.delete_inspection, r.id, topic=SUPERVISION)
        except UserError as exc:
            QMessageBox.warning(self, "无法删除", str(exc))


def _here(session):
    from gzdesk import scope

    return scope.resolve(session, None)


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inspection_html(d: inspections.InspectionData) -> str:
    score = "单项否决" if d.score is None else f"{d.score}分"
    lines = [f"<b>{_esc(d.account_name)}</b>（{_esc(d.platform_label)}，{_esc(d.host_unit or '')}）"
             f"　{d.quarter_label}　{cn_date(d.inspected_on)}　{_esc(d.inspector)}　{d.level_label}"
             f"　<b style='color:{'#c62828' if d.result == FAIL else '#2e7d32'}'>{d.result}（{score}）</b>"]
    for f in d.veto:
        lines.append(f"［单项否决］{_esc(f.item)}{('：' + _esc(f.rule)) if f.rule else ''}"
                     f"{'（据本库）' if f.prefilled else ''}{('　' + _esc(f.note)) if f.note else ''}")
    for f in d.deductions:
        pts = "不计分" if f.points is None else f"扣{f.points}分"
        lines.append(f"［扣分］{_esc(f.item)} ×{f.count}　{pts}{'（据本库）' if f.prefilled else ''}"
                     f"{('　' + _esc(f.note)) if f.note else ''}")
    if not d.findings:
        lines.append("未发现问题")
    elif d.notified_on:
        lines.append(f"{cn_date(d.notified_on)}通报，整改期限 {cn_date(max(f.due_on for f in d.findings if f.due_on))}"
                     if any(f.due_on for f in d.findings) else f"{cn_date(d.notified_on)}通报")
    else:
        lines.append("尚未通报（登记通报后10日内整改）")
    if d.note:
        lines.append(f"备注：{_esc(d.note)}")
    return "<br>".join(lines)


class NotifyDialog(_SmallDialog):
    """登记通报: the quarter's inspections with problems (or the selected ones) get their 整改 due dates."""

    def __init__(self, controller: Controller, quarter: str, inspection_ids: list[int], parent=None):
        super().__init__("登记通报", parent)
        self.controller = controller
        self.quarter_code = quarter
        self.ids = inspection_ids
        self.on = DateEdit()
        self.on.setDate(date.today())
        which = (f"选中的 {len(inspection_ids)} 次检查" if inspection_ids
                 else f"{quarters.parse(quarter).label}尚未通报的全部检查")
        self.form.addRow("通报范围：", QLabel(which))
        self.form.addRow("通报日期：", self.on)
        self.form.addRow("", QLabel("通报公开之日起10日内应完成整改（南通 附件3 通报整改）。"))
        self.count = 0

    def do(self) -> None:
        on = self.required_date(self.on, "通报日期")
        self.count = self.controller.write(inspections.notify, self.quarter_code, on, self.ids or None,
                                           topic=SUPERVISION)


# --------------------------------------------------------------------------- 整改

RECTIFY_COLUMNS: list[tuple[str, Callable]] = [
    ("编号", lambda r: str(r.id)),
    ("状态", lambda r: r.status),
    ("整改期限", lambda r: cn_date(r.due_on) or "待通报"),
    ("完成日期", lambda r: cn_date(r.done_on)),
    ("账号", lambda r: r.account),
    ("问题", lambda r: r.what),
    ("检查", lambda r: f"{r.quarter}（{cn_date(r.inspected_on)}）"),
    ("说明", lambda r: r.rectify_note or r.note or ""),
]


def _rectify_colour(r) -> tuple[QColor | None, QColor | None]:
    if r.overdue:
        return RED, RED_BACK
    if r.done_on is not None:
        return GREY, None
    return None, None


def read_rectify(session, day: date, open_only: bool, quarter: str | None
                 ) -> tuple[list[rectify.RectifyRow], list[rectify.RectifyRow]]:
    """The items shown and every item of the quarter (for the summary), in a worker thread on a
    big database."""
    try:
        here = _here(session)
        shown = rectify.list_items(session, day, open_only=open_only, quarter=quarter, scope=here)
        return shown, rectify.list_items(session, day, quarter=quarter, scope=here)
    except UserError:
        return [], []


def _select_shown(loading: BackgroundRead, table: QTableView, model: ListModel, record_id: int,
                  widen: list[Callable[[], None]]) -> bool:
    """Select ``record_id``; while it is not shown, widen the filters one by one (each reloads the
    page, in a worker on a big database: the next step waits for it). True if selected by now."""
    done = [False]

    def step(rest: list[Callable[[], None]]) -> None:
        if rest and not any(r.id == record_id for r in model.rows):
            rest[0]()
            loading.after(lambda: step(rest[1:]))
        else:
            done[0] = _select_row(table, model, record_id)

    loading.after(lambda: step(widen))
    return done[0]


class RectifyPage(LazyPage):
    """整改: every finding of the inspections, overdue ones first and red."""

    reload_topics = (SUPERVISION, ALL)

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.today: date | None = None
        self.items: list[rectify.RectifyRow] = []
        self.open_only = QCheckBox("只看未整改")
        self.open_only.setChecked(True)
        self.quarter = quarter_box(date.today())
        self.summary = QLabel()
        self.done_button = QPushButton("登记整改完成…")
        self.undo_button = QPushButton("撤销完成")
        top = QHBoxLayout()
        top.addWidget(QLabel("季度："))
        top.addWidget(self.quarter)
        top.addWidget(self.open_only)
        top.addWidget(self.summary, 1)
        top.addWidget(self.done_button)
        top.addWidget(self.undo_button)
        self.model = ListModel(RECTIFY_COLUMNS, _rectify_colour, self)
        self.table = _table(self.model, (50, 70, 120, 120, 180, 230, 170), "rectifyTable")
        self.loading = BackgroundRead(controller, "正在读取整改事项…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addWidget(self.table, 1)
        self.open_only.toggled.connect(lambda _c: self.reload())
        self.quarter.currentIndexChanged.connect(lambda _i: self.reload())
        self.done_button.clicked.connect(self.mark_done)
        self.undo_button.clicked.connect(self.undo)
        self.table.doubleClicked.connect(lambda _i: self.mark_done())

    def day(self) -> date:
        return self.today or date.today()

    def reload(self) -> None:
        """Read the items (in a worker thread on a big database)."""
        self._stale = False
        self.loading.start(read_rectify, self.day(), self.open_only.isChecked(), self.quarter.currentData(),
                           done=self._got)

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown
        self.summary.setText("读取已取消")

    def _got(self, read: tuple[list[rectify.RectifyRow], list[rectify.RectifyRow]]) -> None:
        self.items, everything = read
        self.model.set_rows(self.items)
        s = rectify.summarize(everything)
        self.summary.setText(s.text.replace(f"已逾期 {s.overdue} 项",
                                            f"<span style='color:#c62828'><b>已逾期 {s.overdue} 项</b></span>")
                             + f"（按{cn_date(self.day())}计）")

    def visible_items(self) -> list[rectify.RectifyRow]:
        return list(self.model.rows)

    def apply_link(self, link) -> None:
        """首页's 整改中: every quarter's items not yet done."""
        self.quarter.setCurrentIndex(0)
        self.open_only.setChecked(link.get("show") == "open")
        self.reload()

    def select(self, item_id: int) -> bool:
        """Show and select the 整改 item ``item_id`` (all quarters, done ones too if need be)."""
        self.reload_if_stale()
        return _select_shown(self.loading, self.table, self.model, item_id,
                             [lambda: self.quarter.setCurrentIndex(0), lambda: self.open_only.setChecked(False)])

    def mark_done(self) -> None:
        chosen = [r for r in _selected(self.table, self.model) if r.done_on is None and not r.origin]
        if not chosen:
            return
        dlg = RectifyDoneDialog(self.controller, [r.id for r in chosen], self, today=self.today)
        try:
            dlg.exec()
        finally:
            dlg.deleteLater()

    def undo(self) -> None:
        chosen = [r for r in _selected(self.table, self.model) if r.done_on is not None]
        for r in chosen:
            try:
                self.controller.write(rectify.reopen, r.id, topic=SUPERVISION)
            except UserError as exc:
                QMessageBox.warning(self, "无法撤销", str(exc))
                return


class RectifyDoneDialog(_SmallDialog):
    def __init__(self, controller: Controller, item_ids: list[int], parent=None, today: date | None = None):
        super().__init__("登记整改完成", parent)
        self.controller = controller
        self.ids = item_ids
        self.today = today
        self.on = DateEdit()
        self.on.setDate(today or date.today())
        self.note = QLineEdit()
        self.note.setPlaceholderText("整改情况（可不填）")
        self.form.addRow("整改事项：", QLabel(f"{len(item_ids)} 项（编号 {'、'.join(map(str, item_ids))}）"))
        self.form.addRow("完成日期：", self.on)
        self.form.addRow("整改情况：", self.note)

    def do(self) -> None:
        on = self.required_date(self.on, "完成日期")
        self.controller.write(rectify.mark_done, self.ids, on, self.note.text(), today=self.today,
                              topic=SUPERVISION)


# --------------------------------------------------------------------------- 假冒账号

FAKE_COLUMNS: list[tuple[str, Callable]] = [
    ("编号", lambda d: str(d.id)),
    ("发现日期", lambda d: cn_date(d.found_on)),
    ("假冒账号", lambda d: d.name),
    ("平台", lambda d: d.platform_label),
    ("来源", lambda d: d.how_label + (f"（{d.reporter}）" if d.reporter else "")),
    ("被假冒账号", lambda d: d.imitated_account or ""),
    ("状态", lambda d: d.status),
    ("已办", lambda d: "、".join(f"{s.label}（{cn_date(s.done_on)}）" for s in d.steps)),
]


def _fake_colour(d) -> tuple[QColor | None, QColor | None]:
    if d.closed_on is not None:
        return GREY, None
    if not any(s.step == "verify" for s in d.steps) and d.found_on < date.today():
        return RED, RED_BACK  # 应立即排查核实
    return None, None


def read_fakes(session, open_only: bool) -> list[fakes.FakeData]:
    return fakes.list_reports(session, open_only=open_only)


class FakesPage(LazyPage):
    """假冒账号: reports found or received, open ones first."""

    reload_topics = (SUPERVISION, ALL)

    def __init__(self, controller: Controller, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.reports: list[fakes.FakeData] = []
        self.article = QLabel()
        self.article.setWordWrap(True)
        self.article.setStyleSheet("color: #555;")
        self.open_only = QCheckBox("只看未办结")
        self.new_button = QPushButton("登记假冒账号…")
        self.step_button = QPushButton("登记处置步骤…")
        self.close_button = QPushButton("办结…")
        top = QHBoxLayout()
        top.addWidget(self.open_only)
        top.addStretch(1)
        for b in (self.new_button, self.step_button, self.close_button):
            top.addWidget(b)
        self.model = ListModel(FAKE_COLUMNS, _fake_colour, self)
        self.table = _table(self.model, (50, 120, 170, 90, 150, 150, 220), "fakeTable")
        self.loading = BackgroundRead(controller, "正在读取假冒账号记录…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.loading)
        layout.addWidget(self.article)
        layout.addWidget(self.table, 1)
        self.open_only.toggled.connect(lambda _c: self.reload())
        self.new_button.clicked.connect(self.new_report)
        self.step_button.clicked.connect(self.record_step)
        self.close_button.clicked.connect(self.close_report)
        self.table.doubleClicked.connect(lambda _i: self.record_step())

    def apply_link(self, link) -> None:
        """首页's 假冒账号: the reports not yet closed."""
        self.open_only.setChecked(link.get("show") == "open")
        self.reload()

    def reload(self) -> None:
        """Read the reports (in a worker thread on a big database)."""
        self._stale = False
        self.loading.start(read_fakes, self.open_only.isChecked(), done=self._got,
                           failed=lambda _exc: self._got(None))  # not initialised yet

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown

    def _got(self, reports: list[fakes.FakeData] | None) -> None:
        self.reports = reports or []
        if reports is not None:
            try:
                profile = self.controller.profile
                steps = " → ".join(w for _c, w in fakes.steps_of(profile))
                self.article.setText(f"处置步骤：{steps}。依据：{fakes.article_of(profile)}")
            except UserError:
                self.reports = []
        self.model.set_rows(self.reports)

    def select(self, report_id: int) -> bool:
        self.reload_if_stale()
        return _select_shown(self.loading, self.table, self.model, report_id,
                             [lambda: self.open_only.setChecked(False)])

    def current(self) -> fakes.FakeData | None:
        rows = _selected(self.table, self.model)
        return rows[0] if rows else None

    def new_report(self) -> None:
        dlg = FakeDialog(self.controller, self)
        try:
            dlg.exec()
        finally:
            dlg.deleteLater()

    def record_step(self) -> None:
        d = self.current()
        if d is None or d.closed_on is not None:
            return
        dlg = FakeStepDialog(self.controller, d, self)
        try:
            dlg.exec()
        finally:
            dlg.deleteLater()

    def close_report(self) -> None:
        d = self.current()
        if d is None or d.closed_on is not None:
            return
        dlg = FakeCloseDialog(self.controller, d, self)
        try:
            dlg.exec()
        finally:
            dlg.deleteLater()


class FakeDialog(_SmallDialog):
    """登记假冒账号: name, platform, link, who found or reported it, when, a screenshot."""

    def __init__(self, controller: Controller, parent=None):
        super().__init__("登记假冒账号", parent)
        self.controller = controller
        self.result_id: int | None = None
        self.name = QLineEdit()
        self.platform = QComboBox()
        self.platform.setEditable(True)
        self.platform.addItem("")
        for label in enums.labels("platform").values():
            if label != "其他":
                self.platform.addItem(label)
        self.link = QLineEdit()
        self.link.setPlaceholderText("https://…")
        self.how = QComboBox()
        for code, label in enums.FAKE_HOW_LABELS.items():
            self.how.addItem(label, code)
        self.reporter = QLineEdit()
        self.reporter.setPlaceholderText("发现人或举报人及联系方式")
        self.where = QLineEdit()
        self.found_on = DateEdit()
        self.found_on.setDate(date.today())
        self.imitated = QLineEdit()
        self.imitated.setPlaceholderText("被假冒的本库账号编号（可不填）")
        self.shot = QLineEdit()
        self.shot.setReadOnly(True)
        pick = QPushButton("选择截图…")
        pick.clicked.connect(self._pick)
        shot_row = QHBoxLayout()
        shot_row.addWidget(self.shot, 1)
        shot_row.addWidget(pick)
        self.note = QPlainTextEdit()
        self.note.setMaximumHeight(60)
        for label, w in (("假冒账号名称：", self.name), ("平台：", self.platform), ("链接：", self.link),
                         ("来源：", self.how), ("发现/举报人：", self.reporter), ("发现途径：", self.where),
                         ("发现日期：", self.found_on), ("被假冒账号：", self.imitated)):
            self.form.addRow(label, w)
        self.form.addRow("截图：", shot_row)
        self.form.addRow("备注：", self.note)
        self.resize(560, 460)

    def _pick(self) -> None:
        path = files.ask_open_file(self, "选择截图", "图片 (*.png *.jpg *.jpeg)")
        if path:
            self.shot.setText(path)

    def do(self) -> None:
        on = self.required_date(self.found_on, "发现日期")
        imitated = self.imitated.text().strip()
        if imitated and not imitated.isdigit():
            raise UserError("被假冒账号请填写本库账号编号")
        shot = None
        if self.shot.text():
            try:
                shot = (Path(self.shot.text()).name, Path(self.shot.text()).read_bytes())
            except OSError:
                raise UserError(f"无法读取截图“{self.shot.text()}”") from None
        d = self.controller.write(fakes.new_report, self.name.text(), on, how=self.how.currentData(),
                                  reporter=self.reporter.text(), platform=self.platform.currentText().strip() or None,
                                  link=self.link.text(), found_where=self.where.text(),
                                  imitated_account_id=int(imitated) if imitated else None,
                                  note=self.note.toPlainText(), screenshot=shot, topic=SUPERVISION)
        self.result_id = d.id


class FakeStepDialog(_SmallDialog):
    def __init__(self, controller: Controller, report: fakes.FakeData, parent=None):
        super().__init__("登记处置步骤", parent)
        self.controller = controller
        self.report = report
        self.step = QComboBox()
        for code, wording in report.pending_steps:
            self.step.addItem(wording, code)
        self.on = DateEdit()
        self.on.setDate(date.today())
        self.note = QLineEdit()
        self.form.addRow("假冒账号：", QLabel(f"{report.name}（{report.platform_label}）"))
        self.form.addRow("步骤：", self.step)
        self.form.addRow("日期：", self.on)
        self.form.addRow("情况：", self.note)

    def do(self) -> None:
        on = self.required_date(self.on, "日期")
        self.controller.write(fakes.record_step, self.report.id, self.step.currentText(), on, self.note.text(),
                              topic=SUPERVISION)


class FakeCloseDialog(_SmallDialog):
    def __init__(self, controller: Controller, report: fakes.FakeData, parent=None):
        super().__init__("办结假冒账号记录", parent)
        self.controller = controller
        self.report = report
        self.outcome = QComboBox()
        for code, label in fakes.OUTCOMES.items():
            self.outcome.addItem(label, code)
        self.outcome.setCurrentIndex(1)
        self.on = DateEdit()
        self.on.setDate(date.today())
        self.note = QLineEdit()
        self.form.addRow("假冒账号：", QLabel(report.name))
        self.form.addRow("办结结果：", self.outcome)
        self.form.addRow("日期：", self.on)
        self.form.addRow("说明：", self.note)

    def do(self) -> None:
        on = self.required_date(self.on, "日期")
        self.controller.write(fakes.close, self.report.id, on, self.outcome.currentData(), self.note.text(),
                              topic=SUPERVISION)


# --------------------------------------------------------------------------- install


def set_unusable(window, account_id: int) -> None:
    """账号 → 登记APP无法下载或使用…: the recorded field behind 附件2 内容不更新 2."""
    dlg = _UnusableDialog(window.controller, account_id, window)
    try:
        dlg.exec()
    finally:
        dlg.deleteLater()


class _UnusableDialog(_SmallDialog):
    def __init__(self, controller: Controller, account_id: int, parent=None):
        super().__init__("APP无法下载或使用", parent)
        self.controller = controller
        self.account_id = account_id
        choice = controller.read(inspections.account_choice, account_id)
        self.since = DateEdit()
        self.form.addRow("账号：", QLabel(choice.text))
        self.form.addRow("无法下载或使用自：", self.since)
        self.form.addRow("", QLabel("留空表示已恢复可以下载使用（附件2 单项否决指标“内容不更新”第2项）。"))

    def do(self) -> None:
        since = self.since.date()
        self.controller.write_quiet(inspections.set_unusable, self.account_id, since)
        self.controller.announce_accounts(saved=[self.account_id])  # one row of the 账号台账, not a reload


def install(window) -> None:
    """The pages 季度检查, 整改, 年度考核, 假冒账号 and the 监管 menu."""
    from gzdesk.ui import assessment_page, report_dialogs

    controller = window.controller
    ins = InspectionsPage(controller, window)
    rect = RectifyPage(controller, window)
    assess = assessment_page.AssessmentPage(controller, window)
    fk = FakesPage(controller, window)
    window.add_page("inspections", "季度检查", ins)
    window.add_page("rectify", "整改", rect)
    window.add_page("assessment", "年度考核", assess)
    window.add_page("fakes", "假冒账号", fk)
    window.inspections_page, window.rectify_page, window.fakes_page = ins, rect, fk
    window.assessment_page = assess

    menu = window.menu("监管")

    def action(text: str, fn, shortcut: str | None = None) -> QAction:
        a = QAction(text, window)
        if shortcut:
            a.setShortcut(shortcut)
        a.triggered.connect(lambda _=False: fn())
        menu.addAction(a)
        return a

    def inspect_current() -> None:
        window.show_page("inspections")
        ins.new_inspection(window.current_account_id() if window.current_page_key() == "accounts" else None)

    window.inspect_action = action("登记检查…", inspect_current, "Ctrl+I")
    action("登记通报…", ins.notify)
    menu.addSeparator()
    action("季度检查整改情况报告…", lambda: report_dialogs.quarter_report(window))
    action("登记季度报告已报送…", lambda: report_dialogs.quarter_sent(window))
    action("年度考核", lambda: window.show_page("assessment"))
    menu.addSeparator()
    def new_fake_report() -> None:
        window.show_page("fakes")
        fk.new_report()

    action("登记假冒账号…", new_fake_report)
    menu.addSeparator()
    action("排查摸底报告…", lambda: report_dialogs.census_report(window))

    inspect = QAction("登记检查…", window)
    inspect.triggered.connect(lambda _=False: (window.show_page("inspections"),
                                               ins.new_inspection(window.current_account_id())))
    window.add_account_action(inspect)
    unusable = QAction("登记APP无法下载或使用…", window)

    def mark_unusable() -> None:
        account_id = window.current_account_id()
        if account_id is None:
            return
        try:
            set_unusable(window, account_id)
        except UserError as exc:
            QMessageBox.warning(window, "提示", str(exc))

    unusable.triggered.connect(lambda _=False: mark_unusable())
    window.add_account_action(unusable)
    if not may(controller, Cap.EDIT):  # a 审核人 or 只读 user looks; the domain refuses anyway (gzdesk.permissions)
        for b in (ins.new_button, ins.notify_button, ins.delete_button, rect.done_button, rect.undo_button,
                  fk.new_button, fk.step_button, fk.close_button):
            b.setEnabled(False)
        for a in [*menu.actions(), inspect, unusable]:
            if a.text().startswith("登记"):
                a.setEnabled(False)

    def open_record(kind: str, ref_id: int) -> None:
        """Double-click in 待办: the 整改 item, the fake-account report, or the quarter's report."""
        if kind == "rectify":
            window.show_page("rectify")
            rect.select(ref_id)
        elif kind == "fake":
            window.show_page("fakes")
            fk.select(ref_id)
        elif kind == "quarter_report":
            report_dialogs.quarter_report(window)

    window.page("pending").open_record.connect(open_record)  # 待办 (filing_pages, installed before this)
