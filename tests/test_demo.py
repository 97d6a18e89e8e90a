"""Demo data: a county office's demo is its own county, named the way such units are named."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from gzdesk import demo, office
from gzdesk.db import Database
from gzdesk.models import Account, Person, Unit


def _office_db(tmp_path, unit: str, profile: str) -> Database:
    database = Database(tmp_path / "d.db", actor="测试员")
    with database.transaction() as s:
        office.init_office(s, unit, profile)
    return database


def test_a_few_hundred_accounts_are_one_county_under_the_office(tmp_path):
    db = _office_db(tmp_path, "运城市盐湖区人民政府办公室", "yanhu")
    summary = demo.generate(db, 300, seed=4, today=date(2026, 11, 20))
    with db.reader() as s:
        assert s.scalar(select(func.count()).select_from(Account)) == summary.accounts == 300
        units = s.scalars(select(Unit)).all()
        # no second county's 人民政府办公室 under ours
        assert [u.name for u in units if u.name.endswith("人民政府办公室")] == ["运城市盐湖区人民政府办公室"]
        departments = [u.name for u in units if u.kind == "department"]
        assert departments and all(name.startswith("运城市盐湖区") for name in departments)
        police = [u for u in units if u.name.endswith("派出所")]
        by_id = {u.id: u for u in units}
        assert police and all(by_id[u.parent_id].name == "运城市盐湖区公安局" for u in police)
        names = s.scalars(select(Account.name)).all()
        assert not any(name.startswith("运城市") for name in names)  # 盐湖教育, not 运城市盐湖教育
        phones = s.scalars(select(Person.office_phone)).all()
        assert all(phone.startswith("0359-") for phone in phones)  # 运城's area code
    db.close()


def test_large_demos_add_counties_and_small_ones_few_units(tmp_path):
    db = _office_db(tmp_path, "南通市人民政府办公室", "nantong")
    demo.generate(db, 1500, seed=2, today=date(2026, 11, 20))
    with db.reader() as s:
        counties = s.scalars(select(Unit.name).where(Unit.kind == "government")).all()
        assert len(counties) >= 4 and "南通市人民政府办公室" in counties
        assert s.scalar(select(func.count()).select_from(Account)) == 1500
    db.close()
    (tmp_path / "small").mkdir()
    small = _office_db(tmp_path / "small", "测试县人民政府办公室", "nantong")
    demo.generate(small, 5, seed=1, today=date(2026, 11, 20))
    with small.reader() as s:
        assert s.scalar(select(func.count()).select_from(Unit)) <= 4
        assert s.scalar(select(func.count()).select_from(Account)) == 5
    small.close()


def test_short_names():
    assert demo._short_name("运城市盐湖区") == "盐湖"
    assert demo._short_name("如东县") == "如东"
    assert demo._short_name("南通市") == "南通"
    assert demo._short_name("云南省") == "云南"


def test_demo_rows_are_stored_as_an_orm_insert_stores_them(tmp_path):
    """The demo writes its rows with one executemany per table (``demo._insert``), binding each
    value by its column type: every column holds what ``insert(table)`` would have written — the
    same text for a date and a time, 1/0 for 是/否, the Python-side default (``version``) where the
    row names none — so nothing reads a demo row differently from one saved in the window."""
    import sqlite3
    from datetime import datetime

    from sqlalchemy import insert

    from gzdesk.models import Base, new_uuid

    db = _office_db(tmp_path, "海门区人民政府办公室", "nantong")
    table = Base.metadata.tables["account"]
    row = {"name": "海门发布", "platform": "weibo", "status": "normal", "registered_on": date(2020, 3, 1),
           "verified": True, "verification_names_host": False, "followers": 12, "origin": None,
           "created_at": datetime(2026, 11, 20, 9, 30, 5), "updated_at": datetime(2026, 11, 20, 9, 30, 5)}
    with db.transaction() as s:
        s.execute(insert(table), [dict(row, id=1, uuid=new_uuid())])
        demo._insert(s, table, [dict(row, id=2, uuid=new_uuid(), label="不写入")])
    db.close()
    raw = sqlite3.connect(tmp_path / "d.db")
    columns = [c.name for c in table.columns if c.name not in ("id", "uuid")]
    stored = [raw.execute(f"SELECT {', '.join(f'typeof({c}), {c}' for c in columns)} FROM account WHERE id = ?",
                          (i,)).fetchone() for i in (1, 2)]
    raw.close()
    assert stored[0] == stored[1]
    assert dict(zip(columns, stored[1][1::2], strict=True))["version"] == 1
