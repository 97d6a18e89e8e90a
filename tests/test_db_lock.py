"""The window's database survives file dialogs and other gzdesk processes (issue: data safety 1).

Reproduced before the fix (Linux): with the window's database open, a non-native QFileDialog on
its folder made /proc/locks lose every POSIX lock the window held on office.db; a CLI read then
deleted office.db-wal and -shm, and a backup made after the next save from the window did not hold
that save. Now the window claims the file with an flock'd side file, keeps no SQLite connection
open between operations, and every gzdesk process takes gzdesk's operation lock.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gzdesk import dblock, office
from gzdesk.db import Database
from gzdesk.errors import UserError
from gzdesk.models import Account

GZ = [sys.executable, "-m", "gzdesk"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*GZ, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def office_db(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "office.db"
    db = Database(path, actor="测试员")
    with db.transaction() as s:
        office.init_office(s, "测试县人民政府办公室", "nantong")
    db.close()
    assert _run("demo", "--db", str(path), "--accounts", "20").returncode == 0
    return path


def _rename(session, account_id: int, name: str) -> None:
    session.get(Account, account_id).name = name


def _names(path: Path) -> dict[int, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, name FROM account"))
    finally:
        conn.close()


def _posix_locks_of_this_process(path: Path) -> list[str]:
    inode = os.stat(path).st_ino
    with open("/proc/locks") as f:
        return [line for line in f if f":{inode} " in line and f" {os.getpid()} " in line and "POSIX" in line]


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc/locks")
def test_a_file_dialog_on_the_folder_loses_no_save(qtbot, office_db):
    from PySide6.QtWidgets import QFileDialog

    from gzdesk.ui.app import make_main_window

    db = Database(office_db, window=True)  # as run_window opens it
    window = make_main_window(db)
    qtbot.addWidget(window)
    window.show()
    window.controller.write(_rename, 1, "保存一")

    dialog = QFileDialog(None, "打开", str(office_db.parent))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.selectFile(str(office_db))
    qtbot.wait(800)  # the dialog's file system model reads the folder's files in its thread
    dialog.close()
    # nothing of SQLite's is held between operations, so there is nothing a close() could drop
    assert _posix_locks_of_this_process(office_db) == []

    read = _run("accounts", "--db", str(office_db), "--json")
    assert read.returncode == 0, read.stderr
    assert "保存一" in read.stdout

    write = _run("holidays", "set", "2027-02-06", "--off", "--name", "春节", "--db", str(office_db))
    assert write.returncode == 1
    assert f"数据库正由窗口程序使用（进程 {os.getpid()}" in write.stderr
    assert len(write.stderr.strip().splitlines()) == 1

    window.controller.write(_rename, 2, "保存二")
    backup_dir = office_db.parent.parent / "bk"
    made = _run("backup", "--db", str(office_db), "--to", str(backup_dir))
    assert made.returncode == 0, made.stderr
    copy = next(backup_dir.glob("*.db"))
    assert _names(copy)[2] == "保存二"  # before the fix the backup silently missed this save

    window.controller.write(_rename, 3, "保存三")
    window.close()
    db.close()
    conn = sqlite3.connect(office_db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    names = _names(office_db)
    assert (names[1], names[2], names[3]) == ("保存一", "保存二", "保存三")
    verify = _run("verify", "--db", str(office_db))
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_closing_other_descriptors_keeps_the_window_claim(office_db):
    db = Database(office_db, window=True)
    try:
        for side in [*dblock.side_files(office_db), office_db]:
            if side.exists():
                with open(side, "rb") as f:  # what a file dialog does to every file it lists
                    f.read(16)
        probe = subprocess.run(
            [sys.executable, "-c", "import sys; from gzdesk import dblock; h = dblock.window_holder(sys.argv[1]); "
             "print(h.pid if h else 'free')", str(office_db)], capture_output=True, text=True, timeout=60)
        assert probe.stdout.strip() == str(os.getpid())
    finally:
        db.close()
    assert dblock.window_holder(office_db) is None


HOLD_WINDOW = textwrap.dedent("""
    import sys, time
    from gzdesk.db import Database
    db = Database(sys.argv[1], window=True)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    db.close()
""")

HOLD_OPERATION = textwrap.dedent("""
    import sys, time
    from gzdesk import dblock
    with dblock.operation(sys.argv[1], exclusive=True):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
""")


HOLD_UNTIL_TOLD = textwrap.dedent("""
    import sys
    from gzdesk import dblock
    with dblock.operation(sys.argv[1], exclusive=True):
        print("held", flush=True)
        sys.stdin.readline()
""")


def _hold(script: str, path: Path, seconds: float) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", script, str(path), str(seconds)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held", child.stderr.read()
    return child


def test_a_second_window_is_told_who_holds_the_file(office_db):
    child = _hold(HOLD_WINDOW, office_db, 30)
    try:
        with pytest.raises(UserError) as err:
            Database(office_db, window=True)
        assert f"已在另一个窗口中打开（进程 {child.pid}" in err.value.message
        # the command line still reads, and refuses to write
        assert _run("accounts", "--db", str(office_db)).returncode == 0
        refused = _run("filing", "new", "--account", "1", "--kind", "变更", "--reason", "测试", "--db", str(office_db))
        assert refused.returncode == 1 and "数据库正由窗口程序使用" in refused.stderr
        due = _run("due", "--db", str(office_db))
        assert due.returncode == 0, due.stderr
    finally:
        child.kill()
        child.communicate()  # waits, and closes its pipes
    # the claim dies with its process: no stale lock to clear by hand
    Database(office_db, window=True).close()


def test_a_busy_database_waits_with_a_message_then_says_so(office_db, monkeypatch):
    child = _hold(HOLD_OPERATION, office_db, 1.5)
    try:
        said: list[str] = []
        start = time.monotonic()
        db = Database(office_db, on_wait=said.append)
        with db.transaction() as s:  # waits for the other process, then writes
            _rename(s, 1, "等待后保存")
        assert time.monotonic() - start >= 0.5
        assert said and said[0].startswith("数据库正忙")
        db.close()
    finally:
        child.communicate()  # waits, and closes its pipes
    assert _names(office_db)[1] == "等待后保存"

    child = _hold(HOLD_OPERATION, office_db, 30)
    try:
        monkeypatch.setattr(dblock, "DEFAULT_TIMEOUT", 0.4)
        with pytest.raises(UserError) as err:  # opening waits too (migrations run under the lock)
            Database(office_db)
        assert "数据库正忙" in err.value.message and "请稍后再试" in err.value.message
    finally:
        child.kill()
        child.communicate()  # waits, and closes its pipes


def test_a_cli_write_meeting_a_busy_database_prints_one_line(office_db):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_UNTIL_TOLD, str(office_db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    cli = subprocess.Popen([*GZ, "holidays", "set", "2027-02-06", "--off", "--name", "春节", "--db", str(office_db)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = cli.stderr.readline()  # printed while it waits
        holder.stdin.write("go\n")
        holder.stdin.flush()
        out, rest = cli.communicate(timeout=120)
    finally:
        holder.kill()
        holder.communicate()  # waits, and closes its pipes
    assert first.startswith("数据库正忙"), first
    assert cli.returncode == 0 and rest == "", rest
    assert "已登记" in out


def test_the_windows_reads_run_together_and_a_write_waits_for_them(office_db):
    """Issue 14: the window's operation lock serialised its threads, so a page read on the window's
    own thread waited for a worker's read of seconds (季度检查 blocked 114 s behind 检查 at 200,000
    accounts). Reads of two threads now run together; a write still runs alone, after them."""
    import threading

    db = Database(office_db, window=True)
    try:
        reading, release = threading.Event(), threading.Event()
        wrote = threading.Event()

        def long_read():
            with db.reader() as s:
                s.get(Account, 1)
                reading.set()
                release.wait(10)

        def write():
            with db.transaction() as s:
                _rename(s, 1, "改名")
            wrote.set()

        worker = threading.Thread(target=long_read)
        worker.start()
        assert reading.wait(10)
        t = time.monotonic()
        with db.reader() as s:  # the window's own thread, while the worker reads
            assert s.get(Account, 2) is not None
        assert time.monotonic() - t < 2
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)
        assert not wrote.is_set()  # waits for the read
        release.set()
        worker.join(10)
        writer.join(10)
        assert wrote.is_set() and _names(office_db)[1] == "改名"
    finally:
        release.set()
        db.close()
