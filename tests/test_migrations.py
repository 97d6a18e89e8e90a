"""Schema versions: a fresh database matches the ORM, old ones upgrade with a backup, new ones are refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.models import Base, Unit, migrations


def _schema(path: Path) -> dict[str, dict[str, tuple[str, bool]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        return {t: {r[1]: (r[2].upper(), bool(r[3])) for r in conn.execute(f"PRAGMA table_info('{t}')")}
                for t in tables}
    finally:
        conn.close()


def test_fresh_database_matches_the_orm(tmp_path):
    db = Database(tmp_path / "fresh.db")
    db.close()
    migrated = _schema(tmp_path / "fresh.db")
    assert set(migrated) == set(Base.metadata.tables), "every ORM table and only those"
    engine_dialect = db.engine.dialect
    for name, table in Base.metadata.tables.items():
        cols = migrated[name]
        assert set(cols) == {c.name for c in table.columns}, name
        for col in table.columns:
            sql_type, notnull = cols[col.name]
            assert sql_type == col.type.compile(dialect=engine_dialect).upper(), (name, col.name)
            assert notnull == (not col.nullable), (name, col.name)
    conn = sqlite3.connect(tmp_path / "fresh.db")
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")}
    conn.close()
    orm_indexes = {ix.name for t in Base.metadata.tables.values() for ix in t.indexes}
    assert orm_indexes <= indexes


def test_versions_are_numbered_without_gaps():
    assert list(migrations.MIGRATIONS) == list(range(1, migrations.LATEST_VERSION + 1))


def test_upgrade_from_the_first_schema_keeps_data_and_makes_a_backup(tmp_path):
    path = tmp_path / "old.db"
    migrations.migrate(path, upto=1)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("INSERT INTO unit (name, kind, classified, uuid, created_at, updated_at) "
                 "VALUES ('旧单位', 'department', 0, 'u-1', '2024-01-01 00:00:00', '2024-01-01 00:00:00')")
    conn.commit()
    conn.close()

    db = Database(path)
    assert db.upgraded_from == 1
    assert db.backup_path is not None and db.backup_path.exists()
    with db.reader() as s:
        assert [u.name for u in s.scalars(select(Unit))] == ["旧单位"]
        assert "office_holiday" in inspect(s.bind).get_table_names()
    db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    conn.close()
    backup = sqlite3.connect(db.backup_path)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT name FROM unit").fetchall() == [("旧单位",)]
    backup.close()


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    Database(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(UserError, match="较新版本"):
        Database(path)
    assert path.read_bytes() == before


def test_files_that_are_not_gzdesk_databases_are_refused(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(UserError, match="不是 SQLite"):
        Database(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="不是 gzdesk"):
        Database(other)


def test_database_runs_in_wal_mode_with_foreign_keys(db):
    with db.reader() as s:
        assert s.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert s.connection().exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_schema_4_rebuilds_filing_keeping_rows_and_references(tmp_path):
    """Filing numbers become unique per origin; ids, steps and merge links survive the rebuild."""
    path = tmp_path / "v3.db"
    migrations.migrate(path, upto=3)
    conn = sqlite3.connect(path)
    stamp = "'2025-01-01 00:00:00'"
    conn.execute(f"INSERT INTO account (id, name, platform, status, uuid, created_at, updated_at) "
                 f"VALUES (1, '海门发布', 'weibo', 'normal', 'a-1', {stamp}, {stamp})")
    for fid, parent in ((1, "NULL"), (2, "1")):
        conn.execute(f"INSERT INTO filing (id, number, account_id, kind, state, merge_parent_id, uuid, created_at,"
                     f" updated_at) VALUES ({fid}, '2025-0000{fid}', 1, 'merge', 'filed', {parent}, 'f-{fid}',"
                     f" {stamp}, {stamp})")
    conn.execute(f"INSERT INTO approval_step (id, filing_id, seq, title, result, uuid, created_at, updated_at) "
                 f"VALUES (1, 2, 1, '主办单位意见', 'approved', 's-1', {stamp}, {stamp})")
    conn.commit()
    conn.close()
    Database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT id, number, merge_parent_id FROM filing ORDER BY id").fetchall() == [
        (1, "2025-00001", None), (2, "2025-00002", 1)]
    # the same number from another county is allowed; twice in one origin is not
    conn.execute(f"INSERT INTO filing (number, kind, state, uuid, origin, created_at, updated_at) "
                 f"VALUES ('2025-00001', 'open', 'filed', 'f-3', '启东市人民政府办公室', {stamp}, {stamp})")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(f"INSERT INTO filing (number, kind, state, uuid, created_at, updated_at) "
                     f"VALUES ('2025-00001', 'open', 'filed', 'f-4', {stamp}, {stamp})")
    conn.close()
