"""Rule checks the documents ask for that the first checks missed (issue 10, item 7)."""

from __future__ import annotations

from datetime import date

from gzdesk import filing_announcements, filings, inspections, registry, rules
from gzdesk.registry import AccountData, UnitData


def _unit(s, name="海门区教育局"):
    return registry.save_unit(s, UnitData(name=name, kind="department"))


def _findings(db, day, rule):
    with db.reader() as s:
        return [f for f in rules.check(s, day) if f.rule == rule]


def _approve(s, fid: int, days: list[date]) -> None:
    for d in days:
        filings.record_step(s, fid, "同意", "王建国", d)


def test_unverified_accounts_are_found_where_the_document_asks_for_certification(make_db):
    for profile, article in (("nantong", "第十四条"), ("yunnan", "第十五条"), ("taibai", None)):
        db = make_db(profile)
        with db.transaction() as s:
            registry.save_account(s, AccountData(name="海门教育", platform="weibo", host_unit_id=_unit(s),
                                                 verified=False, last_update_on=date(2026, 11, 19)))
            registry.save_account(s, AccountData(name="海门教育", platform="douyin", host_unit_id=_unit(s, "局2"),
                                                 verified=None, last_update_on=date(2026, 11, 19)))
        found = _findings(db, date(2026, 11, 20), "unverified")
        if article is None:  # 太白's document says nothing of 认证
            assert found == []
        else:
            assert [f.account for f in found] == ["海门教育"] and article in found[0].article


def test_an_app_that_cannot_be_downloaded_is_a_veto_under_nantong(make_db):
    for profile, level, cited in (("nantong", "否决", "南通市政务新媒体管理办法（试行）附件2"),
                                  ("taibai", "问题", "参照南通市政务新媒体管理办法（试行）附件2")):
        db = make_db(profile)
        with db.transaction() as s:
            aid = registry.save_account(s, AccountData(name="海门教育APP", platform="app", host_unit_id=_unit(s),
                                                       last_update_on=date(2026, 11, 19)))
            inspections.set_unusable(s, aid, date(2026, 11, 1), today=date(2026, 11, 20))
        [f] = _findings(db, date(2026, 11, 20), "app_unusable")
        assert f.level == level and f.article.startswith(cited) and "2026年11月1日" in f.message
        assert _findings(db, date(2026, 10, 31), "app_unusable") == []  # not yet on that day


def test_yanhu_article_10_an_account_opened_before_approval(make_db):
    db = make_db("yanhu")  # policy published 2024-05-27; chain 主办单位 → 县（市、区）办公室 → …
    with db.transaction() as s:
        u = _unit(s)
        registry.save_account(s, AccountData(name="未审批账号", platform="weibo", host_unit_id=u,
                                                     registered_on=date(2025, 3, 1), last_update_on=date(2026, 11, 19)))
        early = registry.save_account(s, AccountData(name="先开后批", platform="douyin", host_unit_id=u,
                                                     registered_on=date(2025, 3, 1), last_update_on=date(2026, 11, 19)))
        proper = registry.save_account(s, AccountData(name="先批后开", platform="toutiao", host_unit_id=u,
                                                      registered_on=date(2025, 3, 20), last_update_on=date(2026, 11, 19)))
        registry.save_account(s, AccountData(name="办法前开设", platform="kuaishou", host_unit_id=u,
                                             registered_on=date(2023, 3, 1), last_update_on=date(2026, 11, 19)))
        f1 = filings.new_filing(s, early, "开设", "开设", filled_on=date(2025, 3, 5))
        _approve(s, f1.id, [date(2025, 3, 6), date(2025, 3, 10)])
        f2 = filings.new_filing(s, proper, "开设", "开设", filled_on=date(2025, 3, 5))
        _approve(s, f2.id, [date(2025, 3, 6), date(2025, 3, 10)])
    found = {f.account: f for f in _findings(db, date(2026, 11, 20), "opened_before_approval")}
    assert set(found) == {"未审批账号", "先开后批"}
    assert "未经“县（市、区）办公室意见”审批同意，也没有开设备案" in found["未审批账号"].message
    assert "2025年3月10日才审批同意" in found["先开后批"].message
    assert "第十条" in found["先开后批"].article


def test_closed_without_notice(make_db):
    db = make_db("nantong")
    with db.transaction() as s:
        u = _unit(s)
        quiet = registry.save_account(s, AccountData(name="悄悄关停", platform="weibo", host_unit_id=u))
        noticed = registry.save_account(s, AccountData(name="公告后关停", platform="douyin", host_unit_id=u))
        registry.save_account(s, AccountData(name="无备案关停", platform="toutiao", host_unit_id=u, status="closed"))
        for aid in (quiet, noticed):
            f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2026, 6, 1), event_on=date(2026, 7, 1))
            if aid == noticed:
                filing_announcements.set_announcement(s, f.id, date(2026, 6, 2))
            _approve(s, f.id, [date(2026, 6, 3), date(2026, 6, 4)])
        for aid in (quiet, noticed):
            data = registry.get_account(s, aid)
            data.status = "closed"
            registry.save_account(s, data)
    found = {f.account: f for f in _findings(db, date(2026, 11, 20), "closed_without_notice")}
    assert set(found) == {"悄悄关停", "无备案关停"}
    assert "已报关停/注销（备案" in found["悄悄关停"].message
    assert "没有其关停、注销备案" in found["无备案关停"].message
    assert "第十六条" in found["悄悄关停"].article and "附件3 集约整合" in found["悄悄关停"].article


def test_yunnan_daily_updates_are_counted_in_working_days(make_db):
    """云南 第二十二条 除节假日外每天至少更新1条: 国庆 2026 (10月1日–7日) is no working day; the check
    used 3 calendar days and flagged an account last updated on 9月30日 when checked on 10月8日."""
    db = make_db("yunnan")
    with db.transaction() as s:
        for name, last in (("节前更新", date(2026, 9, 30)), ("周五更新", date(2026, 10, 30)),
                           ("周四更新", date(2026, 10, 29))):
            registry.save_account(s, AccountData(name=name, platform="weibo", host_unit_id=_unit(s, name),
                                                 last_update_on=last, last_original_on=last))
    assert "节前更新" not in {f.account for f in _findings(db, date(2026, 10, 8), "update_frequency")}
    on_monday = {f.account: f for f in _findings(db, date(2026, 11, 2), "update_frequency")}
    assert "周五更新" not in on_monday  # Saturday and Sunday are not working days
    assert "2026年10月30日（工作日）无更新" in on_monday["周四更新"].message
    assert "节前更新" in on_monday


def test_a_service_and_a_subscription_account_of_one_unit_are_one_platform(db):
    with db.transaction() as s:
        u = _unit(s)
        for platform in ("wechat_service", "wechat_subscription"):
            registry.save_account(s, AccountData(name="海门教育", platform=platform, host_unit_id=u,
                                                 last_update_on=date(2026, 11, 19)))
        registry.save_account(s, AccountData(name="海门教育", platform="wechat_miniprogram", host_unit_id=u,
                                             last_update_on=date(2026, 11, 19)))
    found = _findings(db, date(2026, 11, 20), "one_per_platform")
    assert len(found) == 2  # the mini program is not 微信公众号
    assert "在微信公众号开设了2个账号（服务号“海门教育”、订阅号“海门教育”；服务号与订阅号同属微信公众号平台" \
        in found[0].message
