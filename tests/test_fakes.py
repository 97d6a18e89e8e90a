"""假冒政务新媒体 reports: the steps each document names, closing, checks on what comes in."""

from __future__ import annotations

from datetime import date

import pytest

from gzdesk import fakes, profiles, registry
from gzdesk.errors import UserError
from gzdesk.registry import AccountData

TODAY = date(2026, 11, 30)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def test_each_profile_names_its_own_steps_and_article():
    wording = {p.id: fakes.steps_of(p) for p in profiles.bundled()}
    assert [c for c, _w in wording["nantong"]] == ["verify", "coordinate", "notify_platform", "report_up"]
    assert wording["yanhu"][-1][1] == "报区政府办公室备案"  # 盐湖 第二十五条
    assert wording["taibai"][-1][1] == "报县人民政府办公室备案"  # 太白 第二十条
    assert "电信" in wording["yunnan"][1][1]  # 云南 第四十一条 商请网信、公安、电信
    assert [c for c, _w in wording["linyi"]] == ["notify_platform", "coordinate"]  # 临沂 四（二）
    assert fakes.article_of(profiles.by_id("nantong")).endswith("第三十条 发现或接到网民举报有假冒政务新媒体，应立即排查核实")
    assert fakes.steps_of(None) == list(fakes.DEFAULT_STEPS)


def test_a_report_is_handled_step_by_step_and_closes_itself(db):
    with db.transaction() as s:
        aid = registry.save_account(s, AccountData(name="海门发布", platform="douyin"))
        d = fakes.new_report(s, "海门发布官方", date(2026, 11, 20), how="网民举报", reporter="张先生 13800000000",
                             platform="抖音", link="https://www.douyin.com/user/x", imitated_account_id=aid,
                             screenshot=("截图.png", PNG), today=TODAY)
        assert d.status == "待排查核实" and d.imitated_account == "海门发布" and len(d.screenshots) == 1
        for step, on in (("核实", date(2026, 11, 20)), ("协同处理", date(2026, 11, 21)), ("致函", date(2026, 11, 24))):
            d = fakes.record_step(s, d.id, step, on, "已办理", today=TODAY)
        assert d.closed_on is None and [w for _c, w in d.pending_steps] == ["报上一级政务新媒体工作主管单位备案"]
        d = fakes.record_step(s, d.id, "报上一级政务新媒体工作主管单位备案", date(2026, 11, 26), today=TODAY)
        assert d.closed_on == date(2026, 11, 26) and d.outcome == "closed" and d.status == "已关停处置"
        with pytest.raises(UserError, match="已于2026年11月26日办结"):
            fakes.record_step(s, d.id, "核实", date(2026, 11, 27), today=TODAY)
        assert fakes.list_reports(s, open_only=True) == []


def test_a_report_found_not_to_be_fake_is_closed_with_its_verification(db):
    with db.transaction() as s:
        d = fakes.new_report(s, "某镇便民服务", date(2026, 11, 20), today=TODAY)
        d = fakes.close(s, d.id, date(2026, 11, 21), today=TODAY)
    assert d.status == "核实非假冒" and [st.step for st in d.steps] == ["verify"]


@pytest.mark.parametrize("kw,message", [
    ({"name": " "}, "请填写假冒账号的名称"),
    ({"found_on": date(2026, 12, 5)}, "晚于今天"),
    ({"how": "听说"}, "自行发现 或 网民举报"),
    ({"link": "not a link"}, "链接"),
    ({"screenshot": ("a.png", b"GIF89a....")}, "不是 PNG 或 JPEG"),
    ({"imitated_account_id": 999}, "没有编号为 999 的账号"),
])
def test_what_comes_in_is_checked_and_nothing_is_written(db, kw, message):
    args = {"name": "假账号", "found_on": date(2026, 11, 20)} | kw
    with db.transaction() as s:
        with pytest.raises(UserError, match=message):
            fakes.new_report(s, args.pop("name"), args.pop("found_on"), today=TODAY, **args)
        assert fakes.list_reports(s) == []


def test_step_dates_and_names_are_checked(db):
    with db.transaction() as s:
        d = fakes.new_report(s, "假账号", date(2026, 11, 20), today=TODAY)
        with pytest.raises(UserError, match="早于发现日期"):
            fakes.record_step(s, d.id, "核实", date(2026, 11, 19), today=TODAY)
        with pytest.raises(UserError, match="没有步骤“报警”"):
            fakes.record_step(s, d.id, "报警", date(2026, 11, 21), today=TODAY)
