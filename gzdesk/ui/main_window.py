"""The main window: a navigation list on the left, pages on the right, menus, status bar.

Other parts of the program plug in through ``EXTENSIONS``: each named module has
``install(window: MainWindow) -> None`` and uses the public API below:

- ``window.controller`` — the ``Controller`` (``read`` / ``write`` / ``data_changed``)
- ``window.add_page(key, title, widget)`` — a page in the navigation list (and in 视图)
- ``window.menu(title)`` — the top menu of that title, created in the standard order if missing
  (文件, 编辑, 账号, 备案, 数据交换, 视图, 帮助)
- ``window.show_page(key)``, ``window.status_message(text)``
- ``window.current_account_id()`` / ``window.selected_account_ids()`` — the registry selection
- ``window.add_account_action(action)`` — an entry in the registry table's right-click menu

A page may define ``focus_search()`` and ``delete_selected()``: the window routes 编辑→查找
(Ctrl+F) and 编辑→删除 (Delete) to the page being shown, so pages need no shortcuts of their own
(two actions with one shortcut would cancel each other). 视图→刷新 (F5) announces
``data_changed("all")``: every page listening to the controller reloads. A page may define
``can_close() -> bool`` to keep the window open (e.g. to ask about unsaved edits).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from gzdesk.errors import UserError
from gzdesk.paths import data_dir
from gzdesk.permissions import Cap
from gzdesk.ui.controller import ALL, OFFICE, Controller
from gzdesk.ui.widgets import fit_to_screen

EXTENSIONS = (
    "gzdesk.ui.units_page",
    "gzdesk.ui.people_page",
    "gzdesk.ui.filing_pages",
    "gzdesk.ui.print_actions",
    "gzdesk.ui.excel_actions",
    "gzdesk.ui.snapshot_actions",
    "gzdesk.ui.settings_actions",  # 文件 → 本单位设置 (策略配置, 节假日表)
    "gzdesk.ui.check_page",  # 检查 page, 账号 → 按制度检查 (Ctrl+K)
    "gzdesk.ui.supervision_pages",  # 季度检查, 整改, 年度考核, 假冒账号 pages and the 监管 menu
    "gzdesk.ui.audit_page",  # 审计日志 page: filters, before/after, Excel, the chain check
    "gzdesk.ui.login",  # who is logged in (status bar), 文件 → 修改密码 / 用户管理
    "gzdesk.ui.file_actions",  # 文件 → 新建… / 打开… / 最近打开
    "gzdesk.ui.list_actions",  # 文件 → 打印当前清单… (Ctrl+P) / 导出当前清单…
    "gzdesk.ui.help_window",  # 帮助 → 使用说明 (F1)
    "gzdesk.ui.overview_page",  # 首页, put first in the list; installed last, it links to the others
)

MENU_ORDER = ("文件", "编辑", "账号", "备案", "数据交换", "视图", "帮助")
REGISTRY_PAGE = "accounts"


def window_settings() -> QSettings:
    """Window layout settings, kept in the user's data folder (``window.ini``)."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(Path(folder) / "window.ini"), QSettings.Format.IniFormat)


def load_extension(window: MainWindow, module_name: str) -> None:
    """Import ``module_name`` and call its ``install(window)``.

    Every part of the program is listed in ``EXTENSIONS`` and must be there: a missing module,
    an import error inside one or an error in ``install`` propagates (a frozen build that lost a
    module fails on start instead of opening without that page).
    """
    importlib.import_module(module_name).install(window)


class MainWindow(QMainWindow):
    """政务新媒体备案管理 — the registry window."""

    def __init__(self, controller: Controller, *, extensions: Sequence[str] = EXTENSIONS,
                 settings: QSettings | None = None):
        super().__init__()
        self.controller = controller
        self.settings = settings if settings is not None else window_settings()
        self._menus: dict[str, QMenu] = {}
        self._page_keys: list[str] = []
        self._page_actions: dict[str, QAction] = {}
        self.account_actions: list[QAction] = []
        self.loaded_extensions: list[str] = []
        self.owns_db = False  # True: closing the window closes its database (and the window's claim)

        self.setObjectName("MainWindow")
        fit_to_screen(self, 1280, 800, margin=40)
        self.setMinimumSize(900, 560)
        self._update_title()

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setMinimumWidth(110)
        self.nav.setMaximumWidth(220)
        self.nav.setSpacing(2)
        self.nav.setStyleSheet("QListWidget#navigation { font-size: 11pt; }"
                               "QListWidget#navigation::item { padding: 6px 10px; }")
        self.pages = QStackedWidget()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.pages)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([130, 1150])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.nav.currentRowChanged.connect(self._on_nav_row)

        self.counts_label = QLabel()
        self.statusBar().addPermanentWidget(self.counts_label)

        self._build_menus()

        from gzdesk.ui.account_table import RegistryPage

        self.registry = RegistryPage(controller, self)
        self.registry.counts_changed.connect(self.counts_label.setText)
        self.add_page(REGISTRY_PAGE, "账号台账", self.registry)

        controller.data_changed.connect(self._on_data_changed)
        for name in extensions:
            load_extension(self, name)
            self.loaded_extensions.append(name)
        self._finish_menus()
        self.apply_role()
        self.restore_layout()
        # read once, after the remembered sort is set: the rows are sorted once, by that column (a
        # big registry: a screenful first, the rest after the first paint)
        self.registry.start_loading()

    # ------------------------------------------------------------------ public API
    def add_page(self, key: str, title: str, widget: QWidget, *, first: bool = False) -> None:
        """Add a page to the navigation list and the 视图 menu (Ctrl+1…Ctrl+9 in order);
        ``first`` puts it at the top of the list (首页) and shows it."""
        if key in self._page_keys:
            raise ValueError(f"page {key!r} added twice")
        at = 0 if first else len(self._page_keys)
        before = self._page_actions[self._page_keys[0]] if first and self._page_keys else self._pages_separator
        self._page_keys.insert(at, key)
        widget.setProperty("pageKey", key)
        self.pages.insertWidget(at, widget)
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.insertItem(at, item)
        action = QAction(title, self)
        action.setCheckable(True)
        action.triggered.connect(lambda _=False, k=key: self.show_page(k))
        self._page_actions[key] = action
        self.menu("视图").insertAction(before, action)
        for n, k in enumerate(self._page_keys, start=1):
            self._page_actions[k].setShortcut(QKeySequence(f"Ctrl+{n}") if n <= 9 else QKeySequence())
        if first or self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def menu(self, title: str) -> QMenu:
        """The top menu called ``title``, created if missing (in the standard menu order)."""
        if title in self._menus:
            return self._menus[title]
        menu = QMenu(title, self)
        menu.setObjectName(f"menu_{title}")
        before = None
        if title in MENU_ORDER:
            for later in MENU_ORDER[MENU_ORDER.index(title) + 1:]:
                if later in self._menus:
                    before = self._menus[later].menuAction()
                    break
        elif "帮助" in self._menus:
            before = self._menus["帮助"].menuAction()
        if before is None:
            self.menuBar().addMenu(menu)
        else:
            self.menuBar().insertMenu(before, menu)
        self._menus[title] = menu
        return menu

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self._page_keys.index(key))

    def current_page_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._page_keys[row] if 0 <= row < len(self._page_keys) else None

    def page(self, key: str) -> Any:
        """The page added under ``key`` (typed Any: each page has its own methods)."""
        return self.pages.widget(self._page_keys.index(key))

    def status_message(self, text: str, timeout_ms: int = 6000) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    def current_account_id(self) -> int | None:
        return self.registry.current_id()

    def selected_account_ids(self) -> list[int]:
        return self.registry.selected_ids()

    def add_account_action(self, action: QAction) -> None:
        """Show ``action`` in the registry table's right-click menu (after 编辑/删除)."""
        self.account_actions.append(action)

    def show_error(self, error: BaseException | str, title: str = "提示") -> None:
        QMessageBox.warning(self, title, str(error))

    # ------------------------------------------------------------------ menus
    def _build_menus(self) -> None:
        file_menu = self.menu("文件")
        edit_menu = self.menu("编辑")
        account_menu = self.menu("账号")
        view_menu = self.menu("视图")

        self.quit_action = QAction("退出(&X)", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        self.find_action = QAction("查找(&F)", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(lambda: self._route("focus_search"))
        self.delete_action = QAction("删除(&D)…", self)
        self.delete_action.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        self.delete_action.triggered.connect(lambda: self._route("delete_selected"))
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.delete_action)

        self.new_account_action = QAction("新建账号(&N)…", self)
        self.new_account_action.setShortcut(QKeySequence("Ctrl+N"))
        self.new_account_action.triggered.connect(self._new_account)
        self.edit_account_action = QAction("编辑账号(&E)…", self)
        self.edit_account_action.triggered.connect(lambda: self.registry.edit_current())
        self.delete_account_action = QAction("删除账号…", self)
        self.delete_account_action.triggered.connect(lambda: self.registry.delete_selected())
        account_menu.addAction(self.new_account_action)
        account_menu.addAction(self.edit_account_action)
        account_menu.addAction(self.delete_account_action)

        self._pages_separator = view_menu.addSeparator()
        self.refresh_action = QAction("刷新(&R)", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh)
        view_menu.addAction(self.refresh_action)

    def _finish_menus(self) -> None:
        """After the extensions: 退出 last in 文件, 关于 last in 帮助."""
        file_menu = self.menu("文件")
        file_menu.removeAction(self.quit_action)
        if file_menu.actions() and not file_menu.actions()[-1].isSeparator():
            file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        help_menu = self.menu("帮助")
        if help_menu.actions():
            help_menu.addSeparator()
        about = QAction("关于(&A)…", self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> None:
        from gzdesk.ui.help_window import show_about

        show_about(self)

    def _route(self, method: str) -> None:
        page = self.pages.currentWidget()
        fn = getattr(page, method, None)
        if callable(fn):
            fn()

    def _new_account(self) -> None:
        self.show_page(REGISTRY_PAGE)
        self.registry.new_account()

    def refresh(self) -> None:
        """F5: reload every page from the database."""
        self.controller.notify(ALL)
        self.status_message("已刷新")

    # ------------------------------------------------------------------ events
    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        self.pages.setCurrentIndex(row)
        key = self._page_keys[row]
        for k, action in self._page_actions.items():
            action.setChecked(k == key)
        is_registry = key == REGISTRY_PAGE
        self.edit_account_action.setEnabled(is_registry)
        self.delete_account_action.setEnabled(is_registry and self.controller.can(Cap.EDIT))

    def _on_data_changed(self, topic: str) -> None:
        if topic in (OFFICE, ALL):
            self._update_title()

    def _update_title(self) -> None:
        """本单位（文件名） — the user logged in; the system adds the program's name after it."""
        try:
            unit = self.controller.office().unit_name
        except UserError:
            unit = ""
        name = Path(self.controller.db.path).name
        read_only = "（只读）" if getattr(self.controller.db, "read_only", None) else ""
        title = f"{unit}（{name}）{read_only}" if unit else f"{name}{read_only}"
        user = self.controller.user
        self.setWindowTitle(f"{title} — {user.describe()}" if user else title)

    def apply_role(self) -> None:
        """Disable what the logged-in user's role may not do (the domain refuses it anyway)."""
        can_edit = self.controller.can(Cap.EDIT)
        for action in (self.new_account_action, self.delete_account_action, self.delete_action):
            action.setEnabled(can_edit and action.isEnabled())
            if not can_edit:
                action.setToolTip("当前用户无权修改账号")

    # ------------------------------------------------------------------ layout memory
    def restore_layout(self) -> None:
        s = self.settings
        geometry = s.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = s.value("main/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        splitter = s.value("main/splitter")
        if isinstance(splitter, QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        self.registry.restore_layout(s)
        page = s.value("main/page")
        if isinstance(page, str) and page in self._page_keys:
            self.show_page(page)

    def save_layout(self) -> None:
        s = self.settings
        s.setValue("main/geometry", self.saveGeometry())
        s.setValue("main/state", self.saveState())
        s.setValue("main/splitter", self.splitter.saveState())
        s.setValue("main/page", self.current_page_key() or REGISTRY_PAGE)
        self.registry.save_layout(s)
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        for i in range(self.pages.count()):
            can_close = getattr(self.pages.widget(i), "can_close", None)
            if callable(can_close) and not can_close():
                event.ignore()
                return
        self.save_layout()
        event.accept()
        if self.owns_db:
            self.controller.db.close()
            self.owns_db = False
