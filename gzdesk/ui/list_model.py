"""The window's one read-only table model over a Python list (待办, 检查, 备案, 人员, 监管, 审计日志).

``columns`` are ``(header, text(row))`` or ``(header, text(row), sort key(row))``. A cell's text is
also its tooltip unless ``style`` gives another; ``colour(row)`` may give a (foreground,
background) pair for a whole row; a subclass's ``style(row, column, role)`` answers any other role
(alignment, a red cell). ``UserRole`` is the row itself.

Sorting (where the view enables it) sorts the list and announces a layout change — never a
QSortFilterProxyModel, which takes ~40 s over 200,000 Python rows. Blanks go last in either
direction, texts sort in pinyin order, and the selection follows its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from gzdesk.ui.pinyin import thread_keys

AnyIndex = QModelIndex | QPersistentModelIndex
Column = tuple[str, Callable[[Any], str]] | tuple[str, Callable[[Any], str], Callable[[Any], Any]]
Colour = Callable[[Any], tuple[QColor | None, QColor | None]]


class ListModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column], colour: Colour | None = None, parent: Any = None):
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
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()][1](row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        styled = self.style(row, index.column(), role)
        if styled is not None:
            return styled
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.columns[index.column()][1](row) or None
        if self.colour and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            fg, bg = self.colour(row)
            c = fg if role == Qt.ItemDataRole.ForegroundRole else bg
            return QBrush(c) if c is not None else None
        return None

    def style(self, row: Any, column: int, role: int) -> Any:
        """A subclass's answer for ``role`` of this cell (None: the defaults above)."""
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        rows = sorted_rows(self.rows, sort_key(self.columns[column]), order == Qt.SortOrder.DescendingOrder)
        new_row = {id(r): i for i, r in enumerate(rows)}
        before = self.persistentIndexList()
        after = [self.index(new_row[id(self.rows[p.row()])], p.column()) for p in before]
        self.rows = rows
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()


def sort_key(column: Column) -> Callable[[Any], Any]:
    """A column's sort key: its third part, else its text."""
    return column[2] if len(column) > 2 else column[1]


def sorted_rows(rows: Sequence[Any], key: Callable[[Any], Any], descending: bool = False) -> list[Any]:
    """``ListModel.sort``'s order: blanks last in either direction, texts in pinyin order. Safe in a
    worker thread (``pinyin.thread_keys``): a page may sort what it read before showing it."""
    filled = [r for r in rows if key(r) not in (None, "")]
    blank = [r for r in rows if key(r) in (None, "")]
    if filled and isinstance(key(filled[0]), str):
        keys = thread_keys()
        keys.learn(t for t in (key(r) for r in filled) if t)
        filled.sort(key=lambda r: keys.key(key(r)), reverse=descending)
    else:
        filled.sort(key=key, reverse=descending)
    return filled + blank
