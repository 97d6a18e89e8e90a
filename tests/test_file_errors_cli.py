"""Issue 8 item 9 (files): every failure a person can cause or meet while importing or exporting
a file is one Chinese line, exit 1, naming the real cause — never 内部错误, never a traceback.

Before the fix: a CSV field over 131,072 characters, a CR-only CSV and a file with NUL bytes
were 内部错误 (csv.Error); a Big5 CSV was read as GB18030 nonsense; an HTML page saved as .xls
was 'file may be damaged'; a full disk left 内部错误: OSError; a read-only target was
overwritten; a folder that cannot be written was blamed on Excel having the file open.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import xlsxwriter
import xlsxwriter.exceptions
from fuzz_books import db_digest, fuzz
from sqlalchemy import select

from gzdesk import demo
from gzdesk.cli import main
from gzdesk.exchange.csv_text import BIG5, GB18030, decode_text
from gzdesk.models import Account

ROOT = Path(__file__).resolve().parent.parent
HEADER = "账号名称,平台,主办单位,简介\n"


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(code, out, err, *words):
    assert code == 1, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), err
    assert "内部错误" not in err and "Traceback" not in out + err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def _names(db) -> list[str]:
    with db.reader() as s:
        return list(s.scalars(select(Account.name).order_by(Account.id)))


# --------------------------------------------------------------------------- reading


def test_a_long_csv_field_imports_and_a_runaway_one_is_named(db, db_path, tmp_path, capsys):
    ok = tmp_path / "长.csv"
    ok.write_text(HEADER + f"测试发布,抖音,测试县教育局,\"{'简介' * 100_000}\"\n", encoding="utf-8")
    code, out, err = _cli(capsys, "import-excel", str(ok), "--db", str(db_path))
    assert code == 0, err  # was 内部错误：Error: field larger than field limit (131072)
    runaway = tmp_path / "引号.csv"
    runaway.write_text(HEADER + "测试教育,抖音,测试县教育局,\"没有配对的引号\n" + "续" * 1_100_000 + "\n", encoding="utf-8")
    before = db_digest(db_path)
    _one_line(*_cli(capsys, "import-excel", str(runaway), "--db", str(db_path)), "第 2 行起", "1,048,576 个字符", "引号")
    assert db_digest(db_path) == before


def test_cr_only_line_endings_are_read(db, db_path, tmp_path, capsys):
    path = tmp_path / "mac.csv"
    path.write_bytes((HEADER + "测试发布,抖音,测试县教育局,\"两行\r简介\"\n测试教育,快手,测试县教育局,\n")
                     .replace("\n", "\r").encode("gb18030"))
    code, out, err = _cli(capsys, "import-excel", str(path), "--db", str(db_path))
    assert code == 0, err
    assert _names(db)[-2:] == ["测试发布", "测试教育"]
    with db.reader() as s:
        assert s.scalar(select(Account.intro).where(Account.name == "测试发布")) == "两行\r简介"


def test_nul_bytes_and_undecodable_text_are_named_with_their_line(db, db_path, tmp_path, capsys):
    nul = tmp_path / "空字符.csv"
    nul.write_bytes((HEADER + "测试发布,抖音,测试县教育局,\n").encode() + b"x\x00y,1\n")
    _one_line(*_cli(capsys, "import-excel", str(nul), "--db", str(db_path)), "第 3 行", "空字符")
    bad = tmp_path / "乱码.csv"
    bad.write_bytes(HEADER.encode("utf-8") + "测试发布,抖音,测试县教育局,\n".encode() + b"\xff\xff\xff,x\n")
    _one_line(*_cli(capsys, "import-excel", str(bad), "--db", str(db_path)), "无法识别", "编码", "第 3 行", "Big5")


def test_gbk_gb18030_big5_and_utf16_are_told_apart_and_named(db, db_path, tmp_path, capsys):
    simplified = HEADER + "测试融媒䶮𠀀,今日头条,测试县融媒体中心,\n"
    assert decode_text(simplified.encode("gb18030"))[1] == GB18030
    traditional = "帳號名稱,平台,主辦單位\n測試發布,抖音,測試縣教育局\n"
    assert decode_text(traditional.encode("cp950")) == (traditional, BIG5)
    gb = tmp_path / "国标.csv"
    gb.write_bytes(simplified.encode("gb18030"))
    code, out, err = _cli(capsys, "import-excel", str(gb), "--db", str(db_path))
    assert code == 0 and "按 GB18030 编码读取" in out, out + err
    assert "测试融媒䶮𠀀" in _names(db)  # four-byte GB18030 characters kept
    big5 = tmp_path / "繁体.csv"
    big5.write_bytes(traditional.encode("cp950"))
    _one_line(*_cli(capsys, "import-excel", str(big5), "--db", str(db_path)), "Big5", "简体")
    unicode_text = tmp_path / "Unicode文本.csv"  # Excel's “Unicode 文本”: UTF-16, tab separated
    unicode_text.write_bytes("账号名称\t平台\t主办单位\n测试团委\t快手\t共青团测试县委员会\n".encode("utf-16"))
    code, out, err = _cli(capsys, "import-excel", str(unicode_text), "--db", str(db_path))
    assert code == 0 and "UTF-16" in out and "测试团委" in _names(db), out + err


@pytest.mark.parametrize("name,content,words", [
    ("网站导出.xls", b"<html><head><meta charset='utf-8'></head><body><table><tr><td>x</td></tr></table></body></html>",
     ("网页（HTML）", "另存为")),
    ("2003.xml.xlsx", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
     ("Excel 2003 XML",)),
    ("加密.xlsx", None, ("设置了打开密码",)),
    ("空.xlsx", b"", ("空文件",)),
    ("文档.xlsx", None, ("Word 文档",)),
    ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 100, ("压缩结构不完整",)),
])
def test_files_that_are_not_what_their_names_say(db, db_path, tmp_path, capsys, name, content, words):
    path = tmp_path / name
    if content is None:
        content = fuzz.encrypted_xlsx() if "加密" in name else fuzz._rezip([("word/document.xml", b"<w/>"),
                                                                          ("[Content_Types].xml", b"<Types/>")])
    path.write_bytes(content)
    before = db_digest(db_path)
    _one_line(*_cli(capsys, "import-excel", str(path), "--db", str(db_path), "--dry-run"), *words)
    assert db_digest(db_path) == before


def test_a_workbook_with_the_wrong_extension_is_read_as_what_it_is(db, db_path, tmp_path, capsys):
    path = tmp_path / "其实是xlsx.xls"
    path.write_bytes(fuzz.xlsx_bytes({"S": fuzz.sheet_xml([["账号名称", "平台"], ["测试发布", "抖音"]])}))
    code, out, err = _cli(capsys, "import-excel", str(path), "--db", str(db_path))
    assert code == 0 and "已按实际格式读取" in out, out + err


# --------------------------------------------------------------------------- writing


@pytest.fixture
def filled(db):
    demo.generate(db, 10, seed=5)
    return db


def test_export_to_a_missing_folder_or_a_read_only_file(filled, db_path, tmp_path, capsys):
    _one_line(*_cli(capsys, "export-excel", str(tmp_path / "没有" / "台账.xlsx"), "--db", str(db_path)),
              "文件夹不存在")
    target = tmp_path / "只读.xlsx"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    _one_line(*_cli(capsys, "export-excel", str(target), "--db", str(db_path)), "只读", "未覆盖")
    assert target.read_bytes() == b"keep me"
    report = tmp_path / "检查.xlsx"
    report.write_bytes(b"keep me too")
    report.chmod(0o444)
    _one_line(*_cli(capsys, "check", "--xlsx", str(report), "--db", str(db_path)), "只读")
    assert report.read_bytes() == b"keep me too"


def test_export_to_a_file_open_in_excel(filled, db_path, tmp_path, capsys, monkeypatch):
    """Windows refuses to replace a file Excel has open (PermissionError on the rename)."""
    target = tmp_path / "打开中.xlsx"
    target.write_bytes(b"open in Excel")

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    _one_line(*_cli(capsys, "export-excel", str(target), "--db", str(db_path)), "正被其他程序使用", "Excel/WPS")
    assert target.read_bytes() == b"open in Excel"
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_export_on_a_full_disk_leaves_nothing(filled, db_path, tmp_path, capsys, monkeypatch):
    def full(self):
        raise xlsxwriter.exceptions.FileCreateError(OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(xlsxwriter.Workbook, "close", full)
    target = tmp_path / "满.xlsx"
    before = _open_temp_files()
    _one_line(*_cli(capsys, "export-excel", str(target), "--db", str(db_path)), "磁盘空间不足", "未写完的文件已删除")
    assert not target.exists() and not [p for p in tmp_path.iterdir() if ".part" in p.name]
    # the per-sheet row files of constant_memory mode are closed and gone, not left filling the disk
    assert _open_temp_files() == before


def _open_temp_files() -> set[str]:
    temp = os.path.realpath(tempfile.gettempdir())
    found = set()
    for fd in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else []:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if os.path.dirname(target) == temp:
            found.add(target)
    return found


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is POSIX")
def test_export_past_the_file_size_limit_in_a_real_process(db, db_path, tmp_path):
    """A child process whose files may not grow past 64 KB: the write fails for real (EFBIG)."""
    demo.generate(db, 300, seed=5)  # a 台账 of about 250 KB
    target = tmp_path / "大.xlsx"
    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n"
            "from gzdesk.cli import main\n"
            f"sys.exit(main(['export-excel', {str(target)!r}, '--db', {str(db_path)!r}]))\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "GZDESK_HOME": str(tmp_path), "TMPDIR": str(tmp_path)})
    assert run.returncode == 1, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "文件超过了系统允许的大小" in lines[0] and "Traceback" not in run.stderr, run.stderr
    assert not target.exists() and not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_a_folder_that_cannot_be_written_is_not_blamed_on_excel(filled, db_path, tmp_path, capsys, monkeypatch):
    target = tmp_path / "台账.xlsx"

    def refuse(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False)
    _one_line(*_cli(capsys, "export-excel", str(target), "--db", str(db_path)), "没有在文件夹", "权限")
