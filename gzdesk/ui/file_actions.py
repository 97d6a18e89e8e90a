"""文件 → 新建… / 打开… / 最近打开: another office's database in this window's place.

The window claims its database with an OS lock (``gzdesk.dblock``, ``Database(path, window=True)``).
Switching opens the new file with its own claim first — a file already open in another window is
refused there and then, and the window stays as it was — then shows a new main window over it and
closes the old one, whose database (and claim) is closed with it (``MainWindow.owns_db``).

The files opened last are remembered (``recent/files`` in the window settings); ``gzdesk`` without
``--db`` opens the last one again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox, QWidget

from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.ui import files
from gzdesk.ui.controller import Controller
from gzdesk.ui.waiting import show_wait

DB_FILTER = "政务新媒体备案数据库 (*.db *.sqlite *.gzdb);;所有文件 (*)"
RECENT_KEY = "recent/files"
MAX_RECENT = 8


# --------------------------------------------------------------------------- the recent list


def recent_files(settings: QSettings) -> list[tuple[Path, str]]:
    """(path, office name) of the databases opened last, newest first."""
    raw = settings.value(RECENT_KEY)
    entries = raw if isinstance(raw, list) else ([raw] if isinstance(raw, str) and raw else [])
    out = []
    for entry in entries:
        path, _, unit = str(entry).partition("|")
        if path:
            out.append((Path(path), unit))
    return out


def remember(settings: QSettings, path: Path, unit: str) -> None:
    path = Path(path).resolve()
    kept = [(p, u) for p, u in recent_files(settings) if p.resolve() != path]
    entries = [f"{path}|{unit}", *(f"{p}|{u}" for p, u in kept)][:MAX_RECENT]
    settings.setValue(RECENT_KEY, entries)
    settings.sync()


def forget(settings: QSettings, path: Path) -> None:
    settings.setValue(RECENT_KEY, [f"{p}|{u}" for p, u in recent_files(settings) if p != Path(path)])
    settings.sync()


def last_opened(settings: QSettings) -> Path | None:
    """The database opened last, if it is still there (``gzdesk`` without ``--db`` opens it)."""
    return next((p for p, _u in recent_files(settings) if p.is_file()), None)


# --------------------------------------------------------------------------- opening


def ensure_initialized(controller: Controller, parent: QWidget | None) -> bool:
    """A database without an office yet asks for one (the first-run dialog); False when cancelled."""
    if controller.is_initialized():
        return True
    from gzdesk.ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(controller, parent)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def profile_problem(controller: Controller) -> str | None:
    """The profile kept in the database, checked in full before any page reads it (None: good)."""
    try:
        controller.office()
    except UserError as exc:
        return f"{exc.message}\n\n请用 gzdesk profiles import 改用一个正确的策略配置。"
    return None


def _warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def switch_to(window: Any, db: Database, controller: Controller | None = None) -> Any | None:
    """Show a new main window over ``db`` and close ``window``; the new window, or None when the
    old one would not close (an edit still open) — then ``db`` is closed again."""
    from gzdesk.ui.main_window import MainWindow

    new = MainWindow(controller or Controller(db), settings=window.settings)
    new.owns_db = True
    new.setGeometry(window.geometry())
    if not window.close():
        new.owns_db = False
        new.deleteLater()
        db.close()
        return None
    new.show()
    return new


def open_database(window: Any, path: str | Path | None = None, *, create: bool = False) -> Any | None:
    """Open another database file (``create``: a new one) in place of this window's.

    Returns the new main window, or None (cancelled, refused: the message says why)."""
    title = "新建数据库" if create else "打开数据库"
    if path is None:
        if create:
            path = files.ask_save_file(window, "新建数据库：选择保存位置和文件名", "本单位备案库.db", DB_FILTER)
        else:
            path = files.ask_open_file(window, "打开数据库", DB_FILTER)
        if not path:
            return None
    path = Path(path)
    current = Path(window.controller.db.path)
    if path.exists() and current.exists() and path.resolve() == current.resolve():
        window.status_message(f"“{path.name}”就是当前打开的数据库")
        return None
    if create and path.exists():
        _warn(window, title, f"“{path}”已存在。要使用它请选“文件 → 打开…”；新建请换一个文件名。")
        return None
    if not create and not path.is_file():
        forget(window.settings, path)
        _warn(window, title, f"找不到数据库文件“{path}”")
        return None
    existed = path.exists()
    try:
        db = Database(path, window=True, create=create, on_wait=show_wait)
    except UserError as exc:  # already open in another window, not a gzdesk database, too new…
        _warn(window, title, exc.message)
        return None
    try:
        controller = Controller(db)
        if not ensure_initialized(controller, window):
            db.close()
            if not existed:
                _remove_new_file(path)
            return None
        problem = profile_problem(controller)
        if problem:
            db.close()
            _warn(window, title, problem)
            return None
        from gzdesk.ui import app

        if not app.log_in(controller):  # the other file's own users: its login, as at start
            db.close()
            return None
    except UserError as exc:
        db.close()
        _warn(window, title, exc.message)
        return None
    return switch_to(window, db, controller)


def _remove_new_file(path: Path) -> None:
    """A new database whose first-run dialog was cancelled leaves no file behind."""
    from gzdesk import dblock

    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                     *dblock.side_files(path)):
        try:
            leftover.unlink(missing_ok=True)
        except OSError:
            pass


# --------------------------------------------------------------------------- the menu


def fill_recent_menu(window: Any) -> None:
    menu = window.recent_menu
    menu.clear()
    current = Path(window.controller.db.path).resolve()
    entries = [(p, u) for p, u in recent_files(window.settings) if p.resolve() != current]
    for n, (path, unit) in enumerate(entries, start=1):
        gone = not path.is_file()
        text = f"&{n} {unit or path.stem}（{path.name}）" + ("（文件不存在）" if gone else "")
        action = menu.addAction(text)
        action.setToolTip(str(path))
        action.setStatusTip(str(path))
        action.setEnabled(not gone)
        action.triggered.connect(lambda _=False, p=path: open_database(window, p))
    if not entries:
        menu.addAction("（没有其他最近打开的数据库）").setEnabled(False)
    else:
        menu.addSeparator()
        clear = menu.addAction("清除列表")
        clear.triggered.connect(lambda: _clear_recent(window))


def _clear_recent(window: Any) -> None:
    keep = [(p, u) for p, u in recent_files(window.settings)
            if p.resolve() == Path(window.controller.db.path).resolve()]
    window.settings.setValue(RECENT_KEY, [f"{p}|{u}" for p, u in keep])
    window.settings.sync()


def install(window: Any) -> None:
    """文件 → 新建… / 打开… / 最近打开 at the top of the 文件 menu; remembers this database."""
    menu = window.menu("文件")
    first = menu.actions()[0] if menu.actions() else None
    new = QAction("新建数据库(&W)…", window)
    new.setStatusTip("为另一个单位新建备案数据库")
    new.triggered.connect(lambda: open_database(window, create=True))
    opened = QAction("打开(&O)…", window)
    opened.setShortcut(QKeySequence(QKeySequence.StandardKey.Open))
    opened.setStatusTip("打开另一个备案数据库文件")
    opened.triggered.connect(lambda: open_database(window))
    recent = QMenu("最近打开(&R)", menu)
    window.recent_menu = recent
    recent.aboutToShow.connect(lambda: fill_recent_menu(window))
    for item in (new, opened):
        menu.insertAction(first, item)
    menu.insertMenu(first, recent)
    menu.insertSeparator(first)
    window.file_actions = {"new": new, "open": opened, "recent": recent.menuAction()}
    try:
        unit = window.controller.office().unit_name
    except UserError:
        unit = ""
    remember(window.settings, Path(window.controller.db.path), unit)
