"""How long ``gzdesk inspection new`` and ``gzdesk assess`` take on a large registry, as ratios to a bare
baseline: ``gzdesk inspection sheet`` on the same database (start the program, open and check the
database, read the profile, print) — what any command costs before it does its own work.

    .venv/bin/gzdesk init --unit 海门区人民政府办公室 --profile nantong --db /tmp/big.db
    .venv/bin/gzdesk demo --accounts 200000 --db /tmp/big.db
    .venv/bin/python bench/supervision_data.py /tmp/big.db --share 0.05     # some inspections
    .venv/bin/python bench/bench_supervision.py /tmp/big.db

It also times the domain calls in this process (no program start): one inspection is one account's
work whatever the registry's size (pre-filled from ``rules.sheet_facts`` for that account only), so
``inspection new`` should stay close to the baseline; ``assess`` reads the year's records once.
Each inspection it records is of another account, dated yesterday (the database keeps them).
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from gzdesk import assessment, inspections, quarters, scope
from gzdesk.db import Database
from gzdesk.models import Account, Inspection

GZDESK = str(Path(sys.executable).with_name("gzdesk"))
RUNS = 5


def _best(fn) -> float:
    best = None
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


def _cli(*args: str) -> None:
    subprocess.run([GZDESK, *args], check=True, capture_output=True)


def main(path: str) -> None:
    db = Database(path, backup=False)
    with db.reader() as s:
        n_accounts = s.scalar(select(func.count(Account.id)))
        n_inspections = s.scalar(select(func.count(Inspection.id)))
        inspected = set(s.scalars(select(Inspection.account_id).where(Inspection.inspected_on == date.today()
                                                                          - timedelta(days=1))))
        ids = [i for i in s.scalars(select(Account.id).where(Account.status == "normal")) if i not in inspected]
    print(f"账号 {n_accounts} 个，检查记录 {n_inspections} 条")
    rng = random.Random(len(inspected))
    picks = iter(rng.sample(ids, 4 * RUNS))
    day = (date.today() - timedelta(days=1)).isoformat()
    year = (date.today() - timedelta(days=1)).year

    base = _best(lambda: _cli("inspection", "sheet", "--db", path))
    new = _best(lambda: _cli("inspection", "new", str(next(picks)), "--date", day, "--inspector", "测试员",
                             "--deduct", "名称不规范", "--db", path))
    assess = _best(lambda: _cli("assess", str(year), "--db", path))
    print(f"baseline (inspection sheet): {base * 1000:.0f} ms")
    print(f"inspection new: {new * 1000:.0f} ms, ratio {new / base:.2f}")
    print(f"assess {year}: {assess * 1000:.0f} ms, ratio {assess / base:.2f}")

    q = quarters.of(date.today() - timedelta(days=1))

    def domain_new() -> None:
        with db.transaction() as s:
            sheet = inspections.sheet_of(s)
            aid = next(picks)
            found = inspections.prefill(s, aid, date.today() - timedelta(days=1), sheet)
            inspections.new_inspection(s, aid, q, date.today() - timedelta(days=1), "测试员", found)

    def domain_assess() -> None:
        with db.reader() as s:
            assessment.assess(s, year, scope.resolve(s))

    t_new, t_assess = _best(domain_new), _best(domain_assess)
    print(f"in process: new_inspection {t_new * 1000:.1f} ms, assess {t_assess * 1000:.0f} ms")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
