"""``gzdesk fake …``: 假冒政务新媒体 reports, step by step until closed (南通 第三十条 and the others).

    gzdesk fake new "海门发布官方" --date 2026-11-20 --how 网民举报 --reporter 张先生 --platform 抖音 \\
        --link https://www.douyin.com/user/x --imitates 12 --screenshot 截图.png
    gzdesk fake step 1 --step 排查核实 --date 2026-11-21 --note "确认为假冒"
    gzdesk fake close 1 --date 2026-11-21 --not-fake
    gzdesk fake list [--open] [--json]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gzdesk import fakes, inspections
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
    p = sub.add_parser("fake", help="假冒政务新媒体：登记、逐步处置、办结")
    ps = p.add_subparsers(dest="fake_action", metavar="操作", required=True)

    n = ps.add_parser("new", help="登记发现或接到举报的假冒账号")
    n.add_argument("name", metavar="NAME", help="假冒账号的名称")
    n.add_argument("--date", required=True, metavar="DATE", help="发现或接到举报的日期")
    n.add_argument("--how", default="自行发现", metavar="来源", help="自行发现（默认）/网民举报")
    n.add_argument("--reporter", metavar="NAME", help="发现人或举报人（及联系方式）")
    n.add_argument("--platform", metavar="平台", help="所在平台")
    n.add_argument("--link", metavar="URL", help="假冒账号的链接")
    n.add_argument("--where", metavar="TEXT", help="在何处发现")
    n.add_argument("--imitates", metavar="ACCOUNT", help="被假冒的本库账号（编号或名称）")
    n.add_argument("--screenshot", metavar="FILE", help="截图（PNG 或 JPEG）")
    n.add_argument("--note", metavar="TEXT")
    _common(n, new_cmd)

    st = ps.add_parser("step", help="登记一步处置")
    st.add_argument("id", metavar="ID")
    st.add_argument("--step", required=True, metavar="步骤",
                    help="排查核实 / 商请网信、公安协同处理 / 致函平台运营方关停 / 报上级主管单位备案（可简写：核实、协同处理、致函、报备）")
    st.add_argument("--date", required=True, metavar="DATE")
    st.add_argument("--note", metavar="TEXT")
    _common(st, step_cmd)

    cl = ps.add_parser("close", help="办结（如核实非假冒）")
    cl.add_argument("id", metavar="ID")
    cl.add_argument("--date", required=True, metavar="DATE")
    g = cl.add_mutually_exclusive_group()
    g.add_argument("--not-fake", action="store_true", help="核实非假冒账号（默认）")
    g.add_argument("--handled", action="store_true", help="已关停处置")
    cl.add_argument("--note", metavar="TEXT")
    _common(cl, close_cmd)

    ls = ps.add_parser("list", help="列出假冒账号记录（未办结的在前）")
    ls.add_argument("--open", action="store_true", help="只列出未办结的")
    _common(ls, list_cmd)

    sh = ps.add_parser("show", help="显示一条记录")
    sh.add_argument("id", metavar="ID")
    _common(sh, show_cmd)

    at = ps.add_parser("attach", help="附上截图")
    at.add_argument("id", metavar="ID")
    at.add_argument("file", metavar="FILE")
    _common(at, attach_cmd)


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def _read(path_text: str) -> tuple[str, bytes]:
    path = Path(path_text)
    try:
        return path.name, path.read_bytes()
    except OSError:
        raise UserError(f"无法读取文件“{path_text}”") from None


def _print(args, d: fakes.FakeData, headline: str | None = None) -> None:
    if args.json:
        print_json(d.to_json())
        return
    if headline:
        print(headline)
    print(f"假冒账号 {d.id}：{d.name}（{d.platform_label or '平台未填'}）  {d.status}")
    print(f"{cn_date(d.found_on)}{d.how_label}" + (f"，{d.reporter}" if d.reporter else "")
          + (f"，{d.found_where}" if d.found_where else ""))
    if d.link:
        print(f"链接：{d.link}")
    if d.imitated_account:
        print(f"假冒本库账号：{d.imitated_account}（编号 {d.imitated_account_id}）")
    for st in d.steps:
        print(f"  {cn_date(st.done_on)} {st.label}" + (f"：{st.note}" if st.note else ""))
    if d.pending_steps:
        print("待办：" + "、".join(w for _c, w in d.pending_steps))
    for i, name, size in d.screenshots:
        print(f"  截图 {i}：{name}（{size} 字节）")
    if d.note:
        print(f"备注：{d.note}")


def new_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    shot = _read(args.screenshot) if args.screenshot else None
    db = open_db(args)
    try:
        with db.transaction() as s:
            imitated = inspections.find_account(s, args.imitates) if args.imitates else None
            d = fakes.new_report(s, args.name, on, how=args.how, reporter=args.reporter, platform=args.platform,
                                 link=args.link, found_where=args.where, imitated_account_id=imitated,
                                 note=args.note, screenshot=shot)
    finally:
        db.close()
    _print(args, d, f"已登记假冒账号 {d.id}")
    return 0


def step_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    db = open_db(args)
    try:
        with db.transaction() as s:
            d = fakes.record_step(s, fakes.find_report(s, args.id), args.step, on, args.note)
    finally:
        db.close()
    _print(args, d, "已登记" + (f"，全部步骤完成，已于{cn_date(d.closed_on)}办结" if d.closed_on else ""))
    return 0


def close_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    db = open_db(args)
    try:
        with db.transaction() as s:
            d = fakes.close(s, fakes.find_report(s, args.id), on, "closed" if args.handled else "not_fake",
                            args.note)
    finally:
        db.close()
    _print(args, d, f"已办结（{d.status}）")
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            rows = fakes.list_reports(s, open_only=args.open)
    finally:
        db.close()
    if args.json:
        print_json([d.to_json() for d in rows])
        return 0
    print_table(["编号", "发现日期", "假冒账号", "平台", "来源", "被假冒账号", "状态", "已办步骤"],
                [[d.id, cn_date(d.found_on), d.name, d.platform_label, d.how_label, d.imitated_account or "",
                  d.status, "、".join(st.label for st in d.steps)] for d in rows])
    print(f"共 {len(rows)} 条，未办结 {sum(1 for d in rows if d.closed_on is None)} 条")
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            d = fakes.get_report(s, fakes.find_report(s, args.id))
    finally:
        db.close()
    _print(args, d)
    return 0


def attach_cmd(args: argparse.Namespace) -> int:
    name, data = _read(args.file)
    db = open_db(args)
    try:
        with db.transaction() as s:
            rid = fakes.find_report(s, args.id)
            fakes.add_screenshot(s, rid, name, data)
            d = fakes.get_report(s, rid)
    finally:
        db.close()
    _print(args, d, f"已附上截图“{name}”")
    return 0
