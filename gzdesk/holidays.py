"""The office's own holiday table, for years chinese-calendar does not cover yet.

When the State Council publishes next year's arrangement before the program is updated, the
office enters it here: each day either 放假 (holiday) or 上班 (a 调休 working day on a weekend).
Entered by hand, dates that depend on it stay provisional (预估). Read from the notice itself
(``import_notice``: the clerk pastes or opens 《国务院办公厅关于YYYY年部分节假日安排的通知》, sees
what was read, and confirms), the table holds the whole year and the year is no longer an estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import audit
from gzdesk.errors import UserError
from gzdesk.holiday_notice import Notice
from gzdesk.models import HolidayNotice, OfficeHoliday
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


def confirmed_years(session: Session) -> list[int]:
    """Years whose notice was imported: counted from the table, not estimated."""
    return list(session.scalars(select(HolidayNotice.year).order_by(HolidayNotice.year)))


def import_notice(session: Session, notice: Notice, text: str, today: date | None = None) -> int:
    """Write a parsed notice into the office table; returns the number of days written.

    A full notice replaces every entry of its year (the notice lists them all) and marks the year
    known; an amending notice (关于调整……) changes only the days it names. A year chinese-calendar
    already holds is refused: its data wins (differences are shown by ``holiday_notice.differences``).
    """
    from gzdesk import holiday_notice

    require(session, Cap.SETTINGS)
    if WorkdayCalendar.covered(date(notice.year, 1, 1)):
        diff = holiday_notice.differences(notice) or []
        extra = f"；与通知不同的日期：{'；'.join(d.text() for d in diff)}" if diff else "，与通知一致"
        raise UserError(f"{notice.year}年的节假日安排已内置，无需导入{extra}")
    existing = session.get(HolidayNotice, notice.year)
    if notice.amends and existing is None:
        raise UserError(f"这是调整{notice.year}年部分假期的通知：请先导入该年的《关于{notice.year}年部分节假日安排的通知》")
    rows = session.scalars(select(OfficeHoliday)).all()
    wanted = notice.as_dict()
    by_day = {r.day: r for r in rows}
    if not notice.amends:  # the notice lists the whole year: entries it does not name go
        for r in rows:
            if r.day.year == notice.year and r.day not in wanted:
                session.delete(r)
    names = {d.day: d.name for d in notice.days}
    for day, workday in sorted(wanted.items()):
        if WorkdayCalendar.covered(day):  # 元旦 of the notice may begin in a built-in December
            continue
        row = by_day.get(day)
        if row is None:
            session.add(OfficeHoliday(day=day, workday=workday, name=names[day]))
        else:
            row.workday, row.name = workday, names[day]
    if existing is None:
        session.add(HolidayNotice(year=notice.year, title=notice.title, text=text, imported_on=today or date.today(),
                                  actor=audit.actor_of(session)))
    elif notice.amends:
        existing.text = f"{existing.text}\n\n{text}"
        existing.title = f"{existing.title or ''}；{notice.title or ''}".strip("；")
    else:
        existing.title, existing.text, existing.imported_on = notice.title, text, today or date.today()
    audit.record(session, "import", "office_holiday", summary=notice.title or f"{notice.year}年节假日安排",
                 changes={"year": [None, notice.year], "off": [None, len(notice.off)],
                          "workdays": [None, len(notice.workdays)]})
    session.flush()
    return len(wanted)
