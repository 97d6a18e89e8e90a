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


def test_notice_dialog_reads_a_pasted_notice_and_writes_it_on_confirmation(qtbot, db):
    from pathlib import Path

    from PySide6.QtWidgets import QDialogButtonBox

    from gzdesk.ui.settings_actions import NoticeImportDialog
    from gzdesk.workdays import load_calendar

    dialog = NoticeImportDialog(Controller(db))
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    # a year the program knows: shown, compared, not written
    dialog.text.setPlainText((Path(__file__).parent / "holiday_notices" / "2020.txt").read_text(encoding="utf-8"))
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    assert "2020-01-31：通知为上班，内置日历为放假" in dialog.summary.text() and not dialog.ok.isEnabled()
    # something that is not a notice: the reason, nothing to write
    dialog.text.setPlainText("会议通知：明天开会。")
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    assert "年份" in dialog.summary.text() and not dialog.ok.isEnabled()
    dialog.text.setPlainText((Path(__file__).parent / "holiday_notices" / "2027-sample.txt").read_text(encoding="utf-8"))
    qtbot.mouseClick(dialog.read_button, Qt.MouseButton.LeftButton)
    rows = [[dialog.read_table.item(r, c).text() for c in range(4)] for r in range(dialog.read_table.rowCount())]
    assert ["2027年2月14日", "星期日", "上班（调休）", "春节"] in rows
    with db.reader() as s:
        assert holidays.list_holidays(s, 2027) == []
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    with db.reader() as s:
        assert len(holidays.list_holidays(s, 2027)) == len(rows)
        assert load_calendar(s).add(date(2027, 2, 4), 1).provisional is False


def test_print_settings_dialog_saves_the_switches(qtbot, db):
    from gzdesk.printing import options
    from gzdesk.ui.settings_actions import PrintSettingsDialog

    dialog = PrintSettingsDialog(Controller(db))
    qtbot.addWidget(dialog)
    assert dialog.boxes[options.ATTACHMENT_LABEL].isChecked() and not dialog.boxes[options.QR_FROM_URL].isChecked()
    dialog.boxes[options.QR_FROM_URL].setChecked(True)
    dialog.boxes[options.ATTACHMENT_LABEL].setChecked(False)
    dialog.accept()
    with db.reader() as s:
        assert options.read_settings(s) == {options.ATTACHMENT_LABEL: False, options.QR_FROM_URL: True}


def test_platform_list_is_the_offices_own_and_editable(qtbot, db):
    from gzdesk import office
    from gzdesk.ui.settings_actions import PlatformListDialog

    dialog = PlatformListDialog(Controller(db))
    qtbot.addWidget(dialog)
    assert dialog.use_list.isChecked() and dialog.boxes["douyin"].isChecked()
    dialog.boxes["douyin"].setChecked(False)
    dialog.others.setText("美篇、知乎")
    dialog.accept()
    with db.reader() as s:
        p = office.current_profile(s)
    assert "douyin" not in p.approved_platforms and p.approved_other_platforms == ["美篇", "知乎"]
    assert p.rule("approved_platforms")["source"] == "office" and "article" not in p.rule("approved_platforms")
