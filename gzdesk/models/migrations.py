"""Numbered schema migrations, run when a database is opened (Vorta style).

Version ``N`` is the file ``sql/vNNN_*.sql``; the database records its version in
``PRAGMA user_version`` and identifies itself as ours with ``PRAGMA application_id``.
Before any upgrade the file is copied next to itself (``name.db.v1-20261122-101500.bak``) with
SQLite's online backup, so a failed or unwanted upgrade loses nothing. A database written by a
newer gzdesk is refused rather than guessed at.

To change the schema: change the ORM in ``entities.py``, add ``sql/vNNN_what.sql`` with the
statements that turn version N-1 into N, and ``tests/test_migrations.py`` checks that the two agree.
A line ``-- python: package.module:function`` in a migration runs ``function(conn)`` after its
statements, in the same transaction (for steps SQL cannot do, such as hashing).
"""

from __future__ import annotations

import importlib
import logging
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from gzdesk import safe_files
from gzdesk.errors import UserError

log = logging.getLogger(__name__)

APPLICATION_ID = 0x677A646B  # "gzdk"
SQLITE_MAGIC = b"SQLite format 3\x00"


def _migration_files() -> dict[int, str]:
    found: dict[int, str] = {}
    for entry in resources.files("gzdesk.models").joinpath("sql").iterdir():
        m = re.match(r"v(\d{3})_.*\.sql$", entry.name)
        if m:
            found[int(m.group(1))] = entry.read_text(encoding="utf-8")
    return dict(sorted(found.items()))


MIGRATIONS: dict[int, str] = _migration_files()
LATEST_VERSION: int = max(MIGRATIONS)


def check_file(path: Path) -> None:
    """Refuse, with a reason, a file that is not a gzdesk SQLite database."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "rb") as f:
        head = f.read(16)
    if head != SQLITE_MAGIC:
        raise UserError(f"文件“{path.name}”不是 SQLite 数据库，无法打开")


def read_version(conn: sqlite3.Connection) -> tuple[int, int, bool]:
    """(user_version, application_id, has_tables)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    return version, app_id, has_tables


def backup_copy(path: Path, label: str) -> Path:
    """Copy the database with SQLite's backup API (consistent even with a WAL) next to itself.

    Written as ``<name>.<pid>.partial`` and renamed only when complete and checked, with its
    SHA-256 beside it (``gzdesk.safe_files``): a full disk leaves no empty ``.bak`` that looks
    like a backup, and the upgrade does not start without one.
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}.bak")
    partial = safe_files.partial_path(target)
    try:
        src = sqlite3.connect(path)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
                ok = dst.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
        if ok != "ok":
            raise UserError(f"升级前的备份副本未通过检查（{ok}），数据库“{path.name}”可能已损坏，未升级")
        safe_files.finish(partial, target)
        safe_files.write_checksum(target)
    except (sqlite3.Error, OSError) as exc:
        safe_files.remove_database_file(partial)
        full = "full" in str(exc).lower() or getattr(exc, "errno", None) == 28
        raise UserError(("磁盘空间不足，" if full else "") + f"无法在升级前备份数据库“{path.name}”（{exc}），"
                        "未升级；请腾出空间后再打开") from None
    except BaseException:
        safe_files.remove_database_file(partial)
        raise
    return target


def migrate(path: Path, *, upto: int | None = None, backup: bool = True,
            before_upgrade: Callable[[], None] | None = None) -> tuple[int, int, Path | None]:
    """Bring the database at ``path`` to ``upto`` (default: latest). Returns (old, new, backup).

    ``before_upgrade()`` is called when a file with tables is about to be upgraded (it may refuse
    by raising, e.g. while a window of another process has the file open)."""
    target = LATEST_VERSION if upto is None else upto
    check_file(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        try:
            version, app_id, has_tables = read_version(conn)
        except sqlite3.DatabaseError as exc:
            from gzdesk.storage_errors import explain

            raise explain(exc, path) or UserError(f"文件“{path.name}”已损坏或不是数据库：{exc}") from None
        if has_tables and version == 0 and app_id != APPLICATION_ID:
            raise UserError(f"文件“{path.name}”不是 gzdesk 数据库")
        if app_id not in (0, APPLICATION_ID):
            raise UserError(f"文件“{path.name}”不是 gzdesk 数据库")
        if version > LATEST_VERSION:
            raise UserError(
                f"数据库“{path.name}”由较新版本的 gzdesk 写入（结构版本 {version}），"
                f"本程序只支持到版本 {LATEST_VERSION}，请升级程序后再打开"
            )
        if version >= target:
            return version, version, None
        if before_upgrade is not None and has_tables:
            before_upgrade()
        saved = None
        if backup and has_tables:
            conn.close()
            saved = backup_copy(path, f"v{version}")
            conn = sqlite3.connect(path, isolation_level=None)
        for number in range(version + 1, target + 1):
            try:
                _apply(conn, number)
            except sqlite3.Error as exc:  # each step is its own transaction: the file stays at number - 1
                from gzdesk.storage_errors import explain

                told = explain(exc, path)
                if told is not None:
                    raise told from None
                kept = f"，升级前的副本在 {saved}" if saved else ""
                raise UserError(f"数据库“{path.name}”无法从结构第 {number - 1} 版升级到第 {number} 版（{exc}）："
                                f"文件的结构与它记下的版本不符，可能被其他软件改动过；文件仍是第 {number - 1} 版{kept}，"
                                "请从备份恢复或把文件交给技术支持") from None
        if has_tables:
            log.info("数据库 %s 已从结构第 %d 版升级到第 %d 版，升级前的副本：%s", path, version, target, saved)
        return version, target, saved
    finally:
        conn.close()


def _apply(conn: sqlite3.Connection, number: int) -> None:
    statements = [s.strip() for s in _strip_comments(MIGRATIONS[number]).split(";") if s.strip()]
    steps = re.findall(r"^--\s*python:\s*([\w.]+):(\w+)\s*$", MIGRATIONS[number], flags=re.MULTILINE)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for stmt in statements:
            conn.execute(stmt)
        for module, function in steps:
            getattr(importlib.import_module(module), function)(conn)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except Exception:
        conn.execute("ROLLBACK")
        raise


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
