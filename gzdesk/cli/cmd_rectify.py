"""``gzdesk rectify …``: 整改 items of the inspections (附件3 通报整改: 通报公开之日起10日内).

    gzdesk rectify list [--open] [--overdue] [--quarter 2026Q4] [--json]
    gzdesk rectify done 7,8 --date 2026-12-03 [--note "已更新内容"]
    gzdesk rectify undo 7
"""

from __future__ import annotations

import argparse
from datetime import date

from gzdesk import rectify
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    open_db,
    parse_cli_date,
    print_json,
    print_table,
)
from gzdesk.dates import cn_date
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("rectify", help="整改事项：列出、登记整改完成")
    ps = p.add_subparsers(dest="rectify_action", metavar="操作", required=True)

    ls = ps.add_parser("list", help="列出整改事项（逾期的在前）")
    ls.add_argument("--open", action="store_true", help="只列出未整改的")
    ls.add_argument("--overdue", action="store_true", help="只列出已逾期的")
    ls.add_argument("--quarter", metavar="Q", help="只列出该季度检查发现的")
    ls.add_argument("--unit", metavar="单位", help="已合并快照的下级单位（默认本单位）")
    ls.add_argument("--today", metavar="DATE", help="按该日期判断逾期（默认今天）")
    _common(ls, list_cmd)

    dn = ps.add_parser("done", help="登记整改完成")
    dn.add_argument("ids", metavar="ID[,ID…]", help="整改事项编号，逗号分隔")
    dn.add_argument("--date", required=True, metavar="DATE", help="整改完成日期")
    dn.add_argument("--note", metavar="TEXT", help="整改情况说明")
    _common(dn, done_cmd)

    un = ps.add_parser("undo", help="撤销误登记的整改完成")
    un.add_argument("id", metavar="ID", type=int)
    _common(un, undo_cmd)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def list_cmd(args: argparse.Namespace) -> int:
    from gzdesk import scope as scope_mod

    today = parse_cli_date(args.today) if args.today else date.today()
    db = open_db(args)
    try:
        with db.reader() as s:
            sc = scope_mod.resolve(s, args.unit)
            rows = rectify.list_items(s, today, open_only=args.open, quarter=args.quarter, scope=sc,
                                      overdue_only=args.overdue)
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    print_table(["编号", "状态", "整改期限", "完成日期", "账号", "问题", "检查", "说明"],
                [[r.id, r.status, cn_date(r.due_on) or "待通报", cn_date(r.done_on), r.account, r.what,
                  f"{r.quarter} 第{r.inspection_id}号", r.rectify_note or r.note or ""] for r in rows])
    print(rectify.summarize(rows).text + f"（按{cn_date(today)}计）")
    return 0


def _ids(text: str) -> list[int]:
    try:
        return [int(x) for x in text.replace("，", ",").split(",") if x.strip()]
    except ValueError:
        raise UserError(f"整改事项编号应为逗号分隔的数字，收到“{text}”") from None


def done_cmd(args: argparse.Namespace) -> int:
    ids = _ids(args.ids)
    on = parse_cli_date(args.date)
    db = open_db(args)
    try:
        with db.transaction() as s:
            n = rectify.mark_done(s, ids, on, args.note)
    finally:
        db.close()
    print(f"已登记整改完成 {n} 项（{cn_date(on)}）")
    return 0


def undo_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.transaction() as s:
            rectify.reopen(s, args.id)
    finally:
        db.close()
    print(f"已撤销整改事项 {args.id} 的整改完成登记")
    return 0
