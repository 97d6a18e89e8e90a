"""The registry service: accounts, units, people and management teams.

Functions take an open session (from ``Database.transaction()`` / ``reader()``) and exchange plain
dataclasses with their callers, so the window, the command line and the tests share one set of
rules. Every write is audited by the session (see ``gzdesk.audit``).
"""

from __future__ import annotations

import base64
import itertools
import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from gzdesk import conflicts, enums, fields, value_check
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, Platform, Role, TaskKind, UnitType
from gzdesk.errors import NotFound, UserError
from gzdesk.fetch import all_rows
from gzdesk.models import Account, AccountRole, Filing, Person, Task, Unit
from gzdesk.models.types import BadValue, read_date, sqlite_text_first
from gzdesk.people_tasks import departure_task_due, office_departure_article
from gzdesk.permissions import Cap, require
from gzdesk.validation import phone_problem, url_problem

# --------------------------------------------------------------------------- plain objects


@dataclass
class TeamMember:
    """A person's role on an account (管理队伍 on the 南通 form)."""

    person_id: int
    role: str
    name: str = ""
    unit: str = ""
    title: str = ""
    office_phone: str = ""
    mobile: str = ""

    @property
    def role_label(self) -> str:
        return enums.label("role", self.role)


@dataclass
class AccountData:
    """Every editable field of an account; ``id`` None for a new one."""

    name: str = ""
    platform: str = Platform.WECHAT_SUBSCRIPTION
    id: int | None = None
    uuid: str | None = None
    handle: str | None = None
    platform_other: str | None = None
    registered_on: date | None = None
    followers: int | None = None
    followers_on: date | None = None
    status: str = AccountStatus.NORMAL
    verified: bool | None = None
    verification_names_host: bool | None = None
    news_license: bool | None = None
    supervisor_unit_id: int | None = None
    supervisor_leader: str | None = None
    supervisor_phone: str | None = None
    host_unit_id: int | None = None
    host_leader: str | None = None
    host_phone: str | None = None
    operator_unit_id: int | None = None
    operator_leader: str | None = None
    operator_phone: str | None = None
    url: str | None = None
    qr_image: bytes | None = None
    intro: str | None = None
    last_update_on: date | None = None
    last_original_on: date | None = None
    tags: str | None = None
    notes: str | None = None
    name_consent_on: date | None = None  # 云南 第十六条 同级政府同意 (date)
    name_consent_ref: str | None = None  # … and its reference
    team: list[TeamMember] = field(default_factory=list)
    version: int | None = None  # as read; a save of an older version is refused (gzdesk.conflicts)


# The account's fields, in the catalogue's order (tests check AccountData has exactly these).
ACCOUNT_FIELDS = list(fields.KEYS)


@dataclass(slots=True)
class AccountRow:
    """One line of the registry table."""

    id: int
    name: str
    platform: str
    platform_label: str
    host_unit: str
    status: str
    status_label: str
    last_update_on: date | None
    followers: int | None
    handle: str | None
    registered_on: date | None
    supervisor_unit: str
    operator_unit: str
    host_unit_id: int | None
    uuid: str
    # (field, what is wrong) for each stored value that cannot be read (shown empty): see value_check
    bad_values: tuple[tuple[str, str], ...] = ()


@dataclass
class UnitData:
    name: str = ""
    kind: str = UnitType.OTHER
    id: int | None = None
    uuid: str | None = None
    parent_id: int | None = None
    head: str | None = None
    leader: str | None = None
    phone: str | None = None
    classified: bool = False
    notes: str | None = None
    account_count: int = 0
    version: int | None = None  # as read (see AccountData.version)


@dataclass
class PersonData:
    name: str = ""
    id: int | None = None
    uuid: str | None = None
    unit_id: int | None = None
    unit_name: str = ""
    title: str | None = None
    office_phone: str | None = None
    mobile: str | None = None
    trained_on: date | None = None
    left_on: date | None = None
    notes: str | None = None
    account_count: int = 0
    version: int | None = None  # as read (see AccountData.version)


UNIT_LABELS = {"name": "名称", "kind": "类型", "parent_id": "上级单位", "head": "主要负责人",
               "leader": "分管领导及职务", "phone": "联系电话", "classified": "涉密单位", "notes": "备注"}
PERSON_LABELS = {"name": "姓名", "unit_id": "单位", "title": "职务", "office_phone": "办公电话", "mobile": "手机号码",
                 "trained_on": "培训日期", "left_on": "离职日期", "notes": "备注"}


# --------------------------------------------------------------------------- validation


def account_problems(data: AccountData) -> list[tuple[str, str]]:
    """(field, message) for every problem; empty when the account may be saved."""
    out: list[tuple[str, str]] = []
    if not (data.name or "").strip():
        out.append(("name", "账号名称不能为空"))
    if data.platform not in enums.PLATFORM_LABELS:
        out.append(("platform", f"未知平台“{data.platform}”"))
    elif data.platform == Platform.OTHER and not (data.platform_other or "").strip():
        out.append(("platform_other", "平台选“其他”时请填写平台名称"))
    if data.status not in enums.STATUS_LABELS:
        out.append(("status", f"未知运行状态“{data.status}”"))
    if data.followers is not None and data.followers < 0:
        out.append(("followers", "关注量不能为负数"))
    for key in fields.PHONE_KEYS:
        problem = phone_problem(getattr(data, key))
        if problem:
            out.append((key, problem))
    problem = url_problem(data.url)
    if problem:
        out.append(("url", problem))
    today = date.today()
    for f in fields.CATALOGUE:
        value = getattr(data, f.key) if f.not_future else None
        if value is not None and value > today + timedelta(days=1):
            out.append((f.key, f"{f.label}不能晚于今天"))
    if data.registered_on and data.last_update_on and data.last_update_on < data.registered_on:
        out.append(("last_update_on", "最近更新日期不能早于创建日期"))
    return out


def person_problems(data: PersonData) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not (data.name or "").strip():
        out.append(("name", "姓名不能为空"))
    p = phone_problem(data.office_phone)
    if p:
        out.append(("office_phone", p))
    p = phone_problem(data.mobile, mobile_only=True)
    if p:
        out.append(("mobile", p))
    if data.left_on and data.trained_on and data.left_on < data.trained_on:
        out.append(("left_on", "离职日期不能早于培训日期"))
    return out


def unit_problems(data: UnitData) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if not (data.name or "").strip():
        out.append(("name", "单位名称不能为空"))
    if data.kind not in enums.UNIT_TYPE_LABELS:
        out.append(("kind", f"未知单位类型“{data.kind}”"))
    p = phone_problem(data.phone)
    if p:
        out.append(("phone", p))
    return out


def _raise_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise UserError(problems[0][1])


# --------------------------------------------------------------------------- accounts


def _get(session: Session, model, record_id: int, what: str):
    obj = session.get(model, record_id)
    if obj is None:
        raise NotFound(f"找不到编号为 {record_id} 的{what}")
    return obj


_ACCOUNT = Account.__table__.c

# the registry table's own columns: a stored value that cannot be read is shown empty and named
_SHOWN = value_check.ListColumns(c.property.columns[0] for c in (
    Account.name, Account.platform, Account.status, Account.last_update_on, Account.followers,
    Account.handle, Account.registered_on, Account.platform_other))


def _table_statement(shown_only: bool):
    """The registry table's columns; unit names are read apart (``_unit_names``): a county's few
    thousand units, where three joins would repeat each name on 200,000 rows. ``shown_only``:
    NULL for what the window's table neither shows nor searches (uuid, 监管 and 运维 unit)."""
    unread: Any = literal_column("NULL")
    acc = _ACCOUNT  # the table's columns, not the mapped class's: the window's first read maps no table
    extra = (unread, unread, unread) if shown_only else (acc.supervisor_unit_id, acc.operator_unit_id, acc.uuid)
    return select(acc.id, acc.host_unit_id, *extra, *_SHOWN.selected)


@dataclass
class AccountTable:
    """Every registry-table line as columns: one list per ``AccountRow`` field, position ``i`` of
    each list one account (in id order as read). The window keeps these lists, not 200,000 row
    objects (issue 14: 464 MB and seconds to build them); ``row(i)`` makes the ``AccountRow``."""

    id: list[int] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    platform: list[str] = field(default_factory=list)
    platform_label: list[str] = field(default_factory=list)
    host_unit: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    status_label: list[str] = field(default_factory=list)
    last_update_on: list[date | None] = field(default_factory=list)
    followers: list[int | None] = field(default_factory=list)
    handle: list[str | None] = field(default_factory=list)
    registered_on: list[date | None] = field(default_factory=list)
    supervisor_unit: list[str] = field(default_factory=list)
    operator_unit: list[str] = field(default_factory=list)
    host_unit_id: list[int | None] = field(default_factory=list)
    uuid: list[str] = field(default_factory=list)
    bad_values: dict[int, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # by position

    def __len__(self) -> int:
        return len(self.id)

    def row(self, i: int) -> AccountRow:
        return AccountRow(**{f: getattr(self, f)[i] for f in ROW_FIELDS}, bad_values=self.bad_values.get(i, ()))

    def rows(self) -> list[AccountRow]:
        return [self.row(i) for i in range(len(self.id))]

    def append(self, row: AccountRow) -> int:
        """Add one row at the end; its position."""
        return self.put(len(self.id), row)

    def put(self, i: int, row: AccountRow) -> int:
        """Set position ``i`` (``len(self)``: a new one at the end) to ``row``'s values."""
        new = i == len(self.id)
        for f in ROW_FIELDS:
            if new:
                getattr(self, f).append(getattr(row, f))
            else:
                getattr(self, f)[i] = getattr(row, f)
        if row.bad_values:
            self.bad_values[i] = row.bad_values
        else:
            self.bad_values.pop(i, None)
        return i

    @classmethod
    def joined(cls, parts: list[AccountTable]) -> AccountTable:
        """The tables one after the other (positions, and ``bad_values`` with them, run on)."""
        table = cls()
        for part in parts:
            at = len(table)
            for f in ROW_FIELDS:
                getattr(table, f).extend(getattr(part, f))
            table.bad_values.update((at + i, bad) for i, bad in part.bad_values.items())
        return table

    @classmethod
    def of_rows(cls, rows: list[AccountRow]) -> AccountTable:
        table = cls()
        for r in rows:
            table.append(r)
        return table


ROW_FIELDS = [f for f in AccountRow.__dataclass_fields__ if f != "bad_values"]
_TABLE_SQL: dict[str, str] = {}


def _raw_columns(session: Session, sql: str, params: tuple = (), shared: tuple[int, ...] = ()) -> list[list]:
    """The result of ``sql`` as one list per column, read through the session's own SQLite
    connection a chunk at a time (never all rows as tuples at once); in the columns ``shared`` each
    distinct value is one object (codes, unit ids, dates: a few hundred values on 200,000 rows).

    Text is decoded by SQLite (the connection's Python text factory costs a call per value:
    2,000,000 calls for the registry table at 200,000 accounts). A file with a byte that is not
    UTF-8 is read again through that factory, which shows the byte as U+FFFD as every other read does."""
    raw: Any = session.connection().connection.dbapi_connection

    def read() -> list[list]:
        columns = _json_columns(raw, sql, params, shared)
        return columns if columns is not None else _read_columns(raw, sql, params, shared)

    return sqlite_text_first(raw, read, again=lambda: _read_columns(raw, sql, params, shared))


def _json_columns(raw: sqlite3.Connection, sql: str, params: tuple, shared: tuple[int, ...]) -> list[list] | None:
    """The columns of ``sql`` (whose first column is the id) made by SQLite as one JSON array
    each and read by ``json.loads``: no Python tuple per row (200,000 accounts: ~0.3 s less than
    row by row). None where SQLite cannot (a BLOB where a number was expected, an SQLite without
    JSON): then the rows are read one by one."""
    width = len(raw.execute(f"SELECT * FROM ({sql}) LIMIT 0", params).description)  # noqa: S608 (our SQL)
    names = [f"c{i}" for i in range(width)]
    query = (f"WITH t({', '.join(names)}) AS ({sql}) "  # noqa: S608 (our SQL)
             f"SELECT {', '.join(f'json_group_array({n})' for n in names)} FROM t")
    try:
        arrays = raw.execute(query, params).fetchone()
    except sqlite3.OperationalError as exc:
        if "decode" in str(exc):
            raise
        return None
    columns = []
    for i, array in enumerate(arrays):
        values = json.loads(array)
        if i in shared:
            one: dict = {}
            values = list(map(one.setdefault, values, values))
        columns.append(values)
    ids = columns[0]
    if any(a >= b for a, b in zip(ids, ids[1:], strict=False)):  # an aggregate need not keep the order: put it back
        order = sorted(range(len(ids)), key=ids.__getitem__)
        columns = [[c[i] for i in order] for c in columns]
    return columns


def _read_columns(raw: sqlite3.Connection, sql: str, params: tuple, shared: tuple[int, ...]) -> list[list]:
    cursor = raw.execute(sql, params)
    columns: list[list] = [[] for _ in cursor.description]
    known: dict[int, dict] = {i: {} for i in shared}
    while chunk := cursor.fetchmany(20_000):
        for i, column in enumerate(columns):
            values = map(itemgetter(i), chunk)  # faster than zip(*chunk) over many rows
            if i in known:
                listed = list(values)
                column.extend(map(known[i].setdefault, listed, listed))
            else:
                column.extend(values)
    return columns


def _processed(values: list, column, dialect) -> list:
    """``values`` as the ORM reads ``column`` (its type's result processor: e.g. a number stored in
    a text column reads as None); skipped when every value is already of the column's own kind."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds <= {int} if column.type.python_type is int else kinds <= {str}:
        return values
    process = column.type.result_processor(dialect, None)
    return values if process is None else list(map(process, values))


def _unit_names(session: Session, only: list | None = None) -> dict[int, str]:
    """Every unit's name by id (``only``: these ids' — one account's few)."""
    dialect = session.get_bind().dialect
    if only is None:
        ids, names = _raw_columns(session, "SELECT id, name FROM unit")
    else:
        wanted = [i for i in set(only) if type(i) is int]
        marks = ", ".join("?" * len(wanted))
        ids, names = _raw_columns(session, f"SELECT id, name FROM unit WHERE id IN ({marks})", tuple(wanted))  # noqa: S608
    return {i: n or "" for i, n in zip(_processed(ids, Unit.__table__.c.id, dialect),
                                       _processed(names, Unit.__table__.c.name, dialect), strict=True)
            if i is not None}


def _text_or_empty(values: list[str | None]) -> list[str]:
    return [v or "" for v in values] if None in values else values  # type: ignore[return-value]


def _date_or_none(value) -> date | None:
    if value is None:
        return None
    try:
        return read_date(value)
    except BadValue:
        return None


def account_table(session: Session, account_id: int | None = None, *, shown_only: bool = False) -> AccountTable:
    """Every account (or the one ``account_id``) as registry-table columns, by id.

    A stored value of a shown column that cannot be read (a hand-edited date such as
    ``2019.3.12``) is shown empty and named in ``bad_values`` (as ``list_accounts`` says).
    ``shown_only`` (the window's table): ``uuid``, ``supervisor_unit`` and ``operator_unit`` are
    left empty (""), a fifth less to read at 200,000 accounts."""
    key = "one" if account_id is not None else "all"
    columns = _raw_columns(session, _table_sql(session, key, shown_only), (account_id,) if account_id is not None else (),
                           shared=_SHARED)
    if not columns[0]:
        return AccountTable()
    units = _unit_names(session, None if account_id is None else [*columns[1], *columns[2], *columns[3]])
    return _table_of(session, columns, units, shown_only)


_SHARED = (1, 2, 3, 6, 7, 8, 11)  # the columns with few distinct values: unit ids, platform, status, dates


def _table_sql(session: Session, key: str, shown_only: bool) -> str:
    """The registry table's SQL, by id: ``all`` accounts, ``one`` (``id = ?``), the ``head`` (the
    first ``?``) or a ``part`` (``id > ?``, at most ``?`` of them); compiled once."""
    key = f"{key}{' shown' if shown_only else ''}"
    sql = _TABLE_SQL.get(key)
    if sql is None:
        stmt = _table_statement(shown_only)
        if key.startswith("one"):
            stmt = stmt.where(_ACCOUNT.id == literal_column("?"))
        elif key.startswith("part"):
            stmt = stmt.where(_ACCOUNT.id > literal_column("?"))
        compiled = stmt.order_by(_ACCOUNT.id).compile(dialect=session.get_bind().dialect,
                                                     compile_kwargs={"literal_binds": True})
        sql = _TABLE_SQL[key] = str(compiled) + (" LIMIT ?" if key.startswith(("head", "part")) else "")
    return sql


def _table_of(session: Session, columns: list[list], units: dict[Any, str], shown_only: bool) -> AccountTable:
    """The columns read by ``_table_sql`` (and the unit names) as an ``AccountTable``."""
    dialect = session.get_bind().dialect
    table = AccountTable()
    acc = _ACCOUNT
    (ids, host_ids, sup_ids, op_ids, uuids, names, platforms, statuses, lasts, followers, handles, regs,
     others, flags) = columns
    no_name = itertools.repeat("")
    table.id = _processed(ids, acc.id, dialect)
    table.host_unit_id = _processed(host_ids, acc.host_unit_id, dialect)
    table.host_unit = list(map(units.get, table.host_unit_id, no_name))
    if shown_only:
        table.supervisor_unit = table.operator_unit = table.uuid = [""] * len(ids)
    else:
        table.supervisor_unit = list(map(units.get, _processed(sup_ids, acc.supervisor_unit_id, dialect), no_name))
        table.operator_unit = list(map(units.get, _processed(op_ids, acc.operator_unit_id, dialect), no_name))
        table.uuid = _processed(uuids, acc.uuid, dialect)
    table.name, table.platform, table.status = (_text_or_empty(c) for c in (names, platforms, statuses))
    plat, stat = enums.PLATFORM_LABELS, enums.STATUS_LABELS
    table.platform_label = list(map(plat.get, table.platform, table.platform))
    if any(others):
        for i, other in enumerate(others):
            if other and table.platform[i] == Platform.OTHER:
                table.platform_label[i] = f"其他：{other}"
    table.status_label = list(map(stat.get, table.status, table.status))
    table.followers = followers
    table.handle = handles
    bad = {i for i, flag in enumerate(flags) if flag} if any(flags) else set()
    dates = {v: _date_or_none(v) for v in {*lasts, *regs}}  # each distinct date read once
    table.last_update_on = list(map(dates.__getitem__, lasts))
    table.registered_on = list(map(dates.__getitem__, regs))
    unreadable = {v for v, d in dates.items() if v is not None and d is None}
    if unreadable:  # an unreadable date is shown empty and its row flagged
        for column in (lasts, regs):
            bad.update(i for i, v in enumerate(column) if v in unreadable)
    if bad:
        found = _SHOWN.bad_values(session, Account.__table__, [table.id[i] for i in sorted(bad)])  # type: ignore[arg-type]
        table.bad_values = {i: found.get(table.id[i], ()) for i in sorted(bad)}
    return table


class AccountTableParts:
    """``account_table(shown_only=True)`` read a part at a time, by id: the window's first read of
    a big registry shows the first screenful and reads the rest after its first paint, a part per
    turn of its event loop (SQLite hands the interpreter lock back per row, so a worker thread
    would not free the window). ``step(session)`` reads the next part (``first`` accounts, then
    every unit's name, then ``size`` accounts at a time) and returns it; ``whole()``, once ``done``, is the table
    ``account_table(shown_only=True)`` reads at once. Holds no session: each step is given one
    (the caller reads again from the start if the registry changed between steps)."""

    def __init__(self, first: int = 200, size: int = 5_000):
        self.first, self.size = first, size
        self.parts: list[AccountTable] = []
        self.done = False
        self.read = 0  # accounts read so far
        self._after: int | None = None  # the last id read
        self._units: dict[Any, str] | None = None  # every unit's name, read with the second part

    def step(self, session: Session) -> AccountTable:
        if self.parts and self._units is None:  # every unit's name, in a step of its own (~40,000: ~50 ms)
            self._units = _unit_names(session)
            return AccountTable()
        params: tuple[int, ...]
        if self._after is None:  # nothing read yet (or nothing there)
            limit, key, params = self.first, "head", (self.first,)
        else:
            limit, key, params = self.size, "part", (self._after, self.size)
        columns = _raw_columns(session, _table_sql(session, key, True), params, shared=_SHARED)
        if not columns[0]:
            part = AccountTable()
        else:
            units = self._units if self._units is not None else _unit_names(session, columns[1])
            part = _table_of(session, columns, units, True)
            self._after = max(columns[0])
        self.parts.append(part)
        self.read += len(part)
        self.done = len(part) < limit
        return part

    def whole(self) -> AccountTable:
        return AccountTable.joined(self.parts)


def account_search_text(row: AccountRow) -> str:
    """What a search of the registry looks in: name, 账号ID and host unit, lowercased (the
    window's search-as-you-type and ``gzdesk accounts --search`` alike)."""
    return _search_text(row.name, row.handle, row.host_unit)


def _search_text(name: str, handle: str | None, host_unit: str) -> str:
    return f"{name}\n{handle or ''}\n{host_unit}".lower()


def account_search_texts(table: AccountTable, start: int = 0, stop: int | None = None) -> list[str]:
    """``account_search_text`` of the rows ``start:stop`` of ``table``, by position."""
    return list(map(_search_text, table.name[start:stop], table.handle[start:stop], table.host_unit[start:stop]))


def search_words(text: str | None) -> list[str]:
    """The words of a search (split at spaces); a row matches when it holds every one."""
    return (text or "").lower().split()


def matches_search(search_text: str, words: list[str]) -> bool:
    return all(w in search_text for w in words)


def list_accounts(session: Session) -> list[AccountRow]:
    """All accounts as table rows, ordered by id (the window sorts and filters in Python).

    A stored value of a shown column that cannot be read (a hand-edited date such as
    ``2019.3.12``) is shown empty and named in the row's ``bad_values``.
    """
    return account_table(session).rows()


def count_accounts(session: Session) -> int:
    # on the table, not the mapped class: the window counts before its first paint (see office.get_setting)
    return session.scalar(select(func.count()).select_from(Account.__table__)) or 0


def get_account(session: Session, account_id: int) -> AccountData:
    a = _get(session, Account, account_id, "账号")
    data = AccountData(id=a.id, uuid=a.uuid, version=a.version, **{k: getattr(a, k) for k in ACCOUNT_FIELDS})
    data.team = team_of(session, a.id)
    return data


def team_of(session: Session, account_id: int) -> list[TeamMember]:
    order = {r: i for i, r in enumerate(enums.ROLE_LABELS)}
    stmt = (select(AccountRole.role, Person.id, Person.name, Unit.name, Person.title,
                   Person.office_phone, Person.mobile)
            .join(Person, AccountRole.person_id == Person.id)
            .outerjoin(Unit, Person.unit_id == Unit.id)
            .where(AccountRole.account_id == account_id))
    members = [TeamMember(pid, role, name, unit or "", title or "", office or "", mobile or "")
               for role, pid, name, unit, title, office, mobile in session.execute(stmt)]
    return sorted(members, key=lambda m: (order.get(m.role, 99), m.name))


def save_account(session: Session, data: AccountData) -> int:
    """Create or update an account (and its team); returns its id. 经办人 or 管理员."""
    require(session, Cap.EDIT)
    return write_account(session, data)


def write_account(session: Session, data: AccountData) -> int:
    """``save_account`` without the permission check: the effect of an approved 变更, which the
    审核人 recording its last step applies (``filings.record_step``)."""
    data.name = (data.name or "").strip()
    _raise_first(account_problems(data))
    for key in ("supervisor_unit_id", "host_unit_id", "operator_unit_id"):
        unit_id = getattr(data, key)
        if unit_id is not None:
            _get(session, Unit, unit_id, "单位")
    if data.id is None:
        account = Account(name=data.name, platform=data.platform)
        session.add(account)
    else:
        account = _get(session, Account, data.id, "账号")
        conflicts.check_version(session, account, data.version, "账号", fields.LABELS)
    for key in ACCOUNT_FIELDS:
        value = getattr(data, key)
        if isinstance(value, str):
            value = value.strip() or None
            if key in ("name", "platform", "status"):
                value = value or getattr(data, key)
        if getattr(account, key) != value:
            setattr(account, key, value)
    session.flush()
    _set_team(session, account.id, [(m.person_id, m.role) for m in data.team])
    data.id, data.uuid, data.version = account.id, account.uuid, account.version
    return account.id


def set_team(session: Session, account_id: int, members: list[tuple[int, str]]) -> None:
    """Replace the account's 管理队伍 with (person_id, role) pairs, touching only what changed."""
    require(session, Cap.EDIT)
    _set_team(session, account_id, members)


def _set_team(session: Session, account_id: int, members: list[tuple[int, str]]) -> None:
    wanted = set()
    for person_id, role in members:
        if role not in enums.ROLE_LABELS:
            raise UserError(f"未知岗位“{role}”")
        _get(session, Person, person_id, "人员")
        wanted.add((person_id, role))
    existing = session.scalars(select(AccountRole).where(AccountRole.account_id == account_id)).all()
    have = {(r.person_id, r.role): r for r in existing}
    for key, row in have.items():
        if key not in wanted:
            session.delete(row)
    for person_id, role in wanted - set(have):
        session.add(AccountRole(account_id=account_id, person_id=person_id, role=role, since=date.today()))
    session.flush()


def delete_account(session: Session, account_id: int) -> None:
    """Delete an account that has no filings; a filed account is closed by a 注销 filing instead."""
    require(session, Cap.EDIT)
    account = _get(session, Account, account_id, "账号")
    n = session.scalar(select(func.count(Filing.id)).where(
        (Filing.account_id == account_id) | (Filing.kept_account_id == account_id)))
    if n:
        raise UserError(f"账号“{account.name}”已有 {n} 条备案记录，不能删除；停用的账号请办理注销备案")
    session.delete(account)
    session.flush()


def account_snapshot(session: Session, account_id: int) -> dict:
    """The account as filed: every form field with unit names and team, JSON-ready.

    Filings store this (``Filing.frozen``) so the printed form can be reproduced years later.
    """
    a = _get(session, Account, account_id, "账号")
    out = {"uuid": a.uuid}
    for key in ACCOUNT_FIELDS:
        value = getattr(a, key)
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, bytes):
            value = base64.b64encode(value).decode("ascii")
        out[key] = value
    out["platform_label"] = enums.label("platform", a.platform)
    out["status_label"] = enums.label("status", a.status)
    for prefix in ("supervisor", "host", "operator"):
        unit = getattr(a, f"{prefix}_unit")
        out[f"{prefix}_unit"] = unit.name if unit else None
    out["team"] = [dict(asdict(m), role_label=m.role_label) for m in team_of(session, a.id)]
    return out


# --------------------------------------------------------------------------- units


def list_units(session: Session) -> list[UnitData]:
    counts = dict(all_rows(session.execute(select(Account.host_unit_id, func.count(Account.id))
                                           .group_by(Account.host_unit_id))))
    stmt = (select(Unit.name, Unit.kind, Unit.id, Unit.uuid, Unit.parent_id, Unit.head, Unit.leader, Unit.phone,
                   Unit.classified, Unit.notes)
            .order_by(Unit.parent_id.is_not(None), Unit.parent_id, Unit.name))
    # plain columns, not ORM objects: a national library has ~100,000 units
    return [UnitData(name, kind, uid, uuid, parent_id, head, leader, phone, bool(classified), notes,
                     counts.get(uid, 0))
            for name, kind, uid, uuid, parent_id, head, leader, phone, classified, notes in session.execute(stmt)]


def get_unit(session: Session, unit_id: int) -> UnitData:
    u = _get(session, Unit, unit_id, "单位")
    return UnitData(name=u.name, kind=u.kind, id=u.id, uuid=u.uuid, parent_id=u.parent_id, head=u.head,
                    leader=u.leader, phone=u.phone, classified=u.classified, notes=u.notes, version=u.version)


def save_unit(session: Session, data: UnitData) -> int:
    require(session, Cap.EDIT)
    data.name = (data.name or "").strip()
    _raise_first(unit_problems(data))
    if data.id is None:
        unit = Unit(name=data.name, kind=data.kind)
        session.add(unit)
    else:
        unit = _get(session, Unit, data.id, "单位")
        conflicts.check_version(session, unit, data.version, "单位", UNIT_LABELS)
    if data.parent_id is not None:
        parent = _get(session, Unit, data.parent_id, "上级单位")
        seen = set()
        while parent is not None:  # refuse a cycle in the tree
            if parent.id == unit.id or parent.id in seen:
                raise UserError("上级单位不能是本单位或其下级单位")
            seen.add(parent.id)
            parent = parent.parent
    for key in ("name", "kind", "parent_id", "head", "leader", "phone", "classified", "notes"):
        value = getattr(data, key)
        if isinstance(value, str):
            value = value.strip() or (None if key not in ("name", "kind") else value)
        if getattr(unit, key) != value:
            setattr(unit, key, value)
    session.flush()
    data.id, data.uuid, data.version = unit.id, unit.uuid, unit.version
    return unit.id


def delete_unit(session: Session, unit_id: int) -> None:
    require(session, Cap.EDIT)
    unit = _get(session, Unit, unit_id, "单位")
    if session.scalar(select(func.count(Unit.id)).where(Unit.parent_id == unit_id)):
        raise UserError(f"单位“{unit.name}”下还有下级单位，不能删除")
    used = session.scalar(select(func.count(Account.id)).where(
        (Account.host_unit_id == unit_id) | (Account.supervisor_unit_id == unit_id)
        | (Account.operator_unit_id == unit_id)))
    if used:
        raise UserError(f"单位“{unit.name}”还关联着 {used} 个账号，不能删除")
    if session.scalar(select(func.count(Person.id)).where(Person.unit_id == unit_id)):
        raise UserError(f"单位“{unit.name}”还有人员，不能删除")
    from gzdesk.office import get_setting

    if get_setting(session, "office_unit_id") == str(unit_id):
        raise UserError("本单位不能删除")
    session.delete(unit)
    session.flush()


def find_or_create_unit(session: Session, name: str, kind: str | None = None,
                        parent_id: int | None = None) -> Unit:
    """The unit with this exact name, made if missing (kind guessed from the name)."""
    name = " ".join((name or "").split())
    if not name:
        raise UserError("单位名称不能为空")
    unit = session.scalars(select(Unit).where(Unit.name == name)).first()
    if unit is None:
        require(session, Cap.EDIT)
        unit = Unit(name=name, kind=kind or guess_unit_kind(name), parent_id=parent_id)
        session.add(unit)
        session.flush()
    return unit


def guess_unit_kind(name: str) -> str:
    if name.endswith(("镇人民政府", "乡人民政府", "镇政府", "乡政府")) or name.endswith(("镇", "乡")):
        return UnitType.TOWNSHIP
    if "街道" in name:
        return UnitType.SUBDISTRICT
    if "管委会" in name or "管理委员会" in name:
        return UnitType.DEV_ZONE
    if name.endswith(("人民政府", "人民政府办公室", "政府办")):
        return UnitType.GOVERNMENT
    if name.endswith(("局", "委员会", "委", "办公室", "办")):
        return UnitType.DEPARTMENT
    if name.endswith(("中心", "站", "所", "院", "馆", "队")):
        return UnitType.INSTITUTION
    if name.endswith(("科", "股", "室", "处")):
        return UnitType.INTERNAL
    return UnitType.OTHER


# --------------------------------------------------------------------------- people


def list_people(session: Session) -> list[PersonData]:
    counts = dict(all_rows(session.execute(
        select(AccountRole.person_id, func.count(func.distinct(AccountRole.account_id))).group_by(AccountRole.person_id))))
    stmt = (select(Person.name, Person.id, Person.uuid, Person.unit_id, Unit.name, Person.title,
                   Person.office_phone, Person.mobile, Person.trained_on, Person.left_on, Person.notes)
            .outerjoin(Unit, Person.unit_id == Unit.id).order_by(Person.name))
    return [PersonData(name, pid, uuid, unit_id, unit_name or "", title, office, mobile, trained, left, notes,
                       counts.get(pid, 0))
            for name, pid, uuid, unit_id, unit_name, title, office, mobile, trained, left, notes
            in session.execute(stmt)]


def _person_data(p: Person, unit_name: str | None, count: int = 0) -> PersonData:
    return PersonData(name=p.name, id=p.id, uuid=p.uuid, unit_id=p.unit_id, unit_name=unit_name or "",
                      title=p.title, office_phone=p.office_phone, mobile=p.mobile, trained_on=p.trained_on,
                      left_on=p.left_on, notes=p.notes, account_count=count, version=p.version)


def get_person(session: Session, person_id: int) -> PersonData:
    p = _get(session, Person, person_id, "人员")
    return _person_data(p, p.unit.name if p.unit else None)


def save_person(session: Session, data: PersonData) -> int:
    """Create or update a person. Recording a 离职日期 creates, for every account the person
    handled, a task to change its password and one to take back the work device (云南 第三十七条).

    A 离职日期 before the start of one of the person's roles (``departure_problem``) is not refused
    here: a role starts the day it is entered, which for a team typed in or imported late may be
    after a real departure. The person editor asks the clerk to confirm such a date."""
    require(session, Cap.EDIT)
    data.name = (data.name or "").strip()
    _raise_first(person_problems(data))
    if data.unit_id is not None:
        _get(session, Unit, data.unit_id, "单位")
    if data.id is None:
        person = Person(name=data.name)
        session.add(person)
        was_left = None
    else:
        person = _get(session, Person, data.id, "人员")
        conflicts.check_version(session, person, data.version, "人员", PERSON_LABELS)
        was_left = person.left_on
    for key in ("name", "unit_id", "title", "office_phone", "mobile", "trained_on", "left_on", "notes"):
        value = getattr(data, key)
        if isinstance(value, str):
            value = value.strip() or (None if key != "name" else value)
        if getattr(person, key) != value:
            setattr(person, key, value)
    session.flush()
    if data.left_on and not was_left:
        record_departure(session, person)
    data.id, data.uuid, data.version = person.id, person.uuid, person.version
    return person.id


def departure_problem(session: Session, person_id: int | None, left_on: date | None) -> str | None:
    """A 离职日期 before the person began a role on an account is a typing error: say which."""
    if person_id is None or left_on is None:
        return None
    row = session.execute(select(AccountRole.since, Account.name).join(Account, AccountRole.account_id == Account.id)
                          .where(AccountRole.person_id == person_id, AccountRole.since > left_on)
                          .order_by(AccountRole.since.desc())).first()
    if row is None:
        return None
    since, name = row
    return f"离职日期（{cn_date(left_on)}）早于其在“{name}”任职的开始日期（{cn_date(since)}），请核对日期"

def record_departure(session: Session, person: Person, article: str | None = None) -> None:
    """A person's 离职日期 was just recorded: for each account they handled, a task to change its
    password and one to take back the work device, due a few working days on
    (``people_tasks.departure_task_due``; 云南 第三十七条: 及时更改密码，
    将所配设备收回单位; the office's own article is cited, see ``people_tasks.departure_article``);
    their roles end on that day. ``article``: the citation, when the caller has it already."""
    accounts = session.scalars(select(Account).join(AccountRole, AccountRole.account_id == Account.id)
                               .where(AccountRole.person_id == person.id).distinct()).all()
    article = (article or office_departure_article(session))[:100]
    due = departure_task_due(session, person.left_on) if accounts and person.left_on is not None else None
    for account in accounts:
        for kind, what in ((TaskKind.PASSWORD_CHANGE, "更改账号密码"), (TaskKind.DEVICE_RETURN, "收回工作设备")):
            session.add(Task(kind=kind, title=f"{person.name}离职：{account.name}{what}",
                             account_id=account.id, person_id=person.id, due_on=due,
                             article=article))
    for role in session.scalars(select(AccountRole).where(AccountRole.person_id == person.id,
                                                          AccountRole.until.is_(None))):
        role.until = person.left_on


def delete_person(session: Session, person_id: int) -> None:
    require(session, Cap.EDIT)
    person = _get(session, Person, person_id, "人员")
    n = session.scalar(select(func.count(AccountRole.id)).where(AccountRole.person_id == person_id))
    if n:
        raise UserError(f"“{person.name}”还在 {n} 个账号的管理队伍中，请先从管理队伍移除或登记离职")
    session.delete(person)
    session.flush()


def open_tasks(session: Session) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.done_on.is_(None)).order_by(Task.due_on)))


def complete_task(session: Session, task_id: int, on: date | None = None) -> None:
    require(session, Cap.EDIT)
    task = _get(session, Task, task_id, "待办事项")
    task.done_on = on or date.today()
    session.flush()


ROLES = list(Role)


# --------------------------------------------------------------------------- light reads for the window
# The account editor and the registry table on a national registry (200,000 accounts, ~90,000 units,
# ~240,000 people): read one row, or only the columns a choice list shows.


def account_row(session: Session, account_id: int) -> AccountRow | None:
    """The registry-table line of one account (as ``list_accounts`` gives it); None when it is gone.

    Lets the window update one row after a save instead of reading 200,000 rows again.
    """
    table = account_table(session, account_id)
    return table.row(0) if len(table) else None


def unit_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every unit, by id: what a unit box offers (no counts, no contacts).

    The window puts them in pinyin order itself (SQLite orders Chinese by character code).
    """
    return [(uid, name) for uid, name in session.execute(select(Unit.id, Unit.name).order_by(Unit.id))]


def person_choices(session: Session) -> list[tuple[int, str, str]]:
    """(id, name, unit name) of every person, by id: what the 管理队伍 picker offers.

    Ordered by id, not name: sorting 240,000 names in SQLite costs more than the read itself,
    and the window sorts by pinyin anyway.
    """
    stmt = (select(Person.id, Person.name, Unit.name).outerjoin(Unit, Person.unit_id == Unit.id)
            .order_by(Person.id))
    return [(pid, name, unit or "") for pid, name, unit in session.execute(stmt)]


def departed_person_ids(session: Session) -> set[int]:
    """Ids of people with a 离职日期 (the picker marks them “已离职”)."""
    return set(session.scalars(select(Person.id).where(Person.left_on.is_not(None))))
