"""Made-up supervision records on a demo registry: inspections of past quarters with findings,
通报, some 整改 done, quarter reports sent, a few fake-account reports. For the benchmark and for
looking at the supervision pages and reports:

    .venv/bin/gzdesk init --unit 海门区人民政府办公室 --profile nantong --db /tmp/sup.db
    .venv/bin/gzdesk demo --accounts 300 --db /tmp/sup.db
    .venv/bin/python bench/supervision_data.py /tmp/sup.db [--share 0.9] [--seed 1]

Every record goes through the domain functions the CLI uses (one transaction per quarter).
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta

from sqlalchemy import select

from gzdesk import fakes, inspections, quarters, rectify
from gzdesk.db import Database
from gzdesk.inspections import DEDUCT, VETO, FindingInput
from gzdesk.models import Account
from gzdesk.reports import quarter as quarter_report

INSPECTORS = ("王建国", "李晓燕", "陈志强", "周静")
FAKE_NAMES = (("{}官方", "抖音"), ("{}发布平台", "微信订阅号"), ("{}服务中心", "快手"))


def populate(path: str, share: float = 0.9, seed: int = 1, today: date | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    today = today or date.today()
    db = Database(path, actor="演示数据")
    counts = {"inspections": 0, "findings": 0, "fakes": 0}
    with db.reader() as s:
        ids = list(s.scalars(select(Account.id).where(Account.status.in_(["normal", "paused"]),
                                                      Account.origin.is_(None)).order_by(Account.id)))
    current = quarters.of(today)
    past = [quarters.Quarter(current.year, q) for q in range(1, current.q)] or [quarters.Quarter(current.year - 1, 4)]
    for q in [*past, current]:
        chosen = rng.sample(ids, int(len(ids) * (share if q != current else share / 3)))
        last_day = min(q.end, today - timedelta(days=1))
        with db.transaction() as s:
            sheet = inspections.sheet_of(s)
            for account_id in chosen:
                on = q.start + timedelta(days=rng.randrange(0, max((last_day - q.start).days, 1)))
                found = [f for f in inspections.prefill(s, account_id, on, sheet) if f.kind == DEDUCT]
                roll = rng.random()
                if roll < 0.03:
                    found.append(FindingInput(VETO, "互动回应差", 1, 1, "留言功能长期关闭"))
                elif roll < 0.25:
                    item = rng.choice(["内容更新不及时", "留言审看不到位", "功能无法使用", "名称不规范", "内容发布不当"])
                    if all(f.item != item for f in found):
                        found.append(FindingInput(DEDUCT, item, rng.choice([1, 1, 2, 3]), None, None))
                d = inspections.new_inspection(s, account_id, q, on, rng.choice(INSPECTORS), found, today=today)
                counts["inspections"] += 1
                counts["findings"] += len(d.findings)
            if q != current:
                notified = min(q.end + timedelta(days=3), today)
                try:
                    inspections.notify(s, q, notified, today=today)
                except Exception:  # noqa: BLE001 - a quarter with no problems has nothing to notify
                    pass
                for r in rectify.list_items(s, today, open_only=True, quarter=q):
                    if rng.random() < 0.85 and r.due_on:
                        done = min(r.due_on - timedelta(days=rng.randrange(-3, 8)), today)
                        rectify.mark_done(s, [r.id], max(done, r.inspected_on), "已整改到位", today=today)
                sent = q.report_due() - timedelta(days=rng.randrange(-2, 4))
                if sent <= today and sent > q.end:
                    quarter_report.record_sent(s, q, sent, today=today)
    with db.transaction() as s:
        for i, (pattern, platform) in enumerate(FAKE_NAMES):
            target = s.get(Account, rng.choice(ids))
            found_on = today - timedelta(days=[40, 9, 1][i])
            d = fakes.new_report(s, pattern.format(target.name), found_on, how="reported" if i else "found",
                                 reporter="网民来电" if i else "日常巡查", platform=platform,
                                 link=f"https://example.com/fake/{i}", imitated_account_id=target.id, today=today)
            steps = [("verify", 1), ("coordinate", 3), ("notify_platform", 5), ("report_up", 8)][: [4, 1, 0][i]]
            for code, days in steps:
                fakes.record_step(s, d.id, code, min(found_on + timedelta(days=days), today), "已办理", today=today)
            counts["fakes"] += 1
    db.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db")
    p.add_argument("--share", type=float, default=0.9, help="share of accounts inspected in each past quarter")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    print(populate(args.db, args.share, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
