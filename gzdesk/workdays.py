"""Chinese working days: 法定节假日 and 调休 from chinese-calendar, with a fallback.

"N working days from D" is the N-th working day after D, D itself not counted (as the policy
documents' "N个工作日内" is read: docs/policies/).
We count on ``chinese_calendar.is_workday`` day by day rather than its ``find_workday`` /
``get_workdays`` helpers, which count differently when D is a holiday and drop 调休 Saturdays.

chinese-calendar only knows the years the State Council has published. For any other year the
calendar falls back to weekends, the statutory holidays of 《全国年节及纪念日放假办法》 (fixed
dates, plus the lunar festivals for the years listed below), and the office's own holiday table;
every date computed that way is *provisional* (预估) and says so wherever it is shown — until the
office imports that year's 《国务院办公厅关于YYYY年部分节假日安排的通知》 (``gzdesk holidays
import``): the notice lists every day off and every 调休 working day of the year, so a year it
covers (``confirmed_years``) is counted from the office table and weekends alone, and is no longer
an estimate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar

# Statutory holidays on fixed solar dates (2025 revision): 元旦 1 day, 劳动节 2 days, 国庆 3 days.
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

# Lunar statutory holidays (除夕 and 春节 初一–初三, 清明, 端午, 中秋) for years past the package's
# coverage, from the published lunar calendar. Still provisional: the State Council's
# arrangement (调休, bridging days) is only known when it is announced.
LUNAR_HOLIDAYS: dict[int, tuple[str, ...]] = {
    2027: ("2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-06-09", "2027-09-15"),
    2028: ("2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28", "2028-04-04", "2028-05-28", "2028-10-03"),
    2029: ("2029-02-12", "2029-02-13", "2029-02-14", "2029-02-15", "2029-04-04", "2029-06-16", "2029-09-22"),
    2030: ("2030-02-02", "2030-02-03", "2030-02-04", "2030-02-05", "2030-04-05", "2030-06-05", "2030-09-12"),
}
_LUNAR = {date.fromisoformat(d) for days in LUNAR_HOLIDAYS.values() for d in days}

MAX_SPAN_DAYS = 366 * 20  # refuse absurd spans instead of looping for minutes


@dataclass(frozen=True)
class WorkdayResult:
    """A computed date and whether any day it depends on came from the fallback calendar."""

    day: date
    provisional: bool

    def __str__(self) -> str:
        return self.day.isoformat() + (" 预估" if self.provisional else "")


@dataclass(frozen=True)
class CountResult:
    days: int
    provisional: bool


class WorkdayCalendar:
    """Working-day arithmetic; ``office_days`` maps a date to True (上班) or False (放假);
    ``confirmed_years`` are the years whose State Council notice the office imported."""

    def __init__(self, office_days: dict[date, bool] | None = None, confirmed_years: set[int] | None = None):
        self.office_days = dict(office_days or {})
        self.confirmed_years = set(confirmed_years or ())

    @staticmethod
    def covered(day: date) -> bool:
        """Whether chinese-calendar knows this day's year."""
        return _built_in(day) is not None

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is a working day, provisional)."""
        built_in = _built_in(day)
        if built_in is not None:
            return built_in, False
        if day.year in self.confirmed_years:  # the notice says it all: no guessing, no 预估
            return self.office_days.get(day, day.weekday() < 5), False
        if day in self.office_days:
            return self.office_days[day], True
        if (day.month, day.day) in FIXED_HOLIDAYS or day in _LUNAR:
            return False, True
        return day.weekday() < 5, True

    def known(self, day: date) -> bool:
        """Whether the day's year is known for sure: built in, or from an imported notice."""
        return day.year in self.confirmed_years or self.covered(day)

    def provisional_between(self, start: date, end: date) -> bool:
        """Whether any day after ``start`` up to ``end`` (either order) rests on the fallback."""
        lo, hi = (start, end) if start <= end else (end, start)
        return any(not self.known(date(y, 1, 1)) for y in range(lo.year, hi.year + 1))

    def add(self, start: date, n: int) -> WorkdayResult:
        """The n-th working day after ``start`` (start not counted); n ≤ 0 gives start itself
        moved back |n| working days."""
        step = 1 if n > 0 else -1
        remaining = abs(n)
        day = start
        provisional = False
        if remaining == 0:
            return WorkdayResult(start, False)
        for _ in range(MAX_SPAN_DAYS):
            day = day + timedelta(days=step)
            ok, prov = self.is_workday(day)
            provisional = provisional or prov
            if ok:
                remaining -= 1
                if remaining == 0:
                    return WorkdayResult(day, provisional)
        raise ValueError("工作日数过大")

    def count(self, start: date, end: date) -> CountResult:
        """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
        if end == start:
            return CountResult(0, False)
        sign = 1 if end > start else -1
        lo, hi = (start, end) if sign > 0 else (end, start)
        if (hi - lo).days > MAX_SPAN_DAYS:
            raise ValueError("日期跨度过大")
        total = 0
        provisional = False
        day = lo
        while day < hi:
            day += timedelta(days=1)
            ok, prov = self.is_workday(day)
            provisional = provisional or prov
            total += ok
        return CountResult(sign * total, provisional)


# chinese-calendar's tables, read as its ``is_workday`` reads them: a 调休 working day, or a weekday
# that is not a holiday, within the years of its holiday table. Asking the package itself costs
# ~20 µs a day (each call takes the min and max of its whole table); 待办 builds running totals over
# years of days (3,400 at 200,000 accounts) in every new process.
_CC_HOLIDAYS = chinese_calendar.holidays
_CC_WORKDAYS = chinese_calendar.workdays
_CC_YEARS = range(min(_CC_HOLIDAYS).year, max(_CC_HOLIDAYS).year + 1)


@functools.cache
def _built_in(day: date) -> bool | None:
    """chinese-calendar's answer for ``day`` (None outside its years); tests/test_workdays.py
    checks it against ``chinese_calendar.is_workday`` for every day it knows."""
    if isinstance(day, datetime):
        day = day.date()
    if day.year not in _CC_YEARS:
        return None
    return day in _CC_WORKDAYS or (day.weekday() <= 4 and day not in _CC_HOLIDAYS)


def load_calendar(session) -> WorkdayCalendar:
    """The calendar with this office's own holiday table from the database."""
    from sqlalchemy import select

    from gzdesk.models import HolidayNotice, OfficeHoliday

    rows = session.execute(select(OfficeHoliday.day, OfficeHoliday.workday)).all()
    years = set(session.scalars(select(HolidayNotice.year)))
    return WorkdayCalendar({d: w for d, w in rows}, years)
