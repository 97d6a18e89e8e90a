"""``gzdesk snapshot export FILE`` / ``snapshot merge FILE...`` / ``snapshot sources``: 上报快照."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    s = ss.add_parser("sources", help="列出已合并的来源单位及其最近快照日期")
    add_db_option(s)
    add_json_option(s)
    s.set_defaults(func=cmd_sources)
    i = ss.add_parser("inspect", help="检查一个快照文件并显示其清单（不合并）")
    i.add_argument("file", metavar="FILE")
    add_json_option(i)
    i.set_defaults(func=cmd_inspect)


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
    finally:
        db.close()
    info = export_snapshot(path, Path(args.file), progress=_stderr_progress(not args.json))
    m = info.manifest
    if args.json:
        print_json(dict(m.to_json(), path=str(info.path), size=info.size))
        return 0
    print(f"已导出上报快照 {info.path}（{info.size // 1024} KB）")
    print(f"来源：{m.source_name}；时间：{cn_date(m.created.date())} {m.created:%H:%M}；结构版本 {m.schema_version}")
    print("记录数：" + "、".join(f"{_label(t)} {n}" for t, n in m.counts.items() if n))
    print(f"SHA-256：{m.sha256}")
    return 0


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
    from gzdesk.exchange.merge import list_sources

    db = open_db(args)
    with db.reader() as s:
        rows = list_sources(s)
    db.close()
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    if not rows:
        print("尚未合并过下级单位的快照")
        return 0
    print_table(["来源单位", "最近快照日期", "合并时间", "快照账号数", "本库现有账号", "本库现有记录"],
                [[r.name, cn_date(r.snapshot_created_at.date()), f"{cn_date(r.merged_at.date())} {r.merged_at:%H:%M}",
                  r.counts.get("account", 0), r.accounts_here, r.records_here] for r in rows])
    print(f"共 {len(rows)} 个来源")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    from gzdesk.exchange.snapshot import inspect_snapshot

    info = inspect_snapshot(Path(args.file))
    m = info.manifest
    if args.json:
        print_json(dict(m.to_json(), path=str(info.path), size=info.size, valid=True))
        return 0
    print(f"快照 {info.path} 校验通过")
    print(f"来源：{m.source_name}（配置 {m.profile_name or m.profile_id or '未知'}）")
    print(f"导出时间：{cn_date(m.created.date())} {m.created:%H:%M}；结构版本 {m.schema_version}")
    print("记录数：" + "、".join(f"{_label(t)} {n}" for t, n in m.counts.items() if n))
    return 0
