"""``gzdesk objection``: the 异议 register (云南 第四十五条: 7 working days, extended with approval up to 30)."""

from __future__ import annotations

import argparse

from gzdesk import objections
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
    p = sub.add_parser("objection", help="异议登记：收到、延长、处理答复（云南省第四十五条）",
                       description="云南省政务新媒体管理办法第四十五条：自收到异议申请之日起7个工作日内处理并告知申请人；"
                                   "情况复杂的，经负责人批准可延长，累计不超过30个工作日。")
    ps = p.add_subparsers(dest="objection_action", metavar="操作", required=True)
    n = ps.add_parser("new", help="登记收到的异议")
    n.add_argument("--objector", required=True, metavar="NAME", help="异议申请人（公民、法人或其他组织）")
    n.add_argument("--subject", required=True, metavar="TEXT", help="对哪条信息或数据、提出什么异议")
    n.add_argument("--received", required=True, metavar="DATE", help="收到异议申请的日期")
    n.add_argument("--account", type=int, metavar="ID", help="涉及的账号编号")
    n.add_argument("--contact", metavar="TEXT", help="申请人联系方式")
    n.add_argument("--note", metavar="TEXT")
    _common(n, cmd_new)
    ls = ps.add_parser("list", help="列出异议（--open 只列未答复的）")
    ls.add_argument("--open", action="store_true", help="只列未答复的")
    _common(ls, cmd_list)
    sh = ps.add_parser("show", help="显示一条异议")
    sh.add_argument("id", type=int, metavar="ID")
    _common(sh, cmd_show)
    e = ps.add_parser("extend", help="经负责人批准延长处理时间（累计不超过30个工作日）")
    e.add_argument("id", type=int, metavar="ID")
    e.add_argument("--to", type=int, required=True, metavar="N", help="延长后累计的处理工作日数")
    e.add_argument("--approved-by", required=True, metavar="NAME", help="批准的负责人")
    e.add_argument("--date", required=True, metavar="DATE", help="批准日期")
    _common(e, cmd_extend)
    r = ps.add_parser("reply", help="登记处理结果和告知申请人的日期")
    r.add_argument("id", type=int, metavar="ID")
    r.add_argument("--handled", required=True, metavar="DATE", help="作出处理的日期")
    r.add_argument("--result", required=True, metavar="TEXT", help="处理结果")
    r.add_argument("--replied", metavar="DATE", help="告知异议申请人的日期")
    _common(r, cmd_reply)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def _write(args: argparse.Namespace, fn, *a, **kw):
    db = open_db(args)
    try:
        with db.transaction() as s:
            return fn(s, *a, **kw)
    finally:
        db.close()


def _read(args: argparse.Namespace, fn, *a, **kw):
    db = open_db(args)
    try:
        with db.reader() as s:
            return fn(s, *a, **kw)
    finally:
        db.close()


def _show(args: argparse.Namespace, o: objections.ObjectionData, headline: str | None = None) -> None:
    if args.json:
        print_json(o.to_json())
        return
    if headline:
        print(headline)
    print(f"异议 {o.id}：{o.objector}" + (f"（{o.contact}）" if o.contact else "") + f"  {o.state_label}")
    if o.account_name:
        print(f"账号：{o.account_name}（编号 {o.account_id}）")
    print(f"内容：{o.subject}")
    print(f"收到：{cn_date(o.received_on)}  处理期限：{o.workdays}个工作日，{o.due_text}前")
    if o.extended_to:
        print(f"延长：{o.extension_approved_by}于{cn_date(o.extension_approved_on)}批准延长至{o.extended_to}个工作日")
    if o.handled_on:
        print(f"处理：{cn_date(o.handled_on)}  {o.result or ''}")
    if o.replied_on:
        print(f"告知申请人：{cn_date(o.replied_on)}")


def cmd_new(args: argparse.Namespace) -> int:
    o = _write(args, objections.new_objection, args.objector, args.subject, parse_cli_date(args.received),
               account_id=args.account, contact=args.contact, notes=args.note)
    _show(args, o, f"已登记异议 {o.id}，应于{o.due_text}前处理并告知申请人")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    rows = _read(args, objections.list_objections, open_only=args.open)
    if args.json:
        print_json([o.to_json() for o in rows])
        return 0
    print_table(["编号", "申请人", "账号", "收到", "期限", "状态"],
                [[o.id, o.objector, o.account_name, cn_date(o.received_on), o.due_text, o.state_label] for o in rows])
    print(f"共 {len(rows)} 件异议")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    _show(args, _read(args, objections.get, args.id))
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    o = _write(args, objections.extend, args.id, args.to, args.approved_by, parse_cli_date(args.date))
    _show(args, o, f"异议 {o.id} 已延长至{o.workdays}个工作日，{o.due_text}前处理")
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    replied = parse_cli_date(args.replied) if args.replied else None
    o = _write(args, objections.reply, args.id, parse_cli_date(args.handled), args.result, replied)
    _show(args, o, f"已登记异议 {o.id} 的处理结果")
    return 0
