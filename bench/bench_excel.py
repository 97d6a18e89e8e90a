"""Benchmark: export and import of the 台账 at 200,000 accounts, as ratios to the bare libraries.

    .venv/bin/python bench/bench_excel.py [--accounts 200000] [--workdir /tmp/gzdesk-bench-excel]

- export: ``export_workbook`` (queries, labels, formats, drop-downs, three sheets) against
  XlsxWriter writing the same cell values with no formats (constant_memory), and — to show why
  XlsxWriter was chosen — openpyxl's write-only mode writing the same values.
- import: ``read_workbook`` + ``apply_plan`` into a new database (header detection, mapping,
  typing, validation, duplicate checks, bulk inserts, audit) against python-calamine reading every
  sheet of the same file.

The demo database is made once and kept in the work folder (it takes a while at 200,000).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gzdesk import demo, office  # noqa: E402
from gzdesk.db import Database  # noqa: E402
from gzdesk.exchange import excel_export as ex  # noqa: E402
from gzdesk.exchange.excel_import import apply_plan, read_workbook  # noqa: E402

UNIT = "南通县人民政府办公室"


def _db(path: Path, accounts: int | None) -> Database:
    fresh = not path.exists()
    db = Database(path, actor="bench", backup=False)
    if fresh:
        with db.transaction() as s:
            office.init_office(s, UNIT, "nantong")
        if accounts:
            t = time.perf_counter()
            demo.generate(db, accounts, seed=1)
            print(f"demo --accounts {accounts}: {time.perf_counter() - t:.1f} s (once)")
    return db


def _cells(db: Database) -> list[tuple[str, list[list]]]:
    """The same values the export writes, as plain rows per sheet (labels already applied)."""
    with db.reader() as s:
        sheets = [("账号台账", ex.ACCOUNT_COLUMNS, ex._account_rows(s)), ("管理队伍", ex.TEAM_COLUMNS, ex._team_rows(s)),
                  ("备案记录", ex.FILING_COLUMNS, ex._filing_rows(s)), ("单位名录", ex.UNIT_COLUMNS, ex.iter_units(s))]
    out = []
    for name, cols, rows in sheets:
        out.append((name, [[r.get(c.key) if c.kind != ex.SEQ else n for c in cols] for n, r in enumerate(rows, 1)]))
    return out


def bare_xlsxwriter(path: Path, sheets) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), fmt)
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v))
    book.close()


def bare_openpyxl(path: Path, sheets) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for name, rows in sheets:
        ws = book.create_sheet(name)
        for row in rows:
            ws.append([v if not isinstance(v, bool) else str(v) for v in row])
    book.save(path)


def bare_calamine(path: Path) -> int:
    import python_calamine as pc

    book = pc.CalamineWorkbook.from_path(str(path))
    n = sum(len(book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names)
    book.close()
    return n


def timed(label: str, fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    dt = time.perf_counter() - t
    print(f"  {label:<44} {dt:8.2f} s")
    return dt, result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--workdir", default="/tmp/gzdesk-bench-excel")
    ap.add_argument("--no-openpyxl", action="store_true", help="skip the openpyxl comparison")
    args = ap.parse_args()
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    src = _db(work / f"demo{args.accounts}.db", args.accounts)
    xlsx = work / "台账.xlsx"
    print(f"export ({args.accounts} accounts)")
    with src.reader() as s:
        t_export, result = timed("gzdesk export_workbook", lambda: ex.export_workbook(s, xlsx))
    print(f"    rows: accounts {result.accounts}, team {result.team_rows}, filings {result.filings}; "
          f"file {xlsx.stat().st_size / 1e6:.1f} MB")
    t_cells, sheets = timed("(fetch the same values for the baselines)", _cells, src)
    t_bare, _ = timed("bare XlsxWriter, same cells", bare_xlsxwriter, work / "bare.xlsx", sheets)
    t_opx = None
    if not args.no_openpyxl:
        t_opx, _ = timed("bare openpyxl write-only, same cells", bare_openpyxl, work / "bare_openpyxl.xlsx", sheets)
    print("import into a new database")
    target_path = work / "target.db"
    for p in work.glob("target.db*"):
        p.unlink()
    target = _db(target_path, None)
    t_cal, n = timed("bare calamine read of the same file", bare_calamine, xlsx)
    t_read, plan = timed("gzdesk read_workbook (map, type, validate)", read_workbook, xlsx)
    assert not plan.problem_lines(), plan.problem_lines()[:3]
    with target.transaction() as s:
        t_apply, res = timed("gzdesk apply_plan (check, insert, audit)", apply_plan, s, plan)
    print(f"    {res.summary()}")
    t_import = t_read + t_apply
    print("ratios")
    print(f"  export / bare XlsxWriter            {t_export / t_bare:5.2f}")
    print(f"  export / (fetch + bare XlsxWriter)  {t_export / (t_cells + t_bare):5.2f}")
    if t_opx:
        print(f"  bare openpyxl / bare XlsxWriter     {t_opx / t_bare:5.2f}")
    print(f"  import / bare calamine read         {t_import / t_cal:5.2f}  (read {t_read / t_cal:.2f}, "
          f"apply {t_apply / t_cal:.2f}; {n} rows read)")
    src.close()
    target.close()


if __name__ == "__main__":
    main()
