"""``gzdesk demo``: fill a new database with realistic made-up data."""

from __future__ import annotations

import argparse

from gzdesk.cli.common import add_db_option, open_db


def register(sub) -> None:
    p = sub.add_parser("demo", help="向新数据库填入逼真的演示数据")
    p.add_argument("--accounts", type=int, default=300, metavar="N", help="账号数（1–200000，默认 300）")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（相同种子生成相同数据）")
    add_db_option(p)
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from gzdesk import demo

    db = open_db(args)
    try:
        result = demo.generate(db, args.accounts, args.seed)
    finally:
        db.close()
    print(f"已生成演示数据：单位 {result.units} 个，人员 {result.people} 名，账号 {result.accounts} 个，"
          f"管理队伍岗位 {result.roles} 条，备案 {result.filings} 件")
    return 0
