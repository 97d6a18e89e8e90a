"""The 单位 page's tree: a model over plain dicts, no Qt item per cell.

A national library has ~40,000 units (a 200,000-account demo): seven ``QStandardItem`` per unit
took 5 s on the GUI thread and ~200 MB. Here ``UnitTree`` (made in a worker thread by
``prepare``, and by ``search`` for the 查找 box) holds the order of every branch; the model makes
an index only when the view asks for one (the rows painted, the branches opened), and a cell's
text, tooltip and colour when it is painted.

An index's ``internalId()`` is the unit's id (never call ``internalPointer()`` on one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from gzdesk import enums
from gzdesk.registry import UnitData
from gzdesk.ui.pinyin import thread_keys
from gzdesk.units_tree import children_map, filter_units, unit_paths

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = ("名称", "类型", "主要负责人", "分管领导及职务", "联系电话", "涉密", "账号数")
ID_ROLE = Qt.ItemDataRole.UserRole
CLASSIFIED = QColor("#c0392b")
COUNT_TIP = "以本单位为主办单位的账号数"


@dataclass(frozen=True)
class UnitTree:
    """The units shown and where: ``kids`` (parent id → child ids in display order; None: the
    top level), each shown unit's ``parent`` and ``row`` under it. ``matched`` is the search's
    matches (shown bold), None without a search. ``base`` is the whole tree a search was made from."""

    units: list[UnitData] = field(default_factory=list)
    by_id: dict[int, UnitData] = field(default_factory=dict)
    kids: dict[int | None, list[int]] = field(default_factory=dict)
    parent: dict[int, int | None] = field(default_factory=dict)
    row: dict[int, int] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)
    text: str = ""
    matched: frozenset[int] | None = None
    base: UnitTree | None = None

    @property
    def whole(self) -> UnitTree:
        return self.base or self

    def shown(self, unit_id: int | None) -> bool:
        return unit_id in self.row

    def branches(self) -> list[int]:
        """The shown units that have shown children."""
        return [uid for uid, kids in self.kids.items() if uid is not None and kids and uid in self.row]


def _placed(kids: dict[int | None, list[int]]) -> tuple[dict[int, int | None], dict[int, int]]:
    """Each unit reachable from the top level: its parent and its row (a parent cycle's members are
    unreachable and not shown, as in ``units_tree.tree_order``'s walk from the top)."""
    parent: dict[int, int | None] = {}
    row: dict[int, int] = {}
    stack: list[int | None] = [None]
    while stack:
        pid = stack.pop()
        for r, uid in enumerate(kids.get(pid, ())):
            if uid in row:
                continue
            parent[uid], row[uid] = pid, r
            stack.append(uid)
    return parent, row


def prepare(units: Iterable[UnitData]) -> UnitTree:
    """The whole tree: siblings by type then name in pinyin order (``units_tree.children_map``).
    Runs in a worker thread (its own pinyin keys)."""
    units = [u for u in units if u.id is not None]
    keys = thread_keys()
    keys.learn(u.name for u in units if u.name)
    kids = {p: [u.id for u in us if u.id is not None] for p, us in children_map(units, keys.key).items()}
    parent, row = _placed(kids)
    return UnitTree(units, {u.id: u for u in units if u.id is not None}, kids, parent, row, unit_paths(units))


def search(whole: UnitTree, text: str) -> UnitTree:
    """The units matching ``text`` with their ancestors (``units_tree.filter_units``), in the whole
    tree's order; the whole tree when ``text`` is blank."""
    if not text.strip():
        return whole
    shown, matched = filter_units(whole.units, text)
    kids = {p: [c for c in cs if c in shown] for p, cs in whole.kids.items() if p is None or p in shown}
    parent, row = _placed(kids)
    return UnitTree(whole.units, whole.by_id, kids, parent, row, whole.paths, text, frozenset(matched), whole)


def _texts(u: UnitData) -> tuple[str, ...]:
    return (u.name, enums.label("unit_type", u.kind), u.head or "", u.leader or "", u.phone or "",
            "是" if u.classified else "", str(u.account_count) if u.account_count else "")


class UnitTreeModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.tree = UnitTree()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_tree(self, tree: UnitTree) -> None:
        self.beginResetModel()
        self.tree = tree
        self.endResetModel()

    def index_of(self, unit_id: int | None) -> QModelIndex:
        if unit_id is None or unit_id not in self.tree.row:
            return QModelIndex()
        return self.createIndex(self.tree.row[unit_id], 0, id=unit_id)

    def unit_at(self, index: AnyIndex) -> UnitData | None:
        return self.tree.by_id.get(index.internalId()) if index.isValid() else None

    # ------------------------------------------------------------------ Qt's model API
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008 (Qt API)
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        kids = self.tree.kids.get(parent.internalId() if parent.isValid() else None, ())
        if not (0 <= row < len(kids) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column, id=kids[row])

    def parent(self, index: AnyIndex | None = None) -> Any:  # QObject.parent() too, without an index
        if index is None:
            return QObject.parent(self)
        if not index.isValid():
            return QModelIndex()
        pid = self.tree.parent.get(index.internalId())
        return QModelIndex() if pid is None else self.createIndex(self.tree.row[pid], 0, id=pid)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        if not parent.isValid():
            return len(self.tree.kids.get(None, ()))
        if parent.column() != 0:
            return 0
        return len(self.tree.kids.get(parent.internalId(), ()))

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802, B008 (Qt API)
        return self.rowCount(parent) > 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt API)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        u = self.unit_at(index)
        if u is None:
            return None
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return _texts(u)[column]
        if column == 0:
            if role == ID_ROLE:
                return u.id
            if role == Qt.ItemDataRole.ToolTipRole:
                path = self.tree.paths.get(u.id, u.name) if u.id is not None else u.name
                return path + (f"\n备注：{u.notes}" if u.notes else "")
            if role == Qt.ItemDataRole.FontRole and self.tree.matched is not None and u.id in self.tree.matched:
                return self._bold
        elif column == 5:
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ForegroundRole and u.classified:
                return QBrush(CLASSIFIED)
        elif column == 6:
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if role == Qt.ItemDataRole.ToolTipRole:
                return COUNT_TIP
        return None
