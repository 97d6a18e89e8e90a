"""The office's own holiday table, for years chinese-calendar does not cover yet.

When the State Council publishes next year's arrangement before the program is updated, the
office enters it here: each day either 放假 (holiday) or 上班 (a 调休 working day on a weekend).
Dates that depend on this table are still shown as provisional (预估).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.errors import UserError
from gzdesk.models import OfficeHoliday
from gzdesk.permissions import Cap, require
from gzdesk.workdays import WorkdayCalendar


@dataclass
class HolidayEntry:
    day: date
    workday: bool
    name: str

    @property
    def kind_label(self) -> str:
        return "上班（调休）" if self.workday else "放假"


def list_holidays(session: Session, year: int | None = None) -> list[HolidayEntry]:
    stmt = select(OfficeHoliday).order_by(OfficeHoliday.day)
    rows = [HolidayEntry(h.day, h.workday, h.name or "") for h in session.scalars(stmt)]
    return [r for r in rows if year is None or r.day.year == year]


def set_holiday(session: Session, day: date, workday: bool, name: str = "") -> None:
    """Add or change one day. Days chinese-calendar already knows are refused: its data wins. 管理员."""
    require(session, Cap.SETTINGS)
    if WorkdayCalendar.covered(day):
        raise UserError(f"{day.isoformat()} 所在年份的节假日安排已内置，无需在本单位节假日表中填写")
    row = session.get(OfficeHoliday, day)
    if row is None:
        row = OfficeHoliday(day=day, workday=workday, name=name or None)
        session.add(row)
    else:
        row.workday, row.name = workday, name or None
    session.flush()  # audited by the session like every record (gzdesk.audit)


def remove_holiday(session: Session, day: date) -> None:
    require(session, Cap.SETTINGS)
    row = session.get(OfficeHoliday, day)
    if row is None:
        raise UserError(f"本单位节假日表中没有 {day.isoformat()}")
    session.delete(row)
    session.flush()
