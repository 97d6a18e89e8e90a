"""Refusing a save made from an older reading of a record (two windows, the window and the CLI).

Every record has a ``version`` that each change raises (``gzdesk.models.base``). An editor keeps
the version it read; ``check_version`` refuses the save when the record has changed since, naming
who changed what and when (from the audit log), so that nobody overwrites a change unseen and the
audit log never blames the wrong person for a revert.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.errors import UserError
from gzdesk.models import AuditEvent


class ConflictError(UserError):
    """The record changed after it was read; nothing was saved."""


def check_version(session: Session, record, seen_version: int | None, what: str,
                  labels: dict[str, str] | None = None) -> None:
    """Raise ``ConflictError`` unless ``record`` is still at ``seen_version`` (None: not checked)."""
    if seen_version is None or record.version == seen_version:
        return
    name = getattr(record, "name", None) or getattr(record, "number", None) or record.id
    raise ConflictError(f"{what}“{name}”在您打开后已被修改{_last_change(session, record.uuid, labels or {})}。"
                        "为免覆盖这些修改，本次未保存；请关闭后重新打开，核对后再修改")


def _last_change(session: Session, uuid: str, labels: dict[str, str]) -> str:
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_uuid == uuid)
                            .order_by(AuditEvent.id.desc()).limit(1)).first()
    if event is None:
        return ""
    fields: list[str] = []
    try:
        changes = json.loads(event.changes or "{}")
        if isinstance(changes, dict):
            fields = [labels.get(str(k), str(k)) for k in changes]
    except ValueError:
        pass
    what = f"，改了{'、'.join(fields[:5])}{'等' if len(fields) > 5 else ''}" if fields else ""
    return f"（{event.actor} 于 {event.at:%Y年%m月%d日 %H:%M}{what}）"
