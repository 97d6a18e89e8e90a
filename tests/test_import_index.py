"""Checking a file against the registry reads what the file's rows can match, not the library.

Before (issue 14): ``check_against`` loaded every account, person, filing and unit of the
database for each check (three times in the import wizard), 8 s for a 300-row file against
200,000 accounts. Now ``_load_index`` looks up only the records the file names by uuid, name or
number; what it finds decides create / update / same exactly as before.
"""

from __future__ import annotations

from datetime import date

from gzdesk import demo
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.excel_import import SAME, UPDATE, check_against, read_workbook
from gzdesk.exchange.import_compare import _load_index


def test_the_index_holds_only_what_the_file_names(make_db, tmp_path):
    db = make_db("nantong", unit="海门区人民政府办公室", name="big.db")
    demo.generate(db, 40, seed=5, today=date(2026, 11, 20))
    xlsx = tmp_path / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, xlsx)
        plan = read_workbook(xlsx, session=s)
        assert len(_load_index(s, plan).accounts) == 40  # the whole file: every account
        first, second = plan.rows[0], plan.rows[1]
        second.values["uuid"] = None  # matched by name, platform and host unit instead
        second.values["intro"] = (second.values.get("intro") or "") + "（改）"
        plan.accounts.rows = [first, second]
        plan.team = plan.filings = plan.units = None
        index = _load_index(s, plan)
        names = {first.values["name"], second.values["name"]}
        assert {a["name"] for a in index.accounts.values()} == names
        assert not index.people and not index.filings and not index.units
        check_against(s, plan)
    assert (first.action, second.action) == (SAME, UPDATE)
    assert second.target_uuid is not None
