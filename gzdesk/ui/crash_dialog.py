"""An uncaught error in the window: logged with its traceback, then told to the clerk in Chinese.

PySide hands an exception that escapes a slot or an event handler to ``sys.excepthook`` and the
event loop goes on; without this module it was printed on a console nobody sees. ``CrashReporter``
takes that hook: it writes the report (``gzdesk.logs.error_report``: version, platform, database,
traceback) to the log and shows ``CrashDialog`` — what happened, that the write in progress was
undone, the report to copy, and where the log is (the model is Vorta's exception dialog).

Nothing half-written stays behind: every write runs in one ``Database`` transaction, which rolls
back on any exception, and the exception leaves the transaction before it reaches this hook.
A ``UserError`` that a page forgot to catch is shown as the refusal it is, not as a crash.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gzdesk import APP_TITLE
from gzdesk.errors import UserError
from gzdesk.logs import error_report

log = logging.getLogger(__name__)

ExcHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]

WHAT_HAPPENED = (
    "刚才的操作没有完成。出错时正在保存的内容已整体撤销，数据库里不会留下只写了一半的记录；"
    "此前已经保存的内容不受影响。\n"
    "可以继续使用本程序。如果同样的错误反复出现，请点“复制错误报告”，把报告发给负责本程序的技术人员。"
)


class CrashDialog(QDialog):
    """程序出错: the explanation, the copyable report, the log file; 继续使用 or 退出程序."""

    def __init__(self, report: str, log_path: Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(f"{APP_TITLE} — 程序出错")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.resize(720, 480)
        self.log_path = log_path
        self.count = 1

        self.headline = QLabel("<b>程序遇到了一个意外错误</b>")
        self.headline.setStyleSheet("font-size: 12pt;")
        self.explanation = QLabel(WHAT_HAPPENED)
        self.explanation.setWordWrap(True)
        self.details = QPlainTextEdit(report)
        self.details.setObjectName("crashReport")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        where = f"错误详情已写入日志文件：{log_path}" if log_path else "日志文件无法写入（数据文件夹不可写）。"
        self.log_label = QLabel(where)
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.copy_button = QPushButton("复制错误报告")
        self.copy_button.clicked.connect(self.copy_report)
        self.folder_button = QPushButton("打开日志文件夹")
        self.folder_button.setEnabled(log_path is not None)
        self.folder_button.clicked.connect(self.open_log_folder)
        self.continue_button = QPushButton("继续使用")
        self.continue_button.setDefault(True)
        self.continue_button.clicked.connect(self.accept)
        self.quit_button = QPushButton("退出程序")
        self.quit_button.clicked.connect(self.quit_program)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        buttons.addWidget(self.quit_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.explanation)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.log_label)
        layout.addLayout(buttons)

    def report(self) -> str:
        return self.details.toPlainText()

    def add_report(self, report: str) -> None:
        """A further error while this dialog is open: one dialog, every report in it."""
        self.count += 1
        self.headline.setText(f"<b>程序遇到了意外错误（共 {self.count} 次）</b>")
        self.details.appendPlainText(f"\n{'-' * 60}\n{report}")

    def copy_report(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.report())
        self.copy_button.setText("已复制")

    def open_log_folder(self) -> None:
        if self.log_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))

    def quit_program(self) -> None:
        self.reject()
        QApplication.exit(2)


class CrashReporter:
    """Owns ``sys.excepthook`` while the window runs (``install`` / ``uninstall``)."""

    def __init__(self, db_path: Path | str | None, log_path: Path | None):
        self.db_path = db_path
        self.log_path = log_path
        self.dialog: CrashDialog | None = None
        self._previous: ExcHook | None = None

    def install(self) -> CrashReporter:
        self._previous = sys.excepthook
        sys.excepthook = self.handle
        return self

    def uninstall(self) -> None:
        if self._previous is not None and sys.excepthook == self.handle:
            sys.excepthook = self._previous
        self._previous = None

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            (self._previous or sys.__excepthook__)(exc_type, exc, tb)
            return
        if isinstance(exc, UserError):  # a refusal that a page did not catch: still just a refusal
            log.info("未执行：%s", exc.message)
            QMessageBox.warning(QApplication.activeWindow(), "提示", exc.message)
            return
        report = error_report(exc_type, exc, tb, self.db_path)
        log.error("窗口中未处理的错误\n%s", report)
        self.show_report(report)

    def show_report(self, report: str, *, wait: bool = False) -> CrashDialog:
        """Show ``report`` (added to the open dialog if there is one); ``wait`` runs the dialog's own
        event loop, for errors before the window's loop has started."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_report(report)
        else:
            self.dialog = CrashDialog(report, self.log_path, QApplication.activeWindow())
            if wait:
                self.dialog.exec()
            else:
                self.dialog.show()
                self.dialog.raise_()
        return self.dialog
