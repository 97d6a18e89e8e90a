"""Benchmark: what reading a workbook safely costs (issue 8 item 5), as ratios.

    .venv/bin/python bench/bench_safe_read.py [--accounts 20000] [--workdir /tmp/gzdesk-bench-read]

- read: ``safe_read.read_tables`` (checks in the reading process, calamine there, rows back in
  batches) against python-calamine reading every sheet in this process, as before;
- import: ``import-excel`` of the same export into a new database, with the safe reader and with
  the in-process reader put in its place;
- the checks alone (``ooxml_scan``) on the same file.

Wall time and CPU time (this process, its ended children and the kept reading process, from
/proc on Linux) are both printed: on a busy machine the CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gzdesk import demo, office  # noqa: E402
from gzdesk.db import Database  # noqa: E402
from gzdesk.exchange import excel_export, safe_read, sheet_reader  # noqa: E402
from gzdesk.exchange.ooxml_scan import scan_zip_workbook  # noqa: E402
from gzdesk.exchange.read_limits import DEFAULT_LIMITS  # noqa: E402


def in_process(path, progress=None, limits=None) -> safe_read.ReadResult:
    """The reader before issue 8: calamine in this process, every sheet at once."""
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    tables = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in book.sheet_names}
    book.close()
    return safe_read.ReadResult(tables, "xlsx")


def _reader_cpu() -> float:
    """CPU seconds of the kept reading process (os.times counts only children that have ended)."""
    reader = safe_read._reader
    if reader is None or not reader.process.is_alive():
        return 0.0
    try:
        fields = Path(f"/proc/{reader.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(label: str, fn) -> tuple[float, float]:
    t0, c0, r0 = time.perf_counter(), os.times(), _reader_cpu()
    fn()
    t1, c1, r1 = time.perf_counter(), os.times(), _reader_cpu()
    cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + \
        (c1.children_system - c0.children_system) + max(r1 - r0, 0.0)
    print(f"  {label:<44} {t1 - t0:7.2f} s wall  {cpu:7.2f} s CPU")
    return t1 - t0, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=20_000)
    ap.add_argument("--workdir", default="/tmp/gzdesk-bench-read")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    src_path = work / f"demo{args.accounts}.db"
    fresh = not src_path.exists()
    src = Database(src_path, actor="bench", backup=False)
    if fresh:
        with src.transaction() as s:
            office.init_office(s, "南通县人民政府办公室", "nantong")
        demo.generate(src, args.accounts, seed=1)
    xlsx = work / "台账.xlsx"
    if not xlsx.exists():
        with src.reader() as s:
            excel_export.export_workbook(s, xlsx)
    src.close()
    print(f"{args.accounts} accounts: {xlsx.stat().st_size / 1e6:.1f} MB")
    safe_read.read_tables(xlsx)  # the reading process started once, as in a running program

    def checks():
        with open(xlsx, "rb") as f:
            scan_zip_workbook(f, xlsx, DEFAULT_LIMITS)

    def import_with(reader):
        def run():
            target = work / "import.db"
            for suffix in ("", "-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            sheet_reader.read_tables = reader
            from gzdesk.cli import main as cli

            cli(["init", "--db", str(target), "--unit", "南通县人民政府办公室", "--profile", "nantong"])
            cli(["import-excel", str(xlsx), "--db", str(target)])
        return run

    print("read")
    _w1, c1 = measure("python-calamine in this process (before)", lambda: in_process(xlsx))
    _w2, c2 = measure("safe_read.read_tables (checks + child)", lambda: safe_read.read_tables(xlsx))
    measure("the checks alone (ooxml_scan)", checks)
    print("import-excel into a new database")
    original = sheet_reader.read_tables
    _w3, c3 = measure("with the in-process reader (before)", import_with(in_process))
    _w4, c4 = measure("with the safe reader", import_with(original))
    sheet_reader.read_tables = original
    print(f"ratios (CPU): read {c2 / c1:.2f}, whole import {c4 / c3:.2f}")
    shutil.rmtree(work / "import.db", ignore_errors=True)


if __name__ == "__main__":
    main()
