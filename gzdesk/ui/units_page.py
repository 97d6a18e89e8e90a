"""The 单位 page: the unit tree (county → township/bureau → 内设机构) with search, new, edit, delete.

A national library has ~40,000 units. They are read, ordered and (for the 查找 box) filtered in a
worker thread on a big database (``ui.background.BackgroundRead``: a busy bar with 取消), and
shown by ``ui.unit_tree_model.UnitTreeModel``, which makes a row only when the tree paints it;
the search keeps the ancestors of each match so the tree keeps its shape
(``gzdesk.units_tree.filter_units``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.registry import UnitData, delete_unit, list_units
from gzdesk.ui.background import BackgroundRead
from gzdesk.ui.controller import may
from gzdesk.ui.unit_editor import UnitEditor, ask, warn
from gzdesk.ui.unit_tree_model import ID_ROLE, UnitTree, UnitTreeModel, prepare, search
from gzdesk.ui.widgets import EmptyHint, LazyPage

RELOAD_TOPICS = ("units", "accounts", "people", "office", "all")


def read_tree(session) -> UnitTree:
    """Every unit, ordered as the tree shows them (in the worker thread on a big database)."""
    return prepare(list_units(session))


def search_tree(_session, whole: UnitTree, text: str) -> UnitTree:
    """The 查找 box's tree (pure Python: 40,000 units take a few tenths of a second)."""
    return search(whole, text)


class UnitsPage(LazyPage):
    """The 单位 page. Holds no session: reads and writes through ``controller``."""

    reload_topics = RELOAD_TOPICS

    def __init__(self, controller: Any, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.units: list[UnitData] = []
        self._whole = UnitTree()
        self._reading = False  # a reload in flight: it rebuilds the tree when done
        self._first_load = True
        self._expanded_before_search: set[int] | None = None
        # (text, fn(unit_id)) shown in the tree's right-click menu; other pages add theirs at install.
        self.unit_actions: list[tuple[str, Callable[[int], object]]] = []

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("查找单位：名称、类型、负责人、电话…")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.rebuild)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())

        self.new_button = QPushButton("新建单位…")
        self.new_child_button = QPushButton("新建下级单位…")
        self.edit_button = QPushButton("编辑…")
        self.delete_button = QPushButton("删除…")
        self.new_button.clicked.connect(lambda: self.new_unit())
        self.new_child_button.clicked.connect(self.new_child_unit)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_selected)
        self.count_label = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("查找："))
        bar.addWidget(self.search_edit)
        bar.addSpacing(12)
        for b in (self.new_button, self.new_child_button, self.edit_button, self.delete_button):
            bar.addWidget(b)
        bar.addStretch(1)
        bar.addWidget(self.count_label)

        self.model = UnitTreeModel(self)
        self.tree = QTreeView()
        self.tree.setObjectName("unitTree")
        self.tree.setModel(self.model)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.doubleClicked.connect(lambda _i: self.edit_current())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.tree, self.edit_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.tree.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        header = self.tree.header()
        header.setStretchLastSection(False)
        for col, width in enumerate((340, 110, 100, 200, 150, 50, 60)):
            self.tree.setColumnWidth(col, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name takes what is left
        header.setMinimumSectionSize(40)

        self.loading = BackgroundRead(controller, "正在读取单位…", self)
        self.loading.cancelled.connect(self._on_cancelled)

        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.loading)
        lay.addWidget(self.tree, 1)
        self.empty_hint = EmptyHint(self.tree, self._empty_text)
        self._update_buttons()

    def _empty_text(self) -> str:
        if self.loading.busy:
            return "正在读取单位…"
        if self.units:
            return "没有符合查找条件的单位。"
        return ("这里按上下级列出本地区的单位（乡镇、部门及其内设机构）。还没有单位：点击“新建单位…”，"
                "或在新建账号时输入主办单位名称。")

    # ------------------------------------------------------------------ page API used by the window
    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the units again and rebuild the tree, keeping the selection and opened branches
        (in a worker thread on a big database)."""
        self._stale = False
        self._reading = True
        self.loading.label.setText("正在读取单位…")
        self.loading.start(read_tree, done=self._got_units)
        self.empty_hint.update_hint()

    def _got_units(self, whole: UnitTree) -> None:
        self._reading = False
        self.units = whole.units
        self._whole = whole
        self.rebuild()

    def _on_cancelled(self) -> None:
        if self._reading:
            self._reading = False
            self._stale = True  # read again when next shown
            self.count_label.setText("读取已取消")

    def rebuild(self) -> None:
        """Show the tree for the 查找 box's text (filtered in a worker thread on a big database)."""
        self._search_timer.stop()
        if self._reading and self.loading.busy:
            return  # the units being read are shown with the box's text when they arrive
        text = self.search_edit.text()
        if not text.strip():
            self._show_tree(self._whole)
            return
        self.loading.label.setText("正在查找…")
        self.loading.start(search_tree, self._whole, text, done=self._show_tree)

    def _show_tree(self, tree: UnitTree) -> None:
        selected = self.current_id()
        searching = tree.matched is not None
        expanded = None if self._first_load else self._expanded_ids()
        # A search opens every branch; the branches opened by hand come back when it is cleared.
        if searching and self._expanded_before_search is None:
            self._expanded_before_search = expanded or set()
        elif not searching and self._expanded_before_search is not None:
            expanded, self._expanded_before_search = self._expanded_before_search, None
        self.model.set_tree(tree)
        if searching:
            self.tree.expandAll()
        elif expanded is None:
            self.tree.expandToDepth(0)  # first view: the county and its townships and bureaus
            self._first_load = False
        else:
            for unit_id in expanded:
                index = self.model.index_of(unit_id)
                if index.isValid():
                    self.tree.setExpanded(index, True)
        if tree.shown(selected):
            self.tree.setCurrentIndex(self.model.index_of(selected))
        matched = tree.matched
        self.count_label.setText(f"找到 {len(matched)} 个单位" if matched is not None else f"共 {len(self.units)} 个单位")
        self._update_buttons()

    def _expanded_ids(self) -> set[int]:
        """The shown units with children whose branch is open."""
        return {uid for uid in self.model.tree.branches() if self.tree.isExpanded(self.model.index_of(uid))}

    # ------------------------------------------------------------------ selection
    def current_id(self) -> int | None:
        index = self.tree.currentIndex()
        if not index.isValid() or not self.tree.selectionModel().isSelected(index):
            return None
        return index.siblingAtColumn(0).data(ID_ROLE)

    def current_unit(self) -> UnitData | None:
        return self._whole.by_id.get(self.current_id())  # type: ignore[arg-type]  # None finds nothing

    def select_unit(self, unit_id: int) -> bool:
        """Select (and scroll to) a unit; False if it is not shown."""
        index = self.model.index_of(unit_id)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def _all_indexes(self) -> list[QModelIndex]:
        """Every row of the tree (column 0), top down."""
        out: list[QModelIndex] = []
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for r in range(self.model.rowCount(parent)):
                child = self.model.index(r, 0, parent)
                out.append(child)
                stack.append(child)
        return out

    def _update_buttons(self) -> None:
        has = self.current_id() is not None
        editable = may(self.controller, Cap.EDIT)  # others may open a unit to read it
        self.new_button.setEnabled(editable)
        self.edit_button.setEnabled(has)
        for b in (self.new_child_button, self.delete_button):
            b.setEnabled(has and editable)

    # ------------------------------------------------------------------ actions
    def new_unit(self, parent_id: int | None = None) -> int | None:
        dialog = UnitEditor(self.controller, parent_id=parent_id, parent=self)
        return self._run_editor(dialog)

    def new_child_unit(self) -> int | None:
        parent_id = self.current_id()
        if parent_id is None:
            warn(self, "请先选中上级单位")
            return None
        return self.new_unit(parent_id)

    def edit_current(self) -> int | None:
        unit_id = self.current_id()
        if unit_id is None:
            return None
        try:
            dialog = UnitEditor(self.controller, unit_id=unit_id, parent=self)
        except UserError as exc:  # deleted meanwhile
            warn(self, str(exc))
            self.reload()
            return None
        return self._run_editor(dialog)

    def _run_editor(self, dialog: UnitEditor) -> int | None:
        self.last_editor = dialog  # tests and screenshots reach the open dialog through this
        dialog.exec()
        saved = dialog.saved_id
        if saved is not None:
            if self._stale:
                self.reload()
            self.loading.after(lambda: self.select_unit(saved))  # once the tree shows the save
        return saved

    def delete_selected(self) -> None:
        unit = self.current_unit()
        if unit is None:
            return
        if not ask(self, "删除单位", f"确定删除单位“{unit.name}”吗？\n删除后可在审计日志中查到记录。",
                   yes="删除", no="取消"):
            return
        try:
            self.controller.write(delete_unit, unit.id)
        except UserError as exc:
            warn(self, str(exc), "不能删除")

    def _context_menu(self, pos) -> None:
        menu = QMenu(self)
        for text, slot, needs in (("新建单位…", lambda: self.new_unit(), False),
                                  ("新建下级单位…", self.new_child_unit, True),
                                  ("编辑…", self.edit_current, True),
                                  ("删除…", self.delete_selected, True)):
            action = menu.addAction(text)
            action.triggered.connect(slot)
            action.setEnabled((not needs or self.current_id() is not None)
                              and (text == "编辑…" or may(self.controller, Cap.EDIT)))
        unit_id = self.current_id()
        if self.unit_actions and unit_id is not None:
            menu.addSeparator()
            for text, fn in self.unit_actions:
                menu.addAction(text).triggered.connect(lambda _=False, f=fn, u=unit_id: f(u))
        menu.exec(self.tree.viewport().mapToGlobal(pos))



def install(window: Any) -> None:
    """Add the 单位 page and its menu entries (编辑 → 新建单位… / 新建下级单位…)."""
    page = UnitsPage(window.controller)
    window.add_page("units", "单位", page)
    window.units_page = page
    menu = window.menu("编辑")
    menu.addSeparator()
    new_action = QAction("新建单位…", window)
    new_action.triggered.connect(lambda: (window.show_page("units"), page.new_unit()))
    child_action = QAction("新建下级单位…", window)
    child_action.setToolTip("在“单位”页选中的单位下新建内设机构或下属单位")
    child_action.triggered.connect(lambda: (window.show_page("units"), page.new_child_unit()))
    menu.addAction(new_action)
    menu.addAction(child_action)
    window.unit_actions = [new_action, child_action]
    for action in window.unit_actions:
        action.setEnabled(may(window.controller, Cap.EDIT))
    page.unit_actions.append(("查看本单位主办的账号", lambda unit_id: show_unit_accounts(window, unit_id)))


def show_unit_accounts(window: Any, unit_id: int) -> bool:
    """Switch to 账号台账 filtered on this 主办单位; False if no account names it as 主办单位."""
    registry_page = window.registry
    combo = registry_page.unit_combo
    window.show_page("accounts")
    registry_page.reload()  # the filter lists only units hosting accounts: make it current first
    index = combo.findData(unit_id)
    if index < 0:
        window.status_message("该单位没有作为主办单位的账号")
        return False
    combo.setCurrentIndex(index)
    return True
