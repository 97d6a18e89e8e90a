"""Issue 4: demo → export-excel → import-excel into a NEW database gives the same accounts, people,
management teams and filings (compared field by field, by uuid); re-importing changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gzdesk import demo
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.excel_import import apply_plan, read_workbook
from gzdesk.models import (
    Account,
    AccountRole,
    ApprovalStep,
    AuditEvent,
    Filing,
    Person,
    Setting,
    Unit,
)

SKIP = {"id", "created_at", "updated_at", "origin"}


def _units(s) -> dict[int, str]:
    """unit id → uuid; this office's own unit (made by init in each database) is called "office"."""
    office_id = int(s.get(Setting, "office_unit_id").value)
    return {uid: ("office" if uid == office_id else uuid) for uid, uuid in s.execute(select(Unit.id, Unit.uuid))}


def _dump(db) -> dict[str, dict]:
    """Every account, person, role, filing and step keyed by uuid, with ids replaced by names/uuids."""
    with db.reader() as s:
        units = _units(s)
        acc_uuid = dict(s.execute(select(Account.id, Account.uuid)).all())
        person_uuid = dict(s.execute(select(Person.id, Person.uuid)).all())
        filing_uuid = dict(s.execute(select(Filing.id, Filing.uuid)).all())
        out: dict[str, dict] = {"accounts": {}, "people": {}, "roles": {}, "filings": {}, "steps": {}, "units": {}}
        for u in s.scalars(select(Unit)):
            row = {c.key: getattr(u, c.key) for c in Unit.__table__.columns if c.key not in SKIP | {"uuid"}}
            row["parent_id"] = units.get(row["parent_id"])
            out["units"][units[u.id]] = row
        for a in s.scalars(select(Account)):
            row = {c.key: getattr(a, c.key) for c in Account.__table__.columns if c.key not in SKIP}
            for k in ("supervisor_unit_id", "host_unit_id", "operator_unit_id"):
                row[k] = units.get(row[k])
            out["accounts"][a.uuid] = row
        for p in s.scalars(select(Person)):
            row = {c.key: getattr(p, c.key) for c in Person.__table__.columns if c.key not in SKIP}
            row["unit_id"] = units.get(row["unit_id"])
            out["people"][p.uuid] = row
        for r in s.scalars(select(AccountRole)):
            key = (acc_uuid[r.account_id], person_uuid[r.person_id], r.role)
            out["roles"][key] = (r.since, r.until)
        for f in s.scalars(select(Filing)):
            row = {c.key: getattr(f, c.key) for c in Filing.__table__.columns if c.key not in SKIP}
            row["account_id"] = acc_uuid.get(row["account_id"])
            row["kept_account_id"] = acc_uuid.get(row["kept_account_id"])
            row["merge_parent_id"] = filing_uuid.get(row["merge_parent_id"])
            out["filings"][f.uuid] = row
        for st in s.scalars(select(ApprovalStep)):
            row = {c.key: getattr(st, c.key) for c in ApprovalStep.__table__.columns if c.key not in SKIP}
            row["filing_id"] = filing_uuid[row["filing_id"]]
            out["steps"][st.uuid] = row
    return out


def _compare(a: dict, b: dict) -> list[str]:
    diffs = []
    for kind in a:
        missing = set(a[kind]) ^ set(b[kind])
        if missing:
            diffs.append(f"{kind}: {len(missing)} keys differ, e.g. {sorted(missing, key=str)[:2]}")
        for key in set(a[kind]) & set(b[kind]):
            if a[kind][key] != b[kind][key]:
                if isinstance(a[kind][key], dict):
                    fields = [f for f in a[kind][key] if a[kind][key][f] != b[kind][key][f]]
                    diffs.append(f"{kind} {key}: {[(f, a[kind][key][f], b[kind][key][f]) for f in fields][:3]}")
                else:
                    diffs.append(f"{kind} {key}: {a[kind][key]} != {b[kind][key]}")
    return diffs


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    from gzdesk import office
    from gzdesk.db import Database

    path = tmp_path_factory.mktemp("src") / "county.db"
    db = Database(path, actor="测试员")
    with db.transaction() as s:
        office.init_office(s, "南通县人民政府办公室", "nantong")
    demo.generate(db, 2000, seed=7)
    xlsx = path.parent / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, xlsx)
    yield db, xlsx
    db.close()


def test_round_trip_into_new_database_is_field_by_field_equal(source, make_db):
    src, xlsx = source
    target = make_db("nantong", unit="南通县人民政府办公室", name="target.db")
    with target.reader() as s:
        plan = read_workbook(xlsx, session=s)
    assert plan.problem_lines() == []
    with target.transaction() as s:
        result = apply_plan(s, plan)
    before = _dump(src)
    after = _dump(target)
    assert len(before["accounts"]) == 2000 and result.created == 2000
    assert len(before["people"]) > 1000 and len(before["filings"]) > 500 and len(before["steps"]) > 500
    # Unit names repeat across the demo's counties (三星街道办事处 …): uuids keep them apart.
    assert len(before["units"]) > len({u["name"] for u in before["units"].values()})
    assert _compare(before, after) == []
    with target.reader() as s:
        summaries = s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "import")).all()
    assert len(summaries) == 1 and "新增账号 2000 个" in summaries[0]


def test_reimport_same_file_creates_no_duplicates(source, make_db):
    src, xlsx = source
    target = make_db("nantong", unit="南通县人民政府办公室", name="twice.db")
    for _ in range(2):
        with target.transaction() as s:
            result = apply_plan(s, read_workbook(xlsx, session=s))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2000)
    assert result.people_created == 0 and result.roles_added == 0 and result.filings_created == 0
    assert _compare(_dump(src), _dump(target)) == []


def test_reimport_into_the_source_database_keeps_everything(source):
    src, xlsx = source
    before = _dump(src)
    with src.transaction() as s:
        result = apply_plan(s, read_workbook(xlsx, session=s))
    assert result.created == 0 and result.unchanged == 2000
    assert _compare(before, _dump(src)) == []


def test_masked_copy_never_overwrites_real_phones(source, tmp_path):
    src, _ = source
    masked = tmp_path / "脱敏.xlsx"
    with src.reader() as s:
        export_workbook(s, masked, mask_phones=True)
        phones = {a.uuid: a.host_phone for a in s.scalars(select(Account))}
    assert any(p and "****" not in p for p in phones.values())
    with src.transaction() as s:
        result = apply_plan(s, read_workbook(masked, session=s))
    assert result.updated == 0
    with src.reader() as s:
        assert {a.uuid: a.host_phone for a in s.scalars(select(Account))} == phones
