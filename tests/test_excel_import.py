"""Issue 4: messy hand-made workbooks (built here with openpyxl so they can be reviewed) either
import exactly what they should or are refused with row numbers and nothing written."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from gzdesk.errors import UserError
from gzdesk.exchange.excel_import import apply_plan, read_workbook, remap
from gzdesk.models import Account, AuditEvent, Person, Unit


def counts(db) -> tuple[int, int, int, int]:
    with db.reader() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Account, Unit, Person, AuditEvent))


def accounts(db) -> dict[str, dict]:
    with db.reader() as s:
        out = {}
        for a in s.scalars(select(Account)):
            out[a.name] = {"platform": a.platform, "host": a.host_unit.name if a.host_unit else None,
                           "followers": a.followers, "registered_on": a.registered_on, "status": a.status,
                           "handle": a.handle, "host_phone": a.host_phone, "last_update_on": a.last_update_on,
                           "verified": a.verified, "intro": a.intro}
        return out


def import_file(db, path, skip_bad=False, **kw):
    with db.transaction() as s:
        plan = read_workbook(path, session=s, **kw)
        return plan, apply_plan(s, plan, skip_bad=skip_bad)


# --------------------------------------------------------------------------- workbook 1


def book_title_rows_merged(path: Path) -> Path:
    """Two merged title rows above the header, 序号, synonyms, real / Chinese / dotted dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["测试县政务新媒体账号统计表"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位（盖章）：测试县人民政府办公室", None, None, None, "填报日期：2024年5月6日"])
    ws.merge_cells("A2:D2")
    ws.merge_cells("E2:H2")
    ws.append(["序号", "新媒体名称", "发布平台", "开设单位", "粉丝数", "开通时间", "运行状态", "微信号"])
    ws.append([1, "测试发布", "微信公众号", "测试县人民政府办公室", 12000, datetime(2016, 3, 12), "正常", "csfb"])
    ws.append([2, "测试教育", "抖音", "测试县教育局", "3500", "2019年3月12日", "运行", "csjy"])
    ws.append([3, "三星镇发布", "头条号", "三星镇人民政府", 800, "2019.3.12", "停更", None])
    ws.append([4, "测试健康", "微博", "测试县卫生健康局", None, "2020/7/1", "已关停", None])
    wb.save(path)
    return path


def test_title_rows_merged_cells_synonyms_and_dates(db, tmp_path):
    path = book_title_rows_merged(tmp_path / "统计表.xlsx")
    with db.reader() as s:
        plan = read_workbook(path, session=s)
    assert plan.header_row == 2 and plan.sheet == "Sheet1"
    assert [r.line for r in plan.rows] == [4, 5, 6, 7]
    assert plan.problem_lines() == []
    _plan, result = import_file(db, path)
    assert result.created == 4 and result.units_created == 3  # the office unit already exists
    got = accounts(db)
    assert got["测试发布"] == {"platform": "wechat_subscription", "host": "测试县人民政府办公室", "followers": 12000,
                              "registered_on": date(2016, 3, 12), "status": "normal", "handle": "csfb",
                              "host_phone": None, "last_update_on": None, "verified": None, "intro": None}
    assert got["测试教育"]["registered_on"] == date(2019, 3, 12) and got["测试教育"]["followers"] == 3500
    assert got["三星镇发布"]["platform"] == "toutiao" and got["三星镇发布"]["status"] == "paused"
    assert got["三星镇发布"]["registered_on"] == date(2019, 3, 12)
    assert got["测试健康"]["status"] == "closed" and got["测试健康"]["registered_on"] == date(2020, 7, 1)


# --------------------------------------------------------------------------- workbook 2


def book_fullwidth_odd_order(path: Path) -> Path:
    """Columns in odd order, full-width headers and digits, ideographic spaces, blank rows,
    a 序号 column at the end and 是/否 answers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(["联系电话", "最近更新", "平台类型", "账号名称（必填）", "主办单位", "关注量", "是否认证",
               "基本情况介绍", "序号"])
    ws.append([None] * 9)
    ws.append(["１３８１２３４５６７８", "２０２４年１０月８日", "微信服务号", "\u3000悦来镇发布\u3000", "悦来镇人民政府",
               "１，２００", "是", "发布悦来镇政务信息，服务群众。", "１"])
    ws.append([None] * 9)
    ws.append(["0513-86012345", "2024-10-09", "视频号", "测试县应急", "测试县应急管理局", "1.2万", "否", None, "２"])
    ws.append([None, None, None, None, None, None, None, None, "３"])  # a numbered but empty row
    wb.save(path)
    return path


def test_fullwidth_text_odd_column_order_blank_rows(db, tmp_path):
    path = book_fullwidth_odd_order(tmp_path / "台账.xlsx")
    plan, result = import_file(db, path)
    assert [r.line for r in plan.rows] == [3, 5]
    assert result.created == 2
    got = accounts(db)
    assert got["悦来镇发布"] == {"platform": "wechat_service", "host": "悦来镇人民政府", "followers": 1200,
                               "registered_on": None, "status": "normal", "handle": None,
                               "host_phone": "13812345678", "last_update_on": date(2024, 10, 8),
                               "verified": True, "intro": "发布悦来镇政务信息，服务群众。"}
    assert got["测试县应急"]["followers"] == 12000 and got["测试县应急"]["verified"] is False
    assert got["测试县应急"]["host_phone"] == "0513-86012345"
    with db.reader() as s:
        assert s.scalars(select(Unit.kind).where(Unit.name == "悦来镇人民政府")).one() == "township"


# --------------------------------------------------------------------------- workbook 3


def book_several_sheets(path: Path) -> Path:
    """A notes sheet first, the accounts on the second, a totals sheet last."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填表说明"
    ws.append(["1. 本表由各单位填写"])
    ws.append(["2. 平台请填写微信、微博、抖音等"])
    ws = wb.create_sheet("账号统计")
    ws.append(["某某县政务新媒体摸底排查表"])
    ws.append(["序号", "账号名", "平台", "主办单位", "主管单位", "注册日期", "访问链接"])
    ws.append([1, "某某人社", "微信", "某某县人力资源和社会保障局", "某某县人民政府办公室", "2018-05-20",
               "https://mp.weixin.qq.com/s/abc"])
    ws.append([2, "某某人社", "抖音", "某某县人力资源和社会保障局", "某某县人民政府办公室", "2021-01-04", None])
    ws = wb.create_sheet("汇总")
    ws.append(["平台", "数量"])
    ws.append(["微信", 1])
    ws.append(["抖音", 1])
    wb.save(path)
    return path


def test_several_sheets_picks_the_accounts_sheet(db, tmp_path):
    path = book_several_sheets(tmp_path / "摸排.xlsx")
    plan, result = import_file(db, path)
    assert plan.sheet == "账号统计" and plan.sheets == ["填表说明", "账号统计", "汇总"]
    assert result.created == 2
    with db.reader() as s:
        sup = s.scalars(select(Unit.name).join(Account, Account.supervisor_unit_id == Unit.id)).all()
    assert set(sup) == {"某某县人民政府办公室"}
    with pytest.raises(UserError, match="没有名为“不存在”的工作表"):
        read_workbook(path, sheet="不存在")
    with pytest.raises(UserError, match="找不到表头"):
        read_workbook(path, sheet="填表说明")


# --------------------------------------------------------------------------- workbook 4: a bad row


def book_with_bad_row(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["测试县政务新媒体台账"])
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["序号", "名称", "类型", "开设单位", "开设时间"])
    ws.append([1, "测试发布", "微信", "测试县人民政府办公室", "2019-01-01"])
    ws.append([2, "测试文旅", "抖音", "测试县文化和旅游局", "2019-02-01"])
    ws.append([3, "测试交通", "快手", "测试县交通运输局", "2019-03-01"])
    ws.append([4, "测试群聊", "微信群", "测试县交通运输局", "2019-04-01"])  # spreadsheet row 7
    ws.append([5, "测试水利", "微博", "测试县水利局", "2019-05-01"])
    wb.save(path)
    return path


def test_bad_row_refuses_everything_with_its_row_number(db, tmp_path):
    path = book_with_bad_row(tmp_path / "有错.xlsx")
    before = counts(db)
    with pytest.raises(UserError) as err:
        import_file(db, path)
    assert "第 7 行：平台“微信群”无法识别" in str(err.value)
    assert "未导入任何内容" in str(err.value)
    assert counts(db) == before  # no account, unit, person or audit event written


def test_bad_row_excluded_explicitly_imports_the_rest(db, tmp_path):
    path = book_with_bad_row(tmp_path / "有错.xlsx")
    plan, result = import_file(db, path, skip_bad=True)
    assert result.created == 4 and result.skipped == 1
    assert "测试群聊" not in accounts(db)
    # The wizard's way: a checkbox marks the row excluded, then apply without skip_bad.
    path2 = book_with_bad_row(tmp_path / "有错2.xlsx")
    with db.transaction() as s:
        plan = read_workbook(path2, session=s)
        for r in plan.rows:
            r.excluded = r.bad
        result = apply_plan(s, plan)
    assert result.skipped == 1 and result.unchanged == 4 and result.created == 0


# --------------------------------------------------------------------------- workbook 5: many problems


def book_many_problems(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号名称", "平台", "主办单位", "创建日期", "联系电话", "粉丝量"])
    ws.append(["好账号", "抖音", "测试县公安局", "2019-01-01", "0513-86000000", 10])
    ws.append([None, "抖音", "测试县公安局", "2019-01-01", None, 10])  # row 3: no name
    ws.append(["坏日期", "抖音", "测试县公安局", "2019年13月45日", None, 10])  # row 4
    ws.append(["坏电话", "抖音", "测试县公安局", "2019-01-01", "8888", 10])  # row 5
    ws.append(["好账号", "抖音", "测试县公安局", "2019-01-01", None, 20])  # row 6: duplicate of row 2
    ws.append(["负粉丝", "快手", "测试县公安局", None, None, -3])  # row 7
    wb.save(path)
    return path


def test_every_problem_is_listed_with_its_row(db, tmp_path):
    path = book_many_problems(tmp_path / "问题.xlsx")
    before = counts(db)
    with db.reader() as s:
        plan = read_workbook(path, session=s)
    lines = plan.problem_lines()
    assert "第 3 行：账号名称为空" in lines
    assert "第 4 行：创建日期“2019年13月45日”不是有效日期（可写 2019-03-12 或 2019年3月12日）" in lines
    assert any(x.startswith("第 5 行：电话号码“8888”格式不正确") for x in lines)
    assert "第 6 行：与第 2 行是同一账号（名称、平台、主办单位相同）" in lines
    assert "第 7 行：关注量不能为负数" in lines
    assert [r.line for r in plan.rows if not r.bad] == [2]
    with pytest.raises(UserError, match="有 5 行存在问题"):
        with db.transaction() as s:
            apply_plan(s, plan)
    assert counts(db) == before


# --------------------------------------------------------------------------- existing accounts


def test_existing_account_is_updated_not_duplicated(db, tmp_path):
    path = book_title_rows_merged(tmp_path / "a.xlsx")
    import_file(db, path)
    wb = openpyxl.load_workbook(path)
    wb.active["E4"] = 15000  # 测试发布's followers changed
    wb.save(path)
    n = counts(db)[0]
    plan, result = import_file(db, path)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    assert counts(db)[0] == n
    assert accounts(db)["测试发布"]["followers"] == 15000
    with db.reader() as s:
        ev = s.scalars(select(AuditEvent.changes).where(AuditEvent.action == "update",
                                                        AuditEvent.entity == "account")).all()
    assert any('"followers": [12000, 15000]' in (c or "") for c in ev)


def test_remap_lets_the_user_fix_a_mapping(db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "公众号", "平台"])  # 公众号 holds the name but is not a known header
    ws.append(["测试县税务局", "测试税务", "微信"])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    with db.reader() as s:
        plan = read_workbook(path, session=s)
        assert plan.rows[0].problems == ["没有指定“账号名称”列"]
        remap(plan, mapping={0: "host_unit", 1: "name", 2: "platform"}, session=s)
    assert plan.problem_lines() == []
    with db.transaction() as s:
        assert apply_plan(s, plan).created == 1
    assert accounts(db)["测试税务"]["host"] == "测试县税务局"


# --------------------------------------------------------------------------- other formats


def test_csv_in_gb18030(db, tmp_path):
    text = ("测试县政务新媒体台账\n"
            "序号,账号名称,平台,主办单位,开通时间,粉丝量\n"
            "1,测试融媒,今日头条,测试县融媒体中心,2017年8月1日,52000\n"
            ",,,,,\n"
            "2,测试医保,微信订阅号,测试县医疗保障局,2020.10.10,\n")
    path = tmp_path / "台账.csv"
    path.write_bytes(text.encode("gb18030"))
    plan, result = import_file(db, path)
    assert plan.header_row == 1 and [r.line for r in plan.rows] == [3, 5]
    got = accounts(db)
    assert got["测试融媒"]["registered_on"] == date(2017, 8, 1) and got["测试融媒"]["followers"] == 52000
    assert got["测试医保"]["registered_on"] == date(2020, 10, 10)


def test_csv_in_utf8_with_bom(db, tmp_path):
    path = tmp_path / "u.csv"
    path.write_bytes("名称,平台,主办单位\n测试团委,快手,共青团测试县委员会\n".encode("utf-8-sig"))
    _plan, result = import_file(db, path)
    assert result.created == 1 and accounts(db)["测试团委"]["platform"] == "kuaishou"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("fmt,magic", [("xls", b"\xd0\xcf\x11\xe0"), ("ods", b"PK\x03\x04")])
def test_old_xls_and_ods_made_by_libreoffice(db, tmp_path, fmt, magic):
    src = book_title_rows_merged(tmp_path / "old.xlsx")
    out = tmp_path / fmt
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=180)
    xls = out / f"old.{fmt}"
    assert xls.read_bytes()[:4] == magic  # .xls is an OLE2 (BIFF) file, not a renamed xlsx
    _plan, result = import_file(db, xls)
    assert result.created == 4
    assert accounts(db)["测试发布"]["registered_on"] == date(2016, 3, 12)


@pytest.mark.parametrize("suffix,words", [(".et", "WPS 表格"), (".numbers", "Numbers"), (".wps", "WPS 文字"),
                                          (".txt", "不支持的文件类型")])
def test_unknown_formats_are_refused_with_how_to_convert(tmp_path, suffix, words):
    path = tmp_path / f"台账{suffix}"
    path.write_bytes(b"whatever")
    with pytest.raises(UserError) as err:
        read_workbook(path)
    assert words in str(err.value) and "另存为" in str(err.value)


def test_broken_xlsx_is_refused(tmp_path):
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(UserError, match="可能已损坏"):
        read_workbook(path)


# --------------------------------------------------------------------------- workbook 6: people named in the sheet


def book_with_admins(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["测试县政务新媒体台账（含管理员）"])
    ws.append(["序号", "账号名称", "平台", "主办单位", "管理员", "管理员手机"])
    ws.append([1, "测试民政", "微信", "测试县民政局", "周晓燕", "13912345678"])
    ws.append([2, "测试民政", "抖音", "测试县民政局", "周晓燕", "13912345678"])  # same person, second account
    ws.append([3, "测试司法", "微博", "测试县司法局", "钱  明", "0513-86001234"])
    wb.save(path)
    return path


def test_people_named_in_the_sheet_are_matched_or_created(db, tmp_path):
    from gzdesk import registry

    with db.transaction() as s:  # 钱 明 already works at 测试县司法局
        unit = registry.find_or_create_unit(s, "测试县司法局")
        registry.save_person(s, registry.PersonData(name="钱  明", unit_id=unit.id, title="科员"))
    path = book_with_admins(tmp_path / "管理员.xlsx")
    _plan, result = import_file(db, path)
    assert result.created == 3 and result.people_created == 1 and result.roles_added == 3
    with db.reader() as s:
        people = {p.name: (p.unit.name, p.mobile, p.title) for p in s.scalars(select(Person))}
        teams = {a.name + a.platform: [(r.person.name, r.role) for r in a.roles] for a in s.scalars(select(Account))}
    assert people == {"周晓燕": ("测试县民政局", "13912345678", None), "钱  明": ("测试县司法局", None, "科员")}
    assert teams == {"测试民政wechat_subscription": [("周晓燕", "admin")], "测试民政douyin": [("周晓燕", "admin")],
                     "测试司法weibo": [("钱  明", "admin")]}
    _plan, again = import_file(db, path)
    assert (again.created, again.unchanged, again.people_created, again.roles_added) == (0, 3, 0, 0)


def test_hand_made_team_sheet_without_uuids(db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "账号台账"
    ws.append(["账号名称", "平台", "主办单位"])
    ws.append(["测试统计", "微信", "测试县统计局"])
    ws.append(["测试统计", "抖音", "测试县统计局"])
    ws.append(["测试审计", "微博", "测试县审计局"])
    team = wb.create_sheet("管理队伍")
    team.append(["账号名称", "平台", "岗位", "姓名", "单位", "手机号码", "培训日期"])
    team.append(["测试统计", "抖音", "管理员", "孙丽", "测试县统计局", "13700001111", "2024.3.1"])
    team.append(["测试审计", None, "信息员", "韩涛", "测试县审计局", "13700002222", None])
    team.append(["测试统计", None, "运维", "孙丽", "测试县统计局", "13700001111", None])  # row 4: which one?
    path = tmp_path / "两张表.xlsx"
    wb.save(path)
    before = counts(db)
    with pytest.raises(UserError, match="“管理队伍”第 4 行：账号“测试统计”有多个"):
        import_file(db, path)
    assert counts(db) == before
    plan, result = import_file(db, path, skip_bad=True)
    assert result.created == 3 and result.people_created == 2 and result.roles_added == 2
    with db.reader() as s:
        roles = sorted((r.account.name, r.account.platform, r.person.name, r.role, r.person.trained_on)
                       for a in s.scalars(select(Account)) for r in a.roles)
    assert roles == [("测试审计", "weibo", "韩涛", "informant", None),
                     ("测试统计", "douyin", "孙丽", "admin", date(2024, 3, 1))]


def test_units_sheet_sets_types_and_parents_in_any_order(db, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "账号台账"
    ws.append(["账号名称", "平台", "主办单位"])
    ws.append(["测试宣传", "微信", "测试县教育局宣传科"])
    units = wb.create_sheet("单位名录")
    units.append(["单位名称", "单位类型", "上级单位", "主要负责人", "是否涉密单位"])
    units.append(["测试县教育局宣传科", "内设机构", "测试县教育局", None, "否"])  # child first
    units.append(["测试县教育局", "政府组成部门", "测试县人民政府办公室", "赵刚", "否"])
    units.append(["测试县国家保密局", "政府组成部门", "测试县人民政府办公室", None, "是"])
    units.append(["测试县人民政府办公室", "人民政府", None, "李华", None])  # this office: matched by name
    path = tmp_path / "单位.xlsx"
    wb.save(path)
    _plan, result = import_file(db, path)
    assert result.created == 1 and result.units_created == 3 and result.units_updated == 1
    with db.reader() as s:
        got = {u.name: (u.kind, u.parent.name if u.parent else None, u.head, u.classified)
               for u in s.scalars(select(Unit))}
        host = s.scalars(select(Account)).one().host_unit.name
    assert got == {"测试县人民政府办公室": ("government", None, "李华", False),
                   "测试县教育局": ("department", "测试县人民政府办公室", "赵刚", False),
                   "测试县教育局宣传科": ("internal", "测试县教育局", None, False),
                   "测试县国家保密局": ("department", "测试县人民政府办公室", None, True)}
    assert host == "测试县教育局宣传科"


def test_a_departure_in_the_team_sheet_acts_as_in_the_person_editor(db, tmp_path):
    """云南 第三十七条: 离职应及时更改密码、收回设备 — an imported 离职日期 makes the same tasks and ends the roles."""
    from gzdesk import registry
    from gzdesk.models import AccountRole, Task

    def book(name: str, rows: list[list]) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "账号台账"
        ws.append(["账号名称", "平台", "主办单位"])
        ws.append(["测试统计", "微信", "测试县统计局"])
        ws.append(["测试统计", "抖音", "测试县统计局"])
        team = wb.create_sheet("管理队伍")
        team.append(["账号名称", "平台", "岗位", "姓名", "单位", "手机号码", "离职日期"])
        for row in rows:
            team.append(row)
        path = tmp_path / name
        wb.save(path)
        return path

    first = book("队伍.xlsx", [["测试统计", "微信", "管理员", "孙丽", "测试县统计局", "13700001111", None],
                             ["测试统计", "抖音", "管理员", "孙丽", "测试县统计局", "13700001111", None],
                             ["测试统计", "抖音", "信息员", "韩涛", "测试县统计局", "13700002222", "2025.6.30"]])
    _plan, result = import_file(db, first)
    # 韩涛 arrives already gone: his role ends on his 离职日期, no tasks for a departure long past
    assert (result.people_created, result.roles_added, result.departures, result.tasks_created) == (2, 3, 0, 0)
    with db.reader() as s:
        ends = {(r.person.name, r.account.platform): r.until for r in s.scalars(select(AccountRole))}
        assert s.scalar(select(func.count(Task.id))) == 0
    assert ends == {("孙丽", "wechat_subscription"): None, ("孙丽", "douyin"): None,
                    ("韩涛", "douyin"): date(2025, 6, 30)}
    # the next 台账 records that 孙丽 left: two accounts, a password and a device task for each
    second = book("队伍2.xlsx", [["测试统计", "微信", "管理员", "孙丽", "测试县统计局", "13700001111", "2026-11-20"],
                               ["测试统计", "抖音", "管理员", "孙丽", "测试县统计局", "13700001111", "2026-11-20"]])
    _plan, result = import_file(db, second)
    assert (result.people_updated, result.departures, result.tasks_created) == (1, 1, 4)
    assert "登记离职 1 人" in result.summary()
    with db.reader() as s:
        tasks = sorted((t.title, t.due_on) for t in registry.open_tasks(s))
        ends = {r.until for r in s.scalars(select(AccountRole)) if r.person.name == "孙丽"}
    due = departure_due(db, date(2026, 11, 20))  # a few working days on, never late the day it is made
    assert tasks == [("孙丽离职：测试统计收回工作设备", due)] * 2 + [("孙丽离职：测试统计更改账号密码", due)] * 2
    assert ends == {date(2026, 11, 20)}
    # importing it again records nothing new
    _plan, again = import_file(db, second)
    assert (again.departures, again.tasks_created) == (0, 0)


def departure_due(db, left_on):
    from gzdesk.people_tasks import departure_task_due

    with db.reader() as s:
        return departure_task_due(s, left_on)


def test_a_sheet_that_starts_right_of_column_a_keeps_its_columns_and_rows(db, tmp_path):
    """The reader streams rows (calamine's iter_rows), which starts at the used range's first
    column: the cells left of it must still be there, so columns and row numbers stay the file's."""
    path = tmp_path / "偏移.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C3"], ws["D3"], ws["E3"] = "账号名称", "平台", "主办单位"
    ws["C4"], ws["D4"], ws["E4"] = "测试发布", "微信公众号（订阅号）", "测试县人民政府办公室"
    ws["C6"], ws["D6"], ws["E6"] = "测试教育", "微信群", "测试县教育局"
    wb.save(path)
    with db.reader() as s:
        plan = read_workbook(path, session=s)
    assert plan.header_row == 2 and plan.mapping == {2: "name", 3: "platform", 4: "host_unit"}
    assert [r.line for r in plan.rows] == [4, 6]
    assert plan.problem_lines() == ["第 6 行：平台“微信群”无法识别"]
