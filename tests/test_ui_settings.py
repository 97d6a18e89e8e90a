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


def test_profile_dialog_shows_numbers_with_articles(qtbot, db):
    dialog = ProfileDialog(Controller(db))
    qtbot.addWidget(dialog)
    texts = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount()) for c in range(3)]
    assert "主管单位报送系统时限" in texts and "3个工作日" in texts
    assert any("第十五条" in t for t in texts)
