"""What a failure of the database file means to a clerk, in one Chinese line.

SQLite reports a full disk, a read-only file, a file locked by another program or a damaged file
as ``OperationalError`` / ``DatabaseError`` with an English message; raised as they are, they
end as ``内部错误`` with a SQL dump. ``explain`` turns the ones a person can cause or meet into a
``UserError`` that names the real cause (a read-only file is 只读, never 已损坏: a clerk might
restore over good data) and says that nothing was saved; anything else stays a bug.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError  # SQLAlchemy wraps sqlite3's errors; both are understood

from gzdesk.errors import UserError

NOTHING_SAVED = "本次操作没有保存任何修改"


def _message(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    return str(inner).lower()


def read_only_reason(path: Path) -> str | None:
    """Why the database file cannot be written (None when it can)."""
    path = Path(path)
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return "所在磁盘或 U 盘是只读的"
    except (AttributeError, OSError):  # Windows has no statvfs
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "文件设为只读"
    if not os.access(path.parent, os.W_OK):
        return "所在文件夹不可写"
    return None


LOW_SPACE = 1 << 20  # below 1 MB free, SQLite cannot make its WAL index or journal


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(Path(path).parent).free < LOW_SPACE
    except OSError:
        return False


def explain(exc: BaseException, path: Path) -> UserError | None:
    """A ``UserError`` for a storage failure a person can act on, else None (a bug)."""
    name = Path(path).name
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return UserError(f"磁盘空间已满，无法写入“{name}”：{NOTHING_SAVED}，请清理磁盘后再试")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return UserError(f"数据库“{name}”是只读的（{read_only_reason(path) or '没有写入权限'}）：{NOTHING_SAVED}")
        return None
    if not isinstance(exc, (sqlite3.Error, DBAPIError)):
        return None
    text = _message(exc)
    if "database or disk is full" in text:
        return UserError(f"磁盘空间已满，无法写入数据库“{name}”：{NOTHING_SAVED}（已全部撤销），请清理磁盘后再试")
    if "readonly database" in text or "read-only" in text:
        reason = read_only_reason(path) or "没有写入权限"
        return UserError(f"数据库“{name}”是只读的（{reason}），不能修改：{NOTHING_SAVED}。"
                         "如需修改，请把它复制到可写的文件夹后再打开")
    if "database is locked" in text or "database table is locked" in text or "database schema is locked" in text:
        return UserError(f"数据库“{name}”正被其他程序占用（例如用别的软件打开了它），等待后仍无法写入：{NOTHING_SAVED}，"
                         "请关闭那个程序后再试")
    if "disk i/o error" in text and _disk_full(path):  # SQLite could not even make its -shm file
        return UserError(f"磁盘空间已满，无法读写数据库“{name}”：{NOTHING_SAVED}，请清理磁盘后再试")
    if "disk i/o error" in text:
        return UserError(f"读写数据库“{name}”时磁盘出错（磁盘 I/O 错误，可能是 U 盘被拔出或磁盘故障）：{NOTHING_SAVED}")
    if "unable to open database file" in text:
        return UserError(f"无法打开数据库“{name}”（文件或文件夹不存在、没有权限或磁盘不可用）")
    if "file is not a database" in text or "malformed" in text or "file is encrypted" in text:
        return UserError(f"数据库“{name}”已损坏（{text[:60]}）：请运行 gzdesk verify 检查，必要时从备份恢复")
    return None
