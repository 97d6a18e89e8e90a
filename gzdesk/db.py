"""Opening a gzdesk database: migrations with a backup first, WAL, foreign keys, transactions.

``Database.transaction()`` is the one way to write: a session that commits on success, rolls
back on any error, and records every change in the audit log (see ``gzdesk.audit``).

Every operation holds gzdesk's operation lock (``gzdesk.dblock``) and no SQLite connection is kept
open between operations (no pool): a window whose SQLite locks were dropped by a file dialog then
never has the file open while another process works on it. The window claims the file for as long
as it is open (``window=True``); a command-line write meets that claim and is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from gzdesk import audit, dblock
from gzdesk.errors import UserError
from gzdesk.models import migrations


class GzSession(Session):
    """Session class with the audit hook installed."""


audit.install(GzSession)


def _on_connect(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 5000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def make_engine(path: Path) -> Engine:
    """An engine that opens a connection per operation and closes it after (see the docstring)."""
    engine = create_engine(f"sqlite:///{path}", future=True, poolclass=NullPool)
    event.listen(engine, "connect", _on_connect)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    return engine


class Database:
    """An open gzdesk database file.

    ``window`` claims the file for a window (``gzdesk.dblock.OwnerLock``): a second window is told
    who has it, command-line writes are refused while it is held. ``on_wait(message)`` is called
    when an operation has to wait for another process (the window shows it; the CLI prints it).
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
        if window:
            self._owner = dblock.OwnerLock(self.path)
            self._owner.acquire()
        try:
            with dblock.operation(self.path, exclusive=True, on_wait=on_wait):  # refused only to upgrade
                old, new, saved = migrations.migrate(
                    self.path, backup=backup,
                    before_upgrade=lambda: dblock.refuse_if_window(self.path, "升级数据库结构"))
                self.engine = make_engine(self.path)
        except BaseException:
            self._release_owner()
            raise
        self.upgraded_from = old if old != new and old > 0 else None
        self.backup_path = saved
        self._sessions = sessionmaker(self.engine, class_=GzSession, expire_on_commit=False)
        self.actor = actor

    def _operation(self, *, exclusive: bool):
        """The operation lock: everything the window does is exclusive (see ``gzdesk.dblock``)."""
        return dblock.operation(self.path, exclusive=exclusive, on_wait=self.on_wait,
                                refuse_window_for=None if self.window or not exclusive else "修改数据")

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        with self._operation(exclusive=True):
            session = self._sessions()
            try:
                session.info["actor"] = actor or self.actor or _default_actor(session)
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session (never commits)."""
        with self._operation(exclusive=False):
            session = self._sessions()
            try:
                yield session
            finally:
                session.rollback()
                session.close()

    def lock(self, *, exclusive: bool):
        """Hold the operation lock for work on the file outside a session (backups, raw copies)."""
        return self._operation(exclusive=exclusive)

    @property
    def held_by_window(self) -> dblock.Holder | None:
        """The window of another process that has this file open (None when there is none)."""
        return None if self.window else dblock.window_holder(self.path)

    def close(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()
        self._release_owner()

    def _release_owner(self) -> None:
        if self._owner is not None:
            self._owner.release()
            self._owner = None


def _default_actor(session: Session) -> str:
    from gzdesk.models import Setting

    row = session.get(Setting, "actor")
    if row and row.value:
        return row.value
    import getpass

    try:
        return getpass.getuser()
    except Exception:
        return "经办人"
