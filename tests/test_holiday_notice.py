"""The State Council's holiday notice, read by the program (gzdesk holidays import).

tests/holiday_notices/ holds the notices of 2014 and 2019–2026 as the 国务院办公厅 published them
(2019 with its March amendment of 劳动节), and a made-up 2027 notice in the 2025 format for the
import itself (2027 is not built into chinese-calendar).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import chinese_calendar
import pytest

from gzdesk import holiday_notice, holidays
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.workdays import load_calendar

NOTICES = Path(__file__).parent / "holiday_notices"


def _read(name: str) -> str:
    return (NOTICES / name).read_text(encoding="utf-8")


def _package_year(year: int) -> tuple[set[date], set[date]]:
    """chinese-calendar's days off on weekdays and 调休 working days on weekends of a year."""
    off = {d for d in chinese_calendar.holidays if d.year == year and d.weekday() < 5}
    work = {d for d in chinese_calendar.workdays if d.year == year and d.weekday() >= 5}
    return off, work


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025, 2026])
def test_the_real_notices_read_as_the_built_in_calendar_has_them(year):
    notice = holiday_notice.parse(_read(f"{year}.txt"))
    assert notice.year == year and notice.title == f"国务院办公厅关于{year}年部分节假日安排的通知"
    off, work = _package_year(year)
    assert {d for d in notice.off if d.year == year and d.weekday() < 5} == off
    assert {d for d in notice.workdays if d.year == year} == work
    assert holiday_notice.differences(notice) == []


def test_2019_with_its_amendment_reads_as_the_built_in_calendar():
    """The December 2018 notice gave 劳动节 one day; a March 2019 notice changed it to 5月1日至4日."""
    first = holiday_notice.parse(_read("2019.txt"))
    assert [d.text() for d in holiday_notice.differences(first)] == [
        "2019-04-28：通知为放假，内置日历为上班", "2019-05-02：通知为上班，内置日历为放假",
        "2019-05-03：通知为上班，内置日历为放假", "2019-05-05：通知为放假，内置日历为上班"]
    amendment = holiday_notice.parse(_read("2019-labour-day.txt"))
    assert amendment.amends and amendment.year == 2019
    merged = first.as_dict() | amendment.as_dict()
    off, work = _package_year(2019)
    assert {d for d, w in merged.items() if not w and d.year == 2019 and d.weekday() < 5} == off
    assert {d for d, w in merged.items() if w and d.year == 2019} == work
    # 元旦 2019 began in December 2018, written out with its year
    assert date(2018, 12, 30) in first.off and date(2018, 12, 29) in first.workdays


def test_2020_as_first_published_differs_where_spring_festival_was_extended():
    notice = holiday_notice.parse(_read("2020.txt"))
    assert [d.text() for d in holiday_notice.differences(notice)] == [
        "2020-01-31：通知为上班，内置日历为放假", "2020-02-01：通知为上班，内置日历为放假"]


@pytest.mark.parametrize("sentence, year, off, work", [
    ("一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。", 2026,
     ["2026-01-01", "2026-01-02", "2026-01-03"], ["2026-01-04"]),
    ("三、清明节：4月5日放假，4月7日（星期一）补休。", 2014, ["2014-04-05", "2014-04-07"], []),
    ("五、端午节：6月2日放假，与周末连休。", 2014, ["2014-06-02"], []),
    ("六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。", 2025,
     [f"2025-10-0{d}" for d in range(1, 9)], ["2025-09-28", "2025-10-11"]),
    ("二、春节：1月31日至2月6日放假调休，共7天。1月29日（星期六）、1月30日（星期日）上班。", 2022,
     ["2022-01-31"] + [f"2022-02-0{d}" for d in range(1, 7)], ["2022-01-29", "2022-01-30"]),
    ("一、元旦：1月1日（周三）放假1天，不调休。", 2025, ["2025-01-01"], []),
    ("一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。", 2023, ["2022-12-31", "2023-01-01", "2023-01-02"], []),
    ("二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。", 2025,
     ["2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04"], []),
])
def test_sentences_as_written_across_the_years(sentence, year, off, work):
    notice = holiday_notice.parse(sentence, year)
    assert [d.isoformat() for d in notice.off] == off
    assert [d.isoformat() for d in notice.workdays] == work


def test_what_only_encourages_is_reported_and_not_used():
    notice = holiday_notice.parse(_read("2024.txt"))
    assert date(2024, 2, 9) not in notice.off
    assert notice.unused == ["春节：安排职工在除夕(2月9日)休息"]


def test_a_page_saved_from_the_browser_reads_the_same():
    html = "<html><body><p>国务院办公厅关于2026年部分节假日安排的通知</p>" + "".join(
        f"<p>{line}</p>" for line in _read("2026.txt").splitlines()[8:22]) + "</body></html>"
    assert holiday_notice.parse(html).to_json() == holiday_notice.parse(_read("2026.txt")).to_json()


@pytest.mark.parametrize("text, words", [
    ("一、元旦：1月1日至3日放假调休，共4天。", "共4天，读到的是3天"),
    ("一、元旦：1月1日（周五）放假。", "是星期四"),  # 2026-01-01 is a Thursday: a wrong year shows
    ("现将元旦放假安排通知如下。", "年份"),
    ("国务院办公厅关于2026年部分节假日安排的通知 节假日期间，各地区要妥善安排值班。", "没有找到"),
    ("一、元旦：1月1日放假。一、元旦：1月1日上班。", "既是放假又是上班"),
])
def test_what_cannot_be_read_is_refused_with_the_reason(text, words):
    with pytest.raises(UserError, match=words):
        holiday_notice.parse(text, 2026 if "2026" not in text and "年份" not in words else None)


def test_import_shows_what_it_read_then_writes_it_and_the_year_is_no_longer_an_estimate(db, db_path, capsys):
    path = str(NOTICES / "2027-sample.txt")
    with db.reader() as s:
        before = load_calendar(s).add(date(2027, 2, 4), 1)
    assert before.provisional and before.day == date(2027, 2, 9)  # the fallback's 春节: 除夕 to 初三
    assert main(["holidays", "import", path, "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "2027-02-05  星期五  放假          春节" in out and "2027-02-14  星期日  上班（调休）  春节" in out
    assert "无误后加 --apply" in out
    with db.reader() as s:
        assert holidays.list_holidays(s, 2027) == []  # nothing written before the clerk confirms
    assert main(["holidays", "import", path, "--db", str(db_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["year"] == 2027 and "2027-02-13" in data["off"] and data["workdays"][:2] == ["2027-02-14", "2027-02-20"]
    assert data["differences"] is None and data["applied"] is False
    assert main(["holidays", "import", path, "--db", str(db_path), "--apply"]) == 0
    assert "不再标注“预估”" in capsys.readouterr().out
    with db.reader() as s:
        cal = load_calendar(s)
        after = cal.add(date(2027, 2, 4), 1)
        assert (after.day, after.provisional) == (date(2027, 2, 14), False)
        assert cal.add(date(2027, 3, 1), 5).provisional is False
        assert holidays.confirmed_years(s) == [2027]
        assert len(holidays.list_holidays(s, 2027)) == len(data["off"]) + len(data["workdays"])
    assert main(["workdays", "add", "2027-02-04", "1", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.strip() == "2027-02-14"
    # 2028 is still an estimate
    assert main(["workdays", "add", "2028-03-01", "1", "--db", str(db_path)]) == 0
    assert "预估" in capsys.readouterr().out


def test_a_year_the_program_knows_shows_the_differences_and_is_not_written(db_path, db, capsys):
    assert main(["holidays", "import", str(NOTICES / "2020.txt"), "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "2020-01-31：通知为上班，内置日历为放假" in out and "无需写入" in out
    assert main(["holidays", "import", str(NOTICES / "2020.txt"), "--db", str(db_path), "--apply"]) == 1
    assert "已内置" in capsys.readouterr().err
    assert main(["holidays", "import", str(NOTICES / "2026.txt"), "--db", str(db_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["differences"] == []


def test_an_amendment_changes_only_its_days_and_needs_the_years_notice(db):
    base = holiday_notice.parse(_read("2027-sample.txt"))
    amendment = holiday_notice.parse("国务院办公厅关于调整2027年劳动节假期安排的通知\n一、劳动节：5月1日（周六）至6日（周四）"
                                     "放假调休，共6天。4月25日（周日）、5月8日（周六）、5月9日（周日）上班。")
    with pytest.raises(UserError, match="请先导入"), db.transaction() as s:
        holidays.import_notice(s, amendment, "…")
    with db.transaction() as s:
        holidays.import_notice(s, base, _read("2027-sample.txt"))
        holidays.import_notice(s, amendment, "…")
    with db.reader() as s:
        cal = load_calendar(s)
        assert cal.is_workday(date(2027, 5, 6)) == (False, False)
        assert cal.is_workday(date(2027, 5, 9)) == (True, False)
        assert cal.is_workday(date(2027, 10, 9)) == (True, False)  # the rest of the year stays


def test_a_full_notice_replaces_the_days_entered_by_hand(db):
    with db.transaction() as s:
        holidays.set_holiday(s, date(2027, 3, 3), workday=False, name="猜的")
        holidays.import_notice(s, holiday_notice.parse(_read("2027-sample.txt")), _read("2027-sample.txt"))
    with db.reader() as s:
        assert date(2027, 3, 3) not in {h.day for h in holidays.list_holidays(s, 2027)}
