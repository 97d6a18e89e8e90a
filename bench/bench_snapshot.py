"""Snapshot export and merge speed, as ratios to the bare SQLite work underneath.

Export is compared with SQLite's online backup of the same file (what any copy must do at least);
merge with a bare ``INSERT … SELECT`` of the same rows through ``ATTACH`` (no checks, no uuid
mapping, no report); the value check (``gzdesk.value_check``) that both run is timed on its own.
Usage: ``python bench/bench_snapshot.py [ACCOUNTS]`` (default 20000).
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from gzdesk import demo, office, value_check
from gzdesk.db import Database
from gzdesk.exchange.merge import merge_snapshots, synced_tables
from gzdesk.exchange.snapshot import export_snapshot


def timed(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main(n: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="gzdesk-bench-"))
    county = Database(folder / "county.db")
    with county.transaction() as s:
        office.init_office(s, "海门区人民政府办公室", "nantong")
    demo.generate(county, n, seed=1)
    city = Database(folder / "city.db")
    with city.transaction() as s:
        office.init_office(s, "南通市人民政府办公室", "nantong")

    def bare_backup():
        src, dst = sqlite3.connect(county.path), sqlite3.connect(folder / "bare.db")
        src.backup(dst)
        src.close()
        dst.close()

    t_bare, _ = timed(bare_backup)
    t_export, info = timed(lambda: export_snapshot(county.path, folder / "county.gzsnap"))
    t_merge, reports = timed(lambda: merge_snapshots(city, [info.path]))
    t_remerge, _ = timed(lambda: merge_snapshots(city, [info.path]))
    t_values, _ = timed(lambda: value_check.check_file(info.path))  # done once in export, once in merge

    bare = folder / "bare-city.db"
    conn = sqlite3.connect(bare)
    src = sqlite3.connect(county.path)
    for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL"):
        conn.execute(sql)
    src.close()
    conn.commit()

    def bare_copy():
        conn.execute("ATTACH DATABASE ? AS snap", (str(info.path),))
        for t in synced_tables():
            conn.execute(f"INSERT INTO main.{t.name} SELECT * FROM snap.{t.name}")
        conn.commit()
        conn.execute("DETACH DATABASE snap")

    t_bare_merge, _ = timed(bare_copy)
    rows = sum(info.manifest.counts.values())
    print(f"账号 {n}，快照记录 {rows} 行，文件 {info.size // 1024} KB")
    print(f"导出  {t_export:7.2f} s  （SQLite 在线备份 {t_bare:.2f} s，比值 {t_export / t_bare:.1f}）")
    print(f"合并  {t_merge:7.2f} s  （ATTACH + INSERT…SELECT {t_bare_merge:.2f} s，比值 {t_merge / t_bare_merge:.1f}）"
          f"；新增 {len(reports[0].added)}")
    print(f"重复合并（已合并过，只做校验） {t_remerge:.2f} s")
    print(f"其中值检查（每个值对照其列，导出、合并各一次） {t_values:.2f} s，"
          f"占导出的 {t_values / t_export:.0%}、合并的 {t_values / t_merge:.0%}")
    county.close()
    city.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)
