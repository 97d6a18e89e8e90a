"""Starting out on the command line: demo on a new path, the window with no display, tables with Chinese."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gzdesk.cli import main
from gzdesk.cli.common import print_table
from gzdesk.text import display_width
from gzdesk.ui.display import display_problem


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_on_a_new_path_creates_the_database(tmp_path, capsys):
    db = tmp_path / "试用.db"
    code, out, err = run(capsys, "demo", "--db", str(db), "--accounts", "30")
    assert code == 0, err
    assert "已新建数据库" in out and "盐湖区" in out and "账号 30 个" in out
    code, out, _ = run(capsys, "accounts", "--db", str(db), "--json")
    assert code == 0 and len(json.loads(out)) == 30


def test_demo_new_database_for_another_office(tmp_path, capsys):
    db = str(tmp_path / "n.db")
    code, out, _ = run(capsys, "demo", "--db", db, "--accounts", "5", "--unit", "海门区人民政府办公室",
                       "--profile", "nantong")
    assert code == 0 and "海门区人民政府办公室" in out and "南通" in out


def test_demo_refuses_unit_on_an_existing_office_and_leaves_no_file_on_failure(tmp_path, capsys):
    db = tmp_path / "o.db"
    assert run(capsys, "init", "--db", str(db), "--unit", "某县人民政府办公室", "--profile", "yunnan")[0] == 0
    code, _, err = run(capsys, "demo", "--db", str(db), "--accounts", "5", "--unit", "别的县")
    assert code == 1 and "只用于新建数据库" in err and len(err.strip().splitlines()) == 1
    fresh = tmp_path / "fresh.db"
    code, _, err = run(capsys, "demo", "--db", str(fresh), "--accounts", "0")
    assert code == 1 and "账号数" in err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("fresh")) == []
    code, _, err = run(capsys, "demo", "--db", str(fresh), "--profile", "beijing")
    assert code == 1 and "没有编号" in err and not fresh.exists()


def test_display_problem_reads_the_environment():
    assert display_problem({}, "win32") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert "没有图形显示" in display_problem({}, "linux")
    assert "WAYLAND_DISPLAY" in display_problem({"QT_QPA_PLATFORM": "wayland"}, "linux")
    assert "DISPLAY" in display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert display_problem({"DISPLAY": "remote.example:0"}, "linux") is None  # remote: left to Qt
    # a local display number nobody serves
    assert "没有运行" in display_problem({"DISPLAY": ":987"}, "linux")


def test_window_without_display_is_one_chinese_line_and_exit_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["GZDESK_HOME"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "gzdesk", "--db", str(tmp_path / "o.db")], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("错误：无法打开窗口：没有图形显示")
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "xcb" not in proc.stderr and not (tmp_path / "o.db").exists()


def test_display_width_and_tables_line_up(capsys):
    assert display_width("盐湖发布") == 8
    assert display_width("（ＡＰＰ）") == 10  # full-width brackets and letters
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width("ｱ") == 1  # half-width katakana
    print_table(["名称", "平台"], [["盐湖①发布", "抖音"], ["Ａ\n号", "微博"], ["abc", "快手"]])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5  # the line break inside a cell did not break the table
    starts = {display_width(line[:line.index(second)]) for line, second in zip(lines[2:], ("抖音", "微博", "快手"), strict=True)}
    assert len(starts) == 1, lines


def test_display_width_counts_every_character_by_the_one_rule():
    """The memoised, ASCII-at-once count gives what asking unicodedata for each character gives."""
    import unicodedata

    def by_rule(text: str) -> int:
        return sum(0 if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf") else
                   2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)

    chars = [chr(c) for c in (*range(0x0, 0x3100), *range(0xFE00, 0x10000), 0x1F600, 0xE0001)]
    assert [display_width(ch) for ch in chars] == [by_rule(ch) for ch in chars]
    for text in ("abc\t\x00", "盐湖发布 2026年11月20日", "逾期1769个工作日", "a\u200bb\u0301", ""):
        assert display_width(text) == by_rule(text) == display_width(text)
