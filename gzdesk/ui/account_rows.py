"""The registry table's rows, search, filters and sort — no Qt classes (the Qt model in
``account_table`` only reads from here and tells the view what changed).

The accounts are kept as columns (``registry.AccountTable``: one list per field), not as 200,000
row objects; a row is its *slot*, its position in those lists. The engine keeps lists of slots: ``all``
in the current sort order and ``shown``, those the filters let through, in the same order. Each
column's sort keys are made once, one list over all slots, and kept (a row saved changes one entry);
each column's ascending order is kept once it has been made, so clicking a header sorted by before
only puts that order back (reversed for a descending sort); any change of a row forgets the kept
orders, never the keys. Ties sort by account id: the keys are sorted stably over the slots in id
order. 名称 and 主办单位 sort in pinyin order (``gzdesk.ui.pinyin``, which ranks characters with Qt's
collator: this module therefore stays in ui/).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, overload

from gzdesk import enums, registry
from gzdesk.overview import NO_HOST
from gzdesk.registry import AccountRow, AccountTable
from gzdesk.ui.bulk import paused_gc
from gzdesk.ui.pinyin import PINYIN

_STATUS_ORDER = {code: i for i, code in enumerate(enums.STATUS_LABELS)}
_MIN_DATE = date.min


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    field: str  # the AccountRow field (AccountTable column) the column sorts by
    part: Callable[[Any], Any]  # that field's value → what sorts; ties sort by id
    numeric: bool = False
    pinyin: bool = False  # ``part`` is PINYIN.key: keys of many texts are made by PINYIN.keys
    repeats: bool = False  # few distinct values (主办单位): a pinyin key is made once per distinct text

    def sort_key(self, row: AccountRow) -> tuple[Any, int]:
        """The order of one row (the engine sorts every row the same way, column by column)."""
        return self.part(getattr(row, self.field)), row.id


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", 56, "id", _same, numeric=True),
    Column("name", "名称", 190, "name", PINYIN.key, pinyin=True),
    Column("platform", "平台", 104, "platform_label", _same),
    Column("host_unit", "主办单位", 190, "host_unit", PINYIN.key, pinyin=True, repeats=True),
    Column("status", "运行状态", 72, "status", lambda s: _STATUS_ORDER.get(s, 99)),
    Column("last_update_on", "最近更新", 116, "last_update_on", lambda d: d or _MIN_DATE),
    Column("followers", "关注量", 76, "followers", lambda n: -1 if n is None else n, numeric=True),
    Column("handle", "账号ID", 170, "handle", lambda h: h or ""),
    Column("registered_on", "创建日期", 116, "registered_on", lambda d: d or _MIN_DATE),
)
COLUMN_KEYS = [c.key for c in COLUMNS]
# the pinyin columns prepare makes keys for: 主办单位 first, whose few texts rank most characters
_PREPARED = sorted(((i, c) for i, c in enumerate(COLUMNS) if c.pinyin), key=lambda ic: not ic[1].repeats)

search_key = registry.account_search_text  # one definition for the window and the command line


@dataclass(frozen=True)
class RowChange:
    """What ``AccountRows.upsert`` does to the shown rows: the row's slot and its shown place
    before (``was``) and after (``to``), -1 where it is not shown."""

    was: int
    to: int
    slot: int = -1


class RowsView(Sequence[AccountRow]):
    """Slots read as ``AccountRow`` objects, each made when asked for (a list of 200,000 rows is
    never built)."""

    def __init__(self, table: AccountTable, slots: list[int]):
        self._table, self._slots = table, slots

    def __len__(self) -> int:
        return len(self._slots)

    @overload
    def __getitem__(self, i: int) -> AccountRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[AccountRow]: ...
    def __getitem__(self, i: int | slice) -> AccountRow | list[AccountRow]:
        if isinstance(i, slice):
            return [self._table.row(s) for s in self._slots[i]]
        return self._table.row(self._slots[i])

    def __iter__(self) -> Iterator[AccountRow]:
        row = self._table.row
        return (row(s) for s in self._slots)


class AccountRows:
    """Every account, the filters and the sort; ``shown`` (slots) is what the table shows."""

    def __init__(self) -> None:
        self.table = AccountTable()  # the columns; a slot is a position in them
        self.all: list[int] = []  # the slots of every account, in the current sort order
        self.shown: list[int] = []  # those the filters let through, in the same order
        self._slot_of: dict[int, int] = {}  # account id → slot (deleted accounts are not here)
        self._id_order: list[int] | None = None  # slots by account id
        self._search: list[str] | None = None  # search key by slot (see prepare_search)
        self._search_part: list[str] = []  # the first ones, while prepare_search makes them
        self._keys_part: dict[int, tuple[int, list[str]]] = {}  # column → (PINYIN.version, first keys)
        self._learnt: dict[int, int] = {}  # column → how many of its texts prepare has ranked
        self._keys: dict[int, list[Any]] = {}  # column → sort key by slot, kept
        self._keys_version: dict[int, int] = {}  # column → PINYIN.version its pinyin keys were made with
        self._ascending: dict[int, list[int]] = {}  # column → every slot in ascending order
        self._text_words: list[str] = []
        self._platform: str | None = None
        self._status: str | None = None
        self._host_unit_id: int | None = None
        self._host_units: frozenset[int] | str | None = None  # a type of 主办单位 (首页), NO_HOST: none given
        self.sort_column = 0
        self.descending = False

    # ------------------------------------------------------------------ data in
    def set_rows(self, rows: list[AccountRow]) -> None:
        self.set_table(AccountTable.of_rows(rows))

    def set_table(self, table: AccountTable) -> None:
        """Every account anew (a reload): the sort and the filters stay."""
        with paused_gc():
            self.table = table
            self._slot_of = dict(zip(table.id, range(len(table.id)), strict=True))
            self._id_order = None
            self._search = None
            self._search_part = []
            self._keys_part.clear()
            self._learnt.clear()
            self._keys.clear()
            self._keys_version.clear()
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
        """Make ``all``: the kept ascending order of the column when there is one, else the
        column's sort keys (made once) sorted stably over the slots in id order."""
        with paused_gc():
            ascending = self._ascending.get(self.sort_column)
            if ascending is None:  # a pinyin order stays right when characters are ranked later
                keys = self._column_keys(self.sort_column)
                ascending = sorted(self._slots_by_id(), key=keys.__getitem__)
                self._ascending[self.sort_column] = ascending
            self.all = ascending[::-1] if self.descending else list(ascending)

    def _slots_by_id(self) -> list[int]:
        if self._id_order is None:
            ids = self.table.id
            self._id_order = sorted(self._slot_of.values(), key=ids.__getitem__)
        return self._id_order

    def _column_keys(self, column: int) -> list[Any]:
        """Every slot's sort key of ``column`` (dead slots too), made once and kept; a pinyin
        column's again after a new character was ranked (the order stays, the key strings change)."""
        col = COLUMNS[column]
        keys = self._keys.get(column)
        if keys is None or (col.pinyin and self._keys_version.get(column) != PINYIN.version):
            values = getattr(self.table, col.field)
            if col.pinyin and col.repeats:  # each distinct text once: 200,000 accounts, a few thousand 主办单位
                distinct = list(dict.fromkeys(values))
                keys = list(map(dict(zip(distinct, PINYIN.keys(distinct), strict=True)).__getitem__, values))
            elif col.pinyin:
                keys = PINYIN.keys(values)
            else:
                keys = list(values) if col.part is _same else list(map(col.part, values))
            self._keys[column] = keys
            self._keys_version[column] = PINYIN.version
        return keys

    def prepare_search(self, rows: int | None = None) -> bool:
        """Make the search keys of the next ``rows`` slots (all: None); True once every key is
        made. The page makes them a chunk at a time while the window is idle after showing the
        table (200,000 accounts: ~0.15 s in all), so neither the start nor the first keystroke waits."""
        if self._search is not None:
            return True
        part, n = self._search_part, len(self.table)
        part.extend(registry.account_search_texts(self.table, len(part), None if rows is None else len(part) + rows))
        if len(part) < n:
            return False
        self._search, self._search_part = part, []
        return True

    def prepare(self, rows: int = 20_000) -> bool:
        """One step of what the page makes while the window is idle after showing the table: the
        search keys, then the pinyin sort keys of 名称 and 主办单位, ``rows`` at a time (200,000
        accounts: ~0.4 s in all, steps of ≤ ~70 ms); True once all are made. A first click on
        名称 then only sorts the kept keys."""
        if not self.prepare_search(rows):
            return False
        for c, col in _PREPARED:
            if c not in self._keys or self._keys_version.get(c) != PINYIN.version:
                self._prepare_keys(c, col, rows)
                return False
        return True

    def _prepare_keys(self, c: int, col: Column, rows: int) -> None:
        values = getattr(self.table, col.field)
        part = self._keys_part.get(c)
        if col.repeats:
            self._column_keys(c)  # a few thousand distinct texts: at once
            return
        if part is None or part[0] != PINYIN.version:  # first every character ranked, then the keys
            learnt = self._learnt.get(c, 0)
            if learnt < len(values):
                PINYIN.learn(("".join(v or "" for v in values[learnt:learnt + rows]),))
                self._learnt[c] = learnt + rows
                return
            self._keys_part[c] = (PINYIN.version, [])
            return
        version, keys = part
        keys.extend(PINYIN.keys(values[len(keys):len(keys) + rows]))
        if PINYIN.version != version:  # a new character (not expected: all were ranked): again
            del self._keys_part[c]
            self._learnt.pop(c, None)
        elif len(keys) >= len(values):
            self._keys[c], self._keys_version[c] = keys, version
            del self._keys_part[c]
            self._learnt.pop(c, None)

    def _search_keys(self) -> list[str]:
        if self._search is None:
            self.prepare_search()
        assert self._search is not None
        return self._search

    # ------------------------------------------------------------------ filtering
    def filter(self) -> None:
        """Make ``shown``: the slots of ``all`` that every filter lets through."""
        rows: list[int] = self.all
        table = self.table
        words = self._text_words
        if words:
            keys = self._search_keys()
            if len(words) == 1:
                word = words[0]
                rows = [s for s in rows if word in keys[s]]
            else:
                rows = [s for s in rows if all(w in keys[s] for w in words)]
        if self._platform is not None:
            p, platform = self._platform, table.platform
            rows = [s for s in rows if platform[s] == p]
        if self._status is not None:
            st, status = self._status, table.status
            rows = [s for s in rows if status[s] == st]
        if self._host_unit_id is not None:
            u, host = self._host_unit_id, table.host_unit_id
            rows = [s for s in rows if host[s] == u]
        if self._host_units is not None:
            rows = [s for s in rows if self._in_host_units(s)]
        self.shown = rows if rows is not self.all else list(rows)

    def matches(self, slot: int) -> bool:
        """Whether the current filters let this slot through (as ``filter`` decides for all)."""
        t = self.table
        return ((not self._text_words or registry.matches_search(self._search_keys()[slot], self._text_words))
                and (self._platform is None or t.platform[slot] == self._platform)
                and (self._status is None or t.status[slot] == self._status)
                and (self._host_unit_id is None or t.host_unit_id[slot] == self._host_unit_id)
                and self._in_host_units(slot))

    def _in_host_units(self, slot: int) -> bool:
        units = self._host_units
        if units is None:
            return True
        host = self.table.host_unit_id[slot]
        if units == NO_HOST:
            return host is None
        return host in units

    # ------------------------------------------------------------------ one row at a time
    def upsert(self, row: AccountRow) -> RowChange:
        """Put a new or changed account in its place among all rows (in the current sort order)
        and say where it was and goes among the shown ones; ``commit(shown, change)`` then changes
        ``shown`` (the model tells the view in between)."""
        column = COLUMNS[self.sort_column]
        if column.pinyin:
            PINYIN.learn((getattr(row, column.field) or "",))
        keys = self._column_keys(self.sort_column)
        self._ascending.clear()
        slot = self._slot_of.get(row.id)
        was = -1
        if slot is not None:
            was = self._shown_place(slot)
            del self.all[self._place(self.all, slot)]
        else:
            slot = len(self.table)
            self._slot_of[row.id] = slot
            self._id_order = None
        self.table.put(slot, row)
        self._search_part = []  # a key already made may be this slot's: made again from the start
        self._keys_part.clear()
        self._learnt.clear()
        if self._search is not None:
            key = search_key(row)
            if slot == len(self._search):
                self._search.append(key)
            else:
                self._search[slot] = key
        for c, kept in list(self._keys.items()):  # every kept column's key of this slot
            col = COLUMNS[c]
            version = PINYIN.version
            if col.pinyin:
                PINYIN.learn((getattr(row, col.field) or "",))
            value = col.part(getattr(row, col.field))
            if version != PINYIN.version or (col.pinyin and self._keys_version.get(c) != version):
                del self._keys[c]  # a new character: made again when needed
                continue
            if slot == len(kept):
                kept.append(value)
            else:
                kept[slot] = value
        keys = self._column_keys(self.sort_column)
        self.all.insert(self._place(self.all, slot, keys), slot)
        if not self.matches(slot):
            return RowChange(was, -1, slot)
        return RowChange(was, self._place(self.shown, slot, keys, skip=was), slot)

    @staticmethod
    def commit(shown: list[int], change: RowChange) -> None:
        """Apply ``change`` (from ``upsert``) to the shown slots."""
        if change.was >= 0 and change.to != change.was:
            del shown[change.was]
            if change.to >= 0:
                shown.insert(change.to, change.slot)
        elif change.was < 0 and change.to >= 0:
            shown.insert(change.to, change.slot)

    def remove(self, account_id: int) -> int | None:
        """Take a deleted account out of all rows; its shown place (-1: not shown), or None if
        there is no such row. The caller then deletes ``shown[place]``."""
        slot = self._slot_of.get(account_id)
        if slot is None:
            return None
        self._column_keys(self.sort_column)
        self._ascending.clear()
        was = self._shown_place(slot)
        del self.all[self._place(self.all, slot)]
        del self._slot_of[account_id]
        self._id_order = None
        return was

    def _place(self, slots: list[int], slot: int, keys: list[Any] | None = None, skip: int = -1) -> int:
        """Where ``slot`` is or goes among ``slots`` (sorted by the current column, ties by id,
        ascending or descending), leaving out the entry at ``skip``."""
        keys = keys if keys is not None else self._column_keys(self.sort_column)
        ids = self.table.id
        key = (keys[slot], ids[slot])
        descending = self.descending
        lo, hi = 0, len(slots) - (1 if skip >= 0 else 0)
        while lo < hi:
            mid = (lo + hi) // 2
            s = slots[mid + 1 if 0 <= skip <= mid else mid]
            k = (keys[s], ids[s])
            if (k > key) if descending else (k < key):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _shown_place(self, slot: int) -> int:
        """The shown position of this slot, or -1."""
        i = self._place(self.shown, slot)
        return i if i < len(self.shown) and self.shown[i] == slot else -1

    # ------------------------------------------------------------------ data out
    def row(self, slot: int) -> AccountRow:
        return self.table.row(slot)

    def id_of(self, slot: int) -> int:
        return self.table.id[slot]

    def ids(self, slots: list[int]) -> list[int]:
        return list(map(self.table.id.__getitem__, slots))

    def rows_of(self, slots: list[int]) -> RowsView:
        return RowsView(self.table, slots)

    def row_of_id(self, account_id: int) -> int:
        slot = self._slot_of.get(account_id)
        return -1 if slot is None else self._shown_place(slot)

    def status_counts(self) -> Counter[str]:
        return Counter(map(self.table.status.__getitem__, self.shown))

    def host_units(self) -> set[tuple[str, int]]:
        """(name, id) of every 主办单位 that hosts an account."""
        t = self.table
        if len(self._slot_of) == len(t):  # no account deleted since the reload
            pairs = set(zip(t.host_unit, t.host_unit_id, strict=True))  # a few thousand distinct
            return {(n, u) for n, u in pairs if u is not None}
        names, hosts = t.host_unit, t.host_unit_id
        return {(names[s], u) for s in self.all if (u := hosts[s]) is not None}
