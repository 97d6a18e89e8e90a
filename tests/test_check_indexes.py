"""Schema 10 (the indexes of the rule checks) and SQLite's own text decoding for ``rules.check`` and
``deadlines.pending``: what they find is the same as before, on a varied registry with values a file
edited by hand may hold — only the indexes SQLite reads through, and who decodes the text, changed.

The reference is each function as it read before: through the indexes of schema 9 (restored on a
copy of the file) and with every text value decoded by the connection's Python text factory.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import astuple
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Column

from gzdesk import deadlines, demo, rules
from gzdesk.db import Database
from gzdesk.exchange import import_compare
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.excel_import import check_against, read_workbook
from gzdesk.models import Base

TODAY = date(2026, 11, 20)
SCHEMA_9_INDEXES = """
DROP INDEX ix_account_host_unit;
DROP INDEX ix_account_name_platform;
DROP INDEX ix_filing_kept_account_id;
DROP INDEX ix_approval_step_attachment_id;
CREATE INDEX ix_account_host_unit_id ON account (host_unit_id);
CREATE INDEX ix_account_name ON account (name);
"""


def _hand_edit(path: Path) -> None:
    """Values gzdesk never writes but a file edited by hand (foreign keys off) may hold."""
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA foreign_keys = OFF")
    ids = [r[0] for r in raw.execute("SELECT id FROM account ORDER BY id")]
    units = [r[0] for r in raw.execute("SELECT id FROM unit ORDER BY id")]
    edits = [
        ("UPDATE account SET name = CAST(name AS BLOB) WHERE id = ?", ids[1]),
        ("UPDATE account SET host_unit_id = NULL WHERE id = ?", ids[2]),
        ("UPDATE account SET host_unit_id = 987654 WHERE id IN (?, ?)", ids[3], ids[4]),
        ("UPDATE account SET platform = 'WEIBO' WHERE id = ?", ids[5]),
        ("UPDATE account SET platform = '' WHERE id = ?", ids[6]),
        ("UPDATE account SET platform = CAST('weibo' AS BLOB) WHERE id = ?", ids[7]),
        ("UPDATE account SET status = 'normal ' WHERE id = ?", ids[8]),
        ("UPDATE account SET status = 3 WHERE id = ?", ids[9]),
        ("UPDATE account SET last_update_on = '2026-11-31', last_original_on = '2026/11/19' WHERE id = ?", ids[10]),
        ("UPDATE account SET last_update_on = 20261119, registered_on = 'x' WHERE id = ?", ids[11]),
        ("UPDATE account SET verified = '否', verification_names_host = 0 WHERE id = ?", ids[12]),
        ("UPDATE account SET platform = 'other', platform_other = NULL WHERE id = ?", ids[13]),
        ("UPDATE account SET name = (SELECT name FROM account WHERE id = ?), platform = 'douyin', "
         "host_unit_id = (SELECT host_unit_id FROM account WHERE id = ?) WHERE id = ?", ids[14], ids[14], ids[15]),
        ("UPDATE account SET name = '' WHERE id = ?", ids[16]),
        ("UPDATE account SET unusable_since = '2026-01-01', platform = 'app' WHERE id = ?", ids[17]),
        ("UPDATE unit SET kind = 'internal' WHERE id = ?", units[3]),
        ("UPDATE filing SET state = 'filed', reported_on = NULL WHERE id IN (SELECT id FROM filing LIMIT 5)",),
        ("UPDATE filing SET event_on = '2026-02-30' WHERE id IN (SELECT id FROM filing LIMIT 3 OFFSET 5)",),
        ("UPDATE person SET trained_on = NULL WHERE id IN (SELECT id FROM person LIMIT 10)",),
    ]
    for sql, *args in edits:
        raw.execute(sql, args)
    raw.commit()
    raw.close()


def _bad_bytes(path: Path) -> None:
    """Bytes that are not UTF-8 (GBK from another program) in names the findings show."""
    raw = sqlite3.connect(path)
    ids = [r[0] for r in raw.execute("SELECT id FROM account ORDER BY id")]
    raw.execute("UPDATE account SET name = CAST(X'e6b5b7e997a8c4dac8dd' AS TEXT) WHERE id = ?", (ids[20],))
    raw.execute("UPDATE unit SET name = CAST(X'c4dac8ddb0ecb9abcad2' AS TEXT) WHERE id = "
                "(SELECT host_unit_id FROM account WHERE id = ?)", (ids[21],))
    raw.execute("UPDATE person SET name = CAST(X'cdf5b7bc' AS TEXT) WHERE id IN (SELECT id FROM person LIMIT 3)")
    raw.commit()
    raw.close()


def _as_before(path: Path, copy: Path) -> None:
    """``copy``: the file with the indexes of schema 9 in place of those of schema 10."""
    shutil.copyfile(path, copy)
    raw = sqlite3.connect(copy)
    raw.executescript(SCHEMA_9_INDEXES)
    raw.close()


def _results(path: Path, *, factory_only: bool) -> tuple[list, list]:
    """(findings, pending items) as plain tuples; ``factory_only``: every text value through the
    connection's Python text factory, as before (the functions' bodies, without the switch)."""
    db = Database(path, backup=False)
    try:
        with db.reader() as s:
            if factory_only:
                findings, items = rules._check(s, TODAY), deadlines._pending(s, TODAY)
            else:
                findings, items = rules.check(s, TODAY), deadlines.pending(s, TODAY)
    finally:
        db.close()
    return [astuple(f) for f in findings], [astuple(i) for i in items]


@pytest.mark.parametrize("profile", ["nantong", "yunnan", "yanhu"])
@pytest.mark.parametrize("bad_bytes", [False, True], ids=["utf8", "gbk-bytes"])
def test_check_and_due_find_the_same_as_before(make_db, tmp_path, profile, bad_bytes):
    db = make_db(profile, unit="海门区人民政府办公室", name=f"{profile}.db")
    demo.generate(db, 240, seed=11, today=TODAY)
    path = Path(db.path)
    db.close()
    _hand_edit(path)
    if bad_bytes:
        _bad_bytes(path)
    before = tmp_path / "schema9-indexes.db"
    _as_before(path, before)
    findings, items = _results(path, factory_only=False)
    assert (findings, items) == _results(before, factory_only=True)
    assert len(findings) > 100 and len(items) > 10
    rule_codes = {f[0] for f in findings}
    assert len(rule_codes) >= 5 and "name_mismatch" in rule_codes
    if profile == "nantong":
        assert {"one_per_platform", "no_update_2_weeks", "overdue"} <= rule_codes
    if bad_bytes:  # the bytes read as U+FFFD, as everywhere, not as an error
        assert any("\ufffd" in repr(f) for f in findings)


def test_the_check_reads_the_group_rules_from_the_host_units_index(make_db):
    """What the indexes are for: SQLite answers both group rules from ``ix_account_host_unit`` alone
    (no table row read, no sort of every account by unit), with no statistics in the file."""
    db = make_db("nantong", unit="海门区人民政府办公室", name="plans.db")
    demo.generate(db, 60, seed=2, today=TODAY)
    plans: list[str] = []
    from sqlalchemy import event

    @event.listens_for(db.engine, "before_cursor_execute")
    def explain(conn, cursor, statement, parameters, context, executemany):
        if "count(DISTINCT" in statement or 'AS "key"' in statement:
            raw = conn.connection.driver_connection
            plans.append(" / ".join(r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)))
    with db.reader() as s:
        rules.check(s, TODAY)
    assert len(plans) == 2
    for plan in plans:
        assert "COVERING INDEX ix_account_host_unit" in plan, plan
        assert "ix_account_status" not in plan, plan
    raw = sqlite3.connect(db.path)
    assert not raw.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").fetchall()
    raw.close()


def test_the_migrated_indexes_have_the_orm_columns(tmp_path):
    """Each index the ORM declares has the columns the migrations give it (not only its name)."""
    db = Database(tmp_path / "fresh.db")
    db.close()
    raw = sqlite3.connect(tmp_path / "fresh.db")
    for table in Base.metadata.tables.values():
        for ix in table.indexes:
            if all(isinstance(c, Column) for c in ix.expressions):  # (not an expression index)
                have = [r[2] for r in raw.execute(f"PRAGMA index_info('{ix.name}')")]
                assert have == [c.name for c in ix.expressions], ix.name
    raw.close()


def test_the_wizard_finds_the_same_accounts_looking_up_name_and_platform(make_db, tmp_path, monkeypatch):
    """The import wizard looks up the (名称, 平台) pairs its rows give, not every account of each name:
    every row is decided as when each name was looked up on every platform."""
    db = make_db("nantong", unit="海门区人民政府办公室", name="wizard.db")
    demo.generate(db, 200, seed=4, today=TODAY)
    small = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(small, 40, seed=4, today=TODAY)  # the same names on the same platforms, other records
    xlsx = tmp_path / "台账.xlsx"
    with small.reader() as s:
        export_workbook(s, xlsx)

    def decided(plan) -> list[tuple]:
        out = []
        for sheet in (plan.accounts, plan.team, plan.filings, plan.units):
            for r in sheet.rows if sheet else []:
                out.append((r.line, r.action, r.target_uuid, tuple(r.notes), tuple(r.link_problems),
                            r.values.get("_account")))
        return out

    def plans():
        with db.reader() as s:
            plan = read_workbook(xlsx, session=s)
            if plan.team:  # rows naming their account by name only, and by a name and platform
                for r in plan.team.rows[::3]:
                    r.values["account_uuid"] = None
                for r in plan.team.rows[1::3]:
                    r.values["account_uuid"] = r.values["account_platform"] = None
            return decided(check_against(s, plan))

    now = plans()
    keys = import_compare._account_keys

    def by_name_only(session, uuids, names, pairs):
        return keys(session, uuids, set(names) | {n for n, _p in pairs}, set())
    monkeypatch.setattr(import_compare, "_account_keys", by_name_only)
    assert now == plans()
    assert any(action == "update" or action == "same" for _l, action, *_ in now)


def test_a_file_with_planner_statistics_still_checks_verifies_exports_and_merges(make_db, tmp_path, capsys):
    """gzdesk writes no statistics (no ANALYZE), but a file someone ran ANALYZE on with sqlite3
    holds ``sqlite_stat1``: the check finds the same, the file verifies, and its snapshot exports
    and merges (the statistics table is not one of the records, and a merge copies none of it)."""
    from gzdesk.cli import main

    county = make_db("nantong", unit="启东市人民政府办公室", name="county.db")
    demo.generate(county, 30, seed=3, today=TODAY)
    path = Path(county.path)
    with county.reader() as s:
        before = [astuple(f) for f in rules.check(s, TODAY)]
    county.close()
    raw = sqlite3.connect(path)
    raw.execute("ANALYZE")
    raw.commit()
    assert raw.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0
    raw.close()
    again = Database(path, backup=False)
    with again.reader() as s:
        assert [astuple(f) for f in rules.check(s, TODAY)] == before
    again.close()
    assert main(["verify", "--db", str(path)]) == 0
    snap = tmp_path / "启东市.gzsnap"
    assert main(["snapshot", "export", str(snap), "--db", str(path)]) == 0
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    city.close()
    assert main(["snapshot", "merge", str(snap), "--db", str(city.path)]) == 0
    assert main(["verify", "--db", str(city.path)]) == 0
    capsys.readouterr()
    raw = sqlite3.connect(city.path)
    assert raw.execute("SELECT count(*) FROM account WHERE origin IS NOT NULL").fetchone()[0] == 30
    assert not raw.execute("SELECT 1 FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").fetchall()
    raw.close()
