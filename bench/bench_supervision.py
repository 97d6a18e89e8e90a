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

Measured on 200,000 demo accounts (南通 profile) with 12,500 inspections, on a 2-core machine shared
with other work (load ≈ 6, so wall times wander; CPU times are steadier):
baseline 866 ms CPU; ``inspection new`` 873 ms CPU, ratio 1.01 (in process 3.4 ms);
``assess 2026`` 1,859 ms CPU, ratio 2.15 (in process 1.2 s CPU, was ≈3 s before the accounts were
read once, duplicates grouped in SQL and filing.kind indexed).
"""

from __future__ import annotations

import random
import resource
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


def _cpu() -> float:
    """CPU seconds of this process and its finished children: steadier than wall time on a shared machine."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _best(fn) -> tuple[float, float]:
    """Best wall and best CPU seconds of RUNS runs."""
    wall = cpu = None
    for _ in range(RUNS):
        t, c = time.perf_counter(), _cpu()
        fn()
        dt, dc = time.perf_counter() - t, _cpu() - c
        wall = dt if wall is None else min(wall, dt)
        cpu = dc if cpu is None else min(cpu, dc)
    return wall, cpu


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
    picks = iter(rng.sample(ids, 3 * RUNS))
    day = (date.today() - timedelta(days=1)).isoformat()
    year = (date.today() - timedelta(days=1)).year

    base = _best(lambda: _cli("inspection", "sheet", "--db", path))
    new = _best(lambda: _cli("inspection", "new", str(next(picks)), "--date", day, "--inspector", "测试员",
                             "--deduct", "名称不规范", "--db", path))
    assess = _best(lambda: _cli("assess", str(year), "--db", path))
    print(f"baseline (inspection sheet): {base[0] * 1000:.0f} ms wall, {base[1] * 1000:.0f} ms CPU")
    for name, (wall, cpu) in (("inspection new", new), (f"assess {year}", assess)):
        print(f"{name}: {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; ratio {wall / base[0]:.2f} wall, "
              f"{cpu / base[1]:.2f} CPU")

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

    (w_new, c_new), (w_assess, c_assess) = _best(domain_new), _best(domain_assess)
    print(f"in process: new_inspection {w_new * 1000:.1f} ms wall / {c_new * 1000:.1f} ms CPU, "
          f"assess {w_assess * 1000:.0f} ms wall / {c_assess * 1000:.0f} ms CPU")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1])
