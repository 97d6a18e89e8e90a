"""Snapshots the city can trust: each office's Ed25519 key, pinned on the first merge; intercepted copies refused."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from gzdesk import demo, registry, signing, users
from gzdesk.cli import main
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.exchange import trust
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.merge import MERGED, OLDER, merge_snapshots
from gzdesk.exchange.snapshot import export_snapshot, inspect_snapshot
from gzdesk.models import Account, ApprovalStep, AuditEvent, Filing, SigningKey, SnapshotSource


@pytest.fixture
def county(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    demo.generate(db, 15, seed=9, today=date(2026, 11, 20))
    return db


@pytest.fixture
def city(make_db):
    return make_db("nantong", unit="南通市人民政府办公室", name="city.db")


def _county_accounts(city) -> set[str]:
    with city.reader() as s:
        return set(s.scalars(select(Account.name).where(Account.origin == "海门区人民政府办公室")))


def _private_key(db) -> str:
    with db.reader() as s:
        return s.scalars(select(SigningKey.private_key)).one()


def _add_account(db, name: str) -> None:
    with db.transaction() as s:
        registry.save_account(s, registry.AccountData(name=name))


def test_init_makes_a_key_that_never_leaves_the_database(county, tmp_path):
    private = _private_key(county)
    with county.reader() as s:
        public = signing.office_key(s).public_key
        log = "\n".join(c or "" for c in s.scalars(select(AuditEvent.changes)))
    assert len(bytes.fromhex(private)) == 32 and private not in log and '"$secret"' in log
    snap = export_snapshot(county.path, tmp_path / "c.gzsnap")
    raw = (tmp_path / "c.gzsnap").read_bytes()
    assert private.encode() not in raw and bytes.fromhex(private) not in raw
    assert snap.manifest.public_key == public and snap.manifest.signature
    conn = sqlite3.connect(tmp_path / "c.gzsnap")
    assert conn.execute("SELECT count(*) FROM signing_key").fetchone()[0] == 0
    conn.close()
    with county.reader() as s:
        export_workbook(s, tmp_path / "c.xlsx")
    book = openpyxl.load_workbook(tmp_path / "c.xlsx", read_only=True)
    cells = "".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert private not in cells and public not in cells


def test_the_first_merge_pins_the_key_and_shows_its_fingerprint(county, city, tmp_path, capsys):
    snap = export_snapshot(county.path, tmp_path / "c.gzsnap")
    fingerprint = signing.fingerprint(snap.manifest.public_key)
    assert len(fingerprint) == 24 and fingerprint.replace(" ", "").isdigit()
    report = merge_snapshots(city, [snap.path])[0]
    assert report.status == MERGED and report.signature.fingerprint == fingerprint
    assert f"首次登记该来源的签名公钥，指纹 {fingerprint}：请与该单位电话核对" in report.text()
    with city.reader() as s:
        assert s.scalars(select(SnapshotSource.public_key)).one() == snap.manifest.public_key
    assert main(["snapshot", "key", "--db", str(county.path)]) == 0
    assert fingerprint in capsys.readouterr().out
    assert main(["snapshot", "sources", "--db", str(city.path)]) == 0
    assert fingerprint in capsys.readouterr().out


def test_an_unsigned_or_foreign_signed_snapshot_of_a_known_county_is_refused(county, city, tmp_path, monkeypatch):
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "1.gzsnap").path])
    before = _county_accounts(city)
    _add_account(county, "海门新号")
    with monkeypatch.context() as m:  # as an older program would export it
        m.setattr(trust, "copy_key", lambda conn: None)
        unsigned = export_snapshot(county.path, tmp_path / "2.gzsnap")
    assert unsigned.manifest.signature is None
    with pytest.raises(UserError, match="已登记签名公钥（指纹 .*），快照“2.gzsnap”却没有签名"):
        merge_snapshots(city, [unsigned.path])
    # someone with a copy of the county's database but another key (or the county, rebuilt)
    other = tmp_path / "other.db"
    shutil.copyfile(county.path, other)
    odb = Database(other)
    with odb.transaction() as s:
        s.delete(signing.office_key(s))
        s.flush()
        signing.ensure_key(s)
    odb.close()
    foreign = export_snapshot(other, tmp_path / "3.gzsnap")
    with pytest.raises(UserError, match="由另一把密钥签名.*可能是冒充，已拒绝合并.*gzdesk snapshot repin"):
        merge_snapshots(city, [foreign.path])
    assert _county_accounts(city) == before
    # re-pinning is a 管理员's action, in the audit log; then the new key's snapshots merge
    with city.transaction() as s:
        users.add_user(s, "市管理员", "管理员", "city-admin-1")
    city.login("市管理员", "city-admin-1")
    with city.transaction() as s:
        users.add_user(s, "市经办", "经办人", "city-clerk-1")
    clerk = Database(city.path)
    clerk.login("市经办", "city-clerk-1")
    with pytest.raises(UserError, match="经办人“市经办”无权管理来源单位的签名公钥"), clerk.transaction() as s:
        trust.repin_from_file(s, foreign.path)
    with pytest.raises(UserError, match="无权管理来源单位的签名公钥"), clerk.transaction() as s:
        s.scalars(select(SnapshotSource)).one().public_key = foreign.manifest.public_key
        s.flush()  # the flush backstop, past the domain function
    clerk.close()
    with city.transaction() as s:
        done = trust.repin_from_file(s, foreign.path)
    new = done.new
    assert new == signing.fingerprint(foreign.manifest.public_key) and done.old != new and not done.rebuilt
    with city.reader() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "repin")).one()
        assert event.actor == "市管理员" and new in event.summary
    assert merge_snapshots(city, [foreign.path])[0].status == MERGED
    assert "海门新号" in _county_accounts(city)


def test_an_intercepted_snapshot_emptied_and_re_exported_is_refused(county, city, tmp_path, capsys):
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "1.gzsnap").path])
    before = _county_accounts(city)
    assert "海门新号" not in before and len(before) > 5
    _add_account(county, "海门新号")
    intercepted = export_snapshot(county.path, tmp_path / "2.gzsnap").path
    # 1. opened as a database, emptied with sqlite3, re-exported with gzdesk
    copy = tmp_path / "intercepted.db"
    shutil.copyfile(intercepted, copy)
    conn = sqlite3.connect(copy)
    conn.executescript("PRAGMA foreign_keys = OFF; DELETE FROM approval_step; DELETE FROM filing; "
                       "DELETE FROM account_role; DELETE FROM account; DROP TABLE snapshot_manifest;")
    conn.close()
    code = main(["snapshot", "export", str(tmp_path / "evil1.gzsnap"), "--db", str(copy)])
    assert code == 1 and "审计日志校验未通过" in capsys.readouterr().err
    # 2. emptied through gzdesk itself (so the log is consistent), then re-exported: another key
    copy2 = tmp_path / "intercepted2.db"
    shutil.copyfile(intercepted, copy2)
    conn = sqlite3.connect(copy2)
    conn.execute("DROP TABLE snapshot_manifest")
    conn.commit()
    conn.close()
    evil = Database(copy2)  # a snapshot has no users: gzdesk opens it without a login
    with evil.transaction() as s:
        for row in list(s.scalars(select(ApprovalStep))) + list(s.scalars(select(Filing))):
            s.delete(row)
        s.flush()
        for a in s.scalars(select(Account)):
            s.delete(a)
    evil.close()
    assert main(["verify", "--db", str(copy2)]) == 1  # every deletion is in its log; the key never was there
    assert "签名密钥" in capsys.readouterr().out
    assert main(["snapshot", "export", str(tmp_path / "evil2.gzsnap"), "--db", str(copy2)]) == 0
    capsys.readouterr()
    code = main(["snapshot", "merge", str(tmp_path / "evil2.gzsnap"), "--db", str(city.path)])
    err = capsys.readouterr().err
    assert code == 1 and "由另一把密钥签名" in err and len(err.strip().splitlines()) == 1
    # 3. the snapshot itself edited and its hashes recomputed by hand: the signature no longer fits
    from gzdesk.exchange import snapshot as snapshot_module

    forged = tmp_path / "forged.gzsnap"
    shutil.copyfile(intercepted, forged)
    conn = sqlite3.connect(forged)
    conn.execute("UPDATE account SET name = '冒名' WHERE name = '海门新号'")
    m = snapshot_module.read_manifest(conn, "forged")
    digest = snapshot_module.content_digest(conn, m.fields())
    conn.execute(f"UPDATE {snapshot_module.MANIFEST_TABLE} SET sha256 = ?, seal = ?",
                 (digest, (snapshot_module.SEAL_PREFIX + snapshot_module.SEAL_ZEROS).decode()))
    conn.commit()
    conn.close()
    snapshot_module._write_seal(forged)
    with pytest.raises(UserError, match="签名与其内容不符"):
        merge_snapshots(city, [forged])
    assert _county_accounts(city) == before  # the county's records are all still here
    # the real one merges
    assert merge_snapshots(city, [intercepted])[0].status == MERGED
    assert "海门新号" in _county_accounts(city)


def test_a_new_database_under_a_known_countys_name_cannot_empty_it(county, city, make_db, tmp_path, capsys,
                                                                   monkeypatch):
    """Anyone can ``gzdesk init`` a database with the county's name: it has another unit uuid and its
    own key, so it looked like a new source — its first (empty) snapshot pinned its key and deleted
    every record of the real county at the city (they share the origin name)."""
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "1.gzsnap").path])
    before = _county_accounts(city)
    assert len(before) > 5
    impostor = make_db("nantong", unit="海门区人民政府办公室", name="impostor.db")
    fake = export_snapshot(impostor.path, tmp_path / "fake.gzsnap").path
    code = main(["snapshot", "merge", str(fake), "--db", str(city.path)])
    err = capsys.readouterr().err
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert "另一个同名的数据库" in err and "snapshot repin" in err
    assert _county_accounts(city) == before
    with city.reader() as s:
        assert len(s.scalars(select(SnapshotSource)).all()) == 1
        county_key = s.scalars(select(SnapshotSource)).one().public_key
    # a county that really rebuilt its database: the 管理员 checks the new fingerprint by phone, repins
    seen: list[trust.Repinned] = []
    real_repin = trust.repin
    monkeypatch.setattr(trust, "repin", lambda *a: seen.append(real_repin(*a)) or seen[-1])
    assert main(["snapshot", "repin", str(fake), "--db", str(city.path)]) == 0
    assert "，该单位重建的数据库 → " in capsys.readouterr().out  # the CLI says it; the domain returns data
    assert seen[0].rebuilt and seen[0].old == signing.fingerprint(county_key) and "重建" not in seen[0].old
    assert main(["snapshot", "merge", str(fake), "--db", str(city.path)]) == 0
    assert _county_accounts(city) == set()  # the rebuilt county keeps no accounts yet: the city mirrors it
    with city.reader() as s:
        sources = s.scalars(select(SnapshotSource)).all()
        assert len(sources) == 1 and sources[0].public_key == signing_key_of(impostor)


def signing_key_of(db) -> str:
    with db.reader() as s:
        return s.scalars(select(SigningKey.public_key)).one()


def test_a_snapshot_dated_in_the_future_is_refused_and_a_bad_time_can_be_reset(county, city, tmp_path,
                                                                               monkeypatch, capsys):
    future = export_snapshot(county.path, tmp_path / "f.gzsnap", now=datetime.now() + timedelta(days=300))
    with pytest.raises(UserError, match="晚于本机当前时间：导出它的电脑时钟可能不准"):
        merge_snapshots(city, [future.path])
    # merged before this check existed: every later snapshot looks older…
    with monkeypatch.context() as m:
        m.setattr(trust, "CLOCK_TOLERANCE", timedelta(days=400))
        merge_snapshots(city, [future.path])
    _add_account(county, "海门新号")
    now = export_snapshot(county.path, tmp_path / "n.gzsnap")
    assert merge_snapshots(city, [now.path])[0].status == OLDER
    # …until a 管理员 resets the time (audited)
    assert main(["snapshot", "sources", "--reset-time", "海门区人民政府办公室", "--db", str(city.path)]) == 0
    assert "已把来源“海门区人民政府办公室”的最近快照时间" in capsys.readouterr().out
    assert merge_snapshots(city, [now.path])[0].status == MERGED
    with city.reader() as s:
        assert s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "reset_source")).one() == \
            "重置来源“海门区人民政府办公室”的最近快照时间"


def test_a_county_restored_from_a_backup_is_refused_until_its_history_is_reset(county, city, tmp_path, capsys):
    from gzdesk.backup import backup_database, restore_database

    saved = backup_database(county.path, tmp_path / "bk")
    _add_account(county, "海门新号")
    merge_snapshots(city, [export_snapshot(county.path, tmp_path / "1.gzsnap").path])
    restore_database(county.path, saved, actor="县管理员")
    second = export_snapshot(county.path, tmp_path / "2.gzsnap")
    with pytest.raises(UserError, match="历史被删除或改写.*--reset-history"):
        merge_snapshots(city, [second.path])
    assert main(["snapshot", "sources", "--reset-history", "海门区人民政府办公室", "--db", str(city.path)]) == 0
    capsys.readouterr()
    assert merge_snapshots(city, [second.path])[0].status == MERGED
    assert "海门新号" not in _county_accounts(city)
    with county.reader() as s:  # the restore is on record in the county's log
        restore = s.scalars(select(AuditEvent).where(AuditEvent.action == "restore")).one()
        assert restore.actor == "县管理员" and saved.name in restore.summary


def test_inspect_says_what_was_verified_and_what_not(county, city, tmp_path, capsys, monkeypatch):
    snap = export_snapshot(county.path, tmp_path / "c.gzsnap")
    assert main(["snapshot", "inspect", str(snap.path)]) == 0
    out = capsys.readouterr().out
    assert "已核对：签名有效" in out and "已核对：审计日志" in out
    assert "不能证明来源" in out and "未核对：未与本库登记的来源比对" in out and "未核对：快照所载内容是否属实" in out
    merge_snapshots(city, [snap.path])
    assert main(["snapshot", "inspect", str(snap.path), "--db", str(city.path)]) == 0
    assert "已核对：签名公钥与本库登记的一致" in capsys.readouterr().out
    with monkeypatch.context() as m:
        m.setattr(trust, "copy_key", lambda conn: None)
        unsigned = export_snapshot(county.path, tmp_path / "u.gzsnap")
    assert main(["snapshot", "inspect", str(unsigned.path), "--db", str(city.path)]) == 1
    out = capsys.readouterr().out
    assert "未核对：未签名" in out and "未通过：签名公钥与本库登记的" in out
    assert inspect_snapshot(unsigned.path).manifest.signature is None


@pytest.mark.parametrize("name", ["x" * 100000, "海门区\n错误：伪造的第二行", " "])
def test_a_manifest_with_an_impossible_source_name_is_refused_in_one_line(county, city, tmp_path, capsys, name):
    """Found by scripts/fuzz_snapshots.py: a source name of 100,000 characters (re-sealed, as anyone
    holding the file can) was printed into the refusal, which was no longer one line."""
    import json as json_module

    from gzdesk.exchange import snapshot as snapshot_module

    path = export_snapshot(county.path, tmp_path / "1.gzsnap").path
    conn = sqlite3.connect(path)
    data = json_module.loads(conn.execute("SELECT manifest FROM snapshot_manifest").fetchone()[0])
    data["source_name"] = name
    conn.execute("UPDATE snapshot_manifest SET manifest = ?", (json_module.dumps(data, ensure_ascii=False),))
    conn.commit()
    conn.close()
    snapshot_module.reseal(path)
    code = main(["snapshot", "merge", str(path), "--db", str(city.path)])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("错误：") and err.count("\n") == 1 and "清单已损坏" in err, err[:300]
    assert _county_accounts(city) == set()
