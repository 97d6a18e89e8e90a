"""How long the 待办 list (``deadlines.pending``) and the 备案 list (``filings.list_filings``) take
on a large registry, against a budget. Prints the ratio time/budget (≤ 1 is within budget).

    .venv/bin/gzdesk init --unit 某县政府办 --profile yunnan --db /tmp/big.db
    .venv/bin/gzdesk demo --accounts 200000 --db /tmp/big.db
    .venv/bin/python bench/bench_due.py /tmp/big.db

The window reloads both after every change, so each should stay well under a second.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from gzdesk import deadlines, filings
from gzdesk.db import Database

BUDGET_S = {"pending": 1.0, "list_filings": 1.0}


def main(path: str) -> None:
    db = Database(path, backup=False)
    with db.reader() as s:
        n_accounts = s.execute(__import__("sqlalchemy").text("select count(*) from account")).scalar()
        n_filings = s.execute(__import__("sqlalchemy").text("select count(*) from filing")).scalar()
    print(f"账号 {n_accounts} 个，备案 {n_filings} 件")
    for name, fn in (("pending", lambda s: deadlines.pending(s, date.today())),
                     ("list_filings", filings.list_filings)):
        best = None
        for _ in range(3):
            t = time.perf_counter()
            with db.reader() as s:
                rows = fn(s)
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
        print(f"{name}: {len(rows)} 行, {best * 1000:.0f} ms, ratio {best / BUDGET_S[name]:.2f}")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
