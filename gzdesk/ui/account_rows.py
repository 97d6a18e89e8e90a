"""The registry table's rows, search, filters and sort — no Qt classes (the Qt model in
``account_table`` only reads from here and tells the view what changed).

The rows are a plain list of ``registry.AccountRow``, kept in the current sort order together with
a lowercase search key per row, so typing in the search box only has to scan those keys (a few tens
of ms for 200,000 accounts) and never re-sorts. Each column's ascending order is kept once it has
been made: clicking a header already sorted by once only puts that order back (reversed for a
descending sort) instead of sorting 200,000 rows again; any change of a row forgets the kept
orders. 名称 and 主办单位 sort in pinyin order (``gzdesk.ui.pinyin``, which ranks characters with
Qt's collator: this module therefore stays in ui/).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from gzdesk import enums, registry
from gzdesk.overview import NO_HOST
from gzdesk.registry import AccountRow
from gzdesk.ui.bulk import paused_gc
from gzdesk.ui.pinyin import PINYIN

_STATUS_ORDER = {code: i for i, code in enumerate(enums.STATUS_LABELS)}
_MIN_DATE = date.min


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    sort_key: Callable[[AccountRow], Any]
    numeric: bool = False
    pinyin: bool = False  # the sort key uses PINYIN on the column's text: learn the texts first


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", 56, lambda r: r.id, numeric=True),
    Column("name", "名称", 190, lambda r: (PINYIN.key(r.name), r.id), pinyin=True),
    Column("platform", "平台", 104, lambda r: (r.platform_label, r.id)),
    Column("host_unit", "主办单位", 190, lambda r: (PINYIN.key(r.host_unit), r.id), pinyin=True),
    Column("status", "运行状态", 72, lambda r: (_STATUS_ORDER.get(r.status, 99), r.id)),
    Column("last_update_on", "最近更新", 116, lambda r: (r.last_update_on or _MIN_DATE, r.id)),
    Column("followers", "关注量", 76, lambda r: (-1 if r.followers is None else r.followers, r.id),
           numeric=True),
    Column("handle", "账号ID", 170, lambda r: (r.handle or "", r.id)),
    Column("registered_on", "创建日期", 116, lambda r: (r.registered_on or _MIN_DATE, r.id)),
)
COLUMN_KEYS = [c.key for c in COLUMNS]

search_key = registry.account_search_text  # one definition for the window and the command line


@dataclass(frozen=True)
class RowChange:
    """What ``AccountRows.upsert`` does to the shown rows: the row's shown place before
    (``was``) and after (``to``), -1 where it is not shown."""

    was: int
    to: int


class AccountRows:
    """Every account row, the filters and the sort; ``shown`` is what the table shows."""

    def __init__(self) -> None:
        self.all: list[AccountRow] = []  # every row, in the current sort order
        self.shown: list[AccountRow] = []  # those the filters let through, in the same order
        self._keys: list[str] = []  # search keys of ``all``, in the same order
        self._search_of: dict[int, str] = {}  # the same keys by account id
        self._sort_keys: list[Any] | None = None  # of ``all``; made when a single row needs a place
        self._pinyin_version = -1  # PINYIN.version the sort keys were made with
        self._ascending: dict[int, list[AccountRow]] = {}  # column → every row in ascending order
        self._by_id: dict[int, AccountRow] = {}
        self._text_words: list[str] = []
        self._platform: str | None = None
        self._status: str | None = None
        self._host_unit_id: int | None = None
        self._host_units: frozenset[int] | str | None = None  # a type of 主办单位 (首页), NO_HOST: none given
        self.sort_column = 0
        self.descending = False

    # ------------------------------------------------------------------ data in
    def set_rows(self, rows: list[AccountRow]) -> None:
        with paused_gc():
            self.all = list(rows)
            self._by_id = {r.id: r for r in self.all}
            self._keys = list(map(search_key, self.all))
            self._search_of = dict(zip(self._by_id, self._keys, strict=True))
        self._ascending.clear()
        self._sort_all()
        self.filter()

    def set_filter(self, *, text: str | None = None, platform: str | None | bool = False,
                   status: str | None | bool = False, host_unit_id: int | None | bool = False,
                   host_units: frozenset[int] | str | None | bool = False) -> None:
        """Change any of the filters (``False`` leaves one as it is; ``None`` clears it); then
        ``filter()`` makes ``shown`` again.

        ``host_units``: accounts whose 主办单位 is one of these ids, or ``NO_HOST`` for none given."""
        if host_units is not False and host_units is not True:
            self._host_units = host_units
        if text is not None:
            self._text_words = registry.search_words(text)
        if platform is not False:
            self._platform = platform if isinstance(platform, str) and platform else None
        if status is not False:
            self._status = status if isinstance(status, str) and status else None
        if host_unit_id is not False:
            self._host_unit_id = host_unit_id

    def sort(self, column: int, descending: bool) -> bool:
        """Sort by ``column`` (then ``filter()``); False for a column that does not exist."""
        if not 0 <= column < len(COLUMNS):
            return False
        self.sort_column, self.descending = column, descending
        self._sort_all()
        return True

    def _sort_all(self) -> None:
        """Sort ``all`` by the current column: the kept ascending order of that column when there
        is one, else every row's sort key made once here and the rows sorted by them."""
        column = COLUMNS[self.sort_column]
        if column.pinyin:  # rank every character up front, so no key is made with an older ranking
            PINYIN.learn({getattr(r, column.key) for r in self.all})
        with paused_gc():
            ascending = self._ascending.get(self.sort_column)
            if ascending is not None:  # a pinyin order stays right when characters are ranked later
                rows = ascending[::-1] if self.descending else list(ascending)
                self._sort_keys = None
            else:
                keys = list(map(column.sort_key, self.all))
                order = sorted(range(len(keys)), key=keys.__getitem__, reverse=self.descending)
                self._sort_keys = [keys[i] for i in order]
                rows = [self.all[i] for i in order]
                self._ascending[self.sort_column] = rows[::-1] if self.descending else rows
            self._pinyin_version = PINYIN.version
            self.all = rows
            search = self._search_of
            self._keys = [search[r.id] for r in rows]

    # ------------------------------------------------------------------ filtering
    def filter(self) -> None:
        """Make ``shown``: the rows of ``all`` that every filter lets through."""
        rows: list[AccountRow] = self.all
        words = self._text_words
        if words:
            first, rest = words[0], words[1:]
            rows = [r for r, k in zip(rows, self._keys, strict=True)
                    if first in k and all(w in k for w in rest)]
        if self._platform is not None:
            p = self._platform
            rows = [r for r in rows if r.platform == p]
        if self._status is not None:
            s = self._status
            rows = [r for r in rows if r.status == s]
        if self._host_unit_id is not None:
            u = self._host_unit_id
            rows = [r for r in rows if r.host_unit_id == u]
        if self._host_units is not None:
            rows = [r for r in rows if self._in_host_units(r)]
        self.shown = rows if rows is not self.all else list(rows)

    def matches(self, row: AccountRow) -> bool:
        """Whether the current filters let this row through (as ``filter`` decides for all)."""
        return (registry.matches_search(self._search_of.get(row.id) or search_key(row), self._text_words)
                and (self._platform is None or row.platform == self._platform)
                and (self._status is None or row.status == self._status)
                and (self._host_unit_id is None or row.host_unit_id == self._host_unit_id)
                and self._in_host_units(row))

    def _in_host_units(self, row: AccountRow) -> bool:
        units = self._host_units
        if units is None:
            return True
        if units == NO_HOST:
            return row.host_unit_id is None
        return row.host_unit_id in units

    # ------------------------------------------------------------------ one row at a time
    def upsert(self, row: AccountRow) -> RowChange:
        """Put a new or changed account in its place among all rows (in the current sort order)
        and say where it was and goes among the shown ones; ``commit(change, row)`` then changes
        ``shown`` (the model tells the view in between)."""
        column = COLUMNS[self.sort_column]
        if column.pinyin:
            PINYIN.learn((getattr(row, column.key),))
        sort_keys = self._current_sort_keys()
        self._ascending.clear()
        old = self._by_id.get(row.id)
        if old is not None:
            i = self._index_in_all(old)
            del self.all[i], self._keys[i], sort_keys[i]
        new_key = column.sort_key(row)
        j = self._bisect(sort_keys, new_key)
        key = search_key(row)
        self.all.insert(j, row)
        self._keys.insert(j, key)
        sort_keys.insert(j, new_key)
        self._by_id[row.id] = row
        self._search_of[row.id] = key
        was = self._visible_index(old) if old is not None else -1
        if not self.matches(row):
            return RowChange(was, -1)
        return RowChange(was, self._bisect_shown(new_key, skip=was))

    @staticmethod
    def commit(shown: list[AccountRow], change: RowChange, row: AccountRow) -> None:
        """Apply ``change`` (from ``upsert``) to the shown rows."""
        if change.was >= 0 and change.to != change.was:
            del shown[change.was]
            if change.to >= 0:
                shown.insert(change.to, row)
        elif change.was < 0 and change.to >= 0:
            shown.insert(change.to, row)
        elif change.to >= 0:
            shown[change.to] = row

    def remove(self, account_id: int) -> int | None:
        """Take a deleted account out of all rows; its shown place (-1: not shown), or None if
        there is no such row. The caller then deletes ``shown[place]``."""
        old = self._by_id.pop(account_id, None)
        if old is None:
            return None
        sort_keys = self._current_sort_keys()
        self._ascending.clear()
        was = self._visible_index(old)
        i = self._index_in_all(old)
        del self.all[i], self._keys[i], sort_keys[i]
        self._search_of.pop(account_id, None)
        return was

    def _current_sort_keys(self) -> list[Any]:
        """The sort keys of ``all``, made again after a new character was ranked. The order of
        the rows stays right (ranks only spread apart), only the key strings change."""
        column = COLUMNS[self.sort_column]
        if self._sort_keys is None or (column.pinyin and self._pinyin_version != PINYIN.version):
            if column.pinyin:
                PINYIN.learn({getattr(r, column.key) for r in self.all})
            self._sort_keys = list(map(column.sort_key, self.all))
        self._pinyin_version = PINYIN.version
        return self._sort_keys

    def _bisect(self, keys: list[Any], key: Any) -> int:
        """Where ``key`` goes among sorted ``keys`` (ascending or descending)."""
        if not self.descending:
            return bisect.bisect_left(keys, key)
        lo, hi = 0, len(keys)
        while lo < hi:
            mid = (lo + hi) // 2
            if keys[mid] > key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _index_in_all(self, row: AccountRow) -> int:
        i = self._bisect(self._current_sort_keys(), COLUMNS[self.sort_column].sort_key(row))
        if i < len(self.all) and self.all[i] is row:
            return i
        return next(n for n, r in enumerate(self.all) if r is row)  # not expected: keys are unique

    def _bisect_shown(self, key: Any, skip: int = -1) -> int:
        """Where a row with sort key ``key`` goes among the shown rows, leaving out row ``skip``."""
        sort_key = COLUMNS[self.sort_column].sort_key
        rows = self.shown
        lo, hi = 0, len(rows) - (1 if skip >= 0 else 0)
        while lo < hi:
            mid = (lo + hi) // 2
            k = sort_key(rows[mid + 1 if 0 <= skip <= mid else mid])
            if (k > key) if self.descending else (k < key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _visible_index(self, row: AccountRow) -> int:
        """The shown position of this very row object, or -1."""
        i = self._bisect_shown(COLUMNS[self.sort_column].sort_key(row))
        return i if i < len(self.shown) and self.shown[i] is row else -1

    # ------------------------------------------------------------------ data out
    def row_of_id(self, account_id: int) -> int:
        for i, r in enumerate(self.shown):
            if r.id == account_id:
                return i
        return -1

    def status_counts(self) -> Counter[str]:
        return Counter(r.status for r in self.shown)
