"""The row work of a merge (``merge.py``), set-wise in SQL over TEMP copies of the snapshot's tables.

Before the write transaction begins, each snapshot's synced tables are copied into TEMP tables of
the connection that will write (``stage``): ATTACH, ``CREATE TEMP TABLE … AS SELECT``, DETACH. A
connection can hold at most ten attached files and cannot DETACH one inside a transaction, so a
city merging 100 county files in one transaction copies them first. Then, table by table (parents
first), ``RowMerger`` compares and writes with a few statements whose cost follows the snapshot's
rows (joins through the uuid, origin and unique indexes), never the library's:

- ``…__loc``: this database's rows the snapshot can touch (its uuids, and this source's earlier rows);
- ``…__map``: snapshot id → uuid → local id (existing, or new ids from ``max(id) + 1`` in the
  snapshot's id order), through which every foreign key is translated;
- ``…__want``: the rows to write as they will be stored (the table's own column types);
- ``…__gone``: this source's rows missing from the snapshot (deleted at the end of the merge).

Only values that collide (a unique value already held, a key another record holds) are looked at in
Python, as ``merge.py``'s docstring describes; everything else is ``INSERT … SELECT`` and
``UPDATE … FROM``. The rules are those of ``merge.py``; this module only decides how rows move.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, UniqueConstraint

from gzdesk import enums, safe_files, value_check
from gzdesk.errors import UserError
from gzdesk.exchange.progress import Ticker

TABLE_LABELS = value_check.TABLE_LABELS
LABEL_COLUMNS = value_check.LABEL_COLUMNS
IN_CHUNK = 500  # values bound in one ``IN (…)`` (SQLite allows at least 999)
ATTACHED = "gzdesk_merge_snap"
LABEL_EXTRA = ("platform",)  # an account's label is 名称（平台）


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- staging


WORK = "gzdesk_merge_work_"  # the work tables' prefix: one set per connection, emptied for each file


@dataclass
class Staged:
    """One snapshot's synced tables in TEMP tables: ``table(name)`` is its copy of ``name``.

    The work tables (``work(name, part)``) are not the file's own: every file merged on a
    connection empties and refills the same ones. Each CREATE or DROP in the TEMP schema reads the
    whole schema, which holds every staged file's tables until its turn (17 per file): made anew
    for every file, they made a merge of 100 files grow with the square of their number."""

    prefix: str
    present: set[str] = field(default_factory=set)  # tables the snapshot has (type 'table')
    missing: dict[str, list[str]] = field(default_factory=dict)  # table → columns it lacks

    def table(self, name: str) -> str:
        return _q(f"{self.prefix}{name}")

    def work(self, name: str, part: str) -> str:
        return _q(f"{WORK}{name}__{part}")


_NUMBERS = itertools.count()  # TEMP names, unique within the process (and so within a connection)


def stage(conn: Connection, path: Path, tables: list[Table]) -> Staged:
    """Copy the synced tables of the checked snapshot at ``path`` into TEMP tables of ``conn``.

    Outside a transaction the file is attached, copied and detached again; inside one (where
    DETACH fails) its rows are read through a connection of its own and inserted."""
    staged = Staged(f"gzdesk_merge_{next(_NUMBERS)}_")
    raw: Any = conn.connection.driver_connection
    if not raw.in_transaction:
        conn.exec_driver_sql(f"ATTACH DATABASE ? AS {ATTACHED}", (str(path),))
        try:
            _copy(conn, staged, tables, ATTACHED, None)
        finally:
            conn.exec_driver_sql(f"DETACH DATABASE {ATTACHED}")
    else:
        reader = safe_files.connect_read_only(path)
        try:
            _copy(conn, staged, tables, None, reader)
        finally:
            reader.close()
    return staged


def _copy(conn: Connection, staged: Staged, tables: list[Table], schema: str | None, reader: Any) -> None:
    if schema is not None:
        names = {r[0] for r in conn.exec_driver_sql(f"SELECT name FROM {schema}.sqlite_master WHERE type='table'")}
    else:
        names = {r[0] for r in reader.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    raw: Any = conn.connection.driver_connection
    for table in tables:
        cols = [c.name for c in table.columns]
        col_list = ", ".join(_q(c) for c in cols)
        target = f"temp.{staged.table(table.name)}"
        # the table's own column types (affinities): the copy holds the values as this database would
        conn.exec_driver_sql(f"CREATE TEMP TABLE {staged.table(table.name)} AS "
                             f"SELECT {col_list} FROM main.{_q(table.name)} WHERE 0")
        if table.name not in names:
            continue
        staged.present.add(table.name)
        if schema is not None:
            have = {r[1] for r in conn.exec_driver_sql(f"PRAGMA {schema}.table_info({_q(table.name)})")}
        else:
            have = {r[1] for r in reader.execute(f"PRAGMA table_info({_q(table.name)})")}
        lacking = sorted(set(cols) - have)
        if lacking:
            staged.missing[table.name] = lacking
            continue
        select = f"SELECT {col_list} FROM {{}}{_q(table.name)}"
        if schema is not None:
            conn.exec_driver_sql(f"INSERT INTO {target} ({col_list}) {select.format(schema + '.')}")
        else:
            marks = ", ".join("?" for _ in cols)
            cursor = reader.execute(select.format(""))
            while rows := cursor.fetchmany(5000):
                raw.executemany(f"INSERT INTO {target} ({col_list}) VALUES ({marks})", rows)
    if schema is not None and raw.in_transaction:
        raw.commit()  # the sqlite3 module began a transaction for the INSERTs: it holds only the TEMP copies


def drop(conn: Connection, staged: Staged, tables: list[Table]) -> None:
    """Drop a snapshot's TEMP copies (after its merge; the connection's end drops them anyway,
    and the work tables, shared by the files, with them)."""
    for table in tables:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{staged.table(table.name)}")


# --------------------------------------------------------------------------- the report's items


@dataclass(slots=True)
class Item:
    table: str
    uuid: str
    label: str

    def to_json(self) -> dict:
        return {"table": self.table, "uuid": self.uuid, "label": self.label}


def labeller(picked: list[str]):
    """How a report names a record — its name, number, title… (an account: 名称（平台）), else its
    uuid — for rows ``(uuid, *picked)`` as tuples (made once per table)."""
    order = [(i + 1, c) for i, c in enumerate(picked) if c in LABEL_COLUMNS]
    at_platform = picked.index("platform") + 1 if "platform" in picked else None

    def label(row) -> str:
        for i, key in order:
            if row[i]:
                text = str(row[i])
                if key == "name" and at_platform is not None and row[at_platform]:
                    text += f"（{enums.label('platform', row[at_platform])}）"
                return text
        return row[0] or ""
    return label


# --------------------------------------------------------------------------- the work


class RowMerger:
    """Upserts one staged snapshot's rows, table by table, with set-wise SQL on the session's connection."""

    def __init__(self, conn: Connection, staged: Staged, source_name: str, report: Any, ticker: Ticker):
        self.conn = conn
        self.staged = staged
        self.source = source_name
        self.report = report
        self.ticker = ticker
        self.mapped: set[str] = set()  # tables whose snapshot id → local id map is made
        self.gone: list[tuple[Table, list[int], list[Item]]] = []
        self.renamed: list[tuple[Item, str, str]] = []
        self.reused: list[tuple[Item, str, str, Item]] = []

    def _sql(self, sql: str, params: tuple = ()) -> Any:
        return self.conn.exec_driver_sql(sql, params)

    def run(self, tables: list[Table]) -> None:
        for table in tables:
            self._table(table)
        for table, ids, items in reversed(self.gone):
            self._delete(table, ids)
            self.report.gone.extend(items)

    def dangling(self, metadata_tables: list[Table]) -> list[tuple[str, int, str]]:
        """(table, id, parent table) of rows that still refer to a record this merge deleted.

        Foreign keys are deferred during the merge; every key the merge writes is translated to a
        row of the snapshot or of this database, so the only way to leave a dangling one is a
        deletion. Instead of ``PRAGMA foreign_key_check`` over the whole library (seconds at
        200,000 accounts, for every snapshot), only the references to the deleted ids are looked
        up. Whatever this misses, SQLite still refuses at commit (``merge_snapshots``)."""
        out: list[tuple[str, int, str]] = []
        for parent, ids, _items in self.gone:
            for child in metadata_tables:
                for col in child.columns:
                    if not any(fk.column.table is parent for fk in col.foreign_keys):
                        continue
                    for start in range(0, len(ids), IN_CHUNK):
                        chunk = ids[start:start + IN_CHUNK]
                        out.extend((child.name, r[0], parent.name) for r in self._sql(
                            f"SELECT rowid FROM {_q(child.name)} WHERE {_q(col.name)} IN "
                            f"({', '.join('?' for _ in chunk)})", tuple(chunk)))
        return out

    # ---------------------------------------------------------------- one table

    def _labels(self, table: Table, source: str, where: str = "", order: str = "id",
                params: tuple = ()) -> list[Item]:
        """Items (uuid and label) of the rows of ``source`` (a TEMP table), in ``order``."""
        picked = [c for c in (*LABEL_COLUMNS, *LABEL_EXTRA) if c in table.c]
        labelled = labeller(picked)
        name = table.name
        raw: Any = self.conn.connection.driver_connection  # TEMP rows only: no row objects for 100,000s
        cursor = raw.execute(f"SELECT uuid{''.join(', ' + _q(c) for c in picked)} FROM temp.{source} "
                             f"{where} ORDER BY {order}", params)
        return [Item(name, r[0], labelled(r)) for r in cursor]

    def _table(self, table: Table) -> None:
        name = table.name
        if name in self.staged.missing:
            raise UserError(f"快照中的表 {name} 缺少列：{'、'.join(self.staged.missing[name])}")
        cols = [c.name for c in table.columns]
        col_list = ", ".join(_q(c) for c in cols)
        snap = f"temp.{self.staged.table(name)}"
        loc, mp = self.staged.work(name, "loc"), self.staged.work(name, "map")
        want, gone = self.staged.work(name, "want"), self.staged.work(name, "gone")
        main = f"main.{_q(name)}"
        count = self._sql(f"SELECT count(*) FROM {snap}").scalar() or 0

        # this database's rows the snapshot can touch, as they are before the merge: those with the
        # snapshot's uuids (through the uuid index) and those this source sent before (the ones it
        # may have dropped) — never the whole table, so that the cost follows the snapshot
        self._fresh(loc, f"AS SELECT * FROM {main} WHERE 0")
        self._sql(f"INSERT INTO temp.{loc} ({col_list}) SELECT {', '.join('m.' + _q(c) for c in cols)} "
                  f"FROM {snap} AS s CROSS JOIN {main} AS m ON m.uuid = s.uuid")
        self._sql(f"INSERT INTO temp.{loc} ({col_list}) SELECT {col_list} FROM {main} WHERE origin = ? "
                  f"AND uuid NOT IN (SELECT uuid FROM temp.{loc})", (self.source,))
        self._sql(f"CREATE UNIQUE INDEX IF NOT EXISTS temp.{self.staged.work(name, 'loc_uuid')} ON {loc} (uuid)")

        # snapshot id → local id: the existing record's, or a new one (max + 1, …) in the snapshot's order
        top = self._sql(f"SELECT max(id) FROM {main}").scalar() or 0
        self._fresh(mp, "(sid INTEGER PRIMARY KEY, uuid TEXT, lid INTEGER, is_new INTEGER, local_origin TEXT)")
        self._sql(f"INSERT INTO temp.{mp} (sid, uuid, lid, is_new, local_origin) "
                  f"SELECT s.id, s.uuid, coalesce(l.id, ? + sum(l.id IS NULL) OVER (ORDER BY s.id)), "
                  f"l.id IS NULL, l.origin FROM {snap} AS s LEFT JOIN temp.{loc} AS l ON l.uuid = s.uuid",
                  (top,))
        self._sql(f"CREATE INDEX IF NOT EXISTS temp.{self.staged.work(name, 'map_uuid')} ON {mp} (uuid)")
        self.mapped.add(name)

        # the rows to write: foreign keys through the maps (a reference to a row the snapshot does
        # not have, or to a table not merged before this one, becomes empty), origin this source
        exprs = []
        for col in table.columns:
            targets = [fk.column.table.name for fk in col.foreign_keys]
            if col.name == "id":
                exprs.append("mp.lid")
            elif col.name == "origin":
                exprs.append("?")
            elif targets:
                target = targets[0]
                exprs.append(f"(SELECT t.lid FROM temp.{self.staged.work(target, 'map')} AS t "
                             f"WHERE t.sid = s.{_q(col.name)})" if target in self.mapped else "NULL")
            else:
                exprs.append(f"s.{_q(col.name)}")
        # the two work columns in the one CREATE (INTEGER affinity, as ``ADD COLUMN … INTEGER`` gave):
        # an ALTER TABLE re-reads the whole TEMP schema, which holds every staged file's tables, so
        # two of them per table made a merge of 100 files grow with the square of their number
        self._fresh(want, f"AS SELECT *, CAST(NULL AS INTEGER) AS is_new, CAST(NULL AS INTEGER) AS sid "
                          f"FROM {main} WHERE 0")
        self._sql(f"INSERT INTO temp.{want} ({col_list}, is_new, sid) SELECT {', '.join(exprs)}, mp.is_new, s.id "
                  f"FROM {snap} AS s JOIN temp.{mp} AS mp ON mp.sid = s.id "
                  "WHERE mp.is_new OR mp.local_origin IS NOT NULL", (self.source,))
        self._sql(f"CREATE UNIQUE INDEX IF NOT EXISTS temp.{self.staged.work(name, 'want_uuid')} ON {want} (uuid)")
        # this source's records the snapshot no longer has
        self._fresh(gone, f"AS SELECT * FROM temp.{loc} WHERE 0")
        self._sql(f"INSERT INTO temp.{gone} SELECT * FROM temp.{loc} WHERE origin = ? "
                  f"AND uuid NOT IN (SELECT uuid FROM temp.{mp})", (self.source,))
        self._sql(f"CREATE UNIQUE INDEX IF NOT EXISTS temp.{self.staged.work(name, 'gone_uuid')} ON {gone} (uuid)")

        # the report, labelled by the values as sent (before suffixes)
        snap_name = self.staged.table(name)
        added = self._labels(table, snap_name, f"WHERE id IN (SELECT sid FROM temp.{mp} WHERE is_new)")
        kept = self._labels(table, snap_name, f"WHERE id IN (SELECT sid FROM temp.{mp} "
                                              "WHERE NOT is_new AND local_origin IS NULL)")
        self.report.added.extend(added)
        self.report.kept_local.extend(kept)
        self.ticker.advance(count)

        self._unique_values(table, loc, want, gone)
        self._composite_keys(table, loc, want, gone)
        # an update that changes nothing is not written (nor reported)
        same = " AND ".join(f"l.{_q(c)} IS w.{_q(c)}" for c in cols)
        self._sql(f"DELETE FROM temp.{want} AS w WHERE NOT is_new AND EXISTS "
                  f"(SELECT 1 FROM temp.{loc} AS l WHERE l.uuid = w.uuid AND {same})")
        self.report.changed.extend(self._labels(table, want, "WHERE NOT is_new", "sid"))
        # report a kept-with-suffix value only where something was written (not on every re-merge)
        noted = {r[0].uuid for r in self.renamed} | {r[0].uuid for r in self.reused}
        written_now = self._present(want, noted)
        self.report.renamed.extend(r for r in self.renamed if r[0].uuid in written_now)
        self.report.reused.extend(r for r in self.reused if r[0].uuid in written_now)
        self.renamed.clear()
        self.reused.clear()

        set_cols = [c for c in cols if c != "id"]
        self._sql(f"UPDATE {main} AS m SET ({', '.join(_q(c) for c in set_cols)}) = "
                  f"({', '.join('w.' + _q(c) for c in set_cols)}) FROM temp.{want} AS w "
                  "WHERE m.id = w.id AND NOT w.is_new")
        self._sql(f"INSERT INTO {main} ({col_list}) SELECT {col_list} FROM temp.{want} WHERE is_new ORDER BY id")
        gone_items = self._labels(table, gone)
        if gone_items:
            ids = [r[0] for r in self._sql(f"SELECT id FROM temp.{gone} ORDER BY id")]
            self.gone.append((table, ids, gone_items))

    def _fresh(self, work: str, definition: str) -> None:
        """The work table ``work`` empty: made (``CREATE TEMP TABLE work definition``) by the
        first file merged on this connection, emptied for the next ones (with its index)."""
        self._sql(f"CREATE TEMP TABLE IF NOT EXISTS {work} {definition}")
        self._sql(f"DELETE FROM temp.{work}")

    def _present(self, want: str, uuids: set[str]) -> set[str]:
        """Those of ``uuids`` still among the rows to write."""
        found: set[str] = set()
        values = list(uuids)
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start:start + IN_CHUNK]
            found.update(r[0] for r in self._sql(
                f"SELECT uuid FROM temp.{want} WHERE uuid IN ({', '.join('?' for _ in chunk)})", tuple(chunk)))
        return found

    @staticmethod
    def _unique_columns(table: Table) -> list[tuple[str, bool]]:
        """(column, per origin) for every unique value a merge must keep unique: single-column
        uniques across the library, and ``(coalesce(origin, ''), number)`` (schema 4) per origin."""
        found: dict[str, bool] = {c.name: False for c in table.columns if c.unique}
        for cons in table.constraints:
            if isinstance(cons, UniqueConstraint) and len(cons.columns) == 1:
                found.update({c.name: False for c in cons.columns})
        for idx in table.indexes:
            if not idx.unique or len(idx.columns) != 1:
                continue
            (col,) = idx.columns
            if len(idx.expressions) == 1:
                found[col.name] = False
            elif len(idx.expressions) == 2 and "origin" in str(idx.expressions[0]):
                found.setdefault(col.name, True)
        return sorted((c, per_origin) for c, per_origin in found.items() if c not in ("id", "uuid"))

    def _unique_values(self, table: Table, loc: str, want: str, gone: str) -> None:
        """Give a colliding unique value the source's name; clear the way for values that move.

        Every row written here gets this source as its origin, so a per-origin value (备案编号)
        collides only with this source's other rows. A value held by a record gone from the
        source is freed first (that record is deleted at the end of the merge) and the reuse is
        reported: a county that restored an older backup numbers its next filing as the lost one.
        The rows written are taken in order (new records, then updated ones, each in the
        snapshot's order); only a table where some value collides is gone through row by row.
        """
        name = table.name
        main = f"main.{_q(name)}"
        releasing = f"(SELECT uuid FROM temp.{want} UNION ALL SELECT uuid FROM temp.{gone})"
        for col, per_origin in self._unique_columns(table):
            c = _q(col)
            # the holders of a written value that are not rewritten or deleted by this merge: per
            # origin, this source's rows (all in loc); across the library, through the column's index
            if per_origin:
                held_sql = (f"SELECT l.{c}, l.uuid FROM temp.{loc} AS l WHERE l.{c} IS NOT NULL AND l.origin = ? "
                            f"AND l.uuid NOT IN {releasing}")
                held_params: tuple = (self.source,)
            else:
                held_sql = (f"SELECT m.{c}, m.uuid FROM (SELECT DISTINCT {c} AS v FROM temp.{want} "
                            f"WHERE {c} IS NOT NULL) AS w CROSS JOIN {main} AS m ON m.{c} = w.v "
                            f"WHERE m.uuid NOT IN {releasing}")
                held_params = ()
            held = {r[0]: r[1] for r in self._sql(held_sql, held_params)}
            clash = bool(held) or self._sql(
                f"SELECT 1 FROM temp.{want} WHERE {c} IS NOT NULL GROUP BY {c} HAVING count(*) > 1 LIMIT 1").first() \
                or self._sql(f"SELECT 1 FROM temp.{want} AS w JOIN temp.{gone} AS g ON g.{c} = w.{c} "
                             "AND g.uuid IS NOT w.uuid LIMIT 1").first()
            if clash:
                self._resolve(table, col, per_origin, want, gone, held)
            # rows being rewritten or deleted release their old value first (UNIQUE is checked per row)
            self._sql(f"UPDATE {main} SET {c} = '~' || uuid WHERE id IN (SELECT l.id FROM temp.{loc} AS l "
                      f"LEFT JOIN temp.{want} AS w ON w.uuid = l.uuid WHERE l.{c} IS NOT NULL "
                      f"AND (w.uuid IS NOT NULL OR l.uuid IN (SELECT uuid FROM temp.{gone})) "
                      f"AND (w.uuid IS NULL OR w.{c} IS NOT l.{c}))")

    def _resolve(self, table: Table, col: str, per_origin: bool, want: str, gone: str,
                 held: dict[Any, str]) -> None:
        """The values of ``col`` that collide, row by row in the order written: suffixes and reuses."""
        c = _q(col)
        releasing = {r[0] for r in self._sql(f"SELECT uuid FROM temp.{want} UNION SELECT uuid FROM temp.{gone}")}
        picked = [x for x in (*LABEL_COLUMNS, *LABEL_EXTRA) if x in table.c]
        labelled = labeller(picked)
        freed: dict[Any, Item] = {}
        for r in self._sql(f"SELECT {c}, uuid{''.join(', ' + _q(x) for x in picked)} FROM temp.{gone} "
                           f"WHERE {c} IS NOT NULL ORDER BY id"):
            freed[r[0]] = Item(table.name, r[1], labelled(r[1:]))

        def taken_here(candidate: Any) -> bool:
            if candidate in held:
                return True
            if per_origin:
                return False
            row = self._sql(f"SELECT uuid FROM main.{_q(table.name)} WHERE {c} = ?", (candidate,)).first()
            return row is not None and row[0] not in releasing

        taken: set = set()
        renames: list[tuple[str, str]] = []
        for uuid, value in self._sql(f"SELECT uuid, {c} FROM temp.{want} ORDER BY NOT is_new, sid").all():
            if value is None:
                continue
            final = value
            if value in held or value in taken:
                limit = value_check.text_limit(table.name, col)
                n, candidate = 1, suffixed(str(value), self.source, 1, limit)
                while candidate in taken or taken_here(candidate):
                    n += 1
                    candidate = suffixed(str(value), self.source, n, limit)
                final = candidate
                renames.append((candidate, uuid))
                self.renamed.append((Item(table.name, uuid, str(value)), col, candidate))
            elif value in freed and freed[value].uuid != uuid:
                self.reused.append((Item(table.name, uuid, str(value)), col, str(value), freed[value]))
            taken.add(final)
        if renames:
            self.conn.exec_driver_sql(f"UPDATE temp.{want} SET {c} = ? WHERE uuid = ?", renames)

    def _composite_keys(self, table: Table, loc: str, want: str, gone: str) -> None:
        """Keep multi-column unique keys (a person's 岗位 on an account, a step's number in its
        filing) from colliding while rows are rewritten: a record gone from the source, or one
        rewritten with another key, first releases its key (one column set to a placeholder;
        the record is deleted or rewritten later in this merge). The same key held by a record
        the merge does not touch cannot be resolved: the merge is refused (nothing is written).
        """
        main = f"main.{_q(table.name)}"
        picked = [x for x in (*LABEL_COLUMNS, *LABEL_EXTRA) if x in table.c]
        for cols in value_check.composite_uniques(table):
            on = " AND ".join(f"m.{_q(c)} = w.{_q(c)}" for c in cols)
            row = self._sql(
                f"SELECT m.id, w.uuid{''.join(', w.' + _q(x) for x in picked)} FROM temp.{want} AS w "
                f"CROSS JOIN {main} AS m ON {on} WHERE m.uuid NOT IN (SELECT uuid FROM temp.{want}) "
                f"AND m.uuid NOT IN (SELECT uuid FROM temp.{gone}) ORDER BY NOT w.is_new, w.sid LIMIT 1").first()
            if row is not None:
                label = labeller(picked)(row[1:])
                raise UserError(
                    f"合并“{self.source}”的快照时，{TABLE_LABELS.get(table.name, table.name)}“{label}”与本库"
                    f"另一条记录（编号 {row[0]}）的{'、'.join(value_check.FIELD_LABELS.get(c, c) for c in cols)}"
                    "相同，无法并存；合并已全部撤销，本库未作改动")
            spare = next((c for c in cols if not table.c[c].foreign_keys), None)
            if spare is None:
                continue
            placeholder = "'~' || uuid" if value_check.text_limit(table.name, spare) is not None else "-id"
            differs = " OR ".join(f"w.{_q(c)} IS NOT l.{_q(c)}" for c in cols)
            self._sql(f"UPDATE {main} SET {_q(spare)} = {placeholder} WHERE id IN (SELECT l.id FROM temp."
                      f"{loc} AS l LEFT JOIN temp.{want} AS w ON w.uuid = l.uuid "
                      f"WHERE (w.uuid IS NOT NULL OR l.uuid IN (SELECT uuid FROM temp.{gone})) "
                      f"AND (w.uuid IS NULL OR {differs}))")

    def _delete(self, table: Table, ids: list[int]) -> None:
        """Delete rows gone from the source; self-references are cleared first (RESTRICT is immediate)."""
        self_refs = [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]
        try:
            for start in range(0, len(ids), IN_CHUNK):
                chunk = ids[start:start + IN_CHUNK]
                marks = ", ".join("?" for _ in chunk)
                for col in self_refs:
                    self._sql(f"UPDATE {_q(table.name)} SET {_q(col)} = NULL WHERE id IN ({marks})", tuple(chunk))
                self._sql(f"DELETE FROM {_q(table.name)} WHERE id IN ({marks})", tuple(chunk))
        except Exception as exc:  # sqlalchemy wraps sqlite3.IntegrityError
            if "FOREIGN KEY" in str(exc).upper():
                raise UserError(f"来源“{self.source}”已不存在的{TABLE_LABELS.get(table.name, table.name)}仍被本库其他"
                                "记录引用，无法删除，合并已全部撤销") from None
            raise


def suffixed(value: str, source: str, n: int, limit: int | None) -> str:
    """``value（source）`` (``value（source-n）`` for the n-th), the source's name shortened so that
    the result fits the column (a VARCHAR(40) 备案编号 with a long county name would otherwise
    leave a value every later check refuses)."""
    tag = "" if n == 1 else f"-{n}"
    text = f"{value}（{source}{tag}）"
    if limit is None or len(text) <= limit:
        return text
    room = limit - len(value) - len(tag) - 3  # the brackets and an ellipsis
    if room >= 2:
        return f"{value}（{source[:room]}…{tag}）"
    tag = f"（{n}）"
    return value[: max(1, limit - len(tag))] + tag
