"""The 单位 page: the unit tree (county → township/bureau → 内设机构) with search, new, edit, delete.

Units are a few hundred, so the tree is a ``QStandardItemModel`` rebuilt from ``registry.list_units``
on every change; the search box filters in Python (``gzdesk.units_tree.filter_units``) and keeps the
ancestors of each match so the tree keeps its shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QKeySequence,
    QShortcut,
    QStandardItem,
    QStandardItemModel,
)
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

from gzdesk import enums
from gzdesk.errors import UserError
from gzdesk.permissions import Cap
from gzdesk.registry import UnitData, delete_unit, list_units
from gzdesk.ui.controller import may
from gzdesk.ui.unit_editor import UnitEditor, ask, pinyin_key, warn
from gzdesk.ui.widgets import LazyPage
from gzdesk.units_tree import children_map, filter_units, unit_paths

COLUMNS = ("名称", "类型", "主要负责人", "分管领导及职务", "联系电话", "涉密", "账号数")
ID_ROLE = Qt.ItemDataRole.UserRole
RELOAD_TOPICS = ("units", "accounts", "people", "office", "all")


class UnitsPage(LazyPage):
    """The 单位 page. Holds no session: reads and writes through ``controller``."""

    reload_topics = RELOAD_TOPICS

    def __init__(self, controller: Any, parent: QWidget | None = None):
        super().__init__(controller, parent)
        self.units: list[UnitData] = []
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

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
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

        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.tree, 1)
        self._update_buttons()

    # ------------------------------------------------------------------ page API used by the window
    def focus_search(self) -> None:
        self.search_edit.setFocus()
        self.search_edit.selectAll()

    def refresh(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the units again and rebuild the tree, keeping the selection and opened branches."""
        self.units = self.controller.read(list_units)
        self._stale = False
        self.rebuild()

    def rebuild(self) -> None:
        selected = self.current_id()
        text = self.search_edit.text()
        searching = bool(text.strip())
        expanded = None if self._first_load else self._expanded_ids()
        # A search opens every branch; the branches opened by hand come back when it is cleared.
        if searching and self._expanded_before_search is None:
            self._expanded_before_search = expanded or set()
        elif not searching and self._expanded_before_search is not None:
            expanded, self._expanded_before_search = self._expanded_before_search, None
        shown, matched = filter_units(self.units, text)
        self._paths = unit_paths(self.units)
        self.model.removeRows(0, self.model.rowCount())
        kids = children_map((u for u in self.units if u.id in shown), pinyin_key)
        bold = QFont()
        bold.setBold(True)
        by_id: dict[int | None, QModelIndex] = {}

        def add(parent_item: QStandardItem, parent_id: int | None) -> None:
            for u in kids.get(parent_id, []):
                row = self._row_items(u)
                if text.strip() and u.id in matched:
                    row[0].setFont(bold)
                parent_item.appendRow(row)
                by_id[u.id] = row[0].index()
                add(row[0], u.id)

        add(self.model.invisibleRootItem(), None)
        if text.strip():
            self.tree.expandAll()
        elif expanded is None:
            self.tree.expandToDepth(0)  # first view: the county and its townships and bureaus
            self._first_load = False
        else:
            for unit_id in expanded:
                if unit_id in by_id:
                    self.tree.setExpanded(by_id[unit_id], True)
        if selected in by_id:
            self.tree.setCurrentIndex(by_id[selected])
        self.count_label.setText(f"找到 {len(matched)} 个单位" if text.strip() else f"共 {len(self.units)} 个单位")
        self._update_buttons()

    def _row_items(self, u: UnitData) -> list[QStandardItem]:
        values = (u.name, enums.label("unit_type", u.kind), u.head or "", u.leader or "", u.phone or "",
                  "是" if u.classified else "", str(u.account_count) if u.account_count else "")
        items = [QStandardItem(v) for v in values]
        items[0].setData(u.id, ID_ROLE)
        items[0].setToolTip((self._paths.get(u.id, u.name) if u.id is not None else u.name) + (f"\n备注：{u.notes}" if u.notes else ""))
        items[5].setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        items[6].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        items[6].setToolTip("以本单位为主办单位的账号数")
        if u.classified:
            items[5].setForeground(QBrush(QColor("#c0392b")))
        return items

    def _expanded_ids(self) -> set[int]:
        out: set[int] = set()
        stack = [self.model.invisibleRootItem()]
        while stack:
            item = stack.pop()
            for r in range(item.rowCount()):
                child = item.child(r, 0)
                if child.hasChildren() and self.tree.isExpanded(child.index()):
                    out.add(child.data(ID_ROLE))
                stack.append(child)
        return out

    # ------------------------------------------------------------------ selection
    def current_id(self) -> int | None:
        index = self.tree.currentIndex()
        if not index.isValid() or not self.tree.selectionModel().isSelected(index):
            return None
        return index.siblingAtColumn(0).data(ID_ROLE)

    def current_unit(self) -> UnitData | None:
        unit_id = self.current_id()
        return next((u for u in self.units if u.id == unit_id), None)

    def select_unit(self, unit_id: int) -> bool:
        """Select (and scroll to) a unit; False if it is not shown."""
        for index in self._all_indexes():
            if index.data(ID_ROLE) == unit_id:
                self.tree.setCurrentIndex(index)
                self.tree.scrollTo(index)
                return True
        return False

    def _all_indexes(self) -> list[QModelIndex]:
        out = []
        stack = [self.model.invisibleRootItem()]
        while stack:
            item = stack.pop()
            for r in range(item.rowCount()):
                child = item.child(r, 0)
                out.append(child.index())
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
        if dialog.saved_id is not None:
            if self._stale:
                self.reload()
            self.select_unit(dialog.saved_id)
        return dialog.saved_id

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
