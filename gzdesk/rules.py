"""Rule checks on the registry (``gzdesk check``): each finding names its source article.

The rules come from the five policy documents (docs/policies/); which of them apply, and with
which numbers and articles, comes from the office's policy profile — a rule the profile's document does
not contain is not checked. Overdue filings, backfills and 公告 come from ``gzdesk.deadlines`` so
the 待办 view and the checks never disagree.

Not checked, for want of data the registry does not hold: replies to messages within 2 days
(太白 第十一条) and the content-quality items of 南通 附件2.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session

from gzdesk import deadlines, enums
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, UnitType
from gzdesk.models import Account, AccountRole, Person, Task, Unit
from gzdesk.office import current_profile
from gzdesk.people_tasks import departure_article
from gzdesk.profiles import Profile

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
    "no_update_2_weeks": "两周内无更新",
    "update_frequency": "更新频率不足",
    "no_original": "两周内无原创",
    "untrained_staff": "人员未经培训上岗",
    "departure_tasks": "离职人员账号未改密码",
    "no_responsible": "无管理责任人",
    "overdue": "备案逾期",
}


def _cite(profile: Profile, key: str) -> str | None:
    return profile.cite(key)


def _load_accounts(session: Session) -> list[Row]:
    """The active accounts as plain rows of the columns the rules read.

    Plain column selects, not ORM objects: at 200,000 accounts building ``Account`` instances
    took most of the check's time (13.6 s → see bench/bench_check.py).
    """
    return list(session.execute(
        select(Account.id, Account.name, Account.platform, Account.platform_other, Account.status,
               Account.host_unit_id, Account.verification_names_host, Account.last_update_on,
               Account.last_original_on)
        .where(Account.status.in_([str(s) for s in ACTIVE])).order_by(Account.id)).all())


def check(session: Session, today: date) -> list[Finding]:
    """All findings for the registry on ``today``: 否决 first, then 问题, then 提示."""
    profile = current_profile(session)
    units = {u.id: u for u in session.execute(select(Unit.id, Unit.name, Unit.kind)).all()}
    accounts = _load_accounts(session)
    out: list[Finding] = []

    def add(rule, level, article, message, account: Row | None = None, unit_id: int | None = None):
        """A finding on an account, or on a unit as a whole (``unit_id``: 名称不一致 across its accounts)."""
        host = units.get(account.host_unit_id if account else unit_id)
        out.append(Finding(rule, level, article, message, account.id if account else None,
                           account.name if account else "", host.name if host else "", host.id if host else None))

    by_unit: dict[int | None, list[Row]] = defaultdict(list)
    for a in accounts:
        by_unit[a.host_unit_id].append(a)

    art = _cite(profile, "one_account_per_platform")
    if art:
        for unit_id, items in by_unit.items():
            if unit_id is None:
                continue
            per_platform: dict[str, list[Row]] = defaultdict(list)
            for a in items:
                per_platform[a.platform if a.platform != enums.Platform.OTHER else f"other:{a.platform_other}"].append(a)
            for group in per_platform.values():
                if len(group) > 1:
                    names = "、".join(f"“{a.name}”" for a in group)
                    for a in group:
                        add("one_per_platform", "问题", art,
                            f"{units[unit_id].name}在{enums.label('platform', a.platform)}开设了{len(group)}个账号"
                            f"（{names}），应清理整合", a)

    art = _cite(profile, "no_internal_units")
    if art:
        for a in accounts:
            host = units.get(a.host_unit_id)
            if host is not None and host.kind == UnitType.INTERNAL:
                add("internal_unit", "问题", art, f"主办单位“{host.name}”是内设机构，不得以内设机构名义开设政务新媒体", a)

    art = _cite(profile, "names")
    if art:
        for unit_id, items in by_unit.items():
            named = [a for a in items if a.platform not in SAME_NAME_EXEMPT]
            distinct = sorted({a.name for a in named})
            if unit_id is not None and len(distinct) > 1:
                add("name_mismatch", "提示", art,
                    f"{units[unit_id].name}在不同平台的账号名称不一致：{'、'.join(distinct)}（原则上应保持一致）",
                    unit_id=unit_id)
        for a in accounts:
            if a.verification_names_host is False:
                add("verification", "问题", art, "公开认证信息中未标明主办单位名称", a)

    art = _cite(profile, "approved_platforms")
    approved = profile.approved_platforms
    if art and approved:
        for a in accounts:
            if a.platform not in approved:
                where = a.platform_other or enums.label("platform", a.platform)
                add("platform_not_approved", "问题", art, f"平台“{where}”不在核准平台名单内", a)

    _update_rules(profile, accounts, today, add)
    _people_rules(session, profile, accounts, today, add)

    late = [item for item in deadlines.pending(session, today) if item.overdue and item.kind != "task"]
    host_of = {a.id: a.host_unit_id for a in accounts}
    others = {item.account_id for item in late} - host_of.keys() - {None}
    if others:  # e.g. an account already 注销 whose filing is overdue
        host_of.update(session.execute(select(Account.id, Account.host_unit_id)
                                       .where(Account.id.in_(sorted(others)))).all())
    for item in late:
        host = units.get(host_of.get(item.account_id))
        out.append(Finding("overdue", "问题", item.article, f"{item.kind_label}已逾期：{item.message}",
                           item.account_id, item.account, host.name if host else "", host.id if host else None))

    order = {"否决": 0, "问题": 1, "提示": 2}
    return sorted(out, key=lambda f: (order.get(f.level, 3), f.rule, f.account_id or 0))


def _update_rules(profile: Profile, accounts: list[Row], today: date, add) -> None:
    freq = profile.rule("update_frequency")
    sheet = (profile.rule("inspection") or {}).get("sheet")
    for a in accounts:
        if a.status != AccountStatus.NORMAL:
            continue
        last = a.last_update_on
        if sheet == "nantong_2019" and (last is None or today - last > timedelta(days=14)):
            add("no_update_2_weeks", "否决", "南通市政务新媒体管理办法（试行）附件2 单项否决指标“内容不更新”",
                f"监测时间点前2周内无更新（最近更新：{cn_date(last) if last else '未登记'}）", a)
            continue
        if freq:
            limit = 3 if freq.get("daily") else 7  # 云南: daily except holidays → allow a long weekend
            if last is None or today - last > timedelta(days=limit):
                how = "除节假日外每天至少更新1条" if freq.get("daily") else f"每周更新不少于{freq.get('per_week', 1)}次"
                add("update_frequency", "问题", _cite(profile, "update_frequency") or "",
                    f"未做到{how}（最近更新：{cn_date(last) if last else '未登记'}）", a)
        orig = profile.rule("original_content")
        if orig:
            weeks = int(orig.get("weeks", 2))
            if a.last_original_on is None or today - a.last_original_on > timedelta(weeks=weeks):
                when = cn_date(a.last_original_on) if a.last_original_on else "未登记"
                add("no_original", "提示", _cite(profile, "original_content") or "",
                    f"{weeks}周内无原创信息（最近原创：{when}）", a)


def _people_rules(session: Session, profile: Profile, accounts: list[Row], today: date, add) -> None:
    """Staff on duty: a role not ended by ``today`` whose person has not left (both empty or later)."""
    by_id = {a.id: a for a in accounts}
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
        for account_id, since, name, trained_on in untrained:
            if account_id in by_id:
                message = (f"{name}未登记培训日期即在岗" if trained_on is None else
                           f"{name}于{cn_date(since)}上岗，培训日期（{cn_date(trained_on)}）在上岗之后")
                add("untrained_staff", "问题", art, message, by_id[account_id])
    art = _cite(profile, "responsible_person")
    if art:
        staffed = set(session.scalars(select(AccountRole.account_id).distinct()
                                      .join(Person, AccountRole.person_id == Person.id).where(on_duty)))
        for a in accounts:
            if a.id not in staffed:
                add("no_responsible", "问题", art, "管理队伍中没有在岗人员，未明确专人负责", a)
    art = departure_article(profile)
    overdue_tasks = session.execute(select(Task.title, Task.account_id, Task.due_on).where(
        Task.done_on.is_(None), Task.kind == enums.TaskKind.PASSWORD_CHANGE)).all()
    for title, task_account, due_on in overdue_tasks:
        if task_account in by_id and (due_on is None or due_on < today):
            add("departure_tasks", "问题", art, f"{title}（尚未完成）", by_id[task_account])
