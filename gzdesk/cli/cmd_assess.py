"""``gzdesk assess YEAR``: the annual assessment of supervision work (南通 附件3), counted from the registry.

    gzdesk assess 2026 [--unit 海门区人民政府办公室] [--set 考核评价=0] [--set 表彰表扬=2] [--json] [--out 考核.pdf]

``--set 二级指标=VALUE`` (``二级指标.N`` for a numbered line, e.g. ``抽查检查.1``) enters what the registry
cannot know, or overrides a count: a number of cases, 是/否 for whether the 评分细则's situation
occurred, or for 检查比例 the points (0, 5, 10). ``--set 二级指标=`` removes an entry.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from gzdesk import assessment
from gzdesk.cli.common import add_db_option, add_json_option, open_db, parse_cli_date, print_json
from gzdesk.dates import cn_date
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("assess", help="政务新媒体监管工作年度考核（附件3）：据本库计分")
    p.add_argument("year", metavar="YEAR", type=int, help="考核年度，如 2026")
    p.add_argument("--unit", metavar="单位", help="已合并快照的下级单位（默认本单位）")
    p.add_argument("--set", action="append", default=[], metavar="二级指标=VALUE",
                   help="手工填写本库无从得知的项，或更正计得的值；可重复；值为空则删除")
    p.add_argument("--note", metavar="TEXT", help="与 --set 一起：所填值的说明或依据")
    p.add_argument("--today", metavar="DATE", help="按该日期计算（默认今天）")
    p.add_argument("--out", metavar="FILE", help="写出考核评分表（.pdf 或 .xlsx）")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_assess)


def cmd_assess(args: argparse.Namespace) -> int:
    from gzdesk import scope as scope_mod

    today = parse_cli_date(args.today) if args.today else date.today()
    pairs = []
    for item in args.set:
        key, sep, value = item.replace("＝", "=").partition("=")
        if not sep:
            raise UserError(f"--set 应写成 二级指标=值，收到“{item}”")
        pairs.append((key.strip(), value.strip()))
    if args.out and Path(args.out).suffix.lower() not in (".pdf", ".xlsx"):
        raise UserError(f"考核评分表应写成 .pdf 或 .xlsx：{args.out}")
    db = open_db(args)
    try:
        if pairs:
            with db.transaction() as s:
                sc = scope_mod.resolve(s, args.unit)
                for key, value in pairs:
                    assessment.set_entry(s, args.year, sc, key, value, args.note)
        with db.reader() as s:
            sc = scope_mod.resolve(s, args.unit)
            a = assessment.assess(s, args.year, sc, today)
    finally:
        db.close()
    if args.out:
        from gzdesk.reports import assessment_sheet

        assessment_sheet.write(args.out, a)
    if args.json:
        print_json(a.to_json())
        return 0
    print(f"{a.scope.name} {a.year}年度政务新媒体监管工作考核（按{cn_date(a.today)}计）")
    print(f"依据：{a.sheet.source_note}")
    for it in a.items:
        label = assessment.GROUP_LABELS[it.group]
        if it.group == "veto":
            head = f"[{label}] {it.name}：" + ("否决" if it.hit else "未出现")
        elif it.group == "bonus" and a.tally.bonus is None:
            head = f"[{label}] {it.name}：不计（{'单项否决' if a.tally.vetoed else '未高于80分'}，不进入加分环节）"
        else:
            head = f"[{label}] {it.name}：{'扣' if it.group == 'deductions' else '加'}{it.points}分（分值{it.cap}）"
        print(head)
        for ln in it.lines:
            mark = f"第{ln.key.split('.')[-1]}项 " if "." in ln.key else ""
            pts = "" if it.group == "veto" else f"，{ln.points}分"
            print(f"    {mark}值 {ln.value}{pts} — {ln.source}" + (f"（{ln.note}）" if ln.note else ""))
    print(f"结果：{a.result_text}")
    if a.unknown:
        print(f"本库无从得知、尚未填写：{'、'.join(a.unknown)}（用 --set 填写）")
    if args.out:
        print(f"已写出考核评分表：{args.out}")
    return 0
