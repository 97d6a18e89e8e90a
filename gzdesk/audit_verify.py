"""Checking the audit log: the hash chain, the bulk digests, and every record against its history.

``check(conn)`` works on a plain ``sqlite3`` connection (the office's database or a snapshot):

1. **The chain** (``gzdesk.audit``): each event's ``prev_hash`` is the hash of the event before,
   and its ``hash`` is what its content gives. An edited event fails its own hash; a deleted,
   inserted or reordered one breaks the link of the event after it.
2. **Bulk digests**: the ``audit_row`` lines of each bulk event (import, demo, merge, baseline)
   give the ``rows_digest`` the chained event carries.
3. **Records**: every record of every audited table is replayed backwards through its events —
   each update's "after" must be the value now, and its "before" is the value before — down to the
   event that set it whole (a create, or a bulk row's digest), which must match. A record with no
   such event, one the log says was deleted, or one the log says exists but is gone, is named.

What passing proves: the file is as gzdesk wrote it, *or* whoever changed it also rewrote the log
and its chain consistently (possible for anyone with the file — the chain is not keyed). A
rewritten history is caught by comparing the chain head with one kept elsewhere: a 上报快照 the
city merged, a backup's sidecar, a printed form (``gzdesk verify --head``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table

from gzdesk.audit import (
    AUDIT_TABLES,
    GENESIS,
    audited_columns,
    canonical_digest,
    event_hash,
    record_key,
    row_canonicalizer,
    row_digest,
    rows_digest,
)
from gzdesk.audit_log import action_label, entity_label, field_label, record_label
from gzdesk.dates import cn_date
from gzdesk.models import Base


@dataclass
class AuditCheck:
    """What ``check`` found: problems as (kind, message), in the order met (the first is the first broken)."""

    events: int = 0
    head: tuple[int, str] | None = None
    checked: dict[str, int] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audited_tables(conn: sqlite3.Connection, only: set[str] | None = None) -> list[Table]:
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return [t for t in Base.metadata.sorted_tables
            if t.name in present and t.name not in AUDIT_TABLES and (only is None or t.name in only)]


def _columns(conn: sqlite3.Connection, table: Table) -> list[str]:
    have = {r[1] for r in conn.execute(f'PRAGMA table_info("{table.name}")')}
    return [c.name for c in table.columns if c.name in have]


def _rows(conn: sqlite3.Connection, table: Table):
    cols = _columns(conn, table)
    select = ", ".join(f'"{c}"' for c in cols)
    for r in conn.execute(f'SELECT {select} FROM "{table.name}"'):
        yield dict(zip(cols, r, strict=True))


# --------------------------------------------------------------------------- the baseline of an upgrade


def legacy_baseline(conn: sqlite3.Connection) -> None:
    """Chain the events that have no hash yet (as they are), then log a ``baseline`` bulk event
    holding the digest of every record present (see ``gzdesk.audit.adopt_legacy_log``)."""
    rows = conn.execute("SELECT id, at, actor, action, entity, entity_uuid, summary, changes, hash "
                        "FROM audit_event ORDER BY id").fetchall()
    prev, last_id = GENESIS, 0
    for eid, at, actor, action, entity, uuid, summary, changes, stored in rows:
        if stored is None:
            try:
                digest = event_hash(prev, eid, at, actor, action, entity, uuid, summary, changes)
            except ValueError:  # an unreadable time in an old event: chained with the time as text
                digest = event_hash(prev, eid, datetime(1970, 1, 1), actor, action, entity, uuid, summary,
                                    json.dumps([at, changes], ensure_ascii=False))
                conn.execute("UPDATE audit_event SET at = ?, changes = ? WHERE id = ?",
                             ("1970-01-01 00:00:00", json.dumps([at, changes], ensure_ascii=False), eid))
            conn.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, eid))
            stored = digest
        prev, last_id = stored, eid
    lines = []
    for table in audited_tables(conn):
        for row in _rows(conn, table):
            lines.append((table.name, record_key(table, row), row_digest(table, row)))
    if not lines and not rows:
        return  # a new, empty database: nothing to start from
    lines.sort(key=lambda r: (r[0], r[1]))
    at = datetime.now().replace(microsecond=0)
    changes = json.dumps({"rows": len(lines), "rows_digest": rows_digest(lines), "legacy_events": len(rows)},
                         ensure_ascii=False)
    summary = f"升级数据库结构：此前的 {len(rows)} 条审计记录已链接，{len(lines)} 条记录的当前内容记为基线"
    eid = last_id + 1
    digest = event_hash(prev, eid, at, "系统", "baseline", "*", None, summary, changes)
    conn.execute("INSERT INTO audit_event (id, at, actor, action, entity, entity_uuid, summary, changes, prev_hash, "
                 "hash) VALUES (?, ?, '系统', 'baseline', '*', NULL, ?, ?, ?, ?)",
                 (eid, at.isoformat(sep=" "), summary, changes, prev, digest))
    conn.executemany("INSERT INTO audit_row (event_id, entity, entity_uuid, digest) VALUES (?, ?, ?, ?)",
                     [(eid, t, k, d) for t, k, d in lines])


# --------------------------------------------------------------------------- the check


def check(conn: sqlite3.Connection, max_listed: int = 20, only_tables: set[str] | None = None) -> AuditCheck:
    """Check the chain, the bulk digests and the records (``only_tables``: just those tables' records)."""
    result = AuditCheck()
    events = conn.execute("SELECT id, at, actor, action, entity, entity_uuid, summary, changes, prev_hash, hash "
                          "FROM audit_event ORDER BY id").fetchall()
    result.events = len(events)
    if events:
        result.head = (events[-1][0], events[-1][9] or "")
    listed = _Lister(result, max_listed)
    _check_chain(events, listed)
    bulk = _check_bulk(conn, events, listed)
    _check_records(conn, events, bulk, listed, result, only_tables)
    listed.finish()
    return result


class _Lister:
    """Collects problems of a kind, up to ``max_listed`` each, then a count of the rest."""

    def __init__(self, result: AuditCheck, max_listed: int):
        self.result, self.max = result, max_listed
        self.more: dict[str, int] = defaultdict(int)
        self.count: dict[str, int] = defaultdict(int)

    def add(self, kind: str, message: str) -> None:
        self.count[kind] += 1
        if self.count[kind] <= self.max:
            self.result.problems.append((kind, message))
        else:
            self.more[kind] += 1

    def finish(self) -> None:
        for kind, n in self.more.items():
            self.result.problems.append((kind, f"另有 {n} 处同类问题未列出"))


def _describe(event) -> str:
    eid, at, actor, action, entity = event[:5]
    try:
        t = datetime.fromisoformat(str(at))
        when = f"{cn_date(t.date())} {t:%H:%M}"
    except ValueError:
        when = str(at)
    return f"第 {eid} 条（{when}，{actor}，{action_label(action)}{entity_label(entity)}）"


def _check_chain(events, listed: _Lister) -> None:
    prev, prev_id = GENESIS, None
    for event in events:
        eid, at, actor, action, entity, uuid, summary, changes, prev_hash, stored = event
        if stored is None:
            listed.add("audit_chain", f"审计日志{_describe(event)}没有校验值：不是本程序写入的记录")
            prev, prev_id = "", eid
            continue
        if prev_hash != prev:
            if prev_id is None:
                listed.add("audit_chain", f"审计日志{_describe(event)}之前的记录被删除（链的开头不符）")
            else:
                listed.add("audit_chain", f"审计日志{_describe(event)}与前一条（第 {prev_id} 条）链接不符："
                                          f"两条之间的记录被删除、插入或调换了顺序，或第 {prev_id} 条被改写")
        try:
            expected = event_hash(prev_hash or "", eid, at, actor, action, entity, uuid, summary, changes)
        except (ValueError, TypeError):
            expected = None
        if expected != stored:
            listed.add("audit_chain", f"审计日志{_describe(event)}的内容与其校验值不符：该条记录在写入后被改动")
        prev, prev_id = stored, eid


def _check_bulk(conn: sqlite3.Connection, events, listed: _Lister) -> dict[int, list[tuple[str, str, str | None]]]:
    """The audit_row lines of each bulk event, once checked against its ``rows_digest``."""
    lines: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "audit_row" in tables:
        for event_id, entity, key, digest in conn.execute(
                "SELECT event_id, entity, entity_uuid, digest FROM audit_row ORDER BY id"):
            lines[event_id].append((entity, key, digest))
    by_id = {e[0]: e for e in events}
    for event_id in sorted(lines):
        event = by_id.get(event_id)
        claimed = _rows_digest_of(event) if event is not None else None
        if claimed is None:
            listed.add("audit_rows", f"审计明细中有属于第 {event_id} 条的记录，但该条不是批量操作或已不存在："
                                     "明细被改动")
        elif rows_digest(lines[event_id]) != claimed:
            listed.add("audit_rows", f"审计日志{_describe(event)}所列各条记录的摘要被改动（与该条的校验值不符）")
    for event in events:
        claimed = _rows_digest_of(event)
        if claimed is not None and event[0] not in lines and claimed != rows_digest([]):
            listed.add("audit_rows", f"审计日志{_describe(event)}所列各条记录的摘要缺失（明细被删除）")
    return lines


def _rows_digest_of(event) -> str | None:
    try:
        data = json.loads(event[7] or "null")
    except ValueError:
        return None
    return data.get("rows_digest") if isinstance(data, dict) else None


def _check_records(conn: sqlite3.Connection, events, bulk, listed: _Lister, result: AuditCheck,
                   only_tables: set[str] | None) -> None:
    history: dict[tuple[str, str], list[tuple[int, str, Any]]] = defaultdict(list)
    for eid, _at, _actor, action, entity, key, _summary, changes, _p, _h in events:
        if key is None or action not in ("create", "update", "delete"):
            continue
        try:
            data = json.loads(changes) if changes else {}
        except ValueError:
            continue  # the chain check reports it
        if isinstance(data, dict):
            history[(entity, key)].append((eid, action, data))
    bulk_action = {e[0]: e[3] for e in events}
    for eid, items in bulk.items():
        for entity, key, digest in items:
            history[(entity, key)].append((eid, "row", (bulk_action.get(eid, "bulk"), digest)))
    for items in history.values():
        items.sort(key=lambda e: e[0])
    for table in audited_tables(conn, only_tables):
        names = _columns(conn, table)
        col_names = [c.name for c in audited_columns(table)]
        canonical = row_canonicalizer(table, names)
        uuid_at = names.index("uuid") if "uuid" in names else None
        select = ", ".join(f'"{n}"' for n in names)
        seen: set[str] = set()
        n = 0
        for raw in conn.execute(f'SELECT {select} FROM "{table.name}"'):
            n += 1
            key = str(raw[uuid_at]) if uuid_at is not None else record_key(table, dict(zip(names, raw, strict=True)))
            seen.add(key)
            values = canonical(raw)
            items = history.get((table.name, key), [])
            if items and items[-1][1] == "row" and items[-1][2][1] is not None \
                    and canonical_digest(values) == items[-1][2][1]:
                continue  # the common case of a bulk-written record untouched since
            problem = _replay(table, dict(zip(col_names, values, strict=True)), items)
            if problem:
                row = dict(zip(names, raw, strict=True))
                listed.add("audit_record", f"{entity_label(table.name)}“{record_label(table.name, row, key)}”"
                                           f"{problem}")
        result.checked[table.name] = n
        for (entity, key), items in history.items():
            if entity != table.name or key in seen:
                continue
            eid, action, payload = items[-1]
            if action == "delete" or (action == "row" and payload[1] is None):
                continue
            name = _name_in(payload, key) if action != "row" else key
            listed.add("audit_record", f"{entity_label(table.name)}“{name}”按审计日志（第 {eid} 条）应当存在，"
                                       "但已不在数据库中：该记录未经本程序被删除")


def _name_in(payload, key: str) -> str:
    if isinstance(payload, dict):
        for attr in ("name", "number", "title", "filename", "role", "key"):
            pair = payload.get(attr)
            if isinstance(pair, list) and len(pair) == 2 and (pair[1] or pair[0]):
                return str(pair[1] or pair[0])
    return key


def _show(value) -> str:
    if value is None:
        return "空"
    if isinstance(value, dict):
        return "（二进制内容）" if "$bytes" in value else "（已隐藏）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    return f"“{text[:40]}{'…' if len(text) > 40 else ''}”"


def _replay(table: Table, values: dict, items: list) -> str | None:
    """None when the record's values follow from its events, else what is wrong (a clause)."""
    now = dict(values)
    for eid, action, payload in reversed(items):
        if action == "row":
            bulk, digest = payload
            if digest is None:
                return f"按审计日志已于第 {eid} 条删除，却仍在数据库中：该记录未经本程序被改动"
            if row_digest(table, now, canonical=True) == digest:
                return None
            return f"与审计日志第 {eid} 条（{action_label(bulk)}）所记的内容不符：该记录未经本程序被改动"
        if action == "delete":
            return f"按审计日志已于第 {eid} 条删除，却仍在数据库中：该记录未经本程序被改动"
        if action == "update":
            for name, pair in payload.items():
                if name not in now or not isinstance(pair, list) or len(pair) != 2:
                    continue
                if now[name] != pair[1]:
                    return (f"的“{field_label(table.name, name)}”现为{_show(now[name])}，审计日志第 {eid} 条记录的是"
                            f"{_show(pair[1])}：该记录未经本程序被改动")
                now[name] = pair[0]
            continue
        if action == "create":
            after = {k: v[1] for k, v in payload.items() if isinstance(v, list) and len(v) == 2}
            for name, value in now.items():
                if value != after.get(name):
                    return (f"的“{field_label(table.name, name)}”现为{_show(value)}，审计日志第 {eid} 条（创建）"
                            f"记录的是{_show(after.get(name))}：该记录未经本程序被改动")
            return None
    return "没有创建、导入或合并的审计记录：该记录未经本程序写入"
