"""``restore`` when it is needed, and backups whose damage is noticed (issue 8 item 4).

Reproduced before the fix: with the current database damaged (pages overwritten), ``gzdesk restore
GOOD_BACKUP`` first copied the damaged file as a safety backup, that copy failed its integrity
check, and the restore stopped: "备份副本未通过完整性检查…" — exactly when a restore was needed.
Backups carried no checksum: a backup with one byte changed or cut short was restored, or
refused only when SQLite happened to notice.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest

from gzdesk import backup, demo
from gzdesk.cli import main
from gzdesk.db import Database


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def names(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM account")}
    finally:
        conn.close()


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()


def corrupt(path: Path) -> None:
    """Overwrite a run of pages in the middle of the file, as a failing disk or a bad copy does."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    start = len(data) // 2 // 4096 * 4096
    data[start:start + 3 * 4096] = b"\x55" * (3 * 4096)
    path.write_bytes(bytes(data))
    assert integrity(path) != "ok"


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "office.db"
    db = Database(path, actor="测试员")
    from gzdesk import office as office_service

    with db.transaction() as s:
        office_service.init_office(s, "测试县人民政府办公室", "nantong")
    demo.generate(db, 60, seed=4, today=date(2026, 11, 20))
    db.close()
    return path


def test_a_damaged_database_is_set_aside_and_the_backup_restored(office, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = Path(json.loads(out)["path"])
    good = names(office)
    corrupt(office)
    damaged_bytes = office.read_bytes()

    code, out, err = cli(capsys, "restore", str(saved), "--db", str(office))
    assert code == 0, err
    assert "原数据库已损坏，已改名保留为" in out
    assert integrity(office) == "ok" and names(office) == good
    aside = [p for p in office.parent.iterdir() if ".damaged-" in p.name]
    assert len(aside) == 1 and aside[0].name.startswith("office.db.damaged-")
    assert aside[0].read_bytes() == damaged_bytes  # kept as it was, under a name nobody takes for data
    assert not aside[0].name.endswith(".db")
    assert cli(capsys, "verify", "--db", str(office))[0] == 0


def test_a_good_database_is_backed_up_before_it_is_replaced(office, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = json.loads(out)["path"]
    conn = sqlite3.connect(office)
    conn.execute("UPDATE account SET name = '备份之后改的' WHERE id = 1")
    conn.commit()
    conn.close()
    code, out, err = cli(capsys, "restore", saved, "--db", str(office), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["set_aside"] is None and result["checksum"] == "ok"
    assert "备份之后改的" in names(Path(result["safety_copy"])) and "备份之后改的" not in names(office)


@pytest.mark.parametrize("damage", ["flip", "truncate", "append"])
def test_an_altered_backup_is_noticed_by_restore_and_by_the_listing(office, capsys, damage):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = Path(json.loads(out)["path"])
    data = bytearray(saved.read_bytes())
    if damage == "flip":
        data[len(data) - 100] ^= 0x01  # one bit in a page's unused end: SQLite itself sees nothing
    elif damage == "truncate":
        data = data[: len(data) - 4096]
    else:
        data += b"\x00" * 10
    saved.write_bytes(bytes(data))
    before = office.read_bytes()

    code, _, err = cli(capsys, "restore", str(saved), "--db", str(office))
    assert code == 1 and "校验值不符" in err and err.count("\n") == 1
    assert office.read_bytes() == before
    code, out, _ = cli(capsys, "backup", "--list", "--db", str(office))
    assert code == 1 and "与校验值不符" in out and saved.name in out
    code, out, _ = cli(capsys, "backup", "--check", str(saved), "--db", str(office), "--json")
    assert code == 1 and json.loads(out)["status"] == "altered"
    code, out, _ = cli(capsys, "backup", "--check", str(saved), "--db", str(office))
    assert code == 1 and "不要用这份备份恢复" in out and "可用于恢复" not in out


def test_backups_carry_a_checksum_sha256sum_can_check(office, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = Path(json.loads(out)["path"])
    side = Path(f"{saved}.sha256")
    assert side.read_text(encoding="utf-8").split() == [backup.safe_files.sha256_file(saved), saved.name]
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "-c", side.name], cwd=saved.parent, capture_output=True, text=True)
        assert done.returncode == 0 and "OK" in done.stdout
    code, out, _ = cli(capsys, "backup", "--list", "--db", str(office))
    assert code == 0 and "校验一致" in out and "不能证明文件来源" in out
    code, out, _ = cli(capsys, "backup", "--check", str(saved), "--db", str(office))
    assert code == 0 and "可用于恢复" in out


def test_a_backup_without_checksum_is_restored_with_a_warning(office, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = Path(json.loads(out)["path"])
    Path(f"{saved}.sha256").unlink()
    code, out, _ = cli(capsys, "restore", str(saved), "--db", str(office))
    assert code == 0 and "没有校验文件" in out


def test_a_damaged_backup_is_refused_before_anything_is_touched(office, tmp_path, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = Path(json.loads(out)["path"])
    corrupt(saved)
    Path(f"{saved}.sha256").unlink()  # even without its checksum, the file's own check refuses it
    before = office.read_bytes()
    code, _, err = cli(capsys, "restore", str(saved), "--db", str(office))
    assert code == 1 and "已损坏" in err
    assert office.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "partial" in p.name or "damaged" in p.name]


def _immutable(path: Path, on: bool) -> bool:
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return done.returncode == 0


def test_a_read_only_database_is_reported_as_read_only_not_damaged(office, capsys):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = json.loads(out)["path"]
    if not shutil.which("chattr") or not _immutable(office, True):
        pytest.skip("no way to make a file read-only for this user here")
    try:
        code, _, err = cli(capsys, "restore", saved, "--db", str(office))
        assert code == 1 and "只读" in err and "损坏" not in err.replace("没有损坏", "")
    finally:
        _immutable(office, False)
    assert not [p for p in office.parent.iterdir() if "damaged" in p.name]


def test_read_only_is_told_apart_from_damage_without_chattr(office, monkeypatch):
    import os

    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == office and mode == os.W_OK
                        else real(p, mode))
    assert "只读" in backup.read_only_problem(office) and "没有损坏" in backup.read_only_problem(office)


def test_when_the_safety_copy_cannot_be_made_nothing_is_restored(office, capsys, monkeypatch):
    code, out, _ = cli(capsys, "backup", "--db", str(office), "--json")
    saved = json.loads(out)["path"]
    before = office.read_bytes()

    def full(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup.safe_files, "online_copy", lambda src, dst, **_k: (
        full() if "before-restore" in str(dst) else shutil.copyfile(src, dst)))
    code, _, err = cli(capsys, "restore", saved, "--db", str(office))
    assert code == 1 and "磁盘空间不足" in err
    assert office.read_bytes() == before
    assert not [p for p in office.parent.rglob("*") if "partial" in p.name or "damaged" in p.name]


def test_the_window_restores_over_a_damaged_database_and_reads_the_restored_one(office, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gzdesk.ui.app import make_main_window

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: told.append("warning: " + text))
    db = Database(office)
    window = make_main_window(db)
    qtbot.addWidget(window)
    saved = window.snapshot_actions.backup(office.parent / "bk")
    rows = window.registry.model.rowCount()
    corrupt(office)  # (the window's pooled connection stays open on the file)
    assert window.snapshot_actions.restore(saved, confirm=False) is not None
    assert "原数据库已损坏，已改名保留为" in told[-1]
    window.registry.reload()
    assert window.registry.model.rowCount() == rows  # read from the restored file, not the one set aside
    assert integrity(office) == "ok"
    window.close()
    db.close()
