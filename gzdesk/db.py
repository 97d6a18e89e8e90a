"""Opening a gzdesk database: migrations with a backup first, WAL, foreign keys, transactions.

``Database.transaction()`` is the one way to write: a session that commits on success, rolls
back on any error, and records every change in the audit log (see ``gzdesk.audit``).

Once the database has users (``gzdesk.users``), every write needs one logged in (``login``): each
session carries that user (``session.info["user"]``), the audit log names them as the actor (not
the operating system's user name), and ``gzdesk.permissions`` refuses what their role may not do.
A database without users (bootstrap, see ``gzdesk.permissions``) works as before.

Every operation holds gzdesk's operation lock (``gzdesk.dblock``) and no SQLite connection is kept
open between operations (no pool): a window whose SQLite locks were dropped by a file dialog then
never has the file open while another process works on it. The window claims the file for as long
as it is open (``window=True``); a command-line write meets that claim and is refused.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from gzdesk import (
    audit,
    changes,
    dblock,
    permissions,
    safe_files,
    storage_errors,
    users,
    value_check,
)
from gzdesk.errors import UserError
from gzdesk.models import migrations
from gzdesk.models.types import decode_text


class GzSession(Session):
    """Session class with the permission backstop and the audit hook installed (in that order)."""


permissions.install(GzSession)
audit.install(GzSession)
value_check.install(GzSession)  # text longer than its column is refused on save, as on export
changes.install(GzSession)  # which tables a write changed: the window announces them


def _on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.text_factory = decode_text  # a bad byte in a text column reads as U+FFFD, not an error
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 5000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def make_engine(path: Path, read_only: bool = False) -> Engine:
    """An engine that opens a connection per operation and closes it after (see the docstring).

    ``read_only`` opens the file as ``safe_files.read_only_uri`` does (``mode=ro``, and
    ``immutable`` on a disk where nobody can change the file)."""
    if read_only:
        url = f"sqlite:///{safe_files.read_only_uri(path)}&uri=true"
    else:
        url = f"sqlite:///{path}"
    engine = create_engine(url, future=True, poolclass=NullPool)
    event.listen(engine, "connect", _on_connect)
    if not read_only:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    return engine


class Database:
    """An open gzdesk database file.

    ``window`` claims the file for a window (``gzdesk.dblock.OwnerLock``): a second window is told
    who has it, command-line writes are refused while it is held. ``on_wait(message)`` is called
    when an operation has to wait for another process (the window shows it; the CLI prints it).

    A file that cannot be written (``read_only``: a read-only file, folder or disk) opens for
    reading; every write is refused in one line. An empty (0-byte) file is refused: it is what an
    interrupted copy leaves, and initialising it would hide the loss.
    """

    def __init__(self, path: Path, *, actor: str | None = None, create: bool = True, backup: bool = True,
                 window: bool = False, on_wait: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.window = window
        self.on_wait = on_wait
        self._owner: dblock.OwnerLock | None = None
        if not self.path.exists():
            if not create:
                raise UserError(f"找不到数据库文件“{self.path}”，请先运行 gzdesk init")
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"无法创建文件夹“{self.path.parent}”：{exc.strerror or exc}") from None
        elif self.path.is_dir():
            raise UserError(f"“{self.path}”是文件夹，不是数据库文件")
        elif self.path.stat().st_size == 0:
            raise UserError(f"数据库文件“{self.path.name}”是空的（0 字节），可能在复制或写入时中断：请用 gzdesk restore 从备份恢复，"
                            "或确认无用后删除它再用 gzdesk init 新建")
        safe_files.clean_leftovers(self.path)  # what a killed or failed process left (never raises)
        self.read_only = storage_errors.read_only_reason(self.path) if self.path.exists() else None
        # on a read-only disk no lock file can be made, and nobody can change the file anyway
        self._locks = self.read_only is None or os.access(self.path.parent, os.W_OK)
        try:
            if window and self._locks:
                self._owner = dblock.OwnerLock(self.path)
                self._owner.acquire()
            with self._operation(exclusive=True, refuse=False):  # refused only to upgrade
                if self.read_only:
                    old = new = self._check_read_only_version()
                    saved = None
                else:
                    old, new, saved = migrations.migrate(
                        self.path, backup=backup,
                        before_upgrade=lambda: dblock.refuse_if_window(self.path, "升级数据库结构"))
                self.engine = make_engine(self.path, read_only=bool(self.read_only))
        except BaseException as exc:
            self._release_owner()
            translated = storage_errors.explain(exc, self.path)
            if translated is not None:
                raise translated from exc
            raise
        self.upgraded_from = old if old != new and old > 0 else None
        self.backup_path = saved
        self._sessions = sessionmaker(self.engine, class_=GzSession, expire_on_commit=False)
        self.actor = actor
        self.user: permissions.CurrentUser | None = None  # set by ``login``

    def _check_read_only_version(self) -> int:
        migrations.check_file(self.path)
        conn = safe_files.connect_read_only(self.path)
        try:
            version, app_id, has_tables = migrations.read_version(conn)
        finally:
            conn.close()
        if app_id != migrations.APPLICATION_ID or not has_tables:
            raise UserError(f"文件“{self.path.name}”不是 gzdesk 数据库")
        if version != migrations.LATEST_VERSION:
            raise UserError(f"数据库“{self.path.name}”的结构版本是 {version}，本程序需要 {migrations.LATEST_VERSION}，"
                            f"但文件是只读的（{self.read_only}），无法升级：请复制到可写的文件夹后再打开")
        return version

    def _operation(self, *, exclusive: bool, refuse: bool = True):
        """The operation lock: everything the window does is exclusive (see ``gzdesk.dblock``)."""
        if not self._locks:
            return nullcontext()
        return dblock.operation(self.path, exclusive=exclusive, on_wait=self.on_wait,
                                refuse_window_for="修改数据" if refuse and exclusive and not self.window else None)

    @contextmanager
    def transaction(self, actor: str | None = None, *, _login: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error.

        The audit actor is the logged-in user; ``actor`` (or the office's or the operating system's
        user name) only while the database has no users. Once it has users, a transaction without
        a logged-in user, or for a 只读 user, is refused before anything is written."""
        if self.read_only:
            raise UserError(f"数据库“{self.path.name}”是只读的（{self.read_only}），不能修改。"
                            "如需修改，请把它复制到可写的文件夹后再打开")
        with self._operation(exclusive=True), self._explained():
            session = self._sessions()
            try:
                self._prepare(session)
                if _login:
                    session.info["login"] = True
                    session.info["actor"] = actor or "登录"
                elif self.user is not None:
                    self.user = users.refresh(session, self.user)
                    session.info["user"] = self.user
                    session.info["actor"] = self.user.name
                else:
                    session.info["actor"] = actor or self.actor or _default_actor(session)
                permissions.check_writer(session)
                yield session
                session.commit()
            except BaseException:
                _quietly(session.rollback)
                raise
            finally:
                _quietly(session.close)

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (never commits)."""
        with self._operation(exclusive=False), self._explained():
            session = self._sessions()
            try:
                self._prepare(session)
                session.info["user"] = self.user
                yield session
            finally:
                _quietly(session.rollback)
                _quietly(session.close)

    def _prepare(self, session: Session) -> None:
        session.info["users_exist"] = bool(session.execute(text("SELECT EXISTS (SELECT 1 FROM app_user)")).scalar())

    # ------------------------------------------------------------------ users

    def login(self, name: str, password: str, *, note_login: bool = True) -> permissions.CurrentUser:
        """Log ``name`` in for every later operation; a UserError (one line) when refused.

        The attempt is recorded (failed count, lockout, and with ``note_login`` the time of a
        successful login). Where it cannot be — a
        read-only file, or a window of another process holding the file — the password and the
        lockout are still checked, but nothing is counted."""
        if self.read_only or self.held_by_window is not None:
            with self.reader() as s:
                result = users.authenticate(s, name, password, note_login=False)
        else:
            with self.transaction(name, _login=True) as s:
                result = users.authenticate(s, name, password, note_login=note_login)
        if result.user is None:
            raise UserError(result.message)
        self.user = result.user
        return self.user

    def logout(self) -> None:
        self.user = None

    def has_users(self) -> bool:
        with self.reader() as s:
            return users.has_users(s)

    def can(self, cap: permissions.Cap) -> bool:
        """Whether the logged-in user (anyone, while there are no users) may ``cap``."""
        with self.reader() as s:
            return permissions.allowed(s, cap)

    def may_write(self) -> bool:
        """Whether a write transaction would start (a writable file; a writing role once users exist)."""
        if self.read_only:
            return False
        with self.reader() as s:
            return permissions.may_write(s)

    def require(self, cap: permissions.Cap) -> None:
        """``permissions.require`` for work that is done outside a session (exports, restore)."""
        with self.reader() as s:
            permissions.require(s, cap)

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """A full disk, a locked or damaged file… as one Chinese line (``gzdesk.storage_errors``)."""
        try:
            yield
        except (sqlite3.Error, DBAPIError, OSError) as exc:
            translated = storage_errors.explain(exc, self.path)
            if translated is None:
                raise
            raise translated from exc

    def lock(self, *, exclusive: bool):
        """Hold the operation lock for work on the file outside a session (backups, raw copies)."""
        return self._operation(exclusive=exclusive)

    @property
    def held_by_window(self) -> dblock.Holder | None:
        """The window of another process that has this file open (None when there is none)."""
        return None if self.window or not self._locks else dblock.window_holder(self.path)

    def close(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()
        self._release_owner()

    def _release_owner(self) -> None:
        if self._owner is not None:
            self._owner.release()
            self._owner = None


def _quietly(fn: Callable[[], object]) -> None:
    """Roll back or close after a failure without hiding that failure behind a second one."""
    try:
        fn()
    except (sqlite3.Error, DBAPIError, OSError):
        pass


def _default_actor(session: Session) -> str:
    from gzdesk.office import get_setting  # a Core read: no table mapped for it (see get_setting)

    actor = get_setting(session, "actor")
    if actor:
        return actor
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "经办人"
