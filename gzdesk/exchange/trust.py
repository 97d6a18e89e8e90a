"""What a receiving office can trust in a 上报快照: the sender's history, and (see ``gzdesk.signing``) its key.

**The history.** A snapshot carries the office's whole audit log (``gzdesk.audit``) and, in its
manifest, the chain head (id and hash of the last event). Before merging, ``check_history``:

1. checks the snapshot's log as ``gzdesk verify`` would (chain, bulk digests, and every record that
   travels against its events), so a snapshot whose records were changed with sqlite3 after export,
   without events, is refused;
2. checks that the manifest's head is an event of that log;
3. for a source merged before, checks that the event it ended with then (``snapshot_source.
   chain_event_id`` / ``chain_head``) is still in the log, unchanged: a county that deleted or
   rewrote its history — even with a recomputed chain — is refused at its next 上报.

Against whom: a county clerk with the database file can still add events at the end that look
like real edits (nothing can tell those apart); what they cannot do is change what the city has
already seen without the city noticing. Someone with only the e-mailed file is stopped by the
signature (``gzdesk.signing``), not by this.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gzdesk import audit_verify
from gzdesk.dates import cn_date
from gzdesk.errors import UserError


class HistoryRefused(UserError):
    """The snapshot's history does not hold up; nothing was merged."""


@dataclass
class HistoryCheck:
    """What ``check_history`` established (for ``snapshot inspect`` and the merge report)."""

    verified: bool  # the log and the records in the snapshot were checked
    head: tuple[int, str] | None = None
    extends: bool | None = None  # extends what this office merged before (None: nothing to compare)
    note: str = ""


def prepare_copy(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    """Export side, on the private copy before anything is stripped: refuse a database whose own
    audit log does not verify (the receiving office would refuse it), and return its chain head
    (None for a database older than the chain, which the command line upgrades before exporting)."""
    if "hash" not in {r[1] for r in conn.execute("PRAGMA table_info(audit_event)")}:
        return None
    result = audit_verify.check(conn, max_listed=1)
    if not result.ok:
        raise UserError(f"本库的审计日志校验未通过（{result.problems[0][1]}），不能导出上报快照："
                        "请运行 gzdesk verify 查看，必要时从备份恢复")
    return result.head


def head_json(head: tuple[int, str] | None) -> dict | None:
    return {"id": head[0], "hash": head[1]} if head else None


def head_of(data) -> tuple[int, str] | None:
    """A manifest's ``chain_head`` as (id, hash); None when absent; UserError when malformed."""
    if data is None:
        return None
    try:
        eid, digest = int(data["id"]), str(data["hash"])
    except (KeyError, TypeError, ValueError):
        raise UserError("快照清单中的审计链末端已损坏") from None
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise UserError("快照清单中的审计链末端已损坏")
    return eid, digest


def check_history(copy: Path, file_name: str, source_name: str, head: tuple[int, str] | None,
                  synced: set[str], previous=None) -> HistoryCheck:
    """Check the snapshot at ``copy`` (see the module docstring); ``previous``: its
    ``SnapshotSource`` row when this source was merged before. Raises ``HistoryRefused``."""
    known = previous is not None and previous.chain_event_id is not None
    if head is None:
        if known:
            raise HistoryRefused(f"来源“{source_name}”此前报送的快照带有审计日志校验链，快照“{file_name}”却没有"
                                 "（旧版程序导出或被改动），已拒绝合并")
        return HistoryCheck(False, note="快照没有审计日志校验链（由旧版程序导出），未核对其历史")
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        result = audit_verify.check(conn, max_listed=1, only_tables=synced)
        if not result.ok:
            raise HistoryRefused(f"快照“{file_name}”的审计日志校验未通过（{result.problems[0][1]}），已拒绝合并")
        row = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (head[0],)).fetchone()
        if row is None or row[0] != head[1]:
            raise HistoryRefused(f"快照“{file_name}”清单中的审计链末端与其审计日志不符，文件已被改动，已拒绝合并")
        if not known:
            return HistoryCheck(True, head, None, "首次合并该来源：已核对其审计日志，并记下链末端供以后比对")
        if head[0] < previous.chain_event_id:
            raise HistoryRefused(_rewritten(source_name, previous, "比上次合并时还短"))
        row = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (previous.chain_event_id,)).fetchone()
        if row is None or row[0] != previous.chain_head:
            raise HistoryRefused(_rewritten(source_name, previous, "与上次合并时不一致"))
    finally:
        conn.close()
    return HistoryCheck(True, head, True, f"其审计日志延续了上次合并时的第 {previous.chain_event_id} 条")


def _rewritten(source_name: str, previous, how: str) -> str:
    when = cn_date(previous.snapshot_created_at.date()) if previous.snapshot_created_at else "上次"
    return (f"来源“{source_name}”的审计日志{how}（{when}的快照止于第 {previous.chain_event_id} 条 "
            f"{(previous.chain_head or '')[:16]}）：其历史被删除或改写，已拒绝合并，请与该单位核实")


def remember(source, head: tuple[int, str] | None) -> None:
    """After a merge: the head a later snapshot of this source must extend."""
    if head is not None:
        source.chain_event_id, source.chain_head = head

