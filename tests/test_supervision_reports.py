"""The quarter's report, the assessment sheet and the census report: what they say, as PDF and Excel."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from gzdesk import assessment, fakes, inspections, quarters, registry, scope
from gzdesk.errors import UserError
from gzdesk.inspections import DEDUCT, VETO, FindingInput
from gzdesk.registry import AccountData, UnitData
from gzdesk.reports import assessment_sheet, census
from gzdesk.reports import quarter as quarter_report

TODAY = date(2027, 1, 3)
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


def pdftotext(path: Path) -> str:
    """The PDF's text with all white space removed (lines wrap anywhere in Chinese)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s", "", out)


def pdffonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _office(db) -> list[int]:
    with db.transaction() as s:
        u = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        town = registry.save_unit(s, UnitData(name="悦来镇人民政府", kind="township"))
        ids = [registry.save_account(s, AccountData(name=name, platform=p, host_unit_id=h, registered_on=r))
               for name, p, h, r in (("海门教育", "weibo", u, date(2020, 1, 1)), ("海门教育", "douyin", u, date(2021, 1, 1)),
                                     ("悦来发布", "wechat_subscription", town, date(2026, 3, 1)),
                                     ("悦来发布", "toutiao", town, date(2026, 6, 1)))]
        for q, on in (("2026Q3", date(2026, 8, 3)), ("2026Q4", date(2026, 11, 3))):
            qq = quarters.parse(q)
            inspections.new_inspection(s, ids[0], qq, on, "王建国", [FindingInput(DEDUCT, "内容更新不及时", 2)],
                                       today=TODAY)
            inspections.new_inspection(s, ids[1], qq, on, "王建国", [FindingInput(VETO, "内容不更新", rule_no=1)],
                                       today=TODAY)
            inspections.new_inspection(s, ids[2], qq, on, "李晓燕", [], today=TODAY)
        inspections.notify(s, "2026Q4", date(2026, 11, 20), today=TODAY)
        quarter_report.record_sent(s, "2026Q3", date(2026, 10, 8), today=TODAY)
        fakes.new_report(s, "海门教育官方", date(2026, 12, 1), platform="抖音", today=TODAY)
    return ids


def test_quarter_figures_and_the_fourth_quarter_includes_the_year(db):
    _office(db)
    with db.reader() as s:
        d = quarter_report.build(s, "2026Q4", scope.resolve(s), TODAY)
        q3 = quarter_report.build(s, "2026Q3", scope.resolve(s), TODAY)
    f = d.figures
    assert (f.inspected, f.active, f.passed, f.failed) == (3, 4, 2, 1) and f.coverage_text == "75.0%"
    assert [(p.item, p.kind, p.accounts, p.cases, p.points) for p in f.problems] == [
        ("内容不更新", "veto", 1, 1, 0), ("内容更新不及时", "deduct", 1, 2, 10)]
    assert d.due == date(2027, 1, 5) and d.sent_on is None
    assert d.year is not None and d.year.inspected == 3 and len(d.year.coverage) == 4
    assert q3.year is None and q3.sent_on == date(2026, 10, 8)
    assert f.rectify.total == 2 and f.rectify.open == 2 and f.rectify.overdue == 2  # due 11月30日


def test_record_sent_checks_the_date(db):
    with db.transaction() as s:
        with pytest.raises(UserError, match="尚未结束"):
            quarter_report.record_sent(s, "2026Q4", date(2026, 12, 20), today=TODAY)
        with pytest.raises(UserError, match="晚于今天"):
            quarter_report.record_sent(s, "2026Q4", date(2027, 1, 4), today=TODAY)
        q, on_time = quarter_report.record_sent(s, "2026Q4", date(2027, 1, 2), today=TODAY)
        assert on_time and q.code == "2026Q4"
        _q, on_time = quarter_report.record_sent(s, "2026Q4", date(2027, 1, 3), "更正", today=TODAY)  # corrected
        assert on_time


@needs_poppler
def test_quarter_report_pdf_and_workbook(db, tmp_path):
    _office(db)
    with db.reader() as s:
        d = quarter_report.build(s, "2026Q4", scope.resolve(s), TODAY)
    pdf = quarter_report.write(tmp_path / "q4.pdf", d)
    text = pdftotext(pdf)
    for words in ("测试县人民政府办公室2026年第四季度政务新媒体检查整改情况报告", "应于2027年1月5日前报送",
                  "一、检查情况", "二、发现问题", "三、整改情况", "四、全年情况", "内容不更新", "单项否决",
                  "不合格账号", "报送单位（盖章）", "— 1 —"):
        assert words.replace(" ", "") in text, words
    assert "Helvetica" not in pdffonts(pdf) and "yes" in pdffonts(pdf)  # CJK fonts embedded
    xlsx = quarter_report.write(tmp_path / "q4.xlsx", d)
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["检查情况", "发现问题", "全年问题", "检查明细", "整改情况"]
    detail = [[c.value for c in row] for row in book["检查明细"].iter_rows(min_row=4)]
    assert len(detail) == 3 and {r[2] for r in detail} == {"海门教育", "悦来发布"}
    with pytest.raises(UserError, match=r"\.pdf 或 \.xlsx"):
        quarter_report.write(tmp_path / "q4.docx", d)


@needs_poppler
def test_assessment_sheet_pdf(db, tmp_path):
    _office(db)
    with db.transaction() as s:
        assessment.set_entry(s, 2026, scope.resolve(s), "表彰表扬", "1")
    with db.reader() as s:
        a = assessment.assess(s, 2026, scope.resolve(s), TODAY)
    text = pdftotext(assessment_sheet.write(tmp_path / "a.pdf", a))
    for words in ("测试县人民政府办公室2026年度政务新媒体监管工作年度考核指标评分表", "单项否决指标", "扣分指标（100分）",
                  "通报整改", "集约整合", "表彰表扬", "考核结果", "指标说明：本指标考核对象为各县", "考核人（签字）"):
        assert words in text, words
    book = openpyxl.load_workbook(assessment_sheet.write(tmp_path / "a.xlsx", a))
    rows = [[c.value for c in row] for row in book["考核评分"].iter_rows(min_row=4)]
    assert any(r[0] == "表彰表扬" and r[3] == "1" for r in rows)


def test_census_text_files_are_read_by_their_headings():
    sections = census.prose_sections(None)
    raw = "\ufeff主送\n南通市人民政府办公室\n\n一、基本情况\n全区共有账号。\n\n【取得成效】\n政务公开更及时。\n第二行。\n存在问题：\n更新慢。\n"
    texts = census.parse_text(raw, sections)
    assert texts == {"主送": "南通市人民政府办公室", "基本情况": "全区共有账号。", "取得成效": "政务公开更及时。\n第二行。",
                     "存在问题": "更新慢。"}
    assert census.parse_text(json.dumps({"意见建议": "统一标准"}, ensure_ascii=False), sections) == {"意见建议": "统一标准"}
    with pytest.raises(UserError, match="第 1 行：应以“基本情况”等标题开头"):
        census.parse_text("没有标题的文字\n基本情况\n…", sections)
    with pytest.raises(UserError, match="出现了两次"):
        census.parse_text("基本情况\na\n基本情况\nb", sections)
    with pytest.raises(UserError, match="未知的部分"):
        census.parse_text('{"总结": "x"}', sections)
    template = census.template_text(sections, {"基本情况": "上次的文字"})
    assert census.parse_text(template, sections)["基本情况"] == "上次的文字"


@needs_poppler
def test_census_report_counts_and_formal_pdf(db, tmp_path):
    _office(db)
    with db.transaction() as s:
        d = census.build(s, date(2026, 1, 1), date(2026, 12, 31), scope.resolve(s),
                         {"基本情况": "全区政务新媒体统一备案管理。", "意见建议": "统一检查标准。", "主送": "南通市人民政府办公室"},
                         today=TODAY)
        census.save(s, d)
        previous, when = census.previous_texts(s)
    assert d.total == 4 and d.active == 4 and len(d.opened) == 2  # 悦来发布 ×2 opened in 2026
    assert dict((p, sum(c.values())) for p, c in d.by_platform) == {"微信订阅号": 1, "新浪微博": 1, "抖音": 1, "今日头条": 1}
    assert [r[0] for r in d.by_unit_type] == ["乡镇人民政府", "政府组成部门"]
    assert ("期间发现假冒账号", "1 个，已办结 0 个") in d.figures
    assert previous["基本情况"] == "全区政务新媒体统一备案管理。" and previous["主送"] == "南通市人民政府办公室"
    assert when == TODAY
    text = pdftotext(census.write(tmp_path / "c.pdf", d))
    for words in ("测试县人民政府办公室", "〔2027〕", "关于政务新媒体排查摸底及整改落实情况的报告", "南通市人民政府办公室：",
                  "一、开设数量", "二、基本情况", "三、取得成效", "四、存在问题", "五、整改情况", "六、意见建议",
                  "全区政务新媒体统一备案管理。", "（未填写）", "— 1 —", "2027年1月3日"):
        assert words.replace(" ", "") in text, words
    book = openpyxl.load_workbook(census.write(tmp_path / "c.xlsx", d))
    assert book.sheetnames == ["开设数量", "单位类型", "期间变化", "基本情况", "报告文字"]
    with pytest.raises(UserError, match="晚于今天"):
        with db.reader() as s:
            census.build(s, date(2026, 1, 1), date(2027, 2, 1), scope.resolve(s), today=TODAY)
