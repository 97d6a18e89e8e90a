"""``gzdesk due [--today DATE] [--json]``: pending deadlines, overdue first."""

from __future__ import annotations

import argparse
from datetime import date

from gzdesk import deadlines, filing_announcements
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
    p = sub.add_parser("due", help="待办时限：逾期的在前")
    add_db_option(p)
    add_json_option(p)
    p.add_argument("--today", metavar="DATE", help="按该日期计算（默认今天）")
    p.add_argument("--overdue", action="store_true", help="只列出已逾期的")
    p.set_defaults(func=cmd_due)


def cmd_due(args: argparse.Namespace) -> int:
    today = parse_cli_date(args.today) if args.today else date.today()
    db = open_db(args)
    try:
        if db.held_by_window is None and db.may_write():
            with db.transaction() as s:
                # closures whose 公告 has run take effect; never ahead of the real date
                applied = filing_announcements.apply_due_effects(s, min(today, date.today()))
                items = deadlines.pending(s, today)
        else:  # the window has the file (it applies those effects itself), the file is read-only,
            # or the user may not write (只读, or nobody logged in on a database with users)
            applied = []
            with db.reader() as s:
                items = deadlines.pending(s, today)
    finally:
        db.close()
    if args.overdue:
        items = [i for i in items if i.overdue]
    if args.json:
        print_json([i.to_json() for i in items])
        return 0
    for e in applied:
        print(f"公告期满：账号“{e.account_name}”已于{cn_date(e.effective_on)}{e.status_label}（备案{e.filing_number}）")
    print_table(["到期", "剩余", "类别", "事项", "备案号", "依据"],
                [[i.due_text, i.left_text, i.kind_label, i.title, i.filing_number or "", i.article] for i in items])
    late = sum(1 for i in items if i.overdue)
    print(f"共 {len(items)} 项待办，其中逾期 {late} 项（按{cn_date(today)}计）")
    return 0
