"""The registry service: validation, saving, teams, deletion rules, departures, and the audit log."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from gzdesk import registry
from gzdesk.errors import UserError
from gzdesk.models import AuditEvent, Task
from gzdesk.registry import AccountData, PersonData, UnitData


def _unit(db, name="海门区教育局", **kw) -> int:
    with db.transaction() as s:
        return registry.save_unit(s, UnitData(name=name, kind="department", **kw))


def test_create_update_and_list_an_account_with_its_team(db):
    host = _unit(db)
    with db.transaction() as s:
        pid = registry.save_person(s, PersonData(name="王芳", unit_id=host, title="副局长", mobile="13912345678",
                                                 trained_on=date(2024, 3, 1)))
        data = AccountData(name="海门教育", platform="wechat_subscription", host_unit_id=host,
                           host_phone="0513-82123456", registered_on=date(2019, 3, 12), followers=1200,
                           verified=True, url="https://mp.weixin.qq.com/x",
                           team=[registry.TeamMember(pid, "leader")])
        aid = registry.save_account(s, data)
    with db.transaction() as s:
        data = registry.get_account(s, aid)
        assert data.team[0].name == "王芳" and data.team[0].role_label == "分管领导"
        data.status = "paused"
        data.team = []
        registry.save_account(s, data)
    with db.reader() as s:
        rows = registry.list_accounts(s)
        assert [(r.name, r.platform_label, r.status_label, r.host_unit) for r in rows] == [
            ("海门教育", "微信订阅号", "暂停", "海门区教育局")]
        assert registry.get_account(s, aid).team == []
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "account")).all()
        assert [e.action for e in events] == ["create", "update"]
        assert json.loads(events[1].changes)["status"] == ["normal", "paused"]
        assert events[0].actor == "测试员"


@pytest.mark.parametrize("field,value,message", [
    ("name", "  ", "名称不能为空"),
    ("host_phone", "8123", "格式不正确"),
    ("url", "www.example.com", "http"),
    ("platform", "wechat_group", "未知平台"),
    ("followers", -1, "负数"),
])
def test_invalid_accounts_are_refused_and_nothing_is_written(db, field, value, message):
    data = AccountData(name="测试账号", platform="weibo")
    setattr(data, field, value)
    with pytest.raises(UserError, match=message):
        with db.transaction() as s:
            registry.save_account(s, data)
    with db.reader() as s:
        assert registry.count_accounts(s) == 0
        assert s.scalars(select(AuditEvent).where(AuditEvent.entity == "account")).all() == []


def test_other_platform_needs_a_name(db):
    with pytest.raises(UserError, match="其他"):
        with db.transaction() as s:
            registry.save_account(s, AccountData(name="X", platform="other"))


def test_an_account_with_filings_cannot_be_deleted(db):
    from gzdesk.models import Filing

    with db.transaction() as s:
        aid = registry.save_account(s, AccountData(name="海门发布", platform="douyin"))
        s.add(Filing(number="2026-00001", account_id=aid, kind="open", state="draft"))
    with pytest.raises(UserError, match="备案记录"):
        with db.transaction() as s:
            registry.delete_account(s, aid)
    with db.transaction() as s:
        other = registry.save_account(s, AccountData(name="临时", platform="weibo"))
        registry.delete_account(s, other)
    with db.reader() as s:
        assert registry.count_accounts(s) == 1
        deleted = s.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
        assert json.loads(deleted.changes)["name"] == ["临时", None]


def test_unit_tree_refuses_cycles_and_deleting_used_units(db):
    parent = _unit(db, "海门区卫生健康局")
    with db.transaction() as s:
        child = registry.save_unit(s, UnitData(name="办公室", kind="internal", parent_id=parent))
    with pytest.raises(UserError, match="上级单位"):
        with db.transaction() as s:
            data = registry.get_unit(s, parent)
            data.parent_id = child
            registry.save_unit(s, data)
    with pytest.raises(UserError, match="下级单位"):
        with db.transaction() as s:
            registry.delete_unit(s, parent)


def test_departure_creates_password_and_device_tasks(db):
    host = _unit(db)
    with db.transaction() as s:
        pid = registry.save_person(s, PersonData(name="李强", unit_id=host, mobile="13800001111"))
        for name, platform in (("海门教育", "weibo"), ("海门教育", "douyin")):
            registry.save_account(s, AccountData(name=name, platform=platform,
                                                 team=[registry.TeamMember(pid, "admin")]))
    with db.transaction() as s:
        person = registry.get_person(s, pid)
        person.left_on = date(2026, 11, 20)
        registry.save_person(s, person)
    with db.reader() as s:
        tasks = s.scalars(select(Task)).all()
        assert sorted(t.kind for t in tasks) == ["device_return", "device_return", "password_change",
                                                 "password_change"]
        # the office's own article (南通 第二十七条: 加强离职人员安全保密管理)
        assert {t.article for t in tasks} == {"南通市政务新媒体管理办法（试行）第二十七条 加强离职人员安全保密管理"}


@pytest.mark.parametrize(("profile", "article"), [
    ("yunnan", "云南省政务新媒体管理办法第三十七条 管理人员离职、调任、辞职应及时更改密码，将所配设备收回单位"),
    ("yanhu", "运城市盐湖区政府系统政务新媒体管理办法（试行）第二十二条 加强离职人员安全保密管理"),
    ("taibai", "太白县政府系统政务新媒体管理办法第十七条 加强对离职人员进行安全保密教育"),
    # 临沂's notice says nothing of departures: the tasks cite 云南 for reference
    ("linyi", "参照云南省政务新媒体管理办法第三十七条 管理人员离职、调任、辞职应及时更改密码，将所配设备收回单位"),
])
def test_departure_tasks_cite_the_offices_article(make_db, profile, article):
    from gzdesk import people_tasks

    db = make_db(profile)
    with db.transaction() as s:
        pid = registry.save_person(s, PersonData(name="李强"))
        registry.save_account(s, AccountData(name="某某发布", platform="weibo", team=[registry.TeamMember(pid, "admin")]))
        person = registry.get_person(s, pid)
        person.left_on = date(2026, 11, 20)
        registry.save_person(s, person)
    with db.reader() as s:
        assert {t.article for t in s.scalars(select(Task))} == {article}
        assert people_tasks.office_departure_article(s) == article


def test_person_phone_validation(db):
    with pytest.raises(UserError, match="手机号码"):
        with db.transaction() as s:
            registry.save_person(s, PersonData(name="赵六", mobile="0513-1234567"))
