"""The annual assessment (附件3) counted from the registry, with entries by hand."""

from __future__ import annotations

from datetime import date

import pytest

from gzdesk import assessment, filings, inspections, quarters, registry, scope
from gzdesk.errors import UserError
from gzdesk.inspections import DEDUCT, VETO, FindingInput
from gzdesk.registry import AccountData, UnitData
from gzdesk.reports import quarter as quarter_report

YEAR_END = date(2027, 1, 20)  # the 2026 assessment made in January 2027


def _registry(db, n: int = 4) -> list[int]:
    with db.transaction() as s:
        u = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        sup = registry.save_unit(s, UnitData(name="海门区人民政府办公室", kind="government"))
        ids = [registry.save_account(s, AccountData(name=f"海门教育{i}", platform=p, host_unit_id=u,
                                                    supervisor_unit_id=sup, registered_on=date(2020, 1, 1)))
               for i, p in enumerate(("weibo", "douyin", "toutiao", "kuaishou")[:n])]
    return ids


def _inspect_all(db, ids, q: str, findings=(), level=None) -> None:
    qq = quarters.parse(q)
    with db.transaction() as s:
        for aid in ids:
            inspections.new_inspection(s, aid, qq, qq.start, "王建国", list(findings), level=level, today=YEAR_END)


def _assess(db, today=YEAR_END):
    with db.reader() as s:
        return assessment.assess(s, 2026, scope.resolve(s), today)


def _line(a, key):
    return next(ln for it in a.items for ln in it.lines if ln.key == key)


def test_every_quarter_inspected_in_full_reported_on_time_scores_100_with_the_coverage_bonus(db):
    ids = _registry(db)
    for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        _inspect_all(db, ids, q)
        qq = quarters.parse(q)
        with db.transaction() as s:
            quarter_report.record_sent(s, qq, qq.report_due(), today=YEAR_END)
    with db.transaction() as s:
        assessment.set_entry(s, 2026, scope.resolve(s), "考核评价", "否")
    a = _assess(db)
    assert not a.tally.vetoed and a.tally.deduction_score == 100
    assert _line(a, "检查比例").value == 10 and a.tally.bonus == 10 and a.tally.final == 110
    assert _line(a, "定期检查").source.startswith("据本库：已结束的4个季度均有本级检查记录")
    assert _line(a, "考核评价").source == "手工填写" and _line(a, "考核评价").manual == 0
    assert "上级抽查检查情况.1" in a.unknown and "考核评价" not in a.unknown


def test_a_quarter_without_inspections_is_a_veto(db):
    ids = _registry(db)
    for q in ("2026Q1", "2026Q2", "2026Q4"):
        _inspect_all(db, ids, q)
    a = _assess(db)
    assert a.tally.vetoed and a.tally.veto == ["定期检查"] and a.result_text.startswith("不合格（单项否决：定期检查）")
    assert "2026年第三季度无本级检查记录" in _line(a, "定期检查").source
    with db.transaction() as s:  # an office that checked on paper corrects it by hand
        assessment.set_entry(s, 2026, scope.resolve(s), "定期检查", "0", "三季度纸质检查记录已存档")
    a = _assess(db)
    assert not a.tally.vetoed and "本库计得 1" in _line(a, "定期检查").source


def test_reports_late_rectification_late_and_coverage(db):
    ids = _registry(db)
    for q in ("2026Q1", "2026Q2", "2026Q3"):
        _inspect_all(db, ids, q)
    _inspect_all(db, ids[:3], "2026Q4", [FindingInput(DEDUCT, "名称不规范")])  # 3 of 4: 75%
    with db.transaction() as s:
        q1 = quarters.parse("2026Q1")
        quarter_report.record_sent(s, q1, date(2026, 4, 3), today=YEAR_END)
        quarter_report.record_sent(s, "2026Q2", date(2026, 7, 8), today=YEAR_END)  # late
        # Q3 and Q4 never recorded as sent
        inspections.notify(s, "2026Q4", date(2026, 12, 1), today=YEAR_END)
        from gzdesk import rectify

        items = rectify.list_items(s, YEAR_END)
        rectify.mark_done(s, [items[0].id], date(2026, 12, 5), today=YEAR_END)  # in time (due 12月11日)
        rectify.mark_done(s, [items[1].id], date(2026, 12, 20), today=YEAR_END)  # late; the third still open
    a = _assess(db)
    assert _line(a, "抽查检查.1").value == 3 and _line(a, "抽查检查.1").points == 15
    assert _line(a, "通报整改").value == 2 and _line(a, "通报整改").points == 10
    assert _line(a, "抽查检查.2").value == 0  # every account in operation was inspected in the year
    assert _line(a, "检查比例").value == 5  # every quarter ≥ 70%, one below 100%
    assert a.tally.deduction_score == 75 and a.tally.bonus is None


def test_duplicate_accounts_outside_supervision_and_the_filing_system(db):
    _registry(db, 2)
    with db.transaction() as s:
        u = registry.save_unit(s, UnitData(name="海门区民政局", kind="department"))
        registry.save_account(s, AccountData(name="海门民政", platform="wechat_service", host_unit_id=u))
        aid = registry.save_account(s, AccountData(name="海门民政", platform="wechat_subscription", host_unit_id=u,
                                                   registered_on=date(2026, 3, 1)))
        f = filings.new_filing(s, aid, "开设", "开设", filled_on=date(2026, 3, 2))
        filings.record_step(s, f.id, "同意", "李明", date(2026, 3, 3))  # reached the 主管单位, never reported
    a = _assess(db)
    assert _line(a, "集约整合.1").value == 1  # 服务号 + 订阅号 of one unit: 同一平台
    assert _line(a, "监管范围").value == 2  # no 主管单位 recorded
    assert _line(a, "开设备案.2").value == 1  # not in the 备案系统 within 3 working days
    # an account opened in the year with no filing at all
    with db.transaction() as s:
        registry.save_account(s, AccountData(name="未备案账号", platform="kuaishou", registered_on=date(2026, 5, 1)))
    assert _line(_assess(db), "开设备案.1").value == 1


def test_upper_level_spot_checks_veto_and_pass_rate(db):
    ids = _registry(db)
    for q in ("2026Q1", "2026Q2", "2026Q3", "2026Q4"):
        _inspect_all(db, ids, q)
    _inspect_all(db, ids[:1], "2026Q2", level="市办抽查")
    a = _assess(db)
    assert _line(a, "合格率").value == 1 and _line(a, "上级抽查检查情况.2").value == 0
    _inspect_all(db, ids[1:2], "2026Q3", [FindingInput(VETO, "安全、泄密事故等严重问题", rule_no=1)], level="省办抽查")
    a = _assess(db)
    assert a.tally.vetoed and a.tally.veto == ["上级抽查检查情况"] and _line(a, "合格率").value == 0
    assert "因严重表述错误 1 个" in _line(a, "上级抽查检查情况.2").source


def test_an_unfinished_year_judges_only_what_has_ended(db):
    ids = _registry(db)
    _inspect_all(db, ids, "2026Q1")
    a = _assess(db, today=date(2026, 5, 20))
    assert _line(a, "定期检查").value == 0 and "已结束的1个季度" in _line(a, "定期检查").source
    assert _line(a, "抽查检查.1").value == 1  # Q1's report was due 4月5日
    assert _line(a, "抽查检查.2").value == 0 and "年度尚未结束" in _line(a, "抽查检查.2").source
    with db.reader() as s, pytest.raises(UserError, match="尚未开始"):
        assessment.assess(s, 2027, scope.resolve(s), date(2026, 5, 20))


def test_entries_by_hand_are_checked_and_removable(db):
    _registry(db)
    with db.transaction() as s:
        sc = scope.resolve(s)
        assert assessment.set_entry(s, 2026, sc, "表彰表扬", "3") == ("表彰表扬", 3)
        with pytest.raises(UserError, match="没有二级指标"):
            assessment.set_entry(s, 2026, sc, "宣传推广", "1")
        assert assessment.set_entry(s, 2026, sc, "表彰表扬", "") == ("表彰表扬", None)
    assert _line(_assess(db), "表彰表扬").manual is None
    with db.reader() as s, pytest.raises(UserError, match="没有名为“启东市"):
        scope.resolve(s, "启东市人民政府办公室")
