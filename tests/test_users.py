"""Users and roles in the domain: scrypt hashes, login and lockout, each role's limits, the flush backstop."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from gzdesk import filings, holidays, office, permissions, profiles, registry, users
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.models import AccountRole, ApprovalStep, AppUser, AuditEvent, Setting

PASSWORDS = {"王管理": "admin-pass-1", "钱审核": "review-pass-1", "李经办": "clerk-pass-1", "赵只读": "viewer-pass-1"}
ROLES = {"王管理": "管理员", "钱审核": "审核人", "李经办": "经办人", "赵只读": "只读"}


@pytest.fixture
def office_db(db):
    """The 南通 office of the ``db`` fixture with one user per role (logged in as nobody)."""
    with db.transaction() as s:
        users.add_user(s, "王管理", "管理员", PASSWORDS["王管理"])
    db.login("王管理", PASSWORDS["王管理"])
    with db.transaction() as s:
        for name in ("钱审核", "李经办", "赵只读"):
            users.add_user(s, name, ROLES[name], PASSWORDS[name])
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        filings.new_filing(s, aid, "开设", "新开设账号", filled_on=date(2025, 10, 9))
    db.logout()
    return db


def as_user(db: Database, name: str) -> Database:
    """A second handle on the same file, logged in as ``name``."""
    other = Database(db.path)
    other.login(name, PASSWORDS[name])
    return other


# --------------------------------------------------------------------------- passwords


def test_password_hash_is_scrypt_with_its_own_salt_and_parameters():
    a, b = users.hash_password("same-password-1"), users.hash_password("same-password-1")
    assert a != b  # a fresh salt each time
    kind, n, r, p, salt, digest = a.split("$")
    assert (kind, int(n), int(r), int(p)) == ("scrypt", users.SCRYPT_N, users.SCRYPT_R, users.SCRYPT_P)
    assert "same-password-1" not in a
    assert users.check_password(a, "same-password-1") and users.check_password(b, "same-password-1")
    assert not users.check_password(a, "same-password-2")
    # parameters are read from the stored value (cheaper ones here), so they can change later
    cheap = users.hash_password("same-password-1", n=2 ** 10)
    assert cheap.split("$")[1] == "1024" and users.check_password(cheap, "same-password-1")
    for broken in ("", "plain", "scrypt$0$8$1$AA==$AA==", "scrypt$1073741824$8$1$AA==$AA==", a.replace("$", "#")):
        assert not users.check_password(broken, "same-password-1")


def test_weak_passwords_are_refused():
    assert users.password_problem("张三", "short") == "密码至少需要 8 个字符"
    assert users.password_problem("zhangsan1", "zhangsan1") == "密码不能与用户名相同"
    assert "过于简单" in users.password_problem("张三", "aaaaaaaaab")
    assert users.password_problem("张三", "clerk-pass-1") is None


def test_the_audit_log_never_holds_a_password_or_its_hash(office_db):
    with office_db.reader() as s:
        stored = [u.password for u in s.scalars(select(AppUser))]
        log = "\n".join(e.changes or "" for e in s.scalars(select(AuditEvent)))
    assert stored and all(h.startswith("scrypt$") for h in stored)
    for secret in list(PASSWORDS.values()) + stored + [h.split("$")[-1] for h in stored]:
        assert secret not in log
    assert '"$secret"' in log  # a digest of the stored hash shows that it changed, and is checkable


# --------------------------------------------------------------------------- bootstrap and login


def test_a_database_without_users_works_as_before_and_its_first_user_is_an_admin(db, monkeypatch):
    monkeypatch.setenv("USER", "局长")
    with db.transaction() as s:  # bootstrap: nothing is checked
        registry.save_account(s, registry.AccountData(name="旧账号"))
        with pytest.raises(UserError, match="第一个用户必须是管理员"):
            users.add_user(s, "李经办", "经办人", PASSWORDS["李经办"])
        users.add_user(s, "王管理", "管理员", PASSWORDS["王管理"])
    # from now on every write needs a logged-in user, whatever the operating system says
    with pytest.raises(UserError, match="修改数据须先登录"), db.transaction() as s:
        registry.save_account(s, registry.AccountData(name="新账号"))
    with db.reader() as s:  # history kept
        assert [a.name for a in registry.list_accounts(s)] == ["旧账号"]
    db.login("王管理", PASSWORDS["王管理"])
    with db.transaction() as s:
        registry.save_account(s, registry.AccountData(name="新账号"))
    with db.reader() as s:
        last = s.scalars(select(AuditEvent.actor).where(AuditEvent.entity == "account")
                         .order_by(AuditEvent.id.desc())).first()
    assert last == "王管理"  # not 局长 (USER), not 测试员 (the Database's actor)


def test_login_wrong_password_lockout_with_time_and_admin_reset(office_db):
    db = office_db
    at = datetime(2026, 11, 22, 10, 30)
    with db.transaction("李经办", _login=True) as s:
        assert users.authenticate(s, "李经办", PASSWORDS["李经办"], at).user.name == "李经办"
    messages = []
    for i in range(users.MAX_FAILURES):
        with db.transaction("李经办", _login=True) as s:
            result = users.authenticate(s, "李经办", "wrong-password", at + timedelta(minutes=i))
        assert result.user is None
        messages.append(result.message)
    assert messages[0] == "用户名或密码不正确（再错 4 次将锁定 15 分钟）"
    assert messages[-1] == "密码连续 5 次错误，用户“李经办”已被锁定至 2026年11月22日 10:49；到时可再试，或请管理员重置密码"
    with db.transaction("李经办", _login=True) as s:  # the right password does not open a locked user
        locked = users.authenticate(s, "李经办", PASSWORDS["李经办"], at + timedelta(minutes=10))
    assert locked.user is None and "请于 2026年11月22日 10:49 后再试" in locked.message
    with db.transaction("李经办", _login=True) as s:  # the lock runs out
        assert users.authenticate(s, "李经办", PASSWORDS["李经办"], at + timedelta(minutes=20)).user is not None
    # an unknown name and a wrong password say the same thing
    with db.transaction("x", _login=True) as s:
        assert users.authenticate(s, "没有这人", "whatever-1", at).message == "用户名或密码不正确"
    # the attempts are in the audit log, under the name tried
    with db.reader() as s:
        tries = s.scalars(select(AuditEvent.changes).where(AuditEvent.entity == "app_user",
                                                           AuditEvent.actor == "李经办")).all()
    assert any("failed_logins" in (c or "") for c in tries)
    assert any("locked_until" in (c or "") for c in tries)


def test_database_login_counts_failures_and_a_reset_unlocks(office_db):
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(UserError):
            office_db.login("李经办", "wrong-password")
    with pytest.raises(UserError, match="已被锁定"):
        office_db.login("李经办", PASSWORDS["李经办"])
    admin = as_user(office_db, "王管理")
    with admin.transaction() as s:
        users.reset_password(s, "李经办", "new-clerk-pass-2")
    admin.close()
    assert office_db.login("李经办", "new-clerk-pass-2").role == "clerk"


def test_a_disabled_user_cannot_log_in_nor_go_on_writing(office_db):
    clerk = as_user(office_db, "李经办")
    admin = as_user(office_db, "王管理")
    with admin.transaction() as s:
        users.disable_user(s, "李经办")
        with pytest.raises(UserError, match="唯一的管理员"):
            users.disable_user(s, "王管理")
        with pytest.raises(UserError, match="唯一的管理员"):
            users.set_role(s, "王管理", "经办人")
    with pytest.raises(UserError, match="已被停用或删除"), clerk.transaction() as s:
        registry.save_account(s, registry.AccountData(name="停用后"))
    with pytest.raises(UserError, match="已停用"):
        office_db.login("李经办", PASSWORDS["李经办"])
    with admin.transaction() as s:  # a role change applies at the next transaction of a logged-in user
        users.enable_user(s, "李经办")
        users.set_role(s, "李经办", "只读")
    clerk.login("李经办", PASSWORDS["李经办"])
    with pytest.raises(UserError, match="只读用户“李经办”不能修改数据"), clerk.transaction():
        pass
    clerk.close()
    admin.close()


# --------------------------------------------------------------------------- each role's limits


def _filing_id(db) -> int:
    with db.reader() as s:
        return filings.list_filings(s)[0].id


def _account_id(db) -> int:
    with db.reader() as s:
        return registry.list_accounts(s)[0].id


def _try(db, fn, *args, **kw):
    """None when ``fn(session, ...)`` was allowed, else the refusal's message."""
    try:
        with db.transaction() as s:
            fn(s, *args, **kw)
    except permissions.PermissionDenied as exc:
        return exc.message
    return None


def _rename(s, account_id):
    data = registry.get_account(s, account_id)
    data.name += "改"
    registry.save_account(s, data)


def test_each_role_may_do_only_what_the_table_says(office_db, tmp_path):
    aid, fid = _account_id(office_db), _filing_id(office_db)
    profile = profiles.by_id("yunnan")
    results = {}
    for name in ("钱审核", "李经办", "王管理"):
        db = as_user(office_db, name)
        results[name] = {
            "edit": _try(db, _rename, aid),
            "file": _try(db, filings.mark_printed, fid),
            "approve": _try(db, filings.record_step, fid, "同意", "主任", date(2025, 10, 10)),
            "settings": _try(db, office.replace_profile, profile),
            "holiday": _try(db, holidays.set_holiday, date(2027, 2, 6), False, "春节"),
            "users": _try(db, users.add_user, f"新人{name}", "只读", "someone-pass-1"),
        }
        db.close()
    clerk, reviewer, admin = results["李经办"], results["钱审核"], results["王管理"]
    assert clerk["approve"] == "经办人“李经办”无权记录审批步骤，须由管理员或审核人操作"
    assert clerk["edit"] is None and clerk["file"] is None
    assert clerk["settings"].startswith("经办人“李经办”无权修改本单位设置") and clerk["users"] and clerk["holiday"]
    assert reviewer["approve"] is None
    assert reviewer["edit"] == "审核人“钱审核”无权修改账号、单位和人员，须由管理员或经办人操作"
    assert reviewer["file"] and reviewer["settings"] and reviewer["users"]
    assert all(v is None for v in admin.values()), admin


def test_a_viewer_writes_nothing_and_exports_only_masked_copies(office_db, tmp_path):
    viewer = as_user(office_db, "赵只读")
    with pytest.raises(permissions.PermissionDenied, match="只读用户“赵只读”不能修改数据"), viewer.transaction():
        pass
    assert not viewer.may_write()
    with viewer.reader() as s:  # reading is allowed
        assert registry.list_accounts(s)
        with pytest.raises(permissions.PermissionDenied, match="无权导出未脱敏的数据"):
            export_workbook(s, tmp_path / "full.xlsx")
        assert export_workbook(s, tmp_path / "masked.xlsx", mask_phones=True).masked
    assert not (tmp_path / "full.xlsx").exists()
    viewer.close()


def test_the_approver_applies_a_change_it_approves(office_db):
    """The last step of a 变更 updates the account: a 审核人 may do that, though not edit accounts."""
    aid = _account_id(office_db)
    clerk = as_user(office_db, "李经办")
    with clerk.transaction() as s:
        old = filings.list_filings(s)[0].id
        filings.withdraw(s, old)
        f = filings.new_filing(s, aid, "变更", "改名", filled_on=date(2025, 10, 9), proposed={"name": "通州新名"})
    clerk.close()
    reviewer = as_user(office_db, "钱审核")
    with reviewer.transaction() as s:
        filings.record_step(s, f.id, "同意", "主任", date(2025, 10, 10))
        d = filings.record_step(s, f.id, "同意", "局长", date(2025, 10, 11))
    assert d.state == "filed"
    with reviewer.reader() as s:
        assert registry.get_account(s, aid).name == "通州新名"
    reviewer.close()


def test_the_flush_backstop_refuses_what_bypasses_the_domain_functions(office_db):
    """Writing straight through the ORM (a forgotten check, a new function) is still refused."""
    fid = _filing_id(office_db)
    clerk = as_user(office_db, "李经办")
    with pytest.raises(permissions.PermissionDenied, match="无权记录审批步骤"), clerk.transaction() as s:
        s.add(ApprovalStep(filing_id=fid, seq=1, title="主办单位意见", signer="我", signed_on=date(2025, 10, 10)))
        s.flush()
    with pytest.raises(permissions.PermissionDenied, match="无权修改本单位设置"), clerk.transaction() as s:
        s.get(Setting, "profile").value = "{}"
        s.flush()
    with pytest.raises(permissions.PermissionDenied, match="无权管理用户"), clerk.transaction() as s:
        s.scalars(select(AppUser).where(AppUser.name == "李经办")).one().role = "admin"
        s.flush()
    clerk.close()
    reviewer = as_user(office_db, "钱审核")  # may write (steps), so only the table stops this
    with pytest.raises(permissions.PermissionDenied, match="无权管理用户"), reviewer.transaction() as s:
        s.scalars(select(AppUser).where(AppUser.name == "钱审核")).one().role = "admin"
        s.flush()
    reviewer.close()
    with office_db.reader() as s:  # nothing of it was written
        assert s.scalar(select(ApprovalStep.id)) is None
        assert json.loads(s.get(Setting, "profile").value)["id"] == "nantong"
        assert {u.name: u.role for u in s.scalars(select(AppUser))}["李经办"] == "clerk"
        assert s.scalars(select(AccountRole)).all() == []


def test_a_user_changes_their_own_password_but_nothing_else_about_themselves(office_db):
    clerk = as_user(office_db, "李经办")
    with pytest.raises(UserError, match="原密码不正确"), clerk.transaction() as s:
        users.change_own_password(s, "wrong-old-1", "clerk-pass-2")
    with clerk.transaction() as s:
        users.change_own_password(s, PASSWORDS["李经办"], "clerk-pass-2")
    clerk.close()
    assert as_user_pw(office_db, "李经办", "clerk-pass-2").name == "李经办"


def as_user_pw(db, name, password):
    other = Database(db.path)
    try:
        return other.login(name, password)
    finally:
        other.close()
