"""Make tests/data/gzdesk-v1.db … gzdesk-v9.db: one database per released schema version, written by
the gzdesk code of that time, for tests/test_old_databases.py.

    .venv/bin/python tests/data/make_old_dbs.py [N ...]   (from the repository, with its git history;
                                                        only the versions named, default all)

Each file is made by the program as it was at the commit below (``git archive`` of that commit,
run with this checkout's Python and libraries), never by today's code:

- v1: no release wrote schema 1 alone (v001 and v002 arrived in one commit); the code of the v2
  commit with its migrations stopped at 1 — office set up, 20 demo accounts.
- v2: the last commit before schema 3 — office set up, 20 demo accounts.
- v3: the last commit before schema 4 — a city office (南通市) with 15 demo accounts of its own,
  an office holiday, and one county's 上报快照 (启东市, 12 accounts) merged into it.
- v4: main when v1–v4 were made (schema 4 the latest) — as v3.
- v5: main when schema 5 (record versions) had landed — as v3.
- v6: main when schema 6 (inspections, 整改, assessments, fake accounts) had landed — as v3.
- v7: main with schema 7 (异议, 留言回复检查, holiday notices) the latest, before users and the audit
  chain (schema 8) — as v3.
- v8: main with schema 8 (users, the chained audit log, signing keys) the latest, before the
  ``origin`` index (schema 9) — as v3.
- v9: main with schema 9 (the ``origin`` index) the latest, before the indexes of the rule checks
  (schema 10) — as v3.

A new release adds its line to RELEASES and is made alone (``make_old_dbs.py 6``): the files
already committed stay as they are.

The demo data are dated as of TODAY below, so running the script again gives the same records
(ids, uuids and timestamps of the merge differ). Afterwards each file is checkpointed, vacuumed
and set to journal_mode=DELETE, so that it is one self-contained file in the repository (gzdesk
turns WAL on again when it opens it).
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
TODAY = "2026-11-20"

# schema version → the commit whose code writes it (see the module docstring)
RELEASES = {
    1: "f7e11cb1a181fdc7e13822cf3962111c6f9b383a",
    2: "f7e11cb1a181fdc7e13822cf3962111c6f9b383a",
    3: "14d91bf87e1876cf16d333ff4307e14a73cff8f5",
    4: "6ed65246ffd5fd0ce2745af77be89758293ac3cf",
    5: "065a150798a226b6e138fbd5c75fa31fff76c175",
    6: "98195b3174d24ef268e529d424e0346cfc30071a",
    7: "e1330f2cc2859c2250ed8aecf0d4e56419dfbae3",
    8: "5826ea0c5e0b50cb383713bfa45c8c647b7a571c",
    9: "0737183ad29a678db59b2e444c992235064b0654",
}

# Runs inside the old tree: set up an office and fill it with demo data dated TODAY.
BUILD = """
import sys
from datetime import date
from pathlib import Path

from gzdesk.models import migrations

path, upto, unit, profile, accounts, seed = sys.argv[1:7]
if int(upto) < migrations.LATEST_VERSION:  # stop that code's migrations at an earlier schema
    for number in [n for n in migrations.MIGRATIONS if n > int(upto)]:
        del migrations.MIGRATIONS[number]
    migrations.LATEST_VERSION = int(upto)

from gzdesk import demo, office
from gzdesk.db import Database

db = Database(Path(path), actor="张文")
with db.transaction() as s:
    office.init_office(s, unit, profile)
demo.generate(db, int(accounts), seed=int(seed), today=date.fromisoformat(sys.argv[7]))
db.close()
"""


def _checkout(commit: str, into: Path) -> None:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit],
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _run(tree: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree), "GZDESK_HOME": str(tree / "home"), "GZDESK_USER": "张文"}
    env.pop("GZDESK_DB", None)
    subprocess.run([sys.executable, *args], cwd=tree, env=env, check=True)


def _office(tree: Path, path: Path, version: int, unit: str, accounts: int, seed: int) -> None:
    _run(tree, "-c", BUILD, str(path), str(version), unit, "nantong", str(accounts), str(seed), TODAY)


def _seal(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def make(version: int, commit: str) -> Path:
    target = HERE / f"gzdesk-v{version}.db"
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        _checkout(commit, tree)
        work = Path(tmp) / "work.db"
        if version <= 2:
            _office(tree, work, version, "海门区人民政府办公室", 20, version)
        else:
            county = Path(tmp) / "county.db"
            _office(tree, county, version, "启东市人民政府办公室", 12, 30 + version)
            _run(tree, "-m", "gzdesk", "snapshot", "export", str(Path(tmp) / "启东市.gzsnap"), "--db", str(county))
            _office(tree, work, version, "南通市人民政府办公室", 15, version)
            _run(tree, "-m", "gzdesk", "holidays", "set", "2027-02-06", "--off", "--name", "春节",
                 "--db", str(work))
            _run(tree, "-m", "gzdesk", "snapshot", "merge", str(Path(tmp) / "启东市.gzsnap"), "--db", str(work))
        _seal(work)
        conn = sqlite3.connect(work)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version
        conn.close()
        target.write_bytes(work.read_bytes())
    return target


def main() -> None:
    wanted = [int(a) for a in sys.argv[1:]] or list(RELEASES)
    for version in wanted:
        commit = RELEASES[version]
        path = make(version, commit)
        print(f"{path.relative_to(REPO)}: schema {version}, {path.stat().st_size // 1024} KB (code of {commit[:7]})")


if __name__ == "__main__":
    main()
