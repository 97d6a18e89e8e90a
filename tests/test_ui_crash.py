"""An error that escapes a slot: the 程序出错 dialog (Chinese, copyable report, log path), the
traceback in the window's log, and no half-written record in the database."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from gzdesk import logs, registry
from gzdesk.errors import UserError
from gzdesk.models import AuditEvent, Unit
from gzdesk.registry import UnitData
from gzdesk.ui import app as app_module
from gzdesk.ui import unit_editor
from gzdesk.ui.app import make_application, make_main_window, run_window
from gzdesk.ui.controller import Controller
from gzdesk.ui.crash_dialog import CrashDialog, CrashReporter

LEFT = Qt.MouseButton.LeftButton

# pytest-qt would take the exception itself; these tests let it reach the program's own hook
pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def reporter(db):
    log_path = logs.setup_logging("window")
    hook = CrashReporter(db.path, log_path).install()
    yield hook
    hook.uninstall()
    if hook.dialog is not None:
        hook.dialog.close()


def test_a_slot_that_raises_shows_the_dialog_and_logs_the_traceback(db, qtbot, reporter):
    window = make_main_window(db, extensions=())
    qtbot.addWidget(window)
    window.show()
    action = QAction("出错的操作", window)
    window.menu("帮助").addAction(action)

    def broken_slot() -> None:
        raise RuntimeError("槽函数中的程序缺陷")

    action.triggered.connect(broken_slot)
    action.trigger()

    dialog = reporter.dialog
    assert isinstance(dialog, CrashDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "政务新媒体备案管理 — 程序出错"
    assert "整体撤销" in dialog.explanation.text()
    report = dialog.report()
    assert report.startswith("程序：gzdesk ") and "PySide6" in report
    assert f"数据库：{db.path}" in report
    assert "in broken_slot" in report and "RuntimeError: 槽函数中的程序缺陷" in report
    assert str(logs.log_file("window")) in dialog.log_label.text()
    log_text = logs.log_file("window").read_text(encoding="utf-8")
    assert "窗口中未处理的错误" in log_text and "Traceback (most recent call last)" in log_text
    assert "RuntimeError: 槽函数中的程序缺陷" in log_text

    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert QGuiApplication.clipboard().text() == report

    action.trigger()  # a second error while the dialog is open: the same dialog, both reports
    assert reporter.dialog is dialog and dialog.count == 2 and dialog.report().count("RuntimeError: 槽函数中的程序缺陷") == 2

    qtbot.mouseClick(dialog.continue_button, LEFT)
    assert not dialog.isVisible() and window.isVisible()  # the window carries on


def test_an_error_during_a_write_leaves_no_record(db, qtbot, reporter, monkeypatch):
    """The unit editor's save fails half way (after its row was flushed): nothing stays."""
    controller = Controller(db)
    with db.reader() as s:
        events_before = s.scalar(select(func.count(AuditEvent.id)))

    def save_then_fail(session, data: UnitData) -> int:
        registry.save_unit(session, data)
        session.flush()  # the row is in the database's transaction now
        raise RuntimeError("保存到一半时出错")

    monkeypatch.setattr(unit_editor, "save_unit", save_then_fail)
    editor = unit_editor.UnitEditor(controller)
    qtbot.addWidget(editor)
    editor.show()
    editor.name_edit.setText("半途单位")
    qtbot.mouseClick(editor.save_button, LEFT)

    assert reporter.dialog is not None and reporter.dialog.isVisible()
    assert "保存到一半时出错" in reporter.dialog.report()
    with db.reader() as s:
        assert s.scalar(select(func.count(Unit.id)).where(Unit.name == "半途单位")) == 0
        assert s.scalar(select(func.count(AuditEvent.id))) == events_before
    assert editor.isVisible()  # the clerk's typing is still there to save again
    monkeypatch.undo()
    reporter.dialog.accept()
    qtbot.mouseClick(editor.save_button, LEFT)
    with db.reader() as s:
        assert s.scalar(select(func.count(Unit.id)).where(Unit.name == "半途单位")) == 1


def test_a_refusal_no_page_caught_is_shown_as_a_refusal(db, qtbot, reporter, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: shown.append(text))
    window = make_main_window(db, extensions=())
    qtbot.addWidget(window)
    action = QAction("被拒绝的操作", window)

    def refuse() -> None:
        raise UserError("这个账号已经关停，不能再变更")

    action.triggered.connect(refuse)
    action.trigger()
    assert shown == ["这个账号已经关停，不能再变更"] and reporter.dialog is None


def test_an_error_while_the_window_opens_shows_the_dialog_and_exits_2(db, qtbot, monkeypatch):
    shown = []

    def broken_window(controller):
        raise KeyError("profile")

    monkeypatch.setattr(app_module, "MainWindow", broken_window)
    monkeypatch.setattr(CrashDialog, "exec", lambda self: shown.append(self.report()) or 0)
    monkeypatch.setattr(app_module, "log_in", lambda controller: True)  # (the login has its own tests)
    db.close()
    assert run_window(str(db.path)) == 2
    assert len(shown) == 1 and "KeyError: 'profile'" in shown[0]
    assert "打开或关闭窗口时出错" in logs.log_file("window").read_text(encoding="utf-8")
    assert not isinstance(getattr(sys.excepthook, "__self__", None), CrashReporter)  # hook given back


def test_the_application_has_the_program_icon(qtbot):
    app = make_application()
    assert isinstance(app, QApplication)
    icon = app.windowIcon()
    assert not icon.isNull() and icon.actualSize(icon.availableSizes()[0]).width() >= 256
