"""``gzdesk init`` and ``gzdesk profiles``."""

from __future__ import annotations

import argparse
from pathlib import Path

from gzdesk import office, profiles, users
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    ask_password,
    db_path,
    open_db,
    print_json,
)
from gzdesk.enums import UserRole
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("init", help="为本单位新建数据库", description="为本单位新建数据库并选择策略配置")
    p.add_argument("--unit", required=True, metavar="名称", help="本单位名称，如 某某县人民政府办公室")
    p.add_argument("--profile", required=True, metavar="ID", help="策略配置编号（见 gzdesk profiles）")
    p.add_argument("--actor", metavar="姓名", help="经办人姓名（写入审计日志；未设用户时使用）")
    p.add_argument("--admin", metavar="姓名", help="同时创建管理员并启用登录（密码取自环境变量 GZDESK_NEW_PASSWORD，"
                                                   "或在终端输入）")
    add_db_option(p)
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("profiles", help="列出策略配置及其时限", description="列出策略配置；导出、导入可编辑的副本")
    add_db_option(p)
    add_json_option(p)
    ps = p.add_subparsers(dest="profiles_action", metavar="操作")
    e = ps.add_parser("export", help="把一个策略配置导出为 JSON 文件以便编辑")
    e.add_argument("id", metavar="ID", help="配置编号；写 current 表示本库正在使用的配置")
    e.add_argument("file", metavar="FILE")
    add_db_option(e)
    e.set_defaults(func=cmd_profiles_export)
    i = ps.add_parser("import", help="让本库使用一个编辑过的策略配置 JSON 文件")
    i.add_argument("file", metavar="FILE")
    add_db_option(i)
    i.set_defaults(func=cmd_profiles_import)
    p.set_defaults(func=cmd_profiles)


def cmd_init(args: argparse.Namespace) -> int:
    path = db_path(args)
    profile = profiles.by_id(args.profile)  # check before creating any file
    password = None
    if args.admin:  # asked before any file is made
        admin = args.admin.strip()
        password = ask_password(f"管理员“{admin}”的新密码：", "GZDESK_NEW_PASSWORD", f"管理员“{admin}”的密码",
                                confirm=True)
        problem = users.password_problem(admin, password)
        if problem:
            raise UserError(problem)
    existed = path.exists()
    db = open_db(args, create=True)
    try:
        with db.transaction(args.admin or args.actor) as s:
            info = office.init_office(s, args.unit, profile, args.actor)
            if args.admin and password is not None:
                users.add_user(s, args.admin, UserRole.ADMIN, password)
    except UserError:
        db.close()
        if not existed:
            path.unlink(missing_ok=True)
        raise
    db.close()
    print(f"已创建数据库 {path}")
    print(f"本单位：{info.unit_name}；策略配置：{info.profile.name}（{info.profile.id}）")
    if args.admin:
        print(f"已创建管理员“{args.admin.strip()}”；此后修改数据须登录（--user 姓名，或环境变量 GZDESK_USER）")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    items = profiles.bundled()
    current = None
    path = db_path(args)
    if path.exists():
        db = open_db(args)
        with db.reader() as s:
            if office.is_initialized(s):
                current = office.current_profile(s)
        db.close()
    if args.json:
        out = [_profile_json(p, current is not None and p.id == current.id) for p in items]
        if current is not None and all(p.id != current.id for p in items):
            out.append(_profile_json(current, True))
        print_json(out)
        return 0
    shown = list(items)
    if current is not None:
        shown = [current if p.id == current.id else p for p in shown]
        if all(p.id != current.id for p in items):
            shown.append(current)
    for p in shown:
        mark = "  ← 本库使用中" if current is not None and p.id == current.id else ""
        print(f"[{p.id}] {p.name}  {p.document}{mark}")
        for what, value, article in p.numbers():
            print(f"    {what}：{value}" + (f"（{article}）" if article else ""))
        print()
    return 0


def _profile_json(p: profiles.Profile, current: bool) -> dict:
    return {"id": p.id, "name": p.name, "document": p.document, "published_on": p.published_on,
            "template": p.template_id, "chain": [s["title"] for s in p.chain], "current": current,
            "numbers": [{"what": w, "value": v, "article": a} for w, v, a in p.numbers()]}


def cmd_profiles_export(args: argparse.Namespace) -> int:
    if args.id == "current":
        db = open_db(args)
        with db.reader() as s:
            p = office.current_profile(s)
        db.close()
    else:
        p = profiles.by_id(args.id)
    Path(args.file).write_text(p.to_json(), encoding="utf-8")
    print(f"已导出策略配置“{p.name}”到 {args.file}；编辑后用 gzdesk profiles import 让本库使用")
    return 0


def cmd_profiles_import(args: argparse.Namespace) -> int:
    p = profiles.load_file(Path(args.file))
    db = open_db(args)
    with db.transaction() as s:
        office.office(s)
        office.replace_profile(s, p)
    db.close()
    print(f"本库已改用策略配置“{p.name}”（{p.id}）")
    return 0
