"""上报快照: two county databases → two snapshots → one city database (issue 4 item 3)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gzdesk import demo, registry
from gzdesk.errors import UserError
from gzdesk.exchange import snapshot
from gzdesk.exchange.merge import (
    ALREADY,
    MERGED,
    OLDER,
    list_sources,
    merge_snapshots,
    synced_tables,
)
from gzdesk.exchange.progress import Cancelled
from gzdesk.exchange.snapshot import (
    MANIFEST_TABLE,
    SEAL_PREFIX,
    content_digest,
    export_snapshot,
    inspect_snapshot,
    read_manifest,
)
from gzdesk.models import (
    Account,
    AccountRole,
    ApprovalStep,
    Attachment,
    Filing,
    Person,
    Task,
    Unit,
    migrations,
)

TABLES = ["unit", "account", "person", "account_role", "filing", "approval_step", "attachment", "task"]


def integrity(path: Path) -> str:
    """``sqlite3 FILE 'PRAGMA integrity_check'`` (the CLI when installed, else the module)."""
    if shutil.which("sqlite3"):
        return subprocess.run(["sqlite3", str(path), "PRAGMA integrity_check"], capture_output=True,
                              text=True, check=True).stdout.strip()
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def counts(db) -> dict[str, int]:
    conn = sqlite3.connect(db.path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def dump(db) -> str:
    """A hash of every row of every table: equal dumps mean an unchanged database."""
    conn = sqlite3.connect(db.path)
    try:
        h = hashlib.sha256()
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for t in names:
            for row in conn.execute(f"SELECT * FROM {t} ORDER BY 1"):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        conn.close()


@pytest.fixture
def counties(make_db):
    haimen = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    demo.generate(haimen, 40, seed=1, today=date(2026, 11, 20))
    qidong = make_db("nantong", unit="启东市人民政府办公室", name="qidong.db")
    demo.generate(qidong, 25, seed=2, today=date(2026, 11, 20))
    return haimen, qidong


@pytest.fixture
def city(make_db):
    return make_db("nantong", unit="南通市人民政府办公室", name="city.db")


def test_export_writes_manifest_counts_and_valid_hash(counties, tmp_path):
    haimen, _ = counties
    target = tmp_path / "haimen.gzsnap"
    info = export_snapshot(haimen.path, target)
    assert target.exists() and not Path(str(target) + ".partial").exists()
    assert integrity(target) == "ok"
    m = info.manifest
    assert m.source_name == "海门区人民政府办公室" and m.profile_id == "nantong"
    assert m.schema_version == migrations.LATEST_VERSION
    with haimen.reader() as s:
        unit_uuid = s.scalar(select(Unit.uuid).where(Unit.name == "海门区人民政府办公室"))
        assert m.source_unit_uuid == unit_uuid
        assert m.counts["account"] == s.scalar(select(func.count(Account.id))) == 40
        assert m.counts["unit"] == s.scalar(select(func.count(Unit.id)))
    conn = sqlite3.connect(target)
    try:
        assert read_manifest(conn, "x").sha256 == m.sha256
        assert content_digest(conn, m.fields()) == m.sha256
        # the audit log travels (format 2) and the manifest names its head; users stay home
        assert m.chain_head == conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
        assert conn.execute("SELECT count(*) FROM app_user").fetchone()[0] == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        # the content hash survives VACUUM (it is defined over rows, not pages)
        conn.execute("VACUUM")
        assert content_digest(conn, m.fields()) == m.sha256
        conn.execute("UPDATE account SET followers = coalesce(followers, 0) + 1 WHERE id = 1")
        conn.commit()
        assert content_digest(conn, m.fields()) != m.sha256
    finally:
        conn.close()


def test_export_is_consistent_while_a_write_is_open(counties, tmp_path):
    haimen, _ = counties
    with haimen.transaction() as s:
        s.add(Account(name="未提交的账号", platform="weibo"))
        s.flush()  # a write transaction is open in the program while the snapshot is taken
        info = export_snapshot(haimen.path, tmp_path / "during.gzsnap")
    assert info.manifest.counts["account"] == 40
    assert integrity(info.path) == "ok"
    assert inspect_snapshot(info.path).manifest.sha256 == info.manifest.sha256


def test_two_counties_merge_into_the_city_and_remerge_changes_nothing(counties, city, tmp_path):
    haimen, qidong = counties
    a = export_snapshot(haimen.path, tmp_path / "haimen.gzsnap").path
    b = export_snapshot(qidong.path, tmp_path / "qidong.gzsnap").path
    before = counts(city)
    reports = merge_snapshots(city, [a, b])
    assert [r.status for r in reports] == [MERGED, MERGED]
    after = counts(city)
    ca, cb = counts(haimen), counts(qidong)
    for t in TABLES:
        assert after[t] == before[t] + ca[t] + cb[t], t
    assert integrity(city.path) == "ok"
    assert len(reports[0].added) == sum(ca.values()) and not reports[0].changed and not reports[0].gone

    with city.reader() as s:
        origins = dict(s.execute(select(Account.origin, func.count()).group_by(Account.origin)).all())
        assert origins == {"海门区人民政府办公室": 40, "启东市人民政府办公室": 25}
        sources = list_sources(s)
    assert {x.name for x in sources} == {"海门区人民政府办公室", "启东市人民政府办公室"}
    assert {x.name: x.accounts_here for x in sources} == {"海门区人民政府办公室": 40, "启东市人民政府办公室": 25}

    # filing numbers are numbered alike in every county: each keeps its number as printed, unique per origin
    with city.reader() as s:
        numbered = s.execute(select(Filing.origin, Filing.number)).all()
    numbers = [n for _, n in numbered]
    assert len(numbers) > len(set(numbers)), "the two counties share numbers"
    assert len(numbered) == len(set(numbered))
    assert not any("（" in n for n in numbers)

    state = dump(city)
    again = merge_snapshots(city, [b, a])
    assert [r.status for r in again] == [ALREADY, ALREADY]
    assert "已合并过" in again[0].text()
    assert dump(city) == state


def test_foreign_keys_are_mapped_by_uuid(counties, city, tmp_path):
    haimen, _ = counties
    with haimen.transaction() as s:
        acc = s.scalars(select(Account).order_by(Account.id)).first()
        att = Attachment(owner_uuid=acc.uuid, filename="登记表.pdf", mime="application/pdf", data=b"%PDF-1.4 x")
        s.add(att)
        s.flush()
        step = s.scalars(select(ApprovalStep)).first()
        step.attachment_id = att.id
        s.add(Task(kind="password_change", title="修改密码", account_id=acc.id, due_on=date(2026, 12, 1)))
    # the city already has records of its own, so local ids differ from the county's
    with city.transaction() as s:
        for i in range(7):
            s.add(Unit(name=f"市级单位{i}"))
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    merge_snapshots(city, [snap])

    def by_uuid(db):
        with db.reader() as s:
            units = {u.id: u.uuid for u in s.scalars(select(Unit))}
            accounts = {a.id: a.uuid for a in s.scalars(select(Account))}
            people = {p.id: p.uuid for p in s.scalars(select(Person))}
            filings = {f.id: f.uuid for f in s.scalars(select(Filing))}
            atts = {a.id: a.uuid for a in s.scalars(select(Attachment))}
            out = {}
            for u in s.scalars(select(Unit)):
                out[u.uuid] = units.get(u.parent_id)
            for a in s.scalars(select(Account)):
                out[a.uuid] = (units.get(a.host_unit_id), units.get(a.supervisor_unit_id), units.get(a.operator_unit_id))
            for r in s.scalars(select(AccountRole)):
                out[r.uuid] = (accounts[r.account_id], people[r.person_id], r.role)
            for f in s.scalars(select(Filing)):
                out[f.uuid] = accounts.get(f.account_id)
            for st in s.scalars(select(ApprovalStep)):
                out[st.uuid] = (filings[st.filing_id], atts.get(st.attachment_id))
            for t in s.scalars(select(Task)):
                out[t.uuid] = (accounts.get(t.account_id), people.get(t.person_id))
            return out

    county, merged = by_uuid(haimen), by_uuid(city)
    assert county and all(merged[k] == v for k, v in county.items())
    with city.reader() as s:
        assert s.scalar(select(func.count(Task.id))) == 1
        assert s.scalars(select(Attachment)).one().data == b"%PDF-1.4 x"


def test_newer_snapshot_reports_added_changed_and_gone(counties, city, tmp_path):
    haimen, _ = counties
    with haimen.transaction() as s:
        temp_id = registry.save_account(s, registry.AccountData(name="临时测试号", platform="douyin"))
    first = export_snapshot(haimen.path, tmp_path / "v1.gzsnap").path
    merge_snapshots(city, [first])

    with haimen.transaction() as s:
        registry.delete_account(s, temp_id)
        renamed = s.scalars(select(Account).where(Account.name != "临时测试号").order_by(Account.id)).first()
        renamed_uuid = renamed.uuid
        renamed.name = "海门发布（新名）"
        new_id = registry.save_account(s, registry.AccountData(name="海门新开账号", platform="kuaishou"))
        new_uuid = s.get(Account, new_id).uuid
    second = export_snapshot(haimen.path, tmp_path / "v2.gzsnap").path
    report = merge_snapshots(city, [second])[0]
    assert report.status == MERGED
    assert [i.uuid for i in report.added] == [new_uuid]
    assert [(i.table, i.uuid) for i in report.changed] == [("account", renamed_uuid)]
    assert [(i.table, i.label) for i in report.gone] == [("account", "临时测试号（抖音）")]
    text = report.text()
    assert "新增 1、更新 1、已不存在 1" in text and "临时测试号" in text
    with city.reader() as s:
        names = set(s.scalars(select(Account.name)))
    assert "海门发布（新名）" in names and "海门新开账号" in names and "临时测试号" not in names
    assert counts(city)["account"] == counts(haimen)["account"]

    # the older snapshot, arriving late, changes nothing and says so
    state = dump(city)
    late = merge_snapshots(city, [first])[0]
    assert late.status == OLDER and "未作任何改动" in late.text()
    assert dump(city) == state


def _flip(path: Path, offset: int, new: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    data[offset] = new if new is not None else data[offset] ^ 0x01
    path.write_bytes(bytes(data))


def test_snapshot_with_a_changed_text_byte_is_refused(counties, city, tmp_path):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    with haimen.reader() as s:  # a text value in no index (an index would let integrity_check see it)
        intro = s.scalars(select(Account.intro).where(Account.intro.is_not(None)).order_by(Account.id)).first()
    raw = intro.encode("utf-8")
    data = snap.read_bytes()
    at = data.find(raw)
    assert at > 0 and raw[0] >= 0xE0  # starts with a Chinese character (3 bytes in UTF-8)
    _flip(snap, at + 2, data[at + 2] ^ 0x01)  # the last byte of that character: still valid UTF-8 text
    assert integrity(snap) == "ok"  # SQLite cannot see it …
    state = dump(city)
    with pytest.raises(UserError, match="内容校验值"):  # … the content hash can
        merge_snapshots(city, [snap])
    assert dump(city) == state


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.02, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.97, 0.999])
def test_snapshot_with_any_byte_changed_is_refused(counties, city, tmp_path, fraction):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    size = snap.stat().st_size
    offset = min(size - 1, int(size * fraction) + (60 if fraction == 0.0 else 0))
    _flip(snap, offset)
    state = dump(city)
    with pytest.raises(UserError):
        merge_snapshots(city, [snap])
    assert dump(city) == state


def test_byte_in_unused_page_space_is_caught_by_the_seal(counties, city, tmp_path):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    conn = sqlite3.connect(snap)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = snap.read_bytes()
    # the header's "reserved for expansion" bytes 72‥91 are zero and unused by SQLite
    assert data[72:92] == bytes(20)
    _flip(snap, 80)
    assert integrity(snap) == "ok" and page_size > 0
    with pytest.raises(UserError, match="文件校验值"):
        merge_snapshots(city, [snap])


def test_newer_schema_snapshot_is_refused(counties, city, tmp_path):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    conn = sqlite3.connect(snap)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(UserError, match="较新版本"):
        merge_snapshots(city, [snap])


def test_non_snapshot_files_are_refused(counties, city, tmp_path):
    haimen, _ = counties
    text = tmp_path / "notes.gzsnap"
    text.write_text("这不是快照", encoding="utf-8")
    with pytest.raises(UserError, match="不是上报快照"):
        merge_snapshots(city, [text])
    with pytest.raises(UserError, match="不是上报快照"):
        merge_snapshots(city, [haimen.path])
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(UserError, match="不是 gzdesk 上报快照"):
        merge_snapshots(city, [plain])
    with pytest.raises(UserError, match="找不到"):
        merge_snapshots(city, [tmp_path / "missing.gzsnap"])
    broken = tmp_path / "broken.gzsnap"
    data = bytearray(export_snapshot(haimen.path, tmp_path / "ok.gzsnap").path.read_bytes())
    broken.write_bytes(bytes(data[: len(data) // 2]))  # an e-mail attachment cut in half
    with pytest.raises(UserError):
        merge_snapshots(city, [broken])


def test_own_snapshot_is_refused(counties, tmp_path):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    with pytest.raises(UserError, match="本单位自己导出"):
        merge_snapshots(haimen, [snap])


def test_a_bad_file_among_good_ones_changes_nothing(counties, city, tmp_path):
    haimen, qidong = counties
    good = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    bad = export_snapshot(qidong.path, tmp_path / "q.gzsnap").path
    _flip(bad, bad.stat().st_size // 2)
    state = dump(city)
    with pytest.raises(UserError, match="q.gzsnap"):
        merge_snapshots(city, [good, bad])
    assert dump(city) == state


def test_failure_during_merge_rolls_everything_back(counties, city, tmp_path):
    haimen, qidong = counties
    with haimen.transaction() as s:
        unit_id = registry.save_unit(s, registry.UnitData(name="海门区临时专班", kind="other"))
        unit_uuid = s.get(Unit, unit_id).uuid
    merge_snapshots(city, [export_snapshot(haimen.path, tmp_path / "h1.gzsnap").path])
    with city.transaction() as s:  # the city's own account names the county's unit as its host
        local_unit = s.scalars(select(Unit).where(Unit.uuid == unit_uuid)).one()
        registry.save_account(s, registry.AccountData(name="市里的号", platform="weibo", host_unit_id=local_unit.id))
    with haimen.transaction() as s:
        registry.delete_unit(s, unit_id)
    second = export_snapshot(haimen.path, tmp_path / "h2.gzsnap").path
    other = export_snapshot(qidong.path, tmp_path / "q.gzsnap").path
    state = dump(city)
    with pytest.raises(UserError, match="引用来源已不存在的单位.*已全部撤销"):
        merge_snapshots(city, [other, second])
    assert dump(city) == state


@pytest.mark.parametrize("phase", ["checking", "merging"])
def test_cancelled_merge_leaves_nothing(counties, city, tmp_path, phase):
    infos = [export_snapshot(d.path, tmp_path / f"{i}.gzsnap") for i, d in enumerate(counties)]
    files = [i.path for i in infos]
    rows = sum(sum(i.manifest.counts.values()) for i in infos)
    # rows are counted once while the files are checked, then once more while they are merged
    stop_at = rows // 2 if phase == "checking" else rows + rows * 3 // 4
    state = dump(city)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        return done < stop_at

    with pytest.raises(Cancelled):
        merge_snapshots(city, files, progress=progress)
    assert dump(city) == state
    assert calls[-1][0] >= stop_at
    if phase == "merging":
        assert calls[-1][1] >= 2 * rows  # the merge phase (checking also hashes a few settings rows)
    with city.reader() as s:
        assert list_sources(s) == []
    # and a progress that never cancels reaches the total
    seen = []
    merge_snapshots(city, files, progress=lambda d, t: seen.append((d, t)) or True)
    assert seen[-1][0] == seen[-1][1] >= 2 * rows
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_cancelled_export_deletes_its_partial_file(counties, tmp_path):
    haimen, _ = counties
    target = tmp_path / "h.gzsnap"
    for stop_at in (0, 60, 90):
        with pytest.raises(Cancelled):
            export_snapshot(haimen.path, target, progress=lambda d, t, s=stop_at: d < s)
        assert not target.exists()
        assert not list(tmp_path.glob("h.gzsnap*"))


def test_an_export_cancelled_while_the_database_is_copied_stops_the_copy(counties, tmp_path, monkeypatch):
    haimen, _ = counties
    monkeypatch.setattr(snapshot, "COPY_STEPS", 50)  # looks often enough on this small file
    target = tmp_path / "h.gzsnap"
    calls = []

    def progress(done, total):
        calls.append(done)
        return done < 20

    with pytest.raises(Cancelled):
        export_snapshot(haimen.path, target, progress=progress)
    assert 0 < calls[-1] < 60  # during the copy (it ends at 60)
    assert not list(tmp_path.glob("h.gzsnap*"))


def test_older_schema_snapshot_is_upgraded_before_merging(city, tmp_path):
    old = tmp_path / "old.db"
    migrations.migrate(old, upto=2)
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO unit (id, uuid, name, kind, classified) VALUES "
                 "(1, '11111111-1111-1111-1111-111111111111', '老县人民政府办公室', 'government', 0)")
    conn.execute("INSERT INTO setting VALUES ('office_unit_id', '1')")
    conn.execute("INSERT INTO account (id, uuid, name, platform, status, host_unit_id) VALUES "
                 "(1, '22222222-2222-2222-2222-222222222222', '老县发布', 'weibo', 'normal', 1)")
    conn.commit()
    conn.close()
    snap = export_snapshot(old, tmp_path / "old.gzsnap")
    assert snap.manifest.schema_version == 2
    report = merge_snapshots(city, [snap.path])[0]
    assert report.status == MERGED and {i.label for i in report.added} >= {"老县发布（新浪微博）"}


def test_every_synced_table_is_in_the_manifest(counties, tmp_path):
    haimen, _ = counties
    m = export_snapshot(haimen.path, tmp_path / "h.gzsnap").manifest
    assert {t.name for t in synced_tables()} <= set(m.counts)
    conn = sqlite3.connect(tmp_path / "h.gzsnap")
    try:
        seal = conn.execute(f"SELECT seal FROM {MANIFEST_TABLE}").fetchone()[0]
    finally:
        conn.close()
    assert seal.startswith(SEAL_PREFIX.decode()) and seal != SEAL_PREFIX.decode() + "0" * 64


@pytest.mark.parametrize("chunk", [10, 33, 4099])
def test_seal_is_found_and_checked_across_chunk_borders(counties, city, tmp_path, monkeypatch, chunk):
    import gzdesk.exchange.snapshot as snapshot_module

    haimen, _ = counties
    whole = export_snapshot(haimen.path, tmp_path / "whole.gzsnap")
    monkeypatch.setattr(snapshot_module, "CHUNK", chunk)
    small = export_snapshot(haimen.path, tmp_path / "small.gzsnap")
    # a seal written in one chunk size checks in another
    assert inspect_snapshot(whole.path).manifest.sha256 == whole.manifest.sha256
    monkeypatch.setattr(snapshot_module, "CHUNK", 1 << 20)
    assert inspect_snapshot(small.path).manifest.sha256 == small.manifest.sha256
    monkeypatch.setattr(snapshot_module, "CHUNK", chunk)
    data = small.path.read_bytes()
    pos = data.find(SEAL_PREFIX) + len(SEAL_PREFIX)
    _flip(small.path, pos + 63, ord("0") if data[pos + 63] != ord("0") else ord("1"))
    with pytest.raises(UserError, match="文件校验值"):
        inspect_snapshot(small.path)


def test_invalid_utf8_byte_is_refused_by_the_content_hash(counties, city, tmp_path):
    haimen, _ = counties
    snap = export_snapshot(haimen.path, tmp_path / "h.gzsnap").path
    with haimen.reader() as s:
        intro = s.scalars(select(Account.intro).where(Account.intro.is_not(None)).order_by(Account.id)).first()
    at = snap.read_bytes().find(intro.encode("utf-8"))
    _flip(snap, at + 1, ord("X"))  # breaks the UTF-8 of a Chinese character
    with pytest.raises(UserError, match="内容校验值") as err:
        merge_snapshots(city, [snap])
    assert "\ufffd" not in str(err.value) and len(str(err.value)) < 120


def test_suffixed_numbers_are_reported_only_when_written(counties, city, tmp_path):
    haimen, qidong = counties
    merge_snapshots(city, [export_snapshot(d.path, tmp_path / f"{i}.gzsnap").path for i, d in enumerate(counties)])
    with qidong.transaction() as s:
        s.scalars(select(Account).order_by(Account.id)).first().followers = 123456
    report = merge_snapshots(city, [export_snapshot(qidong.path, tmp_path / "q2.gzsnap").path])[0]
    assert (len(report.added), len(report.changed), len(report.gone)) == (0, 1, 0)
    assert report.renamed == [] and "编号" not in report.text()
