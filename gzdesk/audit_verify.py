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

import hashlib
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import Table

from gzdesk.audit import (
    AUDIT_TABLES,
    GENESIS,
    ROW_TAG,
    ROWS_TAG,
    audited_columns,
    canonical_digest,
    event_hash,
    record_key,
    row_canonicalizer,
    row_digest,
    row_json_sql,
    rows_digest,
)
from gzdesk.audit_log import action_label, entity_label, field_label, record_label
from gzdesk.dates import cn_date
from gzdesk.models import Base
from gzdesk.models.types import sqlite_text_first


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
    """Check the chain, the bulk digests and the records (``only_tables``: just those tables' records).

    The log is read as it goes (the events in order, the bulk lines event by event, each table's
    history on its own), keeping per record only what its check needs: the last bulk line that set
    it whole (event and digest) and the events after it. Text is read with SQLite's own UTF-8
    decoding; a file with a byte that is not UTF-8 is read again through the connection's own
    text factory, which gives the same text wherever the bytes are valid."""
    return sqlite_text_first(conn, lambda: _check(conn, max_listed, only_tables))


def _check(conn: sqlite3.Connection, max_listed: int, only_tables: set[str] | None) -> AuditCheck:
    result = AuditCheck()
    listed = _Lister(result, max_listed)
    bulk_events = _check_chain(conn, result, listed)
    present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    groups = _check_bulk(conn, bulk_events, listed, "audit_row" in present)
    actions = {eid: info[1] for eid, info in bulk_events.items()}
    for table in audited_tables(conn, only_tables):
        _check_table(conn, table, groups, actions, listed, result)
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


EVENT_COLUMNS = "id, at, actor, action, entity, entity_uuid, summary, changes, prev_hash, hash"


def _check_chain(conn: sqlite3.Connection, result: AuditCheck, listed: _Lister) -> dict[int, tuple]:
    """The chain, event by event; returns the bulk events (those whose changes carry a
    ``rows_digest``): id → (the event's first five fields, its action, the digest it claims)."""
    bulk: dict[int, tuple] = {}
    prev, prev_id = GENESIS, None
    event = None
    for event in conn.execute(f"SELECT {EVENT_COLUMNS} FROM audit_event ORDER BY id"):
        result.events += 1
        eid, at, actor, action, entity, uuid, summary, changes, prev_hash, stored = event
        claimed = _rows_digest_of(event)
        if claimed is not None:
            bulk[eid] = (event[:5], action, claimed)
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
    if event is not None:
        result.head = (event[0], event[9] or "")
    return bulk


# a line read as the text gzdesk wrote it: a value retyped by hand (a BLOB, a number) is named once
# above (``_check_bulk``) instead of failing the comparisons that follow
_KEY_DIGEST = "CAST(entity_uuid AS TEXT), CAST(digest AS TEXT)"
_LINE = f"CAST(entity AS TEXT), {_KEY_DIGEST}"


def _check_bulk(conn: sqlite3.Connection, bulk_events: dict[int, tuple], listed: _Lister,
                has_lines: bool = True) -> list[tuple]:
    """The audit_row lines of each bulk event, checked against its ``rows_digest`` one event at a
    time (the lines are written in the order the digest takes them: hashed as they come, a batch
    at a time, sorted only where they are not). Returns where each table's lines are: (event id,
    table, first and last line id, lines), events in the order of their first line."""
    if has_lines:
        for line_id, event_id in conn.execute(
                "SELECT id, event_id FROM audit_row WHERE typeof(entity) != 'text' "
                "OR typeof(entity_uuid) NOT IN ('text', 'null') OR typeof(digest) NOT IN ('text', 'null') ORDER BY id"):
            listed.add("audit_rows", f"审计明细第 {line_id} 条（属于第 {event_id} 条）存的不是文本：明细被改动")
    done: set[int] = set()
    for (event_id,) in conn.execute("SELECT DISTINCT event_id FROM audit_row ORDER BY event_id").fetchall() \
            if has_lines else ():
        done.add(event_id)
        info = bulk_events.get(event_id)
        if info is None:
            listed.add("audit_rows", f"审计明细中有属于第 {event_id} 条的记录，但该条不是批量操作或已不存在："
                                     "明细被改动")
        elif _event_lines_digest(conn, event_id) != info[2]:
            listed.add("audit_rows", f"审计日志{_describe(info[0])}所列各条记录的摘要被改动（与该条的校验值不符）")
    for event_id, (head, _action, claimed) in bulk_events.items():
        if event_id not in done and claimed != rows_digest([]):
            listed.add("audit_rows", f"审计日志{_describe(head)}所列各条记录的摘要缺失（明细被删除）")
    if not has_lines:
        return []
    groups = conn.execute("SELECT event_id, entity, min(id), max(id), count(*) FROM audit_row "
                          "GROUP BY event_id, entity").fetchall()
    first: dict[Any, int] = {}
    for event_id, _table, low, _high, _n in groups:
        first[event_id] = min(low, first.get(event_id, low))
    groups.sort(key=lambda g: (first[g[0]], g[2]))
    return groups


_TABLE_KEY = itemgetter(0, 1)
LINE_BATCH = 1000  # (larger batches are slower: each row's strings are freed while still in the cache)


def _event_lines_digest(conn: sqlite3.Connection, event_id: Any) -> str:
    """``rows_digest`` of the lines of one bulk event: hashed as they are stored while they are in
    the order it sorts them into (each batch checked with one sort in C), else sorted."""
    query = f"SELECT {_LINE} FROM audit_row WHERE event_id = ? ORDER BY id"
    h = hashlib.sha256(ROWS_TAG)
    cursor = conn.execute(query, (event_id,))
    prev = None
    while True:
        rows = cursor.fetchmany(LINE_BATCH)
        if not rows:
            return h.hexdigest()
        keys = list(map(_TABLE_KEY, rows))
        if (prev is not None and keys[0] < prev) or keys != sorted(keys):
            cursor.close()
            return rows_digest(conn.execute(query, (event_id,)))
        prev = keys[-1]
        h.update("".join([f"{table}\t{key}\t{digest or '-'}\n" for table, key, digest in rows]).encode())


def _rows_digest_of(event) -> str | None:
    text = event[7]
    if not text or ("rows_digest" not in text and "\\" not in text):
        return None  # (a key written with escapes has a backslash)
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("rows_digest") if isinstance(data, dict) else None


def _last_lines(conn: sqlite3.Connection, table: str, groups: list[tuple]) -> dict[Any, tuple]:
    """key → (event id, digest) of the last bulk line of each record of ``table``, by event then
    line; the keys in the order the lines first name them (events by their first line)."""
    last: dict[Any, tuple] = {}
    for event_id, entity, low, high, n in groups:
        if entity != table:
            continue
        if n == high - low + 1:  # the event's lines of this table are one run of ids (as written)
            cursor = conn.execute(f"SELECT {_KEY_DIGEST} FROM audit_row WHERE id BETWEEN ? AND ?", (low, high))
        else:
            cursor = conn.execute(f"SELECT {_KEY_DIGEST} FROM audit_row WHERE event_id = ? AND entity = ? "
                                  "ORDER BY id", (event_id, entity))
        get = last.get
        for key, digest in cursor:
            had = get(key)
            if had is None or had[0] <= event_id:
                last[key] = (event_id, digest)
    return last


def _events_of(conn: sqlite3.Connection, table: str) -> dict[Any, list]:
    """key → [id of its first event, the events from its last create or delete on] for the
    create / update / delete events of ``table`` (the replay never looks further back)."""
    out: dict[Any, list] = {}
    for eid, action, key, changes in conn.execute(
            "SELECT id, action, entity_uuid, changes FROM audit_event WHERE entity = ? AND entity_uuid IS NOT NULL "
            "AND action IN ('create', 'update', 'delete') ORDER BY id", (table,)):
        try:
            data = json.loads(changes) if changes else {}
        except ValueError:
            continue  # the chain check reports it
        if not isinstance(data, dict):
            continue
        kept = out.get(key)
        if kept is None:
            out[key] = [eid, [(eid, action, data)]]
        elif action == "update":
            kept[1].append((eid, action, data))
        else:
            kept[1] = [(eid, action, data)]
    return out



def _check_table(conn: sqlite3.Connection, table: Table, groups: list[tuple], actions: dict[int, str],
                 listed: _Lister, result: AuditCheck) -> None:
    names = _columns(conn, table)
    col_names = [c.name for c in audited_columns(table)]
    canonical = row_canonicalizer(table, names)
    uuid_at = names.index("uuid") if "uuid" in names else None
    select = ", ".join(f'"{n}"' for n in names)
    last = _last_lines(conn, table.name, groups)
    events = _events_of(conn, table.name)
    seen_events: set = set()

    def action_of(eid: int) -> str:
        if eid not in actions:
            row = conn.execute("SELECT action FROM audit_event WHERE id = ?", (eid,)).fetchone()
            actions[eid] = row[0] if row is not None else "bulk"
        return actions[eid]

    def items_of(key) -> list:
        """The record's events as far back as its replay can go, oldest first."""
        line = last.get(key)
        chain = events.get(key)
        items = list(chain[1]) if chain is not None else []
        if line is not None:
            eid, digest = line[0], line[1]
            items = [e for e in items if e[0] <= eid] + [(eid, "row", (action_of(eid), digest))] + \
                [e for e in items if e[0] > eid]
        return items

    def judge(raw, key, values) -> None:
        items = items_of(key)
        if items and items[-1][1] == "row" and items[-1][2][1] is not None \
                and canonical_digest(values) == items[-1][2][1]:
            return
        problem = _replay(table, dict(zip(col_names, values, strict=True)), items)
        if problem:
            row = dict(zip(names, raw, strict=True))
            listed.add("audit_record", f"{entity_label(table.name)}“{record_label(table.name, row, key)}”"
                                       f"{problem}")

    seen_lines: set = set()  # the keys of ``last`` met in the table

    def seen(key) -> None:
        if key in last:
            seen_lines.add(key)
        if key in events:
            seen_events.add(key)

    n = 0
    fast = uuid_at is not None and _has_rowid(conn, table.name)
    if fast:
        as_json, odd = row_json_sql(table, names)
        by_rowid = f'SELECT {select} FROM "{table.name}" WHERE rowid = ?'
        sha256, tag, get, mark = hashlib.sha256, ROW_TAG, last.get, seen_lines.add
        for rowid, key, text in conn.execute(
                f'SELECT rowid, "uuid", CASE WHEN {odd} THEN NULL ELSE CAST({as_json} AS BLOB) END '
                f'FROM "{table.name}"'):
            n += 1
            if type(key) is not str:
                key = str(key)
            line = get(key)
            if line is not None:
                mark(key)
                if text is not None and line[1] is not None and key not in events \
                        and sha256(tag + text).hexdigest() == line[1]:
                    continue  # the common case of a bulk-written record untouched since
            if key in events:
                seen_events.add(key)
            raw = conn.execute(by_rowid, (rowid,)).fetchone()
            judge(raw, key, canonical(raw))
    else:
        for raw in conn.execute(f'SELECT {select} FROM "{table.name}"'):
            n += 1
            key = str(raw[uuid_at]) if uuid_at is not None else record_key(table, dict(zip(names, raw, strict=True)))
            seen(key)
            judge(raw, key, canonical(raw))
    result.checked[table.name] = n
    missing = sorted((k for k in events if k not in seen_events), key=lambda k: events[k][0])
    missing += [k for k in last if k not in seen_lines and k not in events]
    for key in missing:
        eid, action, payload = items_of(key)[-1]
        if action == "delete" or (action == "row" and payload[1] is None):
            continue
        name = _name_in(payload, key) if action != "row" else key
        listed.add("audit_record", f"{entity_label(table.name)}“{name}”按审计日志（第 {eid} 条）应当存在，"
                                   "但已不在数据库中：该记录未经本程序被删除")


def _has_rowid(conn: sqlite3.Connection, table: str) -> bool:
    """Whether ``rowid`` names the table's own row ids (not a table without them, nor a column so named)."""
    if {r[1].lower() for r in conn.execute(f'PRAGMA table_info("{table}")')} & {"rowid", "_rowid_", "oid"}:
        return False
    try:
        conn.execute(f'SELECT rowid FROM "{table}" LIMIT 1').fetchall()
    except sqlite3.OperationalError:
        return False
    return True


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
