"""``gzdesk holidays``: the office's own holiday table for years not yet built in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gzdesk import holidays
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    open_db,
    parse_cli_date,
    print_json,
    print_table,
)
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("holidays", help="本单位节假日表（用于程序尚未内置的年份）；读入国务院节假日安排通知")
    hs = p.add_subparsers(dest="holidays_action", metavar="操作")
    i = hs.add_parser("import", help="读入《国务院办公厅关于YYYY年部分节假日安排的通知》（先显示读到的内容，--apply 写入）",
                      description="读入国务院办公厅的节假日安排通知（文本文件，或 - 表示从标准输入粘贴）。"
                                  "先显示读到的放假和上班日期供核对；确认无误后加 --apply 写入本单位节假日表，"
                                  "该年份的工作日计算即不再标注“预估”。")
    i.add_argument("file", metavar="FILE", help="通知全文的文本文件（.txt，或从网页另存的 .html），- 为标准输入")
    i.add_argument("--apply", action="store_true", help="核对无误后写入本单位节假日表")
    i.add_argument("--year", type=int, metavar="YYYY", help="通知年份（标题中没有年份时）")
    add_db_option(i)
    add_json_option(i)
    i.set_defaults(func=cmd_import)
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


def read_text(file: str) -> str:
    """A notice's text from a file, or from stdin (``-``: pasted on a terminal)."""
    from gzdesk.holiday_notice import read_file

    return sys.stdin.read() if file == "-" else read_file(Path(file))


def cmd_import(args: argparse.Namespace) -> int:
    from gzdesk import holiday_notice

    text = read_text(args.file)
    notice = holiday_notice.parse(text, args.year)
    diff = holiday_notice.differences(notice)
    applied = False
    if args.apply:
        if diff is not None:
            raise UserError(f"{notice.year}年的节假日安排已内置，无需导入" +
                            (f"；与通知不同的日期：{'；'.join(d.text() for d in diff)}" if diff else "，与通知一致"))
        db = open_db(args)
        try:
            with db.transaction() as s:
                holidays.import_notice(s, notice, text)
        finally:
            db.close()
        applied = True
    if args.json:
        out = notice.to_json()
        out.update(title=notice.title, amends=notice.amends, unused=notice.unused, applied=applied,
                   differences=None if diff is None else [{"date": d.day.isoformat(), "notice_workday": d.notice,
                                                           "package_workday": d.package} for d in diff])
        print_json(out)
        return 0
    print(f"读到：{notice.title or f'{notice.year}年节假日安排'}（{notice.year}年）"
          + ("——调整通知，只改所列日期" if notice.amends else ""))
    weekdays = "一二三四五六日"
    print_table(["日期", "星期", "安排", "节日"],
                [[d.day.isoformat(), f"星期{weekdays[d.day.weekday()]}", d.kind_label, d.name] for d in notice.days])
    print(f"共放假 {len(notice.off)} 天（含周末）、调休上班 {len(notice.workdays)} 天")
    for clause in notice.unused:
        print(f"未采用：{clause}（不是放假或上班的安排）")
    if diff is not None:
        if diff:
            print(f"与内置日历（{notice.year}年已内置）不同之处：")
            for d in diff:
                print(f"  {d.text()}")
        else:
            print(f"与内置日历（{notice.year}年已内置）完全一致")
        print("该年份已内置，无需写入本单位节假日表")
    elif applied:
        print(f"已写入本单位节假日表：{notice.year}年的工作日按通知计算，不再标注“预估”")
    else:
        print("请核对以上日期；无误后加 --apply 写入本单位节假日表")
    return 0
