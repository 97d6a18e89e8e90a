"""What is due, and when: the deadlines of the office's policy profile, in Chinese working days.

``pending(session, today)`` lists every open obligation with its due date, the rule and the article
it comes from, overdue first. Sources:

- 云南 第十七条: 开办、变更、关停、注销应于7个工作日内备案 — due 7 working days after the event
  (profile ``filing_deadline``); also accounts opened after the policy date with no filing at all;
- 南通 第十五条: 主管单位应在3个工作日内通过全省政务新媒体备案检查系统进行备案 — due 3 working days
  after the form reached the 主管单位 (the 主办单位 step signed), until ``reported_on`` is set
  (profile ``provincial_filing``);
- backfill windows (盐湖 第三十条 20, 南通 第三十五条 20, 云南 第四十七条 60 working days from the
  policy's publication) for accounts opened before the policy with no filing yet;
- 停更注销公告 (云南 第十八条, 南通 第十六条, 盐湖 第十一条): the latest day to publish it, and the day
  the closure takes effect once it has run;
- open tasks (离职: change passwords, take back devices — 云南 第三十七条);
- 异议 not yet answered (云南 第四十五条: 7 working days from receipt, extended with approval up to 30);
- every other filing still on its way (草稿, 待签批, 退回) with no deadline of its own: listed
  without a due date after the dated items, with the step it waits for, so nothing in progress is
  out of sight (盐湖 第十条 sets no working-day limit, but an account is opened only once approved).

Dates that depend on a year chinese-calendar does not know yet are marked provisional (预估).
"""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from gzdesk import enums
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, FilingKind, FilingState
from gzdesk.filing_kinds import CLOSING_KINDS, LIVE_STATES, OPEN_STATES, announcement_kinds
from gzdesk.models import Account, ApprovalStep, Filing, Task
from gzdesk.models.types import session_text_first
from gzdesk.office import current_profile
from gzdesk.profiles import Profile
from gzdesk.workdays import CountResult, WorkdayCalendar, WorkdayResult, load_calendar

KIND_LABELS: dict[str, str] = {
    "filing": "备案时限",
    "provincial": "报送备案系统",
    "backfill": "补办备案",
    "announcement": "发布公告",
    "closure": "公告期满关停",
    "task": "待办事项",
    "in_progress": "在办备案",
    "objection": "异议处理",
}
ACTIVE_STATUSES = (AccountStatus.NORMAL, AccountStatus.PAUSED)


@dataclass(slots=True)
class _Account:
    """The few account columns the deadlines need (the registry may hold 200,000 accounts)."""

    id: int
    name: str
    registered_on: date | None
    status: str


@dataclass(slots=True)
class DueItem:
    """One pending obligation."""

    kind: str  # a key of KIND_LABELS
    title: str
    account_id: int | None
    account: str
    filing_id: int | None
    filing_number: str | None
    due: date | None  # None: a filing in progress that no rule gives a deadline
    provisional: bool
    overdue: bool
    days_left: int | None  # working days from today to ``due``; negative when late; None without a due date
    rule: str
    article: str
    message: str
    waiting: str = ""  # for an undated item: what it waits for (等待县（市、区）办公室意见, 已退回 …)
    ref_id: int | None = None  # the record behind a supervision item (整改 item, 假冒账号 report)
    day_unit: str = "个工作日"  # days_left counted in working days, or in calendar days ("天": 整改 10日)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def due_text(self) -> str:
        return cn_date(self.due, self.provisional) if self.due else "无时限"

    @property
    def left_text(self) -> str:
        if self.days_left is None:
            return self.waiting
        if self.overdue:
            return f"逾期{-self.days_left}{self.day_unit}" if self.days_left < 0 else "已逾期"
        if self.days_left == 0:
            return "今天到期"
        return f"剩余{self.days_left}{self.day_unit}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "kind_label": self.kind_label, "title": self.title,
                "account_id": self.account_id, "account": self.account, "filing_id": self.filing_id,
                "filing_number": self.filing_number, "due": self.due.isoformat() if self.due else None,
                "provisional": self.provisional, "overdue": self.overdue, "days_left": self.days_left,
                "left": self.left_text, "rule": self.rule, "article": self.article, "message": self.message,
                "ref_id": self.ref_id}


class _CachedCalendar:
    """Working-day sums for many items at once.

    ``add`` is memoised (thousands of accounts share a few dates); ``count`` uses running totals
    of working days over the span needed, so a count over years costs two lookups instead of one
    chinese-calendar call per day (which is slow: each call scans its whole holiday table).
    """

    SLACK_DAYS = 400  # widen the span by this much whenever it has to grow

    def __init__(self, cal: WorkdayCalendar):
        self.cal = cal
        self._add: dict[tuple[date, int], WorkdayResult] = {}
        self._base: date | None = None  # running totals cover base … base + len - 1
        self._work: list[int] = []  # _work[i]: working days in (base, base + i]
        self._prov: list[int] = []  # _prov[i]: provisional days in (base, base + i]

    def add(self, start: date, n: int) -> WorkdayResult:
        """As ``WorkdayCalendar.add``: the n-th working day after ``start``."""
        key = (start, n)
        if key not in self._add:
            self._add[key] = self._add_forward(start, n) if n > 0 else self.cal.add(start, n)
        return self._add[key]

    def _add_forward(self, start: date, n: int) -> WorkdayResult:
        span = timedelta(days=3 * n + 60)
        while True:
            base = self._cover(start, start + span)
            i = (start - base).days
            j = bisect_left(self._work, self._work[i] + n, lo=i)
            if j < len(self._work):  # the day where the n-th working day after start is reached
                return WorkdayResult(base + timedelta(days=j), self._prov[j] - self._prov[i] > 0)
            span *= 2

    def _cover(self, lo: date, hi: date) -> date:
        """Make the running totals span ``lo`` … ``hi``; returns their base day."""
        if self._base is not None and lo >= self._base and (hi - self._base).days < len(self._work):
            return self._base
        if self._base is not None:
            lo = min(lo, self._base)
            hi = max(hi, self._base + timedelta(days=len(self._work) - 1))
        lo -= timedelta(days=self.SLACK_DAYS)
        hi += timedelta(days=self.SLACK_DAYS)
        work, prov = [0], [0]
        day = lo
        while day < hi:
            day += timedelta(days=1)
            ok, provisional = self.cal.is_workday(day)
            work.append(work[-1] + ok)
            prov.append(prov[-1] + provisional)
        self._base, self._work, self._prov = lo, work, prov
        return lo

    def count(self, start: date, end: date) -> CountResult:
        """As ``WorkdayCalendar.count``: working days after ``start`` up to and including ``end``."""
        if start == end:
            return CountResult(0, False)
        lo, hi = (start, end) if end > start else (end, start)
        base = self._cover(lo, hi)
        i, j = (lo - base).days, (hi - base).days
        days = self._work[j] - self._work[i]
        return CountResult(days if end > start else -days, self._prov[j] - self._prov[i] > 0)


class _Collector:
    def __init__(self, cal: WorkdayCalendar, today: date):
        self.cal, self.today = _CachedCalendar(cal), today
        self.items: list[DueItem] = []

    def add(self, kind: str, title: str, due: date, provisional: bool, rule: str, article: str, message: str,
            account: _Account | None = None, filing: _Filing | None = None) -> None:
        left = self.cal.count(self.today, due)
        self.items.append(DueItem(kind, title, account.id if account else None, account.name if account else "",
                                  filing.id if filing else None, filing.number if filing else None, due,
                                  provisional or left.provisional, due < self.today, left.days, rule, article,
                                  message))

    def add_undated(self, title: str, waiting: str, rule: str, article: str, message: str, account: _Account | None,
                    filing: _Filing) -> None:
        self.items.append(DueItem("in_progress", title, account.id if account else None,
                                  account.name if account else "", filing.id, filing.number, None, False, False,
                                  None, rule, article, message, waiting))


def pending(session: Session, today: date) -> list[DueItem]:
    """Every pending deadline, overdue first, then by due date (text decoded by SQLite, as in
    ``rules.check``: ``session_text_first``)."""
    return session_text_first(session, lambda: _pending(session, today))


def _pending(session: Session, today: date) -> list[DueItem]:
    profile = current_profile(session)
    col = _Collector(load_calendar(session), today)
    # filings still needing something: all but those reported (except closures waiting for their
    # 公告); the bulky JSON columns stay unloaded — a registry may hold 100,000 filings. Written as
    # "still going" OR "a live closure" (the same rows as "live AND (not reported OR a closure)") so
    # that SQLite reads the few filings on their way and the closures, not every reported filing
    # (178,000 at 200,000 accounts) to look at its kind.
    going = [s for s in LIVE_STATES if s != FilingState.REPORTED]
    wanted = or_(Filing.state.in_(going), and_(Filing.kind.in_(CLOSING_KINDS), Filing.state.in_(LIVE_STATES)))
    accounts = _Accounts(session)
    filings = _filings(session, wanted, accounts)
    steps = _steps(session, wanted)
    _filing_deadlines(col, profile, filings, accounts)
    _provincial(col, profile, filings, accounts, steps)
    _unfiled_accounts(col, profile, filings, accounts)
    _closures(col, profile, filings, accounts)
    _tasks(col, session, accounts)
    _supervision(col, session, profile)
    _objections(col, session, profile, accounts)
    returned = _filings(session, Filing.state == FilingState.RETURNED, accounts)
    if returned:  # a returned filing that was reopened, or followed by any later filing, is settled
        latest = dict(session.execute(select(Filing.account_id, func.max(Filing.id))
                                      .where(Filing.account_id.in_({f.account_id for f in returned}))
                                      .group_by(Filing.account_id)).all())
        returned = [f for f in returned if latest.get(f.account_id) == f.id]
    _in_progress(col, profile, [*filings, *returned], accounts, steps)
    return sorted(col.items, key=_order)


class _Accounts:
    """The accounts the list names, by id, read when first asked for: a registry may hold 200,000
    accounts and 待办 names a few thousand of them (reading them all was most of ``gzdesk due``)."""

    def __init__(self, session: Session):
        self.session = session
        self.rows: dict[int, _Account | None] = {}

    def get(self, account_id: int | None) -> _Account | None:
        if account_id is None:
            return None
        if account_id not in self.rows:
            row = self.session.execute(select(*_ACCOUNT_COLUMNS).where(Account.id == account_id)).first()
            self.rows[account_id] = _Account(*row) if row is not None else None
        return self.rows[account_id]

    def unfiled(self) -> list[_Account]:
        """The accounts in operation (正常、暂停) with no live filing at all, in id order.

        Those with no filing at all, and those whose filings are all withdrawn or returned: asking
        each of 200,000 accounts for a live filing reads every filing's state from its row. The
        accounts are found by id and status alone, which SQLite reads from the index on status
        (a few MB) rather than from the wide table; only those found are read whole."""
        other = aliased(Filing)
        not_live = select(other.id).where(or_(other.state.is_(None), other.state.not_in(LIVE_STATES)))
        found = select(Account.id).where(
            Account.status.in_([str(s) for s in ACTIVE_STATUSES]),
            or_(Account.id.not_in(select(Filing.account_id).where(Filing.account_id.is_not(None))),
                and_(Account.id.in_(select(Filing.account_id).where(Filing.id.in_(not_live))),
                     ~exists().where(Filing.account_id == Account.id, Filing.state.in_(LIVE_STATES)))))
        rows = [_Account(*row) for row in self.session.execute(
            select(*_ACCOUNT_COLUMNS).where(Account.id.in_(found)).order_by(Account.id))]
        self.rows.update((a.id, a) for a in rows)
        return rows


_ACCOUNT_COLUMNS = (Account.id, Account.name, Account.registered_on, Account.status)


def _order(item: DueItem) -> tuple:
    """Overdue first, then by due date; undated filings in progress last, oldest first."""
    if item.due is None:  # filing numbers run by year, then in order: the oldest filing first
        return (True, True, date.max, item.filing_number or "", item.title)
    return (not item.overdue, False, item.due, item.kind, item.title)


@dataclass(slots=True)
class _Filing:
    """The columns of a filing that 待办 reads, as plain values (not ORM objects: 10,000 of them at
    200,000 accounts); the bulky JSON of the account as filed stays on disk."""

    id: int
    number: str
    kind: str
    state: str
    account_id: int | None
    filled_on: date | None
    event_on: date | None
    announce_from: date | None
    effective_on: date | None
    reported_on: date | None
    chain: str | None


_FILING_COLUMNS = (Filing.id, Filing.number, Filing.kind, Filing.state, Filing.account_id, Filing.filled_on,
                   Filing.event_on, Filing.announce_from, Filing.effective_on, Filing.reported_on, Filing.chain)


def _filings(session: Session, where, accounts: _Accounts) -> list[_Filing]:
    """The filings ``where`` selects, in id order; their accounts read in the same query into ``accounts``."""
    out = []
    n = len(_FILING_COLUMNS)
    rows: Any = session.execute(select(*_FILING_COLUMNS, *_ACCOUNT_COLUMNS).where(where)
                                .outerjoin(Account, Account.id == Filing.account_id).order_by(Filing.id))
    for row in rows:
        f = _Filing(*row[:n])
        if f.account_id is not None and f.account_id not in accounts.rows:
            accounts.rows[f.account_id] = _Account(*row[n:]) if row[n] is not None else None
        out.append(f)
    return out


@dataclass(slots=True)
class _Step:
    seq: int
    title: str
    signed_on: date | None
    result: str


def _steps(session: Session, wanted) -> dict[int, list[_Step]]:
    """Approval steps of the wanted filings, by filing id, in chain order."""
    rows = session.execute(select(ApprovalStep.filing_id, ApprovalStep.seq, ApprovalStep.title,
                                  ApprovalStep.signed_on, ApprovalStep.result)
                           .join(Filing, Filing.id == ApprovalStep.filing_id).where(wanted)
                           .order_by(ApprovalStep.filing_id, ApprovalStep.seq))
    out: dict[int, list[_Step]] = {}
    for fid, seq, title, signed_on, result in rows:
        out.setdefault(fid, []).append(_Step(seq, title, signed_on, result))
    return out


def _kind(f: _Filing) -> str:
    return enums.label("filing_kind", f.kind)


def _state(f: _Filing) -> str:
    return enums.label("filing_state", f.state)


def _filing_deadlines(col: _Collector, profile: Profile, filings, accounts) -> None:
    """云南 第十七条: 开办、变更、关停、注销应于7个工作日内填写备案登记表进行备案."""
    rule = profile.rule("filing_deadline")
    n = rule.get("workdays") if rule else None
    if not n:
        return
    article = profile.cite_article("filing_deadline")
    backfill = profile.rule("backfill")
    for f in filings:
        if f.state not in OPEN_STATES or f.kind == FilingKind.BACKFILL:
            continue
        account = accounts.get(f.account_id)
        event = f.event_on or (account.registered_on if account and f.kind == FilingKind.OPEN else None)
        guessed = event is None
        event = event or f.filled_on
        if event is None:
            continue
        if f.kind == FilingKind.OPEN and backfill and event < date.fromisoformat(backfill["from"]):
            continue  # opened before the policy: the backfill window applies (below)
        due = col.cal.add(event, n)
        what = {"open": "开设", "change": "变更", "close": "关停", "cancel": "注销", "merge": "整合"}.get(f.kind, _kind(f))
        col.add("filing", f"{_kind(f)}备案：{account.name if account else ''}", due.day, due.provisional,
                f"{what}后{n}个工作日内备案", article,
                f"{what}日期{cn_date(event)}{'（未填事项日期，按填表时间计）' if guessed else ''}，"
                f"备案{f.number}当前“{_state(f)}”", account, f)


def _provincial(col: _Collector, profile: Profile, filings, accounts, steps: dict[int, list[_Step]]) -> None:
    """南通 第十五条: 主管单位应在3个工作日内通过全省政务新媒体备案检查系统进行备案."""
    rule = profile.rule("provincial_filing")
    if not rule:
        return
    n = rule.get("workdays")
    article = profile.cite_article("provincial_filing")
    if not n:
        _sync_report(col, filings, accounts, steps, article)
        return
    for f in filings:
        if f.state not in (FilingState.PENDING_SIGNATURE, FilingState.FILED) or f.reported_on is not None:
            continue
        step = steps[f.id][0] if steps.get(f.id) else None
        if step is None or step.seq != 1 or step.result != "approved" or step.signed_on is None:
            continue
        account = accounts.get(f.account_id)
        due = col.cal.add(step.signed_on, n)
        col.add("provincial", f"报送省级备案系统：{account.name if account else ''}", due.day, due.provisional,
                f"主管单位收到备案登记表后{n}个工作日内报送全省政务新媒体备案检查系统", article,
                f"{step.title}于{cn_date(step.signed_on)}签署，备案{f.number}（{_kind(f)}）当前“{_state(f)}”",
                account, f)


def _sync_report(col: _Collector, filings, accounts, steps: dict[int, list[_Step]], article: str) -> None:
    """盐湖 第十一条: 审批同意后…相关信息应同步在“全国政务新媒体信息报送系统”更新 — no number of
    days: due on the day the last step approved the filing."""
    for f in filings:
        done = steps.get(f.id)
        if f.state != FilingState.FILED or f.reported_on is not None or not done:
            continue
        last = done[-1].signed_on
        if last is None:
            continue
        account = accounts.get(f.account_id)
        col.add("provincial", f"报送全国系统：{account.name if account else ''}", last, False,
                "审批同意后同步在全国政务新媒体信息报送系统更新", article,
                f"{done[-1].title}于{cn_date(last)}签署，备案{f.number}（{_kind(f)}）尚未标记已报送", account, f)


def _unfiled_accounts(col: _Collector, profile: Profile, filings, accounts: _Accounts) -> None:
    """Accounts with no live filing at all: backfill window, or 云南's 7 days after opening."""
    backfill = profile.rule("backfill")
    deadline = profile.rule("filing_deadline")
    start = date.fromisoformat(backfill["from"]) if backfill else profile.published_on
    backfill_due = col.cal.add(start, int(backfill["workdays"])) if backfill else None
    open_filings = [f for f in filings if f.kind == FilingKind.BACKFILL and f.state in OPEN_STATES]
    for f in open_filings:
        account = accounts.get(f.account_id)
        if backfill and backfill_due:
            col.add("backfill", f"补办备案：{account.name if account else ''}", backfill_due.day,
                    backfill_due.provisional, f"本办法公布前开设的账号，自{cn_date(start)}起{backfill['workdays']}个工作日内补办备案",
                    profile.cite_article("backfill"), f"备案{f.number}当前“{_state(f)}”", account, f)
    for account in accounts.unfiled():
        before_policy = account.registered_on is None or account.registered_on < start
        if before_policy and backfill and backfill_due:
            col.add("backfill", f"补办备案：{account.name}", backfill_due.day, backfill_due.provisional,
                    f"本办法公布前开设的账号，自{cn_date(start)}起{backfill['workdays']}个工作日内补办备案",
                    profile.cite_article("backfill"),
                    ("创建日期未填写，按办法公布前开设计；" if account.registered_on is None else
                     f"{cn_date(account.registered_on)}开设；") + "尚无备案记录", account)
        elif not before_policy and account.registered_on is not None and deadline and deadline.get("workdays"):
            n = int(deadline["workdays"])
            due = col.cal.add(account.registered_on, n)
            col.add("filing", f"开设备案：{account.name}", due.day, due.provisional, f"开设后{n}个工作日内备案",
                    profile.cite_article("filing_deadline"),
                    f"{cn_date(account.registered_on)}开设，尚无备案记录", account)


def _closures(col: _Collector, profile: Profile, filings, accounts) -> None:
    """公告: the latest day to publish it, then the day a closure takes effect once it has run.

    The kinds that need one come from the profile (关停、注销; 云南 第十八条 变更 too). Counted as
    ``filing_announcements.check_announcement`` counts: 公告时间不少于15个工作日 from the day after publication,
    effective the day after the period ends; 盐湖 第十一条 at least 3 working days before closing.
    """
    rule = profile.rule("announcement")
    kinds = announcement_kinds(profile)
    article = profile.cite_article("announcement") if rule else ""
    plain = col.cal.cal  # the office's calendar, for "does this rest on an estimate"
    for f in filings:
        if f.kind not in kinds and f.kind not in CLOSING_KINDS:
            continue
        account = accounts.get(f.account_id)
        if account is None or account.status not in ACTIVE_STATUSES:
            continue
        name = account.name
        if f.effective_on is not None:
            if f.kind not in CLOSING_KINDS:
                continue  # a 变更's 公告 is recorded; the change itself was applied on approval
            approved = f.state in (FilingState.FILED, FilingState.REPORTED)
            provisional = bool(f.announce_from and plain.provisional_between(f.announce_from, f.effective_on))
            text = (f"停更注销公告自{cn_date(f.announce_from)}起" if f.announce_from else "") + \
                   (f"，{cn_date(f.effective_on, provisional)}起{_kind(f)}生效" if approved else
                    f"；备案{f.number}尚在“{_state(f)}”，审批办结后方可{_kind(f)}")
            due_rule = (f"公告不少于{rule['workdays']}个工作日" if rule and rule.get("mode") == "min_period"
                        else f"关停、注销前至少{rule['workdays']}个工作日发布公告" if rule else "关停、注销生效")
            col.add("closure", f"{_kind(f)}生效：{name}", f.effective_on, provisional, due_rule, article,
                    text.lstrip("，"), account, f)
        elif rule and f.kind in kinds and f.announce_from is None and f.event_on is not None:
            n = int(rule.get("workdays") or 0)
            word = "变更公告" if f.kind == FilingKind.CHANGE else "停更注销公告"
            if rule.get("mode") == "before_close":
                due = col.cal.add(f.event_on, -n)
                rtext = f"关停、注销前至少{n}个工作日发布停更注销公告"
                msg = (f"拟于{cn_date(f.event_on)}{_kind(f)}，公告宜不晚于{cn_date(due.day, due.provisional)}发布"
                       f"（更早发布也可）")
            else:
                due = _latest_publication(col.cal, f.event_on, n)
                rtext = f"公告时间不少于{n}个工作日（自发布次日起算）"
                msg = f"拟于{cn_date(f.event_on)}{_kind(f)}，公告最迟应于{cn_date(due.day, due.provisional)}发布"
            col.add("announcement", f"发布{word}：{name}", due.day, due.provisional, rtext, article, msg,
                    account, f)


def _latest_publication(cal: _CachedCalendar, event_on: date, n: int) -> WorkdayResult:
    """The last day a 公告 of at least ``n`` working days may begin for the action to take effect on
    ``event_on``: the day before the n-th working day before it — from then the 公告 is up on ``n``
    full working days before ``event_on`` (``filing_announcements.earliest_effective`` of it is ``event_on`` or
    earlier, and of the day after it is later)."""
    first = cal.add(event_on, -n)
    return WorkdayResult(first.day - timedelta(days=1), first.provisional)


def _tasks(col: _Collector, session: Session, accounts) -> None:
    for t in session.scalars(select(Task).where(Task.done_on.is_(None)).order_by(Task.due_on, Task.id)):
        due = t.due_on or (t.created_at.date() if t.created_at else col.today)
        col.add("task", t.title, due, False, enums.label("task_kind", t.kind), t.article or "",
                "离职人员经手账号须及时更改密码、收回设备" if t.kind in ("password_change", "device_return") else "",
                accounts.get(t.account_id))


def _objections(col: _Collector, session: Session, profile: Profile, accounts) -> None:
    """云南 第四十五条: 自收到异议申请之日起7个工作日内处理并告知申请人; extended with approval up to 30."""
    from gzdesk.objections import open_items

    article = profile.cite_article("objection")
    for o, n in open_items(session):
        due = col.cal.add(o.received_on, n)
        what = "告知异议申请人处理结果" if o.handled_on else "处理异议并告知申请人"
        extended = (f"，经{o.extension_approved_by}批准延长至{n}个工作日" if o.extended_to else "")
        col.add("objection", f"{what}：{o.objector}", due.day, due.provisional,
                f"收到异议后{n}个工作日内处理", article,
                f"异议{o.id}于{cn_date(o.received_on)}收到{extended}：{o.subject[:40]}",
                accounts.get(o.account_id))


def _in_progress(col: _Collector, profile: Profile, filings, accounts, steps: dict[int, list[_Step]]) -> None:
    """Filings on their way up the chain (草稿, 待签批, 退回) that no dated item above covers."""
    covered = {i.filing_id for i in col.items if i.filing_id is not None}
    before_opening = profile.rule("approval_before_opening")
    for f in filings:
        if f.id in covered or f.state not in (*OPEN_STATES, FilingState.RETURNED):
            continue
        account = accounts.get(f.account_id)
        if f.state == FilingState.DRAFT:
            waiting = "草稿，待打印送签"
        elif f.state == FilingState.RETURNED:
            waiting = "已退回，待修改后重新送签"
        else:
            signed = {st.seq for st in steps.get(f.id, []) if st.result == "approved"}
            chain = json.loads(f.chain) if f.chain else [step["title"] for step in profile.chain]
            nxt = next((i for i in range(1, len(chain) + 1) if i not in signed), None)
            waiting = f"等待{chain[nxt - 1]}" if nxt else "待登记为已备案"
        if f.kind == FilingKind.OPEN and before_opening and before_opening.get("required"):
            rule, article = "审批同意后方可开设", profile.cite_article("approval_before_opening")
        else:
            rule, article = "本单位制度未规定办理时限", ""
        since = ""
        if f.filled_on:
            days = col.cal.count(f.filled_on, col.today).days
            since = f"，{cn_date(f.filled_on)}填表，已{days}个工作日"
        col.add_undated(f"{_kind(f)}备案：{account.name if account else ''}", waiting, rule, article,
                        f"备案{f.number}当前“{_state(f)}”{since}", account, f)


def pending_json(items: list[DueItem]) -> str:
    return json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- supervision (issue 10)
# 整改 items (附件3 通报整改: 通报公开之日起10日内 — calendar days), the quarter's report (附件3 抽查检查:
# 下一季度首月5日前报送) and open fake-account reports (南通 第三十条: 应立即排查核实 …), this office's own.

KIND_LABELS.update({"rectify": "整改", "quarter_report": "季度报告", "fake": "假冒账号"})


def _supervision(col: _Collector, session: Session, profile: Profile) -> None:
    from gzdesk import fakes, quarters, rectify
    from gzdesk.indicator_sheets import for_profile
    from gzdesk.models import Inspection, QuarterReport
    from gzdesk.scope import Scope

    here = Scope(None, "")
    today = col.today
    sheet = for_profile(profile, "assessment")
    rectify_article = ("参照" if sheet.borrowed else "") + f"{sheet.document}{sheet.article} 通报整改：通报公开之日起10日内"
    for r in rectify.list_items(session, today, open_only=True, scope=here):
        title = f"整改：{r.account}　{r.what}"
        message = f"{r.quarter}检查（{cn_date(r.inspected_on)}）发现" + (f"：{r.note}" if r.note else "")
        if r.due_on is None:
            col.items.append(DueItem("rectify", title, r.account_id, r.account, None, None, None, False, False,
                                     None, "通报后10日内整改", rectify_article, message, "待通报", r.id, "天"))
        else:
            col.items.append(DueItem("rectify", title, r.account_id, r.account, None, None, r.due_on, False,
                                     r.due_on < today, (r.due_on - today).days, "通报后10日内整改",
                                     rectify_article, f"{message}；{cn_date(r.notified_on)}通报", "", r.id, "天"))

    day = (profile.rule("inspection") or {}).get("report_by_day")
    if day:
        day = quarters.report_day(profile)  # (not from gzdesk.assessment: 0.1 s of imports for `due`)
        current = quarters.of(today)
        sent = set(session.scalars(select(QuarterReport.quarter).where(QuarterReport.origin.is_(None))))
        recent = {current}
        q = current
        for _ in range(4):  # the last four ended quarters, those with inspections recorded
            q = quarters.Quarter(q.year - 1, 4) if q.q == 1 else quarters.Quarter(q.year, q.q - 1)
            recent.add(q)
        inspected = set(session.scalars(select(Inspection.quarter).distinct().where(
            Inspection.origin.is_(None), Inspection.quarter.in_([x.code for x in recent]))))
        previous = max(x for x in recent if x.end < today)
        # an office that has recorded inspections at all is reminded of the previous quarter's
        # report even if that quarter has none (定期检查: 按季度组织开展检查)
        uses = bool(inspected) or (session.scalar(select(func.count(Inspection.id)).where(
            Inspection.origin.is_(None))) or 0) > 0
        for q in sorted(x for x in recent if x.end < today):
            if q.code in sent or q.code not in inspected and not (q == previous and uses):
                continue
            due = q.report_due(day)
            left = col.cal.count(today, due)
            col.items.append(DueItem("quarter_report", f"报送{q.label}检查整改情况", None, "", None, None, due,
                                     False, due < today, left.days, f"下一季度首月{day}日前报送",
                                     f"{sheet.document}{sheet.article} 抽查检查" if not sheet.borrowed else
                                     f"参照{sheet.document}{sheet.article} 抽查检查",
                                     f"用 gzdesk report quarter {q.code} 生成报告，报送后登记报送日期"
                                     + ("（第四季度报送内容应包括全年情况）" if q.q == 4 else "")))

    article = fakes.article_of(profile)
    for f in fakes.list_reports(session, open_only=True, scope=here):
        title = f"假冒账号：{f.name}（{f.platform_label or '平台未填'}）"
        nxt = f.pending_steps[0][1] if f.pending_steps else "办结"
        verified = any(st.step == "verify" for st in f.steps)
        steps = "、".join(f"{st.label}（{cn_date(st.done_on)}）" for st in f.steps) or "尚未办理"
        message = f"{cn_date(f.found_on)}{f.how_label}；已办：{steps}"
        if not verified and any(c == "verify" for c, _w in f.pending_steps):
            left = col.cal.count(today, f.found_on)
            col.items.append(DueItem("fake", title, f.imitated_account_id, f.imitated_account or "", None, None,
                                     f.found_on, False, f.found_on < today, left.days, "发现后应立即排查核实",
                                     article, message, "", f.id))
        else:
            col.items.append(DueItem("fake", title, f.imitated_account_id, f.imitated_account or "", None, None,
                                     None, False, False, None, "办结前列入待办", article, message,
                                     f"下一步：{nxt}", f.id))
