"""Real databases written by each released schema (tests/data/gzdesk-vN.db, made by the gzdesk of
that time with tests/data/make_old_dbs.py) open in today's gzdesk: upgraded with a backup, every
record kept, the file whole, ``gzdesk verify`` content, and the upgraded schema exactly that of a
new database.

The last point is what catches an edited old migration: a changed v001…v00N file changes what a
new database gets but not what the office's old file already has, so the two schemas differ."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from gzdesk.cli import main
from gzdesk.db import Database
from gzdesk.models import migrations

DATA = Path(__file__).resolve().parent / "data"
OLD_VERSIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9]


def _conn(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def schema(path: Path) -> dict[str, object]:
    """Everything that makes up the schema, read through SQLite's own description of it (so a table
    rebuilt or altered by a migration compares equal to one created in one statement)."""
    conn = _conn(path)
    try:
        out: dict[str, object] = {}
        for kind, name, table, sql in conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"):
            if kind == "table":
                out[f"table {name}"] = (
                    [tuple(r) for r in conn.execute(f"PRAGMA table_xinfo('{name}')")],
                    sorted(tuple(r[2:]) for r in conn.execute(f"PRAGMA foreign_key_list('{name}')")))
            elif kind == "index":
                columns = [tuple(r) for r in conn.execute(f"PRAGMA index_xinfo('{name}')")]
                out[f"index {name}"] = (table, columns, re.sub(r"\s+", " ", sql or "").strip())
            else:  # views and triggers: their text is all there is
                out[f"{kind} {name}"] = (table, re.sub(r"\s+", " ", sql or "").strip())
        return out
    finally:
        conn.close()


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by all its columns."""
    conn = _conn(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY {_every_column(conn, t)}').fetchall() for t in tables}
    finally:
        conn.close()


def _every_column(conn: sqlite3.Connection, table: str) -> str:
    """``1, 2, …, n``: rows ordered by all their columns, so that two rows alike in the first (two
    accounts of one name) come in the same order whichever index SQLite reads them through."""
    return ", ".join(str(i + 1) for i in range(len(conn.execute(f'PRAGMA table_info("{table}")').fetchall())))


def columns(path: Path) -> dict[str, list[str]]:
    conn = _conn(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%'")]
        return {t: [r[1] for r in conn.execute(f"PRAGMA table_info('{t}')")] for t in tables}
    finally:
        conn.close()


def new_database(tmp_path: Path, upto: int | None = None) -> Path:
    path = tmp_path / f"new-{upto or 'latest'}.db"
    migrations.migrate(path, upto=upto)
    return path


@pytest.fixture(params=OLD_VERSIONS, ids=[f"v{n}" for n in OLD_VERSIONS])
def old_file(request, tmp_path) -> tuple[int, Path]:
    """A copy of the committed file (the committed one is never opened for writing)."""
    version = request.param
    copy = tmp_path / f"office-v{version}.db"
    shutil.copyfile(DATA / f"gzdesk-v{version}.db", copy)
    return version, copy


def test_each_committed_file_is_what_its_schema_version_makes(old_file, tmp_path):
    """The old SQL files as they are today still build exactly the schema the old program wrote."""
    version, path = old_file
    conn = _conn(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert conn.execute("SELECT count(*) FROM account").fetchone()[0] >= 12, "realistic content"
    conn.close()
    assert schema(path) == schema(new_database(tmp_path, upto=version))


def test_old_file_upgrades_keeping_every_record(old_file, capsys):
    version, path = old_file
    before_rows, before_columns = rows(path), columns(path)

    db = Database(path)
    if version < migrations.LATEST_VERSION:
        assert db.upgraded_from == version
        assert db.backup_path is not None and rows(db.backup_path) == before_rows
    else:
        assert db.upgraded_from is None and db.backup_path is None
    db.close()

    after_columns = columns(path)
    conn = _conn(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, old_cols in before_columns.items():
            assert table in after_columns, f"table {table} dropped"
            assert set(old_cols) <= set(after_columns[table]), f"a column of {table} dropped"
            names = ", ".join(f'"{c}"' for c in old_cols)
            kept = conn.execute(f'SELECT {names} FROM "{table}" ORDER BY '
                                f'{", ".join(str(i + 1) for i in range(len(old_cols)))}').fetchall()
            if table == "audit_event" and version < 8:  # schema 8 chains the log and adds its baseline event
                added = kept[len(before_rows[table]):]
                kept = kept[:len(before_rows[table])]
                assert [r[old_cols.index("action")] for r in added] == ["baseline"]
            assert kept == before_rows[table], f"rows of {table} changed"
    finally:
        conn.close()

    capsys.readouterr()
    assert main(["verify", "--db", str(path)]) == 0
    assert "检查通过" in capsys.readouterr().out


def test_upgraded_old_file_has_the_schema_of_a_new_database(old_file, tmp_path):
    version, path = old_file
    Database(path, backup=False).close()
    assert schema(path) == schema(new_database(tmp_path))


def test_an_edited_old_migration_is_caught(monkeypatch, tmp_path):
    """The check above can fail: a column slipped into v001 after release makes new databases
    differ from upgraded old ones."""
    old = tmp_path / "old.db"
    shutil.copyfile(DATA / "gzdesk-v1.db", old)
    Database(old, backup=False).close()
    edited = migrations.MIGRATIONS[1].replace("CREATE TABLE unit (", "CREATE TABLE unit (\n\tcode VARCHAR(20),", 1)
    assert edited != migrations.MIGRATIONS[1]
    monkeypatch.setitem(migrations.MIGRATIONS, 1, edited)
    assert schema(old) != schema(new_database(tmp_path))


def test_a_file_whose_structure_does_not_match_its_version_is_named_in_one_line(tmp_path, capsys):
    """A schema-8 file that already has one of schema 9's indexes (made by another program, or a
    development build): the upgrade ended in 内部错误：OperationalError; it is one line now, naming
    the versions, and the file stays a whole schema-8 file."""
    import shutil
    import sqlite3

    from gzdesk.cli import main

    path = tmp_path / "edited.db"
    shutil.copyfile(DATA / "gzdesk-v8.db", path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE INDEX ix_filing_origin ON filing (origin)")
    conn.commit()
    conn.close()
    assert main(["accounts", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "内部错误" not in err
    assert "无法从结构第 8 版升级到第 9 版" in err and "升级前的副本" in err
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 8
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
