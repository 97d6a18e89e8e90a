"""Checking every stored value of every record, driven by the ORM (what a hand-edited database or
another office's snapshot may hold).

``gzdesk.validation`` checks what a clerk types into one field (phones, links); this module checks
what a *file* holds, record by record, against the declared columns in ``gzdesk.models``:

- **type and form** — each column's reading rule from ``gzdesk.models.types`` (dates ``YYYY-MM-DD``
  within 1900–2099, times, integers, 是/否 as 0/1, text that is valid UTF-8, BLOBs), the one
  definition the tolerant column types also read with;
- **size** — text at most its declared ``String(n)`` length (``Text``: ``TEXT_MAX_CHARS``), BLOBs
  at most ``info["max_bytes"]``; required columns (NOT NULL) present, required text not blank;
- **codes** — ``info["enum"]`` columns hold a code of that kind in ``gzdesk.enums``;
- **JSON** — ``JSONText`` columns parse and have their shape (filing.chain / frozen / proposed);
- **identity** — ``info["uuid"]`` columns hold a UUID, and a table's uuids are unique;
- **references** — every foreign key names an existing record; no record is its own ancestor
  through a self-reference (unit.parent_id, filing.merge_parent_id);
- **pictures** — ``info["image"]`` columns hold a PNG or JPEG whose header gives a sane size.

A column added to the ORM is checked without touching this module. Used by ``snapshot export``
(refuses to write a file with a bad value), ``snapshot merge`` / ``inspect`` (refuse the file,
nothing is written), ``gzdesk verify`` (lists them), and the registry lists (which mark a record
whose values cannot be read — the tolerant column types show such a value as empty).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table

from gzdesk import enums, fields, safe_files
from gzdesk.models import Base
from gzdesk.models import types as col_types
from gzdesk.models.types import BadValue

TABLE_LABELS = {"unit": "单位", "account": "账号", "person": "人员", "account_role": "管理岗位",
                "filing": "备案", "approval_step": "审批步骤", "attachment": "附件", "task": "待办",
                "office_holiday": "本单位节假日", "snapshot_source": "来源快照",
                # schema 6: supervision
                "inspection": "检查", "inspection_finding": "检查发现问题", "quarter_report": "季度报告",
                "assessment_entry": "考核填写", "fake_report": "假冒账号", "fake_step": "假冒账号处置",
                "census_report": "排查摸底报告",
                # schema 7: 异议 (云南 第四十五条), late replies found at a check (太白 第十一条), holiday notices
                "objection": "异议", "reply_check": "留言回复检查", "holiday_notice": "节假日安排通知",
                # schema 8: users, the audit log's bulk digests, this office's signing key
                "app_user": "用户", "audit_row": "审计日志明细", "signing_key": "签名密钥"}
LABEL_COLUMNS = ("name", "number", "title", "filename", "role")
# column → label without its table, from the one lookup (gzdesk.fields.column_label)
FIELD_LABELS = fields.flat_labels()

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # a 二维码 picture (the editor refuses a bigger file)
MAX_IMAGE_SIDE = 10_000  # pixels: a QR picture is a few hundred; 10,000² RGBA is already 400 MB
EXEMPT_TABLES = ("audit_event", "setting")  # verify checks the audit log itself; settings are free text


@dataclass(frozen=True, slots=True)
class ValueProblem:
    """One bad value: where it is and what is wrong with it."""

    table: str
    row_id: Any
    uuid: str | None
    label: str
    field: str
    message: str

    def text(self) -> str:
        what = TABLE_LABELS.get(self.table, self.table)
        name = f"“{self.label}”" if self.label else ""
        where = f"（编号 {self.row_id}）" if self.row_id is not None else ""
        column = f"{fields.column_label(self.table, self.field)}（{self.field}）" if self.field else ""
        return f"{what}{name}{where}的{column}{self.message}"

    def to_json(self) -> dict:
        return {"table": self.table, "id": self.row_id, "uuid": self.uuid, "label": self.label,
                "field": self.field, "message": self.message, "text": self.text()}


@dataclass
class ValueReport:
    """The problems found (at most ``limit`` kept) and how many there were in all."""

    problems: list[ValueProblem] = field(default_factory=list)
    total: int = 0
    rows: int = 0
    limit: int = 100

    @property
    def ok(self) -> bool:
        return self.total == 0

    def add(self, problem: ValueProblem) -> None:
        self.total += 1
        if len(self.problems) < self.limit:
            self.problems.append(problem)

    def summary(self, shown: int = 3) -> str:
        """One line: the first problems and how many more."""
        head = "；".join(p.text() for p in self.problems[:shown])
        more = f"；另有 {self.total - shown} 处" if self.total > shown else ""
        return head + more


# --------------------------------------------------------------------------- pictures


def image_problem(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str | None:
    """None for a PNG or JPEG of sane size; else what is wrong (the header is read, not decoded)."""
    if len(data) > max_bytes:
        return f"图片大小 {len(data)} 字节，超过上限 {max_bytes} 字节"
    size = None
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            size = struct.unpack(">II", data[16:24])
    elif data[:3] == b"\xff\xd8\xff":
        size = _jpeg_size(data)
    else:
        return "不是 PNG 或 JPEG 图片"
    if size is None:
        return "图片已损坏（读不出尺寸）"
    w, h = size
    if not (0 < w <= MAX_IMAGE_SIDE and 0 < h <= MAX_IMAGE_SIDE):
        return f"图片尺寸 {w}×{h} 不合理（每边应在 1—{MAX_IMAGE_SIDE} 像素之间）"
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        seg = int.from_bytes(data[i + 2:i + 4], "big")
        if seg < 2:
            return None
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 9 > n:
                return None
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + seg
    return None


# --------------------------------------------------------------------------- per-column rules


def checked_tables() -> list[Table]:
    """Every ORM table whose values are checked, parents first."""
    return [t for t in Base.metadata.sorted_tables if t.name not in EXEMPT_TABLES]


def _text_limit(column: sa.Column) -> int | None:
    t = column.type
    impl = getattr(t, "impl_instance", t)
    if isinstance(t, col_types.JSONText):
        return t.max_chars
    if isinstance(t, col_types.Text) or isinstance(impl, sa.Text):
        return col_types.TEXT_MAX_CHARS
    return getattr(impl, "length", None)


def text_limit(table: str, column: str) -> int | None:
    """The most characters ``table.column`` may hold (None: not text)."""
    col = Base.metadata.tables[table].c[column]
    return _text_limit(col) if _is_text(col) else None


def _is_text(column: sa.Column) -> bool:
    impl = getattr(column.type, "impl_instance", column.type)
    return isinstance(impl, sa.String) and not isinstance(impl, sa.Enum)


def value_rule(column: sa.Column) -> Callable[[Any], Any] | None:
    """A function raising ``BadValue`` for a value ``column`` may not hold, else returning it as
    the column's Python type (None and foreign keys aside: the caller checks those against the
    whole table)."""
    info = column.info
    rule = col_types.column_rule(column)
    if rule is None:
        impl = column.type
        if isinstance(impl, sa.Integer):
            rule = col_types.read_int
        elif isinstance(impl, sa.String):
            rule = col_types.read_text
        else:
            return None
    extra: list[Callable[[Any], None]] = []
    if _is_text(column):
        limit = _text_limit(column)
        required = not column.nullable and not column.info.get("blank_ok")  # e.g. "" meaning "this office"

        def text_rule(value: Any, limit=limit, required=required) -> Any:
            col_types.read_text(value, limit)
            if required and not value.strip():
                raise BadValue("不能为空白")
            return value

        rule = text_rule if not isinstance(column.type, col_types.JSONText) else rule
    if "enum" in info:
        codes = set(enums.labels(info["enum"]))

        def enum_rule(value: Any, codes=codes) -> None:
            if value not in codes:
                raise BadValue(f"“{col_types._shown(value)}”不是有效的代码（可用：{'、'.join(sorted(codes))}）")

        extra.append(enum_rule)
    if info.get("uuid"):
        def uuid_rule(value: Any) -> None:
            if not col_types.UUID_RE.fullmatch(value):
                raise BadValue(f"“{col_types._shown(value)}”不是有效的唯一标识（UUID）")

        extra.append(uuid_rule)
    if info.get("image"):
        def image_rule(value: Any) -> None:
            problem = image_problem(value)
            if problem:
                raise BadValue(problem)

        extra.append(image_rule)
    if "max_bytes" in info:
        def size_rule(value: Any, limit=info["max_bytes"]) -> None:
            col_types.read_blob(value, limit)

        extra.append(size_rule)
    if not extra:
        return rule

    def combined(value: Any, rule=rule, extra=tuple(extra)) -> Any:
        out = rule(value)
        for more in extra:
            more(value)
        return out

    return combined


@dataclass
class _Column:
    name: str
    index: int
    rule: Callable[[Any], None] | None
    required: bool
    target: str | None  # foreign key: the referenced table


def _plan(table: Table, present: set[str]) -> list[_Column]:
    out = []
    for i, col in enumerate(c for c in table.columns if c.name in present):
        target = None
        for fk in col.foreign_keys:
            target = fk.column.table.name
        rowid = col.primary_key and isinstance(col.type, sa.Integer)  # an integer key is SQLite's rowid
        rule = None if rowid else value_rule(col)
        out.append(_Column(col.name, i, rule, not col.nullable and not rowid, target))
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _label(row: tuple, names: list[str]) -> str:
    for key in LABEL_COLUMNS:
        if key in names:
            value = row[names.index(key)]
            if isinstance(value, str) and value.strip():
                return col_types.one_line(value)
    return ""


def composite_uniques(table: Table) -> list[tuple[str, ...]]:
    """Column tuples a table keeps unique together (UNIQUE constraints and indexes of several
    plain columns; expression indexes such as 备案编号 per origin are the merge's to resolve)."""
    out: list[tuple[str, ...]] = []
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint) and len(cons.columns) > 1:
            out.append(tuple(c.name for c in cons.columns))
    for index in table.indexes:
        if index.unique and len(index.expressions) > 1 and len(index.columns) == len(index.expressions):
            out.append(tuple(c.name for c in index.columns))
    return out


# --------------------------------------------------------------------------- the check


# A column's rule depends on the value alone: a text it passed once (codes, dates, times, names
# repeat down a table) is not judged again; short texts only, a bounded number per column.
PASSED_PER_COLUMN = 20_000
PASSED_MAX_CHARS = 200


def check_connection(conn: sqlite3.Connection, tables: Iterable[Table] | None = None, limit: int = 100,
                     on_rows: Callable[[int], None] | None = None, require_tables: bool = True) -> ValueReport:
    """Check every value of every row of ``tables`` (default: ``checked_tables()``) in ``conn``.

    ``conn`` should read text with ``gzdesk.models.types.decode_text`` (``open_checked`` does), so
    that undecodable bytes are reported rather than stop the read. A table the file lacks (or
    holds as a view) is a problem too (``require_tables``): at this program's schema every table
    exists; a snapshot of an older one is migrated before it is checked, and a database of an older
    schema being exported as it is passes ``require_tables=False``.
    """
    report = ValueReport(limit=limit)
    tables = list(tables) if tables is not None else checked_tables()
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in tables if require_tables else ():
        if t.name not in existing:
            report.add(ValueProblem(t.name, None, None, "", "", "数据表缺失，或已被替换为视图"))
    tables = [t for t in tables if t.name in existing]
    ids: dict[str, set] = {}  # the records a reference may name (only of the tables references name)
    counted: dict[str, int] = {}  # records per table, for ``report.rows``
    referenced = {fk.column.table.name for t in tables for c in t.columns for fk in c.foreign_keys}
    for t in tables:
        pk = [c.name for c in t.primary_key.columns]
        if pk == ["id"] and t.name in referenced:
            ids[t.name] = {r[0] for r in conn.execute(f"SELECT id FROM {_q(t.name)}")}
            counted[t.name] = len(ids[t.name])
        elif pk == ["id"]:  # as many as the set of them would hold (None once, 1 and 1.0 as one)
            counted[t.name] = conn.execute(f"SELECT count(DISTINCT id) + coalesce(max(id IS NULL), 0) "
                                           f"FROM {_q(t.name)}").fetchone()[0]
    for t in tables:
        present = {r[1] for r in conn.execute(f"PRAGMA table_info({_q(t.name)})")}
        plan = _plan(t, present)
        names = [c.name for c in plan]
        i_id = names.index("id") if "id" in names else None
        i_uuid = names.index("uuid") if "uuid" in names else None
        seen_uuid: set[str] = set()
        keys: list[tuple[Any, list[int], set]] = [(cols, [names.index(c) for c in cols], set()) for cols in composite_uniques(t)
                if all(c in names for c in cols)]
        parents: dict[Any, Any] = {}
        self_refs = [c for c in plan if c.target == t.name]
        select = ", ".join(_q(n) for n in names)
        # per column: (position, rule, required, the referenced ids, name, referenced table, the texts
        # its rule passed), as plain tuples — this loop runs for every value of every row
        checks: list[tuple[int, Callable[[Any], Any] | None, bool, set | None, str, str | None, set[str]]] = [
            (c.index, c.rule, c.required, ids.get(c.target) if c.target is not None else None, c.name, c.target,
             set()) for c in plan]
        read_int = col_types.read_int
        n = 0
        for row in conn.execute(f"SELECT {select} FROM {_q(t.name)}"):
            n += 1
            if on_rows is not None and n == 1000:
                on_rows(n)
                n = 0
            for i, rule, required, targets, col_name, target, passed in checks:
                value = row[i]
                if value is None:
                    if required:
                        _add(report, t, row, names, i_id, i_uuid, col_name, "不能为空")
                    continue
                try:
                    if rule is None:
                        pass
                    elif type(value) is str:  # exactly str: an UndecodedText is judged every time
                        if value not in passed:
                            rule(value)
                            if len(value) <= PASSED_MAX_CHARS and len(passed) < PASSED_PER_COLUMN:
                                passed.add(value)
                    elif rule is not read_int or type(value) is not int:
                        rule(value)
                    if targets is not None and value not in targets:
                        raise BadValue(f"引用的{TABLE_LABELS.get(str(target), target)}（编号 "
                                       f"{col_types._shown(value)}）不存在")
                except BadValue as exc:
                    _add(report, t, row, names, i_id, i_uuid, col_name, str(exc))
            if i_uuid is not None:
                u = row[i_uuid]
                if u in seen_uuid:
                    _add(report, t, row, names, i_id, i_uuid, "uuid", "与本表另一条记录的唯一标识重复")
                seen_uuid.add(u)
            for cols, positions, seen in keys:
                k = tuple(row[i] for i in positions)
                if None in k:
                    continue
                if k in seen:
                    _add(report, t, row, names, i_id, i_uuid, cols[-1],
                         f"与本表另一条记录的{'、'.join(fields.column_label(t.name, c) for c in cols)}相同（应唯一）")
                seen.add(k)
            for c in self_refs:
                if row[c.index] is not None and i_id is not None:
                    parents.setdefault(c.name, {})[row[i_id]] = row[c.index]
        if on_rows is not None and n:
            on_rows(n)
        report.rows += counted.get(t.name, 0)
        for col_name, graph in parents.items():
            for rid in _in_cycles(graph):
                row = conn.execute(f"SELECT {select} FROM {_q(t.name)} WHERE id = ?", (rid,)).fetchone()
                _add(report, t, row, names, i_id, i_uuid, col_name, "形成循环引用（记录成了自己的上级）")
    return report


def _add(report: ValueReport, table: Table, row: tuple, names: list[str], i_id: int | None,
         i_uuid: int | None, column: str, message: str) -> None:
    uuid = row[i_uuid] if i_uuid is not None else None
    report.add(ValueProblem(table.name, row[i_id] if i_id is not None else None,
                            uuid if isinstance(uuid, str) else None, _label(row, names), column, message))


def _in_cycles(graph: dict[Any, Any]) -> list[Any]:
    """Ids on a cycle of ``id → parent`` (each reported once, lowest id of its cycle first)."""
    state: dict[Any, int] = {}  # 1 = on the current path, 2 = done
    found: list[Any] = []
    for start in graph:
        if start in state:
            continue
        path: list[Any] = []
        node = start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = graph.get(node)
        if node is not None and state.get(node) == 1:  # closed a loop on this path
            cycle = path[path.index(node):]
            found.append(min(cycle, key=lambda x: (str(type(x)), x)))
        for p in path:
            state[p] = 2
    return sorted(found, key=lambda x: (str(type(x)), x))


def open_checked(path) -> sqlite3.Connection:
    """A read-only connection to ``path`` whose text reads never fail on a bad byte."""
    conn = safe_files.connect_read_only(path)
    conn.text_factory = col_types.decode_text
    return conn


def check_file(path, limit: int = 100, on_rows: Callable[[int], None] | None = None,
               require_tables: bool = True) -> ValueReport:
    """``check_connection`` over the database or snapshot at ``path`` (read-only).

    Read first with SQLite's own UTF-8 decoding (a Python text factory costs a call per value, a
    third of the check); a file with a byte that is not UTF-8 stops that read, and is then checked
    again through ``open_checked``, which reports the field."""
    conn = safe_files.connect_read_only(path)  # the same opening as open_checked, SQLite's decoding
    try:
        return check_connection(conn, limit=limit, on_rows=on_rows, require_tables=require_tables)
    except sqlite3.OperationalError as exc:
        if "decode" not in str(exc):
            raise
    finally:
        conn.close()
    conn = open_checked(path)
    try:
        return check_connection(conn, limit=limit, on_rows=on_rows, require_tables=require_tables)
    finally:
        conn.close()


# --------------------------------------------------------------------------- marking records in lists


def _readable_sql(column: sa.Column) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """(SQL for "the stored value is one the column's type reads", the column typed with
    SQLAlchemy's own type, without our Python processor). The SQL form of the ``read_*`` rules for
    types SQLite can test cheaply (``typeof``); ``tests/test_bad_values.py`` checks that both forms
    accept the same values. Dates are read in Python (``read_date`` remembers each distinct date,
    cheaper than SQLite's ``date()`` twice per row)."""
    t = column.type
    if isinstance(t, col_types.Boolean):
        return sa.and_(sa.func.typeof(column) == "integer", column.in_([0, 1])), sa.type_coerce(column, sa.Boolean())
    if isinstance(t, (col_types.Integer, sa.Integer)):
        return sa.func.typeof(column) == "integer", sa.type_coerce(column, sa.Integer())
    if _is_text(column):
        return sa.func.typeof(column) == "text", sa.type_coerce(column, sa.String())
    raise ValueError(f"{column.name}: no list form for {t!r}")


class ListColumns:
    """Columns a list shows, selected so that a value their type cannot read comes back as None
    (shown empty) and the row is flagged — in the list's own query, no second pass — and the few
    flagged rows are then named field by field with the Python rules (``bad_values``).
    (Codes, lengths and references are for ``gzdesk verify``; a list marks what it cannot show.)

    Select ``selected`` (one expression per column, then the flag) and pass each row's values
    to ``read``."""

    def __init__(self, columns: Iterable[sa.Column]):
        self.columns = list(columns)
        self.dates = [i for i, c in enumerate(self.columns) if isinstance(c.type, col_types.Date)]
        shown, flags = [], []
        for i, c in enumerate(self.columns):
            if i in self.dates:
                shown.append(sa.type_coerce(c, sa.types.NullType()).label(f"shown_{c.name}"))
                continue
            ok, typed = _readable_sql(c)
            shown.append(sa.case((ok, typed), else_=None).label(f"shown_{c.name}"))
            flags.append(sa.and_(c.is_not(None), sa.not_(ok)))
        flag = sa.or_(*flags) if flags else sa.false()
        self.selected = [*shown, flag.label("has_bad_value")]
        # the type's reading rule only (text: is it text at all), as the SQL above
        self._readers = [(c.name, col_types.read_text if _is_text(c) else col_types.column_rule(c) or col_types.read_int)
                         for c in self.columns]

    def read(self, row: Iterable[Any]) -> tuple[list[Any], bool]:
        """(the shown values, whether the row has an unreadable one) from the ``selected`` values."""
        *values, bad = row
        read_date = col_types.read_date
        for i in self.dates:
            if values[i] is not None:
                try:
                    values[i] = read_date(values[i])
                except BadValue:
                    values[i], bad = None, True
        return values, bool(bad)

    def bad_values(self, session, table: Table, ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
        """(field, what is wrong) for each unreadable shown value of the records ``ids``."""
        out: dict[int, tuple[tuple[str, str], ...]] = {}
        raw_cols = [sa.type_coerce(c, sa.types.NullType()).label(c.name) for c in self.columns]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for rid, *stored in session.execute(sa.select(table.c.id, *raw_cols).where(table.c.id.in_(chunk))):
                found = []
                for (name, reader), value in zip(self._readers, stored, strict=True):
                    try:
                        reader(value)
                    except BadValue as exc:
                        found.append((name, str(exc)))
                if found:
                    out[rid] = tuple(found)
        return out


# --------------------------------------------------------------------------- on save


def _too_long(session, _ctx, _instances) -> None:
    """Refuse, before anything is written, text longer than its column's declared size — the
    size ``check_connection`` holds every file to (SQLite itself does not enforce VARCHAR(n))."""
    from gzdesk.errors import UserError

    for obj in (*session.new, *session.dirty):
        table = getattr(obj, "__table__", None)
        if table is None or table.name in EXEMPT_TABLES:
            continue
        state = sa.inspect(obj)
        for col in table.columns:
            if not _is_text(col) or col.key not in state.attrs:
                continue
            added = state.attrs[col.key].history.added  # only what this save writes
            value = added[0] if added else None
            limit = _text_limit(col)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                label = next((str(getattr(obj, k)) for k in LABEL_COLUMNS
                              if isinstance(getattr(obj, k, None), str) and getattr(obj, k)), "")
                what = TABLE_LABELS.get(table.name, table.name) + (f"“{label[:40]}”" if label and col.key != "name"
                                                                   else "")
                raise UserError(f"{what}的{fields.column_label(table.name, col.key)}最多 {limit} 个字符"
                                f"（现有 {len(value)} 个），请缩短后再保存")


def install(session_class) -> None:
    """Check sizes on every flush of ``session_class`` (``gzdesk.db`` installs it on its sessions)."""
    sa.event.listen(session_class, "before_flush", _too_long)


# --------------------------------------------------------------------------- repair


def _reads_as_none(column: sa.Column, value: Any) -> bool:
    """Whether the program reads this stored value as empty (its column type cannot read it)."""
    reader = col_types.read_text if _is_text(column) else col_types.column_rule(column) or col_types.read_int
    if isinstance(column.type, col_types.JSONText):
        reader = column.type.rule
    try:
        reader(value)
    except BadValue:
        return True
    return False


def clear_unreadable(session) -> list[ValueProblem]:
    """Set to empty (NULL) every stored value the program already shows as empty because its
    column cannot read it — a hand-edited date such as 2019.3.12 — so that the file says what the
    program shows. Each change is audited with the value as it was. Values that read but break a
    rule (an unknown code, a dangling reference, a required field) need a person's decision and are
    left alone. Returns what was cleared."""
    from gzdesk import audit

    raw = session.connection().connection.dbapi_connection
    factory = raw.text_factory
    raw.text_factory = col_types.decode_text
    try:
        report = check_connection(raw, limit=10**9)
        cleared: list[ValueProblem] = []
        for p in report.problems:
            table = Base.metadata.tables[p.table]
            column = table.c[p.field]
            if not column.nullable or p.row_id is None:
                continue
            value = raw.execute(f"SELECT {_q(p.field)} FROM {_q(p.table)} WHERE id = ?", (p.row_id,)).fetchone()
            if value is None or value[0] is None or not _reads_as_none(column, value[0]):
                continue
            before = col_types._shown(value[0])
            session.connection().exec_driver_sql(f"UPDATE {_q(p.table)} SET {_q(p.field)} = NULL WHERE id = ?",
                                                 (p.row_id,))
            audit.record(session, "repair", p.table, entity_uuid=p.uuid,
                         summary=f"清除无法识别的值：{p.text()}"[:500], changes={p.field: [before, None]})
            cleared.append(p)
        return cleared
    finally:
        raw.text_factory = factory
