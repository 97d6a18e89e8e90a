"""Whose records a supervision figure is about: this office's own, or one lower office's.

A county's database holds its own records (``origin`` empty). A city that merges county snapshots
(``gzdesk snapshot merge``) also holds each county's records, marked with the county's name as
``origin`` — their accounts, inspections, 整改, quarter reports and fake-account reports. The
quarter's report and the annual assessment (南通 附件3: 考核对象为各县（市、区）人民政府办公室以及市级
有关部门和单位) are made for one of these at a time: ``--unit`` names a merged source; without it,
this office.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.errors import UserError
from gzdesk.models import SnapshotSource
from gzdesk.office import office


@dataclass(frozen=True)
class Scope:
    origin: str | None  # None: this office's own records
    name: str  # the office's name, as printed

    @property
    def key(self) -> str:
        """'' for this office, else the source's name (AssessmentEntry.scope)."""
        return self.origin or ""

    def where(self, column):
        """SQL condition on a table's ``origin`` column."""
        return column.is_(None) if self.origin is None else column == self.origin


def resolve(session: Session, unit: str | None = None) -> Scope:
    """This office (``unit`` empty or this office's own name) or the merged source called ``unit``."""
    me = office(session)
    name = (unit or "").strip()
    if not name or name == me.unit_name:
        return Scope(None, me.unit_name)
    sources = list(session.scalars(select(SnapshotSource.name).order_by(SnapshotSource.name)))
    if name in sources:
        return Scope(name, name)
    matches = [s for s in sources if name in s]
    if len(matches) == 1:
        return Scope(matches[0], matches[0])
    known = "、".join(sources) if sources else "（本库尚未合并下级单位的快照）"
    raise UserError(f"没有名为“{name}”的单位：可选本单位“{me.unit_name}”或已合并快照的单位：{known}")


def choices(session: Session) -> list[Scope]:
    """This office first, then every merged source (for the window's 单位 box)."""
    me = office(session)
    return [Scope(None, me.unit_name)] + [Scope(n, n) for n in
                                          session.scalars(select(SnapshotSource.name).order_by(SnapshotSource.name))]
