"""How fast the 账号台账 page is on a large registry, against a budget. Prints time/budget ratios
(≤ 1 is within budget).

    .venv/bin/gzdesk init --unit 某县人民政府办公室 --profile nantong --db /tmp/big.db
    .venv/bin/gzdesk demo --accounts 200000 --db /tmp/big.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_registry_table.py /tmp/big.db

Typing in the search box must feel instant: each keystroke filters the whole list in Python
(never QSortFilterProxyModel, which needs ~40 s for 200,000 rows).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GZDESK_HOME", tempfile.mkdtemp())

BUDGET_S = {"keystroke (filter 200k)": 0.10, "sort by name": 1.0, "filter by platform": 0.10,
            "open main window": 6.0, "open account editor (first)": 3.0, "open account editor": 0.5, "reload after a save": 3.0}


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(path: str) -> None:
    from PySide6.QtCore import Qt

    from gzdesk.db import Database
    from gzdesk.ui.account_editor import AccountEditor
    from gzdesk.ui.account_table import COLUMN_KEYS
    from gzdesk.ui.app import make_application, make_main_window

    app = make_application()
    db = Database(path, backup=False)
    results: dict[str, float] = {}
    holder = {}
    results["open main window"] = timed(lambda: holder.setdefault("w", make_main_window(db)))
    window = holder["w"]
    page, model = window.registry, window.registry.model
    print(f"账号 {model.total_count} 个")

    typed = "财政局"
    per_key = []
    for i in range(1, len(typed) + 1):
        per_key.append(timed(lambda i=i: model.set_filter(text=typed[:i]), repeat=3))
    results["keystroke (filter 200k)"] = max(per_key)
    print("  每次按键：" + "，".join(f"“{typed[:i + 1]}” {t * 1000:.0f} ms" for i, t in enumerate(per_key)))
    print(f"  “{typed}”匹配 {model.rowCount()} 个")
    model.set_filter(text="")
    results["filter by platform"] = timed(lambda: model.set_filter(platform="douyin"), repeat=3)
    model.set_filter(platform=None)
    results["sort by name"] = timed(lambda: model.sort(COLUMN_KEYS.index("name"), Qt.SortOrder.DescendingOrder))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    first_id = model.row_at(0).id
    editors = []
    results["open account editor (first)"] = timed(
        lambda: editors.append(AccountEditor(window.controller, first_id)))
    results["open account editor"] = timed(lambda: editors.append(AccountEditor(window.controller, first_id)))
    for e in editors:
        e.done(0)
    results["reload after a save"] = timed(page.reload)
    app.processEvents()

    for name, seconds in results.items():
        budget = BUDGET_S[name]
        print(f"{name:28s} {seconds * 1000:8.0f} ms   budget {budget * 1000:6.0f} ms   ratio {seconds / budget:5.2f}")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/big.db")
