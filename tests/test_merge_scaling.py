"""A merge's cost follows the snapshot, not the library it merges into (issue 14).

Before: for every snapshot and every table the merge read the whole city table into Python
(``SELECT … FROM account`` with no condition), so 100 county snapshots took 408 s where 10 took
7 s. Now it reads only the rows the snapshot can touch: those with the snapshot's uuids and those
the same source sent before. These tests look at the statements the merge sends, not at times.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import event, text

from gzdesk import demo, registry
from gzdesk.exchange.merge import merge_snapshots, synced_tables
from gzdesk.exchange.snapshot import export_snapshot


def _county(make_db, tmp_path, name, seed):
    db = make_db("nantong", unit=name, name=f"{seed}.db")
    demo.generate(db, 5, seed=seed, today=date(2026, 11, 20))
    return export_snapshot(db.path, tmp_path / f"{seed}.gzsnap").path


def _whole_table_reads(statements: list[str]) -> list[str]:
    names = {t.name for t in synced_tables()}
    out = []
    for sql in statements:
        m = re.match(r'\s*SELECT .* FROM "?(\w+)"?\s*(.*)$', sql, re.S | re.I)
        if m and m.group(1) in names and "WHERE" not in m.group(2).upper() and "max(id)" not in sql:
            out.append(sql)
    return out


def test_merging_a_second_county_reads_no_whole_table(make_db, tmp_path):
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    merge_snapshots(city, [_county(make_db, tmp_path, "海门区人民政府办公室", 1)])
    second = _county(make_db, tmp_path, "启东市人民政府办公室", 2)
    statements: list[str] = []

    def seen(conn, cursor, sql, *args):
        statements.append(sql)

    event.listen(city.engine, "before_cursor_execute", seen)
    try:
        [report] = merge_snapshots(city, [second])
    finally:
        event.remove(city.engine, "before_cursor_execute", seen)
    assert report.added and not report.gone
    assert statements, "the listener saw the merge"
    assert _whole_table_reads(statements) == []


def test_a_newer_snapshot_still_finds_what_the_source_dropped(make_db, tmp_path):
    """The rows of this source not in the new snapshot are found through ``origin`` (not by reading
    everything), and deleted as before; the other county's rows are untouched."""
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    county = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(county, 5, seed=3, today=date(2026, 11, 20))
    with county.transaction() as s:
        extra = registry.save_account(s, registry.AccountData(name="临时测试账号"))
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "a.gzsnap").path,
                           _county(make_db, tmp_path, "启东市人民政府办公室", 4)])
    with county.transaction() as s:
        registry.delete_account(s, extra)
    [report] = merge_snapshots(city, [export_snapshot(county.path, tmp_path / "b.gzsnap").path])
    assert [(i.table, i.label) for i in report.gone] == [("account", "临时测试账号（微信订阅号）")]
    with city.reader() as s:
        origins = dict(s.execute(text("SELECT origin, count(*) FROM account GROUP BY origin")).all())
    assert origins == {"海门区人民政府办公室": 5, "启东市人民政府办公室": 5}
