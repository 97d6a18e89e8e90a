"""Starting the window: QApplication in Chinese with the icon, the log and the crash dialog, the
database, the first-run dialog, the login, MainWindow."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from gzdesk import APP_NAME, APP_TITLE
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.logs import environment, error_report, setup_logging
from gzdesk.paths import default_db_path, resources_dir
from gzdesk.ui.controller import Controller
from gzdesk.ui.crash_dialog import CrashReporter
from gzdesk.ui.main_window import MainWindow
from gzdesk.ui.waiting import show_wait

log = logging.getLogger(__name__)

# CJK families in order of preference: Windows, then domestic Linux (UOS/Kylin), then common Linux.
CJK_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", "Source Han Sans SC",
                "思源黑体", "WenQuanYi Micro Hei", "文泉驿微米黑", "WenQuanYi Zen Hei", "SimSun", "宋体",
                "AR PL UMing CN")

_translators: list[QTranslator] = []  # kept alive for the application's lifetime
QT_TRANSLATIONS = ("qtbase_zh_CN", "qt_zh_CN")
ICON_DIR = "icons"  # in gzdesk/resources: gzdesk.svg, and gzdesk.png / gzdesk.ico from scripts/make_icon.py


def qt_translators() -> list[QTranslator]:
    """Qt's own zh_CN translations that could be loaded (standard buttons and dialogs in Chinese)."""
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    found = []
    for name in QT_TRANSLATIONS:
        tr = QTranslator()
        if tr.load(name, folder):
            found.append(tr)
    return found


def install_translations(app: QApplication) -> bool:
    """Load Qt's own zh_CN translations so standard buttons and dialogs speak Chinese."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if _translators:  # already installed (a second window in the same process, tests)
        return True
    for tr in qt_translators():
        app.installTranslator(tr)
        _translators.append(tr)
    return bool(_translators)


def icon_file(suffix: str = "png") -> Path:
    return resources_dir() / ICON_DIR / f"gzdesk.{suffix}"


def app_icon() -> QIcon:
    """The program's icon (title bars, task bar); the Windows executable carries the .ico."""
    return QIcon(str(icon_file("png")))


def choose_font(app: QApplication) -> None:
    """A CJK-capable UI font at a comfortable size; fall back along ``CJK_FAMILIES``."""
    families = set(QFontDatabase.families())
    font = QFont(app.font())
    chosen = [f for f in CJK_FAMILIES if f in families]
    if chosen:
        font.setFamilies(chosen + [font.family()])
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication), "a QCoreApplication without widgets is already running"
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setWindowIcon(app_icon())
    install_translations(app)
    choose_font(app)
    return app


def make_main_window(db: Database, **kw) -> MainWindow:
    """The main window over an open (initialised) database; used by ``run_window`` and tests."""
    return MainWindow(Controller(db), **kw)


def start_path(db_path: str | None) -> Path:
    """The database to open: ``--db``, else ``GZDESK_DB``, else the one opened last (文件 → 打开…),
    else ``gzdesk.db`` in the data folder."""
    if db_path:
        return Path(db_path)
    if os.environ.get("GZDESK_DB"):
        return default_db_path()
    from gzdesk.ui.file_actions import last_opened
    from gzdesk.ui.main_window import window_settings

    return last_opened(window_settings()) or default_db_path()


def log_in(controller: Controller) -> bool:
    """The login before the main window; on a database without users, the first 管理员 is made
    (a read-only file, where none can be written, opens without). False when the clerk quits."""
    from gzdesk.ui.login import FirstAdminDialog, LoginDialog

    if not controller.has_users():
        if controller.db.read_only:
            return True
        return FirstAdminDialog(controller).exec() == QDialog.DialogCode.Accepted
    try:
        unit = controller.office().unit_name
    except UserError:
        unit = ""
    return LoginDialog(controller, unit=unit).exec() == QDialog.DialogCode.Accepted


def run_window(db_path: str | None) -> int:
    """``gzdesk`` without a subcommand: open the database and show the window until it closes.

    Logs to the window's log; an error that escapes a slot shows the crash dialog and the window
    goes on; one while opening or closing shows it too, and the program ends with exit code 2.
    文件 → 打开… replaces the window by one over another database (``file_actions``); each window
    closes its own database when it closes, so the last one open is closed when the program ends.
    """
    app = make_application()
    path = start_path(db_path)
    log_path = setup_logging("window")
    log.info("打开窗口：%s；数据库 %s", environment(), path)
    reporter = CrashReporter(path, log_path).install()
    try:
        return _open_and_run(app, path)
    except UserError as exc:  # e.g. the database cannot be opened: a refusal, not a crash
        log.info("未能打开：%s", exc.message)
        QMessageBox.critical(None, "无法打开数据库", exc.message)  # the system adds the program's name
        return 1
    except Exception as exc:
        report = error_report(type(exc), exc, exc.__traceback__, path)
        log.error("打开或关闭窗口时出错\n%s", report)
        reporter.show_report(report, wait=True)
        return 2
    finally:
        reporter.uninstall()
        log.info("窗口已关闭")


def _open_and_run(app: QApplication, path: Path) -> int:
    db = Database(path, window=True, on_wait=show_wait)
    try:
        controller = Controller(db)
        from gzdesk.ui.file_actions import ensure_initialized, profile_problem

        if not ensure_initialized(controller, None):
            return 0
        problem = profile_problem(controller)  # the profile kept in the database, checked in full first
        if problem:
            QMessageBox.critical(None, "策略配置有误", problem)
            return 1
        if not log_in(controller):
            return 0
        # No splash screen: the window paints the first screenful of even a 200,000-account registry
        # within a second (the rest is read in parts after the first paint, account_table), and a
        # QSplashScreen's show waits for its own window to be exposed (up to 1 s).
        window = MainWindow(controller)
        window.owns_db = True
        window.show()
        if db.upgraded_from:
            window.status_message(f"数据库已从第 {db.upgraded_from} 版升级，升级前的副本保存在 {db.backup_path}",
                                  15000)
        return int(app.exec())
    finally:
        for widget in QApplication.topLevelWidgets():  # whichever window was open last
            if isinstance(widget, MainWindow) and widget.owns_db:
                widget.controller.db.close()
        db.close()
