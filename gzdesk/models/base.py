"""Declarative base and the columns every record has.

Every record carries a stable ``uuid`` (records travel between offices in snapshots and keep their
identity there), ``created_at`` / ``updated_at`` and ``origin``: empty for records made in this
office, else the name of the office whose snapshot brought the record in.

``version`` (schema 5) counts the record's changes: SQLAlchemy raises it on every UPDATE (its
``version_id_col``) and checks it in the UPDATE's WHERE. An editor keeps the version it read and a
save of an older version is refused (``gzdesk.conflicts``), so nobody overwrites a change unseen.
"""

from __future__ import annotations

import uuid as uuid_mod
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from gzdesk.models.types import DateTime, Integer, String


def new_uuid() -> str:
    return str(uuid_mod.uuid4())


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class Record:
    """Mixin: integer id for people to type, uuid for machines, times and origin."""

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid, index=True, info={"uuid": True})
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, server_default=func.current_timestamp())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=now, onupdate=now, server_default=func.current_timestamp()
    )
    origin: Mapped[str | None] = mapped_column(String(200), default=None, index=True)  # merges look up by source
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 (SQLAlchemy's declared_attr takes the class)
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]  # (each mapped subclass has one)

    def __init__(self, **kw):  # uuid is known before flush so that audit events can name the record
        kw.setdefault("uuid", new_uuid())
        super().__init__(**kw)
