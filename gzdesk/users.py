"""Users of an office's database: passwords, login with lockout, and what a 管理员 does with users.

Passwords are hashed with scrypt (``hashlib.scrypt``, memory-hard: 16 MiB and ~50 ms per try with
the parameters below), a random 16-byte salt per user, and the parameters stored with the hash
(``scrypt$N$r$p$salt$hash``), so that they can be raised later without breaking old passwords.
A password is never stored, printed or logged; the audit log records only a digest of the stored
hash (``gzdesk.audit``), and the users table never leaves the office (not in snapshots).

Login (``authenticate``): a wrong password counts against the user; after ``MAX_FAILURES`` in a row
the user is locked for ``LOCKOUT`` and told until when. A 管理员 resetting the password unlocks.
Every attempt is written (failed count, lock, last login), so the audit log shows who tried when.

What this guarantees: only someone who knows a user's password can act as that user *in gzdesk*.
It does not protect the file itself: whoever can write the database file can write a new hash
(the audit chain then no longer verifies, see ``gzdesk.backup.verify_database``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import enums
from gzdesk.dates import cn_date
from gzdesk.enums import UserRole
from gzdesk.errors import UserError
from gzdesk.models import AppUser
from gzdesk.models.base import now as _now
from gzdesk.permissions import Cap, CurrentUser, current_user, require, users_exist

SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LEN = 2 ** 14, 8, 1, 32
SALT_BYTES = 16
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 8
# a hand-edited hash must not make a login allocate gigabytes
_MAX_N, _MAX_R, _MAX_P = 2 ** 20, 32, 16


# --------------------------------------------------------------------------- hashing


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """``scrypt$N$r$p$salt$hash`` for a new password (a fresh random salt each time)."""
    salt = os.urandom(SALT_BYTES)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LEN,
                            maxmem=_maxmem(n, r))
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def _maxmem(n: int, r: int) -> int:
    return 128 * r * n + (1 << 20)


def check_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored``; False for anything malformed."""
    try:
        kind, n_text, r_text, p_text, salt_text, hash_text = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        if kind != "scrypt" or not (1 < n <= _MAX_N and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
            return False
        salt, expected = base64.b64decode(salt_text, validate=True), base64.b64decode(hash_text, validate=True)
        digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected),
                                maxmem=_maxmem(n, r))
    except (ValueError, TypeError, AttributeError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)


def _burn(password: str) -> None:
    """As much work as a real check, so that an unknown name takes as long as a wrong password."""
    hashlib.scrypt(password.encode("utf-8"), salt=b"\0" * SALT_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                   dklen=SCRYPT_LEN, maxmem=_maxmem(SCRYPT_N, SCRYPT_R))


# --------------------------------------------------------------------------- plain objects


@dataclass
class UserRow:
    id: int
    name: str
    role: str
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    last_login_at: datetime | None
    created_at: datetime

    @property
    def role_label(self) -> str:
        return enums.label("user_role", self.role)

    def state_text(self, at: datetime | None = None) -> str:
        if self.disabled:
            return "已停用"
        if self.locked_until and self.locked_until > (at or _now()):
            return f"已锁定至 {_when(self.locked_until)}"
        return "正常"

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "role_label": self.role_label,
                "disabled": self.disabled, "locked_until": self.locked_until, "failed_logins": self.failed_logins,
                "last_login_at": self.last_login_at, "created_at": self.created_at}


@dataclass
class LoginResult:
    """What a login attempt gave: the user, or the one-line reason it was refused."""

    user: CurrentUser | None
    message: str = ""


def _row(u: AppUser) -> UserRow:
    return UserRow(u.id, u.name, u.role, bool(u.disabled), u.failed_logins or 0, u.locked_until,
                   u.last_login_at, u.created_at)


def _when(t: datetime) -> str:
    return f"{cn_date(t.date())} {t:%H:%M}"


# --------------------------------------------------------------------------- checks


def parse_role(text: str | None) -> str:
    """The role code for 管理员 / 审核人 / 经办人 / 只读 (or a code); UserError otherwise."""
    code = enums.code_for("user_role", text)
    if code is None:
        raise UserError(f"未知角色“{text}”，可选：{'、'.join(enums.USER_ROLE_LABELS.values())}")
    return code


def _clean_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise UserError("请填写用户名")
    if len(name) > 100:
        raise UserError("用户名不能超过 100 个字符")
    if any(ch in name for ch in "\r\n\t"):
        raise UserError("用户名不能包含换行或制表符")
    return name


def password_problem(name: str, password: str | None) -> str | None:
    """Why ``password`` is not acceptable for ``name`` (None when it is)."""
    if not password:
        return "密码不能为空"
    if len(password) < MIN_PASSWORD:
        return f"密码至少需要 {MIN_PASSWORD} 个字符"
    if password.strip() == name.strip():
        return "密码不能与用户名相同"
    if len(set(password)) < 3:
        return "密码过于简单（至少含 3 种不同字符）"
    return None


def _check_password_rules(name: str, password: str | None) -> str:
    problem = password_problem(name, password)
    if problem:
        raise UserError(problem)
    return password  # type: ignore[return-value]


def _get(session: Session, name: str) -> AppUser:
    user = session.scalars(select(AppUser).where(AppUser.name == (name or "").strip())).first()
    if user is None:
        raise UserError(f"没有用户“{name}”")
    return user


def _active_admins(session: Session) -> int:
    return session.scalar(select(func.count(AppUser.id)).where(AppUser.role == UserRole.ADMIN,
                                                                AppUser.disabled.is_(False))) or 0


# --------------------------------------------------------------------------- what a 管理员 does


def list_users(session: Session) -> list[UserRow]:
    return [_row(u) for u in session.scalars(select(AppUser).order_by(AppUser.id))]


def has_users(session: Session) -> bool:
    # the table's column, not the mapped class: the window asks before its first paint, and an ORM
    # query would map every table first (see office.get_setting)
    return session.scalar(select(AppUser.__table__.c.id).limit(1)) is not None


def add_user(session: Session, name: str, role: str, password: str) -> UserRow:
    """A new user. The first user of a database must be a 管理员 (and needs no login)."""
    name = _clean_name(name)
    role = parse_role(role)
    first = not has_users(session)
    if first:
        if role != UserRole.ADMIN:
            raise UserError("本库还没有用户：第一个用户必须是管理员")
    else:
        require(session, Cap.USERS)
    if session.scalars(select(AppUser).where(AppUser.name == name)).first() is not None:
        raise UserError(f"用户“{name}”已存在")
    _check_password_rules(name, password)
    at = _now()
    user = AppUser(name=name, role=role, password=hash_password(password), disabled=False, failed_logins=0,
                   password_set_at=at, created_at=at)
    session.add(user)
    session.flush()
    return _row(user)


def reset_password(session: Session, name: str, password: str) -> UserRow:
    """A 管理员 sets a user's password (and so unlocks a locked user)."""
    require(session, Cap.USERS)
    user = _get(session, name)
    _check_password_rules(user.name, password)
    user.password = hash_password(password)
    user.password_set_at = _now()
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return _row(user)


def change_own_password(session: Session, old_password: str, new_password: str) -> None:
    """The logged-in user changes their own password (knowing the old one)."""
    me = current_user(session)
    if me is None:
        raise UserError("请先登录")
    user = session.get(AppUser, me.id)
    if user is None or not check_password(user.password, old_password or ""):
        raise UserError("原密码不正确")
    _check_password_rules(user.name, new_password)
    session.info["own_password"] = True
    user.password = hash_password(new_password)
    user.password_set_at = _now()
    user.failed_logins = 0
    session.flush()


def set_role(session: Session, name: str, role: str) -> UserRow:
    require(session, Cap.USERS)
    user = _get(session, name)
    role = parse_role(role)
    if user.role == UserRole.ADMIN and role != UserRole.ADMIN and not user.disabled and _active_admins(session) <= 1:
        raise UserError(f"“{user.name}”是唯一的管理员，不能改为其他角色（请先添加另一位管理员）")
    user.role = role
    session.flush()
    return _row(user)


def disable_user(session: Session, name: str) -> UserRow:
    require(session, Cap.USERS)
    user = _get(session, name)
    if user.disabled:
        raise UserError(f"用户“{user.name}”已停用")
    if user.role == UserRole.ADMIN and _active_admins(session) <= 1:
        raise UserError(f"“{user.name}”是唯一的管理员，不能停用（请先添加另一位管理员）")
    user.disabled = True
    session.flush()
    return _row(user)


def enable_user(session: Session, name: str) -> UserRow:
    require(session, Cap.USERS)
    user = _get(session, name)
    if not user.disabled:
        raise UserError(f"用户“{user.name}”未停用")
    user.disabled = False
    user.failed_logins = 0
    user.locked_until = None
    session.flush()
    return _row(user)


# --------------------------------------------------------------------------- login


def authenticate(session: Session, name: str, password: str, at: datetime | None = None,
                 note_login: bool = True) -> LoginResult:
    """Check a login and write what it did (counts, lock, last login) in the caller's session.

    Never raises for a wrong name or password: the caller commits the bookkeeping, then refuses.
    ``note_login`` False (each command-line command) records failures and locks, but not every
    successful login (the window's login is recorded: who opened the registry when).
    """
    at = at or _now()
    user = session.scalars(select(AppUser).where(AppUser.name == (name or "").strip())).first()
    if user is None:
        _burn(password or "")
        return LoginResult(None, "用户名或密码不正确")
    if user.disabled:
        return LoginResult(None, f"用户“{user.name}”已停用，请联系管理员")
    if user.locked_until and user.locked_until > at:
        return LoginResult(None, f"用户“{user.name}”因连续 {MAX_FAILURES} 次密码错误已被锁定，"
                                 f"请于 {_when(user.locked_until)} 后再试，或请管理员重置密码")
    if not check_password(user.password, password or ""):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILURES:
            user.locked_until = at + LOCKOUT
            user.failed_logins = 0
            session.flush()
            return LoginResult(None, f"密码连续 {MAX_FAILURES} 次错误，用户“{user.name}”已被锁定至 "
                                     f"{_when(user.locked_until)}；到时可再试，或请管理员重置密码")
        session.flush()
        left = MAX_FAILURES - user.failed_logins
        return LoginResult(None, f"用户名或密码不正确（再错 {left} 次将锁定 {int(LOCKOUT.total_seconds() // 60)} 分钟）")
    if user.failed_logins:
        user.failed_logins = 0
    if user.locked_until is not None:
        user.locked_until = None
    if note_login:
        user.last_login_at = at
    session.flush()
    return LoginResult(CurrentUser(user.id, user.name, user.role))


def refresh(session: Session, user: CurrentUser) -> CurrentUser:
    """The user as the database has them now (a 管理员 may have changed the role or disabled them)."""
    row = session.get(AppUser, user.id)
    if row is None or row.disabled or row.name != user.name:
        raise UserError(f"用户“{user.name}”已被停用或删除，不能继续操作；请重新登录")
    return user if row.role == user.role else CurrentUser(row.id, row.name, row.role)


def bootstrap(session: Session) -> bool:
    """True when the database has no users yet (no login needed; the window asks for a 管理员)."""
    return not users_exist(session) and not has_users(session)
