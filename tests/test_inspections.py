"""Inspections, their pre-filled findings, 通报 and 整改, and what they put in 待办."""

from __future__ import annotations

from datetime import date

import pytest

from gzdesk import deadlines, fakes, inspections, quarters, rectify, registry
from gzdesk.errors import UserError
from gzdesk.inspections import DEDUCT, VETO, FindingInput
from gzdesk.registry import AccountData, UnitData

TODAY = date(2026, 11, 30)
Q4 = quarters.parse("2026Q4")


def _accounts(db) -> dict[str, int]:
    with db.transaction() as s:
        bureau = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        office = registry.save_unit(s, UnitData(name="海门区教育局办公室", kind="internal", parent_id=bureau))
        fresh = registry.save_account(s, AccountData(name="海门教育", platform="weibo", host_unit_id=bureau,
                                                     last_update_on=date(2026, 11, 18), verification_names_host=True))
        stale = registry.save_account(s, AccountData(name="教育局办公室", platform="douyin", host_unit_id=office,
                                                     last_update_on=date(2026, 10, 1), verification_names_host=False))
        weekly = registry.save_account(s, AccountData(name="海门教育发布", platform="toutiao", host_unit_id=bureau,
                                                      last_update_on=date(2026, 11, 9)))
        app = registry.save_account(s, AccountData(name="海门教育APP", platform="app", host_unit_id=bureau,
                                                   last_update_on=date(2026, 11, 19)))
    return {"fresh": fresh, "stale": stale, "weekly": weekly, "app": app}


def _new(db, account_id, findings, on=date(2026, 11, 20), **kw):
    with db.transaction() as s:
        return inspections.new_inspection(s, account_id, Q4, on, "王建国", findings, today=TODAY, **kw)


def test_prefill_from_what_the_registry_knows(db):
    ids = _accounts(db)
    on = date(2026, 11, 20)
    with db.transaction() as s:
        sheet = inspections.sheet_of(s)
        assert inspections.prefill(s, ids["fresh"], on, sheet) == []
        stale = inspections.prefill(s, ids["stale"], on, sheet)
        weekly = inspections.prefill(s, ids["weekly"], on, sheet)
        inspections.set_unusable(s, ids["app"], date(2026, 11, 10), today=TODAY)
        app = inspections.prefill(s, ids["app"], on, sheet)
    assert {(f.kind, f.item, f.rule_no) for f in stale} == {
        (VETO, "内容不更新", 1), (DEDUCT, "开设不规范", None), (DEDUCT, "认证信息不规范", None)}
    assert all(f.prefilled and f.note for f in stale)
    assert [(f.kind, f.item, f.count) for f in weekly] == [(DEDUCT, "内容更新不及时", 1)]  # 11 days: 每周少于1次
    assert [(f.kind, f.item, f.rule_no) for f in app] == [(VETO, "内容不更新", 2)]  # APP 无法下载或使用


def test_prefilled_findings_confirmed_cleared_or_recounted(db):
    ids = _accounts(db)
    with db.transaction() as s:
        sheet = inspections.sheet_of(s)
        pre = inspections.prefill(s, ids["stale"], date(2026, 11, 20), sheet)
    found = inspections.compose(sheet, pre, vetoes=[("内容不更新", None)], deductions=[("内容更新不及时", 3)],
                                cleared=["认证信息不规范"], notes={"内容更新不及时": "第3、4、6周无更新"})
    keyed = {(f.kind, f.item): f for f in found}
    assert set(keyed) == {(VETO, "内容不更新"), (DEDUCT, "开设不规范"), (DEDUCT, "内容更新不及时")}
    assert keyed[(VETO, "内容不更新")].prefilled and keyed[(VETO, "内容不更新")].rule_no == 1  # confirmed
    assert keyed[(DEDUCT, "内容更新不及时")].count == 3 and keyed[(DEDUCT, "内容更新不及时")].note == "第3、4、6周无更新"
    with pytest.raises(UserError, match="不在本次检查发现的问题中"):
        inspections.compose(sheet, [], [], [], notes={"名称不规范": "x"})


def test_an_inspection_is_recorded_scored_and_frozen(db):
    ids = _accounts(db)
    d = _new(db, ids["fresh"], [FindingInput(DEDUCT, "内容更新不及时", 3), FindingInput(DEDUCT, "名称不规范")],
             note="总体良好")
    assert (d.score, d.result, d.account_name, d.host_unit, d.quarter) == (80, "合格", "海门教育", "海门区教育局", "2026Q4")
    assert [(f.item, f.count, f.points) for f in d.deductions] == [("名称不规范", 1, 10), ("内容更新不及时", 3, 10)]
    with db.transaction() as s:  # renaming the account later does not rewrite the record
        data = registry.get_account(s, ids["fresh"])
        data.name = "海门教育发布厅"
        registry.save_account(s, data)
        assert inspections.get_inspection(s, d.id).account_name == "海门教育"
        rows = inspections.list_inspections(s, "2026Q4")
    assert [(r.id, r.findings, r.open_items) for r in rows] == [(d.id, 2, 2)]


@pytest.mark.parametrize("on,quarter,message", [
    (date(2026, 9, 30), "2026Q4", "不在2026年第四季度"),
    (date(2026, 12, 2), "2026Q4", "晚于今天"),
])
def test_inspection_dates_are_checked(db, on, quarter, message):
    ids = _accounts(db)
    with db.transaction() as s, pytest.raises(UserError, match=message):
        inspections.new_inspection(s, ids["fresh"], quarter, on, "王建国", [], today=TODAY)


def test_the_same_inspection_twice_is_refused_but_an_upper_level_check_is_not(db):
    ids = _accounts(db)
    _new(db, ids["fresh"], [])
    with pytest.raises(UserError, match="已有一条本级检查记录"):
        _new(db, ids["fresh"], [])
    d = _new(db, ids["fresh"], [FindingInput(VETO, "安全、泄密事故等严重问题", rule_no=1)], level="省办抽查")
    assert d.level == "province" and d.score is None and d.result == "不合格"


def test_notify_starts_ten_days_of_rectification_and_done_closes_items(db):
    ids = _accounts(db)
    a = _new(db, ids["stale"], [FindingInput(DEDUCT, "开设不规范"), FindingInput(DEDUCT, "名称不规范")])
    _new(db, ids["fresh"], [])  # nothing found: nothing to notify
    with db.transaction() as s:
        assert [r.status for r in rectify.list_items(s, TODAY)] == ["待通报", "待通报"]
        assert inspections.notify(s, Q4, date(2026, 11, 23), today=TODAY) == 1
        with pytest.raises(UserError, match="没有待通报"):
            inspections.notify(s, Q4, date(2026, 11, 24), today=TODAY)
        items = rectify.list_items(s, TODAY)
    assert {r.due_on for r in items} == {date(2026, 12, 3)}  # 通报公开之日起10日内 (calendar days)
    with db.transaction() as s:
        rectify.mark_done(s, [items[0].id], date(2026, 11, 28), "已改名", today=TODAY)
        with pytest.raises(UserError, match="已于2026年11月28日整改完成"):
            rectify.mark_done(s, [items[0].id], date(2026, 11, 28), today=TODAY)
        with pytest.raises(UserError, match="早于检查日期"):
            rectify.mark_done(s, [items[1].id], date(2026, 11, 1), today=TODAY)
        late = rectify.list_items(s, date(2026, 12, 4), open_only=True)
        assert inspections.get_inspection(s, a.id).notified_on == date(2026, 11, 23)
    assert [(r.item, r.status, r.overdue) for r in late] == [("名称不规范", "已逾期", True)]


def test_rectify_items_quarter_reports_and_fakes_are_in_due(db):
    ids = _accounts(db)
    _new(db, ids["stale"], [FindingInput(DEDUCT, "名称不规范")], on=date(2026, 10, 20))
    with db.transaction() as s:
        inspections.notify(s, Q4, date(2026, 11, 10), today=TODAY)
        fakes.new_report(s, "海门教育官方", date(2026, 11, 25), platform="抖音", today=TODAY)
        items = deadlines.pending(s, TODAY)
    by_kind = {i.kind: i for i in items}
    r = by_kind["rectify"]
    assert r.due == date(2026, 11, 20) and r.overdue and r.left_text == "逾期10天" and r.ref_id is not None
    q = by_kind["quarter_report"]  # the office records inspections: the previous quarter's report is due
    assert q.title == "报送2026年第三季度检查整改情况" and q.due == date(2026, 10, 5) and q.overdue
    assert "附件3 抽查检查" in q.article
    f = by_kind["fake"]
    assert f.due == date(2026, 11, 25) and f.overdue and "第三十条" in f.article
    assert items.index(r) < items.index(f) or r.due <= f.due  # overdue first, by due date


def test_an_office_with_no_inspections_gets_no_quarter_report_reminder(db):
    _accounts(db)
    with db.reader() as s:
        assert not [i for i in deadlines.pending(s, TODAY) if i.kind == "quarter_report"]


def test_coverage_counts_accounts_in_operation(db):
    ids = _accounts(db)
    _new(db, ids["fresh"], [])
    _new(db, ids["fresh"], [FindingInput(VETO, "互动回应差", rule_no=1)], on=date(2026, 11, 21))
    with db.reader() as s:
        from gzdesk import scope

        cov = inspections.coverage(s, Q4, scope.resolve(s))
    assert (cov.inspected, cov.active, cov.failed) == (1, 4, 1)  # counted once, with its last result
    assert cov.percent_text == "25.0%"


def test_unusable_only_for_apps_and_deleting_an_inspection(db):
    ids = _accounts(db)
    with db.transaction() as s, pytest.raises(UserError, match="不是移动客户端"):
        inspections.set_unusable(s, ids["fresh"], date(2026, 11, 1), today=TODAY)
    d = _new(db, ids["stale"], [FindingInput(DEDUCT, "名称不规范")])
    with db.transaction() as s:
        assert inspections.delete_inspection(s, d.id) == "教育局办公室"
        assert rectify.list_items(s, TODAY) == []


def test_accounts_are_found_by_id_or_unique_name(db):
    ids = _accounts(db)
    with db.transaction() as s:
        assert inspections.find_account(s, str(ids["fresh"])) == ids["fresh"]
        assert inspections.find_account(s, "海门教育") == ids["fresh"]
        registry.save_account(s, AccountData(name="海门教育", platform="douyin"))
        with pytest.raises(UserError, match="有 2 个.*请用编号"):
            inspections.find_account(s, "海门教育")
        with pytest.raises(UserError, match="没有名为“不存在”的账号"):
            inspections.find_account(s, "不存在")
        assert [c.id for c in inspections.search_accounts(s, "办公室")] == [ids["stale"]]
        assert {c.id for c in inspections.search_accounts(s, "教育局")} == set(ids.values())  # by 主办单位
        assert [c.id for c in inspections.search_accounts(s, str(ids["app"]))] == [ids["app"]]
