"""What each role may do: one table (role → capabilities), checked by the domain, not by the window.

The four roles (DESIGN "用户"; 云南 第三十三条: 操作权限管理设置、日志记录和安全审计):

- 管理员: users, settings, profiles, holidays, restore, the keys of lower offices — and everything else;
- 审核人: records approval steps (意见、负责人、日期);
- 经办人: edits accounts, units and people, drafts and prints filings, imports and merges;
- 只读: views and prints; exports only masked copies; writes nothing.

Checked in three places, so that the window is never the only guard:

1. ``require(session, cap)`` at the top of the domain functions (``registry.save_account``,
   ``filings.record_step``, ``office.replace_profile``, …): a refusal is one Chinese line;
2. ``check_writer`` when ``Database.transaction`` starts: a 只读 user, or nobody once users exist,
   gets no write transaction at all (this also covers bulk writes that bypass the ORM);
3. ``check_flush`` before every flush: only 审核人/管理员 create or change approval steps, only
   管理员 touches users, settings and the holiday table, whatever function made the change.

A database without users (made before schema 8, every test fixture, scripts) is in **bootstrap**
mode: nothing is checked, as before; the window asks for the first 管理员. Once a user exists,
every write needs an authenticated user (``Database.login``).

What this guarantees, and against whom: a clerk using gzdesk (window or command line) cannot do
what the role does not allow, and the audit log names the user who logged in instead of whatever
the operating system calls them. It does not stop someone who edits the database file with other
tools (that is what the audit chain is for, see ``gzdesk.audit``), and it protects no reading:
whoever can read the file can read the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from gzdesk import enums
from gzdesk.enums import UserRole
from gzdesk.errors import UserError


class Cap(StrEnum):
    """A capability: something a role may do."""

    EDIT = "edit"  # accounts, units, people, their tasks
    FILE = "file"  # draft, print (送签), withdraw, announce, report filings; attach scans
    APPROVE = "approve"  # record an approval step (同意 / 退回)
    IMPORT = "import"  # Excel import, merging lower offices' snapshots, demo data
    EXPORT = "export"  # unmasked copies: the full 台账, 上报快照, backups
    SETTINGS = "settings"  # the office's settings, profile, holiday table
    USERS = "users"  # add users, reset passwords, change roles, disable
    RESTORE = "restore"  # replace the database by a backup
    TRUST = "trust"  # re-pin a lower office's key, reset its last snapshot time


CAP_TEXT: dict[Cap, str] = {
    Cap.EDIT: "修改账号、单位和人员",
    Cap.FILE: "办理备案（新建、送签、撤回、公告、报送）",
    Cap.APPROVE: "记录审批步骤",
    Cap.IMPORT: "导入或合并数据",
    Cap.EXPORT: "导出未脱敏的数据（完整台账、上报快照、备份）",
    Cap.SETTINGS: "修改本单位设置、策略配置和节假日表",
    Cap.USERS: "管理用户",
    Cap.RESTORE: "从备份恢复数据库",
    Cap.TRUST: "管理来源单位的签名公钥",
}

# The one permission table.
ROLE_CAPS: dict[str, frozenset[Cap]] = {
    UserRole.ADMIN: frozenset(Cap),
    UserRole.REVIEWER: frozenset({Cap.APPROVE, Cap.EXPORT}),
    UserRole.CLERK: frozenset({Cap.EDIT, Cap.FILE, Cap.IMPORT, Cap.EXPORT}),
    UserRole.VIEWER: frozenset(),
}

# Tables only a 管理员 may change (the backstop in ``check_flush``), other than through login.
ADMIN_TABLES = {"app_user": Cap.USERS, "setting": Cap.SETTINGS, "office_holiday": Cap.SETTINGS,
                "holiday_notice": Cap.SETTINGS}
# What a login may write (failed attempts, lockout, last login) and a user's own password change.
LOGIN_FIELDS = {"failed_logins", "locked_until", "last_login_at"}
OWN_PASSWORD_FIELDS = {"password", "password_set_at", "failed_logins", "locked_until"}


@dataclass(frozen=True)
class CurrentUser:
    """The authenticated user of a session (``session.info["user"]``)."""

    id: int
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return enums.label("user_role", self.role)

    def can(self, cap: Cap) -> bool:
        return cap in ROLE_CAPS.get(self.role, frozenset())

    def describe(self) -> str:
        """``张三（经办人）``."""
        return f"{self.name}（{self.role_label}）"

    @property
    def title(self) -> str:
        """``经办人“张三”`` / ``只读用户“赵六”`` (for refusals)."""
        role = "只读用户" if self.role == UserRole.VIEWER else self.role_label
        return f"{role}“{self.name}”"


class PermissionDenied(UserError):
    """The user's role does not allow this; nothing was changed."""


def who_may(cap: Cap) -> str:
    """``管理员、审核人或经办人``: the roles that have ``cap``, in the table's order."""
    names = [enums.label("user_role", r) for r, caps in ROLE_CAPS.items() if cap in caps]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def users_exist(session: Session) -> bool:
    """Whether this database has users (set by ``Database`` on each session; False = bootstrap)."""
    return bool(session.info.get("users_exist"))


def current_user(session: Session) -> CurrentUser | None:
    return session.info.get("user")


def allowed(session: Session, cap: Cap) -> bool:
    """True when the session's user may ``cap`` (always in bootstrap mode)."""
    if not users_exist(session):
        return True
    user = current_user(session)
    return user is not None and user.can(cap)


def may_write(session: Session) -> bool:
    """Whether ``check_writer`` would let a write transaction start."""
    if not users_exist(session):
        return True
    user = current_user(session)
    return user is not None and bool(ROLE_CAPS.get(user.role))


def login_hint() -> str:
    return "命令行请用 --user 姓名 或环境变量 GZDESK_USER 登录"


def require(session: Session, cap: Cap) -> None:
    """Raise ``PermissionDenied`` (one line naming the user and who may) unless allowed."""
    if allowed(session, cap):
        return
    user = current_user(session)
    if user is None:
        raise PermissionDenied(f"本库已设置用户，{CAP_TEXT[cap]}须先登录；{login_hint()}")
    raise PermissionDenied(f"{user.title}无权{CAP_TEXT[cap]}，须由{who_may(cap)}操作")


def check_writer(session: Session) -> None:
    """A write transaction is starting: refuse nobody-logged-in and 只读 once users exist."""
    if not users_exist(session) or session.info.get("login"):
        return
    user = current_user(session)
    if user is None:
        raise PermissionDenied(f"本库已设置用户，修改数据须先登录；{login_hint()}")
    if not ROLE_CAPS.get(user.role):
        raise PermissionDenied(f"{user.title}不能修改数据")


def check_flush(session: Session) -> None:
    """The backstop before every flush (see the module docstring); raises ``PermissionDenied``."""
    if not users_exist(session):
        return
    changed = [(obj, "new") for obj in session.new] + [(obj, "dirty") for obj in session.dirty] \
        + [(obj, "deleted") for obj in session.deleted]
    if not changed:
        return
    if session.info.get("login"):
        for obj, how in changed:
            if getattr(obj, "__tablename__", None) != "app_user" or how != "dirty" \
                    or not _changed_keys(obj) <= LOGIN_FIELDS:
                raise PermissionDenied("登录时不能修改其他数据")
        return
    check_writer(session)
    user = current_user(session)
    assert user is not None
    for obj, how in changed:
        table = getattr(obj, "__tablename__", None)
        if table == "approval_step" and not user.can(Cap.APPROVE):
            raise PermissionDenied(f"{user.title}无权{CAP_TEXT[Cap.APPROVE]}，须由{who_may(Cap.APPROVE)}操作")
        if table == "snapshot_source" and how == "dirty" and not user.can(Cap.TRUST) and _replaces(obj, "public_key"):
            raise PermissionDenied(f"{user.title}无权{CAP_TEXT[Cap.TRUST]}，须由{who_may(Cap.TRUST)}操作")
        cap = ADMIN_TABLES.get(table or "")
        if cap is None or user.can(cap):
            continue
        if table == "app_user" and how == "dirty" and obj.id == user.id \
                and _changed_keys(obj) <= OWN_PASSWORD_FIELDS and session.info.get("own_password"):
            continue  # a user changing their own password (``users.change_own_password``)
        raise PermissionDenied(f"{user.title}无权{CAP_TEXT[cap]}，须由{who_may(cap)}操作")


def _replaces(obj, key: str) -> bool:
    """Whether ``key`` had a value and is being changed (a pinned key replaced, not pinned first)."""
    from sqlalchemy import inspect

    hist = inspect(obj).attrs[key].history
    return hist.has_changes() and bool(hist.deleted) and hist.deleted[0] is not None


def _changed_keys(obj) -> set[str]:
    from sqlalchemy import inspect

    state = inspect(obj)
    return {a.key for a in state.attrs if a.history.has_changes()}


def install(session_class: type[Session]) -> None:
    from sqlalchemy import event

    event.listen(session_class, "before_flush", lambda s, _ctx, _i: check_flush(s))
