"""Which tables a unit of work changed.

The window reloads a page when a topic it shows is announced (``gzdesk.ui.controller``); the
topics come from what the write actually changed — every ORM object flushed, every table a bulk
write noted (``audit.note_rows``) — not from a guess at the function's name.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

KEY = "changed_tables"


def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    tables = session.info.setdefault(KEY, set())
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = getattr(obj, "__tablename__", None)
        if name:
            tables.add(name)


def install(session_class) -> None:
    """Record the tables of every flush of ``session_class`` (``gzdesk.db`` installs it)."""
    sa.event.listen(session_class, "before_flush", _note_flush)


def note(session: Session, table: str) -> None:
    """A write outside the ORM changed ``table``."""
    session.info.setdefault(KEY, set()).add(table)


def changed(session: Session) -> set[str]:
    """The tables changed in this session so far (pending objects are flushed first)."""
    session.flush()
    return set(session.info.get(KEY, ()))
