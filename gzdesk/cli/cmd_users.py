"""``gzdesk users add NAME --role R`` / ``list`` / ``passwd NAME`` / ``disable NAME`` / ``enable`` / ``role``.

Everything but ``list`` is a 管理员's (``--user`` or ``GZDESK_USER``), except the very first user
of a database, a 管理员 made without logging in, and a user changing their own password. New
passwords come from ``GZDESK_NEW_PASSWORD`` or are typed twice on the terminal, never from an
argument.
"""

from __future__ import annotations

import argparse

from gzdesk import users
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    ask_password,
    open_db,
    print_json,
    print_table,
)
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.permissions import Cap


def register(sub) -> None:
    p = sub.add_parser("users", help="用户与角色：添加、列出、重置密码、停用",
                       description="用户与角色（管理员 / 审核人 / 经办人 / 只读）。除列出外均须管理员登录；"
                                   "本库的第一个用户须为管理员，无需登录即可创建")
    us = p.add_subparsers(dest="users_action", metavar="操作", required=True)
    a = us.add_parser("add", help="添加用户（密码取自 GZDESK_NEW_PASSWORD 或在终端输入两次）")
    a.add_argument("name", metavar="姓名")
    a.add_argument("--role", required=True, metavar="角色", help="管理员、审核人、经办人或只读")
    _common(a, cmd_add)
    li = us.add_parser("list", help="列出用户")
    add_json_option(li)
    _common(li, cmd_list)
    pw = us.add_parser("passwd", help="重置密码（管理员），或修改自己的密码")
    pw.add_argument("name", metavar="姓名")
    _common(pw, cmd_passwd)
    d = us.add_parser("disable", help="停用用户（不能再登录）")
    d.add_argument("name", metavar="姓名")
    _common(d, cmd_disable)
    e = us.add_parser("enable", help="重新启用已停用的用户")
    e.add_argument("name", metavar="姓名")
    _common(e, cmd_enable)
    r = us.add_parser("role", help="更改用户的角色")
    r.add_argument("name", metavar="姓名")
    r.add_argument("role", metavar="角色", help="管理员、审核人、经办人或只读")
    _common(r, cmd_role)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    p.set_defaults(func=func)


def _new_password(name: str) -> str:
    password = ask_password(f"用户“{name}”的新密码：", "GZDESK_NEW_PASSWORD", f"用户“{name}”的新密码", confirm=True)
    problem = users.password_problem(name, password)
    if problem:
        raise UserError(problem)
    return password


def _write(args: argparse.Namespace, fn, *a):
    db = open_db(args)
    try:
        with db.transaction() as s:
            return fn(s, *a)
    finally:
        db.close()


def cmd_add(args: argparse.Namespace) -> int:
    role = users.parse_role(args.role)  # checked before a password is asked for
    name = args.name.strip()
    db = open_db(args)
    try:
        if db.has_users():  # refused before a password is asked for
            db.require(Cap.USERS)
        password = _new_password(name)
        with db.transaction() as s:
            row = users.add_user(s, name, role, password)
    finally:
        db.close()
    print(f"已添加用户“{row.name}”（{row.role_label}）")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            rows = users.list_users(s)
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("本库尚未设置用户（任何人都可修改数据）；用 gzdesk users add 姓名 --role 管理员 创建第一个管理员")
        return 0
    print_table(["姓名", "角色", "状态", "最近登录"],
                [[r.name, r.role_label, r.state_text(),
                  f"{cn_date(r.last_login_at.date())} {r.last_login_at:%H:%M}" if r.last_login_at else ""]
                 for r in rows])
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    name = args.name.strip()
    db = open_db(args)
    try:
        me = db.user
        if me is not None and me.name == name and not db.can(Cap.USERS):
            # one's own password: the one just used to log in is the old one
            old = ask_password("原密码：", "GZDESK_PASSWORD", "原密码")
            new = _new_password(name)
            with db.transaction() as s:
                users.change_own_password(s, old, new)
        else:
            db.require(Cap.USERS)
            new = _new_password(name)
            with db.transaction() as s:
                users.reset_password(s, name, new)
    finally:
        db.close()
    print(f"已为用户“{name}”设置新密码")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    row = _write(args, users.disable_user, args.name)
    print(f"已停用用户“{row.name}”")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    row = _write(args, users.enable_user, args.name)
    print(f"已启用用户“{row.name}”")
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    row = _write(args, users.set_role, args.name, args.role)
    print(f"用户“{row.name}”的角色已改为{row.role_label}")
    return 0
