"""Merging lower offices' 上报快照 into this database (the city's merged library, 临沂 摸排底数/上报).

Identity is the record's ``uuid``: a record keeps it from the office that made it, so merging the
same snapshot twice, or a newer one from the same county, never duplicates anything. Every merged
record's ``origin`` is the name of the office whose snapshot brought it, and ``snapshot_source``
keeps, per source office (keyed by the uuid of its own unit), the time and hash of the last
snapshot merged and its counts.

What a newer snapshot from a known source does (choices documented here, shown in the report):

- a uuid not in this database → **新增** (added, with a new local id);
- a uuid already here from a snapshot, with any field different → **更新** (changed) to the
  snapshot's values; a record last delivered by another source moves to this one;
- a record that came from this source earlier and is missing from the newer snapshot →
  **已不存在**: it is **deleted** (the library mirrors what the county keeps; closed accounts stay,
  as the county keeps them with status 关停/注销), and listed by name in the report;
- a uuid that belongs to a record made in this office (``origin`` empty) is **not overwritten**
  (reported as 未覆盖本库记录).

Merged records belong to their source: an edit made here to a merged record is replaced by the
next snapshot from that source (corrections go back to the county, which re-sends). Identity is
the source's own unit uuid, so a renamed county stays the same source (its records' ``origin``
follows the new name); a database copied from another county to start with would share that
uuid and be taken for it — each office must create its own database with ``gzdesk init``.

A snapshot with the same hash as, or a created time not later than, the last one merged from that
source changes nothing and says so. A snapshot of this office itself is refused.

Foreign keys are translated through uuids (snapshot id → uuid → local id) for every column the
ORM declares as a foreign key (unit parent, account units, roles, filings, steps, attachments,
tasks, and tables added later), checked with foreign keys deferred to the end.

Unique values other than the uuid never stop a merge. A single-column unique value already used
by another record here is kept with the source's name appended, e.g. ``X（海门区…）``. The 备案编号 is
unique per origin (schema 4: every county numbers ``2026-00001`` alike), and every record a merge
writes takes this source as its origin, so a number collides only with this source's other records:
a value held by a record gone from the source is freed before the new holder is written (the gone
record is deleted at the end, as always) and the reuse is reported — a county that restored an
older backup numbers its next filing as the one it lost; two records of one snapshot with one
number (a county's own filing and one merged from a township) are both kept, the second with the
suffix. Every suffix and reuse is listed in the report and its JSON (``renamed``, ``reused_numbers``).

Everything happens in one transaction (``Database.transaction``) for all files: any refusal,
error or cancel leaves the database as it was. Files are checked before anything is written —
including every value of every record (``gzdesk.value_check``, in ``open_snapshot``): a snapshot
with one bad value is refused whole, naming the record and field, rather than merged without the
bad records. A partial merge would leave the city's library silently out of step with the county
(a filing without its account, a team without a person); the county fixes the value
(``gzdesk verify`` lists them all) and sends the file again.
The rows move set-wise in SQL (``merge_rows.py``): every file is copied into TEMP tables of the
writing connection before the transaction begins, then compared and written table by table with
statements whose cost follows the snapshot, not the library.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gzdesk import audit, office, profiles, signing, value_check
from gzdesk.dates import cn_date
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.exchange import merge_rows, trust
from gzdesk.exchange.merge_rows import Item, RowMerger, Staged
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.snapshot import Manifest, OpenedSnapshot, open_snapshot
from gzdesk.models import Base, SnapshotSource, Unit
from gzdesk.models.base import now
from gzdesk.permissions import Cap, require

TABLE_LABELS = value_check.TABLE_LABELS
LABEL_COLUMNS = value_check.LABEL_COLUMNS

MERGED, ALREADY, OLDER = "merged", "already_merged", "older"
MERGE_CACHE_KIB = 256 * 1024  # SQLite's page cache for a merge's connection (at most; default 2 MiB)


def synced_tables() -> list[Table]:
    """Tables whose rows travel in snapshots: every ORM table with ``uuid`` and ``origin``, parents first."""
    return [t for t in Base.metadata.sorted_tables if "uuid" in t.c and "origin" in t.c]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --------------------------------------------------------------------------- report


@dataclass
class MergeReport:
    """What one snapshot did to this database."""

    file: str
    source_name: str
    source_unit_uuid: str
    profile_id: str | None
    snapshot_created_at: datetime
    sha256: str
    status: str  # merged / already_merged / older
    previous_created_at: datetime | None = None
    added: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)
    gone: list[Item] = field(default_factory=list)
    kept_local: list[Item] = field(default_factory=list)
    renamed: list[tuple[Item, str, str]] = field(default_factory=list)  # (item, column, stored value)
    # (item, column, value, the record gone from the source that held the value before)
    reused: list[tuple[Item, str, str, Item]] = field(default_factory=list)
    renamed_source: str | None = None  # the source's former name when it changed
    history: trust.HistoryCheck | None = None  # what was checked of the source's audit log
    signature: trust.SignatureCheck | None = None  # who signed it, against the pinned key

    def per_table(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for kind in ("added", "changed", "gone"):
            for item in getattr(self, kind):
                out.setdefault(item.table, {"added": 0, "changed": 0, "gone": 0})[kind] += 1
        return out

    def text(self) -> str:
        """The Chinese report shown to the clerk (several lines)."""
        when = cn_date(self.snapshot_created_at.date())
        head = f"{self.source_name}（{when}的快照，文件 {self.file}）"
        if self.status == ALREADY:
            return f"{head}：此快照已合并过，未作任何改动"
        if self.status == OLDER:
            before = cn_date(self.previous_created_at.date()) if self.previous_created_at else ""
            return f"{head}：不比已合并的快照（{before}）新，未作任何改动"
        lines = [f"{head}：新增 {len(self.added)}、更新 {len(self.changed)}、已不存在 {len(self.gone)}"]
        for table, n in self.per_table().items():
            lines.append(f"  {TABLE_LABELS.get(table, table)}：新增 {n['added']}、更新 {n['changed']}、"
                         f"已不存在 {n['gone']}")
        for what, items in (("新增账号", self.added), ("更新账号", self.changed), ("已不存在（已删除）", self.gone)):
            shown = [i.label for i in items if i.table == "account"] if what != "已不存在（已删除）" else \
                [f"{TABLE_LABELS.get(i.table, i.table)}“{i.label}”" for i in items]
            if shown:
                more = f" 等 {len(shown)} 项" if len(shown) > 20 else ""
                lines.append(f"  {what}：{'、'.join(shown[:20])}{more}")
        if self.renamed:
            lines.append(f"  编号与本库已有记录重复、已加来源后缀：{len(self.renamed)} 项（如 {self.renamed[0][2]}）")
        for _item, _col, value, old in self.reused[:20]:
            lines.append(f"  编号 {value} 被来源重新使用：原{TABLE_LABELS.get(old.table, old.table)}（{old.uuid}）已不在来源库中，"
                         "已删除，现为另一条记录（来源可能恢复过旧的备份）")
        if len(self.reused) > 20:
            lines.append(f"  另有 {len(self.reused) - 20} 个编号被重新使用")
        if self.kept_local:
            lines.append(f"  与本库自有记录相同、未覆盖：{len(self.kept_local)} 项")
        if self.renamed_source:
            lines.append(f"  来源单位已更名：{self.renamed_source} → {self.source_name}")
        if self.signature is not None:
            lines.append(f"  签名：{self.signature.note}")
        if self.history is not None:
            lines.append(f"  审计日志：{self.history.note}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"file": self.file, "source_name": self.source_name, "source_unit_uuid": self.source_unit_uuid,
                "profile_id": self.profile_id, "snapshot_created_at": self.snapshot_created_at,
                "sha256": self.sha256, "status": self.status, "previous_created_at": self.previous_created_at,
                "added": len(self.added), "changed": len(self.changed), "gone": len(self.gone),
                "per_table": self.per_table(),
                "added_items": [i.to_json() for i in self.added],
                "changed_items": [i.to_json() for i in self.changed],
                "gone_items": [i.to_json() for i in self.gone],
                "kept_local_items": [i.to_json() for i in self.kept_local],
                "renamed": [dict(i.to_json(), column=c, stored=v) for i, c, v in self.renamed],
                "reused_numbers": [dict(i.to_json(), column=c, number=v, previous_uuid=old.uuid,
                                        previous_label=old.label) for i, c, v, old in self.reused],
                "renamed_from": self.renamed_source,
                "history_verified": self.history.verified if self.history else None,
                "history_note": self.history.note if self.history else None,
                "signed": self.signature.signed if self.signature else None,
                "fingerprint": self.signature.fingerprint if self.signature else None,
                "signature_note": self.signature.note if self.signature else None}


# --------------------------------------------------------------------------- entry point


def merge_snapshots(db: Database, paths: Sequence[Path], progress: ProgressCallback | None = None,
                    actor: str | None = None) -> list[MergeReport]:
    """Check every file, then merge them all in one transaction (oldest snapshot first)."""
    if not paths:
        raise UserError("请选择要合并的快照文件")
    paths = [Path(p) for p in paths]
    with ExitStack() as stack:
        # progress counts every row twice: once when its file is checked, once when it is merged;
        # until the manifests are checked, the row count is estimated from the file sizes
        ticker = Ticker(progress, 2 * sum(_estimate(p) for p in paths))
        ticker.check()
        snaps = [stack.enter_context(open_snapshot(p, on_rows=ticker.advance)) for p in paths]
        ticker.total = ticker.done + sum(sum(s.manifest.counts.values()) for s in snaps)
        snaps.sort(key=lambda s: s.manifest.created)
        try:
            with db.transaction(actor) as session:
                # each file's rows into TEMP tables before the write transaction begins (merge_rows.stage)
                conn, tables = session.connection(), synced_tables()
                # the library's indexes take the rows at random places (uuids, names): with SQLite's
                # 2 MiB default a long merge keeps evicting and re-reading them; the connection is
                # this operation's own (closed after it), and pages are taken only as used
                conn.exec_driver_sql(f"PRAGMA cache_size = -{MERGE_CACHE_KIB}")
                staged = []
                for snap in snaps:
                    ticker.check()
                    staged.append(merge_rows.stage(conn, snap.path, tables))
                reports = []
                for snap, st in zip(snaps, staged, strict=True):
                    reports.append(merge_one(session, snap, ticker, st))
                    merge_rows.drop(conn, st, tables)
                ticker.finish()
        except IntegrityError as exc:  # deferred foreign keys refused at commit: nothing was written
            if "FOREIGN KEY" not in str(exc).upper():
                raise
            raise UserError("合并后有引用无法对应（本库记录仍引用来源已不存在的记录），合并已全部撤销，本库未作改动") from None
        return reports


def _estimate(path: Path) -> int:
    """Rows a file not yet checked will bring, for the progress bar (about 1 row per 500 bytes)."""
    try:
        return max(1, path.stat().st_size // 500)
    except OSError:
        return 1


def merge_one(session: Session, snap: OpenedSnapshot, ticker: Ticker | None = None,
              staged: Staged | None = None) -> MergeReport:
    """Merge one checked snapshot inside the caller's transaction (``staged``: its rows already in
    TEMP tables, ``merge_rows.stage``; else they are copied here)."""
    require(session, Cap.IMPORT)
    m: Manifest = snap.manifest
    ticker = ticker or Ticker(None, 0)
    if staged is None:
        staged = merge_rows.stage(session.connection(), snap.path, synced_tables())
        report = merge_one(session, snap, ticker, staged)
        merge_rows.drop(session.connection(), staged, synced_tables())
        return report
    conn = session.connection()
    dbapi = conn.connection.dbapi_connection
    if dbapi is None or not dbapi.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # hold the write lock from the first read on
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")

    me = office.office(session)
    my_unit = session.get(Unit, me.unit_id)
    if my_unit is not None and my_unit.uuid == m.source_unit_uuid:
        raise UserError(f"快照“{snap.source.name}”是本单位自己导出的，不能合并到本库")
    report = MergeReport(snap.source.name, m.source_name, m.source_unit_uuid, m.profile_id, m.created,
                         m.sha256, MERGED)
    source = session.scalars(select(SnapshotSource).where(SnapshotSource.unit_uuid == m.source_unit_uuid)).first()
    if source is None:  # a source is known by its unit's uuid; its records by its name (``origin``)
        trust.refuse_namesake(session, m, snap.source.name)
    # who sent it (the pinned key) and a sane date, before anything else (gzdesk/exchange/trust.py)
    report.signature = trust.check_signature(m, snap.source.name, source)
    trust.check_clock(m, snap.source.name)
    if source is not None:
        report.previous_created_at = source.snapshot_created_at
        if source.sha256 == m.sha256:
            report.status = ALREADY
        elif m.created <= source.snapshot_created_at:
            report.status = OLDER
        if report.status != MERGED:
            ticker.advance(sum(m.counts.values()))
            return report

    tables = synced_tables()
    # the history must hold up, and extend what was merged from this source before (trust.py)
    report.history = trust.check_history(snap.path, snap.source.name, m.source_name, m.chain_head,
                                         {t.name for t in tables}, source)
    if source is not None and source.name != m.source_name:
        report.renamed_source = source.name
        for t in tables:
            audit.note_rows(session, t.name, [r[0] for r in conn.exec_driver_sql(
                f"SELECT uuid FROM {_q(t.name)} WHERE origin = ?", (source.name,))])
            conn.exec_driver_sql(f"UPDATE {_q(t.name)} SET origin = ? WHERE origin = ?",
                                 (m.source_name, source.name))

    merger = RowMerger(conn, staged, m.source_name, report, ticker)
    merger.run(tables)
    problems = merger.dangling(Base.metadata.sorted_tables)
    if problems:
        table, rowid, parent = problems[0]
        raise UserError(f"合并“{snap.source.name}”后有 {len(problems)} 处引用无法对应：本库记录仍引用来源已不存在的"
                        f"{TABLE_LABELS.get(parent, parent)}（如{TABLE_LABELS.get(table, table)}编号 {rowid}），"
                        "合并已全部撤销")

    counts_json = json.dumps(m.counts, ensure_ascii=False, sort_keys=True)
    result_json = json.dumps({"added": len(report.added), "changed": len(report.changed),
                              "gone": len(report.gone)})
    if source is None:
        source = SnapshotSource(unit_uuid=m.source_unit_uuid)
        session.add(source)
    source.name, source.profile_id = m.source_name, m.profile_id
    source.snapshot_created_at, source.sha256 = m.created, m.sha256
    source.schema_version, source.merged_at = m.schema_version, now()
    source.counts, source.result = counts_json, result_json
    trust.remember(source, m.chain_head)
    trust.pin(source, m, report.signature)
    for items, deleted in ((report.added + report.changed, False), (report.gone, True)):
        by_table: dict[str, list[str]] = {}
        for item in items:
            by_table.setdefault(item.table, []).append(item.uuid)
        for name, uuids in by_table.items():
            audit.note_rows(session, name, uuids, deleted=deleted)
    audit.record_bulk(session, "merge", "snapshot_source", entity_uuid=m.source_unit_uuid,
                 summary=(f"合并{m.source_name}{cn_date(m.created.date())}的上报快照：新增 {len(report.added)}、"
                          f"更新 {len(report.changed)}、已不存在 {len(report.gone)}")[:500],
                 changes={"file": snap.source.name, "sha256": m.sha256, "created_at": m.created_at,
                          "added": len(report.added),
                          "changed": [i.uuid for i in report.changed],
                          "gone": [i.uuid for i in report.gone]})
    session.flush()
    return report


# --------------------------------------------------------------------------- sources


@dataclass
class SourceRow:
    """One lower office whose snapshots were merged here (来源快照)."""

    id: int
    name: str
    unit_uuid: str
    profile_id: str | None
    snapshot_created_at: datetime
    merged_at: datetime
    sha256: str
    counts: dict[str, int]
    last_result: dict[str, int]
    accounts_here: int
    records_here: int
    profile_name: str = ""
    fingerprint: str | None = None  # of the pinned signing key (trust.py)

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "unit_uuid": self.unit_uuid, "profile_id": self.profile_id,
                "snapshot_created_at": self.snapshot_created_at, "merged_at": self.merged_at,
                "sha256": self.sha256, "counts": self.counts, "last_result": self.last_result,
                "accounts_here": self.accounts_here, "records_here": self.records_here,
                "profile_name": self.profile_name, "fingerprint": self.fingerprint}


def list_sources(session: Session) -> list[SourceRow]:
    """Every source, most recent snapshot first, with how many of its records this database holds."""
    conn = session.connection()
    here: dict[str, dict[str, int]] = {}
    for table in synced_tables():
        for origin, n in conn.exec_driver_sql(
                f"SELECT origin, count(*) FROM {_q(table.name)} WHERE origin IS NOT NULL GROUP BY origin"):
            here.setdefault(origin, {})[table.name] = n
    out = []
    for s in session.scalars(select(SnapshotSource).order_by(SnapshotSource.snapshot_created_at.desc())):
        mine = here.get(s.name, {})
        out.append(SourceRow(s.id, s.name, s.unit_uuid, s.profile_id, s.snapshot_created_at, s.merged_at, s.sha256,
                             json.loads(s.counts or "{}"), json.loads(s.result or "{}"),
                             mine.get("account", 0), sum(mine.values()), _profile_name(s.profile_id),
                             signing.fingerprint(s.public_key) if s.public_key and signing.valid_public_key(s.public_key)
                             else None))
    return out


def _profile_name(profile_id: str | None) -> str:
    if not profile_id:
        return ""
    try:
        return profiles.by_id(profile_id).name
    except UserError:
        return profile_id
