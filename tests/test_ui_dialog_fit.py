"""Every dialog fits a 1366×768 screen (a laptop with a taskbar): buttons on screen, scrolling inside."""

from __future__ import annotations

import pytest
from dialog_catalog import DIALOGS
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QAbstractButton, QApplication, QScrollArea

from gzdesk import demo
from gzdesk.ui.controller import Controller
from gzdesk.ui.main_window import MainWindow

FREE = QRect(0, 0, 1366, 728)  # 1366×768 less a 40 px taskbar
TITLE_BAR = 32


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    from gzdesk import office as office_service
    from gzdesk.db import Database

    db = Database(tmp_path_factory.mktemp("fit") / "office.db", actor="测试员")
    with db.transaction() as s:
        office_service.init_office(s, "运城市盐湖区人民政府办公室", "yanhu")
    demo.generate(db, 300, seed=1)
    yield db
    db.close()


@pytest.fixture
def window(qtbot, office, tmp_path, monkeypatch):
    monkeypatch.setattr(QScreen, "availableGeometry", lambda self: QRect(FREE))
    w = MainWindow(Controller(office), settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_dialog_fits_a_1366x768_screen(qtbot, window, name):
    dialog = DIALOGS[name](window)
    qtbot.addWidget(dialog, before_close_func=_quiet)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    height_room = FREE.height() - TITLE_BAR
    assert dialog.width() <= FREE.width() and dialog.height() <= height_room, (dialog.width(), dialog.height())
    hint = dialog.minimumSizeHint()
    assert hint.height() <= height_room and hint.width() <= FREE.width(), hint
    inside = dialog.rect()
    hidden = []
    for button in dialog.findChildren(QAbstractButton):
        if not button.isVisible() or _in_scroll_area(button):
            continue
        corner = button.mapTo(dialog, QPoint(button.width() - 1, button.height() - 1))
        if not inside.contains(corner):
            hidden.append((button.text(), corner))
    assert not hidden, hidden


def test_preview_opens_at_fit_to_width(qtbot, window):
    dialog = DIALOGS["preview"](window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    viewport = dialog.scroll_area.viewport().width()
    page = dialog.page_labels[0].width()
    assert dialog.fit_width and page >= viewport * 0.85, (page, viewport, dialog.zoom)
    assert dialog.zoom >= 0.6  # opened at 25 % before


def test_change_filing_scrolls_inside(qtbot, window):
    dialog = DIALOGS["change_filing"](window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.changes_box.isVisible()
    scroll = next(a for a in dialog.findChildren(QScrollArea) if a.isAncestorOf(dialog.changes_box))
    assert scroll.isVisible()


def _in_scroll_area(widget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _quiet(dialog) -> None:
    """Close without the 是否保存 questions of the editors."""
    for attr in ("_initial",):
        if hasattr(dialog, attr):
            setattr(dialog, attr, None)
    if hasattr(dialog, "_baseline") and hasattr(dialog, "_state"):
        dialog._baseline = dialog._state()
