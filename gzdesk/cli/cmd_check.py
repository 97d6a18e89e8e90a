"""``gzdesk check``: rule findings, each with its source article."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date

from gzdesk.cli.common import add_db_option, add_json_option, open_db, parse_cli_date, print_json


def register(sub) -> None:
    p = sub.add_parser("check", help="按制度检查账号，列出问题及依据条款")
    p.add_argument("--today", metavar="DATE", help="检查日期（默认今天）")
    p.add_argument("--rule", metavar="规则", help="只列出该规则的结果（英文代码）")
    p.add_argument("--xlsx", metavar="FILE", help="同时把检查结果写成 Excel 表（.xlsx）")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from gzdesk import rules
    from gzdesk.office import office

    today = parse_cli_date(args.today) if args.today else date.today()
    db = open_db(args)
    with db.reader() as s:
        findings = rules.check(s, today)
        unit = office(s).unit_name
    db.close()
    if args.rule:
        findings = [f for f in findings if f.rule == args.rule]
    written = None
    if args.xlsx:
        from gzdesk.exchange.check_report import write_check_report

        written = write_check_report(args.xlsx, findings, today, unit)
    if args.json:
        print_json([f.to_json() for f in findings])
        return 0
    labels = rules.RULE_LABELS
    # a write per 5,000 lines (200,000 findings at 200,000 accounts: print() or a write per line cost
    # more; one string of them all, 30 MB more memory)
    for start in range(0, len(findings), 5000):
        sys.stdout.write("".join([f"[{f.level}] {labels.get(f.rule, f.rule)} "
                                  f"{f'{f.account}（{f.host_unit}）' if f.account else ''}：{f.message}　依据：{f.article}\n"
                                  for f in findings[start:start + 5000]]))
    counts = Counter(f.level for f in findings)
    print(f"共 {len(findings)} 条：" + "，".join(f"{k} {v} 条" for k, v in counts.items()) if findings else "未发现问题")
    if written is not None:
        print(f"已导出检查结果 {written} 条：{args.xlsx}")
    return 0
