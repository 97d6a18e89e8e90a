"""The city and a county's history: the audit log travels, and a rewritten history is refused at the next 上报."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from gzdesk import audit, demo, registry
from gzdesk.backup import verify_database
from gzdesk.errors import UserError
from gzdesk.exchange.merge import MERGED, merge_snapshots
from gzdesk.exchange.snapshot import export_snapshot
from gzdesk.models import Account, SnapshotSource


@pytest.fixture
def county(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    demo.generate(db, 20, seed=4, today=date(2026, 11, 20))
    with db.transaction() as s:
        registry.save_account(s, registry.AccountData(name="海门发布"))
    return db


@pytest.fixture
def city(make_db):
    return make_db("nantong", unit="南通市人民政府办公室", name="city.db")


def _accounts(db) -> set[str]:
    with db.reader() as s:
        return set(s.scalars(select(Account.name).where(Account.origin.is_not(None))))


def _rename(db, old: str, new: str) -> None:
    with db.transaction() as s:
        aid = s.scalars(select(Account.id).where(Account.name == old)).one()
        data = registry.get_account(s, aid)
        data.name = new
        registry.save_account(s, data)


def _rewrite_history(path, event_id: int, field: str, value) -> None:
    """What someone with the county's file could do: change an old event and recompute the chain."""
    conn = sqlite3.connect(path)
    changes = json.loads(conn.execute("SELECT changes FROM audit_event WHERE id = ?", (event_id,)).fetchone()[0])
    changes[field][1] = value
    conn.execute("UPDATE audit_event SET changes = ? WHERE id = ?", (json.dumps(changes, ensure_ascii=False), event_id))
    prev = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (event_id - 1,)).fetchone()[0]
    for row in conn.execute("SELECT id, at, actor, action, entity, entity_uuid, summary, changes FROM audit_event "
                            "WHERE id >= ? ORDER BY id", (event_id,)).fetchall():
        digest = audit.event_hash(prev, *row)
        conn.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row[0]))
        prev = digest
    conn.commit()
    conn.close()


def test_a_county_that_extends_its_history_is_merged_and_the_head_is_remembered(county, city, tmp_path):
    first = export_snapshot(county.path, tmp_path / "1.gzsnap")
    report = merge_snapshots(city, [first.path])[0]
    assert report.status == MERGED and report.history.verified and report.history.extends is None
    assert "首次合并该来源" in report.text()
    with city.reader() as s:
        source = s.scalars(select(SnapshotSource)).one()
        assert (source.chain_event_id, source.chain_head) == first.manifest.chain_head
    _rename(county, "海门发布", "海门发布号")
    second = export_snapshot(county.path, tmp_path / "2.gzsnap")
    report = merge_snapshots(city, [second.path])[0]
    assert report.status == MERGED and report.history.extends
    assert f"延续了上次合并时的第 {first.manifest.chain_head[0]} 条" in report.text()
    assert "海门发布号" in _accounts(city)
    assert verify_database(city.path).ok  # the merge is checkable at the city too


def test_a_county_that_rewrote_its_history_is_refused_at_the_next_merge(county, city, tmp_path):
    first = export_snapshot(county.path, tmp_path / "1.gzsnap")
    merge_snapshots(city, [first.path])
    before = _accounts(city)
    # later the county renames an account, then hides it by rewriting the event (chain recomputed):
    # the county's own verify cannot tell, the city can
    with county.reader() as s:
        uuid = s.scalars(select(Account.uuid).where(Account.name == "海门发布")).one()
    conn = sqlite3.connect(county.path)
    create_id = conn.execute("SELECT id FROM audit_event WHERE entity_uuid = ? AND action = 'create'",
                             (uuid,)).fetchone()[0]
    conn.execute("UPDATE account SET name = '冒名发布' WHERE uuid = ?", (uuid,))
    conn.commit()
    conn.close()
    _rewrite_history(county.path, create_id, "name", "冒名发布")
    assert verify_database(county.path).ok  # what the county's file alone shows
    second = export_snapshot(county.path, tmp_path / "2.gzsnap")
    with pytest.raises(UserError) as refused:
        merge_snapshots(city, [second.path])
    assert "海门区人民政府办公室" in refused.value.message and "历史被删除或改写" in refused.value.message
    assert f"第 {first.manifest.chain_head[0]} 条" in refused.value.message
    assert _accounts(city) == before and "冒名发布" not in _accounts(city)


def test_records_changed_in_a_snapshot_without_events_are_refused(county, city, tmp_path):
    """A county whose records were changed with sqlite3 cannot export; a snapshot changed after export
    with its content hash recomputed would need a valid log too (and a signature, see the key tests)."""
    conn = sqlite3.connect(county.path)
    conn.execute("UPDATE account SET name = '直接改名' WHERE name = '海门发布'")
    conn.commit()
    conn.close()
    with pytest.raises(UserError, match="本库的审计日志校验未通过.*不能导出上报快照"):
        export_snapshot(county.path, tmp_path / "x.gzsnap")
    assert not (tmp_path / "x.gzsnap").exists()


def test_a_shortened_history_is_refused(county, city, tmp_path):
    _rename(county, "海门发布", "海门发布号")
    first = export_snapshot(county.path, tmp_path / "1.gzsnap")
    merge_snapshots(city, [first.path])
    # the county restores an older backup... or deletes its last events and reverts the record
    with county.reader() as s:
        uuid = s.scalars(select(Account.uuid).where(Account.name == "海门发布号")).one()
    conn = sqlite3.connect(county.path)
    last = conn.execute("SELECT max(id) FROM audit_event").fetchone()[0]
    conn.execute("DELETE FROM audit_event WHERE id = ?", (last,))
    conn.execute("UPDATE account SET name = '海门发布', version = version - 1 WHERE uuid = ?", (uuid,))
    conn.commit()
    conn.close()
    assert verify_database(county.path).ok
    second = export_snapshot(county.path, tmp_path / "2.gzsnap")
    with pytest.raises(UserError, match="比上次合并时还短"):
        merge_snapshots(city, [second.path])
