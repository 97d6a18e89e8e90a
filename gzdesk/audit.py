"""The audit log, written automatically for every change that goes through the ORM.

A ``before_flush`` hook on gzdesk sessions turns each new, changed and deleted record into an
``AuditEvent`` (who, when, which record, each field before and after) in the same transaction as
the change, so the log cannot miss a write or record one that was rolled back. Bulk writes that
bypass the ORM (demo data, imports, merges) call ``record`` once with a summary instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from gzdesk.models import AuditEvent, Base, Setting
from gzdesk.models.base import now

SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version"}
UNAUDITED = (AuditEvent, Setting)


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} 字节>"
    return value


def _label(obj: Any) -> str | None:
    for attr in ("name", "number", "title", "filename", "role"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:500]
    return None


def _columns(obj: Any) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in SKIPPED_FIELDS]


def _secret_keys(obj: Any) -> set[str]:
    """Columns marked ``info={"secret": True}`` (a password hash, a private key)."""
    return {c.key for c in inspect(obj).mapper.column_attrs if c.columns[0].info.get("secret")}


def _secret(value: Any) -> Any:
    """A secret as the log keeps it: a SHA-256 of the stored value, never the value itself."""
    if value is None:
        return None
    raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
    return {"$secret": hashlib.sha256(raw).hexdigest()}


def _value(obj: Any, key: str, value: Any, secrets: set[str]) -> Any:
    return _secret(value) if key in secrets else _plain(value)


def actor_of(session: Session) -> str:
    return session.info.get("actor") or "系统"


def record(session: Session, action: str, entity: str, summary: str | None = None,
           entity_uuid: str | None = None, changes: dict | None = None) -> None:
    """Add one audit event by hand (for bulk operations)."""
    session.add(AuditEvent(at=now(), actor=actor_of(session), action=action, entity=entity,
                           entity_uuid=entity_uuid, summary=summary,
                           changes=json.dumps(changes, ensure_ascii=False) if changes else None))


def _before_flush(session: Session, _ctx, _instances) -> None:
    if session.info.get("audit_off"):
        return
    actor = actor_of(session)
    at = now()
    events: list[AuditEvent] = []
    for obj in session.new:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, Base):
            continue
        secrets = _secret_keys(obj)
        changes = {k: [None, _value(obj, k, getattr(obj, k), secrets)] for k in _columns(obj)
                   if getattr(obj, k) is not None}
        events.append(_event(obj, "create", actor, at, changes))
    for obj in session.dirty:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, Base) or not session.is_modified(obj):
            continue
        state = inspect(obj)
        secrets = _secret_keys(obj)
        changes = {}
        for key in _columns(obj):
            hist = state.attrs[key].history
            if hist.has_changes():
                before = hist.deleted[0] if hist.deleted else None
                after = hist.added[0] if hist.added else None
                if before != after:
                    changes[key] = [_value(obj, key, before, secrets), _value(obj, key, after, secrets)]
        if changes:
            events.append(_event(obj, "update", actor, at, changes))
    for obj in session.deleted:
        if isinstance(obj, UNAUDITED) or not isinstance(obj, Base):
            continue
        secrets = _secret_keys(obj)
        changes = {k: [_value(obj, k, getattr(obj, k), secrets), None] for k in _columns(obj)
                   if getattr(obj, k) is not None}
        events.append(_event(obj, "delete", actor, at, changes))
    session.add_all(events)


def _event(obj: Any, action: str, actor: str, at: datetime, changes: dict) -> AuditEvent:
    return AuditEvent(at=at, actor=actor, action=action, entity=obj.__tablename__,
                      entity_uuid=getattr(obj, "uuid", None), summary=_label(obj),
                      changes=json.dumps(changes, ensure_ascii=False, default=str) if changes else None)


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "before_flush", _before_flush)
