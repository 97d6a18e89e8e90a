"""Writing an import: the checked plan applied in the caller's one audited transaction.

``apply_plan`` writes nothing while a row has a problem unless the caller excludes the bad rows
explicitly (``skip_bad`` or ``row.excluded``) — all or nothing. New records go in as bulk inserts
with one summary audit event; changed existing records go through the ORM and are audited field by
field. A blank cell never erases a stored value, and a masked phone (138****1234) never replaces
the real number it masks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import audit, enums, registry
from gzdesk.errors import UserError
from gzdesk.exchange.columns import UNIT_FIELDS
from gzdesk.exchange.import_compare import check_against, checked_here, same_value
from gzdesk.exchange.import_plan import (
    CREATE,
    FILING_SCALARS,
    PERSON_FIELDS,
    UNIT_SCALARS,
    UPDATE,
    ImportPlan,
    PlanRow,
)
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.fields import SHEET_KEYS
from gzdesk.models import Account, AccountRole, ApprovalStep, Filing, Person, Task, Unit
from gzdesk.models.base import new_uuid, now
from gzdesk.people_tasks import office_departure_article
from gzdesk.permissions import Cap, require
from gzdesk.validation import MASKED_MOBILE_RE, MOBILE_RE, clean_phone

INSERT_CHUNK = 5000
MAX_LISTED_PROBLEMS = 10


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    roles_added: int = 0
    filings_created: int = 0
    filings_updated: int = 0
    departures: int = 0  # people whose 离职日期 this import recorded
    tasks_created: int = 0

    def summary(self) -> str:
        parts = [f"新增账号 {self.created} 个", f"更新 {self.updated} 个", f"未变 {self.unchanged} 个"]
        if self.skipped:
            parts.append(f"跳过有问题的行 {self.skipped} 行")
        if self.units_created or self.units_updated:
            parts.append(f"新建单位 {self.units_created} 个" + (f"、更新 {self.units_updated} 个" if self.units_updated else ""))
        if self.people_created or self.people_updated or self.roles_added:
            parts.append(f"人员新增 {self.people_created} 人、更新 {self.people_updated} 人，岗位新增 {self.roles_added} 个")
        if self.filings_created or self.filings_updated:
            parts.append(f"备案记录新增 {self.filings_created} 条、更新 {self.filings_updated} 条")
        if self.departures:
            parts.append(f"登记离职 {self.departures} 人，生成改密码、收回设备待办 {self.tasks_created} 项")
        return "，".join(parts)


# --------------------------------------------------------------------------- applying


def _refuse_if_bad(plan: ImportPlan, skip_bad: bool) -> int:
    """Raise unless every row passes or the bad ones are excluded; returns how many are left out."""
    left_out = 0
    for _sheet, r in plan.all_rows():
        if r.bad and skip_bad:
            r.excluded = True
        if r.excluded:
            left_out += 1
    remaining = plan.problem_lines(include_excluded=False)
    if remaining:
        n = sum(1 for _s, r in plan.bad_rows() if not r.excluded)
        shown = "；".join(remaining[:MAX_LISTED_PROBLEMS])
        more = f"……等共 {len(remaining)} 处" if len(remaining) > MAX_LISTED_PROBLEMS else ""
        raise UserError(f"有 {n} 行存在问题，未导入任何内容：{shown}{more}"
                        "（请改正后重新导入，或明确排除有问题的行）")
    return left_out


def _bulk_insert(session: Session, model, rows: list[dict[str, Any]]) -> None:
    """A plain executemany on the session's connection (same transaction, no ORM bookkeeping);
    the rows are noted for the import's audit event (``audit.record_bulk``).

    The statement is made once and each value goes through its column's own bind processor (what
    SQLAlchemy's insert does per row, without its per-row parameter handling: about half the
    time of an import's writes). A column left out gets its scalar default; every row has the
    keys of the first."""
    if not rows:
        return
    conn = session.connection()
    table = model.__table__
    keys = list(rows[0])
    given = set(keys)
    defaults = []
    for c in table.columns:
        if c.name in given or c.default is None:
            continue
        if not c.default.is_scalar:
            raise ValueError(f"{table.name}.{c.name}: a bulk insert must give it")  # uuid, created_at…
        defaults.append((c.name, c.default.arg))
    names = keys + [n for n, _ in defaults]
    processors = [table.c[n].type.bind_processor(conn.dialect) for n in names]
    fixed = [v if p is None or v is None else p(v)
             for (_n, v), p in zip(defaults, processors[len(keys):], strict=True)]
    processed = [(i, p) for i, p in enumerate(processors[:len(keys)]) if p is not None]  # few: booleans
    take = itemgetter(*keys) if len(keys) > 1 else (lambda r: tuple(r[k] for k in keys))
    params = []
    for r in rows:
        values = [*take(r), *fixed]
        for i, p in processed:
            v = values[i]
            if v is not None:
                values[i] = p(v)
        params.append(tuple(values))
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', params)
    audit.note_rows(session, model.__tablename__, (r["uuid"] for r in rows))


def _chunks(items: list, size: int = INSERT_CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Units:
    """Unit names → ids, creating missing units through the ORM (audited)."""

    def __init__(self, session: Session):
        self.session = session
        self.ids: dict[str, int] = {}
        self.by_uuid: dict[str, int] = {}
        for uid, name, uuid in session.execute(select(Unit.id, Unit.name, Unit.uuid).order_by(Unit.id)):
            self.ids.setdefault(name, uid)
            self.by_uuid[uuid] = uid
        self.created = 0
        self.updated = 0

    def prepare(self, names: set[str | None]) -> None:
        """Create every missing unit in one flush (audited; kind guessed from the name)."""
        missing = sorted(n for n in names if n and n not in self.ids)
        made = [Unit(name=n, kind=registry.guess_unit_kind(n)) for n in missing]
        self.session.add_all(made)
        self.session.flush()
        self.ids.update((u.name, u.id) for u in made)
        self.created += len(made)

    def id_for(self, name: str | None, uuid: str | None = None) -> int | None:
        """The unit named by uuid (when known here) or else by name, made if missing."""
        if uuid and uuid in self.by_uuid:
            return self.by_uuid[uuid]
        if not name:
            return None
        if name not in self.ids:
            self.ids[name] = registry.find_or_create_unit(self.session, name).id
            self.created += 1
        return self.ids[name]


def _apply_units(session: Session, rows: list[PlanRow], units: _Units) -> None:
    """The 单位名录 sheet: units keep their uuid, type, parent and contacts.

    New units go in as one bulk insert (noted for the import's audit event, as accounts are);
    existing ones are updated through the ORM (audited field by field). Parents come first in our
    export, so a new unit's parent is one made earlier from this sheet or one already in the
    database; a parent listed later, and the parent of an existing unit, is resolved once every
    unit of the sheet is in."""
    if not rows:
        return
    stamp = now()
    new: list[dict[str, Any]] = []
    made: dict[str, dict[str, Any]] = {}  # the file's uuid / name → the record of this sheet
    early: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (new unit, its parent made earlier here)
    later: list[tuple[PlanRow, dict[str, Any] | Unit]] = []
    placed: list[tuple[PlanRow, dict[str, Any] | Unit]] = []
    for r in rows:
        v = r.values
        parent_key = v.get("parent_uuid") or v.get("parent")
        parent_rec = made.get(parent_key) if parent_key else None
        parent_id = None
        if parent_key and parent_rec is None:  # a unit already in the database, else linked later
            parent_id = (units.by_uuid.get(v["parent_uuid"]) if v.get("parent_uuid")
                         else units.ids.get(v["parent"]))
        fields = {k: v[k] for k in UNIT_SCALARS if k in v}
        target: dict[str, Any] | Unit
        if r.action == CREATE:
            rec: dict[str, Any] = dict.fromkeys(UNIT_SCALARS)
            rec.update(fields)
            rec["kind"] = fields["kind"] if "kind" in fields else registry.guess_unit_kind(v["name"])
            rec["classified"] = bool(fields.get("classified"))
            rec.update(parent_id=parent_id, uuid=r.target_uuid or new_uuid(), created_at=stamp, updated_at=stamp,
                       origin=None)
            new.append(rec)
            if parent_rec is not None:
                early.append((rec, parent_rec))
            target = rec
            units.created += 1
        else:
            unit = session.scalars(select(Unit).where(Unit.uuid == r.target_uuid)).one()
            for k, value in fields.items():
                if not same_value(k, value, getattr(unit, k)):
                    setattr(unit, k, value)
            if r.action == UPDATE:
                units.updated += 1
            target = unit
        if parent_key and (r.action != CREATE or (parent_rec is None and parent_id is None)):
            later.append((r, target))  # an existing unit: its parent is compared once all are in
        for key in (v.get("uuid"), v["name"]):
            if key:
                made.setdefault(key, target if isinstance(target, dict) else {"uuid": target.uuid})
        placed.append((r, target))
    session.flush()
    before = session.scalar(select(func.max(Unit.id))) or 0
    for chunk in _chunks(new):
        _bulk_insert(session, Unit, chunk)
    made_ids: dict[str, int] = dict(session.execute(select(Unit.uuid, Unit.id).where(Unit.id > before)).all())

    def id_of(target: dict[str, Any] | Unit) -> int:
        return made_ids[target["uuid"]] if isinstance(target, dict) else target.id

    links = [(made_ids[rec["uuid"]], made_ids.get(parent["uuid"]) or units.by_uuid.get(parent["uuid"]))
             for rec, parent in early]
    for r, target in placed:
        uid = id_of(target)
        units.by_uuid[target["uuid"] if isinstance(target, dict) else target.uuid] = uid
        if r.values.get("uuid"):
            units.by_uuid[r.values["uuid"]] = uid  # the file's uuid for a unit matched by name
        name = target["name"] if isinstance(target, dict) else target.name
        units.ids.setdefault(name, uid)
    for r, target in later:
        v = r.values
        uid = id_of(target)
        parent_id = units.id_for(v.get("parent"), v.get("parent_uuid"))
        if isinstance(target, dict):
            if parent_id != uid:
                links.append((uid, parent_id))
        elif parent_id != target.id and target.parent_id != parent_id:
            target.parent_id = parent_id
    links = [(child, parent) for child, parent in links if parent is not None]
    if links:
        session.connection().exec_driver_sql("UPDATE unit SET parent_id = ? WHERE id = ?",
                                             [(parent, child) for child, parent in links])
    session.flush()


def _account_columns(values: dict[str, Any], units: _Units) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key in UNIT_FIELDS:
            out[UNIT_FIELDS[key]] = units.id_for(value, values.get(f"{key}_uuid"))
        elif key in registry.ACCOUNT_FIELDS:
            out[key] = value
    return out


def apply_plan(session: Session, plan: ImportPlan, skip_bad: bool = False,
               progress: ProgressCallback | None = None) -> ImportResult:
    """Write the plan in the caller's transaction; raise (writing nothing) while bad rows remain.
    The plan is checked against the database here unless it was checked in this same
    transaction with nothing written since (``read_workbook(path, session=s)`` then
    ``apply_plan(s, plan)``): the check is then not made twice."""
    require(session, Cap.IMPORT)
    if not checked_here(session, plan):
        check_against(session, plan)
    result = ImportResult(skipped=_refuse_if_bad(plan, skip_bad))
    team_rows = [r for r in plan.team.rows if not r.excluded] if plan.team else []
    filing_rows = [r for r in plan.filings.rows if not r.excluded] if plan.filings else []
    rows = [r for r in plan.rows if not r.excluded]
    ticker = Ticker(progress, len(rows) + len(team_rows) + len(filing_rows))
    ticker.check()
    units = _Units(session)
    unit_rows = [r for r in plan.units.rows if not r.excluded] if plan.units else []
    _apply_units(session, unit_rows, units)
    units.prepare({r.values.get(k) for r in rows for k in UNIT_FIELDS
                   if r.values.get(f"{k}_uuid") not in units.by_uuid}
                  | {r.values.get("unit") for r in team_rows if r.values.get("unit_uuid") not in units.by_uuid})
    stamp = now()
    account_fields = SHEET_KEYS  # what a sheet can set; the others (the QR picture) start empty

    # Accounts: inserts in bulk, updates through the ORM.
    new_accounts: list[dict[str, Any]] = []
    row_uuid: dict[int, str] = {}
    for r in rows:
        cols = _account_columns(r.values, units)
        if r.action == CREATE:
            rec: dict[str, Any] = dict.fromkeys(account_fields)
            rec.update(cols)
            rec["status"] = rec.get("status") or enums.AccountStatus.NORMAL
            rec.update(uuid=r.target_uuid or new_uuid(), created_at=stamp, updated_at=stamp, origin=None)
            new_accounts.append(rec)
            row_uuid[r.line] = rec["uuid"]
            result.created += 1
            if len(new_accounts) == INSERT_CHUNK:  # written as made: never every new record at once
                _bulk_insert(session, Account, new_accounts)
                new_accounts = []
        elif r.action == UPDATE:
            account = session.scalars(select(Account).where(Account.uuid == r.target_uuid)).one()
            for key, value in cols.items():
                if not same_value(key, value, getattr(account, key)):
                    setattr(account, key, value)
            result.updated += 1
        else:
            result.unchanged += 1
        ticker.advance()
    _bulk_insert(session, Account, new_accounts)
    session.flush()
    account_ids = dict(session.execute(select(Account.uuid, Account.id)).all())

    def account_id(key: str | None) -> int | None:
        if key is None:
            return None
        if key.startswith("row:"):  # an account created from this row of the file
            made = row_uuid.get(int(key[4:]))
            return account_ids.get(made) if made else None
        return account_ids.get(key)

    _apply_team(session, team_rows, units, account_id, result, stamp, ticker)
    _apply_admins(session, [(r, row_uuid.get(r.line) or r.target_uuid) for r in rows if r.values.get("admin_name")],
                  units, account_ids, result, stamp)
    _apply_filings(session, filing_rows, account_id, account_ids, result, stamp, ticker)
    result.units_created, result.units_updated = units.created, units.updated
    audit.record_bulk(session, "import", "account",
                      summary=f"从“{plan.path.name}”导入台账：{result.summary()}"[:500],
                      changes={"file": [None, str(plan.path)], "sheet": [None, plan.sheet],
                               "created": [None, result.created], "updated": [None, result.updated],
                               "people_created": [None, result.people_created],
                               "filings_created": [None, result.filings_created]})
    session.flush()
    ticker.finish()
    return result


def _apply_team(session: Session, rows: list[PlanRow], units: _Units, account_id, result: ImportResult,
                stamp: datetime, ticker: Ticker) -> None:
    if not rows:
        return
    person_uuid_of: dict[tuple, str] = {}  # person key in this file → uuid
    new_people: list[dict[str, Any]] = []
    newly_left: list[Person] = []  # existing people whose 离职日期 the file records for the first time
    updated: set[str] = set()
    for r in rows:
        v = r.values
        key = ("uuid", v["person_uuid"]) if v.get("person_uuid") else ("name", v["name"], v.get("unit") or "")
        if key in person_uuid_of:
            continue
        if r.action == CREATE:
            rec: dict[str, Any] = {k: v.get(k) for k in PERSON_FIELDS}
            rec.update(unit_id=units.id_for(v.get("unit"), v.get("unit_uuid")), uuid=r.target_uuid or new_uuid(),
                       created_at=stamp, updated_at=stamp, origin=None)
            new_people.append(rec)
            person_uuid_of[key] = rec["uuid"]
            result.people_created += 1
        else:
            assert r.target_uuid is not None, "an update names the person it updates"
            person_uuid_of[key] = r.target_uuid
            if r.target_uuid not in updated:
                person = session.scalars(select(Person).where(Person.uuid == r.target_uuid)).one()
                changes = {k: v[k] for k in PERSON_FIELDS if k in v}
                if v.get("unit"):
                    changes["unit_id"] = units.id_for(v["unit"], v.get("unit_uuid"))
                dirty = False
                was_left = person.left_on
                for k, value in changes.items():
                    if not same_value(k, value, getattr(person, k)):
                        setattr(person, k, value)
                        dirty = True
                if dirty:
                    result.people_updated += 1
                if person.left_on and not was_left:
                    newly_left.append(person)
                updated.add(r.target_uuid)
    for chunk in _chunks(new_people):
        _bulk_insert(session, Person, chunk)
    session.flush()
    person_ids = dict(session.execute(select(Person.uuid, Person.id)).all())
    have: set[tuple[Any, ...]] = {
        tuple(row) for row in session.execute(select(AccountRole.account_id, AccountRole.person_id, AccountRole.role))}
    new_roles = []
    for r in rows:
        v = r.values
        ticker.advance()
        aid = account_id(v.get("_account"))
        if aid is None or not v.get("role"):
            continue
        key = ("uuid", v["person_uuid"]) if v.get("person_uuid") else ("name", v["name"], v.get("unit") or "")
        pid = person_ids[person_uuid_of[key]]
        if (aid, pid, v["role"]) in have:
            continue
        have.add((aid, pid, v["role"]))
        new_roles.append({"account_id": aid, "person_id": pid, "role": v["role"], "since": v.get("since"),
                          "until": v.get("until"), "uuid": new_uuid(), "created_at": stamp, "updated_at": stamp,
                          "origin": None})
        if len(new_roles) == INSERT_CHUNK:
            _bulk_insert(session, AccountRole, new_roles)
            result.roles_added += len(new_roles)
            new_roles = []
    _bulk_insert(session, AccountRole, new_roles)
    result.roles_added += len(new_roles)
    session.flush()
    _apply_departures(session, newly_left, {person_ids[u] for u in person_uuid_of.values()}, result)


def _apply_departures(session: Session, newly_left: list[Person], people_in_file: set[int],
                      result: ImportResult) -> None:
    """What the person editor does when a 离职日期 is entered (云南 第三十七条), for the file's people.

    A departure newly recorded for someone already in the registry creates the tasks to change the
    passwords and take back the devices of every account they handled. A person who left — newly
    imported or not — is no longer on duty from that day: their open roles end on it.
    """
    tasks_before = session.scalar(select(func.count(Task.id)))
    article = office_departure_article(session) if newly_left else None
    for person in newly_left:
        registry.record_departure(session, person, article)
    result.departures += len(newly_left)
    left = dict(session.execute(select(Person.id, Person.left_on)
                                .where(Person.id.in_(people_in_file), Person.left_on.is_not(None))).all())
    if left:
        for role in session.scalars(select(AccountRole).where(AccountRole.person_id.in_(left.keys()),
                                                              AccountRole.until.is_(None))):
            role.until = left[role.person_id]
    session.flush()
    result.tasks_created += (session.scalar(select(func.count(Task.id))) or 0) - (tasks_before or 0)


def _apply_admins(session: Session, rows: list[tuple[PlanRow, str | None]], units: _Units,
                  account_ids: dict[str, int], result: ImportResult, stamp: datetime) -> None:
    """The 管理员 named in an office's own sheet: matched by 姓名 + 主办单位 or created, then put on
    the account's 管理队伍 (盐湖 第二十一条: every account has a responsible person)."""
    if not rows:
        return
    people = {(name, unit or ""): pid for pid, name, unit in
              session.execute(select(Person.id, Person.name, Unit.name).outerjoin(Unit, Person.unit_id == Unit.id))}
    have: set[tuple[Any, ...]] = {
        tuple(row) for row in session.execute(select(AccountRole.account_id, AccountRole.person_id, AccountRole.role))}
    new_people: dict[tuple, dict[str, Any]] = {}
    for r, _uuid in rows:
        key = (r.values["admin_name"], r.values.get("host_unit") or "")
        if key in people or key in new_people:
            continue
        phone = clean_phone(r.values.get("admin_phone"))
        mobile = phone if MOBILE_RE.match(phone) or MASKED_MOBILE_RE.match(phone) else None
        new_people[key] = {"name": key[0], "unit_id": units.id_for(key[1] or None), "title": None,
                           "office_phone": None if mobile or not phone else phone, "mobile": mobile,
                           "trained_on": None, "left_on": None, "notes": None, "uuid": new_uuid(),
                           "created_at": stamp, "updated_at": stamp, "origin": None}
    for chunk in _chunks(list(new_people.values())):
        _bulk_insert(session, Person, chunk)
    result.people_created += len(new_people)
    if new_people:
        ids = dict(session.execute(select(Person.uuid, Person.id)).all())
        people.update({k: ids[p["uuid"]] for k, p in new_people.items()})
    roles = []
    for r, account_uuid in rows:
        aid = account_ids.get(account_uuid) if account_uuid else None
        pid = people[(r.values["admin_name"], r.values.get("host_unit") or "")]
        if aid is None or (aid, pid, enums.Role.ADMIN) in have:
            continue
        have.add((aid, pid, enums.Role.ADMIN))
        roles.append({"account_id": aid, "person_id": pid, "role": enums.Role.ADMIN, "since": None, "until": None,
                      "uuid": new_uuid(), "created_at": stamp, "updated_at": stamp, "origin": None})
    for chunk in _chunks(roles):
        _bulk_insert(session, AccountRole, chunk)
    result.roles_added += len(roles)


def _apply_filings(session: Session, rows: list[PlanRow], account_id, account_ids: dict[str, int],
                   result: ImportResult, stamp: datetime, ticker: Ticker) -> None:
    if not rows:
        return
    new: list[dict[str, Any]] = []
    links: list[tuple[str, str | None, str | None]] = []
    steps_of: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        ticker.advance()
        v = r.values
        if r.action == CREATE:
            aid = account_id(v.get("_account"))
            frozen = v.get("frozen")
            if frozen is None and aid is not None:  # rebuilt from the account as imported
                frozen = json.dumps(registry.account_snapshot(session, aid), ensure_ascii=False)
            rec: dict[str, Any] = {k: v.get(k) for k in FILING_SCALARS}
            rec.update(number=v["number"], account_id=aid, state=v.get("state") or enums.FilingState.FILED,
                       profile_id=v.get("profile_id"), template_id=v.get("template_id"), chain=v.get("chain"),
                       frozen=frozen, proposed=v.get("proposed"), merge_parent_id=None, kept_account_id=None,
                       uuid=r.target_uuid or new_uuid(), created_at=stamp, updated_at=stamp, origin=None)
            new.append(rec)
            if v.get("steps"):
                steps_of[rec["uuid"]] = json.loads(v["steps"])
            if v.get("merge_parent_uuid") or v.get("kept_account_uuid"):
                links.append((rec["uuid"], v.get("merge_parent_uuid"), v.get("kept_account_uuid")))
            result.filings_created += 1
        elif r.action == UPDATE:
            filing = session.scalars(select(Filing).where(Filing.uuid == r.target_uuid)).one()
            for k in FILING_SCALARS:
                if k in v and not same_value(k, v[k], getattr(filing, k)):
                    setattr(filing, k, v[k])
            result.filings_updated += 1
    for chunk in _chunks(new):
        _bulk_insert(session, Filing, chunk)
    session.flush()
    filing_ids = dict(session.execute(select(Filing.uuid, Filing.id)).all())
    steps = []
    for fuuid, items in steps_of.items():
        for s in items:
            steps.append({"filing_id": filing_ids[fuuid], "seq": s["seq"], "title": s["title"],
                          "opinion": s.get("opinion"), "signer": s.get("signer"),
                          "signed_on": date.fromisoformat(s["signed_on"]) if s.get("signed_on") else None,
                          "result": s.get("result") or "approved", "attachment_id": None,
                          "uuid": s.get("uuid") or new_uuid(), "created_at": stamp, "updated_at": stamp,
                          "origin": None})
    for chunk in _chunks(steps):
        _bulk_insert(session, ApprovalStep, chunk)
    for fuuid, parent_uuid, kept_uuid in links:
        linked = session.get_one(Filing, filing_ids[fuuid])
        linked.merge_parent_id = filing_ids.get(parent_uuid) if parent_uuid else None
        linked.kept_account_id = account_ids.get(kept_uuid) if kept_uuid else None
    session.flush()

