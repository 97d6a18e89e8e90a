"""The registry table read as columns (``registry.account_table``, issue 14): one JSON array per
column from SQLite, else row by row (an SQLite that cannot, a BLOB where a number belongs), else
through the connection's own decoding (a byte that is not UTF-8) — every way gives the same rows,
hand-edited values shown empty and named as ``list_accounts`` always named them."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date

import pytest

from gzdesk import demo, registry

TODAY = date(2026, 11, 20)


def _edit(path, *statements: str) -> None:
    conn = sqlite3.connect(path)  # as a clerk's sqlite3 tool does
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


@pytest.fixture
def county(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(db, 30, seed=3, today=TODAY)
    return db


def _rows(db, **kw) -> list[registry.AccountRow]:
    with db.reader() as s:
        return registry.account_table(s, **kw).rows()


def _row_by_row(db, monkeypatch, **kw) -> list[registry.AccountRow]:
    with monkeypatch.context() as m:
        m.setattr(registry, "_json_columns", lambda *_a: None)
        return _rows(db, **kw)


HAND_EDITS = (
    "UPDATE account SET registered_on = '2019.3.12', followers = 'abc' WHERE id = 1",
    "UPDATE account SET name = 12345, platform = 'other', platform_other = '自建' WHERE id = 3",
    "UPDATE account SET last_update_on = 20190312 WHERE id = 4",
    "UPDATE account SET handle = X'0102' WHERE id = 6",
    "UPDATE unit SET name = 777 WHERE id = (SELECT host_unit_id FROM account WHERE id = 5)",
)


def test_the_columns_read_as_json_are_the_rows_read_one_by_one(county, monkeypatch):
    _edit(county.path, *HAND_EDITS)
    rows = _rows(county)
    assert rows == _row_by_row(county, monkeypatch)
    assert [r.id for r in rows] == sorted(r.id for r in rows) and len(rows) == 30
    by_id = {r.id: r for r in rows}
    assert dict(by_id[1].bad_values).keys() == {"followers", "registered_on"}
    assert by_id[1].registered_on is None and by_id[1].followers is None
    assert by_id[3].name == "12345" and by_id[3].platform_label == "其他：自建"
    assert dict(by_id[4].bad_values).keys() == {"last_update_on"} and by_id[4].last_update_on is None
    assert by_id[6].handle is None and dict(by_id[6].bad_values).keys() == {"handle"}
    with county.reader() as s:  # one row read alone is that row of the table
        assert all(registry.account_row(s, r.id) == r for r in rows)


def test_the_window_leaves_out_only_what_it_neither_shows_nor_searches(county, monkeypatch):
    full, shown = _rows(county), _rows(county, shown_only=True)
    assert shown == _row_by_row(county, monkeypatch, shown_only=True)
    assert all(s.uuid == s.supervisor_unit == s.operator_unit == "" for s in shown)
    assert shown == [replace(r, uuid="", supervisor_unit="", operator_unit="") for r in full]
    assert all(f.uuid and f.supervisor_unit for f in full)


def test_a_blob_where_a_number_belongs_falls_back_to_the_rows(county, monkeypatch):
    _edit(county.path, "UPDATE account SET host_unit_id = X'01' WHERE id = 2")
    calls = []
    real = registry._read_columns
    monkeypatch.setattr(registry, "_read_columns", lambda *a: calls.append(1) or real(*a))
    rows = _rows(county)
    assert calls, "SQLite's JSON refuses a BLOB: the rows are read one by one"
    assert len(rows) == 30 and next(r for r in rows if r.id == 2).host_unit == ""  # no such unit


def test_a_byte_that_is_not_utf8_reads_as_the_replacement_character(county, monkeypatch):
    _edit(county.path, "UPDATE account SET name = CAST(X'C4E3BAC3' AS TEXT) WHERE id = 2")
    rows = _rows(county)
    assert next(r for r in rows if r.id == 2).name == "\ufffd\ufffd\ufffd"
    assert rows == _row_by_row(county, monkeypatch)


def _parts(db, first: int, size: int) -> registry.AccountTableParts:
    parts = registry.AccountTableParts(first, size)
    while not parts.done:
        with db.reader() as s:
            parts.step(s)
    return parts


@pytest.mark.parametrize("first,size", [(1, 1), (2, 7), (5, 30), (30, 4), (200, 10_000)])
def test_the_table_read_in_parts_is_the_table_read_at_once(county, monkeypatch, first, size):
    """The window's first read of a big registry (a screenful, then parts by id) gives the very
    table read at once: hand-edited values, a deleted account, ids out of order, a unit named by a
    number, a byte that is not UTF-8 and a BLOB where a number belongs (read row by row) among them."""
    _edit(county.path, *HAND_EDITS,
          "UPDATE account SET name = CAST(X'C4E3BAC3' AS TEXT) WHERE id = 8",
          "DELETE FROM account_role WHERE account_id = 9", "DELETE FROM filing WHERE account_id = 9",
          "DELETE FROM account WHERE id = 9", "UPDATE account SET id = 1000 WHERE id = 2",
          "UPDATE account SET host_unit_id = X'01' WHERE id = 11")
    with county.reader() as s:
        whole = registry.account_table(s, shown_only=True)
    parts = _parts(county, first, size)
    assert [len(p) for p in parts.parts[:-1]] == [first, *[size] * (len(parts.parts) - 2)][:len(parts.parts) - 1]
    assert parts.read == len(whole) == 29
    table = parts.whole()
    assert table.rows() == whole.rows() and table.bad_values == whole.bad_values and table.bad_values
    assert table.rows() == _row_by_row(county, monkeypatch, shown_only=True)


def test_an_empty_registry_read_in_parts(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="empty.db")
    parts = _parts(db, 3, 5)
    assert parts.done and parts.whole().rows() == [] and parts.read == 0
