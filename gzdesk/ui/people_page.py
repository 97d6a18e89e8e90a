"""The 人员 page: everyone on a 管理队伍, with search, a 在岗/已离职/未培训 filter, and the open 离职 tasks.

The table is a ``QAbstractTableModel`` over a Python list; search, filter and sort happen in Python
on the rows read from ``registry.list_people`` — on a big database (100,000 people in a
200,000-account demo) in a worker thread, behind a busy bar with 取消 (``ui.background``), so the
rows arrive filtered and in order and the window never waits for them. The lower panel lists the
open tasks that ``registry.save_person`` made when a 离职日期 was recorded (云南 第三十七条: 更改密码,
收回设备).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.people_tasks import (
    StaffArticles,
    TaskRow,
    complete_tasks,
    staff_articles,
    task_rows,
)
from gzdesk.permissions import Cap
from gzdesk.registry import PersonData, delete_person, list_people
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import may
from gzdesk.ui.list_model import ListModel, sort_key, sorted_rows
from gzdesk.ui.person_editor import PersonEditor
from gzdesk.ui.unit_editor import ask, warn
from gzdesk.ui.widgets import EmptyHint, LazyPage

AnyIndex = QModelIndex | QPersistentModelIndex
RELOAD_TOPICS = ("people", "units", "accounts", "office", "all")
GREY = QColor("#888888")
RED = QColor("#c0392b")

FILTERS = {
    "全部": lambda p: True,
    "在岗": lambda p: p.left_on is None,
    "已离职": lambda p: p.left_on is not None,
    # 须经培训后方可上岗 (盐湖 第二十二条, 太白 第十七条, 云南 第三十七条, 南通 第二十七条) — only people on duty matter.
    "未培训": lambda p: p.trained_on is None and p.left_on is None,
}


def _text(attr: str) -> Callable[[Any], str]:
    return lambda r: getattr(r, attr) or ""


def _date(attr: str) -> Callable[[Any], str]:
    return lambda r: cn_date(getattr(r, attr))


def _key(attr: str) -> Callable[[Any], Any]:
    return lambda r: getattr(r, attr)


PEOPLE_COLUMNS = [
    ("姓名", _text("name"), _key("name")),
    ("单位", _text("unit_name"), _key("unit_name")),
    ("职务", _text("title"), _key("title")),
    ("办公电话", _text("office_phone"), _key("office_phone")),
    ("手机号码", _text("mobile"), _key("mobile")),
    ("培训日期", lambda p: cn_date(p.trained_on) or ("未培训" if p.left_on is None else ""), _key("trained_on")),
    ("离职日期", _date("left_on"), _key("left_on")),
    ("负责账号数", lambda p: str(p.account_count), _key("account_count")),
]


Shown = tuple[str, tuple[str, ...], tuple[int, bool] | None]  # 显示, the search's words, (sort column, descending)


def shown_people(people: list[PersonData], shown: Shown) -> list[PersonData]:
    """The people the 显示 box and the search words let through, in the table's order."""
    show, words, sort = shown
    keep = FILTERS[show]
    rows = []
    for p in people:
        if not keep(p):
            continue
        if words:
            hay = " ".join(x or "" for x in (p.name, p.unit_name, p.title, p.office_phone, p.mobile,
                                             p.notes)).lower()
            if not all(w in hay for w in words):
                continue
        rows.append(p)
    if sort is not None:
        rows = sorted_rows(rows, sort_key(PEOPLE_COLUMNS[sort[0]]), sort[1])
    return rows


@dataclass
class PeopleRead:
    people: list[PersonData]
    tasks: list[TaskRow]
    articles: StaffArticles
    shown: Shown
    rows: list[PersonData]  # ``shown_people(people, shown)``


def read_people(session, shown: Shown) -> PeopleRead:
    """Everyone, the open 离职 tasks and the articles, and the rows to show (in the worker thread
    on a big database)."""
    people = list_people(session)
    return PeopleRead(people, task_rows(session), staff_articles(session), shown, shown_people(people, shown))


def filter_people(_session, people: list[PersonData], shown: Shown) -> list[PersonData]:
    return shown_people(people, shown)


class PeopleModel(ListModel):
    def __init__(self, parent: Any = None):
        super().__init__(PEOPLE_COLUMNS, parent=parent)
        self.training_article = ""  # the office's own article, set by the page on reload

    def style(self, p: PersonData, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and p.trained_on is None and p.left_on is None:
                return QBrush(RED)
            if p.left_on is not None:
                return QBrush(GREY)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 7:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 5 and p.trained_on is None and p.left_on is None:
                return "须经培训后方可上岗" + (f"（{self.training_article}）" if self.training_article else "")
            if p.notes:
                return f"备注：{p.notes}"
        return None


TASK_COLUMNS = [
    ("事项", _text("kind_label"), _key("kind_label")),
    # A unit's accounts on different platforms often share a name: show the platform too.
    ("账号", lambda t: f"{t.account_name}（{t.account_platform}）" if t.account_platform else t.account_name,
     _key("account_name")),
    ("离职人员", _text("person_name"), _key("person_name")),
    ("期限", _date("due_on"), _key("due_on")),
    ("依据", _text("article"), _key("article")),
]


class TasksModel(ListModel):
    def __init__(self, parent: Any = None):
        super().__init__(TASK_COLUMNS, parent=parent)

    def style(self, t: TaskRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and t.due_on and t.due_on < date.today():
            return QBrush(RED)
        if role == Qt.ItemDataRole.ToolTipRole:
            return t.title
        return None


def _table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setHighlightSections(False)
    return view


class PeoplePage(LazyPage):
    """The 人员 page. Holds no session: reads and writes through ``controller``."""

    reload_topics = RELOAD_TOPICS

    def __init__(self, controller: Any, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.people: list[PersonData] = []
        self.tasks: list[TaskRow] = []

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("查找人员：姓名、单位、职务、电话…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(240)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter_combo = QComboBox()
        self.filter_combo.addItems(list(FILTERS))
        self.filter_combo.setItemData(3, "在岗但没有培训日期的人员", Qt.ItemDataRole.ToolTipRole)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.new_button = QPushButton("新建人员…")
        self.edit_button = QPushButton("编辑…")
        self.delete_button = QPushButton("删除…")
        self.new_button.clicked.connect(lambda: self.new_person())
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.count_label = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("查找："))
        bar.addWidget(self.search_edit)
        bar.addWidget(QLabel("显示："))
        bar.addWidget(self.filter_combo)
        bar.addSpacing(12)
        for b in (self.new_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        from gzdesk.ui.list_actions import add_list_buttons

        add_list_buttons(self, bar)

        self.model = PeopleModel(self)
        self.table = _table(self.model, "peopleTable")
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, self.edit_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._on_person_selected())
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        for col, width in enumerate((90, 260, 150, 130, 120, 130, 130, 90)):
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # 姓名 in pinyin order

        self.tasks_model = TasksModel(self)
        self.tasks_table = _table(self.tasks_model, "tasksTable")
        self.tasks_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tasks_table.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.tasks_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((120, 260, 90, 130)):
            self.tasks_table.setColumnWidth(col, width)
        self.tasks_table.horizontalHeader().setStretchLastSection(True)
        self.tasks_table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # earliest 期限 first
        self.complete_button = QPushButton("标记完成")
        self.complete_button.setToolTip("所选待办已办结（已更改密码 / 已收回设备）")
        self.complete_button.clicked.connect(self.complete_selected_tasks)
        self.tasks_label = QLabel()
        self.only_person_check = QCheckBox("只看所选人员的待办")
        self.only_person_check.toggled.connect(lambda _c: self.show_tasks())
        self.tasks_box = QGroupBox("离职待办：更改账号密码、收回工作设备")
        task_bar = QHBoxLayout()
        task_bar.addWidget(self.tasks_label)
        task_bar.addStretch(1)
        task_bar.addWidget(self.only_person_check)
        task_bar.addWidget(self.complete_button)
        box_lay = QVBoxLayout(self.tasks_box)
        box_lay.addLayout(task_bar)
        box_lay.addWidget(self.tasks_table)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addLayout(bar)
        top_lay.addWidget(self.table, 1)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tasks_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([560, 200])
        lay = QVBoxLayout(self)
        lay.addWidget(self.splitter)
        self.loading = BackgroundRead(controller, "正在读取人员…", self)
        self.loading.cancelled.connect(self._on_cancelled)
        top_lay.insertWidget(1, self.loading)
        self.empty_hint = EmptyHint(self.table, lambda: "正在读取人员…" if self.loading.busy else "没有符合条件的人员。" if self.people else (
            "这里列出各账号管理队伍中的人员及其培训、离职情况。还没有人员：点击“新建人员…”，或在账号编辑的“管理队伍”中添加。"))
        self.tasks_hint = EmptyHint(self.tasks_table, lambda: "没有未办结的离职待办。")
        self._reading = False  # a reload in flight: it shows the rows for the filters when done
        self._update_buttons()

    # ------------------------------------------------------------------ page API used by the window
    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def refresh(self) -> None:
        self.reload()

    def list_table(self):
        """打印清单 / 导出 Excel: the people shown, in the table's order."""
        from gzdesk.printing.lists import ListColumn, ListTable
        from gzdesk.ui.list_actions import filters_text, office_name

        columns = [ListColumn(title, "right" if title == "负责账号数" else "left") for title, _t, _k in PEOPLE_COLUMNS]
        rows = [[text(p) for _title, text, _key in PEOPLE_COLUMNS] for p in self.model.rows]
        words = self.search_edit.text().strip()
        shown = self.filter_combo.currentText()
        subtitle = filters_text(("显示", shown if shown != "全部" else None), ("查找", f"“{words}”" if words else None))
        return ListTable("政务新媒体管理人员", columns, rows, office_name(self.controller), subtitle)

    def apply_link(self, link) -> None:
        """Show what a figure of 首页 counted (显示: 未培训, 在岗, 已离职)."""
        self.search_edit.clear()
        index = self.filter_combo.findText(link.get("show") or "全部")
        self.filter_combo.setCurrentIndex(max(index, 0))

    def reload(self) -> None:
        """Read everyone again (in a worker thread on a big database); the filters, the order and
        the selection stay."""
        self._stale = False
        self._reading = True
        self.loading.label.setText("正在读取人员…")
        self.loading.start(read_people, self._shown(), done=self._got_people)
        self.empty_hint.update_hint()

    def _got_people(self, read: PeopleRead) -> None:
        self._reading = False
        self.people, self.tasks = read.people, read.tasks
        self.model.training_article = read.articles.training
        self.tasks_box.setToolTip(f"依据：{read.articles.departure}")
        if read.shown == self._shown():
            self._show_people(read.rows)
        else:  # the filters or the order changed while it read
            self.apply_filter()

    def _on_cancelled(self) -> None:
        if self._reading:
            self._reading = False
            self._stale = True  # read again when next shown
            self.count_label.setText("读取已取消")

    def _shown(self) -> Shown:
        words = tuple(" ".join(self.search_edit.text().split()).lower().split())
        header = self.table.horizontalHeader()
        sort = None
        if header.sortIndicatorSection() >= 0 and self.table.isSortingEnabled():
            sort = (header.sortIndicatorSection(), header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder)
        return self.filter_combo.currentText(), words, sort

    def show_tasks(self) -> None:
        """The open tasks in the lower panel: everyone's, or only the selected person's."""
        only = self.only_person_check.isChecked()
        person_id = self.current_id()
        rows = [t for t in self.tasks if not only or (person_id is not None and t.person_id == person_id)]
        self.tasks_model.set_rows(rows)
        header = self.tasks_table.horizontalHeader()
        self.tasks_model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        n = len(self.tasks)
        overdue = sum(1 for t in self.tasks if t.due_on and t.due_on < date.today())
        text = (f"未办结 {n} 项" + (f"，其中逾期 {overdue} 项" if overdue else "")) if n else "没有未办结的离职待办"
        if only:
            text += f"；所选人员 {len(rows)} 项" if person_id is not None else "；请在上方选中人员"
        self.tasks_label.setText(text)
        self.tasks_box.setTitle(f"离职待办（{n}）：更改账号密码、收回工作设备")
        self._update_buttons()

    def apply_filter(self) -> None:
        """Show the people the filters let through (filtered in a worker thread on a big database)."""
        self._search_timer.stop()
        if self._reading and self.loading.busy:
            return  # the people being read arrive filtered by what the boxes say then
        self.loading.label.setText("正在查找…")
        self.loading.start(filter_people, self.people, self._shown(), done=self._show_people)

    def _show_people(self, rows: list[PersonData]) -> None:
        selected = self.current_id()
        self.model.set_rows(rows)
        shown = len(rows)
        total = len(self.people)
        self.count_label.setText(f"共 {total} 人" if shown == total else f"显示 {shown} / 共 {total} 人")
        if selected is not None:
            self.select_person(selected)
        self.show_tasks()

    # ------------------------------------------------------------------ selection
    def current_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()].id if rows else None

    def select_person(self, person_id: int) -> bool:
        for r, p in enumerate(self.model.rows):
            if p.id == person_id:
                self.table.selectRow(r)
                self.table.scrollTo(self.model.index(r, 0))
                return True
        return False

    def selected_task_ids(self) -> list[int]:
        return [self.tasks_model.rows[i.row()].id for i in self.tasks_table.selectionModel().selectedRows()]

    def _on_person_selected(self) -> None:
        if self.only_person_check.isChecked():
            self.show_tasks()
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        editable = may(self.controller, Cap.EDIT)  # others may open a person to read
        self.new_button.setEnabled(editable)
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has and editable)
        self.complete_button.setEnabled(bool(self.selected_task_ids()) and editable)

    # ------------------------------------------------------------------ actions
    def new_person(self, unit_id: int | None = None) -> int | None:
        return self._run_editor(PersonEditor(self.controller, unit_id=unit_id, parent=self))

    def edit_current(self) -> int | None:
        person_id = self.current_id()
        if person_id is None:
            return None
        try:
            dialog = PersonEditor(self.controller, person_id=person_id, parent=self)
        except UserError as exc:
            warn(self, str(exc))
            self.reload()
            return None
        return self._run_editor(dialog)

    def _run_editor(self, dialog: PersonEditor) -> int | None:
        self.last_editor = dialog  # tests and screenshots reach the open dialog through this
        dialog.exec()
        saved = dialog.saved_id
        if saved is not None:
            if self._stale:
                self.reload()
            self.loading.after(lambda: self._select_saved(saved))  # once the table shows the save
        return saved

    def _select_saved(self, person_id: int) -> None:
        """Select a person just saved; clear the filters first if they hide them."""
        if not self.select_person(person_id):
            self.search_edit.clear()
            self.filter_combo.setCurrentIndex(0)
            self.apply_filter()
            self.loading.after(lambda: self.select_person(person_id))

    def delete_selected(self) -> None:
        person_id = self.current_id()
        person = next((p for p in self.people if p.id == person_id), None)
        if person is None:
            return
        if not ask(self, "删除人员", f"确定删除“{person.name}”吗？\n已离职的人员建议保留记录，只登记离职日期。",
                   yes="删除", no="取消"):
            return
        try:
            self.controller.write(delete_person, person.id)
        except UserError as exc:
            warn(self, str(exc), "不能删除")

    def complete_selected_tasks(self) -> int:
        ids = self.selected_task_ids()
        if not ids:
            return 0
        n = self.controller.write(complete_tasks, ids, topic="people")
        window = self.window()
        if hasattr(window, "status_message"):
            window.status_message(f"已将 {n} 项离职待办标记为完成")
        return n

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for text, slot, needs in (("新建人员…", lambda: self.new_person(), False),
                                  ("编辑…", self.edit_current, True),
                                  ("删除…", self.delete_selected, True)):
            action = menu.addAction(text)
            action.triggered.connect(slot)
            action.setEnabled((not needs or self.current_id() is not None)
                              and (text == "编辑…" or may(self.controller, Cap.EDIT)))
        menu.exec(self.table.viewport().mapToGlobal(pos))



def install(window: Any) -> None:
    """Add the 人员 page and 编辑 → 新建人员… / 离职待办."""
    page = PeoplePage(window.controller)
    window.add_page("people", "人员", page)
    window.people_page = page
    menu = window.menu("编辑")
    new_action = QAction("新建人员…", window)
    new_action.triggered.connect(lambda: (window.show_page("people"), page.new_person()))
    tasks_action = QAction("离职待办…", window)
    tasks_action.setToolTip("人员离职后须更改账号密码、收回工作设备")
    tasks_action.triggered.connect(lambda: (window.show_page("people"), page.tasks_table.setFocus()))
    menu.addAction(new_action)
    menu.addAction(tasks_action)
    window.people_actions = [new_action, tasks_action]
    new_action.setEnabled(may(window.controller, Cap.EDIT))
    # the 单位 page (installed before this one) offers 新建本单位人员… in its right-click menu
    window.page("units").unit_actions.append(
        ("新建本单位人员…", lambda unit_id: (window.show_page("people"), page.new_person(unit_id))))
