"""``gzdesk holidays``: the office's own holiday table for years not yet built in."""

from __future__ import annotations

import argparse

from gzdesk import holidays
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    open_db,
    parse_cli_date,
    print_json,
    print_table,
)


def register(sub) -> None:
    p = sub.add_parser("holidays", help="本单位节假日表（用于程序尚未内置的年份）")
    hs = p.add_subparsers(dest="holidays_action", metavar="操作")
    a = hs.add_parser("set", help="登记一天：放假或调休上班")
    a.add_argument("date", metavar="DATE")
    kind = a.add_mutually_exclusive_group(required=True)
    kind.add_argument("--off", action="store_true", help="放假")
    kind.add_argument("--work", action="store_true", help="调休上班")
    a.add_argument("--name", default="", metavar="名称", help="如 春节")
    add_db_option(a)
    a.set_defaults(func=cmd_set)
    r = hs.add_parser("remove", help="删除一天")
    r.add_argument("date", metavar="DATE")
    add_db_option(r)
    r.set_defaults(func=cmd_remove)
    add_db_option(p)
    add_json_option(p)
    p.add_argument("--year", type=int, metavar="YYYY")
    p.set_defaults(func=cmd_list)


def cmd_list(args: argparse.Namespace) -> int:
    db = open_db(args)
    with db.reader() as s:
        rows = holidays.list_holidays(s, args.year)
    db.close()
    if args.json:
        print_json([{"date": r.day, "workday": r.workday, "name": r.name} for r in rows])
    else:
        print_table(["日期", "安排", "名称"], [[r.day.isoformat(), r.kind_label, r.name] for r in rows])
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    day = parse_cli_date(args.date)
    db = open_db(args)
    with db.transaction() as s:
        holidays.set_holiday(s, day, bool(args.work), args.name)
    db.close()
    print(f"已登记 {day.isoformat()}：{'调休上班' if args.work else '放假'}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    day = parse_cli_date(args.date)
    db = open_db(args)
    with db.transaction() as s:
        holidays.remove_holiday(s, day)
    db.close()
    print(f"已删除 {day.isoformat()}")
    return 0
