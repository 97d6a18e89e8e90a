"""Opening a gzdesk database: migrations with a backup first, WAL, foreign keys, transactions.

``Database.transaction()`` is the one way to write: a session that commits on success, rolls
back on any error, and records every change in the audit log (see ``gzdesk.audit``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from gzdesk import audit, safe_files, value_check
from gzdesk.errors import UserError
from gzdesk.models import migrations
from gzdesk.models.types import decode_text


class GzSession(Session):
    """Session class with the audit hook installed."""


audit.install(GzSession)
value_check.install(GzSession)  # text longer than its column is refused on save, as on export


def _on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.text_factory = decode_text  # a bad byte in a text column reads as U+FFFD, not an error
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA busy_timeout = 5000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", future=True)
    event.listen(engine, "connect", _on_connect)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA journal_mode = WAL")
    return engine


class Database:
    """An open gzdesk database file."""

    def __init__(self, path: Path, *, actor: str | None = None, create: bool = True, backup: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise UserError(f"找不到数据库文件“{self.path}”，请先运行 gzdesk init")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        safe_files.clean_leftovers(self.path)  # what a killed or failed process left (never raises)
        old, new, saved = migrations.migrate(self.path, backup=backup)
        self.upgraded_from = old if old != new and old > 0 else None
        self.backup_path = saved
        self.engine = make_engine(self.path)
        self._sessions = sessionmaker(self.engine, class_=GzSession, expire_on_commit=False)
        self.actor = actor

    @contextmanager
    def transaction(self, actor: str | None = None) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        session = self._sessions()
        session.info["actor"] = actor or self.actor or _default_actor(session)
        try:
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
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def close(self) -> None:
        self.engine.dispose()


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
