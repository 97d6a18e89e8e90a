"""The catalogue of account fields (gzdesk.fields) and every place that reads it (issue 13).

Each consumer must cover every catalogue entry and carry no account field the catalogue lacks, so
that a new field is one entry: the ORM and registry.AccountData, the 台账 columns, the 变更 parser,
the editor, the 变更 dialog, the form templates' paths and the labels.
"""

from __future__ import annotations

import json
from dataclasses import fields as dataclass_fields
from datetime import date

import pytest

from gzdesk import audit_log, enums, fields, filing_changes, registry, value_check
from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.exchange import columns
from gzdesk.exchange.excel_import import parse_cell
from gzdesk.models import Account
from gzdesk.printing import templates
from gzdesk.printing.context import build_context

MACHINE = {"id", "uuid", "origin", "created_at", "updated_at", "version"}  # not the account's own data
MACHINE_COLUMNS = {"seq", "uuid", "host_unit_uuid", "supervisor_unit_uuid", "operator_unit_uuid"}


def test_the_catalogue_is_the_accounts_columns_and_registry_fields():
    orm = {c.key for c in Account.__table__.columns} - MACHINE
    data = {f.name for f in dataclass_fields(registry.AccountData)} - MACHINE - {"team"}
    assert set(fields.KEYS) == orm - set(fields.RECORDED) == data
    assert fields.column_label("account", "unusable_since") == "无法下载或使用起始日期"  # an inspection's
    assert registry.ACCOUNT_FIELDS == list(fields.KEYS)
    assert len(fields.KEYS) == len(set(fields.KEYS))


def test_the_sheet_columns_are_the_catalogues_in_its_order():
    account_columns = [c for c in columns.ACCOUNT_COLUMNS if c.key not in MACHINE_COLUMNS]
    in_sheet = [f for f in fields.CATALOGUE if f.column_header is not None]
    assert [c.key for c in account_columns] == [f.column for f in in_sheet]
    for c, f in zip(account_columns, in_sheet, strict=True):
        assert (c.header, c.kind, c.width, c.synonyms, c.hidden) == (f.column_header, f.kind, f.width, f.synonyms, False)
    # only the picture stays out of the sheet
    assert [f.key for f in fields.CATALOGUE if f.column_header is None] == ["qr_image"]
    # the machine columns as they were: 序号 first, 唯一标识 and the three hidden unit uuids last
    assert columns.ACCOUNT_COLUMNS[0].key == "seq"
    assert [(c.key, c.hidden) for c in columns.ACCOUNT_COLUMNS[-4:]] == [
        ("uuid", False), ("host_unit_uuid", True), ("supervisor_unit_uuid", True), ("operator_unit_uuid", True)]
    assert columns.UNIT_FIELDS == {"host_unit": "host_unit_id", "supervisor_unit": "supervisor_unit_id",
                                   "operator_unit": "operator_unit_id"}


def test_one_word_for_the_follower_count():
    """The 山西 备案登记表 says 关注量 / 粉丝量, the program 关注量: the 台账 said 粉丝量 / 粉丝量统计日期."""
    headers = {c.key: c.header for c in columns.ACCOUNT_COLUMNS}
    assert headers["followers"] == "关注量" and headers["followers_on"] == "关注量统计日期"
    assert not any("粉丝" in c.header for c in columns.ACCOUNT_COLUMNS)
    # an office's sheet (and an export made before) still reads
    assert columns.match_header("粉丝量") == "followers" and columns.match_header("粉丝量统计日期") == "followers_on"


def test_every_name_means_one_field_to_the_import_and_to_a_change():
    """The 变更 parser reads the names the import reads in a header row, and they mean the same field."""
    for f in fields.CATALOGUE:
        names = [f.label, *f.synonyms] + ([f.column_header] if f.column_header else [])
        for name in names:
            assert fields.field_for(name) is f, name
            if f.column_header is not None:
                assert columns.match_header(name) == f.column, name
        assert fields.field_for(f.key) is f and fields.field_for(f.column) is f


def test_every_changeable_field_is_read_by_the_change_parser_and_no_other(db):
    for f in fields.CATALOGUE:
        if f.changeable:
            assert filing_changes.parse_change_key(f.label) is f
        else:
            with pytest.raises(UserError):
                filing_changes.parse_change_key(f.label)
    with pytest.raises(UserError, match="未知的变更字段“颜色”"):
        filing_changes.parse_change_key("颜色")
    assert set(fields.CHANGEABLE) == set(fields.KEYS) - {"qr_image"}


# What people write, per kind: the import and a 变更 must take (and refuse) the same.
SAMPLES = {
    fields.TEXT: ["  盐湖发布 ", "ｗｗｗ", "一行\n两行"],
    fields.DATE: ["2019-03-12", "2019年3月12日", "2019.3.12", "20190312", "2019年13月45日", "昨天", date(2020, 1, 2)],
    fields.INT: ["1,234", "1.2万", "１２３", "-5", "很多", 12, 3.0],
    fields.BOOL: ["是", "否", "√", "×", "☑", "已取得", "Ｙｅｓ", "no", "也许", True],
    fields.PLATFORM: ["抖音", "微信公众号(订阅号)", "其他：哔哩哔哩", "weibo", "飞信"],
    fields.STATUS: ["正常", "运行中", "停更", "关停", "不知道"],
    fields.PHONE: ["0513-８２３４５６７８", "13812345678"],
    fields.UNIT: ["测试县  财政局"],
}


def test_a_change_reads_every_value_exactly_as_the_import_does():
    """Issue 13: a 变更 on the command line had its own value parsing (1.2万 refused, 其他：哔哩哔哩 an
    unknown platform); it and the import's cell reading must agree on every field."""
    by_column = {c.key: c for c in columns.ACCOUNT_COLUMNS}
    checked = 0
    for f in fields.CATALOGUE:
        if f.column_header is None:
            continue
        for raw in SAMPLES[f.kind]:
            mine, problem = fields.parse_value(f, raw)
            theirs, their_problem = parse_cell(by_column[f.column], raw)
            assert (mine, problem) == (theirs, their_problem), (f.key, raw)
            checked += 1
    assert checked > 100


def _cli_db(tmp_path, capsys) -> str:
    db = str(tmp_path / "o.db")
    assert main(["init", "--db", db, "--unit", "测试县人民政府办公室", "--profile", "nantong"]) == 0
    assert main(["demo", "--db", db, "--accounts", "3"]) == 0
    capsys.readouterr()
    return db


def test_a_change_on_the_command_line_takes_what_the_import_takes(tmp_path, capsys):
    """Issue 13: ``--set 关注量=1.2万`` was refused (关注量应为整数), ``--set 平台=其他：哔哩哔哩`` an unknown
    platform, and a header an office writes (粉丝量统计日期, 主办单位联系方式) an unknown field."""
    db = _cli_db(tmp_path, capsys)
    code = main(["filing", "new", "--db", db, "--account", "1", "--kind", "变更", "--reason", "更新",
                 "--set", "关注量=1.2万", "--set", "平台=其他：哔哩哔哩", "--set", "粉丝量统计日期=2026年11月2日",
                 "--set", "主办单位联系方式=0513-82345678", "--set", "认证=√", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["proposed"] == {
        "followers": 12000, "platform": "other", "platform_other": "哔哩哔哩", "followers_on": "2026-11-02",
        "host_phone": "0513-82345678", "verified": True}
    code = main(["filing", "new", "--db", db, "--account", "1", "--kind", "变更", "--reason", "更新",
                 "--set", "关注量=-3"])
    _out, err = capsys.readouterr()
    assert code == 1 and err.strip().splitlines() == ["错误：关注量不能为负数"]


def test_one_label_per_field_everywhere(db):
    """Issue 13: 是否取得互联网新闻信息服务资质 had two labels; the audit log and the value checks had
    a label table each; the editor, the 变更 dialog and the diff their own."""
    from gzdesk.ui.account_editor import FIELD_LABELS as EDITOR_LABELS
    from gzdesk.ui.filing_dialogs import CHANGE_FIELDS

    for f in fields.CATALOGUE:
        assert fields.column_label("account", f.key) == f.label
        assert audit_log.field_label("account", f.key) == f.label
        assert value_check.FIELD_LABELS[f.key] == f.label
        assert fields.LABELS[f.key] == enums.ACCOUNT_FIELD_LABELS[f.key] == f.label
        assert EDITOR_LABELS[f.key] == (f.column_header or f.label)
    assert dict(CHANGE_FIELDS) == {f.column: f.label for f in fields.ON_FORM}
    # another table's column is named by that table's label, a common one by the common name
    assert fields.column_label("person", "name") == "姓名" and fields.column_label("unit", "name") == "名称"
    assert fields.column_label("inspection", "uuid") == "唯一标识"
    assert fields.column_label("filing", "no_such_column") == "no_such_column"
    problem = value_check.ValueProblem("person", 3, None, "李四", "name", "不能为空")
    assert problem.text() == "人员“李四”（编号 3）的姓名（name）不能为空"


def test_every_field_has_its_row_in_the_editor_and_nothing_else(qtbot, db):
    from gzdesk.ui.account_editor import AccountEditor
    from gzdesk.ui.controller import Controller
    from gzdesk.ui.widgets import DateEdit, TriStateCombo

    ed = AccountEditor(Controller(db))  # closed with done(0): a close() would ask about the edits
    assert set(ed.fields) == set(fields.KEYS) | {"team"}
    for f in fields.CATALOGUE:
        if f.kind == fields.DATE:
            assert isinstance(ed.fields[f.key], DateEdit), f.key
        elif f.kind == fields.BOOL:
            assert isinstance(ed.fields[f.key], TriStateCombo), f.key
    # the widgets made from the catalogue alone load and collect their values
    data = registry.AccountData(name="测试", tags="专项", verified=True, news_license=False,
                                name_consent_on=date(2026, 3, 4), name_consent_ref="测政函〔2026〕1号")
    ed.load(data)
    got, problems, _new = ed.collect()
    assert problems == []
    assert (got.tags, got.verified, got.news_license, got.verification_names_host, got.name_consent_on,
            got.name_consent_ref) == ("专项", True, False, None, date(2026, 3, 4), "测政函〔2026〕1号")
    ed.done(0)
    ed.deleteLater()


def test_forms_may_bind_every_field_and_print_its_dates():
    for f in fields.CATALOGUE:
        assert templates.path_known(f"account.{f.form_name}"), f.key
    account_paths = {p.split(".", 1)[1] for p in templates.CONTEXT_PATHS if p.startswith("account.")}
    derived = {"platform_label", "status_label", "other_platform_name", "handle_and_name", "qr_printed"}
    assert account_paths - derived == set(fields.FORM_NAMES)
    # name_consent_on was left a string while the other dates became dates
    ctx = build_context({f: "2026-01-02" for f in fields.DATE_KEYS})
    assert all(ctx["account"][f] == date(2026, 1, 2) for f in fields.DATE_KEYS)


def test_an_export_and_its_import_keep_the_name_consent(db, tmp_path):
    """Issue 13: 名称经同级政府同意日期 and 同意文号或说明 (云南 第十六条) had no column: a registry
    sent as Excel and read back lost them."""
    from gzdesk.db import Database
    from gzdesk.exchange.excel_export import export_workbook
    from gzdesk.exchange.excel_import import apply_plan, read_workbook
    from gzdesk.office import init_office

    with db.transaction() as s:
        registry.save_account(s, registry.AccountData(name="测试县发布", name_consent_on=date(2025, 6, 1),
                                                      name_consent_ref="测政函〔2025〕12号"))
    path = tmp_path / "台账.xlsx"
    with db.reader() as s:
        export_workbook(s, path)
    other = Database(tmp_path / "other.db", actor="测试员")
    try:
        with other.transaction() as s:
            init_office(s, "测试县人民政府办公室", "nantong")
        with other.transaction() as s:
            plan = read_workbook(path, session=s)
            apply_plan(s, plan)
        with other.reader() as s:
            got = s.query(Account.name_consent_on, Account.name_consent_ref).one()
        assert tuple(got) == (date(2025, 6, 1), "测政函〔2025〕12号")
    finally:
        other.close()
