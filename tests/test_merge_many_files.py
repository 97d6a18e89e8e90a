"""A city merges more county files in one transaction than SQLite can attach at once (ten): each
file's rows are copied into TEMP tables before the write transaction begins (exchange/merge_rows.py),
and a merge run inside a transaction that has already written copies them through a connection of
its own. Either way the result is the merge's (counts, origins, references), and all or nothing."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from gzdesk import demo
from gzdesk.errors import UserError
from gzdesk.exchange.merge import MERGED, merge_one, merge_snapshots, synced_tables
from gzdesk.exchange.snapshot import export_snapshot, open_snapshot
from gzdesk.models import Unit


def _library(path) -> list[tuple]:
    """Every merged account with its origin and the uuid of its host unit (references resolved)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT a.uuid, a.name, a.origin, u.uuid FROM account a LEFT JOIN unit u "
                            "ON u.id = a.host_unit_id ORDER BY a.uuid").fetchall()
    finally:
        conn.close()


@pytest.fixture
def twelve(make_db, tmp_path):
    files = []
    for k in range(12):
        db = make_db("nantong", unit=f"第{k + 1}县人民政府办公室", name=f"county{k}.db")
        demo.generate(db, 2, seed=k + 1, today=date(2026, 11, 20))
        files.append(export_snapshot(db.path, tmp_path / f"county{k}.gzsnap").path)
    return files


def test_twelve_county_files_merge_in_one_transaction(make_db, twelve):
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    reports = merge_snapshots(city, twelve)
    assert [r.status for r in reports] == [MERGED] * 12
    rows = _library(city.path)
    assert len(rows) == 24 and len({r[2] for r in rows}) == 12
    assert all(r[3] is not None for r in rows)  # every host unit found through its uuid
    # again: nothing changes, nothing is added
    again = merge_snapshots(city, twelve)
    assert {r.status for r in again} == {"already_merged"}
    assert _library(city.path) == rows


def test_a_refusal_in_the_twelfth_file_changes_nothing(make_db, twelve, tmp_path):
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    own = export_snapshot(city.path, tmp_path / "own.gzsnap").path  # this office's own: refused
    with pytest.raises(UserError, match="本单位自己导出"):
        merge_snapshots(city, [*twelve[:11], own])
    assert _library(city.path) == []


def test_merge_one_inside_a_transaction_that_has_written(make_db, twelve):
    """``merge_one`` with no staged copy, after a write in the same transaction (DETACH would
    fail there): the rows are copied through a reading connection, with the same result."""
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    other = make_db("nantong", unit="南通市人民政府办公室", name="other.db")
    merge_snapshots(other, twelve[:2])
    with open_snapshot(twelve[0]) as first, open_snapshot(twelve[1]) as second, city.transaction() as s:
        s.add(Unit(name="市里新设的单位", kind="other"))
        s.flush()
        assert s.connection().connection.driver_connection.in_transaction
        reports = [merge_one(s, first), merge_one(s, second)]
    assert [r.status for r in reports] == [MERGED, MERGED]
    assert _library(city.path) == _library(other.path)
    conn = sqlite3.connect(city.path)
    try:
        for t in synced_tables():  # nothing but what the merge wrote (and the new unit)
            assert conn.execute(f'SELECT count(*) FROM "{t.name}" WHERE origin IS NOT NULL').fetchone() == \
                sqlite3.connect(other.path).execute(f'SELECT count(*) FROM "{t.name}" WHERE origin IS NOT NULL').fetchone()
    finally:
        conn.close()
