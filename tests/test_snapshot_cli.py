"""gzdesk snapshot export / merge / sources / inspect through ``gzdesk.cli.main``."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from gzdesk import demo
from gzdesk.cli import main


@pytest.fixture
def three(make_db):
    a = make_db("nantong", unit="海门区人民政府办公室", name="haimen.db")
    demo.generate(a, 12, seed=1, today=date(2026, 11, 20))
    b = make_db("yunnan", unit="某某县人民政府办公室", name="county.db")
    demo.generate(b, 8, seed=2, today=date(2026, 11, 20))
    c = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    return a, b, c


def test_export_merge_sources(three, capsys, tmp_path):
    a, b, c = three
    sa, sb = tmp_path / "a.gzsnap", tmp_path / "b.gzsnap"
    assert main(["snapshot", "export", str(sa), "--db", str(a.path)]) == 0
    out = capsys.readouterr().out
    assert "已导出上报快照" in out and "海门区人民政府办公室" in out and "账号 12" in out
    assert main(["snapshot", "export", str(sb), "--db", str(b.path), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["source_name"] == "某某县人民政府办公室" and manifest["counts"]["account"] == 8
    assert manifest["profile_id"] == "yunnan" and len(manifest["sha256"]) == 64

    assert main(["snapshot", "inspect", str(sa)]) == 0
    out = capsys.readouterr().out
    assert "已核对：文件完整" in out and "已核对：签名有效" in out and "未通过" not in out

    assert main(["snapshot", "merge", str(sa), str(sb), "--db", str(c.path)]) == 0
    out = capsys.readouterr().out
    assert "海门区人民政府办公室" in out and "某某县人民政府办公室" in out and "新增" in out
    assert "已不存在 0" in out

    assert main(["snapshot", "merge", str(sa), "--db", str(c.path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again[0]["status"] == "already_merged" and again[0]["added"] == 0

    assert main(["snapshot", "sources", "--db", str(c.path), "--json"]) == 0
    sources = json.loads(capsys.readouterr().out)
    assert {s["name"]: s["accounts_here"] for s in sources} == {"海门区人民政府办公室": 12, "某某县人民政府办公室": 8}
    assert all(s["snapshot_created_at"].startswith(date.today().isoformat()[:4]) for s in sources)
    assert main(["snapshot", "sources", "--db", str(c.path)]) == 0
    out = capsys.readouterr().out
    assert "最近快照日期" in out and "年" in out and "共 2 个来源" in out

    assert main(["accounts", "--db", str(c.path), "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 20
    for path in (sa, sb, c.path):
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()


def test_merge_errors_are_one_line_and_exit_1(three, capsys, tmp_path):
    a, _, c = three
    snap = tmp_path / "a.gzsnap"
    assert main(["snapshot", "export", str(snap), "--db", str(a.path)]) == 0
    capsys.readouterr()
    data = bytearray(snap.read_bytes())
    data[len(data) // 3] ^= 0xFF
    tampered = tmp_path / "tampered.gzsnap"
    tampered.write_bytes(bytes(data))
    text = tmp_path / "readme.txt"
    text.write_text("不是快照", encoding="utf-8")
    for argv in (["snapshot", "merge", str(tampered), "--db", str(c.path)],
                 ["snapshot", "merge", str(text), "--db", str(c.path)],
                 ["snapshot", "merge", str(a.path), "--db", str(c.path)],
                 ["snapshot", "merge", str(snap), "--db", str(a.path)],
                 ["snapshot", "merge", str(tmp_path / "none.gzsnap"), "--db", str(c.path)],
                 ["snapshot", "export", str(tmp_path / "no" / "dir.gzsnap"), "--db", str(a.path)],
                 ["snapshot", "export", str(tmp_path / "x.gzsnap"), "--db", str(tmp_path / "missing.db")],
                 ["snapshot", "merge", "--db", str(c.path)]):
        assert main(argv) == 1, argv
        err = capsys.readouterr().err
        assert err.startswith("错误：") and err.count("\n") == 1, (argv, err)
    assert main(["snapshot", "sources", "--db", str(c.path)]) == 0
    assert "尚未合并" in capsys.readouterr().out
