"""``gzdesk form``: print a filing's 备案登记表, or a blank form, to PDF; list the form templates;
``gzdesk form settings``: the office's print settings (附件1 above the 南通 title; a QR code drawn
from the 访问链接, marked as such).

A blank form takes the labels of the office's profile (its approval chain and signer labels, the
title its document gives the form): those of the database's profile when there is one, or of the
profile named with ``--profile``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    db_path,
    open_db,
    print_json,
    print_table,
)
from gzdesk.errors import UserError

ON_OFF = {"on": True, "off": False, "开": True, "关": False, "是": True, "否": False, "1": True, "0": False}


def register(sub) -> None:
    p = sub.add_parser("form", help="打印备案登记表（PDF）：已填写的或空白的；打印设置",
                       description="打印备案登记表（PDF）。gzdesk form settings 查看或修改本单位的打印设置")
    add_db_option(p)
    add_json_option(p)
    p.add_argument("action", nargs="?", choices=["settings"], metavar="settings",
                   help="settings：查看或修改打印设置（配合 --attachment-label、--qr-from-url）")
    p.add_argument("--filing", metavar="ID", help="备案事项编号（id）或备案号（如 2026-00001）")
    p.add_argument("--template", metavar="模板", help="表单模板编号，如 shanxi_county、nantong、generic")
    p.add_argument("--blank", action="store_true", help="打印空白表（配合 --template；默认用本库策略配置的表）")
    p.add_argument("--profile", metavar="ID", help="空白表按哪个策略配置的审批链和表名（默认本库使用的配置）")
    p.add_argument("--chain", metavar="意见标题", help="空白通用表的审批意见栏，逗号分隔（默认取策略配置或模板自带）")
    p.add_argument("--out", metavar="FILE.pdf", help="输出的 PDF 文件")
    p.add_argument("--list-templates", action="store_true", help="列出可用的表单模板")
    p.add_argument("--attachment-label", metavar="on/off", help="settings：是否在南通表标题上方打印“附件1”")
    p.add_argument("--qr-from-url", metavar="on/off",
                   help="settings：无二维码图片时是否按访问链接生成二维码（标注“据访问链接生成”）")
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


def _switch(text: str, option: str) -> bool:
    value = ON_OFF.get(text.strip().lower())
    if value is None:
        raise UserError(f"{option} 应为 on 或 off，收到“{text}”")
    return value


def cmd_settings(args: argparse.Namespace) -> int:
    from gzdesk.printing import options

    changes = {}
    if args.attachment_label is not None:
        changes[options.ATTACHMENT_LABEL] = _switch(args.attachment_label, "--attachment-label")
    if args.qr_from_url is not None:
        changes[options.QR_FROM_URL] = _switch(args.qr_from_url, "--qr-from-url")
    db = open_db(args)
    try:
        if changes:
            with db.transaction() as s:
                for key, value in changes.items():
                    options.write_setting(s, key, value)
        with db.reader() as s:
            current = options.read_settings(s)
    finally:
        db.close()
    if args.json:
        print_json({key.split(".", 1)[1]: value for key, value in current.items()})
    else:
        for key, value in current.items():
            print(f"{options.SETTINGS[key][0]}：{'是' if value else '否'}")
    return 0


def _blank_source(args: argparse.Namespace):
    """(profile, print options) for a blank form: ``--profile``, else this database's."""
    from gzdesk import office, profiles
    from gzdesk.printing.options import PrintOptions, office_options

    if args.profile:
        return profiles.by_id(args.profile), None
    if db_path(args).exists():
        db = open_db(args)
        try:
            with db.reader() as s:
                if office.is_initialized(s):
                    profile = office.current_profile(s)
                    return profile, office_options(s, args.template or profile.template_id)
        finally:
            db.close()
    return None, PrintOptions()


def cmd_form(args: argparse.Namespace) -> int:
    from gzdesk.printing import get_template, list_templates, render_blank, render_filing
    from gzdesk.printing.context import resolve_filing
    from gzdesk.printing.options import PrintOptions

    if args.action == "settings":
        return cmd_settings(args)
    if args.attachment_label is not None or args.qr_from_url is not None:
        raise UserError("打印设置请用 gzdesk form settings --attachment-label on/off --qr-from-url on/off")
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
        profile, opts = _blank_source(args)
        template_id = args.template or (profile.template_id if profile else None)
        if not template_id:
            raise UserError("打印空白表须用 --template 指定模板（gzdesk form --list-templates 查看）")
        template = get_template(template_id)
        own = profile is not None and profile.template_id == template.id
        if opts is None:
            opts = PrintOptions.for_profile(profile if own else None)
        chain: list[str] | None
        if args.chain:
            chain = [x.strip() for x in args.chain.replace("，", ",").split(",") if x.strip()]
        else:
            chain = profile.chain if profile is not None and (own or template.has_chain_region) else None
        data = render_blank(template.id, chain, opts)
        what = f"空白《{opts.title or template.title}》"
    out = _write(args.out, data)
    if args.json:
        print_json({"path": str(out), "bytes": len(data)})
    else:
        print(f"已生成{what}：{out}")
    return 0
