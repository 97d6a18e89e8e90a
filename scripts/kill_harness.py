#!/usr/bin/env python3
"""Kill gzdesk with SIGKILL in the middle of its writes and check that each write is whole or absent.

    .venv/bin/python scripts/kill_harness.py                 # 160 kills (40 per operation)
    .venv/bin/python scripts/kill_harness.py --kills 10 --seed 7 --keep /tmp/kills

Four operations, each on a fresh copy of a prepared database, each killed after a random delay
spread over its whole run (start-up included, where most real kills land):

- ``import``: ``gzdesk import-excel`` of a 600-account workbook into an empty registry;
- ``merge``: ``gzdesk snapshot merge`` of two county snapshots into a city library;
- ``step``: ``gzdesk filing step`` of the last approval of a 变更, which also renames the account;
- ``migrate``: the first open of a schema-1 database (every migration, with the backup copy first).

After each kill: ``PRAGMA integrity_check`` is ok, ``gzdesk verify`` passes, the database holds
either the state before or the state after (never a part), a later run of the same operation
succeeds, and no file named like a good backup fails its integrity check. Exits 1 on the first
broken case, with its folder kept for a look.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

GZ = [sys.executable, "-m", "gzdesk"]
OFFICE = "测试县人民政府办公室"
TODAY = date.today().isoformat()


def gz(*args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run([*GZ, *args], capture_output=True, text=True, timeout=600, env=env)
    if check and out.returncode != 0:
        raise RuntimeError(f"gzdesk {' '.join(args)} failed: {out.stderr.strip()}")
    return out


def query(path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------- the prepared files


@dataclass
class Fixtures:
    folder: Path
    scale: float = 1.0  # the test suite runs a smaller registry
    empty: Path = field(init=False)  # an initialised registry with no accounts
    workbook: Path = field(init=False)
    city: Path = field(init=False)
    snapshots: list[Path] = field(init=False)
    stepping: Path = field(init=False)  # a 变更 waiting for its last approval
    filing: str = field(init=False)
    old: Path = field(init=False)  # schema 1 with a few records

    def build(self) -> Fixtures:
        f = self.folder
        self.empty = f / "empty.db"
        gz("init", "--db", str(self.empty), "--unit", OFFICE, "--profile", "nantong")
        source = f / "source.db"
        gz("init", "--db", str(source), "--unit", "另一县人民政府办公室", "--profile", "nantong")
        gz("demo", "--db", str(source), "--accounts", str(int(600 * self.scale)), "--seed", "3")
        self.workbook = f / "台账.xlsx"
        gz("export-excel", str(self.workbook), "--db", str(source))

        self.snapshots = []
        for i, name in enumerate(("甲县人民政府办公室", "乙县人民政府办公室")):
            county = f / f"county{i}.db"
            gz("init", "--db", str(county), "--unit", name, "--profile", "nantong")
            gz("demo", "--db", str(county), "--accounts", str(int(300 * self.scale)), "--seed", str(10 + i))
            snap = f / f"county{i}.gzsnap"
            gz("snapshot", "export", str(snap), "--db", str(county))
            self.snapshots.append(snap)
        self.city = f / "city.db"
        gz("init", "--db", str(self.city), "--unit", "测试市人民政府办公室", "--profile", "nantong")

        self.stepping = f / "stepping.db"
        gz("init", "--db", str(self.stepping), "--unit", OFFICE, "--profile", "nantong")
        gz("demo", "--db", str(self.stepping), "--accounts", "200", "--seed", "5")
        made = json.loads(gz("filing", "new", "--db", str(self.stepping), "--account", "1", "--kind", "变更",
                             "--reason", "更名", "--set", "名称=更名后的账号", "--date", TODAY, "--json").stdout)
        self.filing = str(made["number"])
        gz("filing", "printed", self.filing, "--db", str(self.stepping))
        gz("filing", "step", self.filing, "--db", str(self.stepping), "--opinion", "同意", "--signer", "王一",
           "--date", TODAY)

        self.old = f / "old.db"
        code = ("import sys; from pathlib import Path; from gzdesk.models import migrations; "
                "migrations.migrate(Path(sys.argv[1]), upto=1)")
        subprocess.run([sys.executable, "-c", code, str(self.old)], check=True)
        office_uuid = str(uuid.UUID(int=1))  # real UUIDs: verify checks every stored value
        account_uuids = [str(uuid.UUID(int=1000 + i)) for i in range(300)]
        conn = sqlite3.connect(self.old)
        with conn:
            conn.execute("INSERT INTO unit (name, kind, classified, uuid, created_at, updated_at) VALUES "
                         "(?, 'other', 0, ?, '2024-01-01 00:00:00', '2024-01-01 00:00:00')", (OFFICE, office_uuid))
            conn.executemany("INSERT INTO account (name, platform, status, uuid, created_at, updated_at, host_unit_id) "
                             "VALUES (?, 'weibo', 'normal', ?, '2024-01-01 00:00:00', '2024-01-01 00:00:00', 1)",
                             [(f"旧账号{i}", account_uuids[i]) for i in range(300)])
            conn.executemany("INSERT INTO audit_event (at, actor, action, entity, entity_uuid, summary) VALUES "
                             "('2024-01-01 00:00:00', '旧版', 'create', ?, ?, ?)",
                             [("unit", office_uuid, OFFICE)]
                             + [("account", account_uuids[i], f"旧账号{i}") for i in range(300)])
            conn.execute("INSERT INTO setting (key, value) VALUES ('office_unit_id', '1')")
        conn.close()
        return self


# --------------------------------------------------------------------------- the operations


@dataclass
class Operation:
    name: str
    source: Callable[[Fixtures], Path]  # the database file copied for each case
    args: Callable[[Fixtures, Path], list[str]]
    state: Callable[[Path], tuple]  # what "before" and "after" are compared on


def _accounts(path: Path) -> tuple:
    return (query(path, "SELECT count(*) FROM account")[0][0], query(path, "SELECT count(*) FROM person")[0][0],
            query(path, "SELECT count(*) FROM filing")[0][0])


def _step_state(path: Path) -> tuple:
    steps = query(path, "SELECT count(*) FROM approval_step")[0][0]
    state = query(path, "SELECT state FROM filing ORDER BY id DESC LIMIT 1")[0][0]
    name = query(path, "SELECT name FROM account WHERE id = 1")[0][0]
    return steps, state, name


def _old_state(path: Path) -> tuple:
    return (query(path, "SELECT count(*) FROM account")[0][0],
            sorted(r[0] for r in query(path, "SELECT name FROM account"))[:3])


OPERATIONS = [
    Operation("import", lambda f: f.empty, lambda f, db: ["import-excel", str(f.workbook), "--db", str(db)], _accounts),
    Operation("merge", lambda f: f.city,
              lambda f, db: ["snapshot", "merge", *map(str, f.snapshots), "--db", str(db)], _accounts),
    Operation("step", lambda f: f.stepping,
              lambda f, db: ["filing", "step", f.filing, "--db", str(db), "--opinion", "同意", "--signer", "李二",
                             "--date", TODAY], _step_state),
    Operation("migrate", lambda f: f.old, lambda f, db: ["accounts", "--db", str(db)], _old_state),
]


# --------------------------------------------------------------------------- one case


class Broken(Exception):
    pass


def _copy_db(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    target = folder / "office.db"
    shutil.copyfile(source, target)
    return target


def _measure(op: Operation, fx: Fixtures, work: Path) -> tuple[float, tuple, tuple]:
    db = _copy_db(op.source(fx), work / f"{op.name}-measure")
    before = op.state(db)
    start = time.monotonic()
    gz(*op.args(fx, db))
    return time.monotonic() - start, before, op.state(db)


def _check(op: Operation, fx: Fixtures, db: Path, before: tuple, after: tuple) -> str:
    ok = query(db, "PRAGMA integrity_check")
    if ok != [("ok",)]:
        raise Broken(f"integrity_check: {ok[:3]}")
    if op.name == "migrate":
        version = query(db, "PRAGMA user_version")[0][0]
        gz("accounts", "--db", str(db))  # the next open finishes the upgrade
        if op.state(db) != before:
            raise Broken(f"migration lost data (at schema {version}): {op.state(db)} != {before}")
        outcome = f"schema {version}"
    else:
        now = op.state(db)
        if now not in (before, after):
            raise Broken(f"neither before {before} nor after {after}: {now}")
        outcome = "after" if now == after else "before"
        if now == before:  # the same operation, run again, completes
            gz(*op.args(fx, db))
            if op.state(db) != after:
                raise Broken(f"re-run after the kill did not complete: {op.state(db)} != {after}")
    verify = gz("verify", "--db", str(db), check=False)
    if verify.returncode != 0:
        raise Broken(f"gzdesk verify: {verify.stdout.strip()[-400:]} {verify.stderr.strip()}")
    for copy in [*db.parent.glob("*.bak"), *db.parent.glob("backups/*.db")]:
        if query(copy, "PRAGMA integrity_check") != [("ok",)]:
            raise Broken(f"{copy.name} is named like a backup but fails its integrity check")
    return outcome


def run_case(op: Operation, fx: Fixtures, work: Path, n: int, delay: float, before: tuple, after: tuple) -> str:
    db = _copy_db(op.source(fx), work / f"{op.name}-{n:03d}")
    child = subprocess.Popen([*GZ, *op.args(fx, db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    outcome = _check(op, fx, db, before, after)
    return f"{outcome}{'' if killed else ' (finished before the kill)'}"


def run(kills: int, seed: int, work: Path, names: list[str] | None = None,
        say: Callable[[str], None] = print, scale: float = 1.0) -> dict[str, dict[str, int]]:
    """Run ``kills`` cases per operation; return the outcomes counted per operation."""
    rng = random.Random(seed)
    fx = Fixtures(work / "fixtures", scale)
    fx.folder.mkdir(parents=True)
    fx.build()
    summary: dict[str, dict[str, int]] = {}
    for op in OPERATIONS:
        if names and op.name not in names:
            continue
        duration, before, after = _measure(op, fx, work)
        say(f"{op.name}: a whole run takes {duration:.2f} s; killing {kills} times")
        counts: dict[str, int] = {}
        for n in range(kills):
            # half spread over the whole run, half over its second half (start-up writes nothing)
            delay = rng.uniform(0.05 if n % 2 else duration * 0.5, duration * 1.05)
            try:
                outcome = run_case(op, fx, work, n, delay, before, after)
            except Broken as exc:
                raise Broken(f"{op.name} killed after {delay:.2f} s (case {work / f'{op.name}-{n:03d}'}): {exc}") from None
            counts[outcome] = counts.get(outcome, 0) + 1
            shutil.rmtree(work / f"{op.name}-{n:03d}", ignore_errors=True)
        summary[op.name] = counts
        say(f"  {counts}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=40, help="kills per operation (default 40: 160 in all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", action="append", choices=[o.name for o in OPERATIONS])
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="gzdesk-kills-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("GZDESK_HOME", str(work / "home"))
    try:
        summary = run(args.kills, args.seed, work, args.only)
    except Broken as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        return 1
    total = sum(sum(c.values()) for c in summary.values())
    print(f"{total} cases: every write whole or absent, integrity_check and verify ok")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
