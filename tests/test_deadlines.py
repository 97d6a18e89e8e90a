"""Deadlines from the profile in Chinese working days (gzdesk.deadlines)."""

from __future__ import annotations

from datetime import date

from gzdesk import deadlines, filing_announcements, filings, registry
from gzdesk.models import Task
from gzdesk.workdays import WorkdayCalendar

CAL = WorkdayCalendar()


def _account(db, name, registered_on, **kw) -> int:
    with db.transaction() as s:
        return registry.save_account(s, registry.AccountData(name=name, registered_on=registered_on, **kw))


def _pending(db, today, undated: bool = False):
    """The dated items (the undated 在办备案 ones too when asked)."""
    with db.reader() as s:
        return [i for i in deadlines.pending(s, today) if undated or i.due is not None]


def test_calendar_facts_used_below():
    # 2025 国庆 + 中秋: 10-01…10-08 off, Sunday 09-28 and Saturday 10-11 are 调休 working days
    assert CAL.add(date(2025, 9, 30), 7).day == date(2025, 10, 16)
    assert CAL.add(date(2025, 9, 29), 3).day == date(2025, 10, 10)


def test_yunnan_opening_filing_due_seven_workdays_across_guoqing(make_db):
    """云南 第十七条: 开办…应于7个工作日内填写备案登记表进行备案."""
    db = make_db("yunnan")
    aid = _account(db, "云南发布", date(2025, 9, 30))
    items = _pending(db, date(2025, 10, 9))
    assert len(items) == 1
    it = items[0]
    assert (it.kind, it.account_id, it.due, it.overdue, it.provisional) == ("filing", aid, date(2025, 10, 16), False, False)
    assert it.days_left == 6  # 10-10, 10-11 (调休 Saturday), 10-13, 10-14, 10-15, 10-16
    assert it.article == "云南省政务新媒体管理办法第十七条"
    # once a filing exists the item follows the filing, until it is filed
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
    it = _pending(db, date(2025, 10, 17))[0]
    assert (it.filing_number, it.due, it.overdue, it.days_left) == (f.number, date(2025, 10, 16), True, -1)
    with db.transaction() as s:
        filings.record_step(s, f.id, "同意", "甲", date(2025, 10, 10))
        filings.record_step(s, f.id, "同意", "乙", date(2025, 10, 13))
    assert _pending(db, date(2025, 10, 17)) == []


def test_nantong_provincial_filing_three_workdays_after_host_step(db):
    """南通 第十五条: 主管单位应在3个工作日内通过全省政务新媒体备案检查系统进行备案."""
    aid = _account(db, "通州发布", date(2025, 9, 20))
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 9, 26))
    assert _pending(db, date(2025, 9, 29)) == []  # nothing reached the 主管单位 yet
    with db.transaction() as s:
        filings.record_step(s, f.id, "同意", "主办单位负责人", date(2025, 9, 29))
    [it] = _pending(db, date(2025, 10, 9))
    assert (it.kind, it.due, it.days_left, it.overdue) == ("provincial", date(2025, 10, 10), 1, False)
    assert it.article == "南通市政务新媒体管理办法（试行）第十五条"
    # still due after the 主管单位 signs, until the provincial system is updated
    with db.transaction() as s:
        filings.record_step(s, f.id, "同意", "主管单位负责人", date(2025, 10, 9))
    [it] = _pending(db, date(2025, 10, 13))
    assert it.overdue and it.days_left == -2  # 10-11 (调休 Saturday) and 10-13
    with db.transaction() as s:
        filings.mark_reported(s, f.id, date(2025, 10, 13))
    assert _pending(db, date(2025, 10, 13)) == []


def test_backfill_windows_per_profile(make_db):
    """盐湖 第三十条 20, 南通 第三十五条 20, 云南 第四十七条 60 working days from publication."""
    expected = {"yanhu": ("2024-05-27", 20, "运城市盐湖区政府系统政务新媒体管理办法（试行）第三十条"),
                "nantong": ("2019-10-10", 20, "南通市政务新媒体管理办法（试行）第三十五条"),
                "yunnan": ("2019-08-03", 60, "云南省政务新媒体管理办法第四十七条")}
    for profile, (start, n, article) in expected.items():
        db = make_db(profile)
        old = _account(db, "老账号", date(2015, 6, 1))
        _account(db, "无日期账号", None)
        _account(db, "已关停", date(2015, 6, 1), status="closed")
        items = [i for i in _pending(db, date(2025, 1, 6)) if i.kind == "backfill"]
        assert {i.account for i in items} == {"老账号", "无日期账号"}
        due = CAL.add(date.fromisoformat(start), n).day
        assert all(i.due == due and i.overdue and i.article == article for i in items)
        # a live filing of the account removes the account item (the filing carries it)
        with db.transaction() as s:
            f = filings.new_filing(s, old, "补办", "补办备案", filled_on=date(2025, 1, 6))
        items = [i for i in _pending(db, date(2025, 1, 6)) if i.kind == "backfill"]
        assert {(i.account, i.filing_number) for i in items} == {("老账号", f.number), ("无日期账号", None)}


def test_an_account_whose_filings_were_all_withdrawn_is_unfiled_again(db):
    """Only live filings count: an account whose one filing was withdrawn (撤回) is back among the
    accounts to file; one with a withdrawn and a live filing follows the live one."""
    alone = _account(db, "撤回账号", date(2015, 6, 1))
    both = _account(db, "重新备案账号", date(2015, 6, 1))
    with db.transaction() as s:
        for aid in (alone, both):
            filings.withdraw(s, filings.new_filing(s, aid, "补办", "补办备案", filled_on=date(2025, 1, 6)).id)
        again = filings.new_filing(s, both, "补办", "补办备案", filled_on=date(2025, 1, 7))
    items = [i for i in _pending(db, date(2025, 1, 8)) if i.kind == "backfill"]
    assert sorted((i.account_id, i.filing_number) for i in items) == [(alone, None), (both, again.number)]


def test_announcement_and_closure_items(make_db):
    db = make_db("yanhu")
    aid = _account(db, "盐湖发布", date(2024, 8, 1))
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 9, 22), event_on=date(2025, 10, 10))
    ann = [i for i in _pending(db, date(2025, 9, 26)) if i.kind == "announcement"]
    # at least 3 working days before the closing day (10-09, 09-30, 09-29 across 国庆): 09-29 at the latest
    assert len(ann) == 1 and ann[0].due == date(2025, 9, 29)
    assert "公告宜不晚于2025年9月29日发布" in ann[0].message
    assert ann[0].article == "运城市盐湖区政府系统政务新媒体管理办法（试行）第十一条"
    with db.transaction() as s:
        filing_announcements.set_announcement(s, f.id, date(2025, 9, 30), date(2025, 10, 10))
    items = _pending(db, date(2025, 9, 30))
    assert [i.kind for i in items if i.filing_id == f.id] == ["closure"]
    closure = next(i for i in items if i.kind == "closure")
    assert closure.due == date(2025, 10, 10) and "审批办结后" in closure.message


def test_tasks_and_sorting_overdue_first(make_db):
    db = make_db("yunnan")
    with db.transaction() as s:
        aid = registry.save_account(s, registry.AccountData(name="云南发布", registered_on=date(2025, 9, 30)))
        s.add(Task(kind="password_change", title="张三离职：云南发布更改账号密码", account_id=aid,
                   due_on=date(2025, 10, 9), article="云南省政务新媒体管理办法第三十七条"))
        s.add(Task(kind="device_return", title="已完成", account_id=aid, due_on=date(2025, 10, 1),
                   done_on=date(2025, 10, 2)))
    items = _pending(db, date(2025, 10, 10))
    assert [i.kind for i in items] == ["task", "filing"]
    assert items[0].overdue and items[0].account == "云南发布" and items[0].days_left == -1
    assert not items[1].overdue and items[1].due == date(2025, 10, 16)
    data = items[0].to_json()
    assert set(data) >= {"kind", "title", "account_id", "account", "filing_id", "filing_number", "due", "provisional",
                         "overdue", "days_left", "rule", "article", "message"}


def test_provisional_dates_beyond_the_calendar(make_db):
    db = make_db("yunnan")
    far = date(2031, 3, 3)
    if WorkdayCalendar.covered(far):  # the package learnt 2031: nothing to show
        return
    _account(db, "未来账号", date(2025, 1, 1))
    with db.transaction() as s:
        aid = registry.save_account(s, registry.AccountData(name="远期", registered_on=date(2025, 1, 2)))
        s.add(Task(kind="other", title="远期待办", account_id=aid, due_on=far))
    item = next(i for i in _pending(db, date(2025, 1, 3)) if i.title == "远期待办")
    assert item.provisional and "预估" in item.due_text


def test_yanhu_report_to_national_system_after_approval(make_db):
    """盐湖 第十一条: 审批同意后…同步在“全国政务新媒体信息报送系统”更新 (no grace days)."""
    db = make_db("yanhu")
    aid = _account(db, "盐湖发布", date(2025, 9, 1))
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 9, 22))
        for day in (23, 24, 25):
            filings.record_step(s, f.id, "同意", "甲", date(2025, 9, day))
    assert [i for i in _pending(db, date(2025, 9, 26)) if i.kind == "provincial"] == []  # not approved yet
    with db.transaction() as s:
        filings.record_step(s, f.id, "同意", "省政府办公厅", date(2025, 9, 26))
    [it] = [i for i in _pending(db, date(2025, 9, 30)) if i.kind == "provincial"]
    assert (it.due, it.overdue, it.days_left) == (date(2025, 9, 26), True, -3)  # 09-28 (调休 Sunday), 09-29, 09-30
    assert it.article == "运城市盐湖区政府系统政务新媒体管理办法（试行）第十一条"
    with db.transaction() as s:
        filings.mark_reported(s, f.id, date(2025, 9, 30))
    assert [i for i in _pending(db, date(2025, 9, 30)) if i.kind == "provincial"] == []


def test_cached_calendar_agrees_with_the_plain_one():
    """The running totals used for large registries give the same sums as day-by-day counting,
    provisional flags included (2027 is past chinese-calendar's coverage at the time of writing)."""
    from datetime import timedelta

    from gzdesk.deadlines import _CachedCalendar

    plain = WorkdayCalendar({date(2027, 3, 1): False})
    fast = _CachedCalendar(WorkdayCalendar({date(2027, 3, 1): False}))
    today = date(2025, 10, 9)
    starts = [date(2019, 10, 10) + timedelta(days=37 * k) for k in range(80)]
    for start in starts:
        for n in (1, 3, 7, 15, 20, 60, -1, -3, -15):
            assert fast.add(start, n) == plain.add(start, n), (start, n)
        assert fast.count(today, start) == plain.count(today, start), start
        assert fast.count(start, today) == plain.count(start, today), start
    assert fast.count(today, today) == plain.count(today, today)


def test_filings_in_progress_without_a_deadline_are_listed_undated(make_db):
    """盐湖 sets no working-day limit for a 变更 (第十一条), but it still waits on someone: 待办 shows it."""
    db = make_db("yanhu")
    aid = _account(db, "盐湖发布", date(2024, 7, 1))
    with db.transaction() as s:
        first = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2024, 7, 2))
        for day in (3, 4, 5, 8):
            filings.record_step(s, first.id, "同意", "负责人", date(2024, 7, day))
        filings.mark_reported(s, first.id, date(2024, 7, 9))
        f = filings.new_filing(s, aid, "变更", "更名", filled_on=date(2025, 9, 26), proposed={"name": "盐湖新名"})
    today = date(2025, 10, 9)

    def undated():
        return [i for i in _pending(db, today, undated=True) if i.due is None]

    [it] = undated()
    assert (it.kind, it.kind_label, it.filing_number, it.due_text, it.left_text) == (
        "in_progress", "在办备案", f.number, "无时限", "草稿，待打印送签")
    assert "2025年9月26日填表，已4个工作日" in it.message  # 09-28 (调休 Sunday), 09-29, 09-30, 10-09
    assert it.to_json()["due"] is None and it.to_json()["left"] == "草稿，待打印送签"
    with db.transaction() as s:
        filings.mark_printed(s, f.id)
        filings.record_step(s, f.id, "同意", "主办单位负责人", date(2025, 9, 29))
    assert undated()[0].left_text == "等待县（市、区）办公室意见"
    with db.transaction() as s:
        filings.record_step(s, f.id, "请补充材料", "县办负责人", date(2025, 10, 9), result="returned")
    assert undated()[0].left_text == "已退回，待修改后重新送签"
    with db.transaction() as s:
        again = filings.reopen(s, f.id, filled_on=date(2025, 10, 9))
    [it] = undated()  # the returned one is settled by its reopened draft
    assert it.filing_number == again.number and it.left_text == "草稿，待打印送签"
    # undated items come after every dated one
    _account(db, "未备案账号", date(2024, 1, 1))  # opened before the policy: a 补办 deadline
    items = _pending(db, today, undated=True)
    assert items[-1].due is None and items[0].due is not None and items[0].kind == "backfill"
