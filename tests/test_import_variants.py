"""Issue 12 item 15: the values clerks write in their own workbooks for 运行状态 and 平台 are
read as the registry's codes (ASCII or full-width brackets, 运行中 / 在用 / 已注销 …)."""

from __future__ import annotations

import pytest

from gzdesk import enums


@pytest.mark.parametrize(("text", "code"), [
    ("运行中", "normal"), ("在用", "normal"), ("正常运行", "normal"), ("正常运营", "normal"), ("使用中", "normal"),
    ("已暂停", "paused"), ("暂停更新", "paused"), ("已停更", "paused"),
    ("已关停", "closed"), ("已关闭", "closed"), ("已注销", "cancelled"), ("注 销", "cancelled"),
])
def test_status_variants(text, code):
    assert enums.code_for("status", text) == code


@pytest.mark.parametrize(("text", "code"), [
    ("微信公众号（订阅号）", "wechat_subscription"), ("微信公众号(订阅号)", "wechat_subscription"),
    ("微信公众号(服务号)", "wechat_service"), ("公众号", "wechat_subscription"), ("头条号", "toutiao"),
    ("微博", "weibo"), ("新浪微博号", "weibo"), ("抖音号", "douyin"), ("快手号", "kuaishou"),
    ("移动客户端(APP)", "app"),
])
def test_platform_variants(text, code):
    assert enums.code_for("platform", text) == code


@pytest.mark.parametrize("text", ["停用", "运行？", "微信群"])
def test_what_could_mean_two_things_is_not_guessed(text):
    """停用 could be 暂停 or 关停: the wizard asks the clerk instead of choosing."""
    assert enums.code_for("status", text) is None and enums.code_for("platform", text) is None


def test_fix_cells_reads_the_row_again_and_refuses_what_it_cannot_place(tmp_path):
    """The wizard's 改正此行… in the domain: the corrected cell is parsed as the file's would be."""
    import openpyxl

    from gzdesk.errors import UserError
    from gzdesk.exchange.excel_import import fix_cells, read_workbook, row_cells

    path = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号名称", "平台", "主办单位"])
    ws.append(["测试发布", "微信群", "测试县人民政府办公室"])
    ws.append(["测试教育", "抖音", "测试县教育局"])
    wb.save(path)
    plan = read_workbook(path)
    assert [r.line for r in plan.rows if r.bad] == [2]
    assert row_cells(plan, 2) == [("name", "账号名称", "测试发布"), ("platform", "平台", "微信群"),
                                  ("host_unit", "主办单位", "测试县人民政府办公室")]
    plan.rows[0].excluded = True
    fix_cells(plan, 2, {"platform": "微信群聊"})
    assert plan.rows[0].bad and plan.rows[0].excluded  # still bad: still left out
    fix_cells(plan, 2, {"platform": "公众号"})
    assert not plan.rows[0].bad and not plan.rows[0].excluded and plan.rows[0].values["platform"] == "wechat_subscription"
    with pytest.raises(UserError, match="没有对应“intro”的列"):
        fix_cells(plan, 3, {"intro": "简介"})
    with pytest.raises(UserError, match="第 1 行不在"):
        fix_cells(plan, 1, {"platform": "抖音"})
