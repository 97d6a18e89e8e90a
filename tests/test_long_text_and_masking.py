"""Issue 8 items 7 and 8: text over Excel's cell limit goes out and comes back whole; a 脱敏 copy
masks every phone number in every field.

Before the fix a 40,000-character 简介 was cut at 32,767 by the export and the cut value replaced
the stored one on re-import; ``--mask-phones`` turned ``13812345678、13900004321`` into
``1381234****4321`` (the first number in clear) and left the leaders' text, notes and 简介 alone.
"""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from fuzz_books import db_digest, fuzz
from sqlalchemy import select

from gzdesk import demo
from gzdesk.cli import main
from gzdesk.exchange.long_text import split_cell, utf16_len
from gzdesk.exchange.masking import mask_json, mask_phone_field, mask_text, masked_copy_of
from gzdesk.models import Account, Filing, Person, Unit

# Inner paragraph indents (　　) and line breaks must survive; the editors trim the ends of text.
LONG = ("本账号是测试县人民政府办公室的政务发布平台。\n　　" + "发布政策解读、办事指南和便民信息。" * 2400 + "𠀀尾声END")


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def long_db(db):
    demo.generate(db, 8, seed=2)
    with db.transaction() as s:
        account = s.scalars(select(Account).order_by(Account.id)).first()
        account.intro = LONG
        account.notes = "备注" * 20000
        filing = s.scalars(select(Filing).order_by(Filing.id)).first()
        frozen = json.loads(filing.frozen)
        frozen["intro"] = LONG
        filing.frozen = json.dumps(frozen, ensure_ascii=False)
    return db


def _account(db, name=None):
    with db.reader() as s:
        stmt = select(Account).order_by(Account.id)
        a = s.scalars(stmt.where(Account.name == name) if name else stmt).first()
        return {"name": a.name, "intro": a.intro, "notes": a.notes, "uuid": a.uuid}


def test_split_counts_utf16_and_never_cuts_a_character():
    parts = split_cell("𠀀" * 20000)
    assert [utf16_len(p) for p in parts] == [32766, 7234]
    assert "".join(parts) == "𠀀" * 20000


def test_round_trip_of_a_40000_character_intro_is_lossless(long_db, db_path, make_db, tmp_path, capsys):
    assert len(LONG) > 40000
    out_file = tmp_path / "台账.xlsx"
    code, out, err = _cli(capsys, "export-excel", str(out_file), "--db", str(db_path))
    assert code == 0, err
    first = _account(long_db)
    notices = [line for line in out.splitlines() if line.startswith("提示：")]
    assert any(f"“{first['name']}”的“简介”有 {len(LONG):,} 字" in line and "超长文本" in line for line in notices)
    assert any("“备注”" in line for line in notices) and any("备案时账号数据" in line for line in notices)
    with zipfile.ZipFile(out_file) as z:
        assert "xl/worksheets/sheet5.xml" in z.namelist()  # 超长文本
    other = make_db(name="city.db")
    code, out, err = _cli(capsys, "import-excel", str(out_file), "--db", str(other.path))
    assert code == 0, err
    got = _account(other, first["name"])
    assert got["intro"] == LONG and got["notes"] == first["notes"]
    with long_db.reader() as s, other.reader() as t:
        uuid = s.scalars(select(Filing.uuid).order_by(Filing.id)).first()
        assert t.scalar(select(Filing.frozen).where(Filing.uuid == uuid)) == \
            s.scalar(select(Filing.frozen).where(Filing.uuid == uuid))
    code, out, err = _cli(capsys, "import-excel", str(out_file), "--db", str(db_path))  # our own export again
    assert code == 0 and "更新 0 个" in out, out + err
    assert _account(long_db)["intro"] == LONG


def test_a_value_cut_at_the_cell_limit_never_shortens_the_stored_text(long_db, db_path, tmp_path, capsys):
    first = _account(long_db)
    rows = [["账号名称", "平台", "主办单位", "简介", "唯一标识"],
            [first["name"], None, None, LONG[:32767], first["uuid"]]]
    with long_db.reader() as s:
        a = s.scalars(select(Account).where(Account.uuid == first["uuid"])).one()
        from gzdesk import enums

        rows[1][1] = enums.label("platform", a.platform)
        rows[1][2] = a.host_unit.name if a.host_unit else None
    path = tmp_path / "截断.xlsx"
    path.write_bytes(fuzz.xlsx_bytes({"账号台账": fuzz.sheet_xml(rows)}))
    code, out, err = _cli(capsys, "import-excel", str(path), "--db", str(db_path), "--dry-run", "--json")
    assert code == 0, err
    row = json.loads(out)["rows"][0]
    assert row["action"] == "same" and any("截断" in n for n in row["notes"]), row
    code, out, err = _cli(capsys, "import-excel", str(path), "--db", str(db_path))
    assert code == 0, err
    assert _account(long_db)["intro"] == LONG


def test_an_edited_continuation_is_a_problem_of_its_row(long_db, db_path, tmp_path, capsys):
    out_file = tmp_path / "台账.xlsx"
    assert _cli(capsys, "export-excel", str(out_file), "--db", str(db_path))[0] == 0
    edited = tmp_path / "改过.xlsx"
    with zipfile.ZipFile(out_file) as z, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as w:
        for info in z.infolist():
            data = z.read(info)
            if info.filename == "xl/worksheets/sheet5.xml":
                data = data.replace("尾声END".encode(), "尾声".encode())
            w.writestr(info, data)
    before = db_digest(long_db.path)
    code, out, err = _cli(capsys, "import-excel", str(edited), "--db", str(db_path))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "第 4 行" in err and "简介" in err and "接起来却是" in err, err
    assert db_digest(long_db.path) == before


# --------------------------------------------------------------------------- item 8


@pytest.mark.parametrize("text,masked", [
    ("13812345678、13900004321", "138****5678、139****4321"),
    ("138-1234-5678，13900004321", "138-****-5678，139****4321"),
    ("+86 138 1234 5678", "+86 138 **** 5678"),
    ("008613812345678 或 8613900004321", "0086138****5678 或 86139****4321"),
    ("0359-2021234、0359-2021235", "0359-***1234、0359-***1235"),
    ("(0513)85012345 / （0513）85012346", "(0513)****2345 / （0513）****2346"),
    ("+86-513-85012345", "+86-513-****2345"),
    ("办公室 0513-85012345-801", "办公室 0513-****2345-801"),
    ("热线 400-123-4567", "热线 400-***-4567"),
    ("电话：2021234、2021235", "电话：***1234、***1235"),
    ("张三（副局长，１３８１２３４５６７８）", "张三（副局长，１３８****５６７８）"),
    ("2016年开通，粉丝12000人，统计日期20240301", "2016年开通，粉丝12000人，统计日期20240301"),
])
def test_mask_text_masks_every_number_in_every_format(text, masked):
    assert mask_text(text) == masked


def test_phone_columns_and_json_are_masked_too():
    assert mask_phone_field("0359-2021234、2021235 6543210") == "0359-***1234、***1235 ***3210"
    data = json.loads(mask_json(json.dumps({"host_phone": "13812345678、13900004321", "registered_on": "2024-03-01",
                                            "team": [{"mobile": "13711112222", "title": "副局长 13512345678"}],
                                            "followers": 13812345678}, ensure_ascii=False)))
    assert data == {"host_phone": "138****5678、139****4321", "registered_on": "2024-03-01",
                    "team": [{"mobile": "137****2222", "title": "副局长 135****5678"}], "followers": 13812345678}
    assert masked_copy_of("138****5678、139****4321", "13812345678、13900004321")
    assert masked_copy_of("0359****1234", "0359-2021234")  # the older masks count too
    assert not masked_copy_of("138****5678", "13912345678")


PHONES = ["13812345678", "13900004321", "13512345678", "2021234", "2021235", "85012345", "13711112222", "6543210",
          "1234567", "13800001111"]


def test_masked_export_leaks_no_number_and_reimports_without_change(db, db_path, tmp_path, capsys):
    demo.generate(db, 6, seed=4)
    with db.transaction() as s:
        a = s.scalars(select(Account).order_by(Account.id)).first()
        a.host_phone = "13812345678、13900004321"
        a.host_leader = "张三 副局长 13512345678"
        a.intro = "咨询电话：0359-2021234、2021235，或 (0513)85012345、+86 138 0000 1111"
        a.notes = "值班 13800001111"
        p = s.scalars(select(Person).order_by(Person.id)).first()
        p.mobile, p.office_phone, p.notes = "13711112222", "0359-6543210", "家 0359-1234567"
        u = s.scalars(select(Unit).order_by(Unit.id)).first()
        u.phone = "0359-2021234"
        f = s.scalars(select(Filing).order_by(Filing.id)).first()
        frozen = json.loads(f.frozen)
        frozen.update(host_phone="13812345678、13900004321", intro=a.intro)
        f.frozen = json.dumps(frozen, ensure_ascii=False)
    out_file = tmp_path / "脱敏.xlsx"
    code, out, err = _cli(capsys, "export-excel", str(out_file), "--mask-phones", "--db", str(db_path))
    assert code == 0, err
    with zipfile.ZipFile(out_file) as z:
        text = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    digits = re.sub(r"[\s\-()（）+]", "", text)
    leaked = [n for n in PHONES if n in digits]
    assert not leaked, leaked
    assert "138****5678、139****4321" in text and "张三 副局长 135****5678" in text
    with db.reader() as s:
        stored = s.scalar(select(Account.host_phone).order_by(Account.id))
    code, out, err = _cli(capsys, "import-excel", str(out_file), "--db", str(db_path), "--dry-run")
    assert code == 0 and "更新 0" in out, out + err
    code, out, err = _cli(capsys, "import-excel", str(out_file), "--db", str(db_path))
    assert code == 0, err
    with db.reader() as s:
        assert s.scalar(select(Account.host_phone).order_by(Account.id)) == stored == "13812345678、13900004321"
        assert s.scalar(select(Person.mobile).order_by(Person.id)) == "13711112222"


def test_masking_is_one_function():
    """Nothing else in the program masks phone numbers."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "gzdesk"
    defs = [p for p in root.rglob("*.py") if re.search(r"def mask_\w*phone|def mask_text", p.read_text("utf-8"))]
    assert [p.name for p in defs] == ["masking.py"]
