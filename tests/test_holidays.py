from datetime import date

import pytest

from gzdesk import holidays
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.workdays import load_calendar


def test_office_table_changes_provisional_results(db):
    with db.reader() as s:
        assert load_calendar(s).add(date(2027, 1, 4), 1).day == date(2027, 1, 5)
    with db.transaction() as s:
        holidays.set_holiday(s, date(2027, 1, 5), workday=False, name="本地节日")
    with db.reader() as s:
        result = load_calendar(s).add(date(2027, 1, 4), 1)
        assert result.day == date(2027, 1, 6) and result.provisional
        assert [h.name for h in holidays.list_holidays(s)] == ["本地节日"]


def test_built_in_years_are_refused(db):
    with pytest.raises(UserError, match="已内置"):
        with db.transaction() as s:
            holidays.set_holiday(s, date(2025, 10, 1), workday=False)


def test_cli_set_and_workdays_use_the_table(db, db_path, capsys):
    assert main(["holidays", "set", "2027-01-05", "--off", "--name", "本地节日", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["workdays", "add", "2027-01-04", "1", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.startswith("2027-01-06")
    assert main(["holidays", "remove", "2027-01-09", "--db", str(db_path)]) == 1
