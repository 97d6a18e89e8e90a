"""Copies of the database, restoring one, and a check of the file and its audit log.

- ``backup_database``: a consistent copy made with SQLite's online backup API (safe while the
  program is open and writing in WAL mode) into ``backups/`` next to the database, named
  ``<name>-YYYYmmdd-HHMMSS.db``; only the newest ``keep`` copies are kept (云南 security duties:
  备份).
- ``restore_database``: checks that the file is a gzdesk database this program can open (not newer,
  not a 上报快照, integrity ok), backs up the current database, then copies the file over it with the
  backup API (so connections still open see the restored data and no stale WAL survives), and
  upgrades it if it is older.
- ``verify_database``: ``PRAGMA integrity_check`` and ``foreign_key_check``, the schema version,
  and the audit log (云南 日志、审计, ``gzdesk.audit_verify``): the hash chain of the events, the
  digests of bulk writes, and every record's current values against what its events say. The first
  problem named is the first broken event or record. ``expected_head`` compares the chain with a
  head kept outside the file (which is what catches a history rewritten with a recomputed chain).
  And every stored value of every record is one its column may hold (``gzdesk.value_check``:
  dates, codes, JSON, references, sizes, unit cycles), each bad one named with its table, record
  and field.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gzdesk import audit, dblock, safe_files, storage_errors, value_check
from gzdesk.audit_log import entity_label
from gzdesk.errors import UserError
from gzdesk.models import migrations
from gzdesk.models.types import decode_text

DEFAULT_KEEP = 10
SNAPSHOT_TABLE = "snapshot_manifest"


def backups_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


class DamagedDatabase(UserError):
    """The database file itself is damaged (not merely locked, read-only or on a full disk)."""


def _sqlite_problem(exc: sqlite3.Error | OSError, name: str) -> UserError:
    """One Chinese line for a failed copy of ``name``, naming the real cause (never "damaged":
    whether the source itself is damaged is for ``damage_of`` to say, from the source alone)."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG) or "full" in text:
        return UserError(f"磁盘空间不足，无法写入“{name}”的副本；请腾出空间后再试（未留下不完整的文件）")
    if "disk i/o" in text:
        return UserError(f"写入“{name}”的副本时出错（磁盘已满、文件大小受限或磁盘故障），未留下不完整的文件")
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return UserError(f"“{name}”或其所在文件夹是只读的，无法写入；请检查文件属性与文件夹权限")
    if "locked" in text or "busy" in text:
        return UserError(f"数据库“{name}”正被其他程序使用，请稍后再试")
    return UserError(f"复制“{name}”失败：{exc}")


def _damage_words(message: str) -> bool:
    """SQLite's words for a damaged file (as opposed to one it cannot open or lock)."""
    return any(word in message.lower() for word in ("malformed", "not a database", "corrupt", "encrypted"))


def damage_of(db_path: Path) -> str | None:
    """What is damaged in the database file itself (read-only ``quick_check``); None when it reads
    well, or when it cannot be read for another reason (locked, permissions): that is no damage."""
    try:
        conn = safe_files.connect_read_only(db_path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except safe_files.SQLITE_ERRORS as exc:
        return str(exc) if _damage_words(str(exc)) else None
    return None if rows == ["ok"] else safe_files.check_text(rows)


def _integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    finally:
        conn.close()


def backup_database(db_path: Path, to_dir: Path | None = None, keep: int = DEFAULT_KEEP,
                    label: str | None = None, now: datetime | None = None) -> Path:
    """Copy the database into ``to_dir`` (default ``backups/`` beside it); return the new file.

    The copy is written as ``<name>.<pid>.partial``, checked (``integrity_check``), renamed, and
    its SHA-256 written beside it (``<name>.sha256``, ``gzdesk.safe_files``). A copy that fails its
    check means the database itself is damaged: ``DamagedDatabase``.
    """
    db_path = Path(db_path)
    if not db_path.exists():
        raise UserError(f"找不到数据库文件“{db_path}”")
    folder = Path(to_dir) if to_dir else backups_dir(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"无法创建备份文件夹“{folder}”：{exc.strerror or exc}") from None
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    stem = db_path.stem + (f"-{label}" if label else "")
    target = folder / f"{stem}-{stamp}.db"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{stem}-{stamp}-{n}.db"
    partial = safe_files.partial_path(target)
    try:
        with dblock.operation(db_path, exclusive=False):
            safe_files.online_copy(db_path, partial)
        checks = _integrity(partial)
        if checks != ["ok"]:
            damage = damage_of(db_path)
            if damage:
                raise DamagedDatabase(f"数据库“{db_path.name}”已损坏（{damage}），备份副本未通过完整性检查，"
                                      "请运行 gzdesk verify")
            raise UserError(f"备份副本未通过完整性检查（{safe_files.check_text(checks)}），未保留；请检查磁盘后重试")
        safe_files.finish(partial, target)
        safe_files.write_checksum(target)
        audit.write_head_file(target)  # the audit chain head, to compare with later
    except (sqlite3.Error, OSError) as exc:
        safe_files.remove_database_file(partial)
        if target.exists() and not safe_files.checksum_path(target).exists():
            target.unlink(missing_ok=True)  # renamed but its checksum could not be written: not kept
        damage = damage_of(db_path) if isinstance(exc, sqlite3.DatabaseError) else None
        if damage:
            raise DamagedDatabase(f"数据库“{db_path.name}”已损坏：{damage}") from None
        raise _sqlite_problem(exc, db_path.name) from None
    except BaseException:
        safe_files.remove_database_file(partial)
        raise
    if keep > 0 and not label:
        prune_backups(folder, db_path.stem, keep)
    return target


def list_backups(folder: Path, stem: str) -> list[Path]:
    """Timestamped copies of ``stem`` in ``folder``, newest first (labelled copies excluded)."""
    found = []
    for p in Path(folder).glob(f"{stem}-*.db"):
        rest = p.name[len(stem) + 1:-3]
        if rest[:8].isdigit() and rest[8:9] == "-" and rest[9:15].isdigit():
            found.append(p)
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune_backups(folder: Path, stem: str, keep: int) -> list[Path]:
    removed = []
    for old in list_backups(folder, stem)[keep:]:
        old.unlink(missing_ok=True)
        Path(str(old) + audit.HEAD_SUFFIX).unlink(missing_ok=True)
        safe_files.checksum_path(old).unlink(missing_ok=True)
        removed.append(old)
    return removed


# --------------------------------------------------------------------------- checking backups

OK, ALTERED, UNCHECKED = "ok", "altered", "unchecked"
CHECKSUM_NOTE = "（校验值只能发现意外损坏或截断，任何改动文件的人也能改写它，不能证明文件来源）"


@dataclass
class BackupCheck:
    """A backup file and what its checksum says."""

    path: Path
    size: int
    status: str  # ok / altered / unchecked (no checksum file)
    sha256: str

    @property
    def message(self) -> str:
        if self.status == OK:
            return "校验一致"
        if self.status == ALTERED:
            return "与校验值不符：备份之后被改动、截断或已损坏"
        return "没有校验文件（较早的备份），无法确认备份之后未被改动"

    def to_json(self) -> dict:
        return {"path": str(self.path), "size": self.size, "status": self.status, "sha256": self.sha256,
                "message": self.message}


def check_backup(path: Path) -> BackupCheck:
    """Compare a backup with the SHA-256 written beside it when it was made."""
    path = Path(path)
    try:
        digest, size = safe_files.sha256_file(path), path.stat().st_size
    except OSError as exc:
        raise UserError(f"无法读取备份“{path.name}”：{exc.strerror or exc}") from None
    expected = safe_files.read_checksum(path)
    status = UNCHECKED if expected is None else OK if expected == digest else ALTERED
    return BackupCheck(path, size, status, digest)


def backup_listing(db_path: Path, folder: Path | None = None) -> list[BackupCheck]:
    """Every backup of the database (timestamped and labelled) in ``folder``, newest first, checked."""
    db_path = Path(db_path)
    folder = Path(folder) if folder else backups_dir(db_path)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{db_path.stem}-*.db") if p.is_file()]
    return [check_backup(p) for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)]


# --------------------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    restored_from: Path
    safety_copy: Path | None  # a copy of the current database made before the restore
    schema_version: int
    upgraded_to: int | None
    set_aside: Path | None = None  # the damaged current database, renamed and kept
    checksum: str = OK  # ok / unchecked: what the backup's checksum said


def check_database_file(path: Path, name: str | None = None) -> int:
    """The schema version of a gzdesk database at ``path``; UserError saying why it is not usable."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise UserError(f"找不到文件“{path}”")
    with open(path, "rb") as f:
        if f.read(16) != migrations.SQLITE_MAGIC:
            raise UserError(f"文件“{name}”不是 SQLite 数据库")
    try:
        conn = safe_files.connect_read_only(path)
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version, app_id, _ = migrations.read_version(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except safe_files.SQLITE_ERRORS as exc:
        raise UserError(f"文件“{name}”已损坏：{exc}") from None
    if checks != ["ok"]:
        raise UserError(f"文件“{name}”已损坏（完整性检查：{safe_files.check_text(checks)}）")
    if app_id != migrations.APPLICATION_ID or "setting" not in tables:
        raise UserError(f"文件“{name}”不是 gzdesk 数据库")
    if SNAPSHOT_TABLE in tables:
        raise UserError(f"文件“{name}”是上报快照，不是备份；请用“合并下级快照”合并它")
    if version > migrations.LATEST_VERSION:
        raise UserError(f"文件“{name}”由较新版本的 gzdesk 写入（结构版本 {version}），本程序只支持到版本 "
                        f"{migrations.LATEST_VERSION}，不能恢复")
    return version


def read_only_problem(db_path: Path) -> str | None:
    """Why the database at ``db_path`` cannot be written (the file or its folder is read-only)."""
    db_path = Path(db_path)
    if db_path.exists() and not os.access(db_path, os.W_OK):
        return f"数据库文件“{db_path.name}”是只读的（文件没有损坏）"
    if not os.access(db_path.parent, os.W_OK):
        return f"数据库所在的文件夹“{db_path.parent}”是只读的"
    return None


def set_aside(db_path: Path, now: datetime | None = None) -> Path:
    """Rename a damaged database (and its -wal/-shm/-journal) to ``<name>.damaged-<time>``: kept for
    whoever wants to rescue something from it, named so that nobody takes it for good data."""
    db_path = Path(db_path)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}-{n}")
    os.replace(db_path, aside)
    for suffix in safe_files.SIDE_SUFFIXES:  # a -wal or -journal may hold pages: kept with it
        side = db_path.with_name(db_path.name + suffix)
        if not side.exists():
            continue
        if suffix == "-shm" or side.stat().st_size == 0:
            side.unlink()  # an index of the -wal, or empty: nothing to keep
        else:
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside


def require_restore(db_path: Path, check: Callable[[], object]) -> str | None:
    """Run ``check`` (the 管理员 capability, asked of the current database); returns None when it
    passed. A damaged database cannot say who may restore it: then the check is skipped and its
    damage returned — restoring is what such a file needs, the file itself is set aside, not lost
    (``restore_database``), and whoever holds it could copy a backup over it anyway. Any other
    refusal is raised."""
    try:
        check()
    except UserError:
        damage = damage_of(db_path)
        if damage is None:
            raise
        return damage
    return None


def restore_database(db_path: Path, source: Path, keep: int = DEFAULT_KEEP, actor: str | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` by the backup ``source``.

    The backup is checked first — its SHA-256 against the checksum written beside it (when there
    is one), then as a database (integrity, a gzdesk database, not newer) — on a private copy
    beside the database, which is what is restored. Then the current file: a read-only one is
    refused as 只读 and left alone; a good one is backed up first (label ``before-restore``; if
    that copy cannot be made, nothing is restored); a damaged one — its copy fails the check —
    is set aside (``set_aside``) instead, and the backup takes its place.

    The restored database's audit log ends with a 'restore' event naming the backup and the chain
    head of the database it replaced (``actor``: who did it), so the history that was dropped is
    on record — and a receiving office, which would otherwise see a shortened history, can tell.
    """
    db_path, source = Path(db_path), Path(source)
    if not source.is_file():
        raise UserError(f"找不到文件“{source}”")
    if not db_path.exists():
        raise UserError(f"找不到数据库文件“{db_path}”；新数据库请直接复制备份文件")
    if source.resolve() == db_path.resolve():
        raise UserError("要恢复的文件就是当前数据库")
    problem = read_only_problem(db_path)
    if problem:
        raise UserError(f"{problem}，不能恢复覆盖它；请先取消只读属性后再试")
    found = check_backup(source)
    if found.status == ALTERED:
        raise UserError(f"备份“{source.name}”与备份时记下的 SHA-256 校验值不符：文件在备份之后被改动、截断或已损坏，"
                        f"未恢复{CHECKSUM_NOTE}")
    with open(source, "rb") as f:
        if f.read(16) != migrations.SQLITE_MAGIC:
            raise UserError(f"文件“{source.name}”不是 SQLite 数据库")
    with dblock.operation(db_path, exclusive=True, refuse_window_for="恢复数据库"):
        replaced = _head_or_none(db_path)  # (None when the file is damaged: it is set aside below)
        staged = safe_files.partial_path(db_path.with_name(db_path.name + ".restore"))
        try:
            try:
                safe_files.online_copy(source, staged)
                _integrity(staged)
            except (sqlite3.Error, OSError) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and "full" not in str(exc).lower():
                    raise UserError(f"备份“{source.name}”已损坏：{exc}") from None
                raise _sqlite_problem(exc, source.name) from None
            if found.status == OK and safe_files.sha256_file(source) != found.sha256:
                raise UserError(f"备份“{source.name}”在恢复过程中被改动，未恢复")
            version = check_database_file(staged, name=source.name)
            safety = aside = None
            try:
                safety = backup_database(db_path, label="before-restore")
            except DamagedDatabase:
                aside = set_aside(db_path)
            if aside is None:
                try:
                    safe_files.online_copy(staged, db_path)  # in one transaction: open connections see the restored data
                except (sqlite3.Error, OSError) as exc:
                    raise UserError(f"恢复失败（原数据库未改动，并已备份到 {safety}）："
                                    f"{_sqlite_problem(exc, db_path.name).message}") from None
            else:
                safe_files.finish(staged, db_path)
        finally:
            safe_files.remove_database_file(staged)
        upgraded = None
        if version < migrations.LATEST_VERSION:
            _, upgraded, _ = migrations.migrate(db_path, backup=False)
        kept = (f"恢复前的数据库已备份为“{safety.name}”" if safety else
                f"恢复前的数据库已损坏，另存为“{aside.name}”" if aside else "")
        audit.append_to_file(db_path, actor or "系统", "restore", "*",
                             f"从备份“{source.name}”恢复数据库（{kept}）",
                             {"backup": source.name, "safety_copy": safety.name if safety else None,
                              "set_aside": aside.name if aside else None,
                              "backup_head": list(audit.file_head(source) or []) or None,
                              "replaced_head": list(replaced) if replaced else None})
    return RestoreResult(source, safety, version, upgraded, aside, found.status)


def _head_or_none(path: Path) -> tuple[int, str] | None:
    """The chain head of ``path``, or None when it cannot be read (a damaged file)."""
    try:
        return audit.file_head(path)
    except safe_files.SQLITE_ERRORS:
        return None


# --------------------------------------------------------------------------- verify


@dataclass
class Finding:
    kind: str  # integrity / foreign_key / schema / audit_chain / audit_rows / audit_record / audit_head / value
    message: str
    detail: dict | None = None  # value: table, id, uuid, field (ValueProblem.to_json)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "message": self.message}
        if self.detail:
            out.update(self.detail, message=self.message)
        return out


@dataclass
class VerifyReport:
    path: Path
    schema_version: int = 0
    latest_version: int = migrations.LATEST_VERSION
    checked: dict[str, int] = field(default_factory=dict)
    events: int = 0
    problems: list[Finding] = field(default_factory=list)
    head: tuple[int, str] | None = None  # the audit chain's last event (id, hash)
    expected_head: tuple[int, str] | None = None  # ``verify --head``: (id, hash or its first digits)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"数据库：{self.path}",
               f"结构版本：{self.schema_version}（本程序最新 {self.latest_version}）",
               "已检查：" + "、".join(f"{entity_label(k)} {v} 条" for k, v in self.checked.items() if v)
               + f"；审计日志 {self.events} 条"]
        if self.head is not None:
            out.append(f"审计链末端：第 {self.head[0]} 条，校验值 {self.head[1]}")
        if self.ok:
            out.append("检查通过：文件完整，外键一致，各项值有效；审计日志的校验链完整，每条记录都与日志相符")
            out.append("（这说明文件内部一致；能改写整个数据库文件的人也能重算校验链，"
                       "要发现改写过的历史，请用 --head 与上报快照、备份或打印的登记表上的链末端比对）")
        else:
            out.append(f"发现 {len(self.problems)} 个问题：")
            out.extend(f"  {i}. {p.message}" for i, p in enumerate(self.problems, start=1))
        return out

    def to_json(self) -> dict:
        return {"path": str(self.path), "ok": self.ok, "schema_version": self.schema_version,
                "latest_version": self.latest_version, "checked": self.checked, "events": self.events,
                "head": {"id": self.head[0], "hash": self.head[1]} if self.head else None,
                "problems": [p.to_json() for p in self.problems]}


def verify_database(db_path: Path, max_listed: int = 20, expected_head: tuple[int, str] | None = None) -> VerifyReport:
    """Check the file, its schema and its audit log; problems are listed in Chinese.

    ``expected_head`` (id, hash or its first hex digits): a chain head noted outside the file,
    which the log must still contain unchanged."""
    db_path = Path(db_path)
    report = VerifyReport(db_path, expected_head=expected_head)
    if not db_path.is_file():
        raise UserError(f"找不到数据库文件“{db_path}”")
    migrations.check_file(db_path)
    with dblock.operation(db_path, exclusive=False):
        return _verify_file(db_path, report, max_listed)


def _verify_file(db_path: Path, report: VerifyReport, max_listed: int) -> VerifyReport:
    try:
        conn = safe_files.connect_read_only(db_path)  # a check changes nothing, also on a write-protected disk
    except safe_files.SQLITE_ERRORS as exc:
        raise UserError(f"无法打开数据库：{exc}") from None
    try:
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version, app_id, _ = migrations.read_version(conn)
        except safe_files.SQLITE_ERRORS as exc:
            if not _damage_words(str(exc)):  # locked, permissions, a disk error: not the file's damage
                raise storage_errors.explain(exc, db_path) or UserError(f"无法读取数据库：{exc}") from None
            report.problems.append(Finding("integrity", f"文件已损坏：{exc}"))
            return report
        report.schema_version = version
        if checks != ["ok"]:
            report.problems.append(Finding("integrity", f"完整性检查未通过：{safe_files.check_text(checks, 3)}"))
            return report
        if app_id != migrations.APPLICATION_ID:
            report.problems.append(Finding("schema", "文件不是 gzdesk 数据库（应用标识不符）"))
            return report
        if version > migrations.LATEST_VERSION:
            report.problems.append(Finding("schema", f"结构版本 {version} 比本程序支持的 "
                                                     f"{migrations.LATEST_VERSION} 新，请升级程序"))
            return report
        if version < migrations.LATEST_VERSION:
            report.problems.append(Finding("schema", f"结构版本 {version} 较旧（最新 {migrations.LATEST_VERSION}），"
                                                     "用本程序打开一次即可升级"))
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            first = fk[0]
            report.problems.append(Finding("foreign_key", f"有 {len(fk)} 处引用指向不存在的记录（如 {first[0]} 第 "
                                                          f"{first[1]} 行 → {first[2]}）"))
        _verify_audit(conn, report, max_listed)
        _verify_values(conn, report, max_listed)
    finally:
        conn.close()
    return report


def _verify_values(conn: sqlite3.Connection, report: VerifyReport, max_listed: int) -> None:
    """Every stored value against its column (``gzdesk.value_check``): dates, codes, JSON, references…"""
    conn.text_factory = decode_text
    values = value_check.check_connection(conn, limit=max_listed)
    for p in values.problems:
        report.problems.append(Finding("value", p.text(), p.to_json()))
    if values.total > len(values.problems):
        report.problems.append(Finding("value", f"另有 {values.total - len(values.problems)} 处无效的值"))


def _verify_audit(conn: sqlite3.Connection, report: VerifyReport, max_listed: int) -> None:
    """The audit chain, the bulk digests and every record against its history (``gzdesk.audit_verify``)."""
    from gzdesk import audit_verify

    columns = {r[1] for r in conn.execute("PRAGMA table_info(audit_event)")}
    if "hash" not in columns:
        report.problems.append(Finding("audit_chain", "审计日志尚未建立校验链（结构版本较旧），用本程序打开一次即可升级"))
        return
    result = audit_verify.check(conn, max_listed)
    report.events, report.head = result.events, result.head
    report.checked = result.checked
    report.problems.extend(Finding(kind, message) for kind, message in result.problems)
    if report.expected_head is not None:
        _check_head(conn, report)


def _check_head(conn: sqlite3.Connection, report: VerifyReport) -> None:
    """The chain must contain a head noted elsewhere (a printed form, a backup's sidecar)."""
    assert report.expected_head is not None
    eid, prefix = report.expected_head
    row = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (eid,)).fetchone()
    if row is None:
        report.problems.append(Finding("audit_head", f"审计日志中没有第 {eid} 条：比对的链末端之后的历史被删除或改写"))
    elif not (row[0] or "").startswith(prefix.lower()):
        report.problems.append(Finding("audit_head", f"审计日志第 {eid} 条的校验值（{(row[0] or '')[:16]}）与比对的"
                                                     f"{prefix[:16]} 不符：此前的历史被改写"))
