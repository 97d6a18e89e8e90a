"""SQLAlchemy 2 ORM of the registry. Import models from here."""

from gzdesk.models.base import Base, new_uuid, now
from gzdesk.models.entities import (
    Account,
    AccountRole,
    ApprovalStep,
    AssessmentEntry,
    Attachment,
    AuditEvent,
    CensusReport,
    FakeReport,
    FakeStep,
    Filing,
    Inspection,
    InspectionFinding,
    OfficeHoliday,
    Person,
    QuarterReport,
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
    "OfficeHoliday",
    "Person",
    "Setting",
    "SnapshotSource",
    "Task",
    "Unit",
    "new_uuid",
    "AssessmentEntry", "CensusReport", "FakeReport", "FakeStep", "Inspection", "InspectionFinding",
    "QuarterReport",
    "now",
]
