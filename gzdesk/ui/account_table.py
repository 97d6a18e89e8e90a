"""The registry page (账号台账): a table of every account with search, filters and sort.

The rows, the search, the filters and the sort live in ``account_rows.AccountRows`` (no Qt
classes); the table model here only reads the engine's shown rows and resets the view — never
QSortFilterProxyModel, which needs tens of seconds for 200,000 rows.

Saving or deleting one account changes just its row (``upsert_row`` / ``remove_row``: the row
moves to its place in the current sort, appears or disappears under the current filter; rows
inserted, removed, moved or changed — no reset, so the selection and the scroll position stay).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gzdesk import enums, registry, value_check
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.overview import NO_HOST, host_unit_ids
from gzdesk.permissions import Cap
from gzdesk.registry import AccountRow, AccountTable
from gzdesk.ui.account_rows import (
    COLUMN_KEYS as COLUMN_KEYS,  # the table's columns, for tests and pages
)
from gzdesk.ui.account_rows import COLUMNS, AccountRows, RowsView
from gzdesk.ui.account_rows import Column as Column
from gzdesk.ui.account_rows import search_key as search_key
from gzdesk.ui.bulk import paused_gc
from gzdesk.ui.controller import ACCOUNTS, ALL, FILINGS, UNITS, Controller, may
from gzdesk.ui.pinyin import PINYIN

if TYPE_CHECKING:
    from gzdesk.ui.main_window import MainWindow

ModelIndex = QModelIndex | QPersistentModelIndex

_GREY = QBrush(QColor(128, 128, 128))
_AMBER = QBrush(QColor(176, 96, 0))
_GREEN = QBrush(QColor(0, 120, 60))
_RED = QBrush(QColor(190, 30, 30))


class AccountTableModel(QAbstractTableModel):
    """The Qt face of ``AccountRows`` (``self.rows``): ``set_rows`` once, then ``set_filter`` / ``sort``;
    ``data()`` reads the shown rows of the engine."""

    ID_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows = AccountRows()
        self._painted: tuple[int, AccountRow] | None = None  # the slot data() read last, and its row
        # while the page reads the registry a part at a time (RegistryPage.start_loading): called
        # before a filter, a sort or a row change, which are made on every account, never on a part
        self.before_change: Callable[[], None] | None = None

    def _whole(self) -> None:
        if self.before_change is not None:
            self.before_change()

    # ------------------------------------------------------------------ data in
    def set_rows(self, rows: list[AccountRow]) -> None:
        self.set_table(AccountTable.of_rows(rows))

    def set_table(self, table: AccountTable) -> None:
        """Every account anew (``registry.account_table``); the sort and the filters stay."""
        self.beginResetModel()
        self._painted = None
        self.rows.set_table(table)
        self.endResetModel()

    def set_filter(self, *, text: str | None = None, platform: str | None | bool = False,
                   status: str | None | bool = False, host_unit_id: int | None | bool = False,
                   host_units: frozenset[int] | str | None | bool = False) -> None:
        """Change any of the filters (``False`` leaves one as it is; ``None`` clears it).

        ``host_units``: accounts whose 主办单位 is one of these ids, or ``NO_HOST`` for none given."""
        self._whole()
        self.rows.set_filter(text=text, platform=platform, status=status, host_unit_id=host_unit_id,
                               host_units=host_units)
        self.beginResetModel()
        self.rows.filter()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._whole()
        self.beginResetModel()
        if self.rows.sort(column, order == Qt.SortOrder.DescendingOrder):
            self.rows.filter()
        self.endResetModel()

    @property
    def _sort_column(self) -> int:
        return self.rows.sort_column

    # ------------------------------------------------------------------ one row at a time
    def upsert_row(self, row: AccountRow) -> None:
        """Put a new or changed account in its place: in the current sort order, and shown only if
        the current filters let it through. Emits rowsInserted / rowsRemoved / rowsMoved /
        dataChanged — never a reset — so the selection stays."""
        self._whole()
        self._painted = None
        change = self.rows.upsert(row)
        was, to = change.was, change.to
        shown = self.rows.shown
        if to < 0:
            if was >= 0:
                self.beginRemoveRows(QModelIndex(), was, was)
                self.rows.commit(shown, change)
                self.endRemoveRows()
            return
        if was < 0:
            self.beginInsertRows(QModelIndex(), to, to)
            self.rows.commit(shown, change)
            self.endInsertRows()
            return
        if to != was:
            # rows moved down are inserted before the row *after* their new place (Qt counts
            # the destination in the list as it is before the move)
            self.beginMoveRows(QModelIndex(), was, was, QModelIndex(), to + 1 if to > was else to)
            self.rows.commit(shown, change)
            self.endMoveRows()
        else:
            self.rows.commit(shown, change)
        self.dataChanged.emit(self.index(to, 0), self.index(to, len(COLUMNS) - 1))

    def remove_row(self, account_id: int) -> None:
        """Take a deleted account out (rowsRemoved if it was shown)."""
        self._whole()
        self._painted = None
        was = self.rows.remove(account_id)
        if was is not None and was >= 0:
            self.beginRemoveRows(QModelIndex(), was, was)
            del self.rows.shown[was]
            self.endRemoveRows()

    # ------------------------------------------------------------------ data out
    @property
    def total_count(self) -> int:
        return len(self.rows.all)

    @property
    def all_rows(self) -> RowsView:
        return self.rows.rows_of(self.rows.all)

    @property
    def visible_rows(self) -> RowsView:
        """The shown rows, each made as it is read."""
        return self.rows.rows_of(self.rows.shown)

    def visible_ids(self) -> list[int]:
        return self.rows.ids(self.rows.shown)

    def row_at(self, row: int) -> AccountRow:
        return self.rows.row(self.rows.shown[row])

    def id_at(self, row: int) -> int:
        return self.rows.id_of(self.rows.shown[row])

    def row_of_id(self, account_id: int) -> int:
        return self.rows.row_of_id(account_id)

    def status_counts(self) -> Counter[str]:
        return self.rows.status_counts()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(self.rows.shown)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section].numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        slot = self.rows.shown[index.row()]
        painted = self._painted
        if painted is not None and painted[0] == slot:
            r = painted[1]
        else:  # the view asks for a row's cells one after another: make its row once
            r = self.rows.row(slot)
            self._painted = (slot, r)
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(r, key)
        if role == self.ID_ROLE:
            return r.id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if COLUMNS[index.column()].numeric:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if r.bad_values and role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole):
            bad = dict(r.bad_values)
            if key in bad or key == "name":
                if role == Qt.ItemDataRole.ForegroundRole:
                    return _RED
                return "此账号有无法识别的值（显示为空），请改正：\n" + "\n".join(
                    f"{value_check.FIELD_LABELS.get(f, f)}{m}" for f, m in r.bad_values)
        if role == Qt.ItemDataRole.ForegroundRole:
            if r.status in (enums.AccountStatus.CLOSED, enums.AccountStatus.CANCELLED):
                return _GREY
            if key == "status":
                return _AMBER if r.status == enums.AccountStatus.PAUSED else _GREEN
            return None
        if role == Qt.ItemDataRole.ToolTipRole and key in ("name", "host_unit", "handle"):
            return display_value(r, key) or None
        return None


BAD_MARK = "⚠"


def display_value(r: AccountRow, key: str) -> str:
    if r.bad_values and (key == "name" or any(f == key for f, _ in r.bad_values)):
        if key == "name":
            return f"{BAD_MARK} {r.name}"
        return f"{BAD_MARK} 无法识别"
    if key == "id":
        return str(r.id)
    if key == "name":
        return r.name
    if key == "platform":
        return r.platform_label
    if key == "host_unit":
        return r.host_unit
    if key == "status":
        return r.status_label
    if key == "last_update_on":
        return cn_date(r.last_update_on)
    if key == "followers":
        return "" if r.followers is None else f"{r.followers:,}"
    if key == "handle":
        return r.handle or ""
    if key == "registered_on":
        return cn_date(r.registered_on)
    return ""


class AccountTableView(QTableView):
    """The table; Enter opens the selected account (double-click too)."""

    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


def _delete_accounts(session, ids: list[int]) -> None:
    """Delete several accounts in one transaction: all of them or none."""
    for account_id in ids:
        registry.delete_account(session, account_id)


class RegistryPage(QWidget):
    """账号台账: search box, filter combos, the table; opens the account editor."""

    counts_changed = Signal(str)
    selection_changed = Signal()

    # typing waits this long before filtering, so that fast typing filters once; short, because a
    # search of 200,000 rows costs ≤ ~60 ms and issue 14 asks ≤ 100 ms from keystroke to table
    # (Chinese arrives as whole words from the input method, not character by character)
    SEARCH_DELAY_MS = 30
    PREPARE_AFTER_MS = 200
    # a registry of more accounts is first shown a screenful (the lowest ids) and read in parts
    # after the window's first paint (start_loading): 200,000 accounts take ~1 s CPU to read
    PARTS_FROM = 50_000
    FIRST_ROWS = 200
    PART_ROWS = 5_000  # ~25 ms a part (200,000 accounts): short beside the pages' reads in a worker

    def __init__(self, controller: Controller, window: MainWindow | None = None):
        super().__init__()
        self.controller = controller
        self._window = window
        self._reload_pending = False
        self._parts: registry.AccountTableParts | None = None  # the registry being read in parts
        self._units_pending = False  # the 主办单位 filter is still to be filled for the table shown
        self._parts_total = 0

        self.search = QLineEdit()
        self.search.setObjectName("accountSearch")
        self.search.setPlaceholderText("名称、账号ID、主办单位")
        self.search.setToolTip("输入即查找（Ctrl+F）；多个词用空格分开")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.platform_combo = QComboBox()
        self.platform_combo.addItem("全部平台", None)
        for code, text in enums.PLATFORM_LABELS.items():
            self.platform_combo.addItem(text, code)
        self.status_combo = QComboBox()
        self.status_combo.addItem("全部状态", None)
        for code, text in enums.STATUS_LABELS.items():
            self.status_combo.addItem(text, code)
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)  # type part of a name: a county may have thousands of units
        self.unit_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.unit_combo.addItem("全部主办单位", None)
        unit_completer = QCompleter(self.unit_combo.model(), self.unit_combo)
        unit_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        unit_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        unit_completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.unit_combo.setCompleter(unit_completer)
        self._filter_units: list[tuple[str, int]] = []
        self._filter_unit_set: set[tuple[str, int]] = set()
        self.unit_combo.setMinimumContentsLength(10)
        self.unit_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit_combo.setMaxVisibleItems(25)
        self.clear_button = QPushButton("清除筛选")
        self.kind_chip = QPushButton()  # 主办单位类型 chosen on 首页; click to drop it
        self.kind_chip.setObjectName("hostKindChip")
        self.kind_chip.setToolTip("点击取消此筛选")
        self.kind_chip.setStyleSheet("QPushButton#hostKindChip { background: #e8f0fb; border: 1px solid #9db7de; "
                                     "border-radius: 3px; padding: 2px 8px; }")
        self.kind_chip.hide()
        self.kind_chip.clicked.connect(lambda: self.set_host_kind(None))
        self.new_button = QPushButton("新建账号…")
        self.new_button.setToolTip("新建账号（Ctrl+N）")
        self.new_button.setEnabled(may(controller, Cap.EDIT))

        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel("查找："))
        bar.addWidget(self.search, 3)
        bar.addSpacing(8)
        bar.addWidget(QLabel("平台："))
        bar.addWidget(self.platform_combo)
        bar.addWidget(QLabel("状态："))
        bar.addWidget(self.status_combo)
        bar.addWidget(QLabel("主办单位："))
        bar.addWidget(self.unit_combo, 2)
        bar.addWidget(self.kind_chip)
        bar.addWidget(self.clear_button)
        self.loading_label = QLabel()  # 正在读取… while the registry is read in parts
        self.loading_label.setObjectName("registryLoading")
        self.loading_label.setStyleSheet("QLabel#registryLoading { color: #2b5797; }")
        self.loading_label.hide()
        bar.addWidget(self.loading_label)
        from gzdesk.ui.list_actions import add_list_buttons

        self.print_button, self.export_button = add_list_buttons(self, bar)

        self.model = AccountTableModel(self)
        self.table = AccountTableView()
        self.table.setObjectName("accountTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        for i, col in enumerate(COLUMNS):
            self.table.setColumnWidth(i, col.width)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        # shown over the empty table, centred (kept in place by eventFilter)
        self.empty_label = QLabel(self.table.viewport())
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: #777; padding: 24px; font-size: 11pt;")
        self.empty_label.hide()
        self.table.viewport().installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

        self._part_timer = QTimer(self)  # the next part of the registry, whenever the event loop is idle
        self._part_timer.setSingleShot(True)
        self._part_timer.timeout.connect(self._read_part)
        self._prepare_timer = QTimer(self)  # 0 ms: runs whenever the event loop is idle
        self._prepare_timer.timeout.connect(self._prepare_idle)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search)
        self.platform_combo.currentIndexChanged.connect(self._apply_combos)
        self.status_combo.currentIndexChanged.connect(self._apply_combos)
        self.unit_combo.currentIndexChanged.connect(self._apply_combos)
        unit_line = self.unit_combo.lineEdit()
        assert unit_line is not None, "the unit filter is an editable combo box"
        unit_line.editingFinished.connect(self._unit_text_done)
        self.clear_button.clicked.connect(self.clear_filters)
        self.new_button.clicked.connect(self.new_account)
        self.table.doubleClicked.connect(lambda _i: self.edit_current())
        self.table.open_requested.connect(self.edit_current)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit())
        self.model.modelReset.connect(self._update_counts)
        # filtering, sorting and reloading reset the model: keep the selected accounts selected
        self._kept_selection: tuple[list[int], int | None] = ([], None)
        self.model.modelAboutToBeReset.connect(self._remember_selection)
        self.model.modelReset.connect(self._restore_selection)
        controller.data_changed.connect(self._on_data_changed)
        controller.account_saved.connect(self._on_account_saved)
        controller.account_deleted.connect(self._on_account_deleted)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.dataChanged):
            signal.connect(self._schedule_counts)
        self._counts_pending = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.table.viewport():
            if event.type() == QEvent.Type.Resize:
                self.empty_label.setGeometry(self.table.viewport().rect())
            elif event.type() == QEvent.Type.Paint and self._parts is not None and not self._part_timer.isActive():
                self._part_timer.start(0)  # painted: the rest is read from the next idle turn on
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Read every account again, keeping the selection, filters and sort."""
        self._reload_pending = False
        self._stop_parts()
        with paused_gc():
            table = self.controller.read(registry.account_table, shown_only=True)
        self._show_table(table)

    def start_loading(self) -> None:
        """The window's first read. A registry of ``PARTS_FROM`` accounts or more shows its first
        ``FIRST_ROWS`` (by id) at once and reads the rest a part at a time once the table has been
        painted (``registry.AccountTableParts``; each part in a turn of the event loop). Meanwhile
        the bar says 正在读取 and the counts say how many of how many are read; a search, a filter,
        a sort, a row saved or deleted, 打印/导出 and the links of 首页 first read the rest at once
        (``finish_loading``), so nothing acts on a part as if it were the whole registry; a change
        announced meanwhile reads everything again (``reload``)."""
        total = self.controller.read(registry.count_accounts)
        if total < self.PARTS_FROM:
            self.reload()
            return
        self._reload_pending = False
        parts = registry.AccountTableParts(self.FIRST_ROWS, self.PART_ROWS)
        with paused_gc():
            first = self.controller.read(parts.step)
        if parts.done:
            self._show_table(parts.whole())
            return
        self._parts, self._parts_total = parts, total
        self.model.before_change = self.finish_loading
        self.model.set_table(first)
        self.loading_label.setText("正在读取全部账号…")  # how many of how many: in the counts (status bar)
        self.loading_label.setToolTip(f"共 {total:,} 个账号；读完之前，查找、筛选、排序和打印导出会先读完全部账号")
        self.loading_label.show()
        self._update_counts()
        QTimer.singleShot(self.PREPARE_AFTER_MS, self._start_parts)  # if the table is not painted before

    def loading(self) -> bool:
        """Whether the registry is still being read in parts (the table shows only the first)."""
        return self._parts is not None

    def finish_loading(self) -> None:
        """Read what is left of the registry at once and show all of it (nothing when it is all read)."""
        parts = self._parts
        if parts is None:
            self._fill_pending_units()
            return
        with paused_gc():
            while not parts.done:
                self.controller.read(parts.step)
        self._stop_parts()
        self._show_table(parts.whole())

    def _start_parts(self) -> None:
        if self._parts is not None and not self._part_timer.isActive():
            self._part_timer.start(0)

    def _read_part(self) -> None:
        parts = self._parts
        if parts is None:
            return
        with paused_gc():
            self.controller.read(parts.step)
        if not parts.done:
            self._update_counts()
            self._part_timer.start(0)
            return
        self._stop_parts()
        self._show_table(parts.whole(), units_later=True)  # the 主办单位 filter in the next turn: ~0.3 s at 200,000

    def _stop_parts(self) -> None:
        self._parts = None
        self._part_timer.stop()
        self.model.before_change = None
        self.loading_label.hide()

    def _show_table(self, table: AccountTable, units_later: bool = False) -> None:
        self.model.set_table(table)  # the selection is kept across the reset (see _restore_selection)
        self._units_pending = True
        if units_later:
            QTimer.singleShot(0, self._fill_pending_units)
        else:
            self._fill_pending_units()
        # the search keys and pinyin sort keys, a chunk at a time while the window is idle, once the
        # table has been painted
        QTimer.singleShot(self.PREPARE_AFTER_MS, self._prepare_timer.start)

    refresh = reload

    # Topics that can change what the table shows: a filing may change an account's status
    # (关停/注销 take effect), a renamed unit changes the 主办单位 column.
    RELOAD_TOPICS = (ACCOUNTS, UNITS, FILINGS, ALL)

    def _on_data_changed(self, topic: str) -> None:
        if self.controller.in_row_change:
            return  # single accounts, already updated by _on_account_saved / _on_account_deleted
        if topic in self.RELOAD_TOPICS and self._parts is not None:
            self.start_loading()  # the parts read so far may be out of date: read from the start again
            return
        if topic in self.RELOAD_TOPICS and not self._reload_pending:
            self._reload_pending = True  # several writes in a row reload once
            if self.isVisible():
                QTimer.singleShot(0, self._reload_if_pending)
            # else: reloaded when the page is shown again (a big registry takes a second)

    def _fill_pending_units(self) -> None:
        """The 主办单位 filter of the table shown last, unless it was filled since."""
        if self._units_pending:
            self._units_pending = False
            self._fill_unit_combo(self.model.rows.host_units())

    def _prepare_idle(self) -> None:
        if self.model.rows.prepare(20_000):  # ~15 ms a chunk
            self._prepare_timer.stop()

    def _reload_if_pending(self) -> None:
        if self._reload_pending and self.isVisible():
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._reload_pending:
            QTimer.singleShot(0, self._reload_if_pending)

    def _on_account_saved(self, account_id: int) -> None:
        """Read this one account again and put it in its place (the table is not reloaded)."""
        row = self.controller.read(registry.account_row, account_id)
        if row is None:
            self.model.remove_row(account_id)
            return
        self.model.upsert_row(row)
        if row.host_unit_id is not None and (row.host_unit, row.host_unit_id) not in self._filter_unit_set:
            self._fill_unit_combo(self.model.rows.host_units())  # a unit that hosts its first account

    def _on_account_deleted(self, account_id: int) -> None:
        self.model.remove_row(account_id)

    def _schedule_counts(self, *_args: Any) -> None:
        """Row changes come one by one (a deletion of many): count once they are done."""
        if not self._counts_pending:
            self._counts_pending = True
            QTimer.singleShot(0, self._update_counts)

    def _fill_unit_combo(self, pairs: set[tuple[str, int]]) -> None:
        """The 主办单位 filter lists the units that host at least one account (``pairs``: name,
        id), in pinyin order (refilled when that list changes)."""
        with paused_gc():
            if pairs == self._filter_unit_set:
                return
            self._filter_unit_set = pairs
            listed = list(pairs)
            keys = PINYIN.keys([name for name, _id in listed])  # 200,000 accounts: ~30,000 units
            units = [listed[i] for i in sorted(range(len(listed)), key=lambda i: (keys[i], listed[i][1]))]
        self._filter_units = units
        chosen = self.unit_combo.currentData()
        self.unit_combo.blockSignals(True)
        try:
            self.unit_combo.clear()
            self.unit_combo.addItem("全部主办单位", None)
            for name, unit_id in units:
                self.unit_combo.addItem(name, unit_id)
            i = self.unit_combo.findData(chosen) if chosen is not None else 0
            self.unit_combo.setCurrentIndex(max(i, 0))
        finally:
            self.unit_combo.blockSignals(False)
        if chosen is not None and self.unit_combo.currentData() is None:
            self.model.set_filter(host_unit_id=None)

    # ------------------------------------------------------------------ filters
    def _apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(text=self.search.text())

    def _apply_combos(self) -> None:
        self.model.set_filter(platform=self.platform_combo.currentData(),
                              status=self.status_combo.currentData(),
                              host_unit_id=self.unit_combo.currentData())

    def _unit_text_done(self) -> None:
        """Typed text in the 主办单位 box: empty means all units, else the first unit containing it."""
        combo = self.unit_combo
        text = combo.currentText().strip()
        if not text:
            index = 0
        else:
            index = combo.findText(text, Qt.MatchFlag.MatchExactly)
            if index < 0:
                index = combo.findText(text, Qt.MatchFlag.MatchContains)
        if index < 0:
            index = combo.currentIndex()
        combo.setCurrentIndex(index)
        combo.setEditText(combo.itemText(index))

    def clear_filters(self) -> None:
        for combo in (self.platform_combo, self.status_combo, self.unit_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._search_timer.stop()
        self.kind_chip.hide()
        self.model.set_filter(text="", platform=None, status=None, host_unit_id=None, host_units=None)

    def set_host_kind(self, kind: str | None) -> None:
        """Only accounts whose 主办单位 is of this type (首页's chart); None drops the filter."""
        if kind is None:
            self.kind_chip.hide()
            self.model.set_filter(host_units=None)
            return
        label = "未填主办单位" if kind == NO_HOST else enums.label("unit_type", kind)
        ids = self.controller.read(host_unit_ids, kind)
        self.kind_chip.setText(f"主办单位类型：{label}　✕")
        self.kind_chip.show()
        self.model.set_filter(host_units=NO_HOST if ids is None else frozenset(ids))

    def apply_link(self, link) -> None:
        """Show what a figure of 首页 counted: filters by 平台, 运行状态 or 主办单位类型 (others cleared)."""
        if self._reload_pending:
            self.reload()
        self.finish_loading()
        self.clear_filters()
        for combo, key in ((self.platform_combo, "platform"), (self.status_combo, "status")):
            value = link.get(key)
            if value is not None:
                combo.setCurrentIndex(max(combo.findData(value), 0))
        kind = link.get("host_kind")
        if kind is not None:
            self.set_host_kind(kind)

    def show_host_unit(self, unit_id: int) -> bool:
        """Clear the other filters and show the accounts of one 主办单位; False if it hosts none."""
        if self._reload_pending:
            self.reload()
        self.finish_loading()
        self._fill_pending_units()
        self.clear_filters()
        index = self.unit_combo.findData(unit_id)
        if index < 0:
            return False
        self.unit_combo.setCurrentIndex(index)  # applies the filter through currentIndexChanged
        return True

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def list_table(self):
        """打印清单 / 导出 Excel: the accounts shown, in the columns shown (in their order)."""
        self.finish_loading()
        from gzdesk.printing.lists import ListColumn, ListTable
        from gzdesk.ui.list_actions import filters_text, office_name

        header = self.table.horizontalHeader()
        shown = [i for i in sorted(range(len(COLUMNS)), key=header.visualIndex) if not header.isSectionHidden(i)]
        columns = [ListColumn(COLUMNS[i].title, "right" if COLUMNS[i].numeric else "left",
                              45 if COLUMNS[i].key == "handle" else None) for i in shown]
        rows = [[display_value(r, COLUMNS[i].key) for i in shown] for r in self.model.visible_rows]
        combo = lambda c: c.currentText() if c.currentIndex() > 0 else None  # noqa: E731
        kind = self.kind_chip.text().split("：", 1)[-1].replace("✕", "").strip() if self.kind_chip.isVisible() else None
        subtitle = filters_text(("查找", f"“{self.search.text().strip()}”" if self.search.text().strip() else None),
                                ("平台", combo(self.platform_combo)), ("运行状态", combo(self.status_combo)),
                                ("主办单位", combo(self.unit_combo)), ("主办单位类型", kind))
        return ListTable("政务新媒体账号台账", columns, rows, office_name(self.controller), subtitle)

    def _update_counts(self) -> None:
        self._counts_pending = False
        if self._parts is not None:
            self.counts_changed.emit(f"正在读取账号：已读 {self._parts.read:,} 个，共 {self._parts_total:,} 个")
            self.empty_label.hide()
            return
        total, shown = self.model.total_count, len(self.model.visible_rows)
        counts = self.model.status_counts()
        parts = [f"{label} {counts[code]}" for code, label in enums.STATUS_LABELS.items() if counts[code]]
        text = f"共 {total} 个账号，显示 {shown} 个"
        if parts:
            text += "　｜　" + "　".join(parts)
        self.counts_changed.emit(text)
        if total == 0:
            self.empty_label.setText("还没有登记账号。\n点击“新建账号”（Ctrl+N）登记第一个账号，"
                                     "或从“数据交换”菜单导入 Excel 台账。")
        elif shown == 0:
            self.empty_label.setText("没有符合条件的账号。\n可修改查找内容或点击“清除筛选”。")
        self.empty_label.setGeometry(self.table.viewport().rect())
        self.empty_label.setVisible(shown == 0)

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[int]:
        sm = self.table.selectionModel()
        rows = sorted({i.row() for i in sm.selectedRows()}) if sm else []
        return [self.model.id_at(r) for r in rows if r < self.model.rowCount()]

    def current_id(self) -> int | None:
        ids = self.selected_ids()
        if len(ids) == 1:
            return ids[0]
        index = self.table.currentIndex()
        if index.isValid() and (not ids or self.model.id_at(index.row()) in ids):
            return self.model.id_at(index.row())
        return ids[0] if ids else None

    def select_id(self, account_id: int) -> bool:
        return self._select_ids([account_id], account_id)

    def _select_ids(self, ids: list[int], current: int | None) -> bool:
        """Select the visible rows of these accounts (contiguous rows as one range)."""
        if not ids:
            return False
        wanted = set(ids)
        if len(wanted) == 1:
            row = self.model.row_of_id(next(iter(wanted)))
            rows = [row] if row >= 0 else []
        else:
            rows = [i for i, shown_id in enumerate(self.model.visible_ids()) if shown_id in wanted]
        selection = QItemSelection()
        last = self.model.columnCount() - 1
        start = prev = None
        for at in [*rows, None]:  # runs of consecutive rows, each one selection range
            if at is not None and prev is not None and at == prev + 1:
                prev = at
                continue
            if start is not None and prev is not None:
                selection.select(self.model.index(start, 0), self.model.index(prev, last))
            start = prev = at
        sm = self.table.selectionModel()
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if current is not None:
            row = self.model.row_of_id(current)
            if row >= 0:
                index = self.model.index(row, 0)
                sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
                self.table.scrollTo(index)
        return bool(rows)

    def _remember_selection(self) -> None:
        self._kept_selection = (self.selected_ids(), self.current_id())

    def _restore_selection(self) -> None:
        ids, current = self._kept_selection
        self._kept_selection = ([], None)
        if ids:
            self._select_ids(ids, current)

    # ------------------------------------------------------------------ actions
    def new_account(self) -> None:
        if may(self.controller, Cap.EDIT):
            self._open_editor(None)

    def edit_current(self) -> None:
        account_id = self.current_id()
        if account_id is not None:
            self._open_editor(account_id)

    def _open_editor(self, account_id: int | None) -> None:
        from gzdesk.ui.account_editor import AccountEditor

        try:
            dialog = AccountEditor(self.controller, account_id, self)
        except UserError as exc:  # e.g. deleted meanwhile by another window
            QMessageBox.warning(self, "无法打开账号", exc.message)
            if account_id is not None:
                self._on_account_saved(account_id)  # takes its row out when it is gone
            return
        try:
            if dialog.exec() and dialog.saved_id is not None:
                # its row was already updated through controller.account_saved
                self.table.clearSelection()
                self.select_id(dialog.saved_id)
                verb = "已保存" if account_id is not None else "已新建"
                self._status(f"{verb}账号“{dialog.saved_name}”")
        finally:
            dialog.deleteLater()

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        by_id = {i: self.model.row_at(self.model.row_of_id(i)) for i in ids[:1]}
        if len(ids) == 1:
            question = f"确定删除账号“{by_id[ids[0]].name}”吗？\n删除后不能恢复。"
        else:
            question = f"确定删除选中的 {len(ids)} 个账号吗？\n删除后不能恢复。"
        box = QMessageBox(QMessageBox.Icon.Question, "删除账号", question,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.button(QMessageBox.StandardButton.Yes).setText("删除")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        try:
            self.controller.write_quiet(_delete_accounts, ids)
        except UserError as exc:
            QMessageBox.warning(self, "不能删除", exc.message)
            return
        if len(ids) > 1000:  # thousands of single-row removals cost more than one reload
            self.controller.notify(ACCOUNTS)
        else:
            self.controller.announce_accounts(deleted=ids)
        self._status(f"已删除 {len(ids)} 个账号" if len(ids) > 1 else f"已删除账号“{by_id[ids[0]].name}”")

    def _status(self, text: str) -> None:
        if self._window is not None:
            self._window.status_message(text)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row()):
            self.table.selectRow(index.row())
        menu = QMenu(self)
        editable = may(self.controller, Cap.EDIT)
        menu.addAction("新建账号…", self.new_account).setEnabled(editable)
        has = bool(self.selected_ids())
        menu.addAction("编辑账号…" if editable else "查看账号…", self.edit_current).setEnabled(has)
        menu.addAction("删除账号…", self.delete_selected).setEnabled(has and editable)
        if self._window is not None and self._window.account_actions:
            menu.addSeparator()
            for action in self._window.account_actions:
                menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _header_menu(self, pos: QPoint) -> None:
        """Right-click on the header: show or hide columns (remembered with the layout)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for i, col in enumerate(COLUMNS):
            action = menu.addAction(col.title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(i))
            action.setEnabled(col.key != "name")  # the name always stays
            action.toggled.connect(lambda on, i=i: header.setSectionHidden(i, not on))
        menu.addSeparator()
        menu.addAction("恢复默认列宽", self.reset_columns)
        menu.exec(header.mapToGlobal(pos))

    def reset_columns(self) -> None:
        header = self.table.horizontalHeader()
        for i, col in enumerate(COLUMNS):
            header.setSectionHidden(i, False)
            header.moveSection(header.visualIndex(i), i)
            self.table.setColumnWidth(i, col.width)

    # ------------------------------------------------------------------ layout memory
    def save_layout(self, settings: QSettings) -> None:
        settings.setValue("registry/header", self.table.horizontalHeader().saveState())

    def restore_layout(self, settings: QSettings) -> None:
        state = settings.value("registry/header")
        if isinstance(state, QByteArray) and not state.isEmpty():
            header = self.table.horizontalHeader()
            header.restoreState(state)
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
