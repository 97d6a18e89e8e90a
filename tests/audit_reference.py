"""The audit check as it was before it streamed the log (gzdesk.audit_verify before this change),
kept only as the reference ``tests/test_audit_streaming.py`` compares the streaming check with:
the same problems, in the same order, with the same words, on files tampered in many ways.
It holds the whole history in memory, which is why it was replaced.

``record_bulk`` is the bulk event as it was written before it was made faster (each row's JSON
read as text and hashed through a generator over the whole table, the lines sorted by a key and
sorted again for their digest), kept as the reference ``tests/test_record_bulk.py`` compares the
event and lines it writes with."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import defaultdict
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gzdesk.audit import (
    _ENCODE,
    GENESIS,
    ROW_TAG,
    _append,
    _event_row,
    audited_columns,
    canonical_digest,
    event_hash,
    record_key,
    row_canonicalizer,
    row_digester,
    row_json_sql,
    rows_digest,
)
from gzdesk.audit_log import entity_label, record_label
from gzdesk.audit_verify import (
    EVENT_COLUMNS,
    AuditCheck,
    _columns,
    _describe,
    _Lister,
    _name_in,
    _replay,
    _rows_digest_of,
    audited_tables,
)
from gzdesk.models import Base


def check(conn: sqlite3.Connection, max_listed: int = 20, only_tables: set[str] | None = None) -> AuditCheck:
    result = AuditCheck()
    events = conn.execute(f"SELECT {EVENT_COLUMNS} FROM audit_event ORDER BY id").fetchall()
    result.events = len(events)
    if events:
        result.head = (events[-1][0], events[-1][9] or "")
    listed = _Lister(result, max_listed)
    _check_chain(events, listed)
    bulk = _check_bulk(conn, events, listed)
    _check_records(conn, events, bulk, listed, result, only_tables)
    listed.finish()
    return result


def _check_chain(events, listed) -> None:
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


def _check_bulk(conn, events, listed):
    lines: dict[int, list] = defaultdict(list)
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


def _check_records(conn, events, bulk, listed, result, only_tables) -> None:
    history: dict[tuple[str, str], list[tuple[int, str, Any]]] = defaultdict(list)
    for eid, _at, _actor, action, entity, key, _summary, changes, _p, _h in events:
        if key is None or action not in ("create", "update", "delete"):
            continue
        try:
            data = json.loads(changes) if changes else {}
        except ValueError:
            continue
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
                continue
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


def record_bulk(session: Session, action: str, entity: str, summary: str | None = None,
                changes: dict | None = None, entity_uuid: str | None = None) -> int:
    session.flush()
    conn = session.connection()
    noted: dict[str, dict[str, bool]] = session.info.pop("audit_bulk", {})
    lines: list[tuple[str, str, str | None]] = []
    for name, keys in noted.items():
        table = Base.metadata.tables[name]
        present = _digests(conn, table, [k for k, gone in keys.items() if not gone])
        lines.extend((name, key, None if gone else present.get(key)) for key, gone in keys.items())
    lines.sort(key=lambda r: (r[0], r[1]))
    data = dict(changes or {})
    data.update(rows=len(lines), rows_digest=rows_digest(lines))
    eid = _append(conn, [_event_row(session, action, entity, entity_uuid, summary, data)])[0]
    if lines:
        conn.exec_driver_sql("INSERT INTO audit_row (event_id, entity, entity_uuid, digest) VALUES (?, ?, ?, ?)",
                             [(eid, t, k, d) for t, k, d in lines])
    return eid


def _digests(conn: Connection, table: Table, keys: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if not keys:
        return out
    raw: Any = conn.connection.driver_connection
    names = [c.name for c in table.columns]
    digest = row_digester(table, names)
    select_list = ", ".join(f'"{n}"' for n in names)
    if "uuid" not in table.c:
        wanted = set(keys)
        for r in raw.execute(f'SELECT {select_list} FROM "{table.name}"'):
            k = record_key(table, dict(zip(names, r, strict=True)))
            if k in wanted:
                out[k] = digest(r)
        return out
    as_json, odd = row_json_sql(table, names)
    query = f'SELECT "uuid", rowid, CASE WHEN {odd} THEN NULL ELSE {as_json} END FROM "{table.name}"'
    by_rowid = f'SELECT {select_list} FROM "{table.name}" WHERE rowid = ?'
    canonical = row_canonicalizer(table, names)

    def take(rows) -> None:
        for key, rowid, text in rows:
            if text is None:
                text = _ENCODE(canonical(raw.execute(by_rowid, (rowid,)).fetchone()))
            out[str(key)] = hashlib.sha256(ROW_TAG + text.encode("utf-8")).hexdigest()

    total = raw.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0] or 0
    if len(keys) * 4 >= total:
        wanted = set(keys)
        take(r for r in raw.execute(query) if r[0] in wanted)
        return out
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        take(raw.execute(f"{query} WHERE uuid IN ({marks})", tuple(chunk)).fetchall())
    return out
