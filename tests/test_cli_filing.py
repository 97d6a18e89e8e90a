"""``gzdesk filing …`` and ``gzdesk due`` through the command line entry point."""

from __future__ import annotations

import json
from datetime import date

from gzdesk import registry
from gzdesk.cli import main
from gzdesk.db import Database


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _init(tmp_path, capsys, profile: str):
    path = tmp_path / f"{profile}.db"
    code, _, _ = run(capsys, "init", "--unit", "测试县人民政府办公室", "--profile", profile, "--db", str(path))
    assert code == 0
    return path


def _add_account(path, name, registered_on) -> int:
    db = Database(path)
    try:
        with db.transaction() as s:
            return registry.save_account(s, registry.AccountData(name=name, registered_on=registered_on))
    finally:
        db.close()


def test_whole_shanxi_chain(tmp_path, capsys):
    """盐湖区 (山西 登记表): 主办单位 → 县（市、区）办公室 → 市政府办公室 → 省政府办公厅."""
    db = str(_init(tmp_path, capsys, "yanhu"))
    aid = _add_account(db, "盐湖发布", date(2025, 9, 30))
    code, out, _ = run(capsys, "filing", "new", "--account", str(aid), "--kind", "开设", "--reason", "新开设政务微信",
                       "--date", "2025-10-09", "--db", db, "--json")
    assert code == 0
    f = json.loads(out)
    assert (f["number"], f["state"], f["kind"]) == ("2025-00001", "草稿", "开设")
    assert f["chain"] == ["主办单位意见", "县（市、区）办公室意见", "市政府办公室意见", "省政府办公厅意见"]
    code, out, _ = run(capsys, "filing", "printed", "1", "--db", db)
    assert code == 0 and "待签批" in out
    scan = tmp_path / "主办单位意见.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n fake")
    signers = ["王镇长", "区政府办李主任", "市政府办赵科长", "省政府办公厅孙处长"]
    for i, signer in enumerate(signers):
        extra = ["--scan", str(scan)] if i == 0 else []
        which = ["2025-00001"] if i % 2 else ["--filing", "2025-00001"]  # ID as for every filing command, or --filing
        code, out, err = run(capsys, "filing", "step", *which, "--opinion", "同意", "--signer", signer,
                             "--date", f"2025-10-{10 + i}", "--db", db, *extra)
        assert code == 0, err
        assert f"已记录“{f['chain'][i]}”：同意" in out
    assert "状态：已备案" in out
    code, _, err = run(capsys, "filing", "step", "--filing", "1", "--signer", "多余", "--date", "2025-10-20", "--db", db)
    assert code == 1 and err.startswith("错误：") and "不能再记录审批" in err
    code, _, err = run(capsys, "filing", "step", "--signer", "多余", "--date", "2025-10-20", "--db", db)
    assert code == 1 and err.startswith("错误：请给出备案编号")
    code, out, _ = run(capsys, "filing", "report", "1", "--date", "2025-10-20", "--db", db)
    assert code == 0 and "已报送" in out
    code, out, _ = run(capsys, "filing", "show", "1", "--db", db, "--json")
    shown = json.loads(out)
    assert shown["state_code"] == "reported" and shown["reported_on"] == "2025-10-20"
    assert [s["signer"] for s in shown["steps"]] == signers
    assert shown["steps"][0]["attachment_id"] and shown["attachments"][0]["filename"] == "主办单位意见.png"
    code, out, _ = run(capsys, "filing", "list", "--state", "已报送", "--db", db, "--json")
    assert [r["number"] for r in json.loads(out)] == ["2025-00001"]


def test_whole_nantong_chain_with_return_and_reopen(tmp_path, capsys):
    db = str(_init(tmp_path, capsys, "nantong"))
    aid = _add_account(db, "通州发布", date(2025, 9, 20))
    assert run(capsys, "filing", "new", "--account", str(aid), "--kind", "开设", "--reason", "新开设",
               "--date", "2025-09-26", "--db", db)[0] == 0
    code, out, _ = run(capsys, "filing", "step", "--filing", "1", "--opinion", "同意", "--signer", "主办单位负责人",
                       "--date", "2025-09-29", "--db", db)
    assert code == 0 and "待签批" in out and "下一步：主管单位意见" in out
    code, out, _ = run(capsys, "filing", "step", "--filing", "1", "--opinion", "名称不规范", "--signer", "主管单位负责人",
                       "--date", "2025-09-30", "--return", "--db", db)
    assert code == 0 and "退回" in out
    code, out, _ = run(capsys, "filing", "reopen", "1", "--date", "2025-10-09", "--db", db, "--json")
    assert code == 0 and json.loads(out)["number"] == "2025-00002"
    for signer, day in (("主办单位负责人", "2025-10-09"), ("主管单位负责人", "2025-10-10")):
        assert run(capsys, "filing", "step", "--filing", "2025-00002", "--opinion", "同意", "--signer", signer,
                   "--date", day, "--db", db)[0] == 0
    # 南通 第十五条: the 主管单位 files into the provincial system within 3 working days of 10-09
    # (10-10, the 调休 Saturday 10-11, 10-13)
    code, out, _ = run(capsys, "due", "--today", "2025-10-13", "--json", "--db", db)
    [item] = json.loads(out)
    assert (item["kind"], item["due"], item["overdue"], item["days_left"]) == ("provincial", "2025-10-13", False, 0)
    assert item["article"] == "南通市政务新媒体管理办法（试行）第十五条"
    assert run(capsys, "filing", "report", "2", "--date", "2025-10-13", "--db", db)[0] == 0
    code, out, _ = run(capsys, "due", "--today", "2025-10-13", "--json", "--db", db)
    assert json.loads(out) == []
    code, out, _ = run(capsys, "filing", "list", "--db", db)
    assert "已报送" in out and "退回" in out and "共 2 条备案" in out


def test_due_json_across_guoqing(tmp_path, capsys):
    """云南: opened 2025-09-30 → filing due 2025-10-16; 南通: 主办单位 signed 2025-09-29 → due 2025-10-10."""
    yn = str(_init(tmp_path, capsys, "yunnan"))
    _add_account(yn, "云南发布", date(2025, 9, 30))
    code, out, _ = run(capsys, "due", "--today", "2025-10-09", "--json", "--db", yn)
    assert code == 0
    [item] = json.loads(out)
    assert item["due"] == "2025-10-16" and item["overdue"] is False and item["days_left"] == 6
    assert item["article"] == "云南省政务新媒体管理办法第十七条" and item["provisional"] is False
    assert set(item) >= {"kind", "title", "account_id", "account", "filing_id", "filing_number", "due", "provisional",
                         "overdue", "days_left", "rule", "article", "message"}
    code, out, _ = run(capsys, "due", "--today", "2025-10-17", "--json", "--db", yn)
    [item] = json.loads(out)
    assert item["overdue"] is True and item["days_left"] == -1

    nt = str(_init(tmp_path, capsys, "nantong"))
    aid = _add_account(nt, "通州发布", date(2025, 9, 20))
    run(capsys, "filing", "new", "--account", str(aid), "--kind", "开设", "--reason", "新开设", "--date", "2025-09-26",
        "--db", nt)
    run(capsys, "filing", "step", "--filing", "1", "--opinion", "同意", "--signer", "甲", "--date", "2025-09-29",
        "--db", nt)
    code, out, _ = run(capsys, "due", "--today", "2025-09-30", "--json", "--db", nt)
    [item] = json.loads(out)
    assert (item["due"], item["filing_number"], item["days_left"]) == ("2025-10-10", "2025-00001", 2)
    code, out, _ = run(capsys, "due", "--today", "2025-09-30", "--db", nt)
    assert "2025年10月10日" in out and "剩余2个工作日" in out


def test_change_and_close_through_cli(tmp_path, capsys):
    db = str(_init(tmp_path, capsys, "nantong"))
    aid = _add_account(db, "通州发布", date(2020, 1, 1))
    code, out, err = run(capsys, "filing", "new", "--account", str(aid), "--kind", "变更", "--reason", "更名",
                         "--set", "名称=通州发布厅", "--set", "关注量=5000", "--date", "2025-09-01", "--db", db)
    assert code == 0, err
    assert "变更内容：名称→通州发布厅；关注量→5000" in out
    code, _, err = run(capsys, "filing", "new", "--account", str(aid), "--kind", "变更", "--reason", "x",
                       "--set", "名称", "--db", db)
    assert code == 1 and "字段=值" in err
    for day in ("2025-09-02", "2025-09-03"):
        run(capsys, "filing", "step", "--filing", "1", "--signer", "甲", "--date", day, "--db", db)
    code, out, _ = run(capsys, "accounts", "--json", "--db", db)
    assert json.loads(out)[0]["name"] == "通州发布厅"

    run(capsys, "filing", "new", "--account", str(aid), "--kind", "关停", "--reason", "无力维护", "--date", "2025-09-22",
        "--db", db)
    code, _, err = run(capsys, "filing", "announce", "2", "--from", "2025-09-26", "--close-on", "2025-10-10", "--db", db)
    assert code == 1 and "不少于15个工作日" in err and "2025年10月24日" in err
    code, out, _ = run(capsys, "filing", "announce", "2", "--from", "2025-09-26", "--db", db)
    assert code == 0 and "2025年10月24日" in out
    for day in ("2025-09-23", "2025-09-24"):
        run(capsys, "filing", "step", "--filing", "2", "--signer", "甲", "--date", day, "--db", db)
    # the 公告 ran long ago (real today is later): the next command closes the account and says so
    code, out, _ = run(capsys, "filing", "list", "--db", db)
    assert "公告期满：账号“通州发布厅”已于2025年10月24日关停" in out
    code, out, _ = run(capsys, "accounts", "--json", "--db", db)
    assert json.loads(out)[0]["status"] == "关停"


def test_merge_and_errors(tmp_path, capsys):
    db = str(_init(tmp_path, capsys, "nantong"))
    a, b, c = (_add_account(db, n, date(2020, 1, 1)) for n in ("甲号", "乙号", "丙号"))
    code, out, err = run(capsys, "filing", "merge", "--keep", str(a), "--close", f"{b},{c}", "--reason", "同平台重复",
                         "--date", "2025-10-09", "--db", db, "--json")
    assert code == 0, err
    merged = json.loads(out)
    assert merged["kind"] == "整合" and len(merged["children"]) == 2
    code, out, _ = run(capsys, "filing", "withdraw", str(merged["id"]), "--db", db)
    assert code == 0 and "已撤回" in out
    code, out, _ = run(capsys, "filing", "list", "--state", "撤回", "--db", db, "--json")
    assert len(json.loads(out)) == 3
    for argv, message in ((("filing", "new", "--account", "99", "--kind", "开设", "--reason", "x"), "找不到编号为 99 的账号"),
                          (("filing", "new", "--account", str(a), "--kind", "开花", "--reason", "x"), "未知备案事由"),
                          (("filing", "show", "2099-00001"), "找不到备案"),
                          (("filing", "step", "--filing", "1", "--signer", "x", "--date", "昨天"), "日期格式不正确"),
                          (("filing", "merge", "--keep", str(a), "--close", "x", "--reason", "r"), "逗号分隔"),
                          (("filing", "list", "--state", "乱"), "未知备案状态")):
        code, out, err = run(capsys, *argv, "--db", db)
        assert code == 1 and message in err and "Traceback" not in err, (argv, err)


def test_attach_show_and_overdue_filter(tmp_path, capsys):
    db = str(_init(tmp_path, capsys, "yunnan"))
    aid = _add_account(db, "云南发布", date(2025, 9, 30))
    _add_account(db, "老账号", date(2015, 1, 1))
    run(capsys, "filing", "new", "--account", str(aid), "--kind", "开设", "--reason", "新开设", "--date", "2025-10-09",
        "--db", db)
    scan = tmp_path / "签字盖章.pdf"
    scan.write_bytes(b"%PDF-1.4 signed")
    code, out, _ = run(capsys, "filing", "attach", "1", str(scan), "--db", db)
    assert code == 0 and "已附上扫描件“签字盖章.pdf”" in out and "附件 1：签字盖章.pdf" in out
    code, _, err = run(capsys, "filing", "attach", "1", str(tmp_path / "missing.pdf"), "--db", db)
    assert code == 1 and "无法读取文件" in err
    code, out, _ = run(capsys, "due", "--today", "2025-10-10", "--overdue", "--json", "--db", db)
    assert [i["account"] for i in json.loads(out)] == ["老账号"]  # 云南 第四十七条 backfill, long overdue
    code, out, _ = run(capsys, "due", "--today", "2025-10-10", "--json", "--db", db)
    items = json.loads(out)
    assert [i["kind"] for i in items] == ["backfill", "filing"]
    assert items[1]["filing_number"] == "2025-00001" and items[1]["due"] == "2025-10-16"


def test_a_change_typed_on_the_command_line_reads_yes_and_no_as_the_import_does(tmp_path, capsys):
    """Issue 13: a 变更 on the command line refused √, which the Excel import accepts (two lists of
    yes/no words); one list (gzdesk.validation.YES_WORDS / NO_WORDS) now serves both."""
    from gzdesk.validation import NO_WORDS, YES_WORDS, read_yes_no

    db = str(tmp_path / "o.db")
    assert main(["init", "--db", db, "--unit", "测试县人民政府办公室", "--profile", "nantong"]) == 0
    assert main(["demo", "--db", db, "--accounts", "3"]) == 0
    capsys.readouterr()
    for word in ("√", "☑", "已取得", "Ｙｅｓ"):
        code = main(["filing", "new", "--db", db, "--account", "1", "--kind", "变更", "--reason", "资质",
                     "--set", f"新闻资质={word}", "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert json.loads(out)["proposed"]["news_license"] is True
        assert main(["filing", "withdraw", str(json.loads(out)["number"]), "--db", db]) == 0
        capsys.readouterr()
    assert all(read_yes_no(w) is True for w in YES_WORDS) and all(read_yes_no(w) is False for w in NO_WORDS)
    assert read_yes_no("也许") is None


def test_accounts_search_matches_every_word_as_the_window_does(tmp_path, capsys):
    """Issue 13: ``gzdesk accounts --search`` matched one substring while the window's search box
    matches every word; both use gzdesk.registry.search_words / matches_search now."""
    db = str(tmp_path / "o.db")
    assert main(["init", "--db", db, "--unit", "测试县人民政府办公室", "--profile", "nantong"]) == 0
    assert main(["demo", "--db", db, "--accounts", "40", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["accounts", "--db", db, "--json"]) == 0
    everything = json.loads(capsys.readouterr().out)
    sample = everything[0]
    first_word, second_word = sample["name"][:2], sample["host_unit"][-3:]
    assert main(["accounts", "--db", db, "--json", "--search", f"{first_word} {second_word}"]) == 0
    found = json.loads(capsys.readouterr().out)
    expected = [a for a in everything
                if all(w.lower() in f"{a['name']}\n{a['handle'] or ''}\n{a['host_unit']}".lower()
                       for w in (first_word, second_word))]
    assert found == expected and sample in found
