"""``value_check`` judges a repeated text once (``PASSED_PER_COLUMN``): what it passed once passes
again, but never stands in for a different value that compares equal, nor hides a repeated bad one."""

from __future__ import annotations

import sqlite3
from datetime import date

from gzdesk import demo, value_check


def _sql(path, statement: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_undecodable_text_equal_to_a_good_one_is_still_named(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(db, 6, seed=1, today=date(2026, 11, 20))
    ids = [r[0] for r in sqlite3.connect(db.path).execute("SELECT id FROM account ORDER BY id")]
    # the same text once as valid UTF-8 (U+FFFD written out) and once as a stray byte that reads as U+FFFD
    _sql(db.path, f"UPDATE account SET name = '\ufffd甲' WHERE id = {ids[0]}")
    _sql(db.path, f"UPDATE account SET name = CAST(X'ffe794b2' AS TEXT) WHERE id = {ids[1]}")
    report = value_check.check_file(db.path)
    assert [(p.table, p.row_id, p.field) for p in report.problems] == [("account", ids[1], "name")]
    assert "无法解码" in report.problems[0].message


def test_a_bad_value_repeated_is_named_every_time(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(db, 6, seed=1, today=date(2026, 11, 20))
    _sql(db.path, "UPDATE account SET registered_on = '2019.3.12'")
    report = value_check.check_file(db.path)
    n = sqlite3.connect(db.path).execute("SELECT count(*) FROM account").fetchone()[0]
    assert n > 1 and report.total == n
    assert {p.field for p in report.problems} == {"registered_on"}
