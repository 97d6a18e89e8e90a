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
from gzdesk.models import Account


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


def test_accounts_of_a_common_name_are_found_by_key_and_read_whole_only_when_updated(make_db, tmp_path):
    """Many accounts share a name (…发布): the check finds them all by their keys, reads whole only
    the one a row updates, and still says a 管理队伍 row naming only the name is ambiguous."""
    db = make_db("nantong", unit="海门区人民政府办公室", name="big.db")
    demo.generate(db, 40, seed=5, today=date(2026, 11, 20))
    xlsx = tmp_path / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, xlsx)
        plan = read_workbook(xlsx, session=s)
    first = plan.rows[0]
    with db.transaction() as s:  # two more accounts of the first one's name, on other platforms
        for platform in ("douyin", "weibo"):
            if platform != first.values["platform"]:
                s.add(Account(name=first.values["name"], platform=platform))
    first.values["uuid"] = None
    team = next(r for r in plan.team.rows if r.values.get("account_name") == first.values["name"])
    plan.accounts.rows = [first]
    team.values["account_uuid"] = team.values["account_platform"] = None
    plan.team.rows = [team]
    numbered = plan.filings.rows[0]
    numbered.values["uuid"] = None  # found by its number (the origin + number index)
    plan.filings.rows = [numbered]
    plan.units = None
    with db.reader() as s:
        index = _load_index(s, plan)
        check_against(s, plan)
    assert len([u for u in index.account_ids]) >= 2
    assert list(index.accounts) == [first.target_uuid]  # only the account the row updates, whole
    assert first.action == SAME
    assert numbered.action == SAME and numbered.target_uuid in index.filings
    plan.accounts.rows = []  # the name only in the registry, three times: ambiguous
    with db.reader() as s:
        check_against(s, plan)
    assert any("有多个" in p for p in team.link_problems), team.link_problems
