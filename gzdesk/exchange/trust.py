"""What a receiving office can trust in a 上报快照: who sent it (its key) and the sender's history.

**Checks and what each guarantees, against whom**

- *A careless clerk or a damaged e-mail*: the file seal and the content hash (``snapshot.py``)
  show that the file is as exported. They prove nothing about origin: SHA-256 has no key, anyone
  who changes the file can recompute both.
- *Someone with the e-mailed file* (who can open it with sqlite3, empty it, even re-export it with
  gzdesk): the **signature**. Each office signs its snapshots with its own Ed25519 key, which never
  leaves its database (``gzdesk.signing``). The receiving office **pins** a source's public key on
  its first signed merge and shows its fingerprint, to be read back over the phone; afterwards an
  unsigned snapshot, or one signed by another key, for that source is refused in one line. A
  re-exported copy is signed by another key (the snapshot carries none), a hand-edited one fails
  its signature. Re-pinning (the county rebuilt its database) is a 管理员 action, written to the
  audit log.
- *Someone with the county's database file* (who has its key): the **history** below.
- *A wrong clock*: a snapshot dated in the future is refused, since every later one from that
  county would look older; ``reset_time`` undoes one merged before this check existed.

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

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import audit, audit_verify, safe_files, signing
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.permissions import Cap, require

SIGN_TAG = b"gzdesk-snapshot-signature/1\n"
CLOCK_TOLERANCE = timedelta(hours=1)  # how far ahead of this PC's clock a snapshot may be dated


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
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "snapshot_manifest" in tables:
        raise UserError(f"“{name}”的这个文件是一份上报快照，不是本单位的数据库，不能再导出为上报快照")
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
    conn = safe_files.connect_read_only(copy)
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
            f"{(previous.chain_head or '')[:16]}）：其历史被删除或改写，已拒绝合并，请与该单位核实；如该单位确曾从备份"
            f"恢复或重建数据库，可由管理员运行 gzdesk snapshot sources --reset-history “{source_name}”")


def remember(source, head: tuple[int, str] | None) -> None:
    """After a merge: the head a later snapshot of this source must extend."""
    if head is not None:
        source.chain_event_id, source.chain_head = head



# --------------------------------------------------------------------------- signatures


def copy_key(conn: sqlite3.Connection) -> tuple[str, str] | None:
    """The office's (public, private) key from the export's private copy, before it is emptied."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "signing_key" not in tables:
        return None
    row = conn.execute("SELECT public_key, private_key FROM signing_key ORDER BY id LIMIT 1").fetchone()
    if row is None or not signing.valid_public_key(row[0]):
        return None
    return row[0], row[1]


def signed_message(manifest) -> bytes:
    """What a snapshot's signature covers: its content hash (every row, the schema, the manifest)
    and the manifest itself — source, time, counts, chain head, public key — spelled out."""
    body = json.dumps({"content_sha256": manifest.sha256, "manifest": manifest.fields()},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return SIGN_TAG + body.encode("utf-8")


def sign_manifest(manifest, private_hex: str) -> str:
    return signing.sign(private_hex, signed_message(manifest))


@dataclass
class SignatureCheck:
    signed: bool
    valid: bool
    fingerprint: str | None = None
    pinned: str | None = None  # fingerprint of the key this office pinned for the source
    note: str = ""


def signature_of(manifest) -> SignatureCheck:
    """Whether the snapshot is signed and the signature matches its own public key."""
    if not manifest.signature:
        return SignatureCheck(False, False, note="未签名")
    if not signing.valid_public_key(manifest.public_key):
        return SignatureCheck(True, False, note="签名所附公钥无效")
    ok = signing.verify(manifest.public_key, signed_message(manifest), manifest.signature)
    return SignatureCheck(True, ok, signing.fingerprint(manifest.public_key),
                          note="签名有效" if ok else "签名与内容不符")


def check_signature(manifest, file_name: str, previous) -> SignatureCheck:
    """Refuse (``UserError``) what a pinned source must not send; say what will be pinned."""
    result = signature_of(manifest)
    if result.signed and not result.valid:
        raise UserError(f"快照“{file_name}”的签名与其内容不符：文件在导出后被改动，已拒绝合并")
    pinned = previous.public_key if previous is not None else None
    if pinned:
        result.pinned = signing.fingerprint(pinned)
        if not result.signed:
            raise UserError(f"来源“{manifest.source_name}”已登记签名公钥（指纹 {result.pinned}），快照“{file_name}”"
                            "却没有签名：可能被改动或冒充，已拒绝合并")
        if manifest.public_key != pinned:
            raise UserError(f"快照“{file_name}”由另一把密钥签名（指纹 {result.fingerprint}），与来源“{manifest.source_name}”"
                            f"登记的（指纹 {result.pinned}）不同：可能是冒充，已拒绝合并。如该单位确已重建数据库、"
                            "更换了密钥，请电话核对新指纹后由管理员运行 gzdesk snapshot repin 该文件")
        result.note = f"签名有效，与登记的公钥一致（指纹 {result.pinned}）"
    elif result.signed:
        result.note = (f"首次登记该来源的签名公钥，指纹 {result.fingerprint}：请与该单位电话核对此指纹，"
                       "以后其快照须由同一密钥签名")
    else:
        result.note = "快照未签名（由旧版程序导出），无法确认来自该单位"
    return result


def refuse_namesake(session: Session, manifest, file_name: str) -> None:
    """A snapshot from an unknown database that bears a known source's name is refused.

    Anyone can ``gzdesk init`` a database under a county's name; it has its own unit uuid and key,
    so it would be taken for a new source, pin its own key, and — since merged records carry their
    source's name — its (empty) snapshot would delete the real county's records. Only a 管理员 who
    has checked the new fingerprint by phone adopts it (``repin``: the county rebuilt its database).
    """
    from gzdesk.models import SnapshotSource

    known = session.scalars(select(SnapshotSource).where(SnapshotSource.name == manifest.source_name)).first()
    if known is None:
        return
    pinned = f"登记的公钥指纹 {signing.fingerprint(known.public_key)}" if known.public_key else "尚未登记公钥"
    raise UserError(f"本库已有来源“{known.name}”（{pinned}），快照“{file_name}”却来自另一个同名的数据库：可能是冒充，"
                    "已拒绝合并，该来源的记录未动。如该单位确已重建数据库，请电话核对新指纹后由管理员运行 "
                    "gzdesk snapshot repin 该文件")


def pin(source, manifest, check: SignatureCheck) -> None:
    """After a merge: a source's first signed snapshot pins its key."""
    if check.signed and check.valid and not source.public_key:
        source.public_key = manifest.public_key
        source.key_pinned_at = datetime.now().replace(microsecond=0)


def check_clock(manifest, file_name: str, at: datetime | None = None) -> None:
    """A snapshot dated after this PC's clock is refused (see the module docstring)."""
    now = at or datetime.now()
    if manifest.created > now + CLOCK_TOLERANCE:
        raise UserError(f"快照“{file_name}”的导出时间（{cn_date(manifest.created.date())} {manifest.created:%H:%M}）"
                        "晚于本机当前时间：导出它的电脑时钟可能不准，已拒绝合并（否则该单位此后的快照都会被当作较旧的）；"
                        "请该单位校正电脑时间后重新导出")


# --------------------------------------------------------------------------- a 管理员's actions on sources


def _source(session: Session, name_or_uuid: str):
    from gzdesk.models import SnapshotSource

    rows = session.scalars(select(SnapshotSource).where(
        (SnapshotSource.name == name_or_uuid) | (SnapshotSource.unit_uuid == name_or_uuid))).all()
    if not rows:
        raise UserError(f"没有名为“{name_or_uuid}”的来源单位（见 gzdesk snapshot sources）")
    return rows[0]


@dataclass(frozen=True)
class Repinned:
    """What ``repin`` did: the source, its key's fingerprints before (None: it had none) and after,
    and whether the source was a database the county rebuilt (adopted by name, a new history)."""

    source: str
    old: str | None
    new: str
    rebuilt: bool = False


def repin(session: Session, manifest, file_name: str) -> Repinned:
    """Pin the key that signed ``manifest`` (a checked snapshot) for its source."""
    require(session, Cap.TRUST)
    check = signature_of(manifest)
    if not (check.signed and check.valid):
        raise UserError(f"快照“{file_name}”没有有效的签名，不能据此登记公钥")
    from gzdesk.models import SnapshotSource

    source = session.scalars(select(SnapshotSource).where(
        SnapshotSource.unit_uuid == manifest.source_unit_uuid)).first()
    rebuilt = None
    if source is None:  # the county rebuilt its database (``refuse_namesake``): adopt it by name
        source = _source(session, manifest.source_name)
        rebuilt = source.unit_uuid
        source.unit_uuid = manifest.source_unit_uuid
        source.chain_event_id, source.chain_head = None, None  # a new database starts a new history
    old = signing.fingerprint(source.public_key) if source.public_key else None
    if source.public_key == manifest.public_key and rebuilt is None:
        raise UserError(f"来源“{source.name}”登记的公钥已是此快照的公钥（指纹 {old}）")
    source.public_key = manifest.public_key
    source.key_pinned_at = datetime.now().replace(microsecond=0)
    what = "改为登记其重建的数据库，" if rebuilt else ""
    audit.record(session, "repin", "snapshot_source",
                 f"来源“{source.name}”{what}更换签名公钥：{old or '无'} → {check.fingerprint}", str(source.id),
                 {"file": file_name, "old_fingerprint": old, "new_fingerprint": check.fingerprint,
                  **({"unit_uuid": [rebuilt, manifest.source_unit_uuid]} if rebuilt else {})})
    return Repinned(manifest.source_name, old, check.fingerprint or "", rebuilt is not None)


def repin_from_file(session: Session, path: Path) -> Repinned:
    """``repin`` with the key of the snapshot file at ``path`` (checked first)."""
    from gzdesk.exchange.snapshot import open_snapshot

    with open_snapshot(Path(path)) as snap:
        return repin(session, snap.manifest, Path(path).name)


def reset_time(session: Session, name: str) -> tuple[datetime, datetime]:
    """Forget a last-seen time that lies ahead (a county PC's wrong clock, merged before this was
    checked): it becomes the earliest of itself, the time it was merged here, and now."""
    require(session, Cap.TRUST)
    source = _source(session, name)
    old = source.snapshot_created_at
    new = min(old, source.merged_at or old, datetime.now().replace(microsecond=0))
    if new == old:
        raise UserError(f"来源“{source.name}”的最近快照时间（{cn_date(old.date())} {old:%H:%M}）不晚于合并时间，无需重置")
    source.snapshot_created_at = new
    audit.record(session, "reset_source", "snapshot_source", f"重置来源“{source.name}”的最近快照时间",
                 str(source.id), {"snapshot_created_at": [old.isoformat(sep=" "), new.isoformat(sep=" ")]})
    return old, new


def reset_history(session: Session, name: str) -> tuple[int, str] | None:
    """Forget the chain head a source's next snapshot must extend (the county restored an old
    backup, or rebuilt its database): the next snapshot starts a new history. Audited."""
    require(session, Cap.TRUST)
    source = _source(session, name)
    old = (source.chain_event_id, source.chain_head) if source.chain_event_id is not None else None
    if old is None:
        raise UserError(f"来源“{source.name}”没有记下的审计链末端，无需重置")
    source.chain_event_id, source.chain_head = None, None
    audit.record(session, "reset_source", "snapshot_source", f"重置来源“{source.name}”记下的审计链末端",
                 str(source.id), {"chain_head": [f"{old[0]}:{old[1]}", None]})
    return old


# --------------------------------------------------------------------------- what inspect says


@dataclass
class Finding:
    status: str  # "ok" (verified), "bad" (failed), "none" (not verified)
    text: str

    @property
    def label(self) -> str:
        return {"ok": "已核对", "bad": "未通过", "none": "未核对"}[self.status]


def inspect(snap, synced: set[str], session: Session | None = None) -> list[Finding]:
    """What can be verified of an opened snapshot (``snapshot.open_snapshot`` checked the file
    already), and against this office's records of its source when ``session`` is given."""
    m = snap.manifest
    out = [Finding("ok", "文件完整，内容校验值（SHA-256）与文件校验值相符：文件自导出以来未被改动或损坏"
                         "（SHA-256 不带密钥，改动文件的人也能重算，这一项不能证明来源）")]
    sig = signature_of(m)
    if not sig.signed:
        out.append(Finding("none", "未签名（旧版程序导出）：无法确认导出它的单位"))
    elif sig.valid:
        out.append(Finding("ok", f"签名有效：由持有公钥（指纹 {sig.fingerprint}）对应私钥的单位导出，此后未被改动"
                                 "（该公钥是否确属该单位，须与登记的指纹或该单位电话核对）"))
    else:
        out.append(Finding("bad", f"签名无效（{sig.note}）：文件在导出后被改动"))
    if m.chain_head is None:
        out.append(Finding("none", "快照没有审计日志校验链（旧版程序导出）：未核对其记录的历史"))
    else:
        conn = safe_files.connect_read_only(snap.path)
        try:
            result = audit_verify.check(conn, max_listed=1, only_tables=synced)
            row = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (m.chain_head[0],)).fetchone()
        finally:
            conn.close()
        if result.ok and row is not None and row[0] == m.chain_head[1]:
            out.append(Finding("ok", f"审计日志 {result.events} 条的校验链完整，快照中的每条记录都与日志相符；"
                                     f"链末端第 {m.chain_head[0]} 条 {m.chain_head[1][:16]}"))
        else:
            why = result.problems[0][1] if result.problems else "清单中的链末端与日志不符"
            out.append(Finding("bad", f"审计日志校验未通过：{why}"))
    try:
        check_clock(m, snap.source.name)
        out.append(Finding("ok", "导出时间不晚于本机时间"))
    except UserError as exc:
        out.append(Finding("bad", exc.message))
    if session is None:
        out.append(Finding("none", "未与本库登记的来源比对（加 --db 指定本单位的数据库，可核对登记的公钥和上次合并的历史）"))
    else:
        out.extend(_against_source(session, snap, synced, sig))
    out.append(Finding("none", "快照所载内容是否属实（账号是否确实存在、信息是否准确）：只能核对它与该单位的审计日志一致"))
    return out


def _against_source(session: Session, snap, synced: set[str], sig: SignatureCheck) -> list[Finding]:
    from gzdesk.models import SnapshotSource

    m = snap.manifest
    source = session.scalars(select(SnapshotSource).where(SnapshotSource.unit_uuid == m.source_unit_uuid)).first()
    if source is None:
        return [Finding("none", "本库尚未合并过该来源：合并时将登记其公钥" + (f"（指纹 {sig.fingerprint}）" if sig.signed else ""))]
    out = []
    if source.public_key:
        pinned = signing.fingerprint(source.public_key)
        if sig.signed and sig.valid and m.public_key == source.public_key:
            out.append(Finding("ok", f"签名公钥与本库登记的一致（指纹 {pinned}）"))
        else:
            out.append(Finding("bad", f"签名公钥与本库登记的（指纹 {pinned}）不一致或未签名：合并将被拒绝"))
    else:
        out.append(Finding("none", "本库尚未登记该来源的公钥（此前的快照未签名）"))
    try:
        check_history(snap.path, snap.source.name, m.source_name, m.chain_head, synced, source)
        if source.chain_event_id is not None:
            out.append(Finding("ok", f"审计日志延续了本库上次合并时的第 {source.chain_event_id} 条"))
    except UserError as exc:
        out.append(Finding("bad", exc.message))
    return out
