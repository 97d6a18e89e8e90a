"""Issue 8 item 5: hostile workbooks and special files cannot take the program down.

Before the fix, ``far_cell_xlsx()`` (1.6 KB: a cell at A1 and one at XFD1048576) made
python-calamine allocate 512 GiB and abort with SIGABRT — ``import-excel`` and ``--dry-run`` died
with a Rust backtrace, the wizard took the window with it — and a FIFO named ``.csv`` blocked
``open()`` forever. Each is now one Chinese line, exit 1, nothing written.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fuzz_books import db_digest, fuzz

from gzdesk.cli import main
from gzdesk.errors import UserError
from gzdesk.exchange import safe_read
from gzdesk.exchange.read_limits import GiB, ReadLimits
from gzdesk.exchange.safe_read import read_tables

ROOT = Path(__file__).resolve().parent.parent


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(capsys, db_path, path, *words: str) -> str:
    """import-excel (dry run and real) refuses with one line naming ``words``; nothing written."""
    before = db_digest(db_path)
    for extra in (["--dry-run"], []):
        code, out, err = _cli(capsys, "import-excel", str(path), "--db", str(db_path), *extra)
        assert code == 1, out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误：") and "Traceback" not in out + err, err
        assert "内部错误" not in err
        for w in words:
            assert w in lines[0], lines[0]
    assert db_digest(db_path) == before
    return lines[0]


def test_far_cell_workbook_is_refused_before_calamine_sees_it(db, db_path, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(fuzz.far_cell_xlsx())
    assert path.stat().st_size < 2048
    line = _refused(capsys, db_path, path, "XFD1048576", "2,000 万")
    assert "工作表“Sheet1”" in line


@pytest.mark.parametrize("far", ["T1048576", "XFD1300", "AE700000"])
def test_a_range_just_too_big_is_refused_and_the_limits_are_said(db, db_path, tmp_path, capsys, far):
    path = tmp_path / "远.xlsx"
    path.write_bytes(fuzz.far_cell_xlsx(far))
    _refused(capsys, db_path, path, "拒绝读取")


def test_a_declared_range_is_not_trusted_either_way(tmp_path):
    """<dimension ref="A1:XFD1048576"/> over three real cells reads fine (calamine goes by the
    cells); a small declared range over a far cell does not hide it."""
    rows = [["账号名称", "平台", "主办单位"], ["测试发布", "抖音", "测试县教育局"]]
    big = tmp_path / "大.xlsx"
    big.write_bytes(fuzz.xlsx_bytes({"S": fuzz.sheet_xml(rows, "A1:XFD1048576")}))
    assert read_tables(big).tables["S"] == [["账号名称", "平台", "主办单位"], ["测试发布", "抖音", "测试县教育局"]]
    lying = tmp_path / "小.xlsx"
    xml = fuzz.sheet_xml(rows, "A1:C2").replace("</sheetData>", '<row r="900000"><c r="ZZ900000"><v>1</v></c></row>'
                                                                "</sheetData>")
    lying.write_bytes(fuzz.xlsx_bytes({"S": xml}))
    with pytest.raises(UserError, match="ZZ900000"):
        read_tables(lying)


@pytest.mark.parametrize("variant", ["no-r", "tab", "second-attr", "single-quote", "prefixed", "lower-case"])
def test_cell_references_in_every_form_calamine_accepts_are_seen(tmp_path, variant):
    cell = {"no-r": '<row r="1048576">' + "<c><v>1</v></c>" * 40 + "</row>",
            "tab": '<row r="1"><c\tr="XFD1048576"><v>1</v></c></row>',
            "second-attr": '<row r="1"><c s="0" r="XFD1048576"><v>1</v></c></row>',
            "single-quote": "<row r='1'><c r='XFD1048576'><v>1</v></c></row>",
            "prefixed": '<row r="1"><x:c r="XFD1048576"><x:v>1</x:v></x:c></row>',
            "lower-case": '<row r="1"><c r="xfd1048576"><v>1</v></c></row>'}[variant]
    xml = (f'<?xml version="1.0"?><worksheet xmlns="{fuzz.MAIN_NS}" xmlns:x="{fuzz.MAIN_NS}">'
           f'<dimension ref="A1:B2"/><sheetData>{cell}</sheetData></worksheet>')
    path = tmp_path / "r.xlsx"
    path.write_bytes(fuzz.xlsx_bytes({"S": xml}))
    with pytest.raises(UserError, match="拒绝读取"):
        read_tables(path)


def test_zip_bomb_is_refused_by_its_ratio(db, db_path, tmp_path, capsys):
    path = tmp_path / "炸弹.xlsx"
    path.write_bytes(fuzz.zip_bomb_xlsx(64 * 1024 * 1024))
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size > 900 * info.compress_size  # a 4 MB file of this kind is 4 GB
    _refused(capsys, db_path, path, "压缩炸弹", "上限 100 倍")


def test_an_entry_that_inflates_past_its_declared_size_is_refused(tmp_path):
    path = tmp_path / "谎报.xlsx"
    path.write_bytes(fuzz.lying_size_xlsx(8 * 1024 * 1024, 4096))
    with pytest.raises(UserError, match="实际解压后超过其声明的大小"):
        read_tables(path)


def test_shared_string_table_that_lies_or_explodes_is_refused(tmp_path):
    sheet = fuzz.sheet_xml([]).replace("<sheetData>", '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    lying = tmp_path / "sst.xlsx"
    lying.write_bytes(fuzz.xlsx_bytes({"S": sheet}, f'<sst xmlns="{fuzz.MAIN_NS}" uniqueCount="4000000000">'
                                                    "<si><t>a</t></si></sst>"))
    with pytest.raises(UserError, match="共享字符串表"):
        read_tables(lying)
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ") + "</row>"
                   for r in range(1, 20001))
    bomb = tmp_path / "展开.xlsx"  # 200,000 cells × one 30,000-character string = 6 billion characters
    bomb.write_bytes(fuzz.xlsx_bytes({"S": fuzz.sheet_xml([]).replace("<sheetData>", "<sheetData>" + rows)},
                                     f'<sst xmlns="{fuzz.MAIN_NS}" uniqueCount="1"><si><t>{"长" * 30000}</t></si></sst>'))
    with pytest.raises(UserError, match="展开后可达"):
        read_tables(bomb)


def test_ods_repeats_are_counted(db, db_path, tmp_path, capsys):
    path = tmp_path / "重复.ods"
    path.write_bytes(fuzz.ods_repeat_bomb())
    _refused(capsys, db_path, path, "拒绝读取")


def test_xls_checks_ole_chains_and_biff_records(tmp_path):
    ok = tmp_path / "好.xls"
    ok.write_bytes(fuzz.xls_bytes({"台账": [(0, 0, "账号名称"), (0, 1, "平台"), (1, 0, "测试发布"), (1, 1, "抖音"),
                                          (1, 2, 12.0)]}))
    assert read_tables(ok).tables["台账"] == [["账号名称", "平台"], ["测试发布", "抖音", 12.0]]
    wide = tmp_path / "宽.xls"  # a BIFF column field is 16 bits; Excel has 16,384 columns
    wide.write_bytes(fuzz.xls_bytes({"S": [(0, 0, "a"), (65535, 65535, 1)]},
                                    dimensions={"S": struct.pack("<IIHH", 0, 1, 0, 1) + b"\0\0"}))
    with pytest.raises(UserError, match="第 65,536 列"):
        read_tables(wide)
    declared = tmp_path / "声明.xls"  # calamine reserves rows × columns cells from DIMENSIONS
    declared.write_bytes(fuzz.xls_bytes({"S": [(0, 0, "a")]},
                                        dimensions={"S": struct.pack("<IIHH", 0, 2**32 - 1, 0, 255) + b"\0\0"}))
    with pytest.raises(UserError, match="声明的范围"):
        read_tables(declared)
    loop = bytearray(ok.read_bytes())  # the directory chain points back at itself
    dir_start = struct.unpack_from("<I", loop, 48)[0]
    struct.pack_into("<I", loop, 512 + 4 * dir_start, dir_start)
    looped = tmp_path / "环.xls"
    looped.write_bytes(bytes(loop))
    with pytest.raises(UserError, match="成环"):
        read_tables(looped)
    locked = tmp_path / "密码.xls"
    locked.write_bytes(fuzz.xls_bytes({"S": [(0, 0, "a")]}, filepass=True))
    with pytest.raises(UserError, match="打开密码"):
        read_tables(locked)


def test_an_abort_in_the_reader_is_one_line_and_the_program_goes_on(db, db_path, tmp_path, capsys, monkeypatch):
    """With the checks relaxed, calamine really tries to allocate 512 GiB in the child, which
    aborts under its memory limit; the CLI says so in one line and the next read works."""
    relaxed = ReadLimits(max_sheet_cells=10**12, max_book_cells=10**12, memory_bytes=1 * GiB)
    monkeypatch.setattr(safe_read, "DEFAULT_LIMITS", relaxed)
    path = tmp_path / "远.xlsx"
    path.write_bytes(fuzz.far_cell_xlsx())
    line = _refused(capsys, db_path, path, "文件无法读取", "内存", "SIGABRT")
    assert "程序和数据库未受影响" in line
    fine = tmp_path / "好.xlsx"
    fine.write_bytes(fuzz.xlsx_bytes({"S": fuzz.sheet_xml([["账号名称", "平台"], ["测试发布", "抖音"]])}))
    assert read_tables(fine).tables["S"][1] == ["测试发布", "抖音"]


def test_fifo_named_csv_is_refused_at_once(db, db_path, tmp_path):
    fifo = tmp_path / "台账.csv"
    os.mkfifo(fifo)
    before = db_digest(db_path)
    run = subprocess.run([sys.executable, "-m", "gzdesk", "import-excel", str(fifo), "--db", str(db_path)],
                         capture_output=True, text=True, timeout=60, cwd=ROOT,
                         env={**os.environ, "GZDESK_HOME": str(tmp_path)})
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip().splitlines() == [f"错误：“{fifo}”是命名管道（FIFO），不是普通文件，不能导入"]
    assert db_digest(db_path) == before


def test_device_and_folder_named_like_workbooks_are_refused(tmp_path):
    device = tmp_path / "零.csv"
    device.symlink_to("/dev/zero")
    with pytest.raises(UserError, match="设备文件"):
        read_tables(device)
    folder = tmp_path / "文件夹.xlsx"
    folder.mkdir()
    with pytest.raises(UserError, match="是文件夹"):
        read_tables(folder)
