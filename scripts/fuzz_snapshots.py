#!/usr/bin/env python3
"""Fuzz ``gzdesk snapshot merge`` / ``inspect`` with mutated real snapshots (issue 8).

    .venv/bin/python scripts/fuzz_snapshots.py                 # 2,000 cases, seed 1
    .venv/bin/python scripts/fuzz_snapshots.py --cases 200 --seed 7 --keep /tmp/fuzz

A county database is filled with demo data (with a QR picture and a scan), exported with our own
``snapshot export``, and each case mutates a copy of that snapshot: bit flips, truncation, bytes
appended, SQL edits of single values (bad dates, codes, JSON, huge text, undecodable bytes, blobs
in text columns, dangling references, unit and filing cycles, duplicate uuids and 备案编号), rows
deleted, schema edits (tables dropped or replaced by views, columns dropped or added, triggers),
manifest and header edits, a UTF-16 copy of the whole file. Most SQL-level cases are re-sealed
with ``gzdesk.exchange.snapshot.reseal`` — what anyone holding the file can do — so that they get
past the checksums and test the checks of the values themselves.

Every case runs ``gzdesk snapshot merge`` (into an empty city library or one that already merged
the original) or ``gzdesk snapshot inspect`` in a worker process, and must:

- not abort the process (a worker that dies is a failure; a new one takes over),
- exit 0 or 1 only, never print a traceback or ``内部错误``; a refusal is one ``错误：`` line,
- on a refusal, leave the city database unchanged (a digest of every row before and after),
- on success, leave a city database that ``gzdesk verify`` passes and whose ``accounts``,
  ``check`` and ``due`` run.

Prints a summary (cases by mutation and outcome) and exits 1 when any case failed, listing them
(``--keep DIR`` keeps the failing files). ``tests/test_fuzz_snapshots.py`` runs a short version.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SYNCED = ["unit", "account", "person", "account_role", "filing", "approval_step", "attachment", "task"]
TODAY = "2026-11-20"


# --------------------------------------------------------------------------- the worker


def worker() -> None:
    """Run gzdesk commands read as JSON lines on stdin; answer each with one JSON line."""
    import contextlib
    import io

    from gzdesk.cli import main

    for line in sys.stdin:
        argv = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:  # noqa: PERF203 - reported, never expected
                code = f"SystemExit({exc.code})"
            except BaseException as exc:  # noqa: BLE001 - anything escaping main() is a failure
                code = f"escaped: {type(exc).__name__}: {exc}"
        sys.__stdout__.write(json.dumps({"code": code, "out": out.getvalue()[-4000:],
                                         "err": err.getvalue()[-4000:]}, ensure_ascii=False) + "\n")
        sys.__stdout__.flush()


class Worker:
    """A long-lived process running commands in-process (fast), replaced when it dies."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.proc: subprocess.Popen | None = None

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, encoding="utf-8", env=self.env, bufsize=1)

    def run(self, argv: list[str], timeout: float = 300) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        assert self.proc and self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(argv, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            rc = self.proc.wait(timeout)
            tail = self.proc.stderr.read()[-2000:] if self.proc.stderr else ""
            self._close_pipes()
            self.proc = None
            return {"code": f"process died (return code {rc})", "out": "", "err": tail}
        return json.loads(line)

    def _close_pipes(self) -> None:
        if self.proc is not None:
            for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                if pipe is not None:
                    pipe.close()

    def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(30)
        self._close_pipes()
        self.proc = None


# --------------------------------------------------------------------------- files


def digest(path: Path) -> str:
    """Every row of every table (and the schema): equal digests mean an unchanged database."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        conn.text_factory = bytes
        h = hashlib.sha256()
        for row in conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name"):
            h.update(repr(row).encode())
        for t in names:
            for row in conn.execute(f'SELECT * FROM "{t}" ORDER BY 1'):
                h.update(repr(row).encode())
        return h.hexdigest()
    finally:
        conn.close()


def png(width: int = 3, height: int = 3) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff" * (width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Setup:
    folder: Path
    snapshot: Path
    empty_city: Path
    merged_city: Path
    city_unit_uuid: str
    env: dict[str, str] = field(default_factory=dict)


def make_setup(folder: Path, accounts: int = 25) -> Setup:
    """A county with demo data, its snapshot, and two city libraries (empty, and with it merged)."""
    os.environ["GZDESK_HOME"] = str(folder / "home")
    from gzdesk import demo, filings, office
    from gzdesk.db import Database
    from gzdesk.exchange.merge import merge_snapshots
    from gzdesk.exchange.snapshot import export_snapshot
    from gzdesk.models import Account

    county = Database(folder / "county.db", actor="测试员")
    with county.transaction() as s:
        office.init_office(s, "海门区人民政府办公室", "nantong")
    demo.generate(county, accounts, seed=5, today=date(2026, 11, 20))
    with county.transaction() as s:
        s.get(Account, 1).qr_image = png()
        from gzdesk.models import Filing

        fid = s.query(Filing.id).order_by(Filing.id).first()[0]
        filings.attach_scan(s, fid, "扫描件.png", png(8, 8))
    county.close()
    snap = export_snapshot(folder / "county.db", folder / "county.gzsnap").path
    cities = []
    for name in ("city-empty.db", "city-merged.db"):
        city = Database(folder / name, actor="测试员")
        with city.transaction() as s:
            office.init_office(s, "南通市人民政府办公室", "nantong")
        if name == "city-merged.db":
            merge_snapshots(city, [snap])
        city.close()
        cities.append(folder / name)
    conn = sqlite3.connect(cities[0])
    unit_uuid = conn.execute("SELECT u.uuid FROM unit u JOIN setting s ON s.key = 'office_unit_id' "
                             "AND CAST(s.value AS INTEGER) = u.id").fetchone()[0]
    conn.close()
    for p in cities:  # the pristine copies each case starts from
        conn = sqlite3.connect(p)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
    env = dict(os.environ, GZDESK_HOME=str(folder / "home"), PYTHONPATH=str(ROOT))
    return Setup(folder, snap, cities[0], cities[1], unit_uuid, env)


# --------------------------------------------------------------------------- mutations

BAD_VALUES = [
    "'2019.3.12'", "'2019-02-30'", "'0001-01-01'", "'9999-12-31'", "20190312", "2019.5", "'昨天'", "''", "'  '",
    "X'00'", "X'FFFE'", "CAST(X'B9FABCD2' AS TEXT)", "CAST(X'C0AF' AS TEXT)", "'\u0000nul'", "char(0)",
    "'😀' || char(0x1F600)", "-1", "9223372036854775807", "-9223372036854775808", "1e308", "0.1",
    "'myspace'", "'normal '", "'NORMAL'", "'[\"a\", 5]'", "'{\"registered_on\": \"2019.3.12\"}'", "'{oops'",
    "'[' || replace(printf('%.20000c', 'x'), 'x', '[')", "printf('%.300c', 'x')", "printf('%.2000000c', 'y')",
    "randomblob(64)", "zeroblob(1000)", "'2026-11-20 25:61:00'", "'2026-11-20T08:00:00+08:00'",
    "'not-a-uuid'", "upper(lower(hex(randomblob(16))))", "999999", "'1'", "NULL",
]


class Mutator:
    def __init__(self, setup: Setup, rng: random.Random):
        self.setup = setup
        self.rng = rng

    def copy(self, target: Path) -> Path:
        shutil.copyfile(self.setup.snapshot, target)
        return target

    # raw bytes -------------------------------------------------------------
    def flip(self, path: Path) -> str:
        data = bytearray(path.read_bytes())
        n = self.rng.choice([1, 1, 2, 4, 16])
        for _ in range(n):
            i = self.rng.randrange(len(data))
            data[i] ^= 1 << self.rng.randrange(8)
        path.write_bytes(bytes(data))
        return f"{n} bit(s) flipped"

    def flip_resealed(self, path: Path) -> str:
        what = self.flip(path)
        return what + ("; re-sealed" if self.reseal(path) else "; re-seal failed")

    def truncate(self, path: Path) -> str:
        size = path.stat().st_size
        cut = self.rng.choice([0, 10, 100, 4096, self.rng.randrange(size), size - 1, size - 4096])
        with open(path, "r+b") as f:
            f.truncate(max(0, cut))
        return f"truncated to {max(0, cut)} bytes"

    def extend(self, path: Path) -> str:
        extra = self.rng.choice([b"\x00" * 4096, os.urandom(100), b"GZDESK-SNAPSHOT-SEAL:" + b"0" * 64])
        with open(path, "ab") as f:
            f.write(extra)
        return f"{len(extra)} bytes appended"

    # SQL edits, re-sealed --------------------------------------------------
    def reseal(self, path: Path) -> bool:
        from gzdesk.errors import UserError
        from gzdesk.exchange.snapshot import reseal

        try:
            reseal(path)
            return True
        except (UserError, sqlite3.Error, ValueError, KeyError, TypeError):
            return False

    def sql(self, path: Path, *statements: str, params: tuple = ()) -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            for st in statements:
                conn.execute(st, params if "?" in st else ())
        finally:
            conn.close()

    def _row(self, path: Path, table: str) -> int | None:
        conn = sqlite3.connect(path)
        try:
            ids = [r[0] for r in conn.execute(f"SELECT id FROM {table}")]
        finally:
            conn.close()
        return self.rng.choice(ids) if ids else None

    def _columns(self, path: Path, table: str) -> list[str]:
        conn = sqlite3.connect(path)
        try:
            return [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "id"]
        finally:
            conn.close()

    def value(self, path: Path) -> str:
        table = self.rng.choice(SYNCED)
        rid = self._row(path, table)
        if rid is None:
            return "no row"
        column = self.rng.choice(self._columns(path, table))
        value = self.rng.choice(BAD_VALUES)
        try:
            self.sql(path, f'UPDATE {table} SET "{column}" = {value} WHERE id = {rid}')
        except sqlite3.Error as exc:
            return f"{table}.{column} = {value[:40]}: refused by SQLite ({exc})"
        self.reseal(path)
        return f"{table}.{column} = {value[:60]} (id {rid})"

    def good_value(self, path: Path) -> str:
        """A value that is fine: the merge must take it (and verify pass afterwards)."""
        choices = [("account", "name", "'海门发布😀（新）'"), ("account", "followers", "123456"),
                   ("account", "registered_on", "'2019-03-12'"), ("person", "mobile", "'13812345678、13900004321'"),
                   ("unit", "notes", "printf('%.5000c', '注')"), ("filing", "reason", "'理由\n第二行'")]
        table, column, value = self.rng.choice(choices)
        rid = self._row(path, table)
        self.sql(path, f'UPDATE {table} SET "{column}" = {value} WHERE id = {rid}')
        self.later(path)
        return f"good {table}.{column} = {value[:40]}"

    def later(self, path: Path) -> None:
        """Move the manifest's created time forward (so a city that merged the original takes it)."""
        conn = sqlite3.connect(path)
        try:
            text = conn.execute("SELECT manifest FROM snapshot_manifest").fetchone()[0]
            data = json.loads(text)
            data["created_at"] = "2099-01-01T00:00:00.000000"
            conn.execute("UPDATE snapshot_manifest SET manifest = ?", (json.dumps(data),))
            conn.commit()
        finally:
            conn.close()
        self.reseal(path)

    def delete_rows(self, path: Path) -> str:
        table = self.rng.choice(SYNCED)
        self.sql(path, "PRAGMA foreign_keys = OFF",
                 f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} ORDER BY random() LIMIT 3)")
        self.later(path)
        return f"3 rows of {table} deleted"

    def cycle(self, path: Path) -> str:
        if self.rng.random() < 0.5:
            a, b = self._row(path, "unit"), self._row(path, "unit")
            self.sql(path, f"UPDATE unit SET parent_id = {b} WHERE id = {a}", f"UPDATE unit SET parent_id = {a} WHERE id = {b}")
            what = f"unit cycle {a} ↔ {b}"
        else:
            f = self._row(path, "filing")
            self.sql(path, f"UPDATE filing SET merge_parent_id = id WHERE id = {f}")
            what = f"filing {f} its own 整合 parent"
        self.later(path)
        return what

    def uuid(self, path: Path) -> str:
        table = self.rng.choice(SYNCED)
        kind = self.rng.choice(["duplicate", "city", "bad"])
        if kind == "duplicate":
            conn = sqlite3.connect(path)
            idx = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=? "
                                              "AND sql LIKE '%uuid%'", (table,))]
            conn.close()
            self.sql(path, *[f'DROP INDEX "{i}"' for i in idx],
                     f"UPDATE {table} SET uuid = (SELECT uuid FROM {table} ORDER BY id LIMIT 1) "
                     f"WHERE id = (SELECT max(id) FROM {table})")
        elif kind == "city":
            self.sql(path, f"UPDATE {table} SET uuid = ? WHERE id = (SELECT max(id) FROM {table})",
                     params=(self.setup.city_unit_uuid,))
        else:
            self.sql(path, f"UPDATE {table} SET uuid = 'x' || uuid WHERE id = (SELECT min(id) FROM {table})")
        self.later(path)
        return f"{kind} uuid in {table}"

    def number(self, path: Path) -> str:
        self.sql(path, "DROP INDEX IF EXISTS ux_filing_origin_number",
                 "UPDATE filing SET number = (SELECT number FROM filing ORDER BY id LIMIT 1), origin = "
                 + self.rng.choice(["NULL", "'某某镇人民政府'", "'南通市人民政府办公室'"])
                 + " WHERE id IN (SELECT id FROM filing ORDER BY random() LIMIT 2)")
        self.later(path)
        return "filing numbers made equal"

    def schema(self, path: Path) -> str:
        table = self.rng.choice(SYNCED)
        column = self.rng.choice(self._columns(path, table))
        options = [
            ("drop table", ["PRAGMA foreign_keys = OFF", f"DROP TABLE {table}"]),
            ("view for table", ["PRAGMA foreign_keys = OFF", f"ALTER TABLE {table} RENAME TO {table}_old",
                                f"CREATE VIEW {table} AS SELECT * FROM {table}_old"]),
            ("drop column", [f'ALTER TABLE {table} DROP COLUMN "{column}"']),
            ("add column", [f"ALTER TABLE {table} ADD COLUMN extra TEXT DEFAULT 'x'"]),
            ("trigger", [f"CREATE TRIGGER t_{table} AFTER UPDATE ON {table} BEGIN DELETE FROM {table}; END"]),
            ("drop manifest", ["DROP TABLE snapshot_manifest"]),
            ("extra table", ["CREATE TABLE unit_extra (uuid TEXT, origin TEXT, id INTEGER PRIMARY KEY)"]),
        ]
        name, statements = self.rng.choice(options)
        try:
            self.sql(path, *statements)
        except sqlite3.Error as exc:
            return f"schema {name} on {table}.{column}: refused by SQLite ({exc})"
        self.later(path)
        return f"schema: {name} ({table}.{column})"

    def manifest(self, path: Path) -> str:
        conn = sqlite3.connect(path)
        data = json.loads(conn.execute("SELECT manifest FROM snapshot_manifest").fetchone()[0])
        key, value = self.rng.choice([
            ("source_unit_uuid", self.setup.city_unit_uuid), ("schema_version", 99), ("schema_version", 1),
            ("created_at", "昨天"), ("created_at", "1900-01-01T00:00:00"), ("counts", {"account": -1}),
            ("format_version", 9), ("source_name", "x" * 100000), ("source_name", None), ("counts", "lots"),
        ])
        data[key] = value
        conn.execute("UPDATE snapshot_manifest SET manifest = ?", (json.dumps(data, ensure_ascii=False),))
        conn.commit()
        conn.close()
        sealed = self.rng.random() < 0.8 and self.reseal(path)
        return f"manifest {key} = {str(value)[:30]}" + (" (re-sealed)" if sealed else "")

    def header(self, path: Path) -> str:
        statement = self.rng.choice(["PRAGMA user_version = 99", "PRAGMA user_version = 2", "PRAGMA application_id = 7",
                                     "PRAGMA user_version = -1"])
        self.sql(path, statement)
        sealed = self.reseal(path)
        return statement + (" (re-sealed)" if sealed else "")

    def utf16(self, path: Path) -> str:
        """The same snapshot as a UTF-16 database file (SQLite allows it; our export never writes one)."""
        src = sqlite3.connect(path)
        dump = list(src.iterdump())
        version = src.execute("PRAGMA user_version").fetchone()[0]
        app = src.execute("PRAGMA application_id").fetchone()[0]
        src.close()
        path.unlink()
        dst = sqlite3.connect(path, isolation_level=None)
        dst.execute(f"PRAGMA encoding = '{self.rng.choice(['UTF-16le', 'UTF-16be'])}'")
        dst.execute("PRAGMA journal_mode = DELETE")
        for st in dump:
            if st not in ("BEGIN TRANSACTION;", "COMMIT;"):
                dst.execute(st)
        dst.execute(f"PRAGMA user_version = {version}")
        dst.execute(f"PRAGMA application_id = {app}")
        dst.close()
        return "UTF-16 file" + (" (re-sealed)" if self.reseal(path) else "")

    def huge(self, path: Path) -> str:
        table, column, value = self.rng.choice([
            ("account", "intro", "printf('%.3000000c', '长')"), ("account", "qr_image", "zeroblob(12000000)"),
            ("attachment", "data", "zeroblob(60000000)"), ("filing", "frozen", "'{\"a\": \"' || printf('%.3000000c', 'x') || '\"}'"),
        ])
        rid = self._row(path, table)
        if rid is None:
            return "no row"
        self.sql(path, f"UPDATE {table} SET {column} = {value} WHERE id = {rid}")
        self.later(path)
        return f"huge {table}.{column}"

    def gbk_text(self, path: Path) -> str:
        table = self.rng.choice(["account", "unit", "person"])
        rid = self._row(path, table)
        self.sql(path, f"UPDATE {table} SET name = CAST(? AS TEXT) WHERE id = {rid}", params=("海门发布".encode("gbk"),))
        self.later(path)
        return f"GBK bytes in {table}.name"


MUTATIONS = {  # name: weight
    "flip": 12, "flip_resealed": 8, "truncate": 8, "extend": 4, "value": 30, "good_value": 4, "delete_rows": 5,
    "cycle": 4, "uuid": 5, "number": 4, "schema": 6, "manifest": 5, "header": 3, "utf16": 2, "huge": 2, "gbk_text": 3,
}


# --------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    case: int
    mutation: str
    detail: str
    command: str
    code: object
    problem: str | None = None


def check_case(worker: Worker, setup: Setup, file: Path, command: str, city: Path) -> tuple[object, str | None]:
    before = digest(city)
    argv = ["snapshot", "inspect", str(file)] if command == "inspect" else \
        ["snapshot", "merge", str(file), "--db", str(city)]
    r = worker.run(argv)
    code, out, err = r["code"], r["out"], r["err"]
    if not isinstance(code, int):
        return code, f"{code}: {err[-500:]}"
    text = out + err
    if code not in (0, 1):
        return code, f"exit {code}: {err[-300:]}"
    if "内部错误" in text or "Traceback" in text:
        return code, f"traceback or 内部错误: {err[-300:]}"
    if code == 1:
        if not err.startswith("错误：") or err.count("\n") != 1:
            return code, f"refusal is not one line: {err[:300]!r}"
        if digest(city) != before:
            return code, "refused, but the city database changed"
        return code, None
    if command == "merge":
        for check in (["verify", "--db", str(city)], ["accounts", "--db", str(city)],
                      ["check", "--today", TODAY, "--db", str(city)], ["due", "--today", TODAY, "--db", str(city)]):
            r = worker.run(check)
            if r["code"] != 0:
                return code, f"merged, then {' '.join(check[:1])} exit {r['code']}: {(r['out'] + r['err'])[-300:]}"
    return code, None


def run(cases: int, seed: int, keep: Path | None = None, quiet: bool = False, folder: Path | None = None,
        accounts: int = 25) -> list[Outcome]:
    own = folder is None
    folder = Path(tempfile.mkdtemp(prefix="gzdesk-fuzz-")) if own else folder
    try:
        setup = make_setup(folder, accounts)
        rng = random.Random(seed)
        mutator = Mutator(setup, rng)
        worker = Worker(setup.env)
        names, weights = list(MUTATIONS), list(MUTATIONS.values())
        outcomes: list[Outcome] = []
        started = time.time()
        try:
            for case in range(cases):
                name = rng.choices(names, weights)[0]
                file = mutator.copy(folder / f"case-{case}.gzsnap")
                try:
                    detail = getattr(mutator, name)(file)
                except (sqlite3.Error, OSError) as exc:
                    detail = f"(mutation itself failed: {exc})"
                command = "inspect" if rng.random() < 0.2 else "merge"
                city = folder / "city.db"
                shutil.copyfile(setup.merged_city if rng.random() < 0.5 else setup.empty_city, city)
                code, problem = check_case(worker, setup, file, command, city)
                outcomes.append(Outcome(case, name, detail, command, code, problem))
                if problem and keep:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(file, keep / file.name)
                file.unlink(missing_ok=True)
                if not quiet and (case + 1) % 100 == 0:
                    bad = sum(1 for o in outcomes if o.problem)
                    print(f"{case + 1}/{cases} cases, {bad} failed, {time.time() - started:.0f} s", flush=True)
        finally:
            worker.close()
        return outcomes
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


def summary(outcomes: list[Outcome]) -> str:
    by = Counter((o.mutation, "FAILED" if o.problem else f"exit {o.code}") for o in outcomes)
    lines = [f"{len(outcomes)} cases, {sum(1 for o in outcomes if o.problem)} failed"]
    for name in MUTATIONS:
        parts = [f"{k[1]}: {v}" for k, v in sorted(by.items()) if k[0] == name]
        if parts:
            lines.append(f"  {name:14} " + ", ".join(parts))
    for o in [o for o in outcomes if o.problem][:30]:
        lines.append(f"  FAILED case {o.case} {o.mutation} ({o.detail}) {o.command}: {o.problem}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="copy every failing snapshot here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    outcomes = run(args.cases, args.seed, args.keep)
    print(summary(outcomes))
    return 1 if any(o.problem for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
