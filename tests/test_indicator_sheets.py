"""The indicator sheets (南通 附件2, 附件3) are the document's own text, and score as its 指标说明 says.

Worked examples of the issue: 附件2 — a veto; deductions over a cap; exactly 60 passes; 59 fails.
附件3 — a veto; a sub-cap reached; exactly 80 gets no bonus; 81 gets it. Every deduction on the two
sheets as printed is a multiple of 5, so 59 and 81 cannot arise from them: those two examples use a
copy of the sheet with one line changed to 1 point a case (an office may edit its sheet), and the
printed sheets' nearest neighbours (55, 85) are tested as well.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from gzdesk import assessment, indicator_sheets, inspections
from gzdesk.errors import UserError
from gzdesk.indicator_sheets import FAIL, PASS
from gzdesk.inspections import DEDUCT, VETO, FindingInput

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "docs" / "policies" / "003_d887a2ce90568c12.txt").read_text(encoding="utf-8")
SHEETS = ROOT / "gzdesk" / "resources" / "sheets"


def _attachment(n: int) -> str:
    start = SEED.index(f"\n附件{n}\n")
    end = SEED.find(f"\n附件{n + 1}\n", start)
    return SEED[start:end if end > 0 else None]


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


@pytest.mark.parametrize("kind,n", [("inspection", 2), ("assessment", 3)])
def test_every_item_rule_score_and_explanation_is_the_documents_text(kind, n):
    """Names, 评分细则, 分值 and every sentence of 指标说明 appear verbatim in 附件N of the seed."""
    body = _flat(_attachment(n))
    sheet = indicator_sheets.by_id("nantong_2019", kind)
    assert sheet.title in body
    for it in sheet.items():
        assert _flat(it.name) in body, it.name
        for ln in it.lines:
            assert _flat(ln.rule) in body, (it.name, ln.rule)
        # the table row as flattened: 二级指标, its numbered 评分细则, then the 分值 column
        row = _flat(it.name + "".join((f"{ln.n}." if ln.n and len(it.lines) > 1 else "") + ln.rule
                                      for ln in it.lines))
        if it.points is None:
            assert row in body, it.name
        else:
            assert (row + str(it.points)) in body or (row + _flat(sheet.bonus_note) + str(it.points)) in body, it.name
    assert _flat(sheet.explanation) in body
    for sentence in re.split(r"(?<=[。；])", sheet.explanation):
        assert _flat(sentence) in body


def test_inspection_sheet_scores_and_caps_as_printed():
    sheet = indicator_sheets.by_id("nantong_2019")
    assert [it.name for it in sheet.veto] == ["安全、泄密事故等严重问题", "内容不更新", "互动回应差"]
    assert sum(it.points for it in sheet.deductions) == 100 and sheet.pass_mark == 60
    per_case = {it.name: it.lines[0].each for it in sheet.deductions if it.lines[0].each}
    assert per_case == {"内容更新不及时": 5, "内容发布不当": 10, "留言审看不到位": 5, "互动回应失当": 10, "功能无法使用": 5}
    assert all(it.points == 10 for it in sheet.deductions)


def _score(*findings, sheet=None):
    return inspections.score(sheet or indicator_sheets.by_id("nantong_2019"), list(findings))


def test_inspection_a_veto_fails_and_nothing_else_is_scored():
    s = _score(FindingInput(VETO, "内容不更新", rule_no=1), FindingInput(DEDUCT, "名称不规范"))
    assert s.vetoed and s.score is None and s.result == FAIL
    assert [f.points for f in s.deductions] == [None]  # 不再对其他指标进行评分


def test_inspection_deductions_over_a_cap():
    s = _score(FindingInput(DEDUCT, "内容更新不及时", 3))  # 每发现一起扣5分: 15, capped at 分值 10
    assert s.score == 90 and s.deductions[0].points == 10
    s = _score(FindingInput(DEDUCT, "开设不规范", 2))  # "扣10分" once, however many cases
    assert s.score == 90


def test_inspection_exactly_60_passes():
    s = _score(*(FindingInput(DEDUCT, name) for name in ("开设不规范", "名称不规范", "认证信息不规范", "发布商业广告")))
    assert s.score == 60 and s.result == PASS


def test_inspection_55_fails():
    s = _score(*(FindingInput(DEDUCT, name) for name in ("开设不规范", "名称不规范", "认证信息不规范", "发布商业广告")),
               FindingInput(DEDUCT, "功能无法使用", 1))
    assert s.score == 55 and s.result == FAIL


def _edited(kind: str, item: str, line: dict) -> indicator_sheets.Sheet:
    data = json.loads((SHEETS / f"nantong_2019_{kind}.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for group in ("deductions", "bonus"):
        for it in data.get(group, []):
            if it["name"] == item:
                if "lines" in it:
                    it["lines"] = [line]
                else:
                    it.pop("flat", None)
                    it.pop("each", None)
                    it.update(line)
    return indicator_sheets.validate(data, "（测试）")


def test_inspection_59_fails():
    sheet = _edited("inspection", "过度获取用户信息", {"rule": "每发现一起，扣1分。", "each": 1})
    s = _score(*(FindingInput(DEDUCT, name) for name in ("开设不规范", "名称不规范", "认证信息不规范", "发布商业广告")),
               FindingInput(DEDUCT, "过度获取用户信息", 1), sheet=sheet)
    assert s.score == 59 and s.result == FAIL


def test_inspection_refuses_unknown_items_bad_counts_and_twice_the_same():
    with pytest.raises(UserError, match="没有二级指标“内容太少”"):
        _score(FindingInput(DEDUCT, "内容太少"))
    with pytest.raises(UserError, match="正整数"):
        _score(FindingInput(DEDUCT, "名称不规范", 0))
    with pytest.raises(UserError, match="第5项"):
        _score(FindingInput(VETO, "内容不更新", rule_no=5))
    with pytest.raises(UserError, match="给了两次"):
        _score(FindingInput(DEDUCT, "名称不规范"), FindingInput(DEDUCT, "名称不规范"))
    # a veto item's name is not a deduction item and vice versa
    with pytest.raises(UserError):
        _score(FindingInput(DEDUCT, "内容不更新"))


# --------------------------------------------------------------------------- 附件3


def _tally(values: dict, sheet=None):
    return assessment.tally(sheet or indicator_sheets.by_id("nantong_2019", "assessment"), values)


def test_assessment_a_veto_fails_with_no_score():
    t = _tally({"定期检查": 1, "考核评价": 1})
    assert t.vetoed and t.veto == ["定期检查"] and t.deduction_score is None and t.final is None
    assert t.result == FAIL and t.bonus is None


def test_assessment_a_sub_cap_reached():
    t = _tally({"抽查检查.1": 5})  # 未按时报送 5 each, 上限为20分
    item = next(i for i in t.items if i.name == "抽查检查")
    assert item.lines[0].points == 20 and item.points == 20 and t.deduction_score == 80
    t = _tally({"抽查检查.1": 5, "抽查检查.2": 1})  # 20 + 10 = 30 = the item's 分值
    assert t.deduction_score == 70
    t = _tally({"集约整合.1": 4, "集约整合.2": 1})  # 5 each 上限10 → 10, + 5
    assert next(i for i in t.items if i.name == "集约整合").points == 15
    t = _tally({"开设备案.1": 3, "开设备案.2": 3})  # 15 + 15 = 30 > 分值 20: 单项指标扣分之和不超过本项指标总分值
    assert next(i for i in t.items if i.name == "开设备案").points == 20 and t.deduction_score == 80


def test_assessment_exactly_80_gets_no_bonus():
    t = _tally({"通报整改": 1, "考核评价": 1, "检查比例": 10, "表彰表扬": 2})
    assert t.deduction_score == 80 and t.bonus is None and t.final == 80 and t.result == PASS


def test_assessment_85_gets_the_bonus():
    t = _tally({"监管范围": 1, "考核评价": 1, "检查比例": 5, "合格率": 1, "表彰表扬": 3})
    assert t.deduction_score == 85 and t.bonus == 5 + 10 + 10 and t.final == 110  # 表彰表扬 5 a time, up to 10


def test_assessment_81_gets_the_bonus():
    sheet = _edited("assessment", "考核评价", {"rule": "每出现一次，扣1分。", "each": 1})
    t = _tally({"通报整改": 1, "考核评价": 9, "检查比例": 10}, sheet)
    assert t.deduction_score == 81 and t.bonus == 10 and t.final == 91
    t = _tally({"通报整改": 1, "考核评价": 10, "检查比例": 10}, sheet)
    assert t.deduction_score == 80 and t.bonus is None and t.final == 80


def test_assessment_below_60_fails_and_60_passes():
    sixty = {"通报整改": 1, "抽查检查.2": 1, "监管范围": 2, "考核评价": 1}
    assert _tally(sixty).deduction_score == 60 and _tally(sixty).result == PASS
    assert _tally({**sixty, "开设备案.1": 1}).result == FAIL


def test_assessment_values_by_hand_are_checked():
    sheet = indicator_sheets.by_id("nantong_2019", "assessment")
    assert assessment.parse_key(sheet, "抽查检查.1") == "抽查检查.1"
    assert assessment.parse_key(sheet, "抽查检查第2项") == "抽查检查.2"
    assert assessment.parse_key(sheet, "考核评价") == "考核评价"
    with pytest.raises(UserError, match="请写明第几项"):
        assessment.parse_key(sheet, "集约整合")
    assert assessment.parse_value(sheet, "考核评价", "是") == 1
    assert assessment.parse_value(sheet, "管理工作", "否") == 0
    with pytest.raises(UserError, match="0、10、5"):
        assessment.parse_value(sheet, "检查比例", "7")
    with pytest.raises(UserError, match="次数"):
        assessment.parse_value(sheet, "考核评价", "很多")


def test_a_sheet_whose_deductions_do_not_make_100_is_refused():
    data = json.loads((SHEETS / "nantong_2019_inspection.json").read_text(encoding="utf-8"))
    data["deductions"][0]["points"] = 20
    with pytest.raises(UserError, match="不等于总分 100"):
        indicator_sheets.validate(data, "（测试）")


def test_profiles_without_a_sheet_borrow_nantongs_and_say_so():
    from gzdesk import profiles

    own = indicator_sheets.for_profile(profiles.by_id("nantong"))
    borrowed = indicator_sheets.for_profile(profiles.by_id("taibai"))
    assert not own.borrowed and borrowed.borrowed
    assert borrowed.source_note.startswith("本单位制度未附政务新媒体检查指标，参照南通市政务新媒体管理办法（试行）")
