"""SQLAlchemy 2 ORM of the registry. Import models from here."""

from gzdesk.models.base import Base, new_uuid, now
from gzdesk.models.entities import (
    Account,
    AccountRole,
    ApprovalStep,
    AppUser,
    Attachment,
    AuditEvent,
    AuditRow,
    Filing,
    OfficeHoliday,
    Person,
    Setting,
    SnapshotSource,
    Task,
    Unit,
)

__all__ = [
    "Account",
    "AccountRole",
    "AppUser",
    "ApprovalStep",
    "Attachment",
    "AuditEvent",
    "AuditRow",
    "Base",
    "Filing",
    "OfficeHoliday",
    "Person",
    "Setting",
    "SnapshotSource",
    "Task",
    "Unit",
    "new_uuid",
    "now",
]
