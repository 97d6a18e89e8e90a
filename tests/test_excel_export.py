"""Issue 4: the exported 台账 (title, frozen header, real dates, drop-downs, masking, template),
LibreOffice opens it and its CSV matches the database, cancel leaves nothing, and the CLI."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from gzdesk import demo, enums
from gzdesk.cli import main
from gzdesk.dates import cn_date
from gzdesk.exchange.columns import (
    ACCOUNT_COLUMNS,
    ACCOUNTS_SHEET,
    FILINGS_SHEET,
    TEAM_SHEET,
    UNITS_SHEET,
)
from gzdesk.exchange.excel_export import DATE_FORMAT, export_template, export_workbook
from gzdesk.exchange.excel_import import apply_plan, read_workbook
from gzdesk.exchange.progress import Cancelled
from gzdesk.models import Account, AuditEvent, Filing, Person
from gzdesk.registry import list_accounts

TODAY = date(2026, 11, 22)


@pytest.fixture
def filled(db):
    demo.generate(db, 60, seed=3, today=TODAY)
    return db


def _export(db, path, **kw):
    with db.reader() as s:
        return export_workbook(s, path, today=TODAY, **kw)


def test_workbook_layout_dates_and_dropdowns(filled, tmp_path):
    path = tmp_path / "台账.xlsx"
    result = _export(filled, path)
    assert result.accounts == 60 and result.filings > 0 and result.team_rows > 60
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [ACCOUNTS_SHEET, TEAM_SHEET, FILINGS_SHEET, UNITS_SHEET]
    ws = wb[ACCOUNTS_SHEET]
    assert ws["A1"].value == "测试县人民政府办公室政务新媒体台账"
    assert "2026年11月22日" in ws["A2"].value and "共 60 个账号" in ws["A2"].value
    # the title spans the columns before 唯一标识: 序号 … 备注, 名称经同级政府同意日期, 同意文号或说明
    assert "A1:AC1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "C4"
    assert [c.value for c in ws[3]] == [c.header for c in ACCOUNT_COLUMNS]
    assert ws.column_dimensions["B"].width > 20
    headers = [c.value for c in ws[3]]
    col = {h: i for i, h in enumerate(headers)}
    with filled.reader() as s:
        rows = {r.uuid: r for r in list_accounts(s)}
        verified = dict(s.execute(select(Account.uuid, Account.verified)).all())
    seen = 0
    for row in ws.iter_rows(min_row=4, values_only=True):
        r = rows[row[col["唯一标识"]]]
        assert row[col["账号名称"]] == r.name
        assert row[col["平台"]] == enums.label("platform", r.platform)
        assert row[col["运行状态"]] == r.status_label
        assert row[col["主办单位"]] == (r.host_unit or None)
        assert row[col["关注量"]] == r.followers
        reg = row[col["创建日期"]]
        assert (reg.date() if isinstance(reg, datetime) else reg) == r.registered_on
        assert row[col["是否通过认证"]] == {True: "是", False: "否", None: None}[verified[r.uuid]]
        seen += 1
    assert seen == 60
    date_cell = ws.cell(row=4, column=col["创建日期"] + 1)
    assert date_cell.is_date and date_cell.number_format == DATE_FORMAT
    lists = {re.match(r"[A-Z]+", str(dv.sqref)).group(0): dv.formula1 for dv in ws.data_validations.dataValidation}
    platform_letter = openpyxl.utils.get_column_letter(col["平台"] + 1)
    status_letter = openpyxl.utils.get_column_letter(col["运行状态"] + 1)
    assert lists[platform_letter] == '"' + ",".join(enums.PLATFORM_LABELS.values()) + '"'
    assert lists[status_letter] == '"正常,暂停,关停,注销"'
    team = wb[TEAM_SHEET]
    assert [c.value for c in team[3]][:10] == ["账号名称", "平台", "岗位", "姓名", "单位", "职务", "办公电话",
                                              "手机号码", "培训日期", "离职日期"]
    filings = wb[FILINGS_SHEET]
    fhead = [c.value for c in filings[3]]
    assert fhead[:8] == ["备案编号", "账号名称", "事由", "状态", "填表时间", "理由", "审批情况", "变更内容"]
    assert "报送日期" in fhead
    steps_col = fhead.index("审批步骤数据") + 1
    assert any(d.hidden and d.min <= steps_col <= d.max for d in filings.column_dimensions.values())


def test_masked_copy_hides_every_mobile(filled, tmp_path):
    path = tmp_path / "脱敏.xlsx"
    _export(filled, path, mask_phones=True)
    with filled.reader() as s:
        mobiles = {m for m in s.scalars(select(Person.mobile)) if m}
    assert mobiles
    wb = openpyxl.load_workbook(path)
    assert "（脱敏）" in wb[ACCOUNTS_SHEET]["A1"].value
    text = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v)
    assert not any(m in text for m in mobiles)
    team = wb[TEAM_SHEET]
    masked = [row[7] for row in team.iter_rows(min_row=4, values_only=True) if row[7]]
    assert masked and all(re.fullmatch(r"1[3-9]\d\*{4}\d{4}", m) for m in masked)


def test_blank_template_has_columns_and_dropdowns_only(tmp_path):
    path = export_template(tmp_path / "模板.xlsx", "测试县人民政府办公室")
    wb = openpyxl.load_workbook(path)
    ws = wb[ACCOUNTS_SHEET]
    assert [c.value for c in ws[3]] == [c.header for c in ACCOUNT_COLUMNS]
    assert ws.max_row == 3 or all(v is None for row in ws.iter_rows(min_row=4, values_only=True) for v in row)
    refs = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    assert any(ref.endswith("1003") for ref in refs) and len(refs) >= 5
    plan = read_workbook(path)
    assert plan.header_row == 2 and plan.rows == []


def test_cancelled_export_leaves_no_file(filled, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "取消.xlsx"
    calls = []

    def progress(done, total):
        calls.append(done)
        return len(calls) < 2

    with filled.reader() as s, pytest.raises(Cancelled):
        export_workbook(s, path, progress=progress)
    assert len(calls) == 2  # cancelled while rows were being written
    assert list(folder.iterdir()) == []


def test_cancelled_import_writes_nothing(filled, make_db, tmp_path):
    path = tmp_path / "t.xlsx"
    _export(filled, path)
    target = make_db("nantong", name="cancel.db")

    def count():
        with target.reader() as s:
            return [s.scalar(select(func.count()).select_from(m)) for m in (Account, Person, Filing, AuditEvent)]

    before = count()
    with pytest.raises(Cancelled), target.transaction() as s:
        apply_plan(s, read_workbook(path, session=s), progress=lambda done, total: done < 30)
    assert count() == before


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_it_and_csv_matches_database(filled, tmp_path):
    path = tmp_path / "lo.xlsx"
    _export(filled, path)
    out = tmp_path / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), str(path)],
                   check=True, capture_output=True, timeout=180)
    with (out / "lo.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "测试县人民政府办公室政务新媒体台账"
    assert rows[2] == [c.header for c in ACCOUNT_COLUMNS]
    col = {h: i for i, h in enumerate(rows[2])}
    with filled.reader() as s:
        db_rows = {a.uuid: a for a in s.scalars(select(Account))}
        names = {a.uuid: (a.host_unit.name if a.host_unit else "") for a in db_rows.values()}
        data = rows[3:]
        assert len(data) == len(db_rows) == 60
        for n, row in enumerate(data, 1):
            a = db_rows[row[col["唯一标识"]]]
            assert row[col["序号"]] == str(n)
            assert row[col["账号名称"]] == a.name
            assert row[col["平台"]] == enums.label("platform", a.platform)
            assert row[col["运行状态"]] == enums.label("status", a.status)
            assert row[col["主办单位"]] == names[a.uuid]
            assert row[col["主办单位联系电话"]] == (a.host_phone or "")
            assert row[col["账号ID"]] == (a.handle or "")
            assert row[col["关注量"]] == ("" if a.followers is None else str(a.followers))
            assert row[col["创建日期"]] == cn_date(a.registered_on)  # shown as 2019年3月12日
            assert row[col["最近更新日期"]] == cn_date(a.last_update_on)
            assert row[col["简介"]] == (a.intro or "")


# --------------------------------------------------------------------------- command line


def test_cli_export_then_dry_run_then_import(filled, db_path, tmp_path, make_db, capsys):
    xlsx = tmp_path / "cli.xlsx"
    assert main(["export-excel", str(xlsx), "--db", str(db_path)]) == 0
    assert "账号 60 个" in capsys.readouterr().out
    target = make_db("nantong", name="cli-target.db")
    tpath = str(target.path)
    assert main(["import-excel", str(xlsx), "--dry-run", "--db", tpath]) == 0
    out = capsys.readouterr().out
    assert "表头在第 3 行" in out and "新增 60" in out and "未写入" in out
    with target.reader() as s:
        assert s.scalar(select(func.count(Account.id))) == 0
    assert main(["import-excel", str(xlsx), "--db", tpath]) == 0
    assert "新增账号 60 个" in capsys.readouterr().out
    assert main(["import-excel", str(xlsx), "--db", tpath]) == 0
    assert "未变 60 个" in capsys.readouterr().out
    assert main(["export-excel", "--template", str(tmp_path / "模板.xlsx")]) == 0


def test_cli_refuses_bad_file_with_row_numbers(db_path, db, tmp_path, capsys):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号名称", "平台", "主办单位"])
    ws.append(["测试发布", "微信", "测试县人民政府办公室"])
    ws.append(["测试群", "微信群", "测试县人民政府办公室"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    assert main(["import-excel", str(path), "--db", str(db_path)]) == 1
    captured = capsys.readouterr()
    assert "第 3 行：平台“微信群”无法识别" in captured.out
    assert "未导入任何内容" in captured.err
    with db.reader() as s:
        assert s.scalar(select(func.count(Account.id))) == 0
    assert main(["import-excel", str(path), "--skip-bad", "--db", str(db_path)]) == 0
    assert "跳过有问题的行 1 行" in capsys.readouterr().out
    assert main(["import-excel", str(tmp_path / "x.et"), "--db", str(db_path)]) == 1


def test_cli_json_import_prints_only_json(filled, db_path, tmp_path, make_db, capsys):
    import json

    xlsx = tmp_path / "j.xlsx"
    _export(filled, xlsx)
    capsys.readouterr()
    target = make_db("nantong", name="json.db")
    assert main(["import-excel", str(xlsx), "--dry-run", "--json", "--db", str(target.path)]) == 0
    preview = json.loads(capsys.readouterr().out)
    assert preview["counts"]["create"] == 60 and preview["header_row"] == 3 and preview["problems"] == []
    assert main(["import-excel", str(xlsx), "--json", "--db", str(target.path)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 60


def test_reading_reports_progress_and_can_be_cancelled(filled, tmp_path):
    path = tmp_path / "r.xlsx"
    _export(filled, path)
    seen = []
    plan = read_workbook(path, progress=lambda done, total: seen.append((done, total)) or True)
    assert len(plan.rows) == 60 and seen[-1][0] == seen[-1][1] > 60
    with pytest.raises(Cancelled):
        read_workbook(path, progress=lambda done, total: done == 0)


def test_units_sheet_lists_every_unit_parents_first(filled, tmp_path):
    from gzdesk.models import Unit

    path = tmp_path / "u.xlsx"
    _export(filled, path)
    ws = openpyxl.load_workbook(path)[UNITS_SHEET]
    head = [c.value for c in ws[3]]
    assert head[:8] == ["单位名称", "单位类型", "上级单位", "主要负责人", "分管领导及职务", "联系电话", "是否涉密单位", "备注"]
    rows = [dict(zip(head, r, strict=False)) for r in ws.iter_rows(min_row=4, values_only=True)]
    with filled.reader() as s:
        units = {u.uuid: (u.name, enums.label("unit_type", u.kind)) for u in s.scalars(select(Unit))}
    assert {r["唯一标识"]: (r["单位名称"], r["单位类型"]) for r in rows} == units
    seen = set()
    for r in rows:  # a parent always comes before its children
        assert r["上级单位唯一标识"] is None or r["上级单位唯一标识"] in seen
        seen.add(r["唯一标识"])
