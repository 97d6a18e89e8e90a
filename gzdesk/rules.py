"""Rule checks on the registry (``gzdesk check``): each finding names its source article.

The rules come from the five policy documents (docs/policies/); which of them apply, and with
which numbers and articles, comes from the office's policy profile — a rule the profile's document does
not contain is not checked. Overdue filings, backfills and 公告 come from ``gzdesk.deadlines`` so
the 待办 view and the checks never disagree.

Replies to messages within 2 days (太白 第十一条) are checked from the late replies recorded at a
check (``gzdesk replies add``, ``gzdesk.reply_checks``). Not checked, for want of data the registry
does not hold: the content-quality items of 南通 附件2 (those are found by an inspector and recorded
with ``gzdesk inspection``; ``sheet_facts`` pre-fills the ones the registry knows).
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Row,
    String,
    and_,
    case,
    distinct,
    func,
    literal_column,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from gzdesk import deadlines, enums, filing_decisions, naming, reply_checks
from gzdesk.dates import DATE_MAX, DATE_MIN, cn_date
from gzdesk.enums import AccountStatus, UnitType
from gzdesk.filing_kinds import CLOSING_KINDS, LIVE_STATES
from gzdesk.models import Account, AccountRole, ApprovalStep, Filing, Person, Task, Unit
from gzdesk.models.types import decode_text, session_text_first
from gzdesk.office import current_profile
from gzdesk.people_tasks import departure_article
from gzdesk.profiles import OFFICE_LIST, Profile
from gzdesk.workdays import WorkdayCalendar, load_calendar

ACTIVE = (AccountStatus.NORMAL, AccountStatus.PAUSED)
SAME_NAME_EXEMPT = (enums.Platform.APP, enums.Platform.WECHAT_MINIPROGRAM)


@dataclass(slots=True)
class Finding:
    rule: str
    level: str  # 否决 / 问题 / 提示
    article: str
    message: str
    account_id: int | None = None
    account: str = ""
    host_unit: str = ""
    host_unit_id: int | None = None

    def to_json(self) -> dict:
        return {"rule": self.rule, "level": self.level, "article": self.article, "message": self.message,
                "account_id": self.account_id, "account": self.account, "host_unit": self.host_unit,
                "host_unit_id": self.host_unit_id}


RULE_LABELS = {
    "one_per_platform": "同一平台多个账号",
    "internal_unit": "以内设机构名义开设",
    "name_mismatch": "各平台名称不一致",
    "verification": "认证信息未标明主办单位",
    "unverified": "未通过认证",
    "platform_not_approved": "未核准平台",
    "name_consent": "名称未经同级政府同意",
    "decision_missing": "未登记本单位决定",
    "reply_late": "留言回复超时",
    "no_update_2_weeks": "两周内无更新",
    "update_frequency": "更新频率不足",
    "no_original": "两周内无原创",
    "untrained_staff": "人员未经培训上岗",
    "departure_tasks": "离职人员账号未改密码",
    "no_responsible": "无管理责任人",
    "overdue": "备案逾期",
    # supervision (issue 10, item 7)
    "app_unusable": "APP无法下载或使用",
    "opened_before_approval": "未经审批开设",
    "closed_without_notice": "关停注销未发公告",
}


def _text(value: Any) -> str:
    """A stored name as text. A file edited by hand may hold one the column reads as empty (a BLOB,
    as everywhere in the program) or, read past the column's type, as bytes (its UTF-8)."""
    return decode_text(value) if isinstance(value, bytes) else (value or "")


def _cite(profile: Profile, key: str) -> str | None:
    return profile.cite(key)


# What every finding names (plain rows, not ORM objects), first in every row a rule reads (``add``
# reads them by position); each rule adds the columns it reads.
_COLUMNS = (Account.id, Account.name, Account.host_unit_id)
_Unit = namedtuple("_Unit", "id name kind")
_ACTIVE = Account.status.in_([str(s) for s in ACTIVE])
# The same condition, kept from SQLite's index on status: nearly every account is active, and reading
# them through that index and then sorting them by id cost more than reading the table in id order
# (``likely`` is SQLite's no-op planner hint; an expression in a function cannot use an index).
_SCAN_ACTIVE = func.likely(_ACTIVE, type_=Boolean)
_ID_CHUNK = 500
CHECK_CACHE_KIB = 65536  # SQLite's page cache while ``check`` runs (at 200,000 accounts: 5.9 → 5.2 s CPU)


class _Scan:
    """The rules that look at one account at a time, answered by one pass over the account table.

    Each rule registers the SQL condition of the accounts that *may* break it (a superset, by the
    stored values), the columns it reads and what it decides on such a row in Python. ``run`` asks
    SQLite once for the active accounts meeting any of the conditions, each with a flag per rule,
    and hands every row to the rules whose flag it has, in id order: one scan of the wide account
    table instead of one per rule."""

    def __init__(self) -> None:
        self.rules: list[tuple[ColumnElement[bool], Callable[[Row], None]]] = []
        self.columns: dict[str, Any] = {}

    def add(self, where: ColumnElement[bool], decide: Callable[[Row], None], *columns) -> None:
        self.rules.append((where, decide))
        for c in columns:
            self.columns.setdefault(c.key, c)

    def run(self, session: Session) -> None:
        if not self.rules:
            return
        # one number with a bit per rule, each rule's condition evaluated once per row
        mask: ColumnElement[Any] = sum((case((where, 1 << i), else_=0) for i, (where, _d) in enumerate(self.rules)),
                                       start=literal_column("0"))
        columns = (*_COLUMNS, *(c for k, c in self.columns.items() if k not in ("id", "name", "host_unit_id")))
        rows = select(*columns, mask.label("rules")).where(_SCAN_ACTIVE).subquery()
        decides = [(1 << i, decide) for i, (_w, decide) in enumerate(self.rules)]
        for row in session.connection().execute(select(rows).where(rows.c.rules != 0).order_by(rows.c.id)):
            flags = row.rules  # (a Row's attribute costs a Python call: once, not once per rule)
            for bit, decide in decides:
                if flags & bit:
                    decide(row)


def _accounts(session: Session, *where, columns=()) -> list[Row]:
    """The active accounts that ``where`` narrows to, in id order.

    Each rule asks SQLite for the accounts that *may* break it — by the stored values, always a
    superset — and decides in Python on those rows, reading each value as everywhere else
    (``gzdesk.models.types``). Reading all 200,000 accounts and looking at each in Python was most of
    ``gzdesk check``; a rule that looks at every account still does (``where`` empty)."""
    return list(session.connection().execute(select(*_COLUMNS, *columns).where(_SCAN_ACTIVE, *where)
                                             .order_by(Account.id)))


def _accounts_by_id(session: Session, ids) -> dict[int, Row]:
    """The active accounts among ``ids``, by id."""
    wanted = sorted({i for i in ids if isinstance(i, int)})
    out: dict[int, Row] = {}
    for start in range(0, len(wanted), _ID_CHUNK):
        out.update((a.id, a) for a in _accounts(session, Account.id.in_(wanted[start:start + _ID_CHUNK])))
    return out


def _readable_day(column) -> ColumnElement[bool]:
    """SQL: the column holds a day ``read_date`` reads as that day (text ``YYYY-MM-DD`` in ASCII
    digits, a real day — SQLite's ``date()`` gives it back unchanged — within DATE_MIN…DATE_MAX)."""
    c = type_coerce(column, String)
    return and_(func.typeof(c) == "text", c.op("GLOB")("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"),
                func.date(c) == c, c >= DATE_MIN.isoformat(), c <= DATE_MAX.isoformat())


def _before_or_unread(column, day: date, today: date) -> ColumnElement[bool]:
    """SQL: the stored day may read as None or as a day before ``day`` (the rows a "no X since ``day``"
    rule must look at). A row is left out only when it holds the very text of a day from ``day`` to a
    year after ``today``, which ``read_date`` reads as that day; later days stay in, to be looked at
    in Python. (Comparing with these few hundred strings is cheaper than SQLite's date().)"""
    last = min(today + timedelta(days=366), DATE_MAX)
    days = [(day + timedelta(days=i)).isoformat() for i in range((last - day).days + 1)] if day <= last else []
    return case((type_coerce(column, String).in_(days), 1), else_=0) == 0


def _stored_false(column) -> ColumnElement[bool]:
    """SQL: the 是/否 column may read as 否 (``read_bool`` reads only the integer 0 so)."""
    return type_coerce(column, Integer) == 0


def _platform_key():
    """SQL: a coarser "同一平台" than ``platform_group`` (every 其他 and every unknown value in one
    group), so that a group of two or more by ``platform_group`` is within one group here."""
    wechat = [str(p) for p in (enums.Platform.WECHAT_SERVICE, enums.Platform.WECHAT_SUBSCRIPTION)]
    plain = [str(p) for p in enums.Platform if str(p) not in wechat and p != enums.Platform.OTHER]
    platform = type_coerce(Account.platform, String)
    return case((platform.in_(wechat), WECHAT_GROUP), (platform.in_(plain), platform), else_="?")


def check(session: Session, today: date) -> list[Finding]:
    """All findings for the registry on ``today``: 否决 first, then 问题, then 提示.

    Text is decoded by SQLite (``session_text_first``); a file with a byte that is not UTF-8 is
    read again through the connection's text factory, which shows the byte as U+FFFD as every
    other read does."""
    # The check reads the account table several times over (the one pass, the group rules' rows, the
    # staff rules) and the filings twice: a page cache that holds them (SQLite's default is 2 MB)
    # reads each page from the file once. The connection is this operation's alone (no pool).
    session.connection().exec_driver_sql(f"PRAGMA cache_size = -{CHECK_CACHE_KIB}")
    return session_text_first(session, lambda: _check(session, today))


def _check(session: Session, today: date) -> list[Finding]:
    profile = current_profile(session)
    # plain named tuples: a finding reads its unit's name and id (220,000 findings at 200,000 accounts),
    # and an attribute of SQLAlchemy's Row is a Python call
    units: dict[int | None, _Unit] = {u[0]: _Unit(u[0], u[1], u[2])
                                      for u in session.execute(select(Unit.id, Unit.name, Unit.kind))}
    out: list[Finding] = []

    def unit_name(unit_id: int) -> str:
        """The unit's name; a file edited by hand (foreign keys off) may name a unit that is gone."""
        host = units.get(unit_id)
        return host.name if host is not None else f"单位{unit_id}（已不存在）"

    def add(rule, level, article, message, account: Row | None = None, unit_id: int | None = None):
        """A finding on an account, or on a unit as a whole (``unit_id``: 名称不一致 across its accounts).

        Every account row starts with ``_COLUMNS`` (id, name, host unit), read by position here."""
        if account is None:
            host = units.get(unit_id)
            out.append(Finding(rule, level, article, message, None, "", host.name if host else "",
                               host.id if host else None))
            return
        host = units.get(account[2])
        out.append(Finding(rule, level, article, message, account[0], _text(account[1]),
                           host.name if host else "", host.id if host else None))

    art = _cite(profile, "one_account_per_platform")
    if art:
        key = _platform_key()
        crowded = (select(Account.host_unit_id, key.label("key")).where(_SCAN_ACTIVE, Account.host_unit_id.is_not(None))
                   .group_by(Account.host_unit_id, key).having(func.count() > 1).subquery())
        by_unit: dict[int | None, list[Row]] = defaultdict(list)
        for a in session.connection().execute(
                select(*_COLUMNS, Account.platform, Account.platform_other)
                .join(crowded, and_(crowded.c.host_unit_id == Account.host_unit_id, crowded.c.key == key))
                .where(_SCAN_ACTIVE).order_by(Account.id)):
            by_unit[a.host_unit_id].append(a)
        for unit_id, items in by_unit.items():
            if unit_id is None:
                continue
            per_platform: dict[str, list[Row]] = defaultdict(list)
            for a in items:
                per_platform[platform_group(a.platform, a.platform_other)].append(a)
            for group_key, group in per_platform.items():
                if len(group) > 1:  # one message for the group (a unit may have dozens on one platform)
                    message = (f"{unit_name(unit_id)}在{platform_group_label(group_key, group[0].platform)}开设了"
                               f"{len(group)}个账号（{same_platform_names(group_key, group)}），应清理整合")
                    for a in group:
                        add("one_per_platform", "问题", art, message, a)

    scan = _Scan()
    art = _cite(profile, "no_internal_units")
    if art:
        def internal(a: Row, art: str = art) -> None:
            host = units.get(a.host_unit_id)
            if host is not None and host.kind == UnitType.INTERNAL:
                add("internal_unit", "问题", art, f"主办单位“{host.name}”是内设机构，不得以内设机构名义开设政务新媒体", a)
        scan.add(Account.host_unit_id.in_(select(Unit.id).where(Unit.kind == UnitType.INTERNAL)), internal)

    art = _cite(profile, "names")
    if art:
        # units whose accounts (APP and 小程序 aside) may have more than one name, in the order of
        # their first active account (the findings carry no account: that order is theirs)
        exempt = func.coalesce(type_coerce(Account.platform, String).in_([str(p) for p in SAME_NAME_EXEMPT]), False)
        named_name = case((~exempt, Account.name))
        crowded = (select(Account.host_unit_id, func.min(Account.id).label("first")).where(_SCAN_ACTIVE)
                   .group_by(Account.host_unit_id).having(func.count(distinct(named_name)) > 1).subquery())
        first: dict[int | None, int] = {}
        named_by_unit: dict[int | None, set[str]] = defaultdict(set)
        for unit_id, first_id, name in session.connection().execute(
                select(crowded.c.host_unit_id, crowded.c.first, Account.name)
                .join(Account, Account.host_unit_id == crowded.c.host_unit_id).where(_ACTIVE, ~exempt)
                .group_by(crowded.c.host_unit_id, Account.name)):
            first[unit_id] = first_id
            named_by_unit[unit_id].add(_text(name))
        for unit_id in sorted(named_by_unit, key=lambda u: first.get(u, 0)):
            names = sorted(named_by_unit[unit_id])
            if unit_id is not None and len(names) > 1:
                add("name_mismatch", "提示", art,
                    f"{unit_name(unit_id)}在不同平台的账号名称不一致：{'、'.join(n or '（名称为空）' for n in names)}（原则上应保持一致）",
                    unit_id=unit_id)
    art = _cite(profile, "verification_names_host")  # 盐湖9, 南通14, 云南16; 临沂 has no such rule
    if art:
        def names_host(a: Row, art: str = art) -> None:
            if a.verification_names_host is False:
                add("verification", "问题", art, "公开认证信息中未标明主办单位名称", a)
        scan.add(_stored_false(Account.verification_names_host), names_host, Account.verification_names_host)

    art = _cite(profile, "verification")
    if art:
        def verified(a: Row, art: str = art) -> None:
            if a.verified is False:
                add("unverified", "问题", art, "账号未通过认证（是否通过认证：否）", a)
        scan.add(_stored_false(Account.verified), verified, Account.verified)

    art = _cite(profile, "place_name_consent")  # 云南 第十六条
    if art:
        places = naming.place_names(u.name for u in units.values())

        def consent(a: Row, art: str = art) -> None:
            if a.name_consent_on is None:
                words = naming.consent_words(a.name, places)
                if words:
                    add("name_consent", "问题", art,
                        f"账号名称含“{'”“'.join(words)}”，须经同级政府同意，尚未登记同意日期", a)
        scan.add(case((_readable_day(Account.name_consent_on), 1), else_=0) == 0, consent, Account.name_consent_on)

    # The list of approved platforms is the office's own (no document lists platforms): the finding
    # says so and cites no article.
    approved = profile.approved_platforms
    if approved is not None:
        others = set(profile.approved_other_platforms)
        listed = func.coalesce(type_coerce(Account.platform, String).in_([str(p) for p in approved]), False)

        def platform(a: Row, approved=approved) -> None:
            ok = a.platform in approved or (a.platform == enums.Platform.OTHER and (a.platform_other or "") in others)
            if not ok:
                where = a.platform_other or enums.label("platform", a.platform)
                add("platform_not_approved", "提示", OFFICE_LIST,
                    f"平台“{where}”不在本单位的核准平台名单内（名单由本单位在策略配置中自定）", a)
        scan.add(~listed, platform, Account.platform, Account.platform_other)

    _app_rules(scan, profile, today, add)
    _update_rules(session, scan, profile, today, add)
    _approval_rules(session, scan, profile, add)
    scan.run(session)
    _people_rules(session, profile, today, add)
    _closure_rules(session, profile, units, out)

    late = [item for item in deadlines.pending(session, today) if item.overdue and item.kind != "task"]
    undecided = filing_decisions.missing_decisions(session)  # 盐湖 第十一条 / 云南 第十二条、第十八条 / 南通 第十六条
    # host units: of the overdue items' accounts (any status), and of the undecided filings'
    # accounts that are active or have an overdue item (as the findings always named them)
    late_ids = {item.account_id for item in late if item.account_id is not None}
    wanted = sorted(late_ids | {m[3] for m in undecided if m[3] is not None})
    host_of: dict[int | None, int | None] = {}
    for start in range(0, len(wanted), _ID_CHUNK):
        for aid, host_id, active in session.execute(select(Account.id, Account.host_unit_id, _ACTIVE)
                                                    .where(Account.id.in_(wanted[start:start + _ID_CHUNK]))):
            if aid in late_ids or active:
                host_of[aid] = host_id
    for item in late:
        host = units.get(host_of.get(item.account_id))
        out.append(Finding("overdue", "问题", item.article, f"{item.kind_label}已逾期：{item.message}",
                           item.account_id, item.account, host.name if host else "", host.id if host else None))

    reply = profile.rule("reply_within_days")  # 太白 第十一条, from the replies recorded at checks
    if reply:
        art = _cite(profile, "reply_within_days") or ""
        late_replies = reply_checks.recent_late(session, today, int(reply["days"]))
        by_id = _accounts_by_id(session, (r.account_id for r in late_replies))
        for r in late_replies:
            if r.account_id in by_id:
                add("reply_late", "问题", art, f"留言回复超过{reply['days']}天：{r.describe()}", by_id[r.account_id])

    # 盐湖 第十一条 / 云南 第十二条、第十八条 / 南通 第十六条: the unit's own decision behind a filing
    if undecided:
        account_names = dict(session.execute(select(Account.id, Account.name).where(
            Account.id.in_(sorted({m[3] for m in undecided if m[3] is not None})))).all())
        for _fid, number, kind, account_id, gap, article in undecided:
            host = units.get(host_of.get(account_id)) if account_id in host_of else None
            out.append(Finding("decision_missing", "问题", article,
                               f"备案{number}（{enums.label('filing_kind', kind)}）：{gap.split('要求', 1)[1]}",
                               account_id, account_names.get(account_id, "") if account_id is not None else "",
                               host.name if host else "",
                               host.id if host else None))

    order = {"否决": 0, "问题": 1, "提示": 2}
    return sorted(out, key=lambda f: (order.get(f.level, 3), f.rule, f.account_id or 0))


def _update_rules(session: Session, scan: _Scan, profile: Profile, today: date, add) -> None:
    freq = profile.rule("update_frequency")
    sheet = (profile.rule("inspection") or {}).get("sheet")
    orig = profile.rule("original_content")
    missed_workday = _MissedWorkday(load_calendar(session), today) if freq and freq.get("daily") else None
    # the accounts that may be stale by one of the rules below (the rest surely are not)
    maybe = []
    if sheet == "nantong_2019":
        maybe.append(_before_or_unread(Account.last_update_on, today - timedelta(days=14), today))
    if freq:
        if missed_workday is None:
            maybe.append(_before_or_unread(Account.last_update_on, today - timedelta(days=7), today))
        else:
            latest = missed_workday.latest_workday()
            maybe.append(_before_or_unread(Account.last_update_on, latest, today) if latest else true())
    if orig:
        maybe.append(_before_or_unread(Account.last_original_on, today - timedelta(weeks=int(orig.get("weeks", 2))),
                                       today))
    if not maybe:
        return
    update_art, original_art = _cite(profile, "update_frequency") or "", _cite(profile, "original_content") or ""

    def stale(a: Row) -> None:  # an account 正常 (its flag says so: the status is not read again)
        last = a.last_update_on
        if sheet == "nantong_2019" and no_update_2_weeks(last, today):
            add("no_update_2_weeks", "否决", NANTONG_NO_UPDATE, no_update_message(last), a)
            return
        if freq:
            when = f"最近更新：{cn_date(last) if last else '未登记'}"
            if missed_workday is not None:
                # 云南 第二十二条: 除节假日外，原则上每天至少更新发布1条信息 — a working day (法定节假日
                # and 调休 counted, see gzdesk.workdays) after the last update, before today, without one
                missed = missed_workday(last)
                if missed is not None:
                    add("update_frequency", "问题", update_art,
                        f"未做到除节假日外每天至少更新1条：{cn_date(missed)}（工作日）无更新（{when}）", a)
            elif last is None or today - last > timedelta(days=7):
                add("update_frequency", "问题", update_art,
                    f"未做到每周更新不少于{freq.get('per_week', 1)}次（{when}）", a)
        if orig:
            weeks = int(orig.get("weeks", 2))
            if a.last_original_on is None or today - a.last_original_on > timedelta(weeks=weeks):
                when = cn_date(a.last_original_on) if a.last_original_on else "未登记"
                add("no_original", "提示", original_art,
                    f"{weeks}周内无原创信息（最近原创：{when}）", a)
    scan.add(and_(Account.status == AccountStatus.NORMAL, or_(*maybe)), stale,
             Account.last_update_on, Account.last_original_on)


def _people_rules(session: Session, profile: Profile, today: date, add) -> None:
    """Staff on duty: a role not ended by ``today`` whose person has not left (both empty or later)."""
    on_duty = and_(or_(Person.left_on.is_(None), Person.left_on > today),
                   or_(AccountRole.until.is_(None), AccountRole.until > today))
    art = _cite(profile, "training_required")
    if art:
        # Only the roles that break the rule come back from SQLite (≈5% of 600,000 at 200k accounts).
        untrained = session.execute(
            select(AccountRole.account_id, AccountRole.since, Person.name, Person.trained_on)
            .join(Person, AccountRole.person_id == Person.id)
            .where(on_duty, or_(Person.trained_on.is_(None),
                                AccountRole.since.is_not(None) & (Person.trained_on > AccountRole.since)))
            .order_by(AccountRole.account_id, AccountRole.id)).all()
        by_id = _accounts_by_id(session, (row[0] for row in untrained))
        for account_id, since, name, trained_on in untrained:
            if account_id in by_id:
                message = (f"{name}未登记培训日期即在岗" if trained_on is None else
                           f"{name}于{cn_date(since)}上岗，培训日期（{cn_date(trained_on)}）在上岗之后")
                add("untrained_staff", "问题", art, message, by_id[account_id])
    art = _cite(profile, "responsible_person")
    if art:
        staffed = (select(AccountRole.id).join(Person, AccountRole.person_id == Person.id)
                   .where(AccountRole.account_id == Account.id, on_duty))
        for a in _accounts(session, ~staffed.exists()):
            add("no_responsible", "问题", art, "管理队伍中没有在岗人员，未明确专人负责", a)
    art = departure_article(profile)
    overdue_tasks = session.execute(select(Task.title, Task.account_id, Task.due_on).where(
        Task.done_on.is_(None), Task.kind == enums.TaskKind.PASSWORD_CHANGE)).all()
    by_id = _accounts_by_id(session, (row[1] for row in overdue_tasks))
    for title, task_account, due_on in overdue_tasks:
        if task_account in by_id and (due_on is None or due_on < today):
            add("departure_tasks", "问题", art, f"{title}（尚未完成）", by_id[task_account])


# --------------------------------------------------------------------------- supervision (issue 10, item 7)
# Rules the documents ask for that the first checks missed, and the facts an inspection (南通 附件2)
# is pre-filled with (``sheet_facts``), so the 检查 page and an inspection form never disagree.

NANTONG_NO_UPDATE = "南通市政务新媒体管理办法（试行）附件2 单项否决指标“内容不更新”"
WECHAT_GROUP = "wechat"  # 微信服务号 and 微信订阅号: one platform, 微信 (南通 附件1 类型: 微信公众号（服务号/订阅号）)


def platform_group(platform: str, platform_other: str | None = None) -> str:
    """The platform as 附件3 counts "同一平台": a 服务号 and a 订阅号 are both 微信公众号 (附件1)."""
    if platform in (enums.Platform.WECHAT_SERVICE, enums.Platform.WECHAT_SUBSCRIPTION):
        return WECHAT_GROUP
    if platform == enums.Platform.OTHER:
        return f"other:{platform_other or ''}"
    return platform


def platform_group_label(key: str, platform: str) -> str:
    return "微信公众号" if key == WECHAT_GROUP else enums.label("platform", platform)


def same_platform_names(key: str, group) -> str:
    """“名称”、“名称”; for 微信 each with 服务号/订阅号 and a note that they count as one platform."""
    if key != WECHAT_GROUP:
        return "、".join(f"“{_text(a.name)}”" for a in group)
    kinds = {a.platform for a in group}
    names = "、".join(f"{enums.label('platform', a.platform).removeprefix('微信')}“{_text(a.name)}”" for a in group)
    return names + ("；服务号与订阅号同属微信公众号平台，按同一平台计" if len(kinds) > 1 else "")


def no_update_2_weeks(last: date | None, on: date) -> bool:
    """附件2 内容不更新 1: 监测时间点前2周内无更新."""
    return last is None or on - last > timedelta(days=14)


def no_update_message(last: date | None) -> str:
    return f"监测时间点前2周内无更新（最近更新：{cn_date(last) if last else '未登记'}）"


def app_unusable(platform: str, unusable_since: date | None, on: date) -> bool:
    """附件2 内容不更新 2: 移动客户端（APP）无法下载或使用 (recorded as ``Account.unusable_since``)."""
    return platform == enums.Platform.APP and unusable_since is not None and unusable_since <= on


def app_unusable_message(unusable_since: date) -> str:
    return f"移动客户端（APP）自{cn_date(unusable_since)}起无法下载或使用"


class _MissedWorkday:
    """The first working day after ``last`` and before ``today`` (云南 第二十二条), memoised by date:
    200,000 accounts share a few hundred update dates."""

    def __init__(self, cal: WorkdayCalendar, today: date):
        self.cal, self.today = cal, today
        self.memo: dict[date | None, date | None] = {}

    def latest_workday(self, within: int = 366) -> date | None:
        """The last working day before ``today`` (None if none in ``within`` days): an account updated
        on it or later missed none."""
        day = self.today - timedelta(days=1)
        for _ in range(within):
            if self.cal.is_workday(day)[0]:
                return day
            day -= timedelta(days=1)
        return None

    def __call__(self, last: date | None) -> date | None:
        if last in self.memo:
            return self.memo[last]
        found: date | None = None
        if last is None:
            found = self.today - timedelta(days=1)
        else:
            day = last + timedelta(days=1)
            while day < self.today:
                if self.cal.is_workday(day)[0]:
                    found = day
                    break
                day += timedelta(days=1)
        self.memo[last] = found
        return found


def _app_rules(scan: _Scan, profile: Profile, today: date, add) -> None:
    """APP 无法下载或使用: 否决 under 南通 附件2; elsewhere a 问题 citing that sheet (参照)."""
    own = (profile.rule("inspection") or {}).get("sheet") == "nantong_2019"
    level, article = ("否决", NANTONG_NO_UPDATE) if own else ("问题", "参照" + NANTONG_NO_UPDATE)

    def unusable(a: Row) -> None:
        if app_unusable(a.platform, a.unusable_since, today):
            add("app_unusable", level, article, app_unusable_message(a.unusable_since), a)
    scan.add(and_(type_coerce(Account.platform, String) == str(enums.Platform.APP), Account.unusable_since.is_not(None)),
             unusable, Account.platform, Account.unusable_since)


def _approval_step_seq(chain_len: int) -> int:
    """The step that approves an opening: the 主管单位's, second in every chain (盐湖: 县（市、区）办公室意见)."""
    return 2 if chain_len >= 2 else 1


def _approval_rules(session: Session, scan: _Scan, profile: Profile, add) -> None:
    """盐湖 第十条: 开设政务新媒体时应报请区政府办公室审批 — an account opened (since the policy) with no
    approved 开设 filing, or opened before the day it was approved."""
    rule = profile.rule("approval_before_opening")
    art = _cite(profile, "approval_before_opening")
    if not rule or not rule.get("required") or not art:
        return
    seq = _approval_step_seq(len(profile.chain))
    title = profile.chain[seq - 1]["title"] if len(profile.chain) >= seq else "审批"
    opens: dict[int | None, list[tuple[str, str]]] = defaultdict(list)
    for account_id, number, state in session.execute(
            select(Filing.account_id, Filing.number, Filing.state)
            .where(Filing.kind == enums.FilingKind.OPEN, Filing.state.in_(LIVE_STATES)).order_by(Filing.id)):
        opens[account_id].append((number, state))
    approved = dict(session.execute(
        select(Filing.account_id, func.min(ApprovalStep.signed_on))
        .join(ApprovalStep, ApprovalStep.filing_id == Filing.id)
        .where(Filing.kind == enums.FilingKind.OPEN, Filing.state.in_(LIVE_STATES), ApprovalStep.seq == seq,
               ApprovalStep.result == "approved", ApprovalStep.signed_on.is_not(None))
        .group_by(Filing.account_id)).all())
    policy = profile.published_on
    # accounts surely opened before the policy are left out in SQL; the rest are looked at below
    opened_before = and_(_readable_day(Account.registered_on), type_coerce(Account.registered_on, String) < policy.isoformat())

    def unapproved(a: Row) -> None:
        if a.registered_on is not None and a.registered_on < policy:
            return  # opened before the policy: 补办备案 applies, not prior approval
        on = approved.get(a.id)
        opened = cn_date(a.registered_on) if a.registered_on else "（开设日期未填）"
        if on is None:
            pending = opens.get(a.id)
            state = (f"，开设备案{pending[-1][0]}尚在“{enums.label('filing_state', pending[-1][1])}”"
                     if pending else "，也没有开设备案")
            add("opened_before_approval", "问题", art, f"账号已于{opened}开设，未经“{title}”审批同意{state}", a)
        elif a.registered_on is not None and a.registered_on < on:
            add("opened_before_approval", "问题", art,
                f"账号于{opened}开设，“{title}”于{cn_date(on)}才审批同意（应先审批后开设）", a)
    scan.add(case((opened_before, 1), else_=0) == 0, unapproved, Account.registered_on)


def closure_notice_article(profile: Profile) -> str | None:
    """The 公告 article, with 南通 附件3 集约整合 2 where the office's sheet is 南通's."""
    art = profile.cite("announcement")
    if art and (profile.rule("inspection") or {}).get("sheet") == "nantong_2019":
        art += "；附件3 集约整合：政务新媒体已报关停却未发布停更公告的，每发现一个，扣5分"
    return art


def closed_without_notice(session: Session) -> list[tuple[int, str, int | None, str | None]]:
    """Accounts 关停/注销 with no 停更注销公告 recorded: (account id, name, host unit id, filing number
    of its closure, None when the registry has no closure filing for it)."""
    closing = defaultdict(list)
    for account_id, number, announced in session.execute(
            select(Filing.account_id, Filing.number, Filing.announce_from)
            .where(Filing.kind.in_(CLOSING_KINDS), Filing.state.in_(LIVE_STATES)).order_by(Filing.id)):
        closing[account_id].append((number, announced))
    out = []
    for account_id, name, host_id in session.execute(
            select(Account.id, Account.name, Account.host_unit_id)
            .where(Account.status.in_([AccountStatus.CLOSED, AccountStatus.CANCELLED])).order_by(Account.id)):
        filings_here = closing.get(account_id, [])
        if any(announced is not None for _n, announced in filings_here):
            continue
        out.append((account_id, name, host_id, filings_here[-1][0] if filings_here else None))
    return out


def _closure_rules(session: Session, profile: Profile, units: dict, out: list[Finding]) -> None:
    art = closure_notice_article(profile)
    if not art:
        return
    for account_id, name, host_id, number in closed_without_notice(session):
        host = units.get(host_id)
        message = (f"已报关停/注销（备案{number}），未登记停更注销公告" if number else
                   "账号已关停/注销，本库没有其关停、注销备案和停更注销公告的记录")
        out.append(Finding("closed_without_notice", "问题", art, message, account_id, name,
                           host.name if host else "", host.id if host else None))


@dataclass(slots=True)
class SheetFact:
    """Something the registry already knows about an account that an inspection sheet asks about."""

    rule: str  # a RULE_LABELS code
    message: str
    count: int = 1


def sheet_facts(session: Session, account_id: int, on: date) -> list[SheetFact]:
    """What the registry says about one account on ``on`` in the terms of 附件2 (内容不更新, 开设不规范,
    认证信息不规范, 内容更新不及时): the inspection form is pre-filled with these. One account only, so an
    inspection on a 200,000-account registry does not run the whole check."""
    row = session.execute(select(Account.platform, Account.last_update_on, Account.unusable_since,
                                 Account.verification_names_host, Unit.kind, Unit.name)
                          .outerjoin(Unit, Unit.id == Account.host_unit_id).where(Account.id == account_id)).first()
    if row is None:
        return []
    platform, last, unusable, names_host, host_kind, host_name = row
    out: list[SheetFact] = []
    if no_update_2_weeks(last, on):
        out.append(SheetFact("no_update_2_weeks", no_update_message(last)))
    elif last is not None and on - last > timedelta(days=7):  # (no date at all is the case above)
        out.append(SheetFact("update_frequency", f"每周更新内容少于1次（最近更新：{cn_date(last)}）"))
    if unusable is not None and app_unusable(platform, unusable, on):
        out.append(SheetFact("app_unusable", app_unusable_message(unusable)))
    if host_kind == UnitType.INTERNAL:
        out.append(SheetFact("internal_unit", f"主办单位“{host_name}”是内设机构"))
    if names_host is False:
        out.append(SheetFact("verification", "公开认证信息中未标明主办单位名称"))
    return out
