"""``gzdesk report …``: reports upward.

    gzdesk report quarter 2026Q4 --out 2026Q4检查整改情况.pdf      # or .xlsx; the 4th quarter includes the year
    gzdesk report sent 2026Q4 --date 2027-01-04                     # recorded as sent (feeds the assessment)
    gzdesk report census --from 2026-01-01 --to 2026-12-31 --out 排查摸底.pdf [--text 报告文字.txt]
    gzdesk report census-text 报告文字.txt                           # the headings, with the last report's text
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from gzdesk.cli.common import add_db_option, add_json_option, open_db, parse_cli_date, print_json
from gzdesk.dates import cn_date
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("report", help="上报材料：季度检查整改情况、排查摸底报告")
    ps = p.add_subparsers(dest="report_action", metavar="操作", required=True)

    q = ps.add_parser("quarter", help="季度检查整改情况报告（.pdf 或 .xlsx）")
    q.add_argument("quarter", metavar="Q", help="季度，如 2026Q4")
    q.add_argument("--out", required=True, metavar="FILE")
    q.add_argument("--unit", metavar="单位", help="已合并快照的下级单位（默认本单位）")
    q.add_argument("--today", metavar="DATE", help="按该日期计算整改状态（默认今天）")
    _common(q, quarter_cmd)

    s = ps.add_parser("sent", help="登记季度报告的报送日期")
    s.add_argument("quarter", metavar="Q")
    s.add_argument("--date", required=True, metavar="DATE")
    s.add_argument("--note", metavar="TEXT")
    _common(s, sent_cmd)

    c = ps.add_parser("census", help="排查摸底报告（开设数量、基本情况、取得成效、存在问题、整改情况、意见建议）")
    c.add_argument("--from", dest="start", required=True, metavar="DATE")
    c.add_argument("--to", dest="end", required=True, metavar="DATE")
    c.add_argument("--out", required=True, metavar="FILE", help=".pdf 或 .xlsx")
    c.add_argument("--text", metavar="FILE", help="报告文字（每部分以标题单独一行开头；不给则沿用上次报告的文字）")
    c.add_argument("--unit", metavar="单位", help="已合并快照的下级单位（默认本单位）")
    _common(c, census_cmd)

    t = ps.add_parser("census-text", help="写出报告文字的模板（含上次报告的文字），编辑后用 --text 给出")
    t.add_argument("file", metavar="FILE")
    _common(t, census_text_cmd)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def _suffix(path: str, what: str) -> None:
    if Path(path).suffix.lower() not in (".pdf", ".xlsx"):
        raise UserError(f"{what}应写成 .pdf 或 .xlsx：{path}")


def quarter_cmd(args: argparse.Namespace) -> int:
    from gzdesk import quarters
    from gzdesk import scope as scope_mod
    from gzdesk.reports import quarter as quarter_report

    _suffix(args.out, "季度报告")
    q = quarters.parse(args.quarter)
    today = parse_cli_date(args.today) if args.today else date.today()
    db = open_db(args)
    try:
        with db.reader() as s:
            data = quarter_report.build(s, q, scope_mod.resolve(s, args.unit), today)
    finally:
        db.close()
    quarter_report.write(args.out, data)
    f = data.figures
    if args.json:
        print_json({"quarter": q.code, "unit": data.scope.name, "out": args.out, "due": data.due,
                    "sent_on": data.sent_on, "inspected": f.inspected, "active": f.active, "passed": f.passed,
                    "failed": f.failed, "problems": [{"item": p.item, "kind": p.kind, "accounts": p.accounts,
                                                      "cases": p.cases, "points": p.points} for p in f.problems]})
        return 0
    print(f"{data.title}：检查 {f.inspected}/{f.active} 个账号（{f.coverage_text}），合格率 {f.pass_rate_text}")
    print(f.rectify.text)
    print(f"应于{cn_date(data.due)}前报送" + (f"，已于{cn_date(data.sent_on)}报送" if data.sent_on else
                                          "；报送后请登记：gzdesk report sent " + q.code + " --date 日期"))
    print(f"已写出：{args.out}")
    return 0


def sent_cmd(args: argparse.Namespace) -> int:
    from gzdesk.reports import quarter as quarter_report

    on = parse_cli_date(args.date)
    db = open_db(args)
    try:
        with db.transaction() as s:
            q, on_time = quarter_report.record_sent(s, args.quarter, on, args.note)
    finally:
        db.close()
    if args.json:
        print_json({"quarter": q.code, "sent_on": on, "on_time": on_time})
        return 0
    print(f"已登记{q.label}检查整改情况于{cn_date(on)}报送" + ("" if on_time else "（已逾期）"))
    return 0


def census_cmd(args: argparse.Namespace) -> int:
    from gzdesk import scope as scope_mod
    from gzdesk.office import current_profile
    from gzdesk.reports import census

    _suffix(args.out, "排查摸底报告")
    start, end = parse_cli_date(args.start), parse_cli_date(args.end)
    raw = None
    if args.text:
        try:
            raw = Path(args.text).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise UserError(f"无法读取报告文字“{args.text}”（应为 UTF-8 文本）") from None
    db = open_db(args)
    reused = None
    try:
        with db.transaction() as s:
            sections = census.sections_of(current_profile(s))
            if raw is not None:
                texts = census.parse_text(raw, sections)
            else:
                texts, reused = census.previous_texts(s)
            data = census.build(s, start, end, scope_mod.resolve(s, args.unit), texts)
            census.write(args.out, data)
            if raw is not None:
                census.save(s, data)
    finally:
        db.close()
    empty = [x for x in data.sections if x not in census.FIGURES_ONLY and not data.texts.get(x)]
    if args.json:
        print_json({"out": args.out, "from": start, "to": end, "unit": data.scope.name, "accounts": data.total,
                    "active": data.active, "opened": len(data.opened), "closed": len(data.closed),
                    "merged": len(data.merged), "empty_sections": empty})
        return 0
    if raw is None:
        print(f"未给出 --text，沿用{cn_date(reused)}报告的文字" if reused else
              "未给出 --text，也没有上次报告的文字：各部分文字为“（未填写）”")
    if empty:
        print(f"未填写：{'、'.join(empty)}（用 gzdesk report census-text 文件 写出模板，填写后用 --text 给出）")
    print(f"{data.scope.name}{data.period_text}：账号 {data.total} 个（在运行 {data.active} 个），新开设 "
          f"{len(data.opened)} 个，关停注销 {len(data.closed)} 个，整合 {len(data.merged)} 次")
    print(f"已写出：{args.out}")
    return 0


def census_text_cmd(args: argparse.Namespace) -> int:
    from gzdesk.office import current_profile
    from gzdesk.reports import census

    db = open_db(args)
    try:
        with db.reader() as s:
            previous, when = census.previous_texts(s)
            text = census.template_text(census.sections_of(current_profile(s)), previous)
    finally:
        db.close()
    try:
        Path(args.file).write_text(text, encoding="utf-8")
    except OSError:
        raise UserError(f"无法写入“{args.file}”") from None
    print(f"已写出报告文字模板：{args.file}" + (f"（含{cn_date(when)}报告的文字）" if when else ""))
    return 0
