"""gzdesk backup / restore / verify: copies, restoring one, and the check of the file and audit log."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from gzdesk import demo, registry
from gzdesk.backup import (
    backup_database,
    backups_dir,
    list_backups,
    restore_database,
    verify_database,
)
from gzdesk.cli import main
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.exchange.snapshot import export_snapshot
from gzdesk.models import Account, migrations


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def account_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM account").fetchone()[0]
    finally:
        conn.close()


def account_names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM account")}
    finally:
        conn.close()


@pytest.fixture
def filled(db):
    demo.generate(db, 30, seed=3, today=date(2026, 11, 20))
    return db


def test_backup_is_a_consistent_copy_and_old_ones_are_pruned(filled, tmp_path):
    with filled.transaction() as s:  # a write is open while the copy is made: it is not in the copy
        s.add(Account(name="未提交", platform="weibo"))
        s.flush()
        first = backup_database(filled.path, now=datetime(2026, 11, 1, 9, 0, 0))
    assert first.parent == backups_dir(filled.path) and first.name == "office-20261101-090000.db"
    assert integrity(first) == "ok"
    assert account_count(first) == 30 and "未提交" not in account_names(first)
    for day in range(2, 6):
        backup_database(filled.path, keep=3, now=datetime(2026, 11, day, 9, 0, 0))
    kept = list_backups(backups_dir(filled.path), "office")
    assert [p.name for p in kept] == ["office-20261105-090000.db", "office-20261104-090000.db",
                                      "office-20261103-090000.db"]
    other = backup_database(filled.path, to_dir=tmp_path / "u盘")
    assert other.parent == tmp_path / "u盘" and integrity(other) == "ok"


def test_backup_restore_round_trip(filled):
    saved = backup_database(filled.path)
    with filled.transaction() as s:
        registry.save_account(s, registry.AccountData(name="备份之后新建的号", platform="douyin"))
    assert "备份之后新建的号" in account_names(filled.path)

    result = restore_database(filled.path, saved)
    assert "备份之后新建的号" not in account_names(filled.path)
    assert account_count(filled.path) == 30
    # the database as it was before the restore is kept
    assert "备份之后新建的号" in account_names(result.safety_copy)
    assert integrity(filled.path) == "ok"
    # the open Database sees the restored data
    with filled.reader() as s:
        assert "备份之后新建的号" not in set(s.scalars(select(Account.name)))
    assert verify_database(filled.path).ok


def test_restore_refuses_bad_files(filled, tmp_path):
    before = account_names(filled.path)
    newer = backup_database(filled.path)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="校验值不符"):  # changed after the backup: its checksum says so
        restore_database(filled.path, newer)
    Path(f"{newer}.sha256").unlink()  # (a file without a checksum is judged on its own)
    with pytest.raises(UserError, match="较新版本"):
        restore_database(filled.path, newer)
    text = tmp_path / "x.db"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(UserError, match="不是 SQLite"):
        restore_database(filled.path, text)
    snap = export_snapshot(filled.path, tmp_path / "s.gzsnap").path
    with pytest.raises(UserError, match="上报快照"):
        restore_database(filled.path, snap)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UserError, match="不是 gzdesk 数据库"):
        restore_database(filled.path, other)
    assert account_names(filled.path) == before


def test_verify_passes_on_a_fresh_and_a_demo_database(db, filled):
    report = verify_database(filled.path)
    assert report.ok, report.problems
    assert report.checked["account"] == 30 and report.schema_version == migrations.LATEST_VERSION
    assert "检查通过" in "\n".join(report.lines())


def _sql(path: Path, statement: str, *params) -> None:
    conn = sqlite3.connect(path)
    conn.execute(statement, params)
    conn.commit()
    conn.close()


@pytest.fixture
def clerk_db(db):
    """Accounts made by hand: each has its own 'create' audit event."""
    with db.transaction() as s:
        for name in ("海门发布", "海门教育", "海门卫健"):
            registry.save_account(s, registry.AccountData(name=name, platform="wechat_subscription"))
    assert verify_database(db.path).ok
    return db


def test_verify_finds_a_deleted_create_event(clerk_db):
    with clerk_db.reader() as s:
        uuid = s.scalars(select(Account.uuid).where(Account.name == "海门教育")).one()
    _sql(clerk_db.path, "DELETE FROM audit_event WHERE entity_uuid = ? AND action = 'create'", uuid)
    report = verify_database(clerk_db.path)
    assert not report.ok
    # the chain breaks after the deleted event, and the account has no creation event left
    assert [p.kind for p in report.problems] == ["audit_chain", "audit_record"]
    assert "链接不符" in report.problems[0].message
    assert "海门教育" in report.problems[1].message and "没有创建" in report.problems[1].message
    assert not any("海门发布" in p.message for p in report.problems)


def test_verify_finds_a_changed_event_time(clerk_db):
    _sql(clerk_db.path, "UPDATE audit_event SET at = '2020-01-01 00:00:00' "
                        "WHERE id = (SELECT max(id) FROM audit_event)")
    report = verify_database(clerk_db.path)
    assert [p.kind for p in report.problems] == ["audit_chain"]
    last = max(report.head[0], 1)
    assert f"第 {last} 条" in report.problems[0].message and "被改动" in report.problems[0].message


def test_verify_finds_broken_json(clerk_db):
    _sql(clerk_db.path, "UPDATE audit_event SET changes = '{\"name\": [null, ' WHERE id = 2")
    report = verify_database(clerk_db.path)
    assert report.problems[0].kind == "audit_chain"
    assert "第 2 条" in report.problems[0].message


def test_verify_finds_a_dangling_reference(clerk_db):
    _sql(clerk_db.path, "PRAGMA foreign_keys = OFF")
    conn = sqlite3.connect(clerk_db.path)
    conn.execute("UPDATE account SET host_unit_id = 9999 WHERE name = '海门发布'")
    conn.commit()
    conn.close()
    report = verify_database(clerk_db.path)
    assert "foreign_key" in [p.kind for p in report.problems]


def test_verify_accepts_merged_records(make_db, tmp_path):
    county = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(county, 10, seed=5, today=date(2026, 11, 20))
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    from gzdesk.exchange.merge import merge_snapshots

    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "c.gzsnap").path])
    assert verify_database(city.path).ok


# --------------------------------------------------------------------------- command line


def test_cli_backup_restore_verify(filled, capsys, tmp_path):
    path = str(filled.path)
    assert main(["backup", "--db", path, "--to", str(tmp_path / "bk")]) == 0
    out = capsys.readouterr().out
    assert "已备份到" in out
    saved = next((tmp_path / "bk").glob("office-*.db"))
    assert main(["backup", "--db", path, "--json"]) == 0
    assert '"path"' in capsys.readouterr().out
    assert main(["verify", "--db", path]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert main(["restore", "--db", path, str(saved)]) == 0
    assert "已从" in capsys.readouterr().out

    _sql(filled.path, "UPDATE audit_event SET changes = 'not json' WHERE id = 1")
    assert main(["verify", "--db", path]) == 1
    out = capsys.readouterr().out
    assert "审计日志第 1 条" in out and "被改动" in out
    assert main(["verify", "--db", path, "--json"]) == 1
    assert '"ok": false' in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["restore", "{missing}"],
    ["restore", "{text}"],
    ["verify", "--db", "{missing}"],
    ["backup", "--db", "{missing}"],
    ["backup", "--keep", "-1"],
])
def test_cli_errors_are_one_line(filled, capsys, tmp_path, argv):
    text = tmp_path / "t.txt"
    text.write_text("x", encoding="utf-8")
    argv = [a.format(missing=tmp_path / "nope.db", text=text) for a in argv]
    if "--db" not in argv:
        argv += ["--db", str(filled.path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and err.count("\n") == 1, err


def test_restore_upgrades_an_older_backup(tmp_path):
    old = tmp_path / "old.db"
    migrations.migrate(old, upto=2)
    _sql(old, "INSERT INTO setting VALUES ('office_unit_id', '1')")
    current = tmp_path / "cur.db"
    Database(current).close()
    result = restore_database(current, old)
    assert result.schema_version == 2 and result.upgraded_to == migrations.LATEST_VERSION
    conn = sqlite3.connect(current)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    conn.close()
