"""The audit log: every change, written in the same transaction, each event chained to the one before.

**What is written.** Mapper hooks (after insert / update / delete, so cascades, orphans and
values set during the flush are all seen) turn every record the ORM writes into an
``AuditEvent``: who (the logged-in user, see ``gzdesk.db``), when, which table and record
(``entity_uuid``: the record's uuid, or its primary key for tables without one — settings, the
holiday table, users), and each field before and after, as *canonical* values (``canon``: dates
as ISO text, booleans, a SHA-256 for binary data and for secret columns such as a password hash).
Bulk writes that bypass the ORM (demo data, Excel import, snapshot merges) ``note_rows`` what they
wrote and ``record_bulk`` one event whose ``audit_row`` lines hold a digest of each written row
(``row_digest``), bound into the event by ``rows_digest``. So every record's current values can
be checked against its history (``gzdesk.audit_verify``).

**The chain.** Events get consecutive ids, and each carries ``prev_hash`` (the ``hash`` of the
event before it; 64 zeros for the first) and ``hash`` = SHA-256 over a fixed tag, ``prev_hash``
and its own content (id, time, actor, action, table, record, summary, changes). Changing,
deleting, reordering or inserting an event breaks the chain at that point.

**What that guarantees, and against whom.** Against a careless clerk or a crash: nothing is
written without its event, nothing rolled back leaves one. Against someone with the database
file: they can change anything, including the log, and can even recompute the chain — the hash is
not keyed — so the local check (``gzdesk verify``) only catches edits that did not rewrite the
chain after them. What catches a rewritten history is outside the file: the chain head (the last
event's id and hash) travels in every 上报快照, backup sidecar and printed form, and the city
refuses a snapshot whose history does not extend the one it merged before. Events appended at the
end by someone with the file look like real edits; nothing in the file can tell them apart.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    event,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session

from gzdesk import changes, safe_files
from gzdesk.models import AuditEvent, Base
from gzdesk.models.base import now
from gzdesk.models.types import sqlite_text_first

SKIPPED_FIELDS = {"created_at", "updated_at", "version"}  # bookkeeping the ORM changes by itself
AUDIT_TABLES = ("audit_event", "audit_row")  # the log itself
GENESIS = "0" * 64
CHAIN_TAG = b"gzdesk-audit/1\n"
ROWS_TAG = b"gzdesk-audit-rows/1\n"
ROW_TAG = b"gzdesk-row/1\n"
SUMMARY_ATTRS = ("name", "number", "title", "filename", "role", "key", "day")


# --------------------------------------------------------------------------- canonical values


def canon(column: Column, value: Any) -> Any:
    """A column's value as the log keeps it, the same whether it comes from the ORM or from SQLite.

    A value SQLite holds that the program would never have written (text in a date column, 2 in a
    boolean) becomes ``"?…"``, so it can never equal what an event says."""
    return converter(column)(value)


_CONVERTERS: dict[int, Any] = {}


def converter(column: Column):
    """``canon`` for one column, made once (digests of 100,000s of rows call it millions of times)."""
    fn = _CONVERTERS.get(id(column))
    if fn is None:
        fn = _CONVERTERS[id(column)] = _make_converter(column)
    return fn


def sql_type(column: Column) -> Any:
    """The column's SQLAlchemy type under the tolerant decorators of ``gzdesk.models.types``."""
    return getattr(column.type, "impl_instance", column.type)


def _make_converter(column: Column):
    if column.info.get("secret"):
        def secret(v):
            if v is None:
                return None
            raw = v if isinstance(v, bytes) else str(v).encode("utf-8")
            return {"$secret": hashlib.sha256(raw).hexdigest()}
        return secret
    kind = sql_type(column)
    if isinstance(kind, Boolean):
        def boolean(v):
            if v is None or v is True or v is False:
                return v
            return bool(v) if type(v) is int and v in (0, 1) else f"?{v!r}"
        return boolean
    if isinstance(kind, DateTime):
        def timestamp(v):
            if v is None:
                return None
            if isinstance(v, datetime):
                return v.isoformat(sep=" ")
            try:
                return datetime.fromisoformat(str(v)).isoformat(sep=" ")
            except ValueError:
                return f"?{v}"
        return timestamp
    if isinstance(kind, Date):
        def day(v):
            if v is None:
                return None
            if isinstance(v, date):
                return v.isoformat()
            try:
                return date.fromisoformat(str(v)).isoformat()
            except ValueError:
                return f"?{v}"
        return day
    if isinstance(kind, LargeBinary):
        def blob(v):
            if v is None:
                return None
            if isinstance(v, (bytes, bytearray, memoryview)):
                raw = bytes(v)
                return {"$bytes": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
            return f"?{v!r}"
        return blob
    if isinstance(kind, Integer):
        def integer(v):
            return v if v is None or type(v) is int else f"?{v!r}"
        return integer

    def text(v):
        if v is None or type(v) is str:
            return v
        return str(v) if isinstance(v, str) else f"?{v!r}"  # a StrEnum code
    return text


_AUDITED: dict[str, list[Column]] = {}


def audited_columns(table: Table) -> list[Column]:
    """The columns an event records (everything but the ORM's own bookkeeping)."""
    cols = _AUDITED.get(table.name)
    if cols is None or (cols and cols[0].table is not table):
        cols = _AUDITED[table.name] = [c for c in table.columns if c.name not in SKIPPED_FIELDS]
    return cols


def record_key(table: Table, row: dict[str, Any]) -> str:
    """How the log names a record: its uuid, or its primary key for tables without one."""
    if "uuid" in table.c:
        return str(row["uuid"])
    return "/".join(str(canon(c, row[c.name])) for c in table.primary_key.columns)


def row_digest(table: Table, row: dict[str, Any], canonical: bool = False) -> str:
    """SHA-256 of a row's audited values (``row`` maps column names to ORM or SQLite values, or to
    ``canon`` values already when ``canonical``), in the table's column order."""
    cols = audited_columns(table)
    if canonical:
        values = [row.get(c.name) for c in cols]
    else:
        values = [converter(c)(row.get(c.name)) for c in cols]
    return canonical_digest(values)


def _odd(value: Any) -> str:
    return f"?{value!r}"  # bytes or another type where the program writes text or numbers


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_odd).encode


def canonical_digest(values: list[Any]) -> str:
    """``row_digest`` of canonical values already in the audited columns' order."""
    return hashlib.sha256(ROW_TAG + _ENCODE(values).encode("utf-8")).hexdigest()


def _plain_column(column: Column) -> bool:
    """Text and integer columns, whose SQLite values are already canonical (anything odd is marked
    by the encoder, and a number where text belongs encodes differently from that text)."""
    kind = sql_type(column)
    return not column.info.get("secret") and isinstance(kind, Integer | String) and not isinstance(kind, Boolean)


def row_canonicalizer(table: Table, names: list[str]):
    """A function from a row tuple (columns ``names``, as SQLite returns them) to the canonical
    values of the audited columns, in order (converting only the columns that need it)."""
    index = {n: i for i, n in enumerate(names)}
    cols = audited_columns(table)
    picks = [index.get(c.name) for c in cols]
    special = [(j, converter(c)) for j, c in enumerate(cols) if not _plain_column(c)]

    def values(row) -> list[Any]:
        out = [row[i] if i is not None else None for i in picks]
        for j, conv in special:
            out[j] = conv(out[j])
        return out
    return values


_DAY_FORM = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
_SECOND_FORM = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]'"
_MICRO_FORM = "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def row_json_sql(table: Table, names: list[str]) -> tuple[str, str]:
    """(SQL giving the JSON text ``canonical_digest`` hashes for a row of ``table``, SQL that is true
    where that JSON may differ) for a table whose columns in the file are ``names``.

    Where the second is false, ``json_array`` over the stored values writes exactly what
    ``_ENCODE(row_canonicalizer(...)(row))`` writes: text, integers and NULL as the Python encoder
    writes them (``tests/test_snapshot_digest.py``), 0/1 in a boolean column as false/true, and a
    date or time only where it is already in the form ``canon`` gives it (``YYYY-MM-DD``,
    ``YYYY-MM-DD HH:MM:SS[.ffffff]``, a real day and time). Everything else — a real number, a BLOB,
    a picture, a secret, text in a number column, a date written otherwise — is true there, for the
    Python canonicalizer (``tests/test_audit_streaming.py`` compares the two on such values). (A
    date column has numeric affinity: it is compared with text through ``substr``, never directly.)"""
    have = set(names)
    parts: list[str] = []
    odd: list[str] = []
    for c in audited_columns(table):
        if c.name not in have:
            parts.append("NULL")
            continue
        q = _quoted(c.name)
        kind = sql_type(c)
        if _plain_column(c):
            parts.append(q)
            odd.append(f"typeof({q}) IN ('real', 'blob')")
        elif c.info.get("secret") or isinstance(kind, LargeBinary):
            parts.append("NULL")
            odd.append(f"{q} IS NOT NULL")
        elif isinstance(kind, Boolean):
            parts.append(f"json(CASE WHEN {q} = 1 THEN 'true' WHEN {q} = 0 THEN 'false' END)")
            odd.append(f"({q} IS NOT NULL AND NOT (typeof({q}) = 'integer' AND {q} IN (0, 1)))")
        elif isinstance(kind, DateTime):
            parts.append(q)
            odd.append(f"({q} IS NOT NULL AND NOT (typeof({q}) = 'text' AND substr({q}, 1, 4) != '0000' AND ("
                       f"({q} GLOB {_SECOND_FORM} AND datetime({q}, '+0 days') IS {q}) OR "
                       f"({q} GLOB {_MICRO_FORM} AND datetime(substr({q}, 1, 19), '+0 days') IS substr({q}, 1, 19) "
                       f"AND substr({q}, 21) != '000000'))))")
        elif isinstance(kind, Date):
            parts.append(q)
            odd.append(f"({q} IS NOT NULL AND NOT (typeof({q}) = 'text' AND substr({q}, 1, 4) != '0000' "
                       f"AND {q} GLOB {_DAY_FORM} AND date({q}, '+0 days') IS {q}))")
        else:  # text under another type: canon keeps a str as it is
            parts.append(q)
            odd.append(f"typeof({q}) IN ('integer', 'real', 'blob')")
    return f"json_array({', '.join(parts)})", " OR ".join(odd) or "0"


def row_digester(table: Table, names: list[str]):
    """A function from a row tuple (columns ``names``, as SQLite returns them) to its digest."""
    values = row_canonicalizer(table, names)
    return lambda row: canonical_digest(values(row))


def rows_digest(rows: Iterable[tuple[str, str, str | None]]) -> str:
    """SHA-256 over a bulk event's (table, key, row digest or None for deleted) lines, sorted."""
    h = hashlib.sha256(ROWS_TAG)
    for table, key, digest in sorted(rows, key=lambda r: (r[0], r[1])):
        h.update(f"{table}\t{key}\t{digest or '-'}\n".encode())
    return h.hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# --------------------------------------------------------------------------- the chain


def event_hash(prev_hash: str, eid: int, at: datetime | str, actor: str, action: str, entity: str,
               entity_uuid: str | None, summary: str | None, changes: str | None) -> str:
    """The ``hash`` of one event (``at`` as a datetime or as SQLite stores it)."""
    when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
    content = _json([eid, when.isoformat(sep=" "), actor, action, entity, entity_uuid, summary, changes])
    return hashlib.sha256(CHAIN_TAG + prev_hash.encode("ascii") + b"\n" + content.encode("utf-8")).hexdigest()


def chain_head(conn: Connection) -> tuple[int, str] | None:
    """(id, hash) of the last event, or None for an empty log."""
    row = conn.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (row[0], row[1] or GENESIS) if row else None


def head_text(head: tuple[int, str] | None) -> str:
    """``第 1234 条 3f2a9c01b7e4d5a6`` — short enough for a form footer, enough to compare."""
    return "审计日志为空" if head is None else f"第 {head[0]} 条 {head[1][:16]}"


HEAD_SUFFIX = ".head.json"


def file_head(path) -> tuple[int, str] | None:
    """The chain head of the database file at ``path`` (None: empty log, or a file from before the chain)."""

    conn = safe_files.connect_read_only(path)
    try:
        if "hash" not in {r[1] for r in conn.execute("PRAGMA table_info(audit_event)")}:
            return None
        row = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    return (row[0], row[1]) if row and row[1] else None


def write_head_file(copy) -> tuple[int, str] | None:
    """Beside a backup copy, ``<copy>.head.json``: its chain head, to compare with later
    (``gzdesk verify --head``). Kept somewhere else than the PC, it shows whether the history
    up to then was rewritten; beside the copy, it only shows which history the copy holds."""
    from pathlib import Path

    head = file_head(copy)
    data = {"file": Path(copy).name, "written_at": now().isoformat(sep=" "),
            "audit_chain_head": {"id": head[0], "hash": head[1]} if head else None,
            "compare": f"gzdesk verify --head {head[0]}:{head[1][:16]}" if head else None}
    Path(str(copy) + HEAD_SUFFIX).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return head


def append_to_file(path, actor: str, action: str, entity: str, summary: str, changes: dict | None) -> int:
    """One event at the end of the chain of the database file at ``path`` (outside any session:
    a restore, which replaces the file itself)."""
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        head = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        eid, prev = (head[0] + 1, head[1] or GENESIS) if head else (1, GENESIS)
        at = now()
        text = json.dumps(changes, ensure_ascii=False) if changes else None
        digest = event_hash(prev, eid, at, actor, action, entity, None, summary, text)
        conn.execute("INSERT INTO audit_event (id, at, actor, action, entity, entity_uuid, summary, changes, "
                     "prev_hash, hash) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)",
                     (eid, at.isoformat(sep=" "), actor, action, entity, summary, text, prev, digest))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return eid


def _append(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert events (dicts without id/hash) at the end of the chain; returns their ids."""
    if not rows:
        return []
    head = chain_head(conn)
    eid, prev = (head[0], head[1]) if head else (0, GENESIS)
    out = []
    for r in rows:
        eid += 1
        r["id"], r["prev_hash"] = eid, prev
        r["hash"] = prev = event_hash(prev, eid, r["at"], r["actor"], r["action"], r["entity"], r["entity_uuid"],
                                      r["summary"], r["changes"])
        out.append(eid)
    conn.execute(insert(AuditEvent), rows)
    return out


def actor_of(session: Session) -> str:
    return session.info.get("actor") or "系统"


def _event_row(session: Session, action: str, entity: str, entity_uuid: str | None, summary: str | None,
               changes: dict | None) -> dict[str, Any]:
    return {"at": now(), "actor": actor_of(session)[:100], "action": action,
            "entity": entity, "entity_uuid": entity_uuid, "summary": (summary or None) and str(summary)[:500],
            "changes": json.dumps(changes, ensure_ascii=False) if changes else None}


def record(session: Session, action: str, entity: str, summary: str | None = None,
           entity_uuid: str | None = None, changes: dict | None = None) -> int:
    """Add one event by hand (a restore, a re-pinned key…): after what the session has pending."""
    session.flush()
    return _append(session.connection(), [_event_row(session, action, entity, entity_uuid, summary, changes)])[0]


# --------------------------------------------------------------------------- bulk writes


def note_rows(session: Session, table: str, keys: Iterable[str], deleted: bool = False) -> None:
    """A bulk write (raw SQL) wrote (or deleted) these records of ``table``; ``record_bulk`` logs them."""
    changes.note(session, table)
    noted = session.info.setdefault("audit_bulk", {}).setdefault(table, {})
    noted.update(dict.fromkeys(map(str, keys), deleted))


def record_bulk(session: Session, action: str, entity: str, summary: str | None = None,
                changes: dict | None = None, entity_uuid: str | None = None) -> int:
    """One event for the rows noted since the last call, each row's digest in ``audit_row``.

    The lines are made in the order ``rows_digest`` takes them — tables by name, then each
    table's keys sorted on their own — and hashed for the event's ``rows_digest`` as they are
    made, rather than sorted by a key and sorted again (``tests/test_record_bulk.py`` compares
    the event and lines with those of the way they were written before)."""
    session.flush()
    conn = session.connection()
    noted: dict[str, dict[str, bool]] = session.info.pop("audit_bulk", {})
    lines: list[tuple[str, str, str | None]] = []
    h = hashlib.sha256(ROWS_TAG)
    for noted_as in sorted(noted):
        keys = noted[noted_as]
        table = Base.metadata.tables[noted_as]
        name = str(noted_as)  # (a Table's name is a str subclass: sqlite3 would look for an adapter on each line)
        present = _digests(conn, table, [k for k, gone in keys.items() if not gone])
        get = present.get
        part = [(name, key, None if keys[key] else get(key)) for key in sorted(keys)]
        h.update("".join([f"{name}\t{key}\t{digest or '-'}\n" for _t, key, digest in part]).encode())
        lines += part
    data = dict(changes or {})
    data.update(rows=len(lines), rows_digest=h.hexdigest())
    eid = _append(conn, [_event_row(session, action, entity, entity_uuid, summary, data)])[0]
    if lines:
        raw: Any = conn.connection.driver_connection  # the same sqlite3 connection and transaction
        raw.executemany(f"INSERT INTO audit_row (event_id, entity, entity_uuid, digest) VALUES ({int(eid)}, ?, ?, ?)",
                        lines)
    return eid


def _digests(conn: Connection, table: Table, keys: list[str]) -> dict[str, str]:
    """key → digest of the rows of ``table`` with these keys (as the database holds them now).

    Each row's JSON is written by SQLite (``row_json_sql``) and hashed here; a row it marks (a
    real, a BLOB, a date not in canon's form…) is read whole and digested in Python, as are the
    small tables without a uuid. Text is read with SQLite's own UTF-8 decoding; a table with a
    byte that is not UTF-8 is read again through the connection's text factory (``gzdesk.db``'s
    reads it as U+FFFD), whose text — and so each digest — is the same wherever the bytes are valid."""
    if not keys:
        return {}
    raw: Any = conn.connection.driver_connection  # the same sqlite3 connection and transaction, without row objects
    return sqlite_text_first(raw, lambda: _digests_read(raw, table, keys))


def _digests_read(raw: Any, table: Table, keys: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    names = [c.name for c in table.columns]
    select_list = ", ".join(f'"{n}"' for n in names)
    if "uuid" not in table.c:  # small tables (settings, holidays): read them whole
        digest = row_digester(table, names)
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
    sha256, tag = hashlib.sha256, ROW_TAG

    def whole(rowid) -> str:
        return _ENCODE(canonical(raw.execute(by_rowid, (rowid,)).fetchone()))

    # The table's size, estimated by its largest rowid (one step down the table's b-tree; count(*)
    # reads a whole index, a pass per call that grows with the library in a merge of many files).
    # Deleted rows make it an overestimate, which only leans towards the chunked reads; both ways
    # give the same digests.
    total = raw.execute(f'SELECT max(rowid) FROM "{table.name}"').fetchone()[0] or 0
    if len(keys) * 4 >= total:  # most of the table (demo data, a first import or merge): one scan
        wanted = set(keys)
        for key, rowid, text in raw.execute(query):
            if key in wanted:  # (a key SQLite holds as another type than text is never one of them)
                out[key] = sha256(tag + (text if text is not None else whole(rowid)).encode()).hexdigest()
        return out
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for key, rowid, text in raw.execute(f"{query} WHERE uuid IN ({marks})", tuple(chunk)).fetchall():
            out[str(key)] = sha256(tag + (text if text is not None else whole(rowid)).encode()).hexdigest()
    return out


# --------------------------------------------------------------------------- the ORM hooks


def _audited(target: Any) -> bool:
    return isinstance(target, Base) and target.__tablename__ not in AUDIT_TABLES


def _pending(target: Any) -> list | None:
    session = object_session(target)
    if session is None or session.info.get("audit_off"):
        return None
    return session.info.setdefault("audit_pending", [])


def _summary(target: Any) -> str | None:
    for attr in SUMMARY_ATTRS:
        value = getattr(target, attr, None)
        if value:
            return str(value)[:500]
    return None


def _values(target: Any) -> dict[str, Any]:
    table = target.__table__
    return {c.name: canon(c, getattr(target, _attr(target, c))) for c in audited_columns(table)}


def _attr(target: Any, column: Column) -> str:
    return inspect(target).mapper.get_property_by_column(column).key


def _key(target: Any) -> str:
    table = target.__table__
    return record_key(table, {c.name: getattr(target, _attr(target, c)) for c in table.columns})


def _after_insert(_mapper, _conn, target) -> None:
    pending = _pending(target) if _audited(target) else None
    if pending is not None:
        changes = {k: [None, v] for k, v in _values(target).items() if v is not None}
        pending.append((target.__tablename__, _key(target), "create", _summary(target), changes))


def _after_update(_mapper, _conn, target) -> None:
    pending = _pending(target) if _audited(target) else None
    if pending is None:
        return
    state = inspect(target)
    changes = {}
    for column in audited_columns(target.__table__):
        hist = state.attrs[_attr(target, column)].history
        if not hist.has_changes():
            continue
        before = canon(column, hist.deleted[0] if hist.deleted else None)
        after = canon(column, hist.added[0] if hist.added else None)
        if before != after:
            changes[column.name] = [before, after]
    if changes:
        pending.append((target.__tablename__, _key(target), "update", _summary(target), changes))


def _after_delete(_mapper, _conn, target) -> None:
    pending = _pending(target) if _audited(target) else None
    if pending is not None:
        changes = {k: [v, None] for k, v in _values(target).items() if v is not None}
        pending.append((target.__tablename__, _key(target), "delete", _summary(target), changes))


def _after_flush(session: Session, _ctx) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    rows = [_event_row(session, action, entity, key, summary, changes)
            for entity, key, action, summary, changes in pending]
    at = now()
    for r in rows:
        r["at"] = at
    _append(session.connection(), rows)


def _before_commit(session: Session) -> None:
    """Rows noted by a bulk write that forgot ``record_bulk`` are still logged."""
    if session.info.get("audit_bulk"):
        record_bulk(session, "bulk", "*", "批量写入")


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_pending", None)
    session.info.pop("audit_bulk", None)


_mapper_hooks_installed = False


def install(session_class: type[Session]) -> None:
    global _mapper_hooks_installed
    if not _mapper_hooks_installed:
        event.listen(Base, "after_insert", _after_insert, propagate=True)
        event.listen(Base, "after_update", _after_update, propagate=True)
        event.listen(Base, "after_delete", _after_delete, propagate=True)
        _mapper_hooks_installed = True
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(session_class, "before_commit", _before_commit)
    event.listen(session_class, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def adopt_legacy_log(conn) -> None:
    """Schema 8 migration step (raw sqlite3, inside the migration's transaction): chain the events
    written before there was a chain, as they are now, then one ``baseline`` event with the digest
    of every record, so that later checks start from the state the upgrade found."""
    from gzdesk.audit_verify import legacy_baseline

    legacy_baseline(conn)
