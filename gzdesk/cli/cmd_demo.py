"""``gzdesk demo``: fill a new database with realistic made-up data.

On a path with no database yet, demo creates it for a made-up office first (``--unit``,
``--profile``; by default 运城市盐湖区人民政府办公室 with the 盐湖区 profile), so that
``gzdesk demo --accounts 300 --db 试用.db`` works on its own.
"""

from __future__ import annotations

import argparse

from gzdesk import dblock, office, profiles
from gzdesk.cli.common import add_db_option, db_path, open_db
from gzdesk.errors import UserError

DEFAULT_UNIT = "运城市盐湖区人民政府办公室"
DEFAULT_PROFILE = "yanhu"


def register(sub) -> None:
    p = sub.add_parser("demo", help="向新数据库填入逼真的演示数据（数据库不存在时先新建）")
    p.add_argument("--accounts", type=int, default=300, metavar="N", help="账号数（1–200000，默认 300）")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（相同种子生成相同数据）")
    p.add_argument("--unit", metavar="名称", help=f"新建数据库时的本单位名称（默认 {DEFAULT_UNIT}）")
    p.add_argument("--profile", metavar="ID", help=f"新建数据库时的策略配置（默认 {DEFAULT_PROFILE}，见 gzdesk profiles）")
    add_db_option(p)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from gzdesk import demo

    path = db_path(args)
    existed = path.exists()
    profile = profiles.by_id(args.profile or DEFAULT_PROFILE)  # checked before any file is made
    db = open_db(args, create=True)
    made = None
    try:
        with db.transaction() as s:
            if not office.is_initialized(s):
                made = office.init_office(s, args.unit or DEFAULT_UNIT, profile)
            elif args.unit or args.profile:
                raise UserError(f"数据库“{path.name}”已设置本单位（{office.office(s).unit_name}），"
                                "--unit 和 --profile 只用于新建数据库")
        result = demo.generate(db, args.accounts, args.seed)
    except BaseException:
        db.close()
        if not existed:
            for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
                             *dblock.side_files(path)):
                leftover.unlink(missing_ok=True)
        raise
    db.close()
    if made is not None:
        print(f"已新建数据库 {path}（本单位：{made.unit_name}；策略配置：{made.profile.name}）")
    print(f"已生成演示数据：单位 {result.units} 个，人员 {result.people} 名，账号 {result.accounts} 个，"
          f"管理队伍岗位 {result.roles} 条，备案 {result.filings} 件")
    return 0
