"""Nothing incomplete under a good file's name, and leftovers cleared on the next start (issue 8 item 10).

Reproduced before the fix: a merge killed with SIGKILL left ``/tmp/gzdesk-snapshot-*/snapshot.db``,
a full copy of the county's snapshot (every phone number) in the system temp folder, for good; a
backup on a full disk left ``office-….db.partial-journal`` beside the removed partial; a migration
on a full disk left a 0-byte ``office.db.v3-….bak`` named like a real backup (and then migrated
without a backup). Kills and full disks are real here: a child process is killed with SIGKILL,
and ``RLIMIT_FSIZE`` makes writes past a size fail as on a full disk.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest

from gzdesk import demo, safe_files
from gzdesk.db import Database
from gzdesk.exchange.snapshot import export_snapshot
from gzdesk.models import migrations

ROOT = Path(__file__).resolve().parent.parent


def child(code: str, env_home: Path, *, fsize: int | None = None, ignore_xfsz: bool = True,
          wait: bool = True, tmpdir: Path | None = None) -> subprocess.Popen | subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter (our data folder; optionally a file-size limit)."""
    prelude = "import resource, signal, sys\n"
    if fsize is not None:
        # CPython ignores SIGXFSZ (a write past the limit fails with EFBIG, as on a full disk);
        # with the default action the process is killed at that write instead
        prelude += f"signal.signal(signal.SIGXFSZ, signal.{'SIG_IGN' if ignore_xfsz else 'SIG_DFL'})\n"
        prelude += f"resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize}, {fsize}))\n"
    env = dict(os.environ, GZDESK_HOME=str(env_home), PYTHONPATH=str(ROOT))
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)  # the system temp folder, as the child sees it
    args = [sys.executable, "-c", prelude + textwrap.dedent(code)]
    if wait:
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["GZDESK_HOME"])


@pytest.fixture
def county(make_db):
    db = make_db("nantong", unit="海门区人民政府办公室", name="county.db")
    demo.generate(db, 40, seed=2, today=date(2026, 11, 20))
    return db


def private_copies(home: Path) -> list[Path]:
    return [p for p in (home / "tmp").glob("gzdesk-snapshot-*")] if (home / "tmp").exists() else []


def test_a_merge_killed_with_sigkill_leaves_its_private_copy_only_until_the_next_start(county, make_db, home,
                                                                                    tmp_path):
    snap = export_snapshot(county.path, tmp_path / "c.gzsnap").path
    city = make_db("nantong", unit="南通市人民政府办公室", name="city.db")
    marker = tmp_path / "checking"
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    proc = child(f"""
        import time
        from pathlib import Path
        from gzdesk.db import Database
        from gzdesk.exchange.merge import merge_snapshots
        def progress(done, total):
            if done == 0:
                return True
            Path({str(marker)!r}).write_text("x")
            time.sleep(600)  # killed here, while the snapshot is being checked
        merge_snapshots(Database(Path({str(city.path)!r})), [Path({str(snap)!r})], progress=progress)
        """, home, wait=False, tmpdir=system_tmp)
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "no progress"
        left = private_copies(home)
        assert len(left) == 1 and f"-{proc.pid}-" in left[0].name
        assert (left[0] / "snapshot.db").stat().st_size > 0  # the county's data, in our own folder
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps it and closes its pipes
    assert list(system_tmp.iterdir()) == []  # nothing in the system temp folder
    assert private_copies(home) == left  # still there: nobody has started since
    Database(city.path).close()  # the next start (window or any command) clears it
    assert private_copies(home) == []
    conn = sqlite3.connect(city.path)
    assert conn.execute("SELECT count(*) FROM account").fetchone()[0] == 0  # the merge left nothing
    conn.close()


def test_a_running_process_keeps_its_private_copy(home):
    mine = safe_files.private_folder("snapshot")
    try:
        safe_files.clean_leftovers()
        assert mine.exists()  # this process is alive
    finally:
        os.rmdir(mine)


def test_a_backup_on_a_full_disk_leaves_no_file_and_says_so(county, home):
    size = county.path.stat().st_size
    done = child(f"""
        from gzdesk.cli import main
        sys.exit(main(["backup", "--db", {str(county.path)!r}]))
        """, home, fsize=size // 3)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "磁盘空间不足" in done.stderr or "写入" in done.stderr
    assert "内部错误" not in done.stderr and "已损坏" not in done.stderr
    backups = county.path.parent / "backups"
    assert not list(backups.glob("*")) if backups.exists() else True


def test_a_backup_killed_by_the_size_limit_leaves_only_a_partial_which_the_next_start_removes(county, home):
    size = county.path.stat().st_size
    done = child(f"""
        from gzdesk.backup import backup_database
        from pathlib import Path
        backup_database(Path({str(county.path)!r}))
        """, home, fsize=size // 3, ignore_xfsz=False)
    assert done.returncode == -signal.SIGXFSZ
    backups = county.path.parent / "backups"
    left = sorted(p.name for p in backups.iterdir())
    assert left and all(".partial" in name for name in left), left  # never named like a backup
    assert not [n for n in left if n.endswith(".db")]
    Database(county.path).close()
    assert list(backups.iterdir()) == []


def test_a_migration_on_a_full_disk_makes_no_empty_bak_and_does_not_upgrade(tmp_path, home):
    old = tmp_path / "old.db"
    migrations.migrate(old, upto=3)
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO setting VALUES ('office_unit_id', '1')")
    conn.execute("CREATE TABLE filler (x BLOB)")
    conn.execute("INSERT INTO filler VALUES (zeroblob(400000))")
    conn.commit()
    conn.close()
    done = child(f"""
        from gzdesk.cli import main
        sys.exit(main(["accounts", "--db", {str(old)!r}]))
        """, home, fsize=100_000)
    assert done.returncode == 1 and "未升级" in done.stderr and "内部错误" not in done.stderr, done.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    conn.close()


def test_leftovers_of_older_versions_are_cleared_and_good_files_kept(county, home):
    folder = county.path.parent
    backups = folder / "backups"
    backups.mkdir(exist_ok=True)
    empty_bak = folder / "county.db.v3-20261101-090000.bak"
    empty_bak.write_bytes(b"")
    good_bak = folder / "county.db.v2-20261001-090000.bak"
    good_bak.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    journal = backups / "county-20261101-090000.db.partial-journal"
    journal.write_bytes(b"x" * 10)
    old = time.time() - 7200
    os.utime(journal, (old, old))
    dead = backups / "county-20261102-090000.db.999999999.partial"
    dead.write_bytes(b"x")
    alive = backups / f"county-20261103-090000.db.{os.getpid()}.partial"
    alive.write_bytes(b"x")
    empty_db = backups / "county-20261104-090000.db"
    empty_db.write_bytes(b"")
    theirs = [folder / "电影.mp4.partial", folder / "notes.999999999.partial", folder / "空白.bak"]
    for p in theirs:  # a clerk's own files beside the database are not ours to remove
        p.write_bytes(b"")
        os.utime(p, (old, old))
    removed = safe_files.clean_leftovers(county.path)
    assert set(removed) == {empty_bak, journal, dead, empty_db}
    assert good_bak.exists() and alive.exists() and county.path.exists()
    assert all(p.exists() for p in theirs)


def test_an_export_that_fails_leaves_nothing_and_one_killed_leaves_no_good_name(county, home, tmp_path):
    target = tmp_path / "out" / "c.gzsnap"
    target.parent.mkdir()
    marker = tmp_path / "exporting"
    proc = child(f"""
        import time
        from pathlib import Path
        from gzdesk.exchange.snapshot import export_snapshot
        def progress(done, total):
            if done >= 60:
                Path({str(marker)!r}).write_text("x")
                time.sleep(600)
            return True
        export_snapshot(Path({str(county.path)!r}), Path({str(target)!r}), progress=progress)
        """, home, wait=False)
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), proc.stderr.read() if proc.poll() is not None else "no progress"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()  # reaps it and closes its pipes
    names = [p.name for p in target.parent.iterdir()]
    assert names and all(f".{proc.pid}.partial" in n for n in names) and not target.exists(), names
