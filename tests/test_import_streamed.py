"""The import plans each batch of rows as it arrives from the reader (``plan_streamed``): the
plan is the one made from the whole file read first (``plan_tables``), row for row.

Before (issue 14) a 200,000-account workbook was read whole, then planned: the parsing overlapped
nothing, and every sheet's cells stayed in the plan next to its records even for the command
line, which never remaps.
"""

from __future__ import annotations

from datetime import date

import openpyxl

from gzdesk import demo
from gzdesk.exchange import import_plan
from gzdesk.exchange.excel_export import export_workbook
from gzdesk.exchange.excel_import import read_workbook
from gzdesk.exchange.import_plan import plan_tables
from gzdesk.exchange.import_read import read_sheets


def _shape(plan):
    return (plan.sheets, plan.encoding, plan.renamed,
            [(p.sheet, p.header_row, p.headers, p.mapping,
              [(r.line, r.values, r.parse_problems) for r in p.rows]) for p in plan.parts()])


def _whole(path):
    return plan_tables(path, read_sheets(path))


def _streamed(monkeypatch, path, **kw):
    """``read_workbook`` that must not fall back to reading the file whole."""
    with monkeypatch.context() as m:
        m.setattr(import_plan, "plan_tables", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read whole")))
        return read_workbook(path, **kw)


def test_a_csv_of_several_batches_plans_as_when_read_whole(monkeypatch, tmp_path):
    """4,500 rows: three batches from the reader; a repeat and bad cells across batch boundaries."""
    path = tmp_path / "账号台账.csv"  # named as our accounts sheet: planned while it is read
    lines = ["海门区政务新媒体台账", "序号,账号名称,平台,主办单位,开通日期,关注量"]
    for i in range(1, 4501):
        platform = "微信群" if i % 997 == 0 else "微信公众号"
        day = "2019年13月1日" if i % 1500 == 0 else "2019-03-12"
        name = "海门发布" if i in (7, 2600) else f"账号{i}"
        lines.append(f"{i},{name},{platform},海门区融媒体中心,{day},{i}")
    lines.append(",,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    streamed = _streamed(monkeypatch, path)
    assert _shape(streamed) == _shape(_whole(path))
    bad = {r.line for r in streamed.rows if r.bad}
    assert {999, 1996, 1502, 2602} <= bad  # 微信群, a 13th month, the repeat of row 9 in the third batch
    assert len(streamed.tables[streamed.sheet]) == 4503
    lean = _streamed(monkeypatch, path, keep_rows=False)
    assert _shape(lean) == _shape(streamed) and lean.tables == {}


def test_our_export_with_edits_plans_as_when_read_whole(monkeypatch, make_db, tmp_path):
    db = make_db("nantong", unit="海门区人民政府办公室")
    demo.generate(db, 30, seed=4, today=date(2026, 11, 20))
    path = tmp_path / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, path)
    wb = openpyxl.load_workbook(path)
    wb["账号台账"]["C6"] = "微信群"
    wb["管理队伍"]["B5"] = None
    wb.save(path)
    streamed = _streamed(monkeypatch, path)
    assert _shape(streamed) == _shape(_whole(path))
    assert streamed.team is not None and streamed.filings is not None and streamed.units is not None
    assert streamed.bad_rows()
    lean = _streamed(monkeypatch, path, keep_rows=False)
    assert _shape(lean) == _shape(streamed) and lean.tables == {}
