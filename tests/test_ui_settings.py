from datetime import date

from PySide6.QtCore import QDate, Qt

from gzdesk import holidays
from gzdesk.ui.controller import Controller
from gzdesk.ui.settings_actions import HolidayDialog, ProfileDialog


def test_holiday_dialog_adds_and_removes_days(qtbot, db):
    dialog = HolidayDialog(Controller(db))
    qtbot.addWidget(dialog)
    dialog.day.setDate(QDate(2027, 2, 6))
    dialog.name.setText("春节")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 2).text() == "春节"
    with db.reader() as s:
        assert holidays.list_holidays(s)[0].day == date(2027, 2, 6)
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0


def test_holidays_are_entered_and_removed_as_ranges(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: said.append(text))
    dialog = HolidayDialog(Controller(db))
    qtbot.addWidget(dialog)
    from gzdesk.ui.widgets import ChineseCalendar

    assert isinstance(dialog.day.calendarWidget(), ChineseCalendar)  # headed 2027年1月, not 一月 2027
    dialog.day.setDate(QDate(2027, 2, 6))
    dialog.until.setDate(QDate(2027, 2, 13))
    assert "将登记 8 天" in dialog.range_note.text()
    dialog.name.setText("春节")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    with db.reader() as s:
        days = holidays.list_holidays(s)
    assert [d.day for d in days] == [date(2027, 2, d) for d in range(6, 14)] and {d.name for d in days} == {"春节"}
    assert dialog.table.rowCount() == 8 and not said
    dialog.day.setDate(QDate(2026, 12, 30))  # 2026 is built in: refused, nothing written
    dialog.until.setDate(QDate(2027, 1, 2))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert said and "2026年" in said[-1] and dialog.table.rowCount() == 8
    dialog.day.setDate(QDate(2027, 3, 1))
    dialog.until.setDate(QDate(2027, 5, 1))
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert "最多登记 31 天" in said[-1]
    dialog.table.selectAll()  # the whole 假期 removed at once
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 0


def test_profile_dialog_shows_numbers_with_articles(qtbot, db):
    dialog = ProfileDialog(Controller(db))
    qtbot.addWidget(dialog)
    texts = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount()) for c in range(3)]
    assert "主管单位报送系统时限" in texts and "3个工作日" in texts
    assert any("第十五条" in t for t in texts)
