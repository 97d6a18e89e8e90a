"""``gzdesk workdays add DATE N`` / ``workdays count DATE1 DATE2``."""

from __future__ import annotations

import argparse

from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    db_path,
    open_db,
    parse_cli_date,
    print_json,
)
from gzdesk.errors import UserError
from gzdesk.workdays import WorkdayCalendar, load_calendar


def register(sub) -> None:
    p = sub.add_parser("workdays", help="工作日计算（法定节假日与调休）")
    ws = p.add_subparsers(dest="workdays_action", metavar="操作", required=True)
    a = ws.add_parser("add", help="DATE 之后第 N 个工作日（DATE 当天不计）")
    a.add_argument("date", metavar="DATE")
    a.add_argument("n", metavar="N", type=int)
    add_db_option(a)
    add_json_option(a)
    a.set_defaults(func=cmd_add)
    c = ws.add_parser("count", help="DATE1 之后到 DATE2（含）之间的工作日数")
    c.add_argument("start", metavar="DATE1")
    c.add_argument("end", metavar="DATE2")
    add_db_option(c)
    add_json_option(c)
    c.set_defaults(func=cmd_count)


def _calendar(args: argparse.Namespace) -> WorkdayCalendar:
    """The office's calendar when a database is at hand, else the plain one."""
    if db_path(args).exists():
        db = open_db(args)
        with db.reader() as s:
            cal = load_calendar(s)
        db.close()
        return cal
    return WorkdayCalendar()


def cmd_add(args: argparse.Namespace) -> int:
    start = parse_cli_date(args.date)
    try:
        result = _calendar(args).add(start, args.n)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json({"date": result.day, "provisional": result.provisional})
    else:
        print(result.day.isoformat() + ("  预估（该年份节假日安排尚未公布，按周末、法定节日和本单位节假日表推算）"
                                         if result.provisional else ""))
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    start, end = parse_cli_date(args.start), parse_cli_date(args.end)
    try:
        result = _calendar(args).count(start, end)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print_json({"workdays": result.days, "provisional": result.provisional})
    else:
        print(str(result.days) + ("  预估" if result.provisional else ""))
    return 0
