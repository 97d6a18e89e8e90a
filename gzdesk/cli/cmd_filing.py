"""``gzdesk filing …``: start a filing and take it up the approval chain from the command line.

Every subcommand first applies the closures whose 公告 period has run (``apply_due_effects``).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from gzdesk import fields, filing_announcements, filing_decisions, filings
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
    p = sub.add_parser("filing", help="备案办理：新建、审批、报送、公告、撤回、整合")
    fs = p.add_subparsers(dest="filing_action", metavar="操作", required=True)

    n = fs.add_parser("new", help="新建备案（草稿）")
    n.add_argument("--account", required=True, metavar="ID", type=int, help="账号编号")
    n.add_argument("--kind", required=True, metavar="事由", help="开设/变更/关停/注销/整合/补办")
    n.add_argument("--reason", required=True, metavar="TEXT", help="理由")
    n.add_argument("--date", metavar="DATE", help="填表时间（默认今天）")
    n.add_argument("--event-date", metavar="DATE", help="开设/变更/关停/注销的日期")
    n.add_argument("--set", action="append", default=[], metavar="字段=值",
                   help="变更内容，可重复，如 --set 名称=新名称 --set 主办单位=某某局")
    _decision_options(n)
    _common(n, new_cmd)

    dc = fs.add_parser("decision", help="登记本单位决定：会议（集体）研究、主要领导签字确认（同意）",
                       description="盐湖区第十一条、云南省第十八条、南通市第十六条：变更、关停、注销须经本单位会议"
                                   "（集体）研究或主要领导同意；云南省第十二条：开设须经集体研究和主要领导同意。")
    dc.add_argument("filing", metavar="ID")
    _decision_options(dc)
    _common(dc, decision_cmd)

    s = fs.add_parser("step", help="记录审批链的下一步")
    s.add_argument("filing", nargs="?", metavar="ID", help="备案编号或备案号（与其他 filing 子命令一样）")
    s.add_argument("--filing", dest="filing_option", metavar="ID", help="同 ID，另一种写法")
    s.add_argument("--opinion", default="", metavar="TEXT", help="意见")
    s.add_argument("--signer", required=True, metavar="NAME", help="签字负责人")
    s.add_argument("--date", required=True, metavar="DATE", help="签批日期")
    s.add_argument("--return", dest="returned", action="store_true", help="退回（不同意）")
    s.add_argument("--scan", metavar="FILE", help="该步签字盖章的扫描件")
    _common(s, step_cmd)

    ls = fs.add_parser("list", help="列出备案")
    ls.add_argument("--state", metavar="状态", help="草稿/待签批/已备案/已报送/退回/撤回")
    ls.add_argument("--account", metavar="ID", type=int, help="只列出该账号的备案")
    ls.add_argument("--kind", metavar="事由", help="只列出该事由")
    _common(ls, list_cmd)

    sh = fs.add_parser("show", help="显示一条备案")
    sh.add_argument("filing", metavar="ID")
    _common(sh, show_cmd)

    pr = fs.add_parser("printed", help="已打印送签：草稿 → 待签批")
    pr.add_argument("filing", metavar="ID")
    _common(pr, printed_cmd)

    rp = fs.add_parser("report", help="已报送全国/省级政务新媒体信息报送系统")
    rp.add_argument("filing", metavar="ID")
    rp.add_argument("--date", required=True, metavar="DATE", help="报送日期")
    _common(rp, report_cmd)

    an = fs.add_parser("announce", help="登记公告：关停/注销的停更注销公告（云南：变更也须公告）")
    an.add_argument("filing", metavar="ID")
    an.add_argument("--from", dest="from_date", required=True, metavar="DATE", help="公告发布日期")
    an.add_argument("--close-on", metavar="DATE", help="关停/注销（或变更）日期（盐湖区须给出）")
    _common(an, announce_cmd)

    wd = fs.add_parser("withdraw", help="撤回草稿或待签批的备案")
    wd.add_argument("filing", metavar="ID")
    _common(wd, withdraw_cmd)

    ro = fs.add_parser("reopen", help="把退回的备案重新办理为新草稿")
    ro.add_argument("filing", metavar="ID")
    ro.add_argument("--date", metavar="DATE", help="新的填表时间（默认今天）")
    ro.add_argument("--reason", metavar="TEXT", help="改写的理由（默认沿用原理由）")
    _common(ro, reopen_cmd)

    rs = fs.add_parser("reason", help="修改草稿的理由")
    rs.add_argument("filing", metavar="ID")
    rs.add_argument("reason", metavar="TEXT")
    _common(rs, reason_cmd)

    at = fs.add_parser("attach", help="附上签字盖章的扫描件")
    at.add_argument("filing", metavar="ID")
    at.add_argument("file", metavar="FILE")
    _common(at, attach_cmd)

    mg = fs.add_parser("merge", help="整合：保留一个账号，关停其余账号")
    mg.add_argument("--keep", required=True, metavar="ID", type=int, help="保留的账号编号")
    mg.add_argument("--close", required=True, metavar="ID,ID", help="要关停的账号编号，逗号分隔")
    mg.add_argument("--reason", required=True, metavar="TEXT")
    mg.add_argument("--kind", default="关停", metavar="关停/注销", help="被整合账号关停还是注销（默认关停）")
    mg.add_argument("--date", metavar="DATE", help="填表时间（默认今天）")
    _common(mg, merge_cmd)


def _decision_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--meeting", metavar="DATE", help="本单位会议（集体）研究的日期")
    p.add_argument("--meeting-note", metavar="TEXT", help="会议名称或纪要编号")
    p.add_argument("--head", metavar="姓名", help="签字确认（同意）的主要领导")
    p.add_argument("--head-date", metavar="DATE", help="主要领导签字确认（同意）的日期")


def _decision(args: argparse.Namespace) -> filing_decisions.Decision | None:
    if not (args.meeting or args.meeting_note or args.head or args.head_date):
        return None
    return filing_decisions.Decision(_opt_date(args.meeting), args.meeting_note, args.head, _opt_date(args.head_date))


def _common(p: argparse.ArgumentParser, func) -> None:
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=func)


def _opt_date(text: str | None) -> date | None:
    return parse_cli_date(text) if text else None


def _run(args: argparse.Namespace, fn, *a, read: bool = False, **kw):
    """Apply due closures, then ``fn(session, ...)`` in one transaction; prints what took effect.

    ``read``: ``fn`` only reads — where no write can be made (the window has the file, a 只读 user,
    nobody logged in on a database with users) it runs in a read-only session instead."""
    db = open_db(args)
    try:
        if read and (db.held_by_window is not None or not db.may_write()):
            applied = []
            with db.reader() as s:
                result = fn(s, *a, **kw)
        else:
            with db.transaction() as s:
                applied = filing_announcements.apply_due_effects(s, date.today())
                result = fn(s, *a, **kw)
    finally:
        db.close()
    if not getattr(args, "json", False):
        for e in applied:
            print(f"公告期满：账号“{e.account_name}”已于{cn_date(e.effective_on)}{e.status_label}（备案{e.filing_number}）")
    return result


def _filing_id(s, key: str) -> int:
    return filings.find_filing(s, key)


def _print_filing(args: argparse.Namespace, d: filings.FilingData, headline: str | None = None) -> None:
    if args.json:
        print_json(filings.filing_json(d))
        return
    if headline:
        print(headline)
    print(f"备案 {d.number}（编号 {d.id}）  事由：{d.kind_label}  状态：{d.state_label}")
    print(f"账号：{d.account_name}（编号 {d.account_id}）  填表时间：{cn_date(d.filled_on)}"
          + (f"  事项日期：{cn_date(d.event_on)}" if d.event_on else ""))
    print(f"理由：{d.reason or ''}")
    if d.proposed:
        print("变更内容：" + "；".join(f"{fields.LABELS.get(k, k)}→{_show(d, k, v)}" for k, v in d.proposed.items()))
    if d.kept_account_name:
        print(f"整合保留账号：{d.kept_account_name}（整合备案 {d.merge_parent_number or ''}）")
    for c in d.children:
        print(f"  整合关停：{c.account_name}  备案 {c.number}（编号 {c.id}）{c.kind_label} {c.state_label}")
    for st in d.steps:
        if st.done:
            print(f"  {st.seq}. {st.title}：{st.result_label}  意见：{st.opinion or '（无）'}  签字：{st.signer}"
                  f"  {cn_date(st.signed_on)}"
                  + (f"  扫描件：{st.attachment_name}" if st.attachment_name else ""))
        else:
            print(f"  {st.seq}. {st.title}：（待签批）")
    if d.meeting_on:
        print(f"本单位会议（集体）研究：{cn_date(d.meeting_on)}" + (f"  {d.meeting_note}" if d.meeting_note else ""))
    if d.head_approved_on:
        print(f"主要领导签字确认（同意）：{d.head_name}  {cn_date(d.head_approved_on)}")
    if d.decision_missing:
        print(f"未登记：{d.decision_missing}（gzdesk filing decision {d.number} --meeting 日期 / --head 姓名 --head-date 日期）")
    if d.announce_from:
        print(f"{_notice_word(d)}：{cn_date(d.announce_from)}起，{d.effective_text}{d.kind_label}生效")
    if d.reported_on:
        print(f"已报送系统：{cn_date(d.reported_on)}")
    for a in d.attachments:
        print(f"  附件 {a.id}：{a.filename}（{a.size} 字节）{a.note or ''}")
    if d.next_step:
        print(f"下一步：{d.next_step.title}")


def _show(d: filings.FilingData, key: str, value) -> str:
    for prefix in ("supervisor", "host", "operator"):
        if key == f"{prefix}_unit_id":
            return str(d.frozen.get(f"{prefix}_unit") or "")
    if key == "platform":
        return str(d.frozen.get("platform_label") or value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def new_cmd(args: argparse.Namespace) -> int:
    changes: dict[str, str] = {}
    for item in args.set:
        if "=" not in item:
            raise UserError(f"--set 应写成 字段=值，收到“{item}”")
        k, v = item.split("=", 1)
        changes[k.strip()] = v
    d = _run(args, filings.new_filing, args.account, args.kind, args.reason, filled_on=_opt_date(args.date),
             event_on=_opt_date(args.event_date), proposed=changes or None, decision=_decision(args))
    _print_filing(args, d, f"已新建备案 {d.number}（编号 {d.id}）")
    return 0


def decision_cmd(args: argparse.Namespace) -> int:
    decision = _decision(args)
    if decision is None:
        raise UserError("请用 --meeting 日期 [--meeting-note 说明] 或 --head 姓名 --head-date 日期 登记本单位决定")
    d = _run(args, lambda s: filings.record_decision(s, _filing_id(s, args.filing), decision))
    _print_filing(args, d, f"已登记备案 {d.number} 的本单位决定")
    return 0


def step_cmd(args: argparse.Namespace) -> int:
    scan = None
    if args.scan:
        path = Path(args.scan)
        try:
            scan = (path.name, path.read_bytes())
        except OSError:
            raise UserError(f"无法读取扫描件“{args.scan}”") from None
    signed_on = parse_cli_date(args.date)
    if args.filing and args.filing_option and args.filing != args.filing_option:
        raise UserError("备案编号给了两个不同的值，请只给一个")
    args.filing = args.filing or args.filing_option
    if not args.filing:
        raise UserError("请给出备案编号或备案号，如 gzdesk filing step 2026-00001 --signer 王建国 --date 2026-11-20")

    def step(s):
        return filings.record_step(s, _filing_id(s, args.filing), args.opinion, args.signer, signed_on,
                                   "returned" if args.returned else "approved", scan)

    d = _run(args, step)
    done = [st for st in d.steps if st.done]
    _print_filing(args, d, f"已记录“{done[-1].title}”：{done[-1].result_label}" if done else None)
    return 0


def list_cmd(args: argparse.Namespace) -> int:
    rows = _run(args, filings.list_filings, state=args.state, account_id=args.account, kind=args.kind, read=True)
    if args.json:
        print_json([{"id": r.id, "number": r.number, "kind": r.kind_label, "kind_code": r.kind,
                     "state": r.state_label, "state_code": r.state, "account_id": r.account_id,
                     "account": r.account_name, "filled_on": r.filled_on, "event_on": r.event_on,
                     "steps_done": r.steps_done, "steps_total": r.steps_total, "next_step": r.next_step,
                     "announce_from": r.announce_from, "effective_on": r.effective_on,
                     "reported_on": r.reported_on, "merge_parent_id": r.merge_parent_id, "scans": r.scans}
                    for r in rows])
        return 0
    print_table(["编号", "备案号", "事由", "账号", "状态", "审批", "下一步", "填表时间"],
                [[r.id, r.number, r.kind_label, r.account_name, r.state_label, f"{r.steps_done}/{r.steps_total}",
                  r.next_step or "", cn_date(r.filled_on)] for r in rows])
    print(f"共 {len(rows)} 条备案")
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    d = _run(args, lambda s: filings.get_filing(s, _filing_id(s, args.filing)), read=True)
    _print_filing(args, d)
    return 0


def printed_cmd(args: argparse.Namespace) -> int:
    d = _run(args, lambda s: filings.mark_printed(s, _filing_id(s, args.filing)))
    _print_filing(args, d, f"备案 {d.number} 已送签（{d.state_label}）")
    return 0


def report_cmd(args: argparse.Namespace) -> int:
    on = parse_cli_date(args.date)
    d = _run(args, lambda s: filings.mark_reported(s, _filing_id(s, args.filing), on))
    _print_filing(args, d, f"备案 {d.number} 已标记报送（{cn_date(on)}）")
    return 0


def announce_cmd(args: argparse.Namespace) -> int:
    start, close_on = parse_cli_date(args.from_date), _opt_date(args.close_on)
    d = _run(args, lambda s: filing_announcements.set_announcement(s, _filing_id(s, args.filing), start, close_on))
    if d.announce_warning and not args.json:
        print(f"注意：{d.announce_warning}")
    _print_filing(args, d, f"已登记{_notice_word(d)}：{cn_date(d.announce_from)}起，{d.effective_text}"
                           f"{d.kind_label}生效（审批办结后）")
    return 0


def _notice_word(d: filings.FilingData) -> str:
    return "变更公告" if d.kind == "change" else "停更注销公告"


def withdraw_cmd(args: argparse.Namespace) -> int:
    d = _run(args, lambda s: filings.withdraw(s, _filing_id(s, args.filing)))
    _print_filing(args, d, f"备案 {d.number} 已撤回")
    return 0


def reopen_cmd(args: argparse.Namespace) -> int:
    on = _opt_date(args.date)
    d = _run(args, lambda s: filings.reopen(s, _filing_id(s, args.filing), on, reason=args.reason))
    _print_filing(args, d, f"已重新办理为新备案 {d.number}（编号 {d.id}）")
    return 0


def reason_cmd(args: argparse.Namespace) -> int:
    d = _run(args, lambda s: filings.set_reason(s, _filing_id(s, args.filing), args.reason))
    _print_filing(args, d, f"已修改备案 {d.number} 的理由")
    return 0


def attach_cmd(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError:
        raise UserError(f"无法读取文件“{args.file}”") from None

    def attach(s):
        fid = _filing_id(s, args.filing)
        filings.attach_scan(s, fid, path.name, data)
        return filings.get_filing(s, fid)

    d = _run(args, attach)
    _print_filing(args, d, f"已附上扫描件“{path.name}”")
    return 0


def merge_cmd(args: argparse.Namespace) -> int:
    try:
        ids = [int(x) for x in args.close.replace("，", ",").split(",") if x.strip()]
    except ValueError:
        raise UserError(f"--close 应为逗号分隔的账号编号，收到“{args.close}”") from None
    d = _run(args, filings.new_merge, args.keep, ids, args.reason, filled_on=_opt_date(args.date),
             close_kind=args.kind)
    _print_filing(args, d, f"已新建整合备案 {d.number}（编号 {d.id}），关停 {len(d.children)} 个账号")
    return 0
