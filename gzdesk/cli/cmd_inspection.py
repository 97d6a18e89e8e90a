"""``gzdesk inspection …``: quarterly inspections with the indicator sheet (南通 附件2).

    gzdesk inspection new 12 --quarter 2026Q4 --date 2026-11-20 --inspector 王建国 \\
        --deduct 内容更新不及时=3 --veto 内容不更新 --note "内容更新不及时=第3、4、6周无更新"
    gzdesk inspection list --quarter 2026Q4 [--json]
    gzdesk inspection show 5
    gzdesk inspection sheet
    gzdesk inspection notify --quarter 2026Q4 --date 2026-12-01      # 通报: starts the 10 days of 整改
"""

from __future__ import annotations

import argparse
from datetime import date

from gzdesk import enums, indicator_sheets, inspections, quarters
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
    p = sub.add_parser("inspection", help="季度检查：按检查指标检查账号、计分、通报")
    ps = p.add_subparsers(dest="inspection_action", metavar="操作", required=True)

    n = ps.add_parser("new", help="登记一次检查（按检查指标计分）")
    n.add_argument("account", metavar="ACCOUNT", help="账号编号（或唯一的账号名称）")
    n.add_argument("--quarter", metavar="Q", help="季度，如 2026Q4（默认：检查日期所在季度）")
    n.add_argument("--date", required=True, metavar="DATE", help="检查日期")
    n.add_argument("--inspector", required=True, metavar="NAME", help="检查人")
    n.add_argument("--veto", action="append", default=[], metavar="二级指标[=细则序号]",
                   help="单项否决指标，可重复，如 --veto 内容不更新 或 --veto 内容不更新=2")
    n.add_argument("--deduct", action="append", default=[], metavar="二级指标[=次数]",
                   help="扣分指标，可重复，如 --deduct 内容更新不及时=3")
    n.add_argument("--clear", action="append", default=[], metavar="二级指标",
                   help="去掉据本库登记信息预填的一项（核实后不存在）")
    n.add_argument("--no-prefill", action="store_true", help="不按本库登记信息预填")
    n.add_argument("--level", default="本级检查", metavar="类别", help="本级检查（默认）/市办抽查/省办抽查/国办抽查")
    n.add_argument("--note", action="append", default=[], metavar="TEXT",
                   help="备注；写成 二级指标=说明 时是该项问题的说明，可重复")
    _common(n, new_cmd)

    ls = ps.add_parser("list", help="列出检查记录")
    ls.add_argument("--quarter", metavar="Q", help="只列出该季度")
    ls.add_argument("--unit", metavar="单位", help="已合并快照的下级单位（默认本单位）")
    ls.add_argument("--account", metavar="ID", help="只列出该账号")
    _common(ls, list_cmd)

    sh = ps.add_parser("show", help="显示一次检查")
    sh.add_argument("id", metavar="ID")
    _common(sh, show_cmd)

    st = ps.add_parser("sheet", help="检查指标：各项分值与评分细则")
    _common(st, sheet_cmd)

    nt = ps.add_parser("notify", help="登记通报日期：发现的问题自通报之日起10日内整改")
    nt.add_argument("--quarter", required=True, metavar="Q")
    nt.add_argument("--date", required=True, metavar="DATE", help="通报日期")
    nt.add_argument("--id", action="append", type=int, default=[], metavar="ID", help="只通报这些检查记录，可重复")
    _common(nt, notify_cmd)

    dl = ps.add_parser("delete", help="删除误登记的检查记录（连同其整改事项）")
    dl.add_argument("id", metavar="ID")
    _common(dl, delete_cmd)

    un = ps.add_parser("unusable", help="登记移动客户端（APP）无法下载或使用（附件2 内容不更新）")
    un.add_argument("account", metavar="ACCOUNT")
    g = un.add_mutually_exclusive_group(required=True)
    g.add_argument("--since", metavar="DATE", help="自该日起无法下载或使用")
    g.add_argument("--usable", action="store_true", help="已恢复可以下载使用")
    _common(un, unusable_cmd)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def _pair(text: str, what: str) -> tuple[str, int | None]:
    name, sep, value = text.replace("＝", "=").partition("=")
    if not sep:
        return name.strip(), None
    value = value.strip()
    if not value.isdigit():
        raise UserError(f"{what}“{text}”中“=”后应为正整数")
    return name.strip(), int(value)


def _print(args, d: inspections.InspectionData, headline: str | None = None) -> None:
    if args.json:
        print_json(d.to_json())
        return
    if headline:
        print(headline)
    print(f"检查 {d.id}：{d.account_name}（{d.platform_label}，{d.host_unit or '主办单位未填'}）"
          f"  {d.quarter_label}  {cn_date(d.inspected_on)}  检查人：{d.inspector}  {d.level_label}")
    score = "—（单项否决，不再对其他指标评分）" if d.score is None else f"{d.score}分"
    print(f"结果：{d.result}  得分：{score}")
    for f in d.veto:
        rule = f"第{f.rule_no}项：{f.rule}" if f.rule_no else ""
        print(f"  [单项否决] {f.item}{('（' + rule + '）') if rule else ''}"
              f"{'（据本库登记信息）' if f.prefilled else ''}{('  ' + f.note) if f.note else ''}")
    for f in d.deductions:
        pts = "不计分" if f.points is None else f"扣{f.points}分"
        print(f"  [扣分] {f.item} ×{f.count}  {pts}{'（据本库登记信息）' if f.prefilled else ''}"
              f"{('  ' + f.note) if f.note else ''}")
    if not d.findings:
        print("  未发现问题")
    if d.notified_on:
        print(f"通报：{cn_date(d.notified_on)}，整改期限至{cn_date(max(f.due_on for f in d.findings if f.due_on))}"
              if any(f.due_on for f in d.findings) else f"通报：{cn_date(d.notified_on)}")
    elif d.findings:
        print("尚未通报：登记通报日期后，问题应于10日内整改（gzdesk inspection notify）")
    if d.note:
        print(f"备注：{d.note}")
    print(f"依据：{d.sheet_source}")


def new_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    q = quarters.parse(args.quarter) if args.quarter else quarters.of(on)
    vetoes = [_pair(v, "--veto") for v in args.veto]
    deductions = []
    for d in args.deduct:
        name, count = _pair(d, "--deduct")
        deductions.append((name, 1 if count is None else count))
    notes: dict[str, str] = {}
    general: list[str] = []
    db = open_db(args)
    try:
        with db.transaction() as s:
            sheet = inspections.sheet_of(s)
            names = {indicator_sheets.normalize_name(it.name) for it in sheet.items()}
            for text in args.note:
                head, sep, rest = text.replace("＝", "=").partition("=")
                if sep and indicator_sheets.normalize_name(head) in names:
                    notes[head.strip()] = rest.strip()
                else:
                    general.append(text.strip())
            account_id = inspections.find_account(s, args.account)
            pre = [] if args.no_prefill else inspections.prefill(s, account_id, on, sheet)
            findings = inspections.compose(sheet, pre, vetoes, deductions, args.clear, notes)
            d = inspections.new_inspection(s, account_id, q, on, args.inspector, findings, level=args.level,
                                           note="；".join(t for t in general if t) or None)
    finally:
        db.close()
    _print(args, d, f"已登记检查 {d.id}")
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    from gzdesk import scope as scope_mod

    db = open_db(args)
    try:
        with db.reader() as s:
            sc = scope_mod.resolve(s, args.unit)
            account_id = inspections.find_account(s, args.account) if args.account else None
            rows = inspections.list_inspections(s, quarters.parse(args.quarter) if args.quarter else None, sc,
                                                account_id)
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    print_table(["编号", "季度", "检查日期", "账号", "平台", "主办单位", "类别", "得分", "结果", "问题", "未整改", "通报"],
                [[r.id, r.quarter, cn_date(r.inspected_on), r.account, r.platform_label, r.host_unit or "",
                  r.level_label, r.score_text, r.result, r.findings, r.open_items, cn_date(r.notified_on)]
                 for r in rows])
    failed = sum(1 for r in rows if r.result == indicator_sheets.FAIL)
    print(f"共 {len(rows)} 次检查，不合格 {failed} 次")
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            d = inspections.get_inspection(s, inspections.find_inspection(s, args.id))
    finally:
        db.close()
    _print(args, d)
    return 0


def sheet_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            sheet = inspections.sheet_of(s)
    finally:
        db.close()
    if args.json:
        print_json({"id": sheet.id, "title": sheet.title, "source": sheet.source_note, "borrowed": sheet.borrowed,
                    "total": sheet.total, "pass_mark": sheet.pass_mark, "explanation": sheet.explanation,
                    "veto": [{"item": it.name, "rules": [ln.rule for ln in it.lines]} for it in sheet.veto],
                    "deductions": [{"item": it.name, "rule": it.lines[0].rule, "points": it.points,
                                    "per_case": it.lines[0].each, "flat": it.lines[0].flat}
                                   for it in sheet.deductions]})
        return 0
    print(f"《{sheet.title}》  {sheet.source_note}")
    print(f"{sheet.groups.get('veto') or '单项否决指标'}（{'出现任意一种，即单项否决'}）：")
    for it in sheet.veto:
        print(f"  {it.name}：" + " ".join(f"{ln.n}. {ln.rule}" for ln in it.lines))
    print(f"{sheet.groups.get('deduction') or '扣分指标'}：")
    print_table(["二级指标", "分值", "评分细则"],
                [[it.name, it.points, it.lines[0].rule] for it in sheet.deductions])
    print(sheet.explanation)
    return 0


def notify_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    db = open_db(args)
    try:
        with db.transaction() as s:
            n = inspections.notify(s, args.quarter, on, args.id or None)
            days = inspections.rectify_days(s)
    finally:
        db.close()
    due = date.fromordinal(on.toordinal() + days)
    if args.json:
        print_json({"notified": n, "notified_on": on, "due": due})
        return 0
    print(f"已登记通报 {n} 次检查（{cn_date(on)}），发现的问题应于{cn_date(due)}前整改完成")
    return 0


def delete_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.transaction() as s:
            name = inspections.delete_inspection(s, inspections.find_inspection(s, args.id))
    finally:
        db.close()
    print(f"已删除检查记录 {args.id}（{name}）")
    return 0


def unusable_cmd(args: argparse.Namespace) -> int:
    since = None if args.usable else parse_cli_date(args.since)
    db = open_db(args)
    try:
        with db.transaction() as s:
            account_id = inspections.find_account(s, args.account)
            name, platform = inspections.set_unusable(s, account_id, since)
    finally:
        db.close()
    what = (f"自{cn_date(since)}起无法下载或使用" if since else "已恢复可以下载使用")
    print(f"账号“{name}”（{enums.label('platform', platform)}）{what}")
    return 0
