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
  and the audit log (云南 日志、审计): every 单位/账号/人员/备案 has an audit event of its own
  (create / import / merge …), or was merged from a snapshot (a 'merge' event exists), or was
  written by a bulk operation (demo data, Excel import) whose summary event was recorded within an
  hour after the record was created; event times never go backwards as ids grow; every
  ``changes`` is valid JSON; and every stored value of every record is one its column may hold
  (``gzdesk.value_check``: dates, codes, JSON, references, sizes, unit cycles), each bad one named
  with its table, record and field.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from gzdesk import value_check
from gzdesk.errors import UserError
from gzdesk.models import migrations
from gzdesk.models.types import decode_text

DEFAULT_KEEP = 10
AUDITED_TABLES = {"unit": "单位", "account": "账号", "person": "人员", "filing": "备案"}
BULK_WINDOW = timedelta(hours=1)
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


def restore_database(db_path: Path, source: Path, keep: int = DEFAULT_KEEP) -> RestoreResult:
    """Replace the database at ``db_path`` by the backup ``source`` (after a safety copy)."""
    db_path, source = Path(db_path), Path(source)
    version = check_database_file(source)
    if db_path.exists() and source.resolve() == db_path.resolve():
        raise UserError("要恢复的文件就是当前数据库")
    if db_path.exists():
        safety = backup_database(db_path, label="before-restore")
    else:
        raise UserError(f"找不到数据库文件“{db_path}”；新数据库请直接复制备份文件")
    try:
        _online_copy(source, db_path)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"恢复失败（原数据库已备份到 {safety}）：{exc}") from None
    upgraded = None
    if version < migrations.LATEST_VERSION:
        _, upgraded, _ = migrations.migrate(db_path, backup=False)
    return RestoreResult(source, safety, version, upgraded)


# --------------------------------------------------------------------------- verify


@dataclass
class Finding:
    kind: str  # integrity / foreign_key / schema / audit_missing / audit_time / audit_json / value
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

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"数据库：{self.path}",
               f"结构版本：{self.schema_version}（本程序最新 {self.latest_version}）",
               "已检查：" + "、".join(f"{AUDITED_TABLES.get(k, k)} {v} 条" for k, v in self.checked.items())
               + f"；审计日志 {self.events} 条"]
        if self.ok:
            out.append("检查通过：文件完整，外键一致，各项值有效，审计日志完整")
        else:
            out.append(f"发现 {len(self.problems)} 个问题：")
            out.extend(f"  {i}. {p.message}" for i, p in enumerate(self.problems, start=1))
        return out

    def to_json(self) -> dict:
        return {"path": str(self.path), "ok": self.ok, "schema_version": self.schema_version,
                "latest_version": self.latest_version, "checked": self.checked, "events": self.events,
                "problems": [p.to_json() for p in self.problems]}


def _parse_time(text) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def verify_database(db_path: Path, max_listed: int = 20) -> VerifyReport:
    """Check the file, its schema and its audit log; problems are listed in Chinese."""
    db_path = Path(db_path)
    report = VerifyReport(db_path)
    if not db_path.is_file():
        raise UserError(f"找不到数据库文件“{db_path}”")
    migrations.check_file(db_path)
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
    events = conn.execute("SELECT id, at, action, entity, entity_uuid, changes FROM audit_event ORDER BY id").fetchall()
    report.events = len(events)
    own: set[str] = set()
    bulk_times: list[datetime] = []
    merged = False
    previous: tuple[int, datetime] | None = None
    bad_json: list[int] = []
    backwards: list[tuple[int, int]] = []
    for eid, at_text, action, _entity, entity_uuid, changes in events:
        at = _parse_time(at_text)
        if at is None:
            report.problems.append(Finding("audit_time", f"审计日志第 {eid} 条的时间“{at_text}”无法识别"))
        elif previous is not None and at < previous[1]:
            backwards.append((previous[0], eid))
        if at is not None:
            previous = (eid, at)
        if changes is not None:
            try:
                json.loads(changes)
            except ValueError:
                bad_json.append(eid)
        if entity_uuid and action not in ("update", "delete"):
            own.add(entity_uuid)
        if action == "merge":
            merged = True
        if not entity_uuid and action not in ("update", "delete") and at is not None:
            bulk_times.append(at)
    for a, b in backwards[:max_listed]:
        report.problems.append(Finding("audit_time", f"审计日志时间倒退：第 {b} 条早于第 {a} 条（记录可能被改动，"
                                                     "或电脑时钟被调回）"))
    if len(backwards) > max_listed:
        report.problems.append(Finding("audit_time", f"另有 {len(backwards) - max_listed} 处时间倒退"))
    for eid in bad_json[:max_listed]:
        report.problems.append(Finding("audit_json", f"审计日志第 {eid} 条的修改内容不是有效的 JSON"))
    if len(bad_json) > max_listed:
        report.problems.append(Finding("audit_json", f"另有 {len(bad_json) - max_listed} 条修改内容无效"))
    bulk_times.sort()

    def covered_by_bulk(created: datetime | None) -> bool:
        if created is None:
            return False
        i = bisect.bisect_left(bulk_times, created)
        return i < len(bulk_times) and bulk_times[i] - created <= BULK_WINDOW

    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing: list[str] = []
    n_missing = 0
    for table, label in AUDITED_TABLES.items():
        if table not in tables:
            continue
        label_col = "number" if table == "filing" else "name"
        rows = conn.execute(f"SELECT id, uuid, {label_col}, origin, created_at FROM {table}").fetchall()
        report.checked[table] = len(rows)
        for rid, uuid, name, origin, created_at in rows:
            if uuid in own or (origin and merged):
                continue
            if covered_by_bulk(_parse_time(created_at)):
                continue
            n_missing += 1
            if len(missing) < max_listed:
                missing.append(f"{label}“{name}”（编号 {rid}）")
    if n_missing:
        more = f" 等 {n_missing} 条" if n_missing > len(missing) else ""
        report.problems.append(Finding("audit_missing", f"以下记录没有创建、导入或合并的审计记录：{'、'.join(missing)}{more}"))
