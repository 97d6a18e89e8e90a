"""How fast the 账号台账 page is on a large registry, against a budget. Prints time/budget ratios
(≤ 1 is within budget).

    .venv/bin/gzdesk init --unit 某县人民政府办公室 --profile nantong --db /tmp/big.db
    .venv/bin/gzdesk demo --accounts 200000 --db /tmp/big.db
    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_registry_table.py /tmp/big.db

Typing in the search box must feel instant: each keystroke filters the whole list in Python
(never QSortFilterProxyModel, which needs ~40 s for 200,000 rows). Saving one account updates
just its row (``registry.account_row``), not the whole table; 名称 / 主办单位 sort by pinyin.

Measured on the 200,000-account demo (93,626 units, 239,859 people), 2026-11-22:

    step                            before     after
    update row after a save        1419 ms      4 ms   (was a full reload of 200,000 rows)
    update after a save (all pages)      —    190 ms   (mostly the 来源快照 page reloading its list)
    open account editor (first)    1507 ms    400 ms   (unit ids+names only, QStringListModel)
    open 添加成员 picker (first)  ~2300 ms   1290 ms   (person ids+names+unit only)
    sort by name                    376 ms    550 ms   (now pinyin order; includes making the keys)
    reload (F5, import)            1419 ms   1000 ms   (no garbage collection while rows are made)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GZDESK_HOME", tempfile.mkdtemp())

BUDGET_S = {"keystroke (filter 200k)": 0.10, "sort by name": 1.0, "sort by host unit": 1.0,
            "filter by platform": 0.10, "open main window": 6.0, "open account editor (first)": 1.0,
            "open account editor": 0.5, "open 添加成员 picker (first)": 1.5, "open 添加成员 picker": 0.3,
            "update row after a save": 0.05, "update after a save": 0.3, "update after a delete": 0.3, "reload (F5, import)": 3.0}


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(path: str) -> None:
    from PySide6.QtCore import Qt

    from gzdesk import registry
    from gzdesk.db import Database
    from gzdesk.registry import AccountData
    from gzdesk.ui.account_editor import AccountEditor, PeopleChoices, PersonPicker
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
    print("  名称倒序前几个：" + "、".join(model.row_at(i).name for i in range(3)))
    results["sort by host unit"] = timed(lambda: model.sort(COLUMN_KEYS.index("host_unit")))
    model.sort(0, Qt.SortOrder.AscendingOrder)
    first_id = model.row_at(0).id
    controller = window.controller
    editors = []
    results["open account editor (first)"] = timed(lambda: editors.append(AccountEditor(controller, first_id)))
    results["open account editor"] = timed(lambda: editors.append(AccountEditor(controller, first_id)))
    pickers = []
    results["open 添加成员 picker (first)"] = timed(
        lambda: pickers.append(PersonPicker(PeopleChoices.of(controller), None, controller)))
    results["open 添加成员 picker"] = timed(
        lambda: pickers.append(PersonPicker(PeopleChoices.of(controller), None, controller)))
    for e in editors + pickers:
        e.done(0)

    # a save as the editor makes it: write, then announce that one row (sorted by name, filtered)
    model.sort(COLUMN_KEYS.index("name"))
    model.set_filter(text="发布")
    first_id = model.row_at(len(model.visible_rows) // 2).id
    data = controller.read(registry.get_account, first_id)
    data.name = "阿" + data.name  # moves it to the top in pinyin order
    controller.write_quiet(registry.save_account, data)
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    # the table's own part (account_saved), then the whole announcement (other pages listen too)
    results["update row after a save"] = timed(lambda: controller.account_saved.emit(first_id))
    results["update after a save"] = timed(lambda: controller.announce_accounts(saved=[first_id]))
    new_id = controller.write_quiet(registry.save_account, AccountData(name="基准测试临时账号"))
    controller.announce_accounts(saved=[new_id])
    controller.write_quiet(registry.delete_account, new_id)
    results["update after a delete"] = timed(lambda: controller.announce_accounts(deleted=[new_id]))
    app.processEvents()
    print(f"  保存后：第一行“{model.row_at(0).name}”，表格重置 {len(resets)} 次")
    data.name = data.name[1:]
    controller.write_quiet(registry.save_account, data)
    controller.announce_accounts(saved=[first_id])
    model.set_filter(text="")
    model.sort(0, Qt.SortOrder.AscendingOrder)
    results["reload (F5, import)"] = timed(page.reload)
    app.processEvents()

    for name, seconds in results.items():
        budget = BUDGET_S[name]
        print(f"{name:28s} {seconds * 1000:8.0f} ms   budget {budget * 1000:6.0f} ms   ratio {seconds / budget:5.2f}")
    db.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/big.db")
