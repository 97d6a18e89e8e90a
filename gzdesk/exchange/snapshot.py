"""上报快照: the single SQLite file a county e-mails upward, and the checks made before merging one.

A snapshot is a consistent copy of the office's database (``VACUUM INTO``: one read transaction, so it
can be made while the program is open and writing — WAL mode is on — and written anew, so that
nothing deleted from the office's file travels in a free page), with its users emptied (their
password hashes stay home) and a table ``snapshot_manifest`` added. Since format 2 it keeps the
office's audit log, so the receiver can check that the records are what the log says and that
the history extends what it merged before (``gzdesk.exchange.trust``); an office whose own log
does not verify cannot export.

- ``format_version`` (this module's ``FORMAT_VERSION``), ``manifest`` (JSON: source unit name and
  uuid, profile, schema version = ``PRAGMA user_version``, created time, record counts per table,
  and from format 2 the audit chain head ``{"id", "hash"}`` and the office's public key),
- ``signature`` (format 2): the office's Ed25519 signature of the content hash with the manifest
  (``trust.signed_message``); the private key never leaves the office (``gzdesk.signing``),
- ``sha256``: the **content hash**, defined canonically so that it survives ``VACUUM`` and a page
  re-layout but not a changed value: SHA-256 over ``b"gzdesk-snapshot-content/1\\n"``, the manifest
  JSON (sorted keys, no spaces), the schema (``sqlite_master`` ordered by type and name) and then,
  for every table ordered by name (except the manifest), its name and column list and each row —
  ordered by ``uuid`` where the table has one, else by every column — as one JSON line
  (BLOBs as ``{"$b": base64}``),
- ``seal``: a **file seal**, SHA-256 of the whole file as written with the 64 hex digits of the
  seal itself read as zeros. The content hash alone cannot see a byte flipped in a page's unused
  space; the seal can, so a file changed anywhere after export is refused.

``open_snapshot`` checks a file in this order, each failure a ``UserError`` with the reason: a
SQLite file at all, ``PRAGMA integrity_check``, a gzdesk snapshot (application id, manifest), not
newer than this program (schema and format), content hash, seal; then, on the copy migrated to
this program's schema version if it is older, every value (``gzdesk.value_check``: the hashes are
unkeyed, anyone can re-seal an edited file, so the values are checked for themselves). It hands
out that private copy for ``gzdesk.exchange.merge``: in ``gzdesk-snapshot-<pid>-…`` under the data
folder's ``tmp`` (``gzdesk.safe_files``), removed when done or, after a kill, on the next start.

``export_snapshot`` refuses a database holding a bad value in the same way, naming the record and
field, so the office fixes it before anything leaves.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from gzdesk import dblock, safe_files, value_check
from gzdesk.errors import UserError
from gzdesk.exchange import trust
from gzdesk.exchange.progress import Cancelled, ProgressCallback
from gzdesk.models import migrations
from gzdesk.models.types import sqlite_text_first

FORMAT_VERSION = 2  # 2: the audit log travels, the manifest names its chain head
MANIFEST_TABLE = "snapshot_manifest"
SEAL_PREFIX = b"GZDESK-SNAPSHOT-SEAL:"
SEAL_ZEROS = b"0" * 64
CONTENT_TAG = b"gzdesk-snapshot-content/1\n"

# Tables whose rows travel and merge: every table with a uuid (see merge.synced_tables); the counts
# in the manifest name them. The users (password hashes) and the signing key stay home (emptied).
STRIPPED_TABLES = ("app_user", "signing_key")


@dataclass
class Manifest:
    """What a snapshot says about itself."""

    source_name: str
    source_unit_uuid: str
    profile_id: str | None
    profile_name: str | None
    schema_version: int
    created_at: str  # ISO 8601 with microseconds, local time of the exporting PC
    counts: dict[str, int] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    sha256: str = ""
    chain_head: tuple[int, str] | None = None  # format 2: the audit log's last event (id, hash)
    public_key: str | None = None  # format 2: the exporting office's Ed25519 key (hex)
    signature: str | None = None  # format 2: not part of the hashed fields (it signs them)

    def fields(self) -> dict:
        """The hashed part (everything but the hash)."""
        out = {"format_version": self.format_version, "source_name": self.source_name,
               "source_unit_uuid": self.source_unit_uuid, "profile_id": self.profile_id,
               "profile_name": self.profile_name, "schema_version": self.schema_version,
               "created_at": self.created_at, "counts": dict(sorted(self.counts.items()))}
        if self.format_version >= 2:
            out["chain_head"] = trust.head_json(self.chain_head)
            out["public_key"] = self.public_key
        return out

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.created_at)

    def to_json(self) -> dict:
        return dict(self.fields(), sha256=self.sha256)


@dataclass
class SnapshotInfo:
    """The result of an export (and of ``inspect_snapshot``)."""

    path: Path
    manifest: Manifest
    size: int


# --------------------------------------------------------------------------- canonical content


def _canon(value) -> str:
    return _CANON.encode(value)


def _blob(value):
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    raise TypeError(type(value))


# one encoder for every value (``json.dumps`` with options builds a new one per call)
_CANON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_blob)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def data_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != ? "
        "ORDER BY name", (MANIFEST_TABLE,))]


def columns_of(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({_quote(table)})")]


def content_digest(conn: sqlite3.Connection, manifest_fields: dict,
                   on_rows: Callable[[int], None] | None = None) -> str:
    """The canonical content hash described in the module docstring (``on_rows(n)`` every 1000 rows).

    Text is read by SQLite's own UTF-8 decoder (a Python text factory costs a call per value);
    only a file with a byte that is not UTF-8 is read again through the connection's own factory
    (``_text``: U+FFFD), which gives the same text wherever the bytes are valid."""
    return sqlite_text_first(conn, lambda: _content_digest(conn, manifest_fields, on_rows))


def _content_digest(conn: sqlite3.Connection, manifest_fields: dict,
                    on_rows: Callable[[int], None] | None = None) -> str:
    h = hashlib.sha256()
    h.update(CONTENT_TAG)
    h.update(_canon(manifest_fields).encode("utf-8") + b"\n")
    schema = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != ? "
                          "AND tbl_name != ? ORDER BY type, name", (MANIFEST_TABLE, MANIFEST_TABLE)).fetchall()
    h.update(_canon([list(r) for r in schema]).encode("utf-8") + b"\n")
    in_sql = conn.text_factory is str  # SQLite's own decoding: its JSON is the text Python reads
    for table in data_tables(conn):
        cols = columns_of(conn, table)
        h.update(_canon([table, cols]).encode("utf-8") + b"\n")
        if in_sql and _hash_rows_sql(conn, h, table, cols, on_rows):
            continue
        order = _quote("uuid") if "uuid" in cols else ", ".join(str(i + 1) for i in range(len(cols)))
        select = ", ".join(_quote(c) for c in cols)
        cursor = conn.execute(f"SELECT {select} FROM {_quote(table)} ORDER BY {order}")
        while rows := cursor.fetchmany(1000):  # the same bytes as row by row, hashed 1,000 rows at a time
            h.update("".join(_CANON.encode(list(row)) + "\n" for row in rows).encode("utf-8"))
            if on_rows is not None:
                on_rows(len(rows))
    return h.hexdigest()


HASH_ROWS_PER_FETCH = 5000


def _hash_rows_sql(conn: sqlite3.Connection, h, table: str, cols: list[str],
                   on_rows: Callable[[int], None] | None) -> bool:
    """Hash a table's rows with each JSON line made by SQLite (``json_array``), 5,000 rows at a
    time; False (nothing hashed) where the table needs the Python encoder.

    For text, integers and NULL, ``json_array`` writes exactly what ``_CANON`` writes: the same
    escapes (``\\"``, ``\\\\``, the short forms of \\b \\f \\n \\r \\t, ``\\u00xx`` for the other
    control characters), every other character as it is, integers in decimal
    (``tests/test_snapshot_digest.py`` compares the two on every such value). It writes reals
    otherwise (``1.0e+20`` for ``1e+20``) and refuses BLOBs: a row holding either (an attachment,
    a QR picture) comes back as its rowid and is encoded in Python, as before. The rows are in the
    same order as there (by ``uuid``, else by every column)."""
    q = [_quote(c) for c in cols]
    if not q or {c.lower() for c in cols} & {"rowid", "_rowid_", "oid"}:
        return False
    odd = " OR ".join(f"typeof({c}) IN ('real', 'blob')" for c in q)
    order = _quote("uuid") if "uuid" in cols else ", ".join(q)
    name = _quote(table)
    # a table with no such row (the usual case: one scan, no sort) is read without the per-row test
    try:
        if conn.execute(f"SELECT 1 FROM {name} WHERE {odd} LIMIT 1").fetchone() is None:
            cursor = conn.execute(f"SELECT json_array({', '.join(q)}), NULL FROM {name} ORDER BY {order}")
        else:
            cursor = conn.execute(f"SELECT CASE WHEN {odd} THEN NULL ELSE json_array({', '.join(q)}) END, "
                                  f"CASE WHEN {odd} THEN rowid END FROM {name} ORDER BY {order}")
    except sqlite3.OperationalError as exc:  # a table without rowid, a SQLite without JSON: in Python
        if "decode" in str(exc):
            raise
        return False
    by_rowid = f"SELECT {', '.join(q)} FROM {name} WHERE rowid = ?"
    encode = _CANON.encode
    while rows := cursor.fetchmany(HASH_ROWS_PER_FETCH):
        h.update(("\n".join(j if j is not None else encode(list(conn.execute(by_rowid, (r,)).fetchone()))
                            for j, r in rows) + "\n").encode("utf-8"))
        if on_rows is not None:
            on_rows(len(rows))
    return True


def record_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table that carries records (tables with a uuid column)."""
    out = {}
    for table in data_tables(conn):
        if "uuid" in columns_of(conn, table):
            out[table] = conn.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
    return out


# --------------------------------------------------------------------------- file seal


CHUNK = 1 << 20


def _seal_position(path: Path) -> int:
    """Offset of the 64 hex digits of the seal; UserError unless the marker occurs exactly once.

    Read in chunks (a snapshot of 200,000 accounts is hundreds of MB), overlapping by the marker's
    length so that a marker across a chunk border is found.
    """
    found: list[int] = []
    overlap = len(SEAL_PREFIX) - 1
    with open(path, "rb") as f:
        base, tail = 0, b""
        while len(found) < 2:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            window = tail + chunk
            start = 0
            while (i := window.find(SEAL_PREFIX, start)) >= 0:
                found.append(base - len(tail) + i)
                start = i + 1
            tail = window[-overlap:] if overlap else b""
            base += len(chunk)
    if len(found) != 1:
        raise UserError("快照的文件校验标记缺失或重复，文件已被改动")
    return found[0] + len(SEAL_PREFIX)


def _file_seal(path: Path, pos: int) -> tuple[str, str]:
    """(seal computed with the seal's digits as zeros, the digits stored in the file)."""
    h = hashlib.sha256()
    stored = b""
    with open(path, "rb") as f:
        offset = 0
        while chunk := f.read(CHUNK):
            end = offset + len(chunk)
            if end > pos and offset < pos + 64:  # this chunk holds (part of) the seal digits
                buf = bytearray(chunk)
                lo, hi = max(pos, offset) - offset, min(pos + 64, end) - offset
                stored += bytes(buf[lo:hi])
                buf[lo:hi] = SEAL_ZEROS[: hi - lo]
                chunk = bytes(buf)
            h.update(chunk)
            offset = end
    return h.hexdigest(), stored.decode("ascii", errors="replace")


def _write_seal(path: Path) -> None:
    pos = _seal_position(path)
    digest, stored = _file_seal(path, pos)
    if stored != SEAL_ZEROS.decode():
        raise RuntimeError("seal placeholder not found")
    with open(path, "r+b") as f:
        f.seek(pos)
        f.write(digest.encode("ascii"))


def _check_seal(path: Path, name: str) -> None:
    digest, stored = _file_seal(path, _seal_position(path))
    if stored != digest:
        raise UserError(f"快照“{name}”的文件校验值不符：文件在导出后被改动过，已拒绝")


# --------------------------------------------------------------------------- export


class _Percent:
    """Maps the export's phases onto 0‥100 for a ``callback(done, total)``; raises ``Cancelled``."""

    def __init__(self, callback: ProgressCallback | None):
        self.callback = callback

    def __call__(self, percent: int) -> None:
        if self.callback is not None and self.callback(max(0, min(100, percent)), 100) is False:
            raise Cancelled("已取消导出，未留下文件")


def _office_identity(conn: sqlite3.Connection) -> tuple[str, str, str | None, str | None]:
    settings = dict(conn.execute("SELECT key, value FROM setting"))
    unit_id = settings.get("office_unit_id")
    if unit_id is None:
        raise UserError("数据库尚未初始化，请先运行 gzdesk init --unit 单位名称 --profile 配置编号")
    row = conn.execute("SELECT name, uuid FROM unit WHERE id = ?", (int(unit_id),)).fetchone()
    if row is None:
        raise UserError("本单位记录缺失，无法导出快照（请运行 gzdesk verify 检查数据库）")
    profile_id = profile_name = None
    if settings.get("profile"):
        try:
            profile = json.loads(settings["profile"])
            profile_id, profile_name = profile.get("id"), profile.get("name")
        except (ValueError, AttributeError):
            pass
    return row[0], row[1], profile_id, profile_name


def export_snapshot(db_path: Path, target: Path, progress: ProgressCallback | None = None,
                    now: datetime | None = None) -> SnapshotInfo:
    """Write the snapshot of the database at ``db_path`` to ``target`` (replaced if it exists).

    The file is built as ``target.partial`` and renamed at the end; on any error or a cancel the
    partial file is deleted, and an existing ``target`` is left as it was.
    """
    db_path, target = Path(db_path), Path(target)
    if not db_path.exists():
        raise UserError(f"找不到数据库文件“{db_path}”")
    if target.resolve() == db_path.resolve():
        raise UserError("快照文件不能与数据库文件相同")
    if not target.parent.exists():
        raise UserError(f"文件夹“{target.parent}”不存在")
    partial = safe_files.partial_path(target)
    step = _Percent(progress)
    try:
        safe_files.remove_database_file(partial)
        step(0)
        with dblock.operation(db_path, exclusive=False):
            _copy_database(db_path, partial, step)
        _refuse_bad_values(partial, f"数据库“{db_path.name}”中有无效的值，未导出快照",
                           "请在程序中改正后再导出（gzdesk verify 列出全部）")
        manifest = _finish_copy(partial, now or datetime.now(), step)
        _write_seal(partial)
        step(98)
        problem = integrity_problem(partial)
        if problem:
            raise UserError(f"生成的快照未通过完整性检查：{problem}")
        safe_files.finish(partial, target)
        step(100)
    except BaseException:
        safe_files.remove_database_file(partial)
        raise
    return SnapshotInfo(target, manifest, target.stat().st_size)


def _copy_database(source: Path, dest: Path, step: _Percent) -> None:
    """Online backup in steps (so that it reports progress and can be cancelled)."""
    try:
        src = safe_files.connect_read_only(source)
        try:
            version, app_id, has_tables = migrations.read_version(src)
        finally:
            src.close()
        if app_id != migrations.APPLICATION_ID or not has_tables:
            raise UserError(f"文件“{source.name}”不是 gzdesk 数据库")
        if version > migrations.LATEST_VERSION:
            raise UserError(f"数据库“{source.name}”由较新版本的 gzdesk 写入，请升级程序")
        _compact_copy(source, dest, step)
        dst = sqlite3.connect(dest)
        try:
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    except safe_files.SQLITE_ERRORS as exc:
        raise UserError(f"读取数据库失败：{exc}") from None


COPY_STEPS = 1000  # SQLite instructions between two looks at the progress (and a cancel)
INSTRUCTIONS_PER_PAGE = 200  # about what a page of a registry takes to copy (20,000 accounts: 195)


def _compact_copy(source: Path, dest: Path, step: _Percent) -> None:
    """A consistent copy of ``source`` with nothing in it but the live records: ``VACUUM INTO``
    (one read transaction, like the online backup, while the program may be writing), written
    page by page anew, so that no free page or free space of a page carries something deleted
    from the office's database. One pass instead of a backup and a ``VACUUM`` of the copy."""
    src = safe_files.connect_read_only(source)
    try:
        pages = src.execute("PRAGMA page_count").fetchone()[0]
        expected = max(1, pages * INSTRUCTIONS_PER_PAGE // COPY_STEPS)  # looks, for the progress only
        looks = [0]
        stopped: list[Cancelled] = []

        def look() -> int:
            looks[0] += 1
            try:
                step(min(59, 60 * looks[0] // expected))
            except Cancelled as exc:
                stopped.append(exc)
                return 1  # interrupts the copy
            return 0

        src.set_progress_handler(look, COPY_STEPS)
        try:
            src.execute("VACUUM INTO ?", (str(dest),))
        except sqlite3.OperationalError:
            if stopped:
                raise stopped[0] from None
            raise
    finally:
        src.close()
    step(60)


def _refuse_bad_values(path: Path, head: str, advice: str) -> None:
    """UserError naming the first bad values (table, record, field) of the file at ``path``."""
    conn = safe_files.connect_read_only(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    # a database of an older schema is exported as it is (the receiver migrates it): it lacks the
    # newer tables; a snapshot is checked after its migration, where every table must exist
    report = value_check.check_file(path, require_tables=version >= migrations.LATEST_VERSION)
    if not report.ok:
        raise UserError(f"{head}（共 {report.total} 处）：{report.summary()}。{advice}")


def _finish_copy(path: Path, created: datetime, step: _Percent) -> Manifest:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.text_factory = _text
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        name, unit_uuid, profile_id, profile_name = _office_identity(conn)
        head = trust.prepare_copy(conn, name)  # the office's own log must verify
        key = trust.copy_key(conn)  # (public, private) or None; the table is emptied below
        conn.execute("PRAGMA secure_delete = ON")  # what is emptied is overwritten, free pages too
        conn.execute("BEGIN")
        for table in STRIPPED_TABLES:
            if table in data_tables(conn):
                conn.execute(f"DELETE FROM {_quote(table)}")
        conn.execute(f"CREATE TABLE {MANIFEST_TABLE} (format_version INTEGER NOT NULL, "
                     "manifest TEXT NOT NULL, sha256 TEXT NOT NULL, seal TEXT NOT NULL, signature TEXT)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        manifest = Manifest(source_name=name, source_unit_uuid=unit_uuid, profile_id=profile_id,
                            profile_name=profile_name, schema_version=version,
                            created_at=created.isoformat(timespec="microseconds"),
                            counts=record_counts(conn), chain_head=head, public_key=key[0] if key else None)
        step(65)
        manifest.sha256 = content_digest(conn, manifest.fields())
        step(85)
        manifest.signature = trust.sign_manifest(manifest, key[1]) if key else None
        del key
        conn.execute(f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?, ?, ?, ?)",
                     (FORMAT_VERSION, _canon(manifest.fields()), manifest.sha256,
                      (SEAL_PREFIX + SEAL_ZEROS).decode("ascii"), manifest.signature))
        conn.execute("COMMIT")  # (the copy was compacted when made: no VACUUM of it)
        step(95)
        return manifest
    finally:
        conn.close()


def reseal(path: Path) -> Manifest:
    """Recompute the counts, content hash and seal of a snapshot edited after export.

    This is what anyone holding the file can do — both are unkeyed SHA-256, proof against
    accidental damage only (DESIGN.md, Trust) — so the checks a merge makes on the *values*
    (``gzdesk.value_check``) must not rest on them. The fuzz harness (scripts/fuzz_snapshots.py)
    and the tests use this to make files that pass every checksum and still carry bad values.

    What such a person cannot redo is the office's signature (the private key stays in its
    database) nor an audit log that agrees with the edited records: the file comes out unsigned
    and without a chain head, as an older gzdesk exports it — which a city accepts only from a
    source whose key it has not pinned yet (``gzdesk.exchange.trust``).
    """
    path = Path(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.text_factory = _text
    try:
        manifest = read_manifest(conn, path.name, check_identity=False)
        manifest.counts = record_counts(conn)
        manifest.chain_head = manifest.public_key = manifest.signature = None
        manifest.sha256 = content_digest(conn, manifest.fields())
        conn.execute(f"UPDATE {MANIFEST_TABLE} SET manifest = ?, sha256 = ?, seal = ?, signature = NULL",
                     (_canon(manifest.fields()), manifest.sha256, (SEAL_PREFIX + SEAL_ZEROS).decode("ascii")))
        conn.execute("VACUUM")  # no old seal left in a free page
    finally:
        conn.close()
    _write_seal(path)
    return manifest


def _text(raw: bytes) -> str:
    """Text values as SQLite holds them; invalid UTF-8 (a damaged byte) becomes U+FFFD, so it is
    hashed (and refused by the content hash) instead of stopping the read with a garbled error."""
    return raw.decode("utf-8", errors="replace")


def _short(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "文件的结构中有无法识别的字节"
    text = " ".join(str(exc).split())
    return text if len(text) <= 80 else text[:80] + "…"


def integrity_problem(path: Path) -> str | None:
    """None when ``PRAGMA integrity_check`` says ok, else its first lines."""
    try:
        conn = safe_files.connect_read_only(path)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        finally:
            conn.close()
    except safe_files.SQLITE_ERRORS as exc:
        return str(exc)
    if rows == ["ok"]:
        return None
    return safe_files.check_text(rows, 3)


# --------------------------------------------------------------------------- reading


@dataclass
class OpenedSnapshot:
    """A checked snapshot: its manifest and a private copy at this program's schema version."""

    source: Path
    manifest: Manifest
    path: Path  # the private copy (deleted when the ``open_snapshot`` block ends)
    migrated_from: int | None = None


def read_manifest(conn: sqlite3.Connection, name: str, *, check_identity: bool = True) -> Manifest:
    try:
        row = conn.execute(f"SELECT format_version, manifest, sha256 FROM {MANIFEST_TABLE}").fetchall()
    except safe_files.SQLITE_ERRORS:
        raise UserError(f"文件“{name}”不是上报快照（缺少快照清单）") from None
    if len(row) != 1:
        raise UserError(f"快照“{name}”的清单已损坏")
    fmt, text, sha = row[0]
    columns = {r[1] for r in conn.execute(f"PRAGMA table_info({MANIFEST_TABLE})")}
    signature = None
    if "signature" in columns:
        signature = conn.execute(f"SELECT signature FROM {MANIFEST_TABLE}").fetchone()[0]
        if signature is not None and not isinstance(signature, str):
            raise UserError(f"快照“{name}”的清单已损坏")
    if not isinstance(fmt, int) or fmt > FORMAT_VERSION:
        raise UserError(f"快照“{name}”的格式（版本 {fmt}）较新，本程序无法读取，请升级程序")
    try:
        data = json.loads(text)
        manifest = Manifest(source_name=str(data["source_name"]), source_unit_uuid=str(data["source_unit_uuid"]),
                            profile_id=data.get("profile_id"), profile_name=data.get("profile_name"),
                            schema_version=int(data["schema_version"]), created_at=str(data["created_at"]),
                            counts={str(k): int(v) for k, v in dict(data["counts"]).items()},
                            format_version=int(data.get("format_version", fmt)), sha256=str(sha),
                            chain_head=trust.head_of(data.get("chain_head")),
                            public_key=data.get("public_key"), signature=signature)
        manifest.created  # noqa: B018 — a bad date is a damaged manifest
        if check_identity:  # reseal (below) rewrites whatever a person put there
            uuid.UUID(manifest.source_unit_uuid)
            if not _plain_name(data["source_name"]):
                raise ValueError("source_name")
    except (ValueError, KeyError, TypeError):
        raise UserError(f"快照“{name}”的清单已损坏") from None
    return manifest


MAX_SOURCE_NAME = 200  # a unit's name; it is printed in every message about the snapshot


def _plain_name(value: object) -> bool:
    """A source's name as an office could have typed it: text, not empty, one line, not huge."""
    return (isinstance(value, str) and 0 < len(value.strip()) and len(value) <= MAX_SOURCE_NAME
            and not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in value))


def _check_copy(copy: Path, name: str, on_rows: Callable[[int], None] | None = None) -> Manifest:
    """Every check that needs SQLite, on the private copy. Returns the verified manifest."""
    try:
        conn = safe_files.connect_read_only(copy)
        conn.text_factory = _text
    except safe_files.SQLITE_ERRORS as exc:
        raise UserError(f"快照“{name}”已损坏：{_short(exc)}") from None
    try:
        try:
            checks = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            version, app_id, _ = migrations.read_version(conn)
        except safe_files.SQLITE_ERRORS as exc:  # (a damaged name in the schema: UnicodeDecodeError)
            raise UserError(f"快照“{name}”已损坏：{_short(exc)}") from None
        if checks != ["ok"]:
            raise UserError(f"快照“{name}”已损坏（完整性检查：{safe_files.check_text(checks)}）")
        if app_id != migrations.APPLICATION_ID:
            raise UserError(f"文件“{name}”不是 gzdesk 上报快照")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if MANIFEST_TABLE not in tables:
            raise UserError(f"文件“{name}”是 gzdesk 数据库而不是上报快照；请在下级单位用“导出上报快照”生成")
        manifest = read_manifest(conn, name)
        newest = max(version, manifest.schema_version)
        if newest > migrations.LATEST_VERSION:
            raise UserError(f"快照“{name}”由较新版本的 gzdesk 导出（结构版本 {newest}），本程序只支持到版本 "
                            f"{migrations.LATEST_VERSION}，请升级程序后再合并")
        if version != manifest.schema_version:
            raise UserError(f"快照“{name}”的结构版本与清单不符，文件已被改动")
        try:
            digest = content_digest(conn, manifest.fields(), on_rows)
        except safe_files.SQLITE_ERRORS as exc:
            raise UserError(f"快照“{name}”已损坏：{_short(exc)}") from None
        if digest != manifest.sha256:
            raise UserError(f"快照“{name}”的内容校验值（SHA-256）不符：文件在导出后被篡改或已损坏，已拒绝")
        return manifest
    finally:
        conn.close()


@contextmanager
def open_snapshot(path: Path, on_rows: Callable[[int], None] | None = None) -> Iterator[OpenedSnapshot]:
    """Check the snapshot at ``path`` (see the module docstring) and yield a private copy.

    ``on_rows(n)`` is called as the content hash reads rows (for progress; it may raise ``Cancelled``).
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise UserError(f"找不到快照文件“{path}”")
    with open(path, "rb") as f:
        head = f.read(len(migrations.SQLITE_MAGIC))
    if head != migrations.SQLITE_MAGIC:
        raise UserError(f"文件“{name}”不是上报快照（不是 SQLite 数据库文件）")
    folder = safe_files.private_folder("snapshot")  # removed below, or by the next start if killed
    try:
        copy = folder / "snapshot.db"
        shutil.copyfile(path, copy)  # every check, and the merge, read this one private copy
        manifest = _check_copy(copy, name, on_rows)
        _check_seal(copy, name)
        migrated_from = None
        if manifest.schema_version < migrations.LATEST_VERSION:
            try:
                migrations.migrate(copy, backup=False)
            except safe_files.SQLITE_ERRORS as exc:
                raise UserError(f"快照“{name}”（结构版本 {manifest.schema_version}）无法升级到本程序的版本："
                                f"{_short(exc)}") from None
            migrated_from = manifest.schema_version
        _refuse_bad_values(copy, f"快照“{name}”中有无效的值，已拒绝，本库未作任何改动",
                           "请来源单位改正后重新导出")
        yield OpenedSnapshot(path, manifest, copy, migrated_from)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def inspect_snapshot(path: Path) -> SnapshotInfo:
    """Check a snapshot and say what it is (without merging it)."""
    with open_snapshot(path) as snap:
        return SnapshotInfo(Path(path), snap.manifest, Path(path).stat().st_size)
