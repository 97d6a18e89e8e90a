"""The registry's sort/filter engine (``gzdesk.ui.account_rows``, no Qt classes): a column's order
kept from an earlier sort is the order a fresh sort makes, before and after single rows change."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from gzdesk import enums
from gzdesk.registry import AccountRow
from gzdesk.ui.account_rows import COLUMNS, AccountRows
from gzdesk.ui.pinyin import PINYIN

NAMES = ["青山发布", "安平财政", "北岭视频", "成华发布", "第2中学", "第10中学", "Health 健康", "阿坝文旅", "鑫淼之声"]


def _rows(n: int, rnd: random.Random) -> list[AccountRow]:
    out = []
    for i in range(1, n + 1):
        platform = rnd.choice(list(enums.PLATFORM_LABELS))
        status = rnd.choice(list(enums.STATUS_LABELS))
        when = date(2020, 1, 1) + timedelta(days=rnd.randrange(2000)) if rnd.random() < 0.8 else None
        out.append(AccountRow(i, rnd.choice(NAMES) + rnd.choice(["", "号", "厅"]), platform,
                              enums.label("platform", platform), rnd.choice(NAMES[:4]), status,
                              enums.label("status", status), when, rnd.choice([None, 5, 50, 500]),
                              rnd.choice([None, "a1", "b2", "c3"]), when, "", "", rnd.choice([None, 1, 2]), f"u{i}"))
    return out


def _fresh(rows: list[AccountRow], column: int, descending: bool) -> list[int]:
    col = COLUMNS[column]
    if col.pinyin:
        PINYIN.learn(getattr(r, col.field) for r in rows)
    return [r.id for r in sorted(rows, key=col.sort_key, reverse=descending)]


def test_kept_orders_match_a_fresh_sort_through_row_changes():
    rnd = random.Random(7)
    rows = _rows(300, rnd)
    engine = AccountRows()
    engine.set_rows(rows)
    by_id = {r.id: r for r in rows}
    next_id = 301
    for step in range(120):
        column, descending = rnd.randrange(len(COLUMNS)), rnd.random() < 0.5
        engine.sort(column, descending)
        engine.filter()
        assert engine.ids(engine.all) == _fresh(list(by_id.values()), column, descending), step
        assert engine.shown == engine.all
        if step % 3 == 0:  # a changed, a new or a deleted account between the sorts
            what = rnd.random()
            if what < 0.4:
                changed = replace(by_id[rnd.choice(list(by_id))], name=rnd.choice(NAMES) + "新", followers=7)
                by_id[changed.id] = changed
                change = engine.upsert(changed)
                engine.commit(engine.shown, change)
            elif what < 0.7:
                new = replace(rows[0], id=next_id, uuid=f"u{next_id}", name="龘龘" + str(next_id))
                next_id += 1
                by_id[new.id] = new
                engine.commit(engine.shown, engine.upsert(new))
            else:
                gone = rnd.choice(list(by_id))
                del by_id[gone]
                place = engine.remove(gone)
                assert place is not None and place >= 0
                del engine.shown[place]
            assert engine.ids(engine.shown) == _fresh(list(by_id.values()), column, descending)


def test_search_and_filters_on_the_engine():
    rnd = random.Random(3)
    rows = _rows(200, rnd)
    engine = AccountRows()
    engine.set_rows(rows)
    engine.set_filter(text="青山 发布", platform=enums.Platform.DOUYIN)
    engine.filter()
    want = [r.id for r in sorted(rows, key=lambda r: r.id)
            if "青山" in r.name + r.host_unit and "发布" in f"{r.name}\n{r.handle or ''}\n{r.host_unit}"
            and r.platform == enums.Platform.DOUYIN]
    assert engine.ids(engine.shown) == want and want


def test_the_keys_made_while_the_window_is_idle_are_those_made_at_once():
    rows = _rows(300, random.Random(5))
    stepped, at_once = AccountRows(), AccountRows()
    stepped.set_rows(rows)
    at_once.set_rows(rows)
    steps = 0
    while not stepped.prepare(rows=37):  # search keys, then 名称 and 主办单位 a chunk at a time
        steps += 1
    assert steps > 10
    for column, col in enumerate(COLUMNS):
        if col.pinyin:
            assert stepped._keys[column] == at_once._column_keys(column)
        for descending in (False, True):
            stepped.sort(column, descending)
            at_once.sort(column, descending)
            assert stepped.all == at_once.all == [r.id - 1 for r in sorted(rows, key=col.sort_key,
                                                                            reverse=descending)]
