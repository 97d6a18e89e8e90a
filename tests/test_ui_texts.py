"""Everything on screen in Chinese: no ISO dates, ids, UUIDs or English in what a clerk reads."""

from __future__ import annotations

import re
from datetime import date

from gzdesk import demo
from gzdesk.ui.controller import Controller
from gzdesk.ui.widgets import ChineseCalendar, DateEdit

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_calendar_header_reads_year_then_month(qtbot):
    cal = ChineseCalendar()
    qtbot.addWidget(cal)
    cal.setCurrentPage(2026, 12)
    assert cal.header_text() == "2026年12月"  # Qt wrote 十二月 2026
    cal.showNextMonth()
    assert cal.header_text() == "2027年1月"
    months = [a.text() for a in cal.month_button.menu().actions()]
    assert months == [f"{m}月" for m in range(1, 13)]
    assert cal.verticalHeaderFormat() == ChineseCalendar.VerticalHeaderFormat.NoVerticalHeader  # no week numbers
    edit = DateEdit()
    qtbot.addWidget(edit)
    assert isinstance(edit.calendar, ChineseCalendar)
    assert not ISO.search(edit.line.placeholderText())
    edit.setText("2026-13-40")
    assert "2026年11月22日" in edit.problem()


def test_account_editor_footer_and_profile_dialog_have_no_technical_text(qtbot, make_db):
    from gzdesk.ui.account_editor import AccountEditor
    from gzdesk.ui.settings_actions import ProfileDialog

    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    demo.generate(db, 5, seed=1, today=date(2026, 11, 20))
    controller = Controller(db)
    editor = AccountEditor(controller, 1)
    qtbot.addWidget(editor)
    assert "UUID" not in editor.meta.text() and "编号 1" in editor.meta.text()
    dialog = ProfileDialog(controller)
    qtbot.addWidget(dialog)
    cells = [dialog.table.item(r, c).text() for r in range(dialog.table.rowCount()) for c in range(3)]
    text = " ".join(cells) + dialog.heading.text()
    assert "山西省政府系统政务新媒体备案登记表" in text
    assert "shanxi_county" not in text and "yanhu" not in text
    assert not ISO.search(text), text
    assert "2024年5月27日" in text  # 补办备案 from the policy's publication
