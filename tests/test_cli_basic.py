"""End to end through the command line: init, demo, accounts, workdays, profiles, and errors."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gzdesk.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_demo_accounts_json(tmp_path, capsys):
    db = str(tmp_path / "o.db")
    assert run(capsys, "init", "--db", db, "--unit", "海门区人民政府办公室", "--profile", "nantong")[0] == 0
    code, out, _ = run(capsys, "demo", "--db", db, "--accounts", "300")
    assert code == 0 and "账号 300 个" in out
    code, out, _ = run(capsys, "accounts", "--db", db, "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 300
    platforms = {r["platform"].split("：")[0] for r in rows}
    assert platforms <= {"微信服务号", "微信订阅号", "微信小程序", "新浪微博", "抖音", "快手", "今日头条", "视频号",
                         "移动客户端APP", "其他"}
    assert {r["status"] for r in rows} <= {"正常", "暂停", "关停", "注销"}
    assert all(r["host_unit"] for r in rows)


def test_demo_is_reproducible_and_refuses_a_filled_database(tmp_path, capsys):
    outs = []
    for name in ("a.db", "b.db"):
        db = str(tmp_path / name)
        run(capsys, "init", "--db", db, "--unit", "太白县人民政府办公室", "--profile", "taibai")
        run(capsys, "demo", "--db", db, "--accounts", "50", "--seed", "7")
        outs.append([(r["name"], r["platform"], r["host_unit"]) for r in
                     json.loads(run(capsys, "accounts", "--db", db, "--json")[1])])
    assert outs[0] == outs[1]
    code, _, err = run(capsys, "demo", "--db", str(tmp_path / "a.db"), "--accounts", "5")
    assert code == 1 and "已有账号" in err


def test_workdays_commands(capsys):
    assert run(capsys, "workdays", "add", "2025-09-30", "7")[1].strip() == "2025-10-16"
    code, out, _ = run(capsys, "workdays", "add", "2027-03-01", "3")
    assert code == 0 and out.startswith("2027-03-04") and "预估" in out
    assert run(capsys, "workdays", "count", "2025-09-30", "2025-10-16")[1].strip() == "7"
    code, out, _ = run(capsys, "workdays", "add", "2027-03-01", "3", "--json")
    assert json.loads(out) == {"date": "2027-03-04", "provisional": True}


@pytest.mark.parametrize("args,fragment", [
    (["workdays", "add", "2025-13-40", "3"], "日期"),
    (["workdays", "add", "2025-01-01", "x"], "整数"),
    (["init", "--unit", "某县"], "缺少必填参数"),
    (["init", "--unit", "某县", "--profile", "beijing"], "没有编号"),
    (["accounts"], "gzdesk init"),
    (["nonsense"], "nonsense"),
])
def test_user_errors_are_one_chinese_line_and_exit_1(tmp_path, capsys, args, fragment):
    if args[0] in ("accounts", "init"):
        args = [args[0], "--db", str(tmp_path / "none.db"), *args[1:]]
    code, out, err = run(capsys, *args)
    assert code == 1
    assert fragment in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_init_twice_is_refused(tmp_path, capsys):
    db = str(tmp_path / "o.db")
    run(capsys, "init", "--db", db, "--unit", "某县人民政府办公室", "--profile", "yunnan")
    code, _, err = run(capsys, "init", "--db", db, "--unit", "某县人民政府办公室", "--profile", "yunnan")
    assert code == 1 and "已初始化" in err


def test_profiles_lists_all_five_with_articles(tmp_path, capsys):
    code, out, _ = run(capsys, "profiles", "--json", "--db", str(tmp_path / "x.db"))
    data = json.loads(out)
    assert [p["id"] for p in data] == ["yanhu", "taibai", "yunnan", "nantong", "linyi"]
    yunnan = next(p for p in data if p["id"] == "yunnan")
    deadline = next(n for n in yunnan["numbers"] if n["what"] == "备案时限")
    assert deadline["value"] == "7个工作日" and "第十七条" in deadline["article"]


def test_profile_copy_edit_and_use(tmp_path, capsys):
    db = str(tmp_path / "o.db")
    run(capsys, "init", "--db", db, "--unit", "某县人民政府办公室", "--profile", "yunnan")
    f = tmp_path / "mine.json"
    assert run(capsys, "profiles", "export", "yunnan", str(f))[0] == 0
    data = json.loads(f.read_text(encoding="utf-8"))
    data["id"], data["name"] = "yunnan-x", "云南省（某县自定）"
    data["filing_deadline"]["workdays"] = 5
    f.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "profiles", "import", str(f), "--db", db)[0] == 0
    out = run(capsys, "profiles", "--db", db)[1]
    assert "云南省（某县自定）" in out and "5个工作日" in out and "本库使用中" in out
    f.write_text("{broken", encoding="utf-8")
    code, _, err = run(capsys, "profiles", "import", str(f), "--db", db)
    assert code == 1 and "JSON" in err


def test_console_script_entry_point_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "gzdesk", "workdays", "add", "2025-09-30", "7"],
                            capture_output=True, text=True, encoding="utf-8")
    assert result.returncode == 0 and result.stdout.strip() == "2025-10-16"


def test_every_command_module_is_listed():
    """The commands are a fixed list (a frozen build cannot discover modules it did not collect);
    a new cmd_*.py that is not listed would be missing from the program."""
    from gzdesk import cli

    on_disk = sorted(p.stem for p in Path(cli.__file__).parent.glob("cmd_*.py"))
    assert list(cli.COMMAND_MODULES) == on_disk


def test_each_subcommand_is_found_in_its_module():
    """``gzdesk check …`` imports cmd_check alone (cli.COMMAND_OF): the table must name, for every
    subcommand, the module that registers it — and every subcommand must be in it."""
    import argparse

    from gzdesk import cli

    registered = {}
    for name in cli.COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"gzdesk.cli.{name}").register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert cli.COMMAND_OF == registered


@pytest.mark.parametrize("argv,modules", [
    (["check", "--today", "2026-11-20"], ("cmd_check",)),
    (["--db", "x.db", "due", "--json"], ("cmd_due",)),
    (["--db", "check", "due"], ("cmd_due",)),  # a file named like a subcommand is still the file
    (["--us", "due", "check"], ("cmd_check",)),  # --user abbreviated, as the whole parser reads it
    (["--help"], None), (["nosuch"], None), (["--db"], None), (["--version"], None),
    (["--db", "x.db", "--nosuch"], None),
    ([], ()), (["--db", "x.db"], ()), (["--self-test"], ()),  # the window, the self-test: no subcommand
])
def test_the_modules_a_command_line_needs(argv, modules):
    from gzdesk import cli

    assert cli._modules_for(argv) == (cli.COMMAND_MODULES if modules is None else modules)


def test_a_command_parsed_alone_reads_as_with_every_command():
    from gzdesk import cli

    for argv in (["check", "--today", "2026-11-20", "--json", "--db", "a.db"],
                 ["--db", "a.db", "filing", "list", "--json"], ["backup", "--list"], ["--db", "a.db"], []):
        alone = cli.build_parser(cli._modules_for(argv)).parse_args(argv)
        assert vars(alone) == vars(cli.build_parser().parse_args(argv))
