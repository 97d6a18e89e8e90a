"""``ValueReport.rows`` counts each table's records as the set of its ids would, also for the
tables no reference names (which the check counts in SQLite instead of holding their ids)."""

from __future__ import annotations

import sqlite3

from gzdesk import value_check


def _rows_as_sets(path) -> int:
    conn = sqlite3.connect(path)
    try:
        total = 0
        for t in value_check.checked_tables():
            if [c.name for c in t.primary_key.columns] == ["id"]:
                total += len({r[0] for r in conn.execute(f'SELECT id FROM "{t.name}"')})
        return total
    finally:
        conn.close()


def test_rows_are_counted_as_the_sets_of_ids_would_count_them(db, tmp_path):
    path = db.path
    db.close()
    conn = sqlite3.connect(path)
    # a hand-made audit_row whose ids are not row ids: repeated, empty, of other types
    conn.execute("DROP TABLE audit_row")
    conn.execute("CREATE TABLE audit_row (id, event_id INTEGER, entity TEXT, entity_uuid TEXT, digest TEXT)")
    conn.executemany("INSERT INTO audit_row VALUES (?, 1, 'account', 'k', NULL)",
                     [(1,), (1.0,), (None,), (None,), ("a",), ("1",), (b"1",), (2,)])
    conn.commit()
    conn.close()
    report = value_check.check_file(path)
    assert report.rows == _rows_as_sets(path)
