"""A bulk event is written exactly as it was before ``audit.record_bulk`` was made faster.

``tests/audit_reference.py`` holds the old ``record_bulk``; both run on copies of one office
database whose rows were given odd values by hand — reals, BLOBs, dates in other forms or not
days, NULLs, booleans that are not 0/1, text where a number belongs, a byte that is not UTF-8 —
with rows noted in every way a bulk write notes them (most of a table: one scan; a few of a
large table: chunks of 500 keys; deleted; noted but gone; tables without a uuid), and the
event (its hash included, at one fixed time) and its lines must be the same, byte for byte.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest

from gzdesk import audit, audit_verify, demo, office, registry
from gzdesk.db import Database
from tests import audit_reference

AT = datetime(2026, 11, 20, 9, 30, 0)


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "office.db"
    db = Database(path, actor="测试员", backup=False)
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    demo.generate(db, 700, seed=3, today=date(2026, 11, 20))
    with db.transaction() as s:
        pid = registry.save_person(s, registry.PersonData(name="张三", mobile="13800001111"))
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        registry.set_team(s, aid, [(pid, "admin")])
    db.close()
    odd = [
        "UPDATE account SET followers = 1.5 WHERE id = 1",
        "UPDATE account SET name = CAST(name AS BLOB) WHERE id = 2",
        "UPDATE account SET registered_on = '2026-02-30' WHERE id = 3",
        "UPDATE account SET registered_on = '20261120' WHERE id = 4",
        "UPDATE account SET registered_on = 20261120 WHERE id = 5",
        "UPDATE account SET followers_on = 1.25 WHERE id = 6",
        "UPDATE account SET verified = 2 WHERE id = 7",
        "UPDATE account SET news_license = '1' WHERE id = 8",
        "UPDATE account SET qr_image = x'89504e47' WHERE id = 9",
        "UPDATE account SET followers = 'many', intro = NULL, url = NULL WHERE id = 10",
        "UPDATE account SET intro = CAST(x'41ff42' AS TEXT) WHERE id = 11",
        "UPDATE account SET notes = '中文\"\\\n' || char(0) || char(8232) WHERE id = 12",
        "UPDATE account SET registered_on = '0000-01-01', last_update_on = '2026-1-5' WHERE id = 13",
        "UPDATE account SET registered_on = '2024-02-29', last_update_on = '2023-02-29' WHERE id = 14",
        "UPDATE filing SET filled_on = '2025-10-09T00:00', frozen = NULL WHERE id = 1",
        "UPDATE filing SET created_at = '2026-11-20 10:00:00.000000' WHERE id = 2",
        "UPDATE person SET trained_on = '2026-11-20 10:00:00', mobile = 13800001111 WHERE id = 3",
        "UPDATE account_role SET since = x'00ff' WHERE id = 4",
        "UPDATE approval_step SET title = CAST(x'e4b8' AS TEXT) WHERE id = 5",  # a character cut short
        "UPDATE unit SET classified = 3, phone = -0.0, notes = NULL WHERE id = 2",
        "INSERT INTO office_holiday (day, workday, name) VALUES ('2026-10-01', 0, '国庆节')",
        "INSERT INTO office_holiday (day, workday, name) VALUES ('2026-13-01', 2, x'ff')",
    ]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for st in odd:
        conn.execute(st)
    conn.commit()
    conn.close()
    return path


def _uuids(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute(f'SELECT uuid FROM "{table}" ORDER BY id')]
    finally:
        conn.close()


def _notes(path: Path, rng: random.Random) -> list[tuple[str, list[str], bool]]:
    """What a bulk write notes: (table, keys, deleted), in a shuffled order."""
    accounts, roles = _uuids(path, "account"), _uuids(path, "account_role")
    units, people, filings = _uuids(path, "unit"), _uuids(path, "person"), _uuids(path, "filing")
    notes = [
        ("account", rng.sample(accounts, len(accounts) - 5), False),  # most of it: one scan
        ("account_role", rng.sample(roles, 510), False),  # a few of a large table: two chunks
        ("unit", units[:3], False),
        ("person", rng.sample(people, 2) + ["00000000-0000-4000-8000-00000000000a"], False),  # one noted but gone
        ("filing", filings[:4], True),
        ("filing", filings[2:6], False),  # noted again: present after all
        ("approval_step", ["00000000-0000-4000-8000-00000000000b"], True),
        ("setting", ["profile", "no-such-key"], False),
        ("office_holiday", ["2026-10-01", "2026-13-01"], False),
    ]
    rng.shuffle(notes)
    return notes


def _written(path: Path, record_bulk, notes, monkeypatch) -> tuple[list, list, bool]:
    monkeypatch.setattr(audit, "now", lambda: AT)
    db = Database(path, actor="导入员", backup=False)
    with db.transaction() as s:
        for table, keys, deleted in notes:
            audit.note_rows(s, table, keys, deleted=deleted)
        record_bulk(s, "import", "account", summary="批量导入", changes={"file": "台账.xlsx"})
    db.close()
    conn = sqlite3.connect(path)
    try:
        events = conn.execute("SELECT * FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)").fetchall()
        lines = conn.execute("SELECT * FROM audit_row WHERE event_id = (SELECT max(id) FROM audit_event) "
                             "ORDER BY id").fetchall()
        conn.text_factory = lambda raw: raw.decode("utf-8", errors="replace")
        verdict = audit_verify.check(conn)
    finally:
        conn.close()
    return events, lines, verdict.problems


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_record_bulk_writes_the_event_and_lines_it_wrote_before(original, tmp_path, monkeypatch, seed):
    notes = _notes(original, random.Random(seed))
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(original, old)
    shutil.copyfile(original, new)
    before = _written(old, audit_reference.record_bulk, notes, monkeypatch)
    after = _written(new, audit.record_bulk, notes, monkeypatch)
    assert after[0] == before[0]  # the event: id, time, changes (rows, rows_digest), prev_hash, hash
    assert after[1] == before[1]  # every line: id, event, table, key, digest
    assert after[2] == before[2]
    assert len(before[1]) > 700 and any(line[4] is None for line in before[1])


def test_record_bulk_of_demo_data_is_what_it_was(tmp_path, monkeypatch):
    """The one-scan path over whole tables, as ``gzdesk demo`` writes them."""
    base = tmp_path / "base.db"
    db = Database(base, actor="测试员", backup=False)
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    db.close()
    got = []
    for name, fn in (("old", audit_reference.record_bulk), ("new", audit.record_bulk)):
        path = tmp_path / f"{name}.db"
        shutil.copyfile(base, path)
        monkeypatch.setattr(demo.audit, "record_bulk", fn)
        monkeypatch.setattr(demo, "new_uuid", _counter())
        monkeypatch.setattr(demo, "_stamp", lambda: AT)
        monkeypatch.setattr(audit, "now", lambda: AT)
        demo.generate(Database(path, actor="测试员", backup=False), 120, seed=9, today=date(2026, 11, 20))
        conn = sqlite3.connect(path)
        got.append((conn.execute("SELECT * FROM audit_event ORDER BY id").fetchall(),
                    conn.execute("SELECT * FROM audit_row ORDER BY id").fetchall()))
        conn.close()
    assert got[0] == got[1]
    assert len(got[0][1]) > 500


def _counter():
    n = iter(range(1, 10**9))
    return lambda: f"00000000-0000-4000-8000-{next(n):012d}"


def _insert_before(session, table, rows: list[dict]) -> None:
    """``demo._insert`` as it was (row by row, each value bound through a dict per column)."""
    conn = session.connection()
    keys = [k for k in dict.fromkeys(k for r in rows for k in r)
            if k != "label" and not (k == "id" and all(r.get("id") is None for r in rows))]
    columns = [table.c[k] for k in keys]
    defaults = []
    for c in table.columns:
        if c.key in keys or c.default is None:
            continue
        columns.append(c)
        defaults.append(c.default)
    binds = [c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in columns]
    extra = [d.arg if d.is_scalar else d.arg(None) for d in defaults]
    values = [[r.get(k) for k in keys] + extra for r in rows]
    for i, bind in enumerate(binds):
        if bind is not None:
            bound: dict = {}
            for v in values:
                key = (type(v[i]), v[i])
                if key not in bound:
                    bound[key] = bind(v[i])
                v[i] = bound[key]
    names = ", ".join(f'"{c.name}"' for c in columns)
    raw = conn.connection.driver_connection
    raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(columns))})', values)


def test_demo_data_is_what_a_seed_gave_before(tmp_path, monkeypatch):
    """Every table of a demo database (uuids and times fixed) is what the old writer and the old
    record_bulk gave for the same seed, value for value and type for type."""
    base = tmp_path / "base.db"
    db = Database(base, actor="测试员", backup=False)
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "yunnan")  # (its rules add 会议研究 and 名称同意 keys)
    db.close()
    got = []
    for name, insert, bulk in (("old", _insert_before, audit_reference.record_bulk),
                               ("new", demo._insert, audit.record_bulk)):
        path = tmp_path / f"{name}.db"
        shutil.copyfile(base, path)
        monkeypatch.setattr(demo, "_insert", insert)
        monkeypatch.setattr(demo.audit, "record_bulk", bulk)
        monkeypatch.setattr(demo, "new_uuid", _counter())
        monkeypatch.setattr(demo, "_stamp", lambda: AT)
        monkeypatch.setattr(audit, "now", lambda: AT)
        demo.generate(Database(path, actor="测试员", backup=False), 900, seed=5, today=date(2026, 11, 20))
        conn = sqlite3.connect(path)
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        got.append({t: conn.execute(f'SELECT *, {_types(conn, t)} FROM "{t}" ORDER BY rowid').fetchall() for t in tables})
        conn.close()
    assert got[0] == got[1]
    assert len(got[0]["account"]) == 900


def _types(conn: sqlite3.Connection, table: str) -> str:
    return ", ".join(f'typeof("{c[1]}")' for c in conn.execute(f'PRAGMA table_info("{table}")'))
