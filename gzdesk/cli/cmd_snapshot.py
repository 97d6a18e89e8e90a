"""``gzdesk snapshot export FILE`` / ``merge FILE...`` / ``sources`` / ``inspect FILE`` / ``repin FILE`` / ``key``: 上报快照.

``sources --reset-time NAME`` / ``--reset-history NAME`` and ``repin`` are a 管理员's, audited
(``gzdesk.exchange.trust``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gzdesk import signing
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    db_path,
    open_db,
    print_json,
    print_table,
)
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.permissions import Cap


def register(sub) -> None:
    p = sub.add_parser("snapshot", help="上报快照：导出、合并下级快照、来源列表")
    ss = p.add_subparsers(dest="snapshot_action", metavar="操作", required=True)
    e = ss.add_parser("export", help="导出本库的上报快照（一个 SQLite 文件，可在程序打开时导出）")
    e.add_argument("file", metavar="FILE", help="快照文件名，如 海门区-20261122.gzsnap")
    add_db_option(e)
    add_json_option(e)
    e.set_defaults(func=cmd_export)
    m = ss.add_parser("merge", help="把下级单位的快照合并到本库（全部成功或全部不变）")
    m.add_argument("files", metavar="FILE", nargs="+", help="一个或多个快照文件")
    add_db_option(m)
    add_json_option(m)
    m.set_defaults(func=cmd_merge)
    s = ss.add_parser("sources", help="列出已合并的来源单位、最近快照日期和登记的公钥指纹",
                      description="列出来源单位；管理员可重置某来源的最近快照时间（其电脑时钟曾不准）或记下的"
                                  "审计链末端（该单位从备份恢复或重建了数据库），均记入审计日志")
    s.add_argument("--reset-time", metavar="名称", help="把该来源的最近快照时间重置为合并时间（管理员）")
    s.add_argument("--reset-history", metavar="名称", help="忘记该来源上次合并的审计链末端（管理员）")
    add_db_option(s)
    add_json_option(s)
    s.set_defaults(func=cmd_sources)
    i = ss.add_parser("inspect", help="检查一个快照文件：说明核对了什么、没有核对什么（不合并）")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--db", metavar="PATH", default=None, help="同时与本单位数据库中登记的来源比对（公钥、历史）")
    add_json_option(i)
    i.set_defaults(func=cmd_inspect)
    r = ss.add_parser("repin", help="按此快照重新登记来源单位的签名公钥（管理员；请先电话核对新指纹）")
    r.add_argument("file", metavar="FILE")
    add_db_option(r)
    r.set_defaults(func=cmd_repin)
    k = ss.add_parser("key", help="显示本单位签名公钥的指纹（供上级电话核对）")
    add_db_option(k)
    add_json_option(k)
    k.set_defaults(func=cmd_key)


def _stderr_progress(enabled: bool):
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> bool:
        sys.stderr.write(f"\r进度 {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()
        return True

    return show


def cmd_export(args: argparse.Namespace) -> int:
    from gzdesk.exchange.snapshot import export_snapshot

    path = db_path(args)
    if not path.exists():
        raise UserError(f"找不到数据库文件“{path}”，请先运行 gzdesk init")
    db = open_db(args)  # brings an older database to the current schema first
    try:
        db.require(Cap.EXPORT)  # a snapshot is a full, unmasked copy
        _ensure_key(db)
    finally:
        db.close()
    info = export_snapshot(path, Path(args.file), progress=_stderr_progress(not args.json))
    m = info.manifest
    _remember_sent(args, info.path, m.created)
    fingerprint = signing.fingerprint(m.public_key) if m.public_key else None
    if args.json:
        print_json(dict(m.to_json(), path=str(info.path), size=info.size, signed=bool(m.signature),
                        fingerprint=fingerprint))
        return 0
    print(f"已导出上报快照 {info.path}（{info.size // 1024} KB）")
    print(f"来源：{m.source_name}；时间：{cn_date(m.created.date())} {m.created:%H:%M}；结构版本 {m.schema_version}")
    print("记录数：" + "、".join(f"{_label(t)} {n}" for t, n in m.counts.items() if n))
    if m.chain_head:
        print(f"审计链末端：第 {m.chain_head[0]} 条 {m.chain_head[1][:16]}")
    if fingerprint:
        print(f"已用本单位密钥签名；公钥指纹 {fingerprint}（上级首次合并时请与之电话核对）")
    print(f"SHA-256：{m.sha256}")
    return 0


def _remember_sent(args: argparse.Namespace, target: Path, created) -> None:
    """For the window's 首页 (最近上报快照). While a window holds the file the command line may
    not write, and the window then does not learn of this export: the export itself stands."""
    from gzdesk.overview import record_snapshot_sent

    try:
        db = open_db(args)
    except UserError:
        return
    try:
        with db.transaction() as s:
            record_snapshot_sent(s, target, created)
    except UserError:
        pass
    finally:
        db.close()


def _ensure_key(db) -> None:
    """An office database from before signing gets its key pair before its first export."""
    with db.reader() as s:
        if signing.office_key(s) is not None:
            return
    with db.transaction() as s:
        signing.ensure_key(s)


def _label(table: str) -> str:
    from gzdesk.exchange.merge import TABLE_LABELS

    return TABLE_LABELS.get(table, table)


def cmd_merge(args: argparse.Namespace) -> int:
    from gzdesk.exchange.merge import merge_snapshots

    db = open_db(args)
    try:
        reports = merge_snapshots(db, [Path(f) for f in args.files], progress=_stderr_progress(not args.json))
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in reports])
        return 0
    for r in reports:
        print(r.text())
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    from gzdesk.exchange import trust
    from gzdesk.exchange.merge import list_sources

    db = open_db(args)
    try:
        if args.reset_time:
            with db.transaction() as s:
                old, new = trust.reset_time(s, args.reset_time)
            print(f"已把来源“{args.reset_time}”的最近快照时间从 {cn_date(old.date())} {old:%H:%M} 重置为 "
                  f"{cn_date(new.date())} {new:%H:%M}（已记入审计日志）")
            return 0
        if args.reset_history:
            with db.transaction() as s:
                head = trust.reset_history(s, args.reset_history)
            shown = f"第 {head[0]} 条 {head[1][:16]}" if head else "无"
            print(f"已忘记来源“{args.reset_history}”上次合并的审计链末端（{shown}）；"
                  "其下一份快照将作为新的历史开始（已记入审计日志）")
            return 0
        with db.reader() as s:
            rows = list_sources(s)
    finally:
        db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("尚未合并过下级单位的快照")
        return 0
    print_table(["来源单位", "最近快照日期", "合并时间", "快照账号数", "本库现有账号", "公钥指纹"],
                [[r.name, cn_date(r.snapshot_created_at.date()), f"{cn_date(r.merged_at.date())} {r.merged_at:%H:%M}",
                  r.counts.get("account", 0), r.accounts_here, r.fingerprint or "（未登记）"] for r in rows])
    print(f"共 {len(rows)} 个来源")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from gzdesk.exchange import trust
    from gzdesk.exchange.merge import synced_tables
    from gzdesk.exchange.snapshot import open_snapshot

    path = Path(args.file)
    synced = {t.name for t in synced_tables()}
    with open_snapshot(path) as snap:
        if args.db:
            db = open_db(args)
            try:
                with db.reader() as s:
                    findings = trust.inspect(snap, synced, s)
            finally:
                db.close()
        else:
            findings = trust.inspect(snap, synced)
        m = snap.manifest
    bad = next((f for f in findings if f.status == "bad"), None)
    if bad is not None:  # the refusal in one line, as for any other refused snapshot; the list below says the rest
        print(f"错误：快照“{path.name}”未通过核对：{bad.text}", file=sys.stderr)
    if args.json:
        print_json(dict(m.to_json(), path=str(path), size=path.stat().st_size, valid=bad is None,
                        signed=bool(m.signature), fingerprint=signing.fingerprint(m.public_key)
                        if m.public_key and signing.valid_public_key(m.public_key) else None,
                        findings=[{"status": f.status, "text": f.text} for f in findings]))
        return 0 if bad is None else 1
    print(f"快照 {path}")
    print(f"来源：{m.source_name}（配置 {m.profile_name or m.profile_id or '未知'}）")
    print(f"导出时间：{cn_date(m.created.date())} {m.created:%H:%M}；结构版本 {m.schema_version}")
    print("记录数：" + "、".join(f"{_label(t)} {n}" for t, n in m.counts.items() if n))
    for f in findings:
        print(f"  {f.label}：{f.text}")
    return 0 if bad is None else 1


def cmd_repin(args: argparse.Namespace) -> int:
    from gzdesk.exchange import trust
    from gzdesk.exchange.snapshot import open_snapshot

    db = open_db(args)
    try:
        with open_snapshot(Path(args.file)) as snap, db.transaction() as s:
            done = trust.repin(s, snap.manifest, Path(args.file).name)
    finally:
        db.close()
    old = (done.old or "（无）") + ("，该单位重建的数据库" if done.rebuilt else "")
    print(f"已重新登记来源“{done.source}”的签名公钥：指纹 {old} → {done.new}（已记入审计日志）")
    return 0


def cmd_key(args: argparse.Namespace) -> int:
    db = open_db(args)
    try:
        with db.reader() as s:
            fingerprint = signing.office_fingerprint(s)
    finally:
        db.close()
    if args.json:
        print_json({"fingerprint": fingerprint})
        return 0
    if fingerprint is None:
        print("本库尚无签名密钥：第一次导出上报快照时生成")
    else:
        print(f"本单位签名公钥指纹：{fingerprint}")
    return 0
