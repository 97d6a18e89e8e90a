"""A merge of many files in one call leaves the city's library as merging them one call each does.

The work of a merge of many files is arranged for speed (one TEMP schema for all the staged files,
the page cache, the order of the statements); none of it may change what is stored. Here varied
snapshots — a county's newer snapshot that renames, drops and adds records and re-creates a team
member, a re-sent file, an older one, hand-edited files whose 备案编号 collide and are reused —
are merged into one library in a single call and into another one call per file, in the same
order; the two libraries are then equal row for row (ids, values, origins) and audit event for
audit event (what each event says, and the digest of every row it logs).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from gzdesk import demo, registry
from gzdesk.exchange.merge import merge_snapshots, synced_tables
from gzdesk.exchange.snapshot import export_snapshot, reseal


def _edit(path: Path, *statements: str) -> Path:
    """A hand-edited snapshot, resealed (unsigned: accepted from a source whose key is not pinned)."""
    conn = sqlite3.connect(path)
    try:
        for sql in statements:
            conn.execute(sql)
        conn.commit()
    finally:
        conn.close()
    reseal(path)
    return path


def _files(make_db, tmp_path) -> list[Path]:
    a = make_db("nantong", unit="海门区人民政府办公室", name="a.db")
    demo.generate(a, 6, seed=1, today=date(2026, 11, 20))
    with a.transaction() as s:
        extra = registry.save_account(s, registry.AccountData(name="临时测试账号"))
    a1 = export_snapshot(a.path, tmp_path / "a1.gzsnap").path
    b = make_db("nantong", unit="启东市人民政府办公室", name="b.db")
    demo.generate(b, 5, seed=2, today=date(2026, 11, 20))
    b1 = export_snapshot(b.path, tmp_path / "b1.gzsnap").path
    with a.transaction() as s:
        first = registry.get_account(s, 1)
        first.name = "改过名的账号 ＡＢＣ"
        team = list(first.team)
        first.team = team[1:]
        registry.save_account(s, first)
        registry.delete_account(s, extra)
        registry.save_account(s, registry.AccountData(name="新开的账号", handle="  带空格的号  "))
    with a.transaction() as s:
        again = registry.get_account(s, 1)
        again.team = team  # the member put back: a new 岗位 record with the key of the old one
        registry.save_account(s, again)
    a2 = export_snapshot(a.path, tmp_path / "a2.gzsnap").path
    c = make_db("nantong", unit="如东县人民政府办公室", name="c.db")
    demo.generate(c, 4, seed=3, today=date(2026, 11, 20))
    c1 = _edit(export_snapshot(c.path, tmp_path / "c1.gzsnap").path,
               # a filing merged from a township, numbered as one of the county's own: a suffix
               "UPDATE filing SET origin = '某某镇', number = (SELECT number FROM filing WHERE id = 1) "
               "WHERE id = (SELECT max(id) FROM filing)")
    c2 = _edit(export_snapshot(c.path, tmp_path / "c2.gzsnap").path,
               # the county restored an older backup: its first filing is gone, its number reused
               "CREATE TEMP TABLE lost AS SELECT number FROM filing WHERE id = 1",
               "DELETE FROM approval_step WHERE filing_id = 1",
               "UPDATE filing SET merge_parent_id = NULL WHERE merge_parent_id = 1",
               "DELETE FROM filing WHERE id = 1",
               "UPDATE filing SET number = (SELECT number FROM lost) WHERE id = (SELECT max(id) FROM filing)")
    return [a1, b1, c1, a2, b1, c2, a1]


WHEN = ("merged_at", "key_pinned_at")


def _last_event(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT max(id) FROM audit_event").fetchone()[0]
    finally:
        conn.close()


def _library(path: Path, after: int) -> dict[str, list]:
    """The merged records (the office's own, made at its start, differ between the two libraries)
    and every audit event after ``after`` with the rows it logs."""
    conn = sqlite3.connect(path)
    try:
        out: dict[str, list] = {}
        for t in synced_tables():
            out[t.name] = conn.execute(f'SELECT * FROM "{t.name}" WHERE origin IS NOT NULL ORDER BY id').fetchall()
        cols = [r[1] for r in conn.execute("PRAGMA table_info(snapshot_source)") if r[1] not in WHEN]
        out["snapshot_source"] = conn.execute(
            f"SELECT {', '.join(cols)} FROM snapshot_source ORDER BY id").fetchall()
        events = []
        for eid, action, entity, entity_uuid, summary, changes in conn.execute(
                "SELECT id, action, entity, entity_uuid, summary, changes FROM audit_event WHERE id > ? "
                "ORDER BY id", (after,)):
            data = json.loads(changes) if changes else None
            if entity == "snapshot_source" and data:  # when it was merged, and its key pinned: the clock's
                data = {k: v for k, v in data.items() if k not in WHEN}
            rows = conn.execute("SELECT entity, entity_uuid, digest FROM audit_row WHERE event_id = ? "
                                "ORDER BY id", (eid,)).fetchall()
            events.append((action, entity, entity_uuid, summary, data, rows))
        out["audit"] = events
        return out
    finally:
        conn.close()


def test_one_call_for_all_files_stores_what_one_call_per_file_does(make_db, tmp_path):
    files = _files(make_db, tmp_path)
    together = make_db("nantong", unit="南通市人民政府办公室", name="together.db")
    one_by_one = make_db("nantong", unit="南通市人民政府办公室", name="one_by_one.db")
    starts = _last_event(together.path), _last_event(one_by_one.path)
    # the one call merges its files oldest snapshot first: the separate calls take that order too
    reports = merge_snapshots(together, files)
    by_name = {f.name: f for f in files}
    singles = [merge_snapshots(one_by_one, [by_name[r.file]])[0] for r in reports]
    assert [r.to_json() for r in reports] == [r.to_json() for r in singles]
    statuses = [r.status for r in reports]
    assert statuses.count("merged") >= 5 and "already_merged" in statuses
    assert any(r.renamed for r in reports) and any(r.reused for r in reports)
    assert any(r.gone for r in reports) and any(r.changed for r in reports)
    mine, theirs = _library(together.path, starts[0]), _library(one_by_one.path, starts[1])
    for name in mine:
        assert mine[name] == theirs[name], name
    assert sum(len(rows) for name, rows in mine.items() if name != "audit") > 100
