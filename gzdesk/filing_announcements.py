"""The 停更注销公告 of a closure (and of a 变更 where the profile asks) and the effects it lets through.

关停 / 注销 do not change the account at once: its 公告 must run first (``set_announcement``):
云南 第十八条 / 南通 第十六条 — 公告时间不少于15个工作日 (profile ``announcement.mode`` "min_period");
盐湖区 第十一条 — 关停、注销前3个工作日内应发布停更注销公告 ("before_close"). ``apply_due_effects``
moves the status once the filing is approved and its ``effective_on`` has come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gzdesk import enums
from gzdesk.dates import cn_date
from gzdesk.enums import FilingKind
from gzdesk.errors import UserError
from gzdesk.filing_kinds import (
    CLOSING_KINDS,
    DONE_STATES,
    LIVE_STATES,
    STATUS_AFTER,
    announcement_kinds,
)
from gzdesk.filings import FilingData, filing_label, get_filing, load_filing
from gzdesk.models import Account, Filing
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.workdays import load_calendar


@dataclass(slots=True)
class AppliedEffect:
    """A status change made by ``apply_due_effects``."""

    filing_id: int
    filing_number: str
    account_id: int
    account_name: str
    status: str
    status_label: str
    effective_on: date



@dataclass(slots=True)
class AnnouncementCheck:
    effective_on: date
    provisional: bool
    message: str
    warning: str | None = None  # accepted, but the clerk should know (盐湖: later than 3 working days before)


def earliest_effective(cal, from_date: date, n: int):
    """The first day an action may take effect after a 公告 of at least ``n`` working days.

    云南 第十八条 / 南通 第十六条: 公告时间不少于15个工作日. A period is counted from the day after
    the 公告 is published (民法典 第二百零一条: 开始的当日不计入; DESIGN: "N working days from D" is
    the N-th working day after D), and the 公告 must be up for all of them: the period ends with the
    15th working day after publication and the account closes (or changes) the day after. A 公告
    begun on a Saturday thus still runs 15 full working days (Monday to Friday, three weeks).
    Returns a WorkdayResult-like (day, provisional).
    """
    from gzdesk.workdays import WorkdayResult

    last = cal.add(from_date, n)
    return WorkdayResult(last.day + timedelta(days=1), last.provisional)


def check_announcement(session: Session, filing_id: int, from_date: date,
                       until: date | None = None) -> AnnouncementCheck:
    """The day a 公告 starting on ``from_date`` lets the filing take effect, or a UserError.

    "min_period" (云南 第十八条, 南通 第十六条: 公告时间不少于15个工作日): the earliest day is the day
    after the 15th working day following publication (``earliest_effective``); an earlier closing
    day is refused, a later one accepted.
    "before_close" (盐湖区 第十一条: 账号关停、注销前3个工作日内应发布停更注销公告): read as "at least 3
    working days before the closing day", which the clerk gives (``until``). An earlier 公告 is
    accepted; a later one is accepted with a warning — it is never refused.
    """
    f = load_filing(session, filing_id)
    profile = current_profile(session)
    kinds = announcement_kinds(profile)
    if f.kind not in kinds:
        what = "、".join(enums.label("filing_kind", k) for k in kinds) or "关停、注销"
        raise UserError(f"本单位制度中只有{what}备案需要向社会公告，{filing_label(f)}不需要")
    if from_date is None:
        raise UserError("请填写公告发布日期")
    rule = profile.rule("announcement")
    cal = load_calendar(session)
    article = announcement_article(profile)
    act = enums.label("filing_kind", f.kind)
    if rule is None:
        day = until or from_date
        if day < from_date:
            raise UserError(f"{act}日期不能早于公告发布日期")
        return AnnouncementCheck(day, False, f"本配置未规定公告期，于{cn_date(day)}生效")
    n = int(rule.get("workdays") or 0)
    if rule.get("mode") == "before_close":
        if until is None:
            latest = cal.add(from_date, n)
            raise UserError(f"{article}：关停、注销前{n}个工作日内发布公告，请给出{act}日期"
                            f"（公告自{cn_date(from_date)}发布，{act}日期宜在{cn_date(latest.day, latest.provisional)}"
                            "或之后）")
        gap = cal.count(from_date, until)
        if gap.days >= n:
            return AnnouncementCheck(until, gap.provisional,
                                     f"公告于{act}前{gap.days}个工作日发布，{cn_date(until)}{act}"
                                     + ("（工作日数为预估）" if gap.provisional else ""))
        latest = cal.add(until, -n)
        if gap.days < 1:
            warning = (f"公告（{cn_date(from_date)}）不在{act}日期（{cn_date(until)}）之前：{article}要求"
                       f"{act}前{n}个工作日内发布公告，请核实")
        else:
            warning = (f"公告于{act}前{gap.days}个工作日才发布，晚于{article}的“前{n}个工作日”"
                       f"（宜不晚于{cn_date(latest.day, latest.provisional)}），已登记，请核实")
        return AnnouncementCheck(until, gap.provisional, f"{cn_date(until)}{act}", warning)
    earliest = earliest_effective(cal, from_date, n)
    if until is not None and until < earliest.day:
        raise UserError(f"{article}：公告时间不少于{n}个工作日（自发布次日起算），自{cn_date(from_date)}起公告，"
                        f"最早可于{cn_date(earliest.day, earliest.provisional)}{act}")
    day = until or earliest.day
    return AnnouncementCheck(day, earliest.provisional,
                             f"公告期{n}个工作日（自发布次日起算），{cn_date(day, earliest.provisional and until is None)}起"
                             f"{act}生效" + ("（公告期的工作日数为预估）" if earliest.provisional else ""))


def set_announcement(session: Session, filing_id: int, from_date: date, until: date | None = None) -> FilingData:
    """Record the 公告 of a filing (关停/注销; 变更 where the profile asks) and the day it takes effect."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state not in LIVE_STATES:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能登记公告")
    if f.kind in CLOSING_KINDS and f.account is not None and f.account.status in STATUS_AFTER.values():
        raise UserError(f"账号“{f.account.name}”已{enums.label('status', f.account.status)}，公告不能再修改")
    result = check_announcement(session, filing_id, from_date, until)
    f.announce_from = from_date
    f.announce_until = result.effective_on
    f.effective_on = result.effective_on
    session.flush()
    data = get_filing(session, f.id)
    data.announce_warning = result.warning
    return data


def announcement_article(profile) -> str:
    return profile.cite_article("announcement")


def _any_due(session: Session, today: date) -> bool:
    """Whether ``apply_due_effects`` may change anything: an approved closure due by ``today``
    whose account exists and is neither closed nor cancelled (a superset of what it changes: the
    same conditions on the filing, the account's stored status compared as text, NULL counted).
    Asked on the tables, not the mapped classes: the window asks as it opens, and when nothing is
    due no table is mapped before the registry is painted (SQLAlchemy maps them all on the first
    ORM query, ~0.1–0.3 s)."""
    f, a = Filing.__table__.c, Account.__table__.c
    after = [str(s) for s in STATUS_AFTER.values()]
    stmt = (select(f.id).join_from(Filing.__table__, Account.__table__, a.id == f.account_id)
            .where(f.kind.in_(CLOSING_KINDS), f.state.in_(DONE_STATES), f.effective_on.is_not(None),
                   f.effective_on <= today, or_(a.status.is_(None), a.status.not_in(after)))
            .limit(1))
    return session.execute(stmt).first() is not None


def apply_due_effects(session: Session, today: date) -> list[AppliedEffect]:
    """Close or cancel the accounts whose approved 关停/注销 has reached its ``effective_on``."""
    done: list[AppliedEffect] = []
    if not _any_due(session, today):
        return done
    stmt = (select(Filing).where(Filing.kind.in_(CLOSING_KINDS), Filing.state.in_(DONE_STATES),
                                 Filing.effective_on.is_not(None), Filing.effective_on <= today)
            .order_by(Filing.effective_on, Filing.id))
    for f in session.scalars(stmt):
        account = f.account
        target = STATUS_AFTER[FilingKind(f.kind)]
        if account is None or f.effective_on is None or account.status in STATUS_AFTER.values():
            continue
        account.status = target
        done.append(AppliedEffect(f.id, f.number, account.id, account.name, target,
                                  enums.label("status", target), f.effective_on))
    session.flush()
    return done
