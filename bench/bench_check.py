"""How long ``rules.check`` (the 检查 page, ``gzdesk check``) takes on a large registry, against a
budget. Prints the ratio time/budget (≤ 1 is within budget).

    .venv/bin/gzdesk init --unit 海门区人民政府办公室 --profile nantong --db /tmp/big3.db
    .venv/bin/gzdesk demo --accounts 200000 --db /tmp/big3.db
    .venv/bin/python bench/bench_check.py /tmp/big3.db

Measured at 200,000 demo accounts (147,695 findings, a 2-core machine under load): 13.6 s when the
check loaded ORM ``Account`` objects and every role; 4.8 s with plain column selects and the
training / responsible-person rules filtered in SQL. About 2 s of the rest is ``deadlines.pending``.
"""

from __future__ import annotations

import sys
import time
from datetime import date

from gzdesk import rules
from gzdesk.db import Database

BUDGET_S = 5.0  # the page checks once when first shown and after changes; a CLI run is one-off


def main(path: str) -> None:
    db = Database(path, backup=False)
    best = None
    for _ in range(3):
        t = time.perf_counter()
        with db.reader() as s:
            found = rules.check(s, date.today())
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    print(f"check: {len(found)} 条, {best:.2f} s, ratio {best / BUDGET_S:.2f}")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
