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
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gzdesk import audit, dblock
from gzdesk.audit_log import entity_label
from gzdesk.errors import UserError
from gzdesk.models import migrations

DEFAULT_KEEP = 10
SNAPSHOT_TABLE = "snapshot_manifest"


def backups_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def _online_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(db_path: Path, to_dir: Path | None = None, keep: int = DEFAULT_KEEP,
                    label: str | None = None, now: datetime | None = None) -> Path:
    """Copy the database into ``to_dir`` (default ``backups/`` beside it); return the new file."""
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
    partial = target.with_name(target.name + ".partial")
    try:
        with dblock.operation(db_path, exclusive=False):
            _online_copy(db_path, partial)
        conn = sqlite3.connect(partial)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if ok != "ok":
            raise UserError(f"备份副本未通过完整性检查（{ok}），数据库可能已损坏，请运行 gzdesk verify")
        partial.replace(target)
        audit.write_head_file(target)  # the audit chain head, to compare with later
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise UserError(f"备份失败：{exc}") from None
    except BaseException:
        partial.unlink(missing_ok=True)
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
        removed.append(old)
    return removed


# --------------------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    restored_from: Path
    safety_copy: Path
    schema_version: int
    upgraded_to: int | None


def check_database_file(path: Path) -> int:
    """The schema version of a gzdesk database at ``path``; UserError saying why it is not usable."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到文件“{path}”")
    with open(path, "rb") as f:
        if f.read(16) != migrations.SQLITE_MAGIC:
            raise UserError(f"文件“{path.name}”不是 SQLite 数据库")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version, app_id, _ = migrations.read_version(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"文件“{path.name}”已损坏：{exc}") from None
    if checks != ["ok"]:
        raise UserError(f"文件“{path.name}”已损坏（完整性检查：{'；'.join(checks[:2])}）")
    if app_id != migrations.APPLICATION_ID or "setting" not in tables:
        raise UserError(f"文件“{path.name}”不是 gzdesk 数据库")
    if SNAPSHOT_TABLE in tables:
        raise UserError(f"文件“{path.name}”是上报快照，不是备份；请用“合并下级快照”合并它")
    if version > migrations.LATEST_VERSION:
        raise UserError(f"文件“{path.name}”由较新版本的 gzdesk 写入（结构版本 {version}），本程序只支持到版本 "
                        f"{migrations.LATEST_VERSION}，不能恢复")
    return version


def restore_database(db_path: Path, source: Path, keep: int = DEFAULT_KEEP, actor: str | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` by the backup ``source`` (after a safety copy).

    The restored database's audit log ends with a 'restore' event naming the backup and the chain
    head of the database it replaced (``actor``: who did it), so the history that was dropped is
    on record — and a receiving office, which would otherwise see a shortened history, can tell."""
    db_path, source = Path(db_path), Path(source)
    version = check_database_file(source)
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise UserError("要恢复的文件就是当前数据库")
    if not db_path.exists():
        raise UserError(f"找不到数据库文件“{db_path}”；新数据库请直接复制备份文件")
    with dblock.operation(db_path, exclusive=True, refuse_window_for="恢复数据库"):
        replaced = audit.file_head(db_path)
        safety = backup_database(db_path, label="before-restore")
        try:
            _online_copy(source, db_path)
        except sqlite3.DatabaseError as exc:
            raise UserError(f"恢复失败（原数据库已备份到 {safety}）：{exc}") from None
        upgraded = None
        if version < migrations.LATEST_VERSION:
            _, upgraded, _ = migrations.migrate(db_path, backup=False)
        audit.append_to_file(db_path, actor or "系统", "restore", "*",
                             f"从备份“{source.name}”恢复数据库（恢复前的数据库已备份为“{safety.name}”）",
                             {"backup": source.name, "safety_copy": safety.name,
                              "backup_head": list(audit.file_head(source) or []) or None,
                              "replaced_head": list(replaced) if replaced else None})
    return RestoreResult(source, safety, version, upgraded)


# --------------------------------------------------------------------------- verify


@dataclass
class Finding:
    kind: str  # integrity / foreign_key / schema / audit_chain / audit_rows / audit_record / audit_head
    message: str

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message}


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
            out.append("检查通过：文件完整，外键一致；审计日志的校验链完整，每条记录都与日志相符")
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
        conn = sqlite3.connect(db_path)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"无法打开数据库：{exc}") from None
    try:
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version, app_id, _ = migrations.read_version(conn)
        except sqlite3.DatabaseError as exc:
            report.problems.append(Finding("integrity", f"文件已损坏：{exc}"))
            return report
        report.schema_version = version
        if checks != ["ok"]:
            report.problems.append(Finding("integrity", f"完整性检查未通过：{'；'.join(checks[:3])}"))
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
    finally:
        conn.close()
    return report


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
