"""Starting the window: QApplication in Chinese, the database, the first-run dialog, the login, MainWindow."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTimer, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QSplashScreen

from gzdesk import APP_NAME, APP_TITLE
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.paths import default_db_path
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow

# CJK families in order of preference: Windows, then domestic Linux (UOS/Kylin), then common Linux.
CJK_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "微软雅黑", "Noto Sans CJK SC", "Source Han Sans SC",
                "思源黑体", "WenQuanYi Micro Hei", "文泉驿微米黑", "WenQuanYi Zen Hei", "SimSun", "宋体",
                "AR PL UMing CN")

_translators: list[QTranslator] = []  # kept alive for the application's lifetime


def install_translations(app: QApplication) -> bool:
    """Load Qt's own zh_CN translations so standard buttons and dialogs speak Chinese."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if _translators:  # already installed (a second window in the same process, tests)
        return True
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = False
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        tr = QTranslator(app)
        if tr.load(name, folder):
            app.installTranslator(tr)
            _translators.append(tr)
            loaded = True
    return loaded


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
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    install_translations(app)
    choose_font(app)
    return app


def make_splash(message: str) -> QSplashScreen:
    """A small 正在打开 card shown while a large registry loads (200,000 accounts take seconds)."""
    pixmap = QPixmap(420, 150)
    pixmap.fill(QColor("#f4f6f8"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#2b5797"))
    title = QFont(QApplication.font())
    title.setPointSizeF(16)
    title.setBold(True)
    painter.setFont(title)
    painter.drawText(pixmap.rect().adjusted(0, 28, 0, -70), Qt.AlignmentFlag.AlignHCenter, APP_TITLE)
    body = QFont(QApplication.font())
    body.setPointSizeF(10)
    painter.setFont(body)
    painter.setPen(QColor("#555555"))
    painter.drawText(pixmap.rect().adjusted(10, 85, -10, -20), Qt.AlignmentFlag.AlignHCenter, message)
    painter.setPen(QColor("#c8ccd0"))
    painter.drawRect(pixmap.rect().adjusted(0, 0, -1, -1))
    painter.end()
    return QSplashScreen(pixmap)


def make_main_window(db: Database, **kw) -> MainWindow:
    """The main window over an open (initialised) database; used by ``run_window`` and tests."""
    return MainWindow(Controller(db), **kw)


def _show_wait(message: str) -> None:
    """An operation waits for another gzdesk process: say so where the clerk looks."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    QTimer.singleShot(0, QApplication.restoreOverrideCursor)  # back once the event loop runs again
    for widget in QApplication.topLevelWidgets():
        status = getattr(widget, "status_message", None)
        if callable(status) and widget.isVisible():
            status(message, 8000)
            widget.repaint()


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
    """``gzdesk`` without a subcommand: open the database and show the window until it closes."""
    app = make_application()
    path = Path(db_path) if db_path else default_db_path()
    try:
        db = Database(path, window=True, on_wait=_show_wait)
    except UserError as exc:
        QMessageBox.critical(None, f"{APP_TITLE} — 无法打开数据库", exc.message)
        return 1
    controller = Controller(db)
    if not controller.is_initialized():
        from gzdesk.ui.first_run import FirstRunDialog

        dialog = FirstRunDialog(controller)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            db.close()
            return 0
    if not log_in(controller):
        db.close()
        return 0
    splash = make_splash(f"正在打开 {path.name} …")
    splash.show()
    app.processEvents()
    window = MainWindow(controller)
    window.show()
    splash.finish(window)
    if db.upgraded_from:
        window.status_message(f"数据库已从第 {db.upgraded_from} 版升级，升级前的副本保存在 {db.backup_path}", 15000)
    code = app.exec()
    db.close()
    return int(code)
