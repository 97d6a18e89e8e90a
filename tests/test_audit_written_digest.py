"""``record_bulk`` takes a row's digest from the values the caller wrote, where it has them,
and that digest is the one it would have read back: compared both ways, on rows of every column
kind written with the values a bulk write hands to its insert."""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import date, datetime

from sqlalchemy import insert

from gzdesk import audit, audit_verify, enums
from gzdesk.models import Base

TEXTS = ["通州发布", "a\"b\\c", "", " ", "中文\n第二行", "\u2028", "x" * 300, None]


def _accounts(rng: random.Random, n: int, unit_id: int) -> list[dict]:
    rows = []
    for i in range(n):
        rows.append({"id": 1000 + i,
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "name": rng.choice(TEXTS[:-1]) or "名",
            "handle": rng.choice(TEXTS), "platform": rng.choice(list(enums.Platform)), "platform_other": None,
            "registered_on": rng.choice([date(2025, 9, 30), date(2001, 1, 1), None, date(2024, 2, 29)]),
            "followers": rng.choice([0, 1, 2**40, None]), "followers_on": rng.choice([date(2026, 11, 20), None]),
            "status": rng.choice(list(enums.AccountStatus)), "verified": rng.choice([True, False, None]),
            "verification_names_host": rng.choice([True, False, None]), "news_license": rng.choice([1, 0, None]),
            "supervisor_unit_id": unit_id, "supervisor_leader": rng.choice(TEXTS), "supervisor_phone": "13800001111",
            "host_unit_id": unit_id, "host_leader": None, "host_phone": None, "operator_unit_id": None,
            "operator_leader": None, "operator_phone": None, "url": "https://example.org/a?b=1",
            "qr_image": rng.choice([None, b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(30))]),
            "intro": rng.choice(TEXTS), "last_update_on": None, "last_original_on": None, "tags": None,
            "notes": rng.choice(TEXTS), "origin": rng.choice([None, "某县"]), "unusable_since": None,
            "name_consent_on": None, "name_consent_ref": None,
            "created_at": datetime(2026, 11, 20, 9, 30, 15, 123456), "updated_at": datetime(2026, 11, 20, 9, 30),
        })
    return rows


def test_digests_from_the_values_written_are_the_digests_read_back(db):
    rng = random.Random(18)
    table = Base.metadata.tables["account"]
    with db.transaction() as s:
        unit_id = s.connection().exec_driver_sql("SELECT id FROM unit LIMIT 1").scalar()
        rows = _accounts(rng, 300, unit_id)
        s.execute(insert(table), rows)
        read_back = audit._digests(s.connection(), table, [r["uuid"] for r in rows])
        in_hand = {r["uuid"]: audit.written_digest(table, r) for r in rows}
        s.rollback()
    assert None not in in_hand.values()
    assert in_hand == read_back


def test_values_stored_as_another_type_are_read_back():
    table = Base.metadata.tables["account"]
    row = _accounts(random.Random(1), 1, 1)[0]
    assert audit.written_digest(table, row) is not None
    for column, value in (("name", 5), ("followers", True), ("followers", 1.0), ("registered_on", datetime(2026, 1, 1))):
        assert audit.written_digest(table, dict(row, **{column: value})) is None, column
    for column in ("status", "id"):  # left to its default, to SQLite
        assert audit.written_digest(table, {k: v for k, v in row.items() if k != column}) is None, column


def _bulk_lines(db, rows, with_values: bool) -> list[tuple]:
    table = Base.metadata.tables["account"]
    with db.transaction() as s:
        s.execute(insert(table), rows)
        audit.note_rows(s, "account", [r["uuid"] for r in rows], rows=rows if with_values else None)
        audit.note_rows(s, "account", ["00000000-0000-4000-8000-000000000009"], deleted=True)
        eid = audit.record_bulk(s, "import", "account", summary="测试")
    conn = sqlite3.connect(db.path)
    try:
        lines = conn.execute("SELECT entity, entity_uuid, digest FROM audit_row WHERE event_id = ? ORDER BY id",
                             (eid,)).fetchall()
        changes = conn.execute("SELECT changes FROM audit_event WHERE id = ?", (eid,)).fetchone()[0]
        assert audit_verify.check(conn).ok
    finally:
        conn.close()
    return [lines, changes]


def test_record_bulk_writes_the_same_lines_either_way(make_db):
    rows = _accounts(random.Random(7), 200, 1)
    read_back = _bulk_lines(make_db(name="a.db"), rows, with_values=False)
    from_values = _bulk_lines(make_db(name="b.db"), rows, with_values=True)
    assert from_values == read_back
    assert len(read_back[0]) == 201


def test_record_bulk_takes_digests_it_is_given(make_db, monkeypatch):
    db = make_db(name="c.db")
    table = Base.metadata.tables["account"]
    rows = _accounts(random.Random(3), 20, 1)
    read: list[int] = []
    real = audit._digests
    monkeypatch.setattr(audit, "_digests", lambda conn, t, keys: read.append(len(keys)) or real(conn, t, keys))
    with db.transaction() as s:
        s.execute(insert(table), rows)
        audit.note_rows(s, "account", [r["uuid"] for r in rows])
        audit.record_bulk(s, "import", "account", digests={"account": {
            r["uuid"]: audit.written_digest(table, r) for r in rows[:15]}})
    assert read == [5]  # only the five rows without a digest were read back
    conn = sqlite3.connect(db.path)
    try:
        assert audit_verify.check(conn).ok
    finally:
        conn.close()
