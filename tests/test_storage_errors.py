"""Failures of the database file are one Chinese line naming the real cause (data safety 9).

Reproduced before the fix: an empty (0-byte) database was silently initialised as a new one; on a
read-only disk every command failed; on a full disk a read said 文件已损坏或不是数据库 (a clerk could
restore over good data); a database held by another program ended in 内部错误：OperationalError.
The disk cases run in a private mount namespace (``unshare -m``) on a small or read-only tmpfs.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gzdesk import storage_errors

GZ = [sys.executable, "-m", "gzdesk"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GZ, *args], capture_output=True, text=True, timeout=120)


def _can_mount() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs a private mount namespace (unshare -m as root)")


def _on_small_disk(script: str, size: str = "2m") -> str:
    """Run ``script`` (bash; $M is a fresh tmpfs of ``size``, $GZ the program) and return its output."""
    body = textwrap.dedent(f"""
        M=$(mktemp -d); mount -t tmpfs -o size={size} none "$M"; GZ="{' '.join(GZ)}"
        {textwrap.dedent(script)}
    """)
    out = subprocess.run(["unshare", "-m", "bash", "-c", body], capture_output=True, text=True, timeout=300)
    return out.stdout + out.stderr


@pytest.fixture
def demo_db(tmp_path) -> Path:
    path = tmp_path / "office.db"
    assert _run("init", "--db", str(path), "--unit", "测试县人民政府办公室", "--profile", "nantong").returncode == 0
    assert _run("demo", "--db", str(path), "--accounts", "30").returncode == 0
    return path


def test_an_empty_database_file_is_refused_not_reinitialised(tmp_path):
    empty = tmp_path / "office.db"
    empty.write_bytes(b"")
    for args in (["accounts"], ["holidays", "set", "2027-02-06", "--off"],
                 ["init", "--unit", "测试县人民政府办公室", "--profile", "nantong"]):
        result = _run(*args, "--db", str(empty))
        assert result.returncode == 1, (args, result.stderr)
        assert "是空的（0 字节）" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert empty.stat().st_size == 0


@needs_mount
def test_a_read_only_disk_reads_and_refuses_writes_in_one_line(demo_db):
    out = _on_small_disk(f"""
        cp "{demo_db}" "$M/office.db"; mount -o remount,ro "$M"
        $GZ accounts --db "$M/office.db" --json >/dev/null; echo "accounts rc=$?"
        $GZ check --db "$M/office.db" >/dev/null; echo "check rc=$?"
        $GZ due --db "$M/office.db" >/dev/null; echo "due rc=$?"
        $GZ holidays set 2027-02-06 --off --db "$M/office.db"; echo "write rc=$?"
    """)
    assert "accounts rc=0" in out and "check rc=0" in out and "due rc=0" in out, out
    assert "write rc=1" in out and "是只读的（所在磁盘或 U 盘是只读的），不能修改" in out, out
    assert "已损坏" not in out and "内部错误" not in out, out


@needs_mount
def test_a_database_on_a_read_only_disk_can_be_verified_backed_up_and_sent(demo_db, tmp_path):
    """Reading a database from a write-protected USB stick: the checks and copies that only read it
    work (they opened it with SQLite's read-only mode, which still needs its -shm file: 'unable to
    open database file', and verify said 已损坏)."""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = _on_small_disk(f"""
        cp "{demo_db}" "$M/office.db"; mount -o remount,ro "$M"
        $GZ verify --db "$M/office.db"; echo "verify rc=$?"
        $GZ backup --db "$M/office.db" --to "{out_dir}"; echo "backup rc=$?"
        $GZ snapshot export "{out_dir}/县.gzsnap" --db "$M/office.db"; echo "snapshot rc=$?"
        $GZ export-excel "{out_dir}/台账.xlsx" --db "$M/office.db"; echo "excel rc=$?"
        $GZ snapshot inspect "{out_dir}/县.gzsnap" >/dev/null; echo "inspect rc=$?"
    """)
    for name in ("verify", "backup", "snapshot", "excel", "inspect"):
        assert f"{name} rc=0" in out, out
    assert "已损坏" not in out and "内部错误" not in out, out
    assert list(out_dir.glob("*.db")) and (out_dir / "县.gzsnap").exists() and (out_dir / "台账.xlsx").exists()


@needs_mount
def test_a_full_disk_is_named_and_nothing_is_lost(tmp_path):
    out = _on_small_disk("""
        $GZ init --db "$M/office.db" --unit 测试县人民政府办公室 --profile nantong >/dev/null; echo "init rc=$?"
        $GZ demo --accounts 3000 --db "$M/office.db"; echo "demo rc=$?"
        python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])" "$M/office.db"
        $GZ accounts --db "$M/office.db" --json; echo "accounts rc=$?"
        dd if=/dev/zero of="$M/fill" bs=4k 2>/dev/null
        $GZ holidays set 2027-02-06 --off --db "$M/office.db"; echo "write rc=$?"
        $GZ accounts --db "$M/office.db"; echo "read rc=$?"
    """, size="600k")
    assert "init rc=0" in out and "demo rc=1" in out, out
    assert out.count("磁盘空间已满") >= 3, out  # demo, and with no space left at all a write and a read
    assert "\nok\n" in out and "[]" in out and "accounts rc=0" in out, out  # nothing half-written
    assert "write rc=1" in out and "read rc=1" in out, out
    assert "已损坏" not in out and "内部错误" not in out and "Traceback" not in out, out


def test_a_database_held_by_another_program_is_named(demo_db):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sqlite3, sys, time
        c = sqlite3.connect(sys.argv[1], isolation_level=None)
        c.execute("BEGIN EXCLUSIVE"); print("held", flush=True); time.sleep(30)
    """), str(demo_db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = _run("holidays", "set", "2027-02-06", "--off", "--db", str(demo_db))
    finally:
        holder.kill()
        holder.communicate()  # waits, and closes its pipe
    assert result.returncode == 1
    assert "正被其他程序占用" in result.stderr and "内部错误" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("message", "expected"), [
    ("database or disk is full", "磁盘空间已满"),
    ("attempt to write a readonly database", "是只读的"),
    ("database is locked", "正被其他程序占用"),
    ("file is not a database", "已损坏"),
    ("unable to open database file", "无法打开数据库"),
])
def test_sqlite_messages_are_explained(tmp_path, message, expected):
    error = storage_errors.explain(sqlite3.OperationalError(message), tmp_path / "office.db")
    assert error is not None and expected in error.message


def test_a_bug_stays_a_bug(tmp_path):
    assert storage_errors.explain(sqlite3.IntegrityError("UNIQUE constraint failed: unit.uuid"),
                                  tmp_path / "office.db") is None
    assert storage_errors.explain(ValueError("x"), tmp_path / "office.db") is None


def test_a_storage_failure_no_command_explained_is_still_one_line(demo_db, monkeypatch, capsys):
    """The last guard of the command line: a SQLite failure of the database's disk that reached the
    top unexplained is named (it was 内部错误 with a traceback in the log); other errors stay bugs."""
    from gzdesk.cli import cmd_accounts, main

    def failing(_args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(cmd_accounts, "cmd_accounts", failing)
    code = main(["accounts", "--db", str(demo_db)])
    err = capsys.readouterr().err
    assert code == 1 and "磁盘空间已满" in err and "office.db" in err, err
    assert "内部错误" not in err and len(err.strip().splitlines()) == 1

    def buggy(_args):
        raise sqlite3.OperationalError("no such column: foo")

    monkeypatch.setattr(cmd_accounts, "cmd_accounts", buggy)
    assert main(["accounts", "--db", str(demo_db)]) == 2
    assert "内部错误" in capsys.readouterr().err
