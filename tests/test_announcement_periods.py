"""公告 periods as the documents word them, and 预估 on every date that rests on the fallback calendar."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from gzdesk import deadlines, filing_announcements, filings, holiday_notice, holidays, registry
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.registry import AccountData
from gzdesk.workdays import WorkdayCalendar, load_calendar

NOTICES = Path(__file__).parent / "holiday_notices"


def _account(db, name="清风镇发布") -> int:
    with db.transaction() as s:
        return registry.save_account(s, AccountData(name=name, platform="weibo", registered_on=date(2020, 1, 1)))


@pytest.mark.parametrize("start", [date(2025, 1, 1) + timedelta(days=k) for k in range(0, 365, 3)])
def test_a_15_working_day_notice_is_up_15_full_working_days_whatever_day_it_begins(start):
    """云南 第十八条 / 南通 第十六条: 公告时间不少于15个工作日, counted from the day after publication:
    a 公告 begun on a Saturday was up only 14 working days before the account closed."""
    cal = WorkdayCalendar()
    effective = filing_announcements.earliest_effective(cal, start, 15).day
    up = cal.count(start, effective - timedelta(days=1)).days  # working days it is up after the day it began
    assert up == 15
    assert cal.count(start, effective - timedelta(days=2)).days < 15 or not cal.is_workday(effective - timedelta(days=1))[0]


def test_a_notice_begun_on_a_saturday(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 10, 20))
        assert date(2025, 11, 1).weekday() == 5
        with pytest.raises(UserError, match="最早可于2025年11月22日关停"):
            filing_announcements.set_announcement(s, f.id, date(2025, 11, 1), date(2025, 11, 21))
        f = filing_announcements.set_announcement(s, f.id, date(2025, 11, 1))
    # Monday 3 November to Friday 21 November: 15 working days; closed from Saturday 22 November
    assert f.effective_on == date(2025, 11, 22)


def test_the_latest_day_to_publish_leaves_the_full_period(make_db):
    db = make_db("yunnan")
    aid = _account(db)
    with db.transaction() as s:
        filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 10, 20), event_on=date(2025, 12, 1))
    with db.reader() as s:
        item = next(i for i in deadlines.pending(s, date(2025, 10, 21)) if i.kind == "announcement")
        cal = load_calendar(s)
    assert filing_announcements.earliest_effective(cal, item.due, 15).day <= date(2025, 12, 1)
    assert filing_announcements.earliest_effective(cal, item.due + timedelta(days=1), 15).day > date(2025, 12, 1)
    assert "公告最迟应于" in item.message


def test_yunnan_announces_a_change_too_and_nantong_does_not(make_db, capsys, tmp_path):
    """云南 第十八条: 变更、关停、注销……并向社会公告 — ``filing announce`` refused a 变更."""
    yn = make_db("yunnan", name="yn.db")
    aid = _account(yn)
    with yn.transaction() as s:
        f = filings.new_filing(s, aid, "变更", "更名", filled_on=date(2025, 10, 20), event_on=date(2025, 12, 1),
                               proposed={"名称": "清风发布"})
    with yn.reader() as s:
        titles = [i.title for i in deadlines.pending(s, date(2025, 10, 21)) if i.kind == "announcement"]
    assert titles == ["发布变更公告：清风镇发布"]
    assert main(["filing", "announce", f.number, "--from", "2025-10-27", "--db", str(tmp_path / "yn.db")]) == 0
    out = capsys.readouterr().out
    assert "已登记变更公告：2025年10月27日起，2025年11月18日变更生效" in out
    nt = make_db("nantong", name="nt.db")
    aid = _account(nt)
    with nt.transaction() as s:
        f = filings.new_filing(s, aid, "变更", "更名", filled_on=date(2025, 10, 20), proposed={"名称": "清风发布"})
        with pytest.raises(UserError, match="只有关停、注销备案需要向社会公告"):
            filing_announcements.set_announcement(s, f.id, date(2025, 10, 27))


def test_yanhu_warns_on_a_late_notice_and_never_refuses(make_db, capsys, tmp_path):
    db = make_db("yanhu", name="yh.db")
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "撤并", filled_on=date(2025, 11, 3))
    path = str(tmp_path / "yh.db")
    assert main(["filing", "announce", f.number, "--from", "2025-11-20", "--close-on", "2025-11-21", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "注意：公告于关停前1个工作日才发布" in out and "宜不晚于2025年11月18日" in out
    assert main(["filing", "announce", f.number, "--from", "2025-10-01", "--close-on", "2025-11-21", "--db", path]) == 0
    assert "注意" not in capsys.readouterr().out  # far earlier than 3 working days: fine


# ------------------------------------------------------------------ 预估 everywhere


def _closing_in_2027(db) -> str:
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2026, 12, 1), event_on=date(2027, 2, 1))
    return f.number


def test_dates_that_rest_on_the_fallback_say_so_everywhere(db, db_path, capsys):
    """2027 is not in the calendar package: filing announce and filing show printed a 2027 closing
    date without 预估."""
    number = _closing_in_2027(db)
    path = str(db_path)
    assert main(["filing", "announce", number, "--from", "2026-12-21", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "已登记停更注销公告：2026年12月21日起，2027年1月13日（预估）关停生效" in out
    assert main(["filing", "show", number, "--db", path]) == 0
    assert "2027年1月13日（预估）关停生效" in capsys.readouterr().out
    assert main(["filing", "show", number, "--db", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["effective_provisional"] is True
    assert main(["due", "--today", "2026-12-22", "--json", "--db", path]) == 0
    closure = next(i for i in json.loads(capsys.readouterr().out) if i["kind"] == "closure")
    assert closure["provisional"] is True and closure["due"] == "2027-01-13"
    with db.reader() as s:
        rows = filings.list_filings(s)
    assert rows[0].announce_provisional is True


def test_after_the_notice_is_imported_the_same_dates_are_plain(db, db_path, capsys):
    number = _closing_in_2027(db)
    text = (NOTICES / "2027-sample.txt").read_text(encoding="utf-8")
    with db.transaction() as s:
        holidays.import_notice(s, holiday_notice.parse(text), text)
    path = str(db_path)
    assert main(["filing", "announce", number, "--from", "2026-12-21", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "2027年1月13日关停生效" in out and "预估" not in out
    assert main(["due", "--today", "2026-12-22", "--json", "--db", path]) == 0
    closure = next(i for i in json.loads(capsys.readouterr().out) if i["kind"] == "closure")
    assert closure["provisional"] is False


def test_the_window_shows_the_estimate_on_the_filing(db):
    from gzdesk.ui.filing_dialogs import describe

    number = _closing_in_2027(db)
    with db.transaction() as s:
        fid = filings.find_filing(s, number)
        d = filing_announcements.set_announcement(s, fid, date(2026, 12, 21))
    assert "2027年1月13日（预估）生效" in describe(d)


@pytest.mark.parametrize("event", [date(2025, 1, 6) + timedelta(days=k) for k in range(0, 350, 5)])
def test_the_latest_publication_day_is_exact(event):
    cal = WorkdayCalendar()
    latest = deadlines._latest_publication(deadlines._CachedCalendar(cal), event, 15).day
    assert filing_announcements.earliest_effective(cal, latest, 15).day <= event
    assert filing_announcements.earliest_effective(cal, latest + timedelta(days=1), 15).day > event
