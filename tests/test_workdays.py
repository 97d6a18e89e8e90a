from datetime import date

from gzdesk.workdays import WorkdayCalendar


def test_nth_working_day_across_the_2025_national_day_holiday():
    cal = WorkdayCalendar()
    # 2025-10-01..08 off, Saturday 10-11 is a 调休 working day.
    assert cal.add(date(2025, 9, 30), 7).day == date(2025, 10, 16)
    assert not cal.add(date(2025, 9, 30), 7).provisional
    assert cal.add(date(2025, 9, 30), 3).day == date(2025, 10, 11)


def test_start_day_on_a_holiday_is_not_counted():
    cal = WorkdayCalendar()
    assert cal.add(date(2025, 10, 1), 1).day == date(2025, 10, 9)
    assert cal.add(date(2025, 10, 4), 1).day == date(2025, 10, 9)


def test_count_between_dates():
    cal = WorkdayCalendar()
    assert cal.count(date(2025, 9, 30), date(2025, 10, 16)).days == 7
    assert cal.count(date(2025, 10, 16), date(2025, 9, 30)).days == -7
    assert cal.count(date(2025, 1, 1), date(2025, 1, 1)).days == 0


def test_uncovered_years_fall_back_and_are_provisional():
    cal = WorkdayCalendar()
    r = cal.add(date(2027, 1, 4), 5)
    assert r.provisional
    assert r.day == date(2027, 1, 11)
    # 2027 国庆 (fixed statutory days) and 春节 from the lunar table are skipped
    assert cal.add(date(2027, 9, 30), 1).day == date(2027, 10, 4)
    assert cal.add(date(2027, 2, 4), 1).day == date(2027, 2, 9)


def test_office_holiday_table_overrides_the_fallback():
    cal = WorkdayCalendar({date(2027, 1, 5): False, date(2027, 1, 9): True})
    assert cal.add(date(2027, 1, 4), 1).day == date(2027, 1, 6)
    assert cal.is_workday(date(2027, 1, 9)) == (True, True)


def test_crossing_from_a_covered_into_an_uncovered_year():
    cal = WorkdayCalendar()
    r = cal.add(date(2026, 12, 28), 7)
    assert r.provisional
    assert r.day == date(2027, 1, 7)


def test_the_built_in_calendar_answers_as_chinese_calendar_for_every_day():
    """workdays reads chinese-calendar's tables directly (its is_workday is slow): the same answer
    for every day of the years it knows, and None (not covered) for the years around them."""
    from datetime import datetime, timedelta

    import chinese_calendar

    from gzdesk import workdays

    day, last = date(2000, 1, 1), date(2031, 12, 31)
    while day <= last:
        try:
            expected = chinese_calendar.is_workday(day)
        except NotImplementedError:
            expected = None
        assert workdays._built_in(day) is expected, day
        day += timedelta(days=1)
    assert workdays._built_in(datetime(2025, 10, 11, 9, 30)) is True  # a 调休 Saturday, given as a time
