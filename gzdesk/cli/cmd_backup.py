"""``gzdesk backup`` / ``restore FILE`` / ``verify``: copies, and a check of the file and the audit log."""

from __future__ import annotations

import argparse
from pathlib import Path

from gzdesk import audit, backup
from gzdesk.cli.common import (
    add_db_option,
    add_json_option,
    db_path,
    open_db,
    print_json,
    print_table,
)
from gzdesk.errors import UserError
from gzdesk.permissions import Cap


def register(sub) -> None:
    p = sub.add_parser("backup", help="备份数据库（可在程序打开时进行）；--list 列出并校验已有备份",
                       description="用 SQLite 在线备份把数据库复制到数据库旁的 backups 文件夹（文件名带时间），只保留最近几份；"
                                   "每份备份旁有 .sha256 校验文件（可用 sha256sum -c 核对）。校验值只能发现意外损坏或截断，"
                                   "不能证明文件来源")
    p.add_argument("--to", metavar="DIR", help="备份到该文件夹（默认：数据库旁的 backups）")
    p.add_argument("--list", action="store_true", help="不备份：列出该文件夹中的备份，并逐一核对校验值")
    p.add_argument("--check", metavar="FILE", help="不备份：核对一个备份文件的校验值并检查它能否用于恢复")
    p.add_argument("--keep", metavar="N", type=int, default=backup.DEFAULT_KEEP,
                   help=f"只保留最近 N 份（默认 {backup.DEFAULT_KEEP}；0 表示全部保留）")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（先检查备份；当前数据库先自动备份，已损坏的改名保留）")
    p.add_argument("file", metavar="FILE", help="备份文件")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("verify", help="检查数据库文件、各项值与审计日志（校验链、每条记录）",
                       description="检查文件完整性、外键、各项值，审计日志的校验链，以及每条记录是否与审计日志相符；"
                                   "发现问题时退出码为 1，并指出第一处被改动的日志或记录")
    p.add_argument("--head", metavar="编号:校验值",
                   help="与别处记下的审计链末端比对（上报快照、备份旁的 .head.json、登记表页脚），如 1234:3f2a9c01b7e4d5a6")
    p.add_argument("--clear-unreadable", action="store_true",
                   help="先把程序无法识别、已显示为空的值（如手工改成 2019.3.12 的日期）清空，每项记入审计日志；"
                        "其他问题（未知代码、引用缺失等）不改，需人工处理")
    add_db_option(p)
    add_json_option(p)
    p.set_defaults(func=cmd_verify)


def _existing_db(args: argparse.Namespace) -> Path:
    path = db_path(args)
    if not path.exists():
        raise UserError(f"找不到数据库文件“{path}”，请先运行 gzdesk init")
    return path


def _user_name(args: argparse.Namespace) -> str | None:
    from gzdesk.cli.common import user_name

    return user_name(args)


def _allowed_db(args: argparse.Namespace, cap: Cap) -> Path:
    """The database, once its user (when it has users) has been checked for ``cap``."""
    path = _existing_db(args)
    db = open_db(args)
    try:
        db.require(cap)
    finally:
        db.close()
    return path


def cmd_backup(args: argparse.Namespace) -> int:
    if args.list:
        return _list(args)
    if args.check:
        return _check(args)
    if args.keep < 0:
        raise UserError("--keep 不能为负数")
    target = backup.backup_database(_allowed_db(args, Cap.EXPORT), Path(args.to) if args.to else None, keep=args.keep)
    head = audit.file_head(target)
    if args.json:
        print_json({"path": str(target), "size": target.stat().st_size,
                    "audit_chain_head": {"id": head[0], "hash": head[1]} if head else None})
    else:
        print(f"已备份到 {target}（{target.stat().st_size // 1024} KB）")
        if head:
            print(f"审计链末端：第 {head[0]} 条 {head[1][:16]}（另存在 {target.name}{audit.HEAD_SUFFIX}；"
                  f"日后可用 gzdesk verify --head {head[0]}:{head[1][:16]} 核对此前的历史未被改写）")
    return 0


def _list(args: argparse.Namespace) -> int:
    found = backup.backup_listing(db_path(args), Path(args.to) if args.to else None)
    bad = [b for b in found if b.status == backup.ALTERED]
    if args.json:
        print_json([b.to_json() for b in found])
        return 1 if bad else 0
    if not found:
        print("尚无备份")
        return 0
    print_table(["备份文件", "大小", "校验"],
                [[b.path.name, f"{b.size // 1024} KB", b.message] for b in found])
    print(f"共 {len(found)} 份备份" + (f"，其中 {len(bad)} 份与校验值不符，不要用它们恢复" if bad else "")
          + backup.CHECKSUM_NOTE)
    return 1 if bad else 0


def _check(args: argparse.Namespace) -> int:
    path = Path(args.check)
    found = backup.check_backup(path)
    problem = None
    if found.status != backup.ALTERED:
        try:
            backup.check_database_file(path)
        except UserError as exc:
            problem = exc.message
    ok = found.status != backup.ALTERED and problem is None
    if args.json:
        print_json(dict(found.to_json(), usable=ok, problem=problem))
        return 0 if ok else 1
    print(f"{path.name}：{found.message}{backup.CHECKSUM_NOTE}")
    if found.status == backup.ALTERED:
        print("不要用这份备份恢复（restore 会拒绝它）")
    else:
        print(problem or "文件完整，可用于恢复")
    return 0 if ok else 1


def cmd_restore(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    backup.require_restore(path, lambda: _allowed_db(args, Cap.RESTORE))
    result = backup.restore_database(path, Path(args.file), actor=_user_name(args))
    if args.json:
        print_json({"restored_from": str(result.restored_from),
                    "safety_copy": str(result.safety_copy) if result.safety_copy else None,
                    "set_aside": str(result.set_aside) if result.set_aside else None,
                    "checksum": result.checksum,
                    "schema_version": result.schema_version, "upgraded_to": result.upgraded_to})
        return 0
    print(f"已从 {result.restored_from} 恢复数据库")
    if result.checksum == backup.UNCHECKED:
        print("注意：此备份没有校验文件（较早的备份），无法确认它在备份之后未被改动；文件本身检查完好")
    if result.set_aside:
        print(f"原数据库已损坏，已改名保留为 {result.set_aside}（不要再当作数据库使用）")
    else:
        print(f"恢复前的数据库已备份到 {result.safety_copy}")
    if result.upgraded_to:
        print(f"备份的结构版本 {result.schema_version} 已升级到 {result.upgraded_to}")
    return 0


def _head(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    number, _, digest = text.replace("：", ":").partition(":")
    digest = digest.strip().lower()
    if not number.strip().isdigit() or len(digest) < 8 or any(c not in "0123456789abcdef" for c in digest):
        raise UserError(f"--head 应为“编号:校验值”（校验值至少 8 位十六进制），收到“{text}”")
    return int(number), digest


def cmd_verify(args: argparse.Namespace) -> int:
    path = _existing_db(args)
    expected_head = _head(args.head)
    cleared = None
    if args.clear_unreadable:
        from gzdesk import value_check

        db = open_db(args)
        try:
            with db.transaction() as s:
                cleared = value_check.clear_unreadable(s)
        finally:
            db.close()
        if not args.json:
            print(f"已清空 {len(cleared)} 个无法识别的值（已记入审计日志）" + "".join(f"\n  {p.text()}" for p in cleared[:20]))
    report = backup.verify_database(path, expected_head=expected_head)
    if args.json:
        data = report.to_json()
        if cleared is not None:
            data["cleared"] = [p.to_json() for p in cleared]
        print_json(data)
    else:
        print("\n".join(report.lines()))
    return 0 if report.ok else 1
