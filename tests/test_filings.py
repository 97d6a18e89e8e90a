"""The 备案 state machine and its effects (gzdesk.filings)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from gzdesk import filing_announcements, filing_changes, filing_scans, filings, registry
from gzdesk.errors import UserError
from gzdesk.models import Account, Attachment, AuditEvent, Filing


def _account(db, name="通州发布", registered_on=date(2025, 9, 30), **kw) -> int:
    with db.transaction() as s:
        return registry.save_account(s, registry.AccountData(name=name, registered_on=registered_on, **kw))


def _status(db, account_id: int) -> str:
    with db.reader() as s:
        return s.get(Account, account_id).status


def test_new_filing_numbers_chain_and_frozen_copy(db):
    aid = _account(db)
    with db.transaction() as s:
        f1 = filings.new_filing(s, aid, "开设", "新开设账号", filled_on=date(2025, 10, 9))
        f2 = filings.new_filing(s, _account_in(s, "二号"), "open", "x", filled_on=date(2025, 10, 9))
        f3 = filings.new_filing(s, _account_in(s, "三号"), "开设", "x", filled_on=date(2026, 1, 5))
    assert (f1.number, f2.number, f3.number) == ("2025-00001", "2025-00002", "2026-00001")
    assert f1.state == "draft" and f1.state_label == "草稿"
    assert f1.chain == ["主办单位意见", "主管单位意见"]  # 南通 附件1
    assert f1.template_id == "nantong" and f1.profile_id == "nantong"
    assert f1.frozen["name"] == "通州发布" and f1.frozen["registered_on"] == "2025-09-30"
    assert f1.event_on == date(2025, 9, 30)  # 开设 defaults to the account's 创建日期
    assert f1.next_step.title == "主办单位意见"
    # the frozen copy does not follow later edits of the account
    with db.transaction() as s:
        data = registry.get_account(s, aid)
        data.name = "通州发布新名"
        registry.save_account(s, data)
    with db.reader() as s:
        assert filings.get_filing(s, f1.id).frozen["name"] == "通州发布"


def _account_in(s, name: str) -> int:
    return registry.save_account(s, registry.AccountData(name=name, registered_on=date(2025, 9, 1)))


def test_second_open_filing_refused_until_first_withdrawn(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
    with pytest.raises(UserError, match="不能重复办理开设备案"), db.transaction() as s:
        filings.new_filing(s, aid, "开设", "再来一次", filled_on=date(2025, 10, 10))
    with db.transaction() as s:
        filings.withdraw(s, f.id)
        again = filings.new_filing(s, aid, "开设", "重新开设", filled_on=date(2025, 10, 10))
    assert again.number == "2025-00002"


def test_unknown_kind_and_missing_reason(db):
    aid = _account(db)
    with pytest.raises(UserError, match="未知备案事由"), db.transaction() as s:
        filings.new_filing(s, aid, "开花", "x")
    with pytest.raises(UserError, match="请填写备案理由"), db.transaction() as s:
        filings.new_filing(s, aid, "开设", "  ")
    with pytest.raises(UserError, match="找不到编号为 999 的账号"), db.transaction() as s:
        filings.new_filing(s, 999, "开设", "x")


def test_whole_chain_then_reported(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
        f = filings.mark_printed(s, f.id)
        assert f.state == "pending_signature"
        f = filings.record_step(s, f.id, "同意开设", "张主任", date(2025, 10, 9), scan=("主办.png", b"\x89PNG.."))
        assert f.state == "pending_signature" and f.steps_done == 1
        assert f.steps[0].attachment_name == "主办.png"
        f = filings.record_step(s, f.id, "同意备案", "李主任", date(2025, 10, 10))
        assert f.state == "filed" and f.state_label == "已备案" and f.next_step is None
        with pytest.raises(UserError, match="不能再记录审批"):
            filings.record_step(s, f.id, "x", "y", date(2025, 10, 11))
        with pytest.raises(UserError, match="不能早于审批完成日期"):
            filings.mark_reported(s, f.id, date(2025, 10, 1))
        f = filings.mark_reported(s, f.id, date(2025, 10, 13))
    assert f.state == "reported" and f.reported_on == date(2025, 10, 13)
    assert [st.signer for st in f.steps] == ["张主任", "李主任"]
    assert _status(db, aid) == "normal"


def test_step_on_draft_moves_to_pending_and_dates_are_checked(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
    with pytest.raises(UserError, match="不能早于填表时间"), db.transaction() as s:
        filings.record_step(s, f.id, "同意", "张", date(2025, 10, 8))
    with pytest.raises(UserError, match="请填写签字负责人"), db.transaction() as s:
        filings.record_step(s, f.id, "同意", " ", date(2025, 10, 9))
    with db.transaction() as s:
        f = filings.record_step(s, f.id, "同意", "张", date(2025, 10, 10))
    assert f.state == "pending_signature"
    with pytest.raises(UserError, match="不能早于上一步"), db.transaction() as s:
        filings.record_step(s, f.id, "同意", "李", date(2025, 10, 9))


def test_returned_then_reopened_and_invalid_transitions(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
        filings.record_step(s, f.id, "同意", "张", date(2025, 10, 9))
        f = filings.record_step(s, f.id, "名称不规范，请修改", "李", date(2025, 10, 10), result="returned")
    assert f.state == "returned" and f.steps[1].result_label == "退回"
    for fn, args in ((filings.withdraw, ()), (filings.mark_printed, ()), (filings.mark_reported, (date(2025, 10, 11),))):
        with pytest.raises(UserError), db.transaction() as s:
            fn(s, f.id, *args)
    with db.transaction() as s:
        new = filings.reopen(s, f.id, filled_on=date(2025, 10, 11))
        assert new.state == "draft" and new.number == "2025-00002" and new.steps_done == 0
        assert "2025-00001" in new.notes
        with pytest.raises(UserError, match="只有退回的备案"):
            filings.reopen(s, new.id)


def test_change_applies_proposed_fields_when_filed_and_is_audited(db):
    aid = _account(db, host_leader="王副镇长")
    with db.transaction() as s:
        host = registry.find_or_create_unit(s, "通州区文化广电和旅游局")
        f = filings.new_filing(s, aid, "变更", "更名并调整主办单位", filled_on=date(2025, 10, 9),
                               proposed={"名称": "通州文旅", "主办单位": "通州区文化广电和旅游局", "关注量": "12,000",
                                         "是否通过认证": "是"})
    assert f.proposed == {"name": "通州文旅", "host_unit_id": host.id, "followers": 12000, "verified": True}
    assert f.frozen["name"] == "通州文旅" and f.frozen["host_unit"] == "通州区文化广电和旅游局"
    assert f.frozen["host_leader"] == "王副镇长"  # unchanged fields kept
    with db.reader() as s:
        assert s.get(Account, aid).name == "通州发布"  # not before approval
    with db.transaction() as s:
        filings.record_step(s, f.id, "同意", "张", date(2025, 10, 9))
        filings.record_step(s, f.id, "同意", "李", date(2025, 10, 10))
    with db.reader() as s:
        a = s.get(Account, aid)
        assert (a.name, a.host_unit_id, a.followers, a.verified) == ("通州文旅", host.id, 12000, True)
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "account", AuditEvent.action == "update")).all()
        changes = [json.loads(e.changes) for e in events]
        assert any(c.get("name") == ["通州发布", "通州文旅"] for c in changes)
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity == "filing", AuditEvent.action == "create")).first()
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity == "approval_step")).first()


def test_change_rejects_bad_fields(db):
    aid = _account(db)
    cases = [({"颜色": "红"}, "未知的变更字段"), ({"主办单位": "不存在的局"}, "找不到单位"),
             ({"关注量": "很多"}, "关注量“很多”不是数字"), ({"运行状态": "关停"}, "关停、注销请办理"),
             ({"访问链接": "not a url"}, "应以 http")]
    for changes, message in cases:
        with pytest.raises(UserError, match=message), db.transaction() as s:
            filings.new_filing(s, aid, "变更", "x", proposed=changes)
    with pytest.raises(UserError, match="只有变更备案"), db.transaction() as s:
        filings.new_filing(s, aid, "开设", "x", proposed={"名称": "新"})


def test_close_keeps_account_normal_until_announcement_has_run(db):
    """南通 第十六条: 公告时间不少于15个工作日; status moves only after the 公告 and the approval."""
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 9, 22), event_on=date(2025, 10, 31))
        # 15 working days from the day after 2025-09-26 across 国庆 (10-01…10-08 off; 09-28 and 10-11
        # are 调休 workdays) end on 10-23; the 公告 is up all of that day: closed from 10-24
        with pytest.raises(UserError, match="最早可于2025年10月24日关停"):
            filing_announcements.set_announcement(s, f.id, date(2025, 9, 26), date(2025, 10, 23))
        f = filing_announcements.set_announcement(s, f.id, date(2025, 9, 26))
        assert f.effective_on == date(2025, 10, 24) and f.announce_until == date(2025, 10, 24)
        filings.record_step(s, f.id, "同意关停", "张", date(2025, 9, 23))
        filings.record_step(s, f.id, "同意", "李", date(2025, 9, 24))
    assert _status(db, aid) == "normal"
    with db.transaction() as s:
        assert filing_announcements.apply_due_effects(s, date(2025, 10, 23)) == []
    assert _status(db, aid) == "normal"
    with db.transaction() as s:
        applied = filing_announcements.apply_due_effects(s, date(2025, 10, 24))
    assert [(e.account_id, e.status_label) for e in applied] == [(aid, "关停")]
    assert _status(db, aid) == "closed"
    with db.reader() as s:
        e = s.scalars(select(AuditEvent).where(AuditEvent.entity == "account", AuditEvent.action == "update")
                      .order_by(AuditEvent.id.desc())).first()
        assert json.loads(e.changes)["status"] == ["normal", "closed"]
    with db.transaction() as s:
        assert filing_announcements.apply_due_effects(s, date(2025, 10, 25)) == []  # only once


def test_unapproved_close_does_not_take_effect(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "注销", "撤并", filled_on=date(2025, 9, 22))
        filing_announcements.set_announcement(s, f.id, date(2025, 9, 26))
        assert filing_announcements.apply_due_effects(s, date(2025, 12, 1)) == []
    assert _status(db, aid) == "normal"


def test_yanhu_announcement_at_least_three_workdays_before_close(make_db):
    """盐湖区 第十一条: 账号关停、注销前3个工作日内应发布停更注销公告 — read as "at least 3 working
    days before": an earlier 公告 is accepted, a later one accepted with a warning, never refused."""
    db = make_db("yanhu")
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "注销", "职能调整", filled_on=date(2025, 9, 22))
        with pytest.raises(UserError, match="请给出注销日期"):
            filing_announcements.set_announcement(s, f.id, date(2025, 9, 26))
        # 2025-10-10 closing: 3 working days before are 10-09, 09-30, 09-29 (国庆 in between)
        early = filing_announcements.set_announcement(s, f.id, date(2025, 9, 26), date(2025, 10, 10))
        assert early.announce_warning is None and early.effective_on == date(2025, 10, 10)
        late = filing_announcements.set_announcement(s, f.id, date(2025, 9, 30), date(2025, 10, 10))
        assert "晚于" in late.announce_warning and "2025年9月29日" in late.announce_warning
        same_day = filing_announcements.set_announcement(s, f.id, date(2025, 10, 10), date(2025, 10, 10))
        assert "不在注销日期" in same_day.announce_warning
        f = filing_announcements.set_announcement(s, f.id, date(2025, 9, 29), date(2025, 10, 10))
        assert f.announce_warning is None and f.effective_on == date(2025, 10, 10)
        for i in range(len(f.chain)):
            f = filings.record_step(s, f.id, "同意", f"签字人{i}", date(2025, 9, 23))
        assert f.state == "filed" and len(f.steps) == 4
        assert filing_announcements.apply_due_effects(s, date(2025, 10, 9)) == []
        assert [e.status for e in filing_announcements.apply_due_effects(s, date(2025, 10, 10))] == ["cancelled"]


def test_merge_links_closures_and_they_follow_the_merge(db):
    kept = _account(db, "通州发布")
    a2 = _account(db, "通州发布服务号")
    a3 = _account(db, "通州发布旧号")
    with db.transaction() as s:
        with pytest.raises(UserError, match="保留的账号不能同时被关停"):
            filings.new_merge(s, kept, [kept, a2], "x")
    with db.transaction() as s:
        m = filings.new_merge(s, kept, [a2, a3], "同一平台多个账号，清理整合", filled_on=date(2025, 10, 9))
    assert m.kind == "merge" and len(m.children) == 2
    assert {c.account_id for c in m.children} == {a2, a3}
    assert all(c.kind == "close" and c.merge_parent_id == m.id for c in m.children)
    assert [x["name"] for x in m.frozen["merged_accounts"]] == ["通州发布服务号", "通州发布旧号"]
    with db.reader() as s:
        child = filings.get_filing(s, m.children[0].id)
    assert child.kept_account_name == "通州发布" and child.merge_parent_number == m.number
    with db.transaction() as s:
        filings.mark_printed(s, m.id)
        filings.record_step(s, m.id, "同意整合", "张", date(2025, 10, 9))
        m = filings.record_step(s, m.id, "同意", "李", date(2025, 10, 10))
    assert m.state == "filed" and all(c.state == "filed" for c in m.children)
    with db.reader() as s:
        assert all(st.signer == "李" for st in filings.get_filing(s, m.children[1].id).steps[1:])
    # the closures still wait for their 公告 (南通 第十六条)
    assert _status(db, a2) == "normal"
    with db.transaction() as s:
        filing_announcements.set_announcement(s, m.children[0].id, date(2025, 10, 10))
        filing_announcements.apply_due_effects(s, date(2025, 11, 30))
    assert _status(db, m.children[0].account_id) == "closed"
    assert _status(db, m.children[1].account_id) == "normal"
    assert _status(db, kept) == "normal"


def test_withdrawing_a_merge_withdraws_its_closures(db):
    kept, other = _account(db, "甲"), _account(db, "乙")
    with db.transaction() as s:
        m = filings.new_merge(s, kept, [other], "整合", filled_on=date(2025, 10, 9))
        m = filings.withdraw(s, m.id)
    assert m.state == "withdrawn" and m.children[0].state == "withdrawn"


def test_attach_scan_and_list_filter(db):
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "开设", "新开设", filled_on=date(2025, 10, 9))
        att = filings.attach_scan(s, f.id, "C:\\扫描\\登记表.pdf", b"%PDF-1.4 ...")
        with pytest.raises(UserError, match="空文件"):
            filings.attach_scan(s, f.id, "空.pdf", b"")
    with db.reader() as s:
        a = s.get(Attachment, att)
        assert a.owner_uuid == s.get(Filing, f.id).uuid and a.filename == "登记表.pdf" and a.mime == "application/pdf"
        assert filing_scans.attachment_data(s, att) == ("登记表.pdf", b"%PDF-1.4 ...")
        rows = filings.list_filings(s, state="草稿")
        assert [r.number for r in rows] == [f.number] and rows[0].scans == 1
        assert filings.list_filings(s, state="已备案") == []
        assert filings.list_filings(s, account_id=aid)[0].next_step == "主办单位意见"
        assert filings.find_filing(s, f.number) == f.id
        with pytest.raises(UserError, match="未知备案状态"):
            filings.list_filings(s, state="乱写")


def test_an_account_field_has_one_label_everywhere():
    """Issue 13: news_license was 互联网新闻信息服务资质 in the 变更 diff, the audit log and the value
    checks but 是否取得互联网新闻信息服务资质 on the forms, in Excel and in the editor; the account's
    labels are one table now (gzdesk.enums.ACCOUNT_FIELD_LABELS) that the others read."""
    from gzdesk import audit_log, enums, value_check
    from gzdesk.exchange import columns

    for key, label in enums.ACCOUNT_FIELD_LABELS.items():
        assert filing_changes.changes_text({key: "x"}, {}).startswith(f"{label}：")  # the 变更 diff
        assert audit_log.FIELD_LABELS["account"][key] == label
        assert value_check.FIELD_LABELS[key] == label
    excel = {c.key: c.header for c in columns.ACCOUNT_COLUMNS}
    assert excel["news_license"] == enums.ACCOUNT_FIELD_LABELS["news_license"] == "是否取得互联网新闻信息服务资质"


class _Undo(Exception):
    pass


@pytest.mark.parametrize("stored", ["normal", "paused", "closed", "cancelled", "关停", "closed ", 3, b"closed"])
def test_due_effects_precheck_finds_whatever_the_loop_would_change(db, monkeypatch, stored):
    """apply_due_effects asks on the tables first whether anything is due: with the account's
    status hand-edited to odd values, it changes exactly what the loop alone changes."""
    aid = _account(db)
    with db.transaction() as s:
        f = filings.new_filing(s, aid, "关停", "无力维护", filled_on=date(2025, 9, 22), event_on=date(2025, 10, 31))
        f = filing_announcements.set_announcement(s, f.id, date(2025, 9, 26))
        filings.record_step(s, f.id, "同意关停", "张", date(2025, 9, 23))
        filings.record_step(s, f.id, "同意", "李", date(2025, 9, 24))
    raw = sqlite3.connect(db.path)
    raw.execute("PRAGMA ignore_check_constraints = ON")
    raw.execute("UPDATE account SET status = ? WHERE id = ?", (stored, aid))
    raw.commit()
    raw.close()

    def outcome(day: date) -> tuple[list, object]:
        with db.transaction() as s:
            applied = filing_announcements.apply_due_effects(s, day)
            after = s.execute(select(Account.__table__.c.status).where(Account.__table__.c.id == aid)).scalar()
        return [(e.account_id, e.status) for e in applied], after

    for day in (date(2025, 10, 23), date(2025, 10, 24)):
        with monkeypatch.context() as m:  # the loop alone, rolled back
            m.setattr(filing_announcements, "_any_due", lambda _s, _t: True)
            try:
                with db.transaction() as s:
                    loop = filing_announcements.apply_due_effects(s, day)
                    loop_after = s.execute(select(Account.__table__.c.status)
                                           .where(Account.__table__.c.id == aid)).scalar()
                    raise _Undo
            except _Undo:
                pass
        assert outcome(day) == ([(e.account_id, e.status) for e in loop], loop_after)
