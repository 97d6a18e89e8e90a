"""SQLAlchemy 2 ORM of the registry. Import models from here."""

from gzdesk.models.base import Base, new_uuid, now
from gzdesk.models.entities import (
    Account,
    AccountRole,
    ApprovalStep,
    Attachment,
    AuditEvent,
    Filing,
    HolidayNotice,
    Objection,
    OfficeHoliday,
    Person,
    ReplyCheck,
    Setting,
    SnapshotSource,
    Task,
    Unit,
)

__all__ = [
    "Account",
    "AccountRole",
    "ApprovalStep",
    "Attachment",
    "AuditEvent",
    "Base",
    "Filing",
    "HolidayNotice",
    "Objection",
    "OfficeHoliday",
    "Person",
    "ReplyCheck",
    "Setting",
    "SnapshotSource",
    "Task",
    "Unit",
    "new_uuid",
    "now",
]
