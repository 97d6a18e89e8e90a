"""A merge's cost follows the snapshot, not the library it merges into (issue 14).

Before: for every snapshot and every table the merge read the whole city table into Python
(``SELECT … FROM account`` with no condition), so 100 county snapshots took 408 s where 10 took
7 s. Now it reads only the rows the snapshot can touch: those with the snapshot's uuids and those
the same source sent before. These tests look at the statements the merge sends, not at times.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint, event, text

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


def _unindexed_references() -> set[tuple[str, str]]:
    """(table, column) of references no index leads with (looking them up reads the whole table).
    None since schema 10 indexed the last two, filing.kept_account_id and approval_step.attachment_id."""
    out = set()
    for t in synced_tables():
        led = {list(i.columns)[0].name for i in t.indexes if i.columns} | {
            list(c.columns)[0].name for c in t.constraints
            if isinstance(c, UniqueConstraint | PrimaryKeyConstraint) and len(c.columns)}
        out |= {(t.name, c.name) for c in t.columns if c.foreign_keys and c.name not in led}
    return out


def _scans_of_library_tables(sql: str, plan: list[str]) -> list[str]:
    """The steps of ``plan`` that read a whole table of this database (``SCAN account``, also
    through an index) the statement names (by its name or the alias it gives it). Not counted: a
    statement that reads no row (``… WHERE 0``: the TEMP tables take the library's column types),
    a lookup by a reference no index leads with (see above), and the scans SQLite's foreign-key
    checks plan in tables the statement does not name."""
    if sql.rstrip().endswith(" WHERE 0"):
        return []
    names = {t.name for t in synced_tables()}
    aliases: dict[str, str] = {}
    for name, alias in re.findall(r'(?:main\.)?"(\w+)"(?:\s+AS\s+(\w+))?', sql):
        if name in names:
            aliases.update({name: name, f"main.{name}": name, **({alias: name} if alias else {})})
    unindexed = _unindexed_references()
    out = []
    for step in plan:
        m = re.match(r"SCAN (\S+)", step)
        if not m or m.group(1) not in aliases:
            continue
        table = aliases[m.group(1)]
        if any(re.search(rf'"{col}" IN \(', sql) for t, col in unindexed if t == table):
            continue
        out.append(step)
    return out


def _plans_seen(db, run) -> list[tuple[str, list[str]]]:
    """Every statement ``run`` sends through the engine, with SQLite's plan for it (asked on the
    same connection just before it runs, so that the TEMP tables it names exist)."""
    seen: list[tuple[str, list[str]]] = []

    def explain(conn, cursor, sql, params, context, executemany):
        if executemany or not re.match(r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE TEMP TABLE)", sql, re.I):
            return
        raw = conn.connection.driver_connection
        seen.append((sql, [r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params or ())]))

    event.listen(db.engine, "before_cursor_execute", explain)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", explain)
    return seen


def test_the_set_wise_merge_searches_the_library_through_its_indexes(make_db, tmp_path):
    """INSERT … SELECT, UPDATE … FROM and the TEMP copies look rows of the library up by uuid,
    origin, id or a unique key, never by reading a whole table of it — also when a newer snapshot
    changes, adds and drops records (the statements that find changed rows, colliding numbers and
    keys and the rows gone run then)."""
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    county = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(county, 5, seed=3, today=date(2026, 11, 20))
    with county.transaction() as s:
        extra = registry.save_account(s, registry.AccountData(name="临时测试账号"))
    merge_snapshots(city, [_county(make_db, tmp_path, "启东市人民政府办公室", 4),
                           export_snapshot(county.path, tmp_path / "a.gzsnap").path])
    with county.transaction() as s:
        first = registry.get_account(s, 1)
        first.name = "改过名的账号"
        registry.save_account(s, first)
        registry.delete_account(s, extra)
        registry.save_account(s, registry.AccountData(name="新开的账号"))
    newer = export_snapshot(county.path, tmp_path / "b.gzsnap").path
    reports = []
    plans = _plans_seen(city, lambda: reports.extend(merge_snapshots(city, [newer])))
    assert [i.label.split("（")[0] for i in reports[0].changed if i.table == "account"] == ["改过名的账号"]
    assert [i.label for i in reports[0].added if i.table == "account"] == ["新开的账号（微信订阅号）"]
    assert [i.label for i in reports[0].gone if i.table == "account"] == ["临时测试账号（微信订阅号）"]
    assert any(sql.startswith("INSERT INTO main.") for sql, _plan in plans), "the set-wise statements were seen"
    assert any(sql.startswith("UPDATE main.") for sql, _plan in plans)
    scans = [(sql[:120], steps) for sql, plan in plans if (steps := _scans_of_library_tables(sql, plan))]
    assert scans == []


def test_the_plan_check_sees_a_whole_table_read():
    plan = ["SCAN s", "SEARCH m USING INDEX sqlite_autoindex_account_1 (uuid=?)", "SCAN l"]
    sql = 'SELECT * FROM temp."x" AS s CROSS JOIN main."account" AS m ON m.uuid = s.uuid, main."unit" AS l'
    assert _scans_of_library_tables(sql, plan) == ["SCAN l"]
    assert _scans_of_library_tables('SELECT count(*) FROM "account"', ["SCAN account USING COVERING INDEX ix"])
    assert _scans_of_library_tables('SELECT * FROM main."account" WHERE 0', ["SCAN main.account"]) == []
    assert _unindexed_references() == set()  # every reference is looked up through an index (schema 10)
