"""The scans kept with a filing (the signed and sealed 登记表, a step's signature page).

Stored as ``Attachment`` rows owned by the filing's uuid; ``gzdesk.filings.attach_scan`` adds one.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk.errors import NotFound, UserError
from gzdesk.models import Attachment, Filing


@dataclass
class AttachmentInfo:
    id: int
    filename: str
    mime: str | None
    size: int
    note: str | None
    created_on: date | None


def add_attachment(session: Session, f: Filing, filename: str, data: bytes, note: str | None = None) -> int:
    """Store a file with the filing (its name without folders); returns the attachment id."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise UserError("扫描件文件名不能为空")
    if not data:
        raise UserError(f"扫描件“{name}”是空文件")
    att = Attachment(owner_uuid=f.uuid, filename=name, mime=mimetypes.guess_type(name)[0], data=bytes(data),
                     note=note)
    session.add(att)
    session.flush()
    return att.id


def attachment_data(session: Session, attachment_id: int) -> tuple[str, bytes]:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(f"找不到编号为 {attachment_id} 的附件")
    return att.filename, att.data


def attachments_of(session: Session, uuid: str) -> list[AttachmentInfo]:
    """The files kept with the filing of ``uuid``, without their bytes."""
    rows = session.execute(select(Attachment.id, Attachment.filename, Attachment.mime,
                                  func.length(Attachment.data), Attachment.note, Attachment.created_at)
                           .where(Attachment.owner_uuid == uuid).order_by(Attachment.id)).all()
    return [AttachmentInfo(i, n, m, s or 0, note, c.date() if c else None) for i, n, m, s, note, c in rows]
