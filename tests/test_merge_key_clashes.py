"""Keys that must be unique together (a person's 岗位 on an account, a step's number in its filing)
never stop a merge when the source re-created the record (found by scripts/fuzz_snapshots.py).

Reproduced before the fix: a county takes a person off an account's 管理队伍 and puts them back
(the 岗位 record is new: a new uuid, the same account, person and role); the city, which had merged
the old record, inserted the new one before deleting the old and died with
``内部错误：IntegrityError: UNIQUE constraint failed: account_role.account_id, account_role.person_id,
account_role.role`` (exit 2), on that snapshot and every later one.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from gzdesk import demo, registry, value_check
from gzdesk.exchange.merge import merge_snapshots
from gzdesk.exchange.snapshot import export_snapshot, reseal


def roles(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT a.uuid, p.uuid, r.role, r.uuid FROM account_role r JOIN account a "
                            "ON a.id = r.account_id JOIN person p ON p.id = r.person_id ORDER BY r.uuid").fetchall()
    finally:
        conn.close()


def test_a_team_member_taken_off_and_put_back_merges(make_db, tmp_path):
    county = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(county, 6, seed=8, today=date(2026, 11, 20))
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "1.gzsnap").path])
    with county.transaction() as s:
        data = registry.get_account(s, 1)
        team = list(data.team)
        data.team = team[1:]
        registry.save_account(s, data)
    with county.transaction() as s:
        data = registry.get_account(s, 1)
        data.team = team
        registry.save_account(s, data)
    assert {r[3] for r in roles(county.path)} != {r[3] for r in roles(city.path)}  # a new 岗位 record
    reports = merge_snapshots(city, [export_snapshot(county.path, tmp_path / "2.gzsnap").path])
    assert reports[0].status == "merged"
    assert roles(city.path) == roles(county.path)
    assert value_check.check_file(city.path).ok


def test_two_records_with_one_key_in_a_snapshot_are_refused_before_anything_is_written(make_db, tmp_path):
    county = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(county, 6, seed=8, today=date(2026, 11, 20))
    snap = export_snapshot(county.path, tmp_path / "s.gzsnap").path
    conn = sqlite3.connect(snap)  # rebuild the table without its UNIQUE, then duplicate one row
    conn.executescript("""
        PRAGMA foreign_keys = OFF;
        CREATE TABLE account_role_copy AS SELECT * FROM account_role;
        DROP TABLE account_role;
        ALTER TABLE account_role_copy RENAME TO account_role;
        INSERT INTO account_role (account_id, person_id, role, since, until, id, uuid, created_at, updated_at, origin,
                                  version)
            SELECT account_id, person_id, role, since, until, 99999, '2b4e28ba-2fa1-11d2-883f-0016d3cca427',
                   created_at, updated_at, origin, version FROM account_role LIMIT 1;
    """)
    conn.close()
    reseal(snap)
    report = value_check.check_file(snap)
    assert [(p.table, p.row_id) for p in report.problems] == [("account_role", 99999)]
    assert "相同（应唯一）" in report.problems[0].message
