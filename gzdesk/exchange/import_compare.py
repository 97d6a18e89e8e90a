"""Comparing an import's plan with the registry: new, changed, the same, or in conflict.

``check_against(session, plan)`` decides create / update / same for every row (same uuid, or same
名称 + 平台 + 主办单位) and finds the 管理队伍 / 备案记录 rows whose account does not resolve. It
looks up only the records the file names (by uuid, name or number, through their indexes), so
its cost grows with the file, not with the registry.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, literal_column, select
from sqlalchemy.orm import Session, aliased

from gzdesk.exchange.columns import (
    ACCOUNT_COLUMN_BY_KEY,
    IMPORT_ONLY_KEYS,
    UNIT_FIELDS,
)
from gzdesk.exchange.import_plan import (
    CREATE,
    FILING_SCALARS,
    SAME,
    UNIT_SCALARS,
    UPDATE,
    ImportPlan,
)
from gzdesk.exchange.long_text import truncated_copy
from gzdesk.exchange.masking import masked_copy_of
from gzdesk.models import Account, Filing, Person, Unit

UNIT_UUID_KEYS = tuple(f"{k}_uuid" for k in UNIT_FIELDS)  # resolved when applied; names are compared


# --------------------------------------------------------------------------- against the database


@dataclass
class _Index:
    """What the database already holds, looked up by uuid and by natural keys."""

    accounts: dict[str, dict[str, Any]]  # uuid → row with unit names (the accounts the file's rows may update)
    account_ids: dict[str, int]  # uuid → id of every account the file names (by uuid or name)
    by_key: dict[tuple, str]  # (name, platform, host unit) → uuid
    by_name_platform: dict[tuple, list[str]]
    people: dict[str, dict[str, Any]]  # uuid → person row
    people_by_key: dict[tuple, str]  # (name, unit name) → uuid
    filings: dict[str, dict[str, Any]]  # uuid → filing row
    filing_numbers: dict[str, str]  # number → uuid
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # uuid → unit row with parent uuid
    units_by_name: dict[str, list[str]] = field(default_factory=dict)


def _keys(rows, *keys: str) -> set:
    return {r.values.get(k) for r in rows if not r.parse_problems for k in keys} - {None, ""}


Clause = Callable[[list[Any]], Any]


def _rows_matching(session: Session, stmt, id_col, wanted: list[tuple[Any, set]]) -> list[dict[str, Any]]:
    """Rows of ``stmt`` whose column is one of the values wanted (each through its index, 500
    values a query), once each, in id order — as a full read would give them, but only those.
    A column may be given as a function of the values making the clause instead."""
    found: dict[Any, dict[str, Any]] = {}
    for col, values in wanted:
        ordered = sorted(values, key=str)
        clause: Clause = col if callable(col) else col.in_
        for start in range(0, len(ordered), 500):
            for r in session.execute(stmt.where(clause(ordered[start:start + 500]))).mappings():
                found.setdefault(r[id_col], dict(r))
    return [found[k] for k in sorted(found)]


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None  # as the text columns read through the ORM


def _account_keys(session: Session, uuids: set, names: set,
                  pairs: set[tuple[str, str]]) -> list[tuple[int, str, str | None, str | None, str]]:
    """(id, uuid, name, platform, host unit name) of the accounts with these uuids, these names (on
    any platform) or these (name, platform) pairs, in id order: five columns through the driver, so
    that a file naming common account names (发布, 融媒…, thousands of accounts each at 200,000)
    reads their keys, not their whole rows — and, where the file gives the platform, only the
    accounts of that name on that platform (index ``ix_account_name_platform``)."""
    raw: Any = session.connection().connection.driver_connection
    found: dict[int, tuple[int, str, str | None, str | None, str]] = {}
    select_keys = "SELECT a.id, a.uuid, a.name, a.platform, u.name FROM "
    host = " LEFT JOIN unit u ON u.id = a.host_unit_id"
    queries: list[tuple[str, list]] = []
    for column, values in (("uuid", uuids), ("name", names)):
        ordered = sorted(values, key=str)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            queries.append((f"{select_keys}account a{host} WHERE a.{column} IN ({', '.join('?' for _ in chunk)})", chunk))
    ordered_pairs = sorted(pairs)
    for start in range(0, len(ordered_pairs), 250):
        chunk_pairs = ordered_pairs[start:start + 250]
        # the pairs as a table joined to the account: SQLite looks each one up in the index (a row
        # value IN (VALUES …) made it read the whole table)
        queries.append((f"WITH k(n, p) AS (VALUES {', '.join('(?, ?)' for _ in chunk_pairs)}) "
                        f"{select_keys}k CROSS JOIN account a ON a.name = k.n AND a.platform = k.p{host}",
                        [v for pair in chunk_pairs for v in pair]))
    for sql, params in queries:
        for aid, uuid, name, platform, host_name in raw.execute(sql, params):
            if aid not in found and isinstance(uuid, str):
                found[aid] = (aid, uuid, _text_or_none(name), _text_or_none(platform),
                              _text_or_none(host_name) or "")
    return [found[k] for k in sorted(found)]


def _unit_keys(session: Session, uuids: set, names: set) -> list[tuple[int, str, str | None]]:
    """(id, uuid, name) of the units with these uuids or names, in id order (through the driver)."""
    raw: Any = session.connection().connection.driver_connection
    found: dict[int, tuple[int, str, str | None]] = {}
    for column, values in (("uuid", uuids), ("name", names)):
        ordered = sorted(values, key=str)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            marks = ", ".join("?" for _ in chunk)
            for uid, uuid, name in raw.execute(f"SELECT id, uuid, name FROM unit WHERE {column} IN ({marks})", chunk):
                if uid not in found and isinstance(uuid, str):
                    found[uid] = (uid, uuid, _text_or_none(name))
    return [found[k] for k in sorted(found)]


def _load_index(session: Session, plan: ImportPlan) -> _Index:
    """What the database holds that the file's rows can match: the records named in the file by
    uuid, name or number — looked up through their indexes, so that checking a 300-row file
    against 200,000 accounts costs what the 300 rows need, not a read of the whole library.
    Accounts are found by their keys first; only those a row of the accounts sheet can update
    (same uuid, or same 名称 + 平台 + 主办单位) are read whole."""
    from gzdesk.exchange.excel_export import _account_stmt

    team = plan.team.rows if plan.team else []
    filing_rows = plan.filings.rows if plan.filings else []
    unit_rows = plan.units.rows if plan.units else []
    account_uuids = _keys(plan.rows, "uuid") | _keys(team + filing_rows, "account_uuid")
    # An account row is matched on (名称, 平台, 主办单位), a team or filing row on (名称, 平台) where it
    # gives the platform: only those pairs are looked up; a name given without its platform (or with
    # one that is not text) is looked up on every platform, as ``resolve_account`` compares it.
    account_names: set = set()
    account_pairs: set[tuple[str, str]] = set()
    for sheet_rows, name_key, platform_key in ((plan.rows, "name", "platform"),
                                               (team + filing_rows, "account_name", "account_platform")):
        for named in sheet_rows:
            name, platform = named.values.get(name_key), named.values.get(platform_key)
            if named.parse_problems or name in (None, ""):
                continue
            if isinstance(name, str) and isinstance(platform, str) and platform:
                account_pairs.add((name, platform))
            else:
                account_names.add(name)
    by_key: dict[tuple, str] = {}
    by_np: dict[tuple, list[str]] = {}
    account_ids: dict[str, int] = {}
    for aid, u, name, platform, host in _account_keys(session, account_uuids, account_names, account_pairs):
        account_ids[u] = aid
        by_key[(name, platform, host)] = u
        by_np.setdefault((name, platform), []).append(u)
    wanted = {account_ids[u] for u in _keys(plan.rows, "uuid") if u in account_ids}
    for row in plan.rows:
        if not row.parse_problems:
            v = row.values
            same = by_key.get((v.get("name"), v.get("platform"), v.get("host_unit") or ""))
            if same is not None:
                wanted.add(account_ids[same])
    accounts = {r["uuid"]: r for r in _rows_matching(session, _account_stmt(), "id", [(Account.id, wanted)])}
    people: dict[str, dict[str, Any]] = {}
    people_by_key: dict[tuple, str] = {}
    stmt = select(Person.__table__, Unit.name.label("unit")).outerjoin(Unit, Person.unit_id == Unit.id)
    for r in _rows_matching(session, stmt, "id", [(Person.uuid, _keys(team, "person_uuid")),
                                                   (Person.name, _keys(team, "name"))]):
        people[r["uuid"]] = r
        people_by_key.setdefault((r["name"], r["unit"] or ""), r["uuid"])
    filings: dict[str, dict[str, Any]] = {}
    numbers: dict[str, str] = {}
    # The numbers' index is on (coalesce(origin, ''), number), the expression written as it is
    # there: naming the origins lets SQLite use it (a plain number IN (…) reads every filing).
    origin: Any = literal_column("coalesce(filing.origin, '')")
    origins = sorted({o or "" for o in session.scalars(select(Filing.origin).distinct())}) if filing_rows else []

    def by_number(chunk: list[Any]) -> Any:
        return and_(origin.in_(origins), Filing.number.in_(chunk))

    for r in _rows_matching(session, select(Filing.__table__), "id",
                            [(Filing.uuid, _keys(filing_rows, "uuid")), (by_number, _keys(filing_rows, "number"))]):
        filings[r["uuid"]] = r
        numbers[r["number"]] = r["uuid"]
    # Units by name are many (each county has its 公安局): their keys first, whole rows only for
    # the units a row can update (same uuid, or the one unit of its name).
    unit_uuids, unit_names = _keys(unit_rows, "uuid"), _keys(unit_rows, "name")
    units_by_name: dict[str, list[str]] = {}
    wanted_units: set[int] = set()
    for uid, unit_uuid, unit_name in _unit_keys(session, unit_uuids, unit_names):
        if unit_name is not None and unit_name in unit_names:
            units_by_name.setdefault(unit_name, []).append(unit_uuid)
        if unit_uuid in unit_uuids:
            wanted_units.add(uid)
    parent = aliased(Unit)
    units: dict[str, dict[str, Any]] = {}
    stmt = select(Unit.__table__, parent.uuid.label("parent_uuid")).outerjoin(parent, Unit.parent_id == parent.id)
    single = {found[0] for found in units_by_name.values() if len(found) == 1}
    for r in _rows_matching(session, stmt, "id", [(Unit.id, wanted_units), (Unit.uuid, single)]):
        units[r["uuid"]] = r
    return _Index(accounts, account_ids, by_key, by_np, people, people_by_key, filings, numbers, units,
                  units_by_name)


def same_value(key: str, new: Any, old: Any) -> bool:
    """Equal, or a copy that must not replace the stored value: its numbers masked (a 脱敏
    copy), or the stored text cut at Excel's cell limit (issue 8 item 7)."""
    if new == old:
        return True
    if isinstance(new, str) and isinstance(old, str):
        return masked_copy_of(new, old) or truncated_copy(new, old)
    return False


def _changed_fields(values: dict[str, Any], existing: dict[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    return [k for k, v in values.items() if k not in skip and not same_value(k, v, existing.get(k))]


def _write_state(session: Session) -> tuple[Any, int]:
    """(the session's transaction, how many rows its connection has written so far)."""
    raw: Any = session.connection().connection.driver_connection
    return session.get_transaction(), raw.total_changes


def checked_here(session: Session, plan: ImportPlan) -> bool:
    """Whether ``check_against`` ran on this plan in this session's transaction, still open, with
    nothing written since (pending changes are flushed first): the database is then what was
    checked — the write transaction holds the operation lock, so no other gzdesk process wrote
    to it — and a second check would find the same. The plan's corrections (``remap``,
    ``fix_cells``) clear it."""
    if not plan.checked or plan.checked_in is None:
        return False
    session.flush()
    transaction, changes = _write_state(session)
    ref, then = plan.checked_in
    return transaction is not None and ref() is transaction and changes == then


def check_against(session: Session, plan: ImportPlan) -> ImportPlan:
    """Decide create / update / same for every row and find links that do not resolve."""
    index = _load_index(session, plan)
    file_accounts: dict[str, str] = {}  # uuid → uuid as it will be after import
    file_np: dict[tuple, list[str]] = {}
    key_count = Counter((r.values.get("name"), r.values.get("platform"), r.values.get("host_unit") or "")
                        for r in plan.rows if not r.parse_problems)
    for r in plan.rows:
        r.link_problems, r.notes = [], []
        v = r.values
        if r.parse_problems:
            continue
        target = None
        if v.get("uuid") and v["uuid"] in index.accounts:
            target = v["uuid"]
        elif (v["name"], v["platform"], v.get("host_unit") or "") in index.by_key and \
                key_count[(v["name"], v["platform"], v.get("host_unit") or "")] == 1:
            target = index.by_key[(v["name"], v["platform"], v.get("host_unit") or "")]
            if v.get("uuid") and v["uuid"] != target:
                r.notes.append("唯一标识不同，但名称、平台、主办单位与现有账号相同，按同一账号更新")
        if target is None:
            r.action, r.target_uuid = CREATE, v.get("uuid") or None
        else:
            changed = _changed_fields(v, index.accounts[target], skip=("uuid", *IMPORT_ONLY_KEYS, *UNIT_UUID_KEYS))
            r.action, r.target_uuid = (UPDATE if changed else SAME), target
            if changed:
                labels = "、".join(ACCOUNT_COLUMN_BY_KEY[k].header for k in changed[:4])
                r.notes.append(f"已有此账号，将更新：{labels}{'等' if len(changed) > 4 else ''}")
            else:
                r.notes.append("已有此账号，内容相同")
            cut = [ACCOUNT_COLUMN_BY_KEY[k].header for k, val in v.items()
                   if k in ACCOUNT_COLUMN_BY_KEY and truncated_copy(val, index.accounts[target].get(k))]
            if cut:
                r.notes.append(f"文件中的“{'、'.join(cut)}”被截断在 Excel 单元格上限，保留库中的完整内容")
        key_uuid = r.target_uuid or f"row:{r.line}"
        if v.get("uuid"):
            file_accounts[v["uuid"]] = key_uuid
        file_np.setdefault((v["name"], v["platform"]), []).append(key_uuid)

    file_names: dict[str, list[str]] = {}  # name → account keys, for rows that give no platform
    for (n, _p), keys in file_np.items():
        file_names.setdefault(n, []).extend(keys)
    db_names: dict[str, list[str]] = {}
    for (n, _p), keys in index.by_name_platform.items():
        db_names.setdefault(n, []).extend(keys)

    def resolve_account(v: dict[str, Any]) -> tuple[str | None, str | None]:
        """(account key, problem) for a 管理队伍 / 备案记录 row."""
        u = v.get("account_uuid")
        if u:
            if u in file_accounts:
                return file_accounts[u], None
            if u in index.account_ids:
                return u, None
        name, platform = v.get("account_name"), v.get("account_platform")
        if name:
            found = set(file_np.get((name, platform), []) if platform else file_names.get(name, []))
            if not found:
                found = set(index.by_name_platform.get((name, platform), []) if platform else
                            db_names.get(name, []))
            if len(found) == 1:
                return found.pop(), None
            if len(found) > 1:
                return None, f"账号“{name}”有多个（请填写平台或唯一标识）"
        if not name and not u:
            return None, None
        return None, f"找不到账号“{name or u}”"

    if plan.team:
        for r in plan.team.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            key, problem = resolve_account(r.values)
            if problem:
                r.link_problems.append(problem)
            r.values["_account"] = key
            pu = r.values.get("person_uuid")
            existing = pu if pu in index.people else index.people_by_key.get((r.values["name"],
                                                                                r.values.get("unit") or ""))
            r.action, r.target_uuid = (CREATE, pu) if existing is None else (UPDATE, existing)
    if plan.filings:
        for r in plan.filings.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            v = r.values
            key, problem = resolve_account(v)
            if problem:
                r.link_problems.append(problem)
            v["_account"] = key
            existing = v.get("uuid") if v.get("uuid") in index.filings else index.filing_numbers.get(v["number"])
            if existing is None:
                r.action, r.target_uuid = CREATE, v.get("uuid")
            else:
                if v.get("uuid") and v["uuid"] != existing:
                    r.link_problems.append(f"备案编号“{v['number']}”已被另一条备案使用")
                changed = [k for k in FILING_SCALARS if k in v and not same_value(k, v[k], index.filings[existing].get(k))]
                r.action, r.target_uuid = (UPDATE if changed else SAME), existing
    if plan.units:
        names_in_file = Counter(r.values.get("name") for r in plan.units.rows)
        for r in plan.units.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            v = r.values
            existing = v.get("uuid") if v.get("uuid") in index.units else None
            same_name = index.units_by_name.get(v["name"], [])
            if existing is None and len(same_name) == 1 and (not v.get("uuid") or names_in_file[v["name"]] == 1):
                existing = same_name[0]  # e.g. this office's own unit, made by init with another uuid
            if existing is None:
                r.action, r.target_uuid = CREATE, v.get("uuid")
            else:
                old = index.units[existing]
                changed = [k for k in UNIT_SCALARS if k in v and not same_value(k, v[k], old.get(k))]
                r.action, r.target_uuid = (UPDATE if changed else SAME), existing
    plan.checked = True
    transaction, changes = _write_state(session)
    plan.checked_in = (weakref.ref(transaction), changes) if transaction is not None else None
    return plan


