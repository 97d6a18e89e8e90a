"""The streaming audit check finds what the whole-history check found: the same problems, in the
same order, in the same words (``tests/audit_reference.py`` is that check as it was).

Each case tampers with a copy of one office database the way someone with sqlite3 could — values
of odd types and forms, records deleted, inserted or given another's uuid, bulk lines reordered,
moved, deleted or retyped, events edited — and both checks must agree, read through SQLite's own
decoding and through a replacing text factory. The SQL form of the row digests
(``audit.row_json_sql``) is compared with the Python canonicalizer on such values too.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from gzdesk import audit, audit_verify, demo, filings, registry
from gzdesk.models import Base
from tests import audit_reference


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """Demo rows, records made by hand and edited, a second bulk event over some demo rows
    (one changed) and a deleted record, and a filing with a step."""
    from gzdesk import office
    from gzdesk.db import Database

    path = tmp_path_factory.mktemp("stream") / "office.db"
    db = Database(path, actor="测试员")
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    demo.generate(db, 15, seed=4, today=date(2026, 11, 20))
    with db.transaction() as s:
        pid = registry.save_person(s, registry.PersonData(name="张三", mobile="13800001111"))
        aid = registry.save_account(s, registry.AccountData(name="通州发布", registered_on=date(2025, 9, 30)))
        registry.set_team(s, aid, [(pid, "admin")])
        f = filings.new_filing(s, aid, "开设", "新开设账号", filled_on=date(2025, 10, 9))
        filings.record_step(s, f.id, "同意", "王主任", date(2025, 10, 10))
    with db.transaction() as s:
        data = registry.get_account(s, aid)
        data.name = "通州发布号"
        registry.save_account(s, data)
    with db.transaction() as s:
        conn = s.connection()
        rows = conn.exec_driver_sql("SELECT uuid FROM account WHERE origin IS NULL AND name != '通州发布号' "
                                    "ORDER BY id LIMIT 2").fetchall()
        conn.exec_driver_sql("UPDATE account SET followers = 77 WHERE uuid = ?", (rows[0][0],))
        audit.note_rows(s, "account", [rows[0][0], rows[1][0]])
        audit.note_rows(s, "account", ["00000000-0000-4000-8000-000000000001"], deleted=True)  # a record gone
        audit.record_bulk(s, "import", "account", summary="测试")
    db.close()
    return path


def sql(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    for st in statements:
        conn.execute(st)
    conn.commit()
    conn.close()


FIRST_DEMO = "(SELECT min(id) FROM account WHERE origin IS NULL AND name NOT LIKE '通州%')"
HAND = "(SELECT id FROM account WHERE name = '通州发布号')"
BULK2 = "(SELECT max(id) FROM audit_event WHERE action = 'import')"
DEMO_EVENT = "(SELECT max(id) FROM audit_event WHERE action = 'demo')"

TAMPERINGS = {
    "none": [],
    "bulk record edited": [f"UPDATE account SET followers = 1 WHERE id = {FIRST_DEMO}"],
    "hand record edited": [f"UPDATE account SET name = '改名' WHERE id = {HAND}"],
    "date not a day": [f"UPDATE account SET registered_on = '2026-02-30' WHERE id = {FIRST_DEMO}"],
    "date in basic form": ["UPDATE account SET registered_on = '20261120' WHERE id <= 3"],
    "date as a number": [f"UPDATE account SET registered_on = 20261120 WHERE id = {HAND}"],
    "date as a real": ["UPDATE account SET followers_on = 1.5 WHERE id = 2"],
    "boolean 2 and text": ["UPDATE account SET verified = 2 WHERE id = 1", "UPDATE account SET news_license = '1' WHERE id = 2"],
    "boolean flipped": [f"UPDATE account SET verified = 1 - coalesce(verified, 0) WHERE id = {FIRST_DEMO}"],
    "text as a blob": ["UPDATE account SET name = CAST(name AS BLOB) WHERE id = 3"],
    "number as text": ["UPDATE account SET followers = 'many' WHERE id = 4"],
    "real in text": ["UPDATE account SET notes = 1.25 WHERE id = 5"],
    "picture added": ["UPDATE account SET qr_image = x'89504e47' WHERE id = 6"],
    "date written as a time": ["UPDATE filing SET filled_on = '2025-10-09T00:00' WHERE id = 1"],
    "time edited": ["UPDATE audit_event SET at = '2026-01-01 00:00:00.000000' WHERE id = 2"],
    "uuid shared": ["DROP INDEX IF EXISTS ix_account_uuid",
                    "UPDATE account SET uuid = (SELECT uuid FROM account WHERE id = 1) WHERE id = 2"],
    "uuid as a number": ["DROP INDEX IF EXISTS ix_account_uuid", "UPDATE account SET uuid = 12345 WHERE id = 3"],
    "bulk record deleted": [f"DELETE FROM account_role WHERE account_id = {FIRST_DEMO}",
                            f"DELETE FROM account WHERE id = {FIRST_DEMO}"],
    "hand records deleted": [f"DELETE FROM account_role WHERE account_id = {HAND}",
                             "DELETE FROM person WHERE name = '张三'"],
    "record inserted": ["INSERT INTO unit (name, kind, classified, uuid, created_at, updated_at, version) "
                        "VALUES ('凭空单位', 'other', 0, 'u-forged', '2026-01-01', '2026-01-01', 1)"],
    "deleted record back": ["INSERT INTO account (name, platform, status, uuid, created_at, updated_at, version) "
                            f"SELECT '回来', 'weibo', 'active', entity_uuid, '2026-01-01', '2026-01-01', 1 "
                            f"FROM audit_row WHERE event_id = {BULK2} AND digest IS NULL"],
    "lines of an event deleted": [f"DELETE FROM audit_row WHERE event_id = {BULK2}"],
    "one line deleted": ["DELETE FROM audit_row WHERE id = (SELECT min(id) FROM audit_row WHERE entity = 'person')"],
    "line moved to another event": ["UPDATE audit_row SET event_id = 1 WHERE id = (SELECT max(id) FROM audit_row)"],
    "line moved to no event": ["UPDATE audit_row SET event_id = 99999 WHERE id = (SELECT min(id) FROM audit_row)"],
    "lines reordered": ["UPDATE audit_row SET id = -id WHERE id IN (SELECT min(id) FROM audit_row)",
                        "UPDATE audit_row SET id = (SELECT max(id) + 1 FROM audit_row) WHERE id < 0"],
    "line key retyped": ["UPDATE audit_row SET entity_uuid = CAST(entity_uuid AS BLOB) "
                         "WHERE id = (SELECT min(id) FROM audit_row WHERE entity = 'unit')"],
    "line digest edited": [f"UPDATE audit_row SET digest = '{'f' * 64}' WHERE id = (SELECT min(id) FROM audit_row)"],
    "line digest emptied": ["UPDATE audit_row SET digest = NULL WHERE id = (SELECT min(id) FROM audit_row "
                            "WHERE entity = 'account')"],
    "line interleaved": ["UPDATE audit_row SET id = -1 WHERE id = (SELECT min(id) FROM audit_row WHERE entity = 'unit')",
                         "UPDATE audit_row SET id = (SELECT max(id) FROM audit_row WHERE entity = 'account') + 100000 "
                         "WHERE id = -1"],
    "event edited": ["UPDATE audit_event SET actor = '别人' WHERE id = 3"],
    "event deleted": ["DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event WHERE action = 'update')"],
    "event changes broken": ["UPDATE audit_event SET changes = '{broken' WHERE id = (SELECT max(id) FROM audit_event "
                             "WHERE action = 'create' AND entity = 'person')"],
    "bulk event gone": [f"DELETE FROM audit_event WHERE id = {BULK2}"],
    "demo event gone": [f"DELETE FROM audit_event WHERE id = {DEMO_EVENT}"],
    "log wiped": ["DELETE FROM audit_event", "DELETE FROM audit_row"],
    "lines table gone": ["DROP TABLE audit_row"],
    "not UTF-8": [f"UPDATE account SET intro = CAST(x'41ff42' AS TEXT) WHERE id = {FIRST_DEMO}"],
    "not UTF-8 in a line": ["UPDATE audit_row SET entity_uuid = CAST(x'ff' AS TEXT) WHERE id = 5"],
    "setting edited": ["UPDATE setting SET value = value || ' ' WHERE key = 'profile'"],
}


# the bulk digest is over the lines sorted: the order they are stored in is not part of it
UNSEEN = {"none", "lines reordered", "line interleaved"}


def _both(path: Path, factory, **kw):
    out = []
    for fn in (audit_reference.check, audit_verify.check):
        conn = sqlite3.connect(path)
        conn.text_factory = factory
        try:
            r = fn(conn, **kw)
            out.append((r.events, r.head, r.checked, r.problems))
        except (sqlite3.OperationalError, TypeError) as exc:  # (a bulk line's key retyped: both fail to sort)
            out.append(("error", type(exc).__name__, "decode" in str(exc)))
        finally:
            conn.close()
    return out


def _retyped_problem(path: Path) -> tuple[str, str] | None:
    """What the streaming check says of the line "line key retyped" stored as a BLOB, if the file has it."""
    conn = sqlite3.connect(path)
    try:
        found = conn.execute("SELECT id, event_id FROM audit_row WHERE typeof(entity_uuid) = 'blob'").fetchone()
    finally:
        conn.close()
    return None if found is None else ("audit_rows", f"审计明细第 {found[0]} 条（属于第 {found[1]} 条）存的不是文本：明细被改动")


FACTORIES = {"sqlite": str, "replace": lambda raw: raw.decode("utf-8", errors="replace")}


@pytest.mark.parametrize("factory", list(FACTORIES))
@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_the_streaming_check_finds_what_the_whole_history_check_found(original, tmp_path, name, factory):
    path = tmp_path / "t.db"
    shutil.copyfile(original, path)
    sql(path, *TAMPERINGS[name])
    reference, streaming = _both(path, FACTORIES[factory])
    if name == "line key retyped":  # the whole-history check failed with TypeError (内部错误); this one names the line
        assert reference == ("error", "TypeError", False)
        assert streaming[3] == [_retyped_problem(path)]
        return
    assert streaming == reference
    if name not in UNSEEN and reference[0] != "error":
        assert reference[3], "the tampering is found"
    short_ref, short = _both(path, FACTORIES[factory], max_listed=1, only_tables={"account", "unit"})
    assert short == short_ref


def test_several_tamperings_at_once(original, tmp_path):
    rng = random.Random(14)
    names = [n for n in TAMPERINGS if n not in ("none", "log wiped", "lines table gone")]
    for i in range(12):
        path = tmp_path / f"t{i}.db"
        shutil.copyfile(original, path)
        for name in rng.sample(names, 4):
            try:
                sql(path, *TAMPERINGS[name])
            except sqlite3.Error:
                pass  # (a tampering whose record another one removed)
        for factory in FACTORIES.values():
            reference, streaming = _both(path, factory)
            retyped = _retyped_problem(path)
            if retyped is not None and reference == ("error", "TypeError", False):
                assert retyped in streaming[3]  # (the whole-history check failed on it)
            else:
                assert streaming == reference


ODD_VALUES = [None, 0, 1, 2, -1, 2**63 - 1, 0.0, 1.0, 1.5, b"", b"\x01", "", "a", "中文\"\\\n", "0", "1", "true",
              "2026-11-20", "2026-02-30", "20261120", "0000-01-01", "0001-01-01", "2026-1-5", " 2026-11-20",
              "2026-11-20 10:00:00", "2026-11-20 10:00:00.000000", "2026-11-20 10:00:00.123456",
              "2026-11-20T10:00:00", "2026-11-20 24:00:00", "2026-11-20 10:00", "\x00", "\u2028"]


@pytest.mark.parametrize("table_name", ["account", "filing", "snapshot_source", "app_user", "office_holiday"])
def test_the_sql_row_json_is_the_python_canonical_json_wherever_it_is_not_marked(tmp_path, table_name):
    """Every column kind (text, number, boolean, date, time, picture, secret) with odd values."""
    table = Base.metadata.tables[table_name]
    names = [c.name for c in table.columns]
    conn = sqlite3.connect(tmp_path / "t.db")
    conn.execute(f'CREATE TABLE t ({", ".join(f"{chr(34)}{n}{chr(34)} {table.c[n].type.compile()}" for n in names)})')
    rng = random.Random(table_name)
    rows = [tuple(rng.choice(ODD_VALUES) for _ in names) for _ in range(3000)]
    rows += [tuple(ODD_VALUES[i % len(ODD_VALUES)] for _ in names) for i in range(len(ODD_VALUES))]
    conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' for _ in names)})", rows)
    as_json, odd = audit.row_json_sql(table, names)
    digest = audit.row_digester(table, names)
    plain = 0
    select = ", ".join(f'"{n}"' for n in names)
    for *raw, text in conn.execute(f"SELECT {select}, CASE WHEN {odd} THEN NULL ELSE CAST({as_json} AS BLOB) END "
                                   "FROM t"):
        if text is not None:
            plain += 1
            assert hashlib.sha256(audit.ROW_TAG + text).hexdigest() == digest(raw), raw
    assert plain > 0
    conn.close()


@pytest.mark.parametrize("batch", [1, 2, 7])
@pytest.mark.parametrize("name", ["none", "lines reordered", "line interleaved", "one line deleted",
                                  "line digest edited", "line moved to another event", "line key retyped"])
def test_the_lines_read_in_batches_are_judged_as_one(original, tmp_path, monkeypatch, name, batch):
    """An event's lines are hashed a batch at a time: a line out of order inside a batch, or
    between two, is found as when they were read one by one."""
    monkeypatch.setattr(audit_verify, "LINE_BATCH", batch)
    path = tmp_path / "t.db"
    shutil.copyfile(original, path)
    sql(path, *TAMPERINGS[name])
    reference, streaming = _both(path, str)
    if name == "line key retyped":
        assert streaming[3] == [_retyped_problem(path)]
    else:
        assert streaming == reference
