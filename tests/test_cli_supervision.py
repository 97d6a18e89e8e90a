"""End to end through the command line: inspection, rectify, fake, assess, report."""

from __future__ import annotations

import json
from datetime import date

import pytest

from gzdesk import registry
from gzdesk.cli import main
from gzdesk.registry import AccountData, UnitData


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def office(db, db_path):
    with db.transaction() as s:
        u = registry.save_unit(s, UnitData(name="海门区教育局", kind="department"))
        internal = registry.save_unit(s, UnitData(name="海门区教育局办公室", kind="internal", parent_id=u))
        a = registry.save_account(s, AccountData(name="海门教育", platform="weibo", host_unit_id=u,
                                                 last_update_on=date(2026, 11, 18), verification_names_host=True,
                                                 registered_on=date(2020, 1, 1)))
        b = registry.save_account(s, AccountData(name="教育局办公室", platform="douyin", host_unit_id=internal,
                                                 last_update_on=date(2026, 10, 1), registered_on=date(2020, 1, 1)))
    return str(db_path), a, b


def test_inspection_new_json_and_list(capsys, office):
    db, a, b = office
    code, out, err = run(capsys, "inspection", "new", str(a), "--db", db, "--quarter", "2026Q4", "--date", "2026-11-20",
                         "--inspector", "王建国", "--deduct", "内容更新不及时=3", "--deduct", "名称不规范",
                         "--note", "内容更新不及时=第3、4、6周无更新", "--note", "总体良好", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert (d["score"], d["result"], d["veto"]) == (80, "合格", [])
    assert [(x["item"], x["count"], x["points"]) for x in d["deductions"]] == [("名称不规范", 1, 10), ("内容更新不及时", 3, 10)]
    assert d["deductions"][1]["note"] == "第3、4、6周无更新" and d["note"] == "总体良好"
    code, out, _ = run(capsys, "inspection", "new", "教育局办公室", "--db", db, "--date", "2026-11-20",
                       "--inspector", "王建国", "--clear", "开设不规范", "--json")
    d = json.loads(out)  # pre-filled: 2 weeks without update (veto); 以内设机构名义开设 cleared
    assert d["score"] is None and d["result"] == "不合格" and [v["item"] for v in d["veto"]] == ["内容不更新"]
    assert d["veto"][0]["prefilled"] and d["deductions"] == []
    code, out, _ = run(capsys, "inspection", "list", "--db", db, "--quarter", "2026Q4", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["score"] for r in rows] == [None, 80] and set(rows[0]) >= {"id", "account", "result"}
    code, out, _ = run(capsys, "inspection", "show", str(rows[1]["id"]), "--db", db)
    assert code == 0 and "结果：合格  得分：80分" in out and "[扣分] 内容更新不及时 ×3  扣10分" in out
    code, out, _ = run(capsys, "inspection", "sheet", "--db", db)
    assert code == 0 and "内容更新不及时    10    政务新媒体每周更新内容少于1次" in out and "指标说明：" in out


def test_notify_rectify_and_due(capsys, office):
    db, a, _b = office
    run(capsys, "inspection", "new", str(a), "--db", db, "--date", "2026-11-10", "--inspector", "王建国",
        "--deduct", "名称不规范")
    code, out, _ = run(capsys, "inspection", "notify", "--db", db, "--quarter", "2026Q4", "--date", "2026-11-12")
    assert code == 0 and "应于2026年11月22日前整改完成" in out
    items = json.loads(run(capsys, "rectify", "list", "--db", db, "--today", "2026-11-30", "--json")[1])
    assert [(i["item"], i["due"], i["overdue"], i["status"]) for i in items] == [("名称不规范", "2026-11-22", True, "已逾期")]
    due = json.loads(run(capsys, "due", "--db", db, "--today", "2026-11-30", "--json")[1])
    assert any(i["kind"] == "rectify" and i["overdue"] and i["left"] == "逾期8天" for i in due)
    code, out, _ = run(capsys, "rectify", "done", str(items[0]["id"]), "--db", db, "--date", "2026-11-25",
                       "--note", "已更名")
    assert code == 0 and "已登记整改完成 1 项" in out
    assert json.loads(run(capsys, "rectify", "list", "--open", "--db", db, "--json")[1]) == []
    assert "逾期整改" in run(capsys, "rectify", "list", "--db", db)[1]


def test_fake_report_from_the_command_line(capsys, office, tmp_path):
    db, a, _b = office
    shot = tmp_path / "截图.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    code, out, err = run(capsys, "fake", "new", "海门教育官方", "--db", db, "--date", "2026-11-20", "--how", "网民举报",
                         "--platform", "抖音", "--link", "https://www.douyin.com/user/x", "--imitates", str(a),
                         "--screenshot", str(shot), "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["status"] == "待排查核实" and d["imitated_account"] == "海门教育" and len(d["screenshots"]) == 1
    for step in ("核实", "协同处理", "致函", "报备"):
        code, out, err = run(capsys, "fake", "step", str(d["id"]), "--db", db, "--step", step, "--date", "2026-11-22")
        assert code == 0, err
    assert "已于2026年11月22日办结" in out
    rows = json.loads(run(capsys, "fake", "list", "--db", db, "--json")[1])
    assert rows[0]["status"] == "已关停处置" and len(rows[0]["steps"]) == 4


def test_assess_with_entries_and_printable_sheet(capsys, office, tmp_path):
    db, _a, _b = office
    code, out, err = run(capsys, "assess", "2026", "--db", db, "--today", "2026-11-30", "--set", "考核评价=是",
                         "--set", "表彰表扬=2", "--json", "--out", str(tmp_path / "考核.pdf"))
    assert code == 0, err
    d = json.loads(out)
    assert set(d) >= {"year", "unit", "score", "result", "veto", "deduction_score", "bonus", "items", "unknown"}
    assert d["veto"] == ["定期检查"] and d["score"] is None and d["result"] == "不合格"  # no inspection in Q1–Q3
    assert (tmp_path / "考核.pdf").stat().st_size > 1000
    code, out, _ = run(capsys, "assess", "2026", "--db", db, "--today", "2026-11-30", "--set", "定期检查=0")
    assert code == 0 and "考核评价：扣10分" in out and "手工填写" in out
    code, out, _ = run(capsys, "assess", "2026", "--db", db, "--set", "考核评价=", "--today", "2026-11-30", "--json")
    assert "考核评价" in json.loads(out)["unknown"]


def test_reports_from_the_command_line(capsys, office, tmp_path):
    db, a, _b = office
    run(capsys, "inspection", "new", str(a), "--db", db, "--date", "2026-08-10", "--inspector", "王建国")
    code, out, err = run(capsys, "report", "quarter", "2026Q3", "--db", db, "--out", str(tmp_path / "q3.xlsx"))
    assert code == 0 and "检查 1/2 个账号（50.0%）" in out, err
    code, out, _ = run(capsys, "report", "sent", "2026Q3", "--db", db, "--date", "2026-10-09")
    assert code == 0 and "（已逾期）" in out
    text = tmp_path / "文字.txt"
    text.write_text("基本情况\n全区统一备案。\n意见建议\n统一标准。\n", encoding="utf-8")
    code, out, err = run(capsys, "report", "census", "--db", db, "--from", "2026-01-01", "--to", "2026-11-30",
                         "--out", str(tmp_path / "c.pdf"), "--text", str(text))
    assert code == 0 and "未填写：取得成效、存在问题、整改情况" in out, err
    code, out, _ = run(capsys, "report", "census-text", str(tmp_path / "t.txt"), "--db", db)
    assert code == 0 and "全区统一备案。" in (tmp_path / "t.txt").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "report", "census", "--db", db, "--from", "2026-01-01", "--to", "2026-11-30",
                       "--out", str(tmp_path / "c2.xlsx"))
    assert code == 0 and "沿用2" in out


@pytest.mark.parametrize("args,fragment", [
    (["inspection", "new", "1", "--date", "2026-11-20", "--inspector", "王", "--deduct", "内容太少"], "没有二级指标“内容太少”"),
    (["inspection", "new", "1", "--date", "2026-11-20", "--inspector", "王", "--deduct", "名称不规范=x"], "正整数"),
    (["inspection", "new", "1", "--date", "2026-11-20", "--inspector", "王", "--quarter", "2026Q5"], "季度格式不正确"),
    (["inspection", "new", "999", "--date", "2026-11-20", "--inspector", "王"], "没有编号为 999 的账号"),
    (["inspection", "new", "1", "--date", "2026-11-20", "--inspector", "王", "--level", "乡办"], "未知的检查类别"),
    (["inspection", "notify", "--quarter", "2026Q4", "--date", "2026-11-20"], "没有待通报"),
    (["rectify", "done", "a,b", "--date", "2026-11-20"], "逗号分隔的数字"),
    (["fake", "step", "7", "--step", "核实", "--date", "2026-11-20"], "没有编号为 7 的假冒账号记录"),
    (["assess", "2026", "--set", "宣传=1"], "没有二级指标“宣传”"),
    (["assess", "2026", "--set", "考核评价"], "应写成 二级指标=值"),
    (["report", "quarter", "2026Q3", "--out", "x.docx"], ".pdf 或 .xlsx"),
    (["report", "census", "--from", "2026-02-01", "--to", "2026-01-01", "--out", "c.pdf"], "早于开始日期"),
    (["inspection", "unusable", "1", "--since", "2026-11-01"], "不是移动客户端"),
])
def test_user_errors_are_one_chinese_line(capsys, office, args, fragment):
    db, _a, _b = office
    code, out, err = run(capsys, *args, "--db", db)
    assert code == 1 and fragment in err and err.count("\n") == 1 and err.startswith("错误：") and "Traceback" not in err
