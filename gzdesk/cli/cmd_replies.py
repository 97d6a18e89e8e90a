"""``gzdesk replies``: replies to messages found at a check (太白 第十一条: 原则上回复处理不超过2天)."""

from __future__ import annotations

import argparse

from gzdesk import reply_checks
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    open_db,
    parse_cli_date,
    print_json,
    print_table,
)
from gzdesk.dates import cn_date


def register(sub) -> None:
    p = sub.add_parser("replies", help="检查中发现的留言回复情况（太白县第十一条：回复不超过2天）")
    ps = p.add_subparsers(dest="replies_action", metavar="操作", required=True)
    a = ps.add_parser("add", help="登记检查时看到的一条留言及其答复")
    a.add_argument("account", type=int, metavar="ACCOUNT", help="账号编号")
    a.add_argument("--found", required=True, metavar="DATE", help="检查日期")
    a.add_argument("--message-date", required=True, metavar="DATE", help="网民留言的日期")
    a.add_argument("--reply-date", metavar="DATE", help="答复的日期（检查时尚未答复的不填）")
    a.add_argument("--summary", metavar="TEXT", help="留言摘要")
    add_db_option(a)
    add_json_option(a)
    a.set_defaults(func=cmd_add)
    ls = ps.add_parser("list", help="列出登记的留言回复情况")
    ls.add_argument("--account", type=int, metavar="ID")
    add_db_option(ls)
    add_json_option(ls)
    ls.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace) -> int:
    replied = parse_cli_date(args.reply_date) if args.reply_date else None
    db = open_db(args)
    try:
        with db.transaction() as s:
            r = reply_checks.add(s, args.account, parse_cli_date(args.found), parse_cli_date(args.message_date),
                                 replied, args.summary)
    finally:
        db.close()
    if args.json:
        print_json(r.to_json())
    else:
        print(f"已登记：{r.account_name}，{r.describe()}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            rows = reply_checks.list_records(s, account_id=args.account)
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    print_table(["编号", "账号", "检查日期", "留言日期", "答复日期", "间隔（天）"],
                [[r.id, r.account_name, cn_date(r.found_on), cn_date(r.message_on),
                  cn_date(r.replied_on) if r.replied_on else "未答复", r.waited] for r in rows])
    return 0
