"""``gzdesk form``: print a filing's 备案登记表, or a blank form, to PDF; list the form templates."""

from __future__ import annotations

import argparse
from pathlib import Path

from gzdesk.cli.common import add_db_option, add_json_option, open_db, print_json, print_table
from gzdesk.errors import UserError


def register(sub) -> None:
    p = sub.add_parser("form", help="打印备案登记表（PDF）：已填写的或空白的")
    add_db_option(p)
    add_json_option(p)
    p.add_argument("--filing", metavar="ID", help="备案事项编号（id）或备案号（如 2026-00001）")
    p.add_argument("--template", metavar="模板", help="表单模板编号，如 shanxi_county、nantong、generic")
    p.add_argument("--blank", action="store_true", help="打印空白表（配合 --template）")
    p.add_argument("--chain", metavar="意见标题", help="空白通用表的审批意见栏，逗号分隔（默认取模板自带）")
    p.add_argument("--out", metavar="FILE.pdf", help="输出的 PDF 文件")
    p.add_argument("--list-templates", action="store_true", help="列出可用的表单模板")
    p.set_defaults(func=cmd_form)


def _write(path: str, data: bytes) -> Path:
    out = Path(path)
    if out.is_dir():
        raise UserError(f"“{out}”是文件夹，请给出 PDF 文件名")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except PermissionError:
        raise UserError(f"无法写入“{out}”：没有写入权限") from None
    except OSError:
        raise UserError(f"无法写入“{out}”：路径不存在或不可写") from None
    return out


def cmd_form(args: argparse.Namespace) -> int:
    from gzdesk.printing import get_template, list_templates, render_blank, render_filing
    from gzdesk.printing.context import resolve_filing

    if args.list_templates:
        items = list_templates()
        if args.json:
            print_json([{"id": t.id, "name": t.name, "title": t.title,
                         "source": t.data.get("source", ""), "approval_region": t.has_chain_region}
                        for t in items])
        else:
            print_table(["编号", "名称", "来源"], [[t.id, t.name, t.data.get("source", "")] for t in items])
        return 0
    if args.filing is None and not args.blank:
        raise UserError("请用 --filing ID 打印已填写的表，或 --template 模板 --blank 打印空白表")
    if not args.out:
        raise UserError("请用 --out 给出输出的 PDF 文件名")
    if args.filing is not None:
        db = open_db(args)
        try:
            with db.reader() as s:
                data = render_filing(s, resolve_filing(s, args.filing))
        finally:
            db.close()
        what = f"备案事项 {args.filing} 的登记表"
    else:
        if not args.template:
            raise UserError("打印空白表须用 --template 指定模板（gzdesk form --list-templates 查看）")
        template = get_template(args.template)
        chain = [x.strip() for x in args.chain.replace("，", ",").split(",") if x.strip()] if args.chain else None
        data = render_blank(template.id, chain)
        what = f"空白《{template.title}》"
    out = _write(args.out, data)
    if args.json:
        print_json({"path": str(out), "bytes": len(data)})
    else:
        print(f"已生成{what}：{out}")
    return 0
