"""What the documents require and the program did not read (issue: to the letter, item 11)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from gzdesk import deadlines, filing_decisions, filings, objections, registry, reply_checks, rules
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.registry import AccountData


def _account(db, name="盐湖发布", platform="weibo", **kw) -> int:
    with db.transaction() as s:
        host = registry.find_or_create_unit(s, "运城市盐湖区人民政府")
        return registry.save_account(s, AccountData(name=name, platform=platform, host_unit_id=host.id,
                                                    registered_on=date(2020, 1, 1), **kw))


def _findings(db, rule, today=date(2025, 11, 20)):
    with db.reader() as s:
        return [f for f in rules.check(s, today) if f.rule == rule]


# ------------------------------------------------------------------ 云南 第十六条


def test_yunnan_a_name_with_a_place_name_needs_the_consent_of_the_government(make_db):
    db = make_db("yunnan")
    aid = _account(db, "盐湖发布")
    _account(db, "智慧生活", platform="douyin")
    found = _findings(db, "name_consent")
    assert [f.account for f in found] == ["盐湖发布"]
    assert found[0].article.startswith("云南省政务新媒体管理办法第十六条 账号名称中凡含有行政区划地名")
    assert "账号名称含“盐湖”" in found[0].message and "同级政府同意" in found[0].message
    with db.transaction() as s:
        data = registry.get_account(s, aid)
        data.name_consent_on, data.name_consent_ref = date(2025, 3, 1), "盐政函〔2025〕3号"
        registry.save_account(s, data)
    assert _findings(db, "name_consent") == []
    with db.reader() as s:  # the consent travels with the account into a filing's frozen copy
        assert registry.account_snapshot(s, aid)["name_consent_ref"] == "盐政函〔2025〕3号"


def test_other_profiles_do_not_ask_for_the_consent(make_db):
    db = make_db("nantong")
    _account(db, "盐湖发布")
    assert _findings(db, "name_consent") == []


# ------------------------------------------------------------------ 本单位决定


def test_yunnan_opening_needs_both_collective_study_and_the_heads_consent(make_db, tmp_path, capsys):
    """云南 第十二条: 以单位名义开办的，须经单位集体研究和主要领导同意 — both recorded."""
    db = make_db("yunnan", name="yn.db")
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开", filled_on=date(2025, 11, 3), event_on=date(2025, 11, 3))
    assert "集体研究、主要领导同意" in f.decision_missing
    found = _findings(db, "decision_missing")
    assert [x.article for x in found] == ["云南省政务新媒体管理办法第十二条"]
    path = str(tmp_path / "yn.db")
    assert main(["filing", "decision", f.number, "--meeting", "2025-10-30", "--meeting-note", "局党组会", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "本单位会议（集体）研究：2025年10月30日  局党组会" in out and "尚未登记主要领导同意" in out
    assert main(["filing", "decision", f.number, "--head", "张局长", "--db", path]) == 1
    assert "同时填写领导姓名和签字确认日期" in capsys.readouterr().err
    assert main(["filing", "decision", f.number, "--head", "张局长", "--head-date", "2025-10-31", "--db", path,
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["head_name"] == "张局长" and data["decision_missing"] is None
    assert _findings(db, "decision_missing") == []


def test_yanhu_change_needs_a_meeting_or_the_heads_signature(make_db, tmp_path, capsys):
    """盐湖 第十一条: 变更、关停、注销应经过本单位会议研究或主要领导签字确认同意 — record which."""
    db = make_db("yanhu", name="yh.db")
    aid = _account(db)
    path = str(tmp_path / "yh.db")
    assert main(["filing", "new", "--account", str(aid), "--kind", "变更", "--reason", "更名", "--set", "名称=盐湖区发布",
                 "--head", "李区长", "--head-date", "2025-11-01", "--db", path]) == 0
    assert "主要领导签字确认（同意）：李区长  2025年11月1日" in capsys.readouterr().out
    assert _findings(db, "decision_missing") == []
    with db.transaction() as s:
        other = _account_in(s, "盐湖旧号")
        f = filings.new_filing(s, other, "注销", "撤并", filled_on=date(2025, 11, 3))
    assert f.decision_missing.startswith("运城市盐湖区政府系统政务新媒体管理办法（试行）第十一条要求本单位会议（集体）研究或主要领导签字确认同意")


def _account_in(s, name):
    host = registry.find_or_create_unit(s, "运城市盐湖区人民政府")
    return registry.save_account(s, AccountData(name=name, platform="douyin", host_unit_id=host.id))


def test_nantong_asks_only_for_closures(make_db):
    db = make_db("nantong")
    aid = _account(db)
    with db.transaction() as s:
        change = filings.new_filing(s, aid, "变更", "x", filled_on=date(2025, 11, 3), proposed={"名称": "新名称"})
        other = _account_in(s, "旧号")
        close = filings.new_filing(s, other, "关停", "x", filled_on=date(2025, 11, 3))
    assert change.decision_missing is None
    assert "第十六条" in close.decision_missing


def test_decision_dates_are_checked(make_db):
    db = make_db("yanhu")
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "注销", "x", filled_on=date(2025, 11, 3))
        with pytest.raises(UserError, match="不能晚于今天"):
            filings.record_decision(s, f.id, filing_decisions.Decision(meeting_on=date.today() + timedelta(days=1)))
        with pytest.raises(UserError, match="请填写会议"):
            filings.record_decision(s, f.id, filing_decisions.Decision())


# ------------------------------------------------------------------ 云南 第四十五条 异议


def test_objection_register_with_its_deadlines_in_due(make_db, tmp_path, capsys):
    db = make_db("yunnan", name="yn.db")
    aid = _account(db)
    path = str(tmp_path / "yn.db")
    # received on Friday 2025-09-26: the 7th working day after it, across 国庆 (09-28 and 10-11 are 调休
    # workdays), is Monday 10-13
    assert main(["objection", "new", "--objector", "张某", "--subject", "11月5日发布的招聘信息中年龄要求有误",
                 "--received", "2025-09-26", "--account", str(aid), "--db", path, "--json"]) == 0
    o = json.loads(capsys.readouterr().out)
    assert o["due"] == "2025-10-13" and o["workdays"] == 7 and o["state"] == "处理中"
    with db.reader() as s:
        item = next(i for i in deadlines.pending(s, date(2025, 9, 29)) if i.kind == "objection")
    assert item.due == date(2025, 10, 13) and item.article == "云南省政务新媒体管理办法第四十五条"
    assert item.title == "处理异议并告知申请人：张某" and item.account == "盐湖发布"
    # extension: approved by the head, in time, at most 30 working days in all
    assert main(["objection", "extend", str(o["id"]), "--to", "31", "--approved-by", "王主任", "--date", "2025-10-09",
                 "--db", path]) == 1
    assert "累计不超过30个工作日" in capsys.readouterr().err
    assert main(["objection", "extend", str(o["id"]), "--to", "20", "--approved-by", "王主任", "--date", "2025-10-14",
                 "--db", path]) == 1
    assert "届满前批准" in capsys.readouterr().err
    assert main(["objection", "extend", str(o["id"]), "--to", "20", "--approved-by", "王主任", "--date", "2025-10-09",
                 "--db", path]) == 0
    assert "已延长至20个工作日，2025年10月30日前处理" in capsys.readouterr().out
    with db.reader() as s:
        late = [i for i in deadlines.pending(s, date(2025, 10, 31)) if i.kind == "objection"]
        assert late[0].overdue and "经王主任批准延长至20个工作日" in late[0].message
        assert [f.rule for f in rules.check(s, date(2025, 10, 31)) if "异议" in f.message] == ["overdue"]
    assert main(["objection", "reply", str(o["id"]), "--handled", "2025-10-20", "--result", "已更正并致歉",
                 "--replied", "2025-10-21", "--db", path]) == 0
    capsys.readouterr()
    with db.reader() as s:
        assert [i for i in deadlines.pending(s, date(2025, 10, 30)) if i.kind == "objection"] == []
    assert main(["objection", "list", "--open", "--db", path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["objection", "list", "--db", path]) == 0
    assert "已答复" in capsys.readouterr().out


def test_objections_need_a_document_that_has_them(make_db):
    db = make_db("nantong")
    with pytest.raises(UserError, match="没有异议处理的规定"), db.transaction() as s:
        objections.new_objection(s, "张某", "有误", date(2025, 9, 26))
    with db.reader() as s:
        assert [i for i in deadlines.pending(s, date(2025, 9, 29)) if i.kind == "objection"] == []


# ------------------------------------------------------------------ 太白 第十一条


def test_taibai_late_replies_found_at_a_check(make_db, tmp_path, capsys):
    db = make_db("taibai", name="tb.db")
    aid = _account(db, "太白发布")
    path = str(tmp_path / "tb.db")
    assert main(["replies", "add", str(aid), "--found", "2025-11-10", "--message-date", "2025-11-01",
                 "--reply-date", "2025-11-04", "--summary", "咨询办证时间", "--db", path]) == 0
    assert "2025年11月4日答复，隔3天" in capsys.readouterr().out
    assert main(["replies", "add", str(aid), "--found", "2025-11-10", "--message-date", "2025-11-05",
                 "--reply-date", "2025-11-07", "--db", path]) == 0  # 2 days: in time
    assert main(["replies", "add", str(aid), "--found", "2025-11-10", "--message-date", "2025-11-06", "--db", path]) == 0
    assert main(["replies", "add", str(aid), "--found", "2025-11-10", "--message-date", "2025-11-12", "--db", path]) == 1
    assert "留言日期不能晚于检查日期" in capsys.readouterr().err
    found = _findings(db, "reply_late")
    assert [f.article for f in found] == ["太白县政府系统政务新媒体管理办法第十一条 原则上回复处理不超过2天"] * 2
    assert any("至2025年11月10日检查时未答复（已4天）" in f.message for f in found)
    assert _findings(db, "reply_late", today=date(2026, 3, 1)) == []  # older than the quarter before
    assert main(["replies", "list", "--db", path, "--json"]) == 0
    assert sorted(r["days"] for r in json.loads(capsys.readouterr().out)) == [2, 3, 4]


def test_other_profiles_do_not_check_replies(make_db):
    db = make_db("nantong")
    aid = _account(db)
    with db.transaction() as s:
        reply_checks.add(s, aid, date(2025, 11, 10), date(2025, 11, 1), None)
    assert _findings(db, "reply_late") == []


# ------------------------------------------------------------------ the window


def test_new_filing_dialog_asks_for_the_decision_the_profile_needs(qtbot, make_db):
    from gzdesk.ui.controller import Controller
    from gzdesk.ui.filing_dialogs import DecisionDialog, NewFilingDialog

    db = make_db("yunnan")
    aid = _account(db)
    controller = Controller(db)
    dlg = NewFilingDialog(controller, aid, kind="open")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.decision_box.isVisible() and "两项都须登记" in dlg.decision_box.rule_label.text()
    dlg.reason.setPlainText("新开")
    dlg.decision_box.meeting_on.setText("2025-10-30")
    dlg.decision_box.head_name.setText("张局长")
    dlg.decision_box.head_on.setText("2025-10-31")
    assert dlg.submit(), dlg.error.text()
    with db.reader() as s:
        d = filings.get_filing(s, dlg.result_id)
    assert (d.meeting_on, d.head_name, d.head_approved_on) == (date(2025, 10, 30), "张局长", date(2025, 10, 31))
    assert d.decision_missing is None
    dlg.set_kind("close")
    assert dlg.decision_box.isVisible() and "登记其一" in dlg.decision_box.rule_label.text()
    with db.transaction() as s:
        other = _account_in(s, "旧号")
        fid = filings.new_filing(s, other, "注销", "撤并", filled_on=date(2025, 11, 3)).id
    dd = DecisionDialog(controller, fid)
    qtbot.addWidget(dd)
    assert not dd.submit() and "请填写会议" in dd.error.text()
    dd.box.meeting_on.setText("2025-11-01")
    assert dd.submit()
    with db.reader() as s:
        assert filings.get_filing(s, fid).decision_missing is None


def test_the_platform_list_is_the_offices_and_cites_no_article(make_db):
    """盐湖's own form names 一点资讯、美篇、知乎、简书、火山小视频: they are on its list; the finding for
    another platform says the list is the office's own."""
    db = make_db("yanhu")
    _account(db, "盐湖美篇", platform="other", platform_other="美篇")
    _account(db, "盐湖B站", platform="other", platform_other="哔哩哔哩")
    found = _findings(db, "platform_not_approved")
    assert [f.account for f in found] == ["盐湖B站"]
    assert found[0].article == "本单位自定名单（文件未列出核准平台）" and found[0].level == "提示"
    assert "第" not in found[0].article
