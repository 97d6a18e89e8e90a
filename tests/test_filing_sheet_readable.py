"""Issue 12 item 15: the 备案记录 sheet of the export says what a 变更 changed in words (变更内容),
beside the hidden machine columns a re-import reads."""

from __future__ import annotations

import json

from python_calamine import CalamineWorkbook
from sqlalchemy import select

from gzdesk import demo, enums
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.filing_changes import changes_text
from gzdesk.filings import new_filing
from gzdesk.models import Filing


def test_changes_read_as_words():
    frozen = {"host_unit": "运城市盐湖区教育局"}
    text = changes_text({"name": "盐湖教育发布", "host_unit_id": 7, "platform": "douyin", "verified": True,
                         "registered_on": "2024-03-01", "notes": ""}, frozen)
    assert text == ("名称：盐湖教育发布；主办单位：运城市盐湖区教育局；平台：抖音；是否通过认证：是；"
                    "创建日期：2024年3月1日；备注：（空）")


def test_the_filings_sheet_shows_the_change(make_db, tmp_path):
    db = make_db("yanhu", unit="运城市盐湖区人民政府办公室")
    demo.generate(db, 40, seed=3)
    with db.transaction() as s:
        filed = [f.account_id for f in s.scalars(select(Filing).where(
            Filing.kind == enums.FilingKind.OPEN, Filing.state.in_(("filed", "reported"))))]
        assert filed
        new_filing(s, filed[0], "change", "名称规范", proposed={"名称": "盐湖测试发布", "主办单位电话": "0359-2021234"})
    with db.reader() as s:
        changes = [f for f in s.scalars(select(Filing).where(Filing.kind == enums.FilingKind.CHANGE))
                   if f.proposed and json.loads(f.proposed)]
        assert changes
        expected = {f.number: changes_text(json.loads(f.proposed), json.loads(f.frozen)) for f in changes}
    path = tmp_path / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, path)
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name("备案记录").to_python()
    header = next(i for i, r in enumerate(rows) if "变更内容" in r)
    col, number = rows[header].index("变更内容"), rows[header].index("备案编号")
    shown = {r[number]: r[col] for r in rows[header + 1:] if r[number] in expected}
    assert shown == expected and all(v and "{" not in v for v in shown.values())
    assert "名称：盐湖测试发布；主办单位联系电话：0359-2021234" in shown.values()
