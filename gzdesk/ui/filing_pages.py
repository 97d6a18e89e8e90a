"""The 备案 and 待办 pages and the 备案 menu, plugged into the main window by ``install(window)``.

备案: every filing with a state / 事由 filter and a search box, the selected filing's steps below,
and the actions of its lifecycle (新建备案…, 记录审批…, 退回…, 撤回, 附扫描件…, 登记公告…,
标记已报送…, 重新办理, 打印/预览…, 批量打印待签批…). 待办: ``pending_view.PendingView``.

On opening, the closures whose 停更注销公告 has run take effect (``filing_announcements.apply_due_effects``).
Widgets never hold a session: all data goes through ``window.controller``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, filing_announcements, filing_kinds, filing_scans, filings
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.filings import FilingRow
from gzdesk.permissions import Cap
from gzdesk.ui import files
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import ACCOUNTS, ALL, FILINGS, OFFICE, Controller, may
from gzdesk.ui.filing_dialogs import (
    SCAN_FILTER,
    AnnouncementDialog,
    DecisionDialog,
    MergeDialog,
    NewFilingDialog,
    ReportDialog,
    StepDialog,
    describe,
)
from gzdesk.ui.list_model import ListModel
from gzdesk.ui.pending_view import RED, PendingView
from gzdesk.ui.widgets import EmptyHint, LazyPage, confirm

if TYPE_CHECKING:
    from gzdesk.ui.main_window import MainWindow

RELOAD_TOPICS = (FILINGS, ACCOUNTS, OFFICE, ALL)
# what each button of the 备案 page needs (``gzdesk.permissions``); 打印/预览 needs nothing
ACTION_CAPS = {"step": Cap.APPROVE, "return": Cap.APPROVE, "new": Cap.FILE, "withdraw": Cap.FILE,
               "scan": Cap.FILE, "announce": Cap.FILE, "report": Cap.FILE, "reopen": Cap.FILE,
               "batch": Cap.FILE}
STATE_FILTERS: list[tuple[str, tuple[str, ...] | None]] = [
    ("全部", None),
    ("办理中（草稿、待签批）", ("draft", "pending_signature")),
    *[(label, (code,)) for code, label in enums.FILING_STATE_LABELS.items()],
]
GREY = "#888888"


def warn(parent: QWidget | None, text: str) -> None:
    """A refused action in one line (tests replace this)."""
    QMessageBox.warning(parent, "提示", text)


def _steps_text(r: FilingRow) -> str:
    return f"{r.steps_done}/{r.steps_total}"


def _closing_text(r: FilingRow) -> str:
    if r.kind not in ("close", "cancel") and not r.announce_from:
        return ""
    effective = cn_date(r.effective_on, r.announce_provisional)  # 预估 when the period rests on an estimate
    if r.effective_on:
        return f"{cn_date(r.announce_from)}公告，{effective}生效" if r.announce_from else effective
    return "未登记公告"


COLUMNS = [
    ("备案号", lambda r: r.number),
    ("事由", lambda r: r.kind_label),
    ("账号", lambda r: r.account_name),
    ("状态", lambda r: r.state_label),
    ("审批", _steps_text),
    ("下一步", lambda r: r.next_step or ""),
    ("填表时间", lambda r: cn_date(r.filled_on)),
    ("公告 / 生效", _closing_text),
    ("报送日期", lambda r: cn_date(r.reported_on)),
    ("扫描件", lambda r: str(r.scans) if r.scans else ""),
]


def _row_colour(r: FilingRow):
    from PySide6.QtGui import QColor

    if r.state == "returned":
        return RED, None
    if r.state == "withdrawn":
        return QColor(GREY), None
    return None, None


class FilingsPage(LazyPage):
    """备案: the filings table with its lifecycle actions."""

    reload_topics = RELOAD_TOPICS

    def __init__(self, controller: Controller, window: MainWindow | None = None):
        super().__init__(controller, window)
        self.window_ = window
        self.rows: list[FilingRow] = []

        self.state = QComboBox()
        for label, codes in STATE_FILTERS:
            self.state.addItem(label, codes)
        self.kind = QComboBox()
        self.kind.addItem("全部事由", None)
        for code, label in enums.FILING_KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.search = QLineEdit()
        self.search.setPlaceholderText("备案号或账号名称")
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(QLabel("状态："))
        filters.addWidget(self.state)
        filters.addWidget(QLabel("事由："))
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.count_label)
        from gzdesk.ui.list_actions import add_list_buttons

        add_list_buttons(self, filters)

        self.actions_: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        for key, text, slot in (("new", "新建备案…", lambda: self.new_filing()), ("step", "记录审批…", self.record_step),
                                ("reason", "修改理由…", self.edit_reason),
                                ("return", "退回…", self.return_filing), ("withdraw", "撤回", self.withdraw),
                                ("scan", "附扫描件…", self.attach_scan), ("announce", "登记公告…", self.announce),
                                ("decision", "登记本单位决定…", self.record_decision),
                                ("report", "标记已报送…", self.report), ("reopen", "重新办理", self.reopen),
                                ("print", "打印/预览…", self.print_selected),
                                ("batch", "批量打印待签批…", self.print_pending)):
            b = QPushButton(text)
            b.setObjectName(f"filing_{key}")
            b.clicked.connect(slot)
            self.actions_[key] = b
            buttons.addWidget(b)
        buttons.addStretch(1)
        for key in ("new", "batch"):  # not tied to a selection
            self.actions_[key].setEnabled(self.allowed(key))

        self.model = ListModel(COLUMNS, _row_colour, self)
        self.table = QTableView()
        self.table.setObjectName("filingsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.doubleClicked.connect(lambda _i: self.record_step() if self.allowed("step") else None)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((100, 60, 200, 80, 60, 150, 120, 230, 120)):
            self.table.setColumnWidth(col, width)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.anchorClicked.connect(self._open_attachment)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        self._select_after_load: int | None = None
        self.loading = BackgroundRead(controller, "正在读取备案…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(buttons)
        layout.addWidget(self.loading)
        layout.addWidget(splitter, 1)
        self.empty_hint = EmptyHint(self.table, lambda: "没有符合筛选条件的备案。" if self.rows else (
            "这里列出各账号的开设、变更、关停、注销、整合、补办备案及其审批经过。还没有备案：在账号台账中选中账号，"
            "点“新建备案…”（Ctrl+B）。"))

        self.state.currentIndexChanged.connect(self._apply)
        self.kind.currentIndexChanged.connect(self._apply)
        self.search.textChanged.connect(self._apply)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """Read the filings again (in a worker thread on a big database), keeping the selection."""
        self._stale = False
        if self._select_after_load is None:
            self._select_after_load = self.current_id()
        self.loading.start(filings.list_filings, done=self._show_rows, failed=lambda _exc: self._show_rows([]))

    def _show_rows(self, rows: list[FilingRow]) -> None:
        self.rows = rows
        self._apply()
        keep, self._select_after_load = self._select_after_load, None
        if keep is not None:
            self.select_filing(keep)

    def _on_cancelled(self) -> None:
        self._stale = True  # read again when next shown
        self._select_after_load = None

    refresh = reload

    def _apply(self) -> None:
        codes = self.state.currentData()
        kind = self.kind.currentData()
        q = self.search.text().strip().lower()
        rows = [r for r in self.rows if (codes is None or r.state in codes) and (kind is None or r.kind == kind)
                and (not q or q in r.number.lower() or q in r.account_name.lower())]
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 条")
        self._selection_changed()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def list_table(self):
        """打印清单 / 导出 Excel: the filings shown."""
        from gzdesk.printing.lists import ListColumn, ListTable
        from gzdesk.ui.list_actions import filters_text, office_name

        columns = [ListColumn(title) for title, _fn in COLUMNS]
        rows = [[fn(r) for _title, fn in COLUMNS] for r in self.model.rows]
        words = self.search.text().strip()
        subtitle = filters_text(("状态", self.state.currentText() if self.state.currentIndex() > 0 else None),
                                ("事由", self.kind.currentText() if self.kind.currentIndex() > 0 else None),
                                ("查找", f"“{words}”" if words else None))
        return ListTable("政务新媒体备案事项", columns, rows, office_name(self.controller), subtitle)

    def apply_link(self, link) -> None:
        """Show what a figure of 首页 counted: the filings in one state ("open": 草稿 and 待签批)."""
        state = link.get("state")
        wanted = ("draft", "pending_signature") if state == "open" else ((str(state),) if state else None)
        self.kind.setCurrentIndex(0)
        self.search.clear()
        index = next((i for i, (_label, codes) in enumerate(STATE_FILTERS) if codes == wanted), 0)
        self.state.setCurrentIndex(index)

    def visible_rows(self) -> list[FilingRow]:
        return list(self.model.rows)

    def current_id(self) -> int | None:
        ids = self.selected_ids()
        return ids[0] if ids else None

    def current_row(self) -> FilingRow | None:
        fid = self.current_id()
        return next((r for r in self.rows if r.id == fid), None)

    def selected_ids(self) -> list[int]:
        sel = self.table.selectionModel()
        if sel is None:
            return []
        return [self.model.rows[i.row()].id for i in sorted(sel.selectedRows(), key=lambda i: i.row())]

    def select_filing(self, filing_id: int) -> bool:
        self.reload_if_stale()
        if self.loading.busy:  # selected when the rows arrive
            self._select_after_load = filing_id
            return True
        for i, r in enumerate(self.model.rows):
            if r.id == filing_id:
                self.table.selectRow(i)
                self.table.scrollTo(self.model.index(i, 0))
                return True
        if any(r.id == filing_id for r in self.rows):  # hidden by a filter: show everything
            self.state.setCurrentIndex(0)
            self.kind.setCurrentIndex(0)
            self.search.clear()
            return self.select_filing(filing_id)
        return False

    def _announced_kinds(self) -> tuple[str, ...]:
        """关停、注销; and 变更 where the profile says so (云南 第十八条)."""
        try:
            return filing_kinds.announcement_kinds(self.controller.profile)
        except UserError:
            return filing_kinds.CLOSING_KINDS

    def _selection_changed(self) -> None:
        r = self.current_row()
        open_ = r is not None and r.state in ("draft", "pending_signature")
        enabled = {
            "step": open_, "return": open_, "withdraw": open_, "scan": r is not None,
            "reason": r is not None and r.state == "draft",
            "announce": r is not None and r.kind in self._announced_kinds() and r.state not in ("returned", "withdrawn"),
            "report": r is not None and r.state == "filed", "reopen": r is not None and r.state == "returned",
            "decision": r is not None and r.state not in ("returned", "withdrawn"),
            "print": r is not None,
        }
        for key, on in enabled.items():
            self.actions_[key].setEnabled(on and self.allowed(key))
        if r is None:
            self.detail.setHtml("<span style='color:#888'>选择一条备案查看审批经过</span>")
            return
        try:
            d = self.controller.read(filings.get_filing, r.id)
        except UserError as exc:
            self.detail.setPlainText(str(exc))
            return
        html = describe(d)
        if d.attachments:
            html += "<br>" + "　".join(f"<a href='att:{a.id}'>打开 {a.filename}</a>" for a in d.attachments)
        self.detail.setHtml(html)

    # ------------------------------------------------------------------ actions
    def _need(self) -> FilingRow | None:
        r = self.current_row()
        if r is None:
            warn(self, "请先在列表中选择一条备案")
        return r

    def _run_dialog(self, dialog) -> int | None:
        if dialog.exec():
            if dialog.result_id is not None:
                self.select_filing(dialog.result_id)
            return dialog.result_id
        return None

    def new_filing(self, account_id: int | None = None, kind: str = "open") -> int | None:
        """新建备案 for ``account_id``, else the account of the filing selected here, else the
        account selected in the 账号台账."""
        if account_id is None:
            selected = self.current_row()
            account_id = selected.account_id if selected is not None else None
        if account_id is None and self.window_ is not None:
            account_id = self.window_.current_account_id()
        return self._run_dialog(NewFilingDialog(self.controller, account_id, self, kind=kind))

    def new_merge(self, account_id: int | None = None) -> int | None:
        if account_id is None and self.window_ is not None:
            account_id = self.window_.current_account_id()
        return self._run_dialog(MergeDialog(self.controller, account_id, self))

    def record_step(self) -> None:
        r = self._need()
        if r is None:
            return
        if r.state not in ("draft", "pending_signature"):
            warn(self, f"备案{r.number}当前为“{r.state_label}”，不能再记录审批")
            return
        self._run_dialog(StepDialog(self.controller, r.id, self))

    def return_filing(self) -> None:
        r = self._need()
        if r is not None:
            self._run_dialog(StepDialog(self.controller, r.id, self, returned=True))

    def record_decision(self) -> None:
        """会议研究 / 主要领导签字确认 behind the selected filing (盐湖 第十一条, 云南 第十二条、第十八条)."""
        r = self.current_row()
        if r is not None:
            self._run_dialog(DecisionDialog(self.controller, r.id, self))

    def announce(self) -> None:
        r = self._need()
        if r is not None:
            self._run_dialog(AnnouncementDialog(self.controller, r.id, self))

    def report(self) -> None:
        r = self._need()
        if r is not None:
            self._run_dialog(ReportDialog(self.controller, r.id, self))

    def allowed(self, key: str) -> bool:
        """Whether the logged-in user's role may use the button ``key`` (审核人 records steps, 经办人
        files; everyone may print); the domain refuses anyway (``gzdesk.permissions``)."""
        cap = ACTION_CAPS.get(key)
        return cap is None or may(self.controller, cap)

    def _write(self, fn, *args, topic: str = FILINGS) -> Any:
        try:
            return self.controller.write(fn, *args, topic=topic)
        except UserError as exc:
            warn(self, str(exc))
            return None

    def withdraw(self) -> None:
        r = self._need()
        if r is None:
            return
        extra = "，并撤回与之关联的整合关停备案" if r.kind == "merge" else ""
        if confirm(self, "撤回备案", f"撤回备案{r.number}（{r.kind_label}：{r.account_name}）{extra}？", yes="撤回"):
            self._write(filings.withdraw, r.id)

    def edit_reason(self) -> None:
        """修改理由… of a draft (not yet printed and sent up)."""
        r = self._need()
        if r is None:
            return
        reason = ask_reason(self, f"修改备案{r.number}（{r.kind_label}：{r.account_name}）的理由", r.reason or "")
        if reason is not None and self._write(filings.set_reason, r.id, reason) is not None:
            self._status(f"已修改备案{r.number}的理由")

    def reopen(self) -> None:
        """重新办理 a returned filing: its 理由 offered for rewriting, next to the opinion it got."""
        r = self._need()
        if r is None:
            return
        try:
            d = self.controller.read(filings.get_filing, r.id)
        except UserError as exc:
            warn(self, str(exc))
            return
        back = next((s for s in reversed(d.steps) if s.result == "returned"), None)
        opinion = f"{back.title}退回：{back.opinion or '（未写意见）'}" if back else "已退回"
        reason = ask_reason(self, f"重新办理备案{r.number}（{opinion}）\n可按退回意见改写理由：", r.reason or "")
        if reason is None:
            return
        d = self._write(filings.reopen, r.id, None, reason)
        if d is not None:
            self.select_filing(d.id)
            self._status(f"已重新办理为新备案 {d.number}")

    def attach_scan(self, path: str | None = None) -> None:
        r = self._need()
        if r is None:
            return
        if path is None:
            path = files.ask_open_file(self, "附上签字盖章的扫描件", SCAN_FILTER)
            if not path:
                return
        try:
            data = Path(path).read_bytes()
        except OSError:
            warn(self, f"无法读取文件“{path}”")
            return
        if self._write(filings.attach_scan, r.id, Path(path).name, data) is not None:
            self._status(f"已附上扫描件“{Path(path).name}”")

    def _open_attachment(self, url: QUrl) -> None:
        text = url.toString()
        if not text.startswith("att:"):
            return
        name, data = self.controller.read(filing_scans.attachment_data, int(text[4:]))
        from gzdesk.paths import data_dir

        folder = Path(data_dir()) / "scans"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        target.write_bytes(data)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))

    # ------------------------------------------------------------------ printing
    def print_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            warn(self, "请先在列表中选择要打印的备案")
            return
        current = self.current_row()
        one = f"备案登记表 {current.number}" if current is not None else "备案登记表"
        self._print(ids, "备案登记表" if len(ids) > 1 else one)

    def pending_signature_ids(self) -> list[int]:
        return [r.id for r in self.rows if r.state == "pending_signature"]

    def print_pending(self) -> None:
        ids = [r.id for r in self.rows if r.state in ("draft", "pending_signature")]
        if not ids:
            warn(self, "没有待签批的备案")
            return
        self._print(ids, f"待签批备案登记表（{len(ids)} 份）")

    def _print(self, ids: list[int], title: str) -> None:
        """Render with the printing package, show it in the print preview, and mark drafts as
        sent for signature (草稿 → 待签批) once shown."""
        from gzdesk.printing import render

        try:
            data = self.controller.read(render.render_filings, ids)
        except UserError as exc:
            warn(self, str(exc))
            return
        drafts = [r.id for r in self.rows if r.id in ids and r.state == "draft"]
        # only a form printed (or saved to print elsewhere) and sent up makes a draft 待签批;
        # a 只读 user's print sends nothing for signature
        if show_pdf(self, data, title) and drafts and may(self.controller, Cap.FILE) \
                and ask_sent_for_signature(self, len(drafts)):
            self.controller.write(_mark_printed_all, drafts, topic=FILINGS)

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for key in ("step", "reason", "return", "withdraw", "scan", "announce", "decision", "report", "reopen",
                    "print"):
            b = self.actions_[key]
            act = menu.addAction(b.text())
            act.setEnabled(b.isEnabled())
            act.triggered.connect(b.click)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _status(self, text: str) -> None:
        if self.window_ is not None:
            self.window_.status_message(text)


def _mark_printed_all(session, ids: list[int]) -> None:
    for fid in ids:
        filings.mark_printed(session, fid)


def ask_reason(parent: QWidget | None, title: str, old: str) -> str | None:
    """The 理由, rewritten in a small dialog (None: cancelled; tests replace this)."""
    from gzdesk.ui.filing_dialogs import ReasonDialog

    dialog = ReasonDialog(title, old, parent)
    try:
        return dialog.reason_text() if dialog.exec() else None
    finally:
        dialog.deleteLater()


def ask_sent_for_signature(parent: QWidget | None, drafts: int) -> bool:
    """已打印并送签? — asked after printing; yes makes the drafts 待签批 (tests replace this)."""
    what = "这份登记表" if drafts == 1 else f"这 {drafts} 份草稿的登记表"
    return confirm(parent, "已打印并送签？", f"{what}已打印（或已保存 PDF）。是否已送主办单位签字？\n"
                   "确认后草稿改为“待签批”；尚未送签可以以后再打印。", yes="已送签", no="尚未送签")


def show_pdf(parent: QWidget, data: bytes, title: str) -> bool:
    """Show PDF bytes in the program's print preview (打印… / 另存为 PDF…); True when the clerk
    printed or saved the document (looking at it is not enough)."""
    from gzdesk.ui.pdf_preview import preview_pdf  # pypdfium2 is loaded only when printing

    return bool(preview_pdf(parent, data, title))


def apply_effects_on_open(window: MainWindow) -> None:
    """Closures whose 公告 period has run take effect when the program opens."""
    try:
        applied = window.controller.write_quiet(filing_announcements.apply_due_effects, date.today())
    except UserError:
        return
    if applied:  # announced only then: every page would read its records again (200,000 accounts: ~1.5 s)
        window.controller.notify(ACCOUNTS)
        names = "、".join(f"“{e.account_name}”{e.status_label}" for e in applied)
        window.status_message(f"公告期满，已更新账号状态：{names}", 15000)


def install(window: MainWindow) -> None:
    """Add the 备案 and 待办 pages, the 备案 menu and a registry right-click entry."""
    apply_effects_on_open(window)
    page = FilingsPage(window.controller, window)
    pending = PendingView(window.controller, window)
    window.add_page("filings", "备案", page)
    window.add_page("pending", "待办", pending)

    def open_filing(fid: int) -> None:
        window.show_page("filings")
        page.select_filing(fid)

    pending.open_filing.connect(open_filing)

    def start_filing(account_id: int, kind: str) -> None:
        window.show_page("filings")
        page.new_filing(account_id, kind)

    pending.start_filing.connect(start_filing)

    menu = window.menu("备案")
    new = QAction("新建备案(&B)…", window)
    new.setShortcut("Ctrl+B")
    def new_filing() -> None:
        window.show_page("filings")
        page.new_filing()

    def new_merge() -> None:
        window.show_page("filings")
        page.new_merge()

    new.triggered.connect(new_filing)
    merge = QAction("整合账号…", window)
    merge.triggered.connect(new_merge)
    batch = QAction("批量打印待签批…", window)
    batch.triggered.connect(page.print_pending)
    show_pending = QAction("待办时限", window)
    show_pending.triggered.connect(lambda: window.show_page("pending"))
    for act in (new, merge, batch):
        menu.addAction(act)
        act.setEnabled(may(window.controller, Cap.FILE))
    menu.addSeparator()
    menu.addAction(show_pending)

    account_new = QAction("新建备案…", window)
    account_new.setEnabled(may(window.controller, Cap.FILE))
    account_new.triggered.connect(new_filing)
    window.add_account_action(account_new)
