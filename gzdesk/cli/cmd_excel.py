"""``gzdesk export-excel`` / ``gzdesk import-excel``: the 台账 out and in (issue 4)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gzdesk.cli.common import add_db_option, add_json_option, open_db, print_json

if TYPE_CHECKING:
    from gzdesk.exchange.import_plan import ImportPlan


def register(sub) -> None:
    p = sub.add_parser("export-excel", help="导出 Excel 台账（账号、管理队伍、备案记录）")
    p.add_argument("file", metavar="FILE", help="导出的 .xlsx 文件")
    p.add_argument("--mask-phones", action="store_true", help="电话号码脱敏（138****1234），用于对外报送的副本")
    p.add_argument("--template", action="store_true", help="导出空白导入模板（同样的列和下拉选项）")
    add_db_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import-excel", help="从 Excel/CSV 台账导入账号（先预览，全部通过才写入）")
    p.add_argument("file", metavar="FILE", help=".xlsx / .xls / .ods / .csv 文件")
    p.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    p.add_argument("--sheet", metavar="NAME", help="账号所在的工作表（默认自动查找）")
    p.add_argument("--skip-bad", action="store_true", help="跳过有问题的行，导入其余各行")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_import)


def _progress_printer(what: str):
    """A progress callback that redraws one line on a terminal (silent when piped)."""
    if not sys.stderr.isatty():
        return None

    def callback(done: int, total: int) -> bool:
        sys.stderr.write(f"\r{what}：{done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
        return True

    return callback


def cmd_export(args: argparse.Namespace) -> int:
    from gzdesk.exchange.excel_export import export_template, export_workbook
    from gzdesk.office import office

    path = Path(args.file)
    if args.template:
        unit = ""
        if getattr(args, "db", None) and Path(args.db).exists():
            db = open_db(args)
            with db.reader() as s:
                unit = office(s).unit_name
            db.close()
        export_template(path, unit)
        print(f"已导出空白导入模板：{path}")
        return 0
    db = open_db(args)
    try:
        with db.reader() as s:
            result = export_workbook(s, path, mask_phones=args.mask_phones, progress=_progress_printer("导出"))
    finally:
        db.close()
    masked = "（电话已脱敏）" if result.masked else ""
    print(f"已导出台账{masked}：{path}（账号 {result.accounts} 个，管理队伍 {result.team_rows} 行，"
          f"备案记录 {result.filings} 条，单位 {result.units} 个）")
    for item in result.long_texts[:20]:
        print("提示：" + item.message())
    if len(result.long_texts) > 20:
        print(f"提示：另有 {len(result.long_texts) - 20} 处超长文本，同样接在“超长文本”工作表")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """The file is read (and planned) before the database is touched; a ``--dry-run`` compares it in
    a read, an import in the one transaction that writes it, so the comparison is made once and is
    the one the write goes by."""
    from gzdesk.exchange.excel_import import apply_plan, check_against, read_workbook

    db = open_db(args)
    try:
        if args.dry_run:
            with db.reader() as s:
                plan = read_workbook(args.file, sheet=args.sheet, session=s, keep_rows=False)
            if args.json:  # scripts get the preview as JSON; nothing is written
                _print_preview_json(plan)
            else:
                _print_preview(plan)
                print("预览完毕（--dry-run），未写入任何内容")
            return 1 if plan.problem_lines() and not args.skip_bad else 0
        plan = read_workbook(args.file, sheet=args.sheet, keep_rows=False)
        with db.transaction() as s:
            check_against(s, plan)
            if args.json:  # scripts: no preview text, the result (or the refusal on stderr) only
                result = apply_plan(s, plan, skip_bad=args.skip_bad)
            else:
                _print_preview(plan)
                result = apply_plan(s, plan, skip_bad=args.skip_bad, progress=_progress_printer("导入"))
    finally:
        db.close()
    if args.json:
        from dataclasses import asdict

        print_json(asdict(result))
    else:
        print(f"导入完成：{result.summary()}")
    return 0


def _print_preview_json(plan: ImportPlan) -> None:
    print_json({"file": str(plan.path), "encoding": plan.encoding, "sheet": plan.sheet,
                "header_row": plan.header_row + 1,
                "mapping": {plan.accounts.headers[i] if i < len(plan.accounts.headers) else str(i): k
                            for i, k in plan.mapping.items()},
                "counts": plan.counts(), "problems": plan.problem_lines(),
                "rows": [{"row": r.line, "action": r.action, "name": r.values.get("name"),
                          "problems": r.problems, "notes": r.notes} for r in plan.rows]})


def _print_preview(plan: ImportPlan) -> None:
    """What the file holds and what the import will do: the lines printed before it writes."""
    from gzdesk.exchange.excel_import import ACTION_LABELS

    counts = plan.counts()
    problems = plan.problem_lines()
    how = f"（按 {plan.encoding} 编码读取）" if plan.encoding else ""
    if plan.renamed:
        how += "（文件内容与扩展名不符，已按实际格式读取）"
    print(f"文件：{plan.path.name}{how}  工作表：{plan.sheet}  表头在第 {plan.header_row + 1} 行")
    mapped = [f"{plan.accounts.headers[i]}→{_label(k)}" for i, k in plan.mapping.items()
              if i < len(plan.accounts.headers) and k != "seq"]
    print("列对应：" + "，".join(mapped))
    print(f"共 {counts['rows']} 行：{ACTION_LABELS['create']} {counts['create']}，{ACTION_LABELS['update']} "
          f"{counts['update']}，{ACTION_LABELS['same']} {counts['same']}，有问题 {counts['bad']}")
    if plan.team:
        print(f"管理队伍 {counts['team_rows']} 行")
    if plan.filings:
        print(f"备案记录 {counts['filing_rows']} 行")
    if plan.units:
        print(f"单位名录 {counts['unit_rows']} 行")
    for line in problems[:50]:
        print("  " + line)
    if len(problems) > 50:
        print(f"  ……另有 {len(problems) - 50} 处问题")


def _label(key: str) -> str:
    from gzdesk.exchange.columns import field_label

    return field_label(key)
