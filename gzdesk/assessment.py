"""The annual assessment of an office's supervision work (南通 附件3 政务新媒体监管工作年度考核指标).

``tally`` scores values on the sheet exactly as its 指标说明 says: any 单项否决 → 不合格, no further
scoring; otherwise 100 minus the deductions (a line's own 上限 first, then 单项指标扣分之和不超过本项
指标总分值), below 60 → 不合格; only **above 80** the bonus items, and the final score is the sum.

``assess`` fills the values from what the registry knows, each with the source it was counted
from, and takes what it cannot know from entries made by hand (``set_entry``; ``gzdesk assess
--set 二级指标=VALUE``): the 省办 annual assessment, 弄虚作假, 纳入年度绩效考核, 表彰表扬. A hand entry
also overrides a counted value (shown with the count beside it). Counted:

- 上级抽查检查情况 2: inspections recorded as 国办/省办抽查 — vetoed for 严重表述错误, or 2 or more 不合格;
- 定期检查: an ended quarter of the year with no own inspection;
- 开设情况: no account in operation at all;
- 通报整改: a 整改 item of the year not done within its 10 days (or still open past them);
- 抽查检查 1: a quarter's report not recorded as sent by the 5th of the next quarter's first month;
- 抽查检查 2: once the year is over, an account in operation at its end not inspected in the year;
- 集约整合 1: a unit with several accounts on one platform (服务号 and 订阅号 together: 微信公众号);
- 集约整合 2: a 关停/注销 filing approved in the year with no 停更注销公告 recorded;
- 开设备案 1: a filing submitted after the profile's deadline (云南 7 working days), or an account
  opened in the year with no filing at all;
- 开设备案 2: a filing not entered in the 备案系统 within 3 working days of reaching the 主管单位;
- 监管范围: an account in operation with no 主管单位 recorded;
- 检查比例: every quarter's coverage 100% (10) or at least 70% (5);
- 合格率: every upper-level spot check of the year passed (only when there was one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gzdesk import indicator_sheets, inspections, quarters
from gzdesk.dates import cn_date
from gzdesk.enums import FilingKind, FilingState, InspectionLevel, Platform
from gzdesk.errors import UserError
from gzdesk.filing_kinds import CLOSING_KINDS, LIVE_STATES
from gzdesk.indicator_sheets import FAIL, PASS, Line, Sheet
from gzdesk.models import (
    Account,
    ApprovalStep,
    AssessmentEntry,
    Filing,
    Inspection,
    InspectionFinding,
    QuarterReport,
)
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.quarters import report_day
from gzdesk.scope import Scope
from gzdesk.workdays import WorkdayCalendar, load_calendar

UPPER_LEVELS = (InspectionLevel.CITY, InspectionLevel.PROVINCE, InspectionLevel.STATE)
STATE_PROVINCE = (InspectionLevel.PROVINCE, InspectionLevel.STATE)
SYSTEM_WORKDAYS = 3  # 附件3 开设备案 2: 在3个工作日内未在指定备案系统备案
GROUPS = ("veto", "deductions", "bonus")
GROUP_LABELS = {"veto": "单项否决指标", "deductions": "扣分指标", "bonus": "加分指标"}


def line_key(item: str, line: Line) -> str:
    """抽查检查.1 for a numbered line, the item's name for its only line."""
    return f"{item}{line.key_suffix}"


# --------------------------------------------------------------------------- scoring (pure)


@dataclass(slots=True)
class LineResult:
    key: str
    rule: str
    value: int
    points: int  # this line's points (deduction or bonus) after its own 上限; 0 for veto lines
    computed: int | None = None  # what the registry counted; None: it cannot know
    manual: int | None = None
    source: str = ""
    note: str | None = None

    def to_json(self) -> dict:
        return {"key": self.key, "rule": self.rule, "value": self.value, "points": self.points,
                "computed": self.computed, "manual": self.manual, "source": self.source, "note": self.note}


@dataclass(slots=True)
class ItemResult:
    group: str
    name: str
    cap: int | None
    lines: list[LineResult]
    points: int  # after the item's 分值 (deductions, bonus); 0 for veto
    hit: bool  # a veto item triggered, or points > 0

    @property
    def capped(self) -> bool:
        """The lines together exceed the item's 分值 (单项指标扣分之和不超过本项指标总分值)."""
        return self.cap is not None and sum(ln.points for ln in self.lines) > self.cap

    def points_text(self, line: LineResult, scored: bool = True) -> str:
        """−10 / ＋5 / 0 for a line; on an item's last line, the cap when it applies; 不计 when not scored."""
        if not scored:
            return "不计"
        sign = "－" if self.group == "deductions" else "＋"
        text = f"{sign}{line.points}" if line.points else "0"
        if self.capped and line is self.lines[-1]:
            text += f"（本项以{self.cap}分为限，计{sign}{self.points}）"
        return text

    def to_json(self) -> dict:
        return {"group": self.group, "item": self.name, "cap": self.cap, "points": self.points, "hit": self.hit,
                "lines": [ln.to_json() for ln in self.lines]}


@dataclass
class Tally:
    items: list[ItemResult]
    vetoed: bool
    deduction_score: int | None  # 100 − deductions; None when vetoed
    bonus: int | None  # None when not scored (vetoed, or not above 80)
    final: int | None
    result: str

    @property
    def veto(self) -> list[str]:
        return [it.name for it in self.items if it.group == "veto" and it.hit]


def tally(sheet: Sheet, values: dict[str, int]) -> Tally:
    """Score ``values`` ({line key: value}) on an assessment sheet; missing keys count 0."""
    keys = {line_key(it.name, ln) for g in GROUPS for it in getattr(sheet, g) for ln in it.lines}
    unknown = set(values) - keys
    if unknown:
        raise UserError(f"《{sheet.title}》中没有“{'、'.join(sorted(unknown))}”")
    items: list[ItemResult] = []
    for group in GROUPS:
        for it in getattr(sheet, group):
            lines = []
            for ln in it.lines:
                value = int(values.get(line_key(it.name, ln), 0))
                lines.append(LineResult(line_key(it.name, ln), ln.rule, value,
                                        0 if group == "veto" else ln.points_for(value)))
            if group == "veto":
                items.append(ItemResult(group, it.name, None, lines, 0, any(ln.value > 0 for ln in lines)))
            else:
                pts = min(sum(ln.points for ln in lines), it.points)  # 单项指标扣分之和不超过本项指标总分值
                items.append(ItemResult(group, it.name, it.points, lines, pts, pts > 0))
    vetoed = any(i.hit for i in items if i.group == "veto")
    if vetoed:  # 出现单项否决指标中的任意一种情形，即判定为不合格，不再对其他指标进行评分
        return Tally(items, True, None, None, None, FAIL)
    score = max(sheet.total - sum(i.points for i in items if i.group == "deductions"), 0)
    bonus = None
    if sheet.bonus_above is not None and score > sheet.bonus_above:  # 高于80分，则进入加分指标评分环节
        bonus = sum(i.points for i in items if i.group == "bonus")
        if sheet.bonus_total is not None:
            bonus = min(bonus, sheet.bonus_total)
    final = score + (bonus or 0)  # 最后得分为扣分、加分指标得分之和
    return Tally(items, False, score, bonus, final, FAIL if score < sheet.pass_mark else PASS)


# --------------------------------------------------------------------------- manual entries


def parse_key(sheet: Sheet, text: str) -> str:
    """A line key from 二级指标 or 二级指标.N (also 二级指标N, 二级指标第N项)."""
    raw = indicator_sheets.normalize_name(text)
    n = None
    for sep in (".", "．", "第"):
        if sep in raw:
            head, _, tail = raw.partition(sep)
            tail = tail.removesuffix("项")
            if tail.isdigit():
                raw, n = head, int(tail)
                break
    else:
        if raw and raw[-1].isdigit():
            raw, n = raw[:-1], int(raw[-1])
    item = sheet.item(raw)
    if n is None and len(item.lines) > 1:
        raise UserError(f"“{item.name}”有 {len(item.lines)} 项评分细则，请写明第几项，如 {item.name}.1")
    line = item.line(n) if n is not None else item.lines[0]
    return line_key(item.name, line)


def parse_value(sheet: Sheet, key: str, text: str) -> int:
    """A count (0, 1, 2 …), or 是/否 for 出现该情形 / 未出现; for 检查比例 the points (0, 5, 10)."""
    t = indicator_sheets.normalize_name(str(text))
    if t in ("是", "有", "出现"):
        value = 1
    elif t in ("否", "无", "没有", "未出现"):
        value = 0
    elif t.isdigit():
        value = int(t)
    else:
        raise UserError(f"“{key}”的值应为次数（如 0、1、2）或 是/否，收到“{text}”")
    line = _line(sheet, key)
    if line.choices and value not in (0, *line.choices):
        raise UserError(f"“{key}”的值应为 {'、'.join(str(c) for c in (0, *line.choices))}（所加的分数）")
    if value > 1000:
        raise UserError(f"“{key}”的值过大：{value}")
    return value


def _line(sheet: Sheet, key: str) -> Line:
    for g in GROUPS:
        for it in getattr(sheet, g):
            for ln in it.lines:
                if line_key(it.name, ln) == key:
                    return ln
    raise UserError(f"《{sheet.title}》中没有“{key}”")


def sheet_of(session: Session) -> Sheet:
    return indicator_sheets.for_profile(current_profile(session), "assessment")


def set_entry(session: Session, year: int, scope: Scope, key_text: str, value_text: str | None,
              note: str | None = None) -> tuple[str, int | None]:
    """Enter (or, with an empty value, remove) a value by hand for ``scope``'s assessment of ``year``."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    sheet = sheet_of(session)
    key = parse_key(sheet, key_text)
    row = session.scalars(select(AssessmentEntry).where(
        AssessmentEntry.origin.is_(None), AssessmentEntry.scope == scope.key, AssessmentEntry.year == year,
        AssessmentEntry.item == key)).first()
    if value_text is None or not str(value_text).strip():
        if row is not None:
            session.delete(row)
            session.flush()
        return key, None
    value = parse_value(sheet, key, value_text)
    if row is None:
        row = AssessmentEntry(year=year, scope=scope.key, item=key, value=value)
        session.add(row)
    row.value = value
    row.note = (note or "").strip() or None
    session.flush()
    return key, value


def _entries(session: Session, year: int, scope: Scope) -> dict[str, tuple[int, str | None, str]]:
    """Hand entries: this office's own for the scope; for a source, also what the source entered
    for itself (this office's entry wins)."""
    out: dict[str, tuple[int, str | None, str]] = {}
    if scope.origin is not None:
        for item, value, note in session.execute(select(AssessmentEntry.item, AssessmentEntry.value,
                                                        AssessmentEntry.note).where(
                AssessmentEntry.origin == scope.origin, AssessmentEntry.scope == "", AssessmentEntry.year == year)):
            out[item] = (value, note, f"{scope.origin}自报")
    for item, value, note in session.execute(select(AssessmentEntry.item, AssessmentEntry.value,
                                                    AssessmentEntry.note).where(
            AssessmentEntry.origin.is_(None), AssessmentEntry.scope == scope.key, AssessmentEntry.year == year)):
        out[item] = (value, note, "手工填写")
    return out


# --------------------------------------------------------------------------- counting from the registry


@dataclass(slots=True)
class Count:
    value: int
    source: str


class _Counter:
    """Counts each ``compute`` of the sheet for one scope and year, as of a day."""

    def __init__(self, session: Session, year: int, scope: Scope, today: date):
        self.s, self.year, self.scope, self.today = session, year, scope, today
        self.profile = current_profile(session)
        self.quarters = quarters.of_year(year)
        self.ended = [q for q in self.quarters if q.end < today]
        self.year_over = date(year, 12, 31) < today
        self._accounts: dict[int, str | None] | None = None
        self._active: set[int] | None = None
        self._cal: WorkdayCalendar | None = None
        self._adds: dict[tuple[date, int], date] = {}

    def accounts(self) -> dict[int, str | None]:
        """Accounts in operation now, with their 创建日期 (read once for every count)."""
        if self._accounts is None:
            self._accounts = inspections.active_accounts(self.s, self.scope)
        return self._accounts

    def active(self) -> set[int]:
        """In operation and opened by the end of the year."""
        if self._active is None:
            self._active = inspections.opened_by(self.accounts(), date(self.year, 12, 31))
        return self._active

    def add_workdays(self, start: date, n: int) -> date:
        if self._cal is None:
            self._cal = load_calendar(self.s)
        key = (start, n)
        if key not in self._adds:
            self._adds[key] = self._cal.add(start, n).day
        return self._adds[key]

    def _year_inspections(self, levels):
        """The year's inspections at these levels: the office's records, and for a lower office also
        this office's own spot checks of that office's accounts (市办抽查 made at the city)."""
        whose = self.scope.where(Inspection.origin)
        if self.scope.origin is not None:
            theirs = select(Account.id).where(Account.origin == self.scope.origin)
            whose = whose | (Inspection.origin.is_(None) & Inspection.account_id.in_(theirs))
        return self.s.execute(select(Inspection.id, Inspection.quarter, Inspection.result, Inspection.account_id,
                                     Inspection.level).where(
            whose, Inspection.quarter.like(f"{self.year}Q%"),
            Inspection.level.in_([str(x) for x in levels]))).all()

    # -- 单项否决
    def upper_level_failures(self) -> Count:
        rows = self._year_inspections(STATE_PROVINCE)
        if not rows:
            return Count(0, "本库没有本年度国办、省办抽查记录")
        failed = [r for r in rows if r.result == FAIL]
        severe = self.s.execute(select(InspectionFinding.inspection_id).where(
            InspectionFinding.inspection_id.in_([r.id for r in failed]), InspectionFinding.kind == inspections.VETO,
            InspectionFinding.item == "安全、泄密事故等严重问题", InspectionFinding.rule_no == 1)).all()
        text = f"国办、省办抽查 {len(rows)} 个账号次，不合格 {len(failed)} 个，其中因严重表述错误 {len(severe)} 个"
        return Count(1 if severe or len(failed) >= 2 else 0, text)

    def quarters_without_inspection(self) -> Count:
        done = {q for q, in self.s.execute(select(Inspection.quarter).distinct().where(
            self.scope.where(Inspection.origin), Inspection.level == InspectionLevel.OWN,
            Inspection.quarter.like(f"{self.year}Q%")))}
        missing = [q for q in self.ended if q.code not in done]
        if not self.ended:
            return Count(0, "本年度尚无已结束的季度")
        if missing:
            return Count(len(missing), "、".join(q.label for q in missing) + "无本级检查记录")
        return Count(0, f"已结束的{len(self.ended)}个季度均有本级检查记录")

    def no_accounts(self) -> Count:
        n = len(self.active())
        return Count(0 if n else 1, f"在运行的账号 {n} 个")

    # -- 扣分
    def rectify_late(self) -> Count:
        rows = self.s.execute(select(InspectionFinding.due_on, InspectionFinding.done_on).join(
            Inspection, Inspection.id == InspectionFinding.inspection_id).where(
            self.scope.where(Inspection.origin), Inspection.quarter.like(f"{self.year}Q%"),
            InspectionFinding.due_on.is_not(None))).all()
        late = [r for r in rows if (r.done_on is None and r.due_on < self.today)
                or (r.done_on is not None and r.done_on > r.due_on)]
        return Count(len(late), f"已通报的整改事项 {len(rows)} 项，逾期未整改或逾期整改 {len(late)} 项")

    def reports_late(self) -> Count:
        sent = dict(self.s.execute(select(QuarterReport.quarter, QuarterReport.sent_on).where(
            self.scope.where(QuarterReport.origin), QuarterReport.quarter.like(f"{self.year}Q%"))).all())
        day = report_day(self.profile)
        due_passed = [q for q in self.quarters if q.report_due(day) < self.today]
        late = []
        for q in due_passed:
            on = sent.get(q.code)
            if on is None:
                late.append(f"{q.label}未登记报送")
            elif on > q.report_due(day):
                late.append(f"{q.label}于{cn_date(on)}报送（应于{cn_date(q.report_due(day))}前）")
        if not due_passed:
            return Count(0, "本年度尚无到期的季度报告")
        return Count(len(late), "；".join(late) if late else f"到期的{len(due_passed)}个季度报告均按时报送")

    def year_not_covered(self) -> Count:
        inspected = {a for a, in self.s.execute(select(Inspection.account_id).distinct().where(
            self.scope.where(Inspection.origin), Inspection.level == InspectionLevel.OWN,
            Inspection.quarter.like(f"{self.year}Q%"), Inspection.account_id.is_not(None)))}
        missing = self.active() - inspected
        if not self.year_over:
            return Count(0, f"年度尚未结束，暂不判定（目前尚有 {len(missing)} 个在运行账号本年度未检查）")
        return Count(1 if missing else 0, f"年末在运行账号 {len(self.active())} 个，本年度未检查 {len(missing)} 个")

    def duplicate_accounts(self) -> Count:
        """Groups of accounts in operation of one unit on one platform, counted in SQL (200,000 accounts)."""
        group = case((Account.platform.in_([Platform.WECHAT_SERVICE, Platform.WECHAT_SUBSCRIPTION]), "wechat"),
                     (Account.platform == Platform.OTHER, "other:" + func.coalesce(Account.platform_other, "")),
                     else_=Account.platform)
        opened = Account.registered_on.is_(None) | (Account.registered_on <= date(self.year, 12, 31))
        rows = self.s.execute(select(Account.host_unit_id, group.label("g"), func.count(Account.id))
                              .where(self.scope.where(Account.origin), Account.status.in_(["normal", "paused"]),
                                     Account.host_unit_id.is_not(None), opened)
                              .group_by(Account.host_unit_id, "g").having(func.count(Account.id) > 1)).all()
        shown = []
        for host, g, _n in rows[:3]:
            names = self.s.scalars(select(Account.name).where(
                self.scope.where(Account.origin), Account.host_unit_id == host, group == g,
                Account.status.in_(["normal", "paused"]), opened).order_by(Account.id))
            shown.append("、".join(names))
        text = "；".join(shown) + ("等" if len(rows) > 3 else "")
        return Count(len(rows), f"同一单位在同一平台开设多个账号 {len(rows)} 起" + (f"：{text}" if rows else ""))

    def closed_without_notice(self) -> Count:
        rows = self.s.execute(select(Filing.number, Filing.account_id).where(
            self.scope.where(Filing.origin), Filing.kind.in_(CLOSING_KINDS),
            Filing.state.in_([FilingState.FILED, FilingState.REPORTED]), Filing.announce_from.is_(None),
            Filing.filled_on >= date(self.year, 1, 1), Filing.filled_on <= date(self.year, 12, 31))).all()
        accounts = {a for _n, a in rows}
        return Count(len(accounts), f"本年度已报关停、注销而未登记停更注销公告的账号 {len(accounts)} 个"
                     + (f"（备案{'、'.join(n for n, _a in rows[:5])}{'等' if len(rows) > 5 else ''}）" if rows else ""))

    def filing_late(self) -> Count:
        deadline = self.profile.rule("filing_deadline") or {}
        n = deadline.get("workdays")
        start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        late: list[str] = []
        if n:
            for number, kind, event, filled, registered in self.s.execute(select(
                    Filing.number, Filing.kind, Filing.event_on, Filing.filled_on, Account.registered_on)
                    .outerjoin(Account, Account.id == Filing.account_id).where(
                    self.scope.where(Filing.origin), Filing.state.in_(LIVE_STATES),
                    Filing.kind.in_([FilingKind.OPEN, FilingKind.CHANGE, FilingKind.CLOSE, FilingKind.CANCEL]))):
                day = event or (registered if kind == FilingKind.OPEN else None)
                if day is None or not start <= day <= end or filled is None:
                    continue
                if filled > self.add_workdays(day, int(n)):
                    late.append(number)
        policy = self.profile.published_on
        has_filing = select(Filing.id).where(Filing.account_id == Account.id, Filing.state.in_(LIVE_STATES)).exists()
        never = []
        for _aid, name, registered in self.s.execute(select(Account.id, Account.name, Account.registered_on).where(
                self.scope.where(Account.origin), Account.registered_on >= max(start, policy),
                Account.registered_on <= end, ~has_filing)):
            if n and registered is not None and self.add_workdays(registered, int(n)) >= self.today:
                continue  # its time to file has not run out yet
            never.append(name)
        text = (f"超过{n}个工作日提交备案表 {len(late)} 次；" if n else "") + \
            f"本年度开设而没有任何备案记录的账号 {len(never)} 个"
        if never:
            text += f"（{'、'.join(never[:5])}{'等' if len(never) > 5 else ''}）"
        return Count(len(late) + len(never), text)

    def system_late(self) -> Count:
        rule = self.profile.rule("provincial_filing") or {}
        n = int(rule.get("workdays") or SYSTEM_WORKDAYS)
        # the year's first steps (a narrow table) first, then only those filings (a wide one, by id)
        signed = dict(self.s.execute(select(ApprovalStep.filing_id, ApprovalStep.signed_on).where(
            ApprovalStep.seq == 1, ApprovalStep.result == "approved", ApprovalStep.signed_on >= date(self.year, 1, 1),
            ApprovalStep.signed_on <= date(self.year, 12, 31))).all())
        rows = []
        ids = sorted(signed)
        for i in range(0, len(ids), 900):
            rows += [(number, reported, signed[fid]) for fid, number, reported in self.s.execute(
                select(Filing.id, Filing.number, Filing.reported_on).where(
                    Filing.id.in_(ids[i:i + 900]), self.scope.where(Filing.origin), Filing.state.in_(LIVE_STATES)))]
        late = []
        for number, reported, signed_on in rows:
            if signed_on is None:  # (the query wants a date)
                continue
            due = self.add_workdays(signed_on, n)
            if (reported is None and due < self.today) or (reported is not None and reported > due):
                late.append(number)
        return Count(len(late), f"主管单位收到备案表后{n}个工作日内未在备案系统备案 {len(late)} 次（共 {len(rows)} 件）")

    def outside_supervision(self) -> Count:
        names = [n for n, in self.s.execute(select(Account.name).where(
            self.scope.where(Account.origin), Account.status.in_(["normal", "paused"]),
            Account.supervisor_unit_id.is_(None)).order_by(Account.id))]
        return Count(len(names), f"在运行而未登记主管单位的账号 {len(names)} 个"
                     + (f"（{'、'.join(names[:5])}{'等' if len(names) > 5 else ''}）" if names else ""))

    # -- 加分
    def coverage_bonus(self) -> Count:
        if not self.ended:
            return Count(0, "本年度尚无已结束的季度")
        cov = [inspections.coverage(self.s, q, self.scope, inspections.opened_by(self.accounts(), q.end))
               for q in self.ended]
        text = "；".join(f"{c.quarter.label} {c.inspected}/{c.active}（{c.percent_text}）" for c in cov)
        if not self.year_over:
            text += "（年度尚未结束，按已结束的季度计）"
        if all(c.active and c.ratio >= 1 for c in cov):
            return Count(10, text)
        if all(c.active and c.ratio >= 0.7 for c in cov):
            return Count(5, text)
        return Count(0, text)

    def upper_level_all_passed(self) -> Count:
        rows = self._year_inspections(UPPER_LEVELS)
        if not rows:
            return Count(0, "本库没有本年度国办、省办、市办抽查记录")
        failed = sum(1 for r in rows if r.result == FAIL)
        return Count(0 if failed else 1, f"上级抽查 {len(rows)} 个账号次，不合格 {failed} 个")


# --------------------------------------------------------------------------- the assessment


@dataclass
class Assessment:
    year: int
    scope: Scope
    sheet: Sheet
    today: date
    tally: Tally
    items: list[ItemResult] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        """Lines the registry cannot count and nobody has entered."""
        return [ln.key for it in self.items for ln in it.lines if ln.computed is None and ln.manual is None]

    @property
    def result_text(self) -> str:
        t = self.tally
        if t.vetoed:
            return f"不合格（单项否决：{'、'.join(t.veto)}）"
        if t.bonus is None:
            return f"{t.final}分，{t.result}" + ("（未高于80分，不进入加分环节）" if t.result == PASS else "")
        return f"{t.final}分（扣分指标{t.deduction_score}分＋加分指标{t.bonus}分），{t.result}"

    def to_json(self) -> dict:
        t = self.tally
        return {"year": self.year, "unit": self.scope.name, "origin": self.scope.origin,
                "sheet": self.sheet.source_note, "as_of": self.today, "vetoed": t.vetoed, "veto": t.veto,
                "deduction_score": t.deduction_score, "bonus": t.bonus, "score": t.final, "result": t.result,
                "unknown": self.unknown, "items": [it.to_json() for it in self.items]}


def assess(session: Session, year: int, scope: Scope, today: date | None = None) -> Assessment:
    """The assessment of ``scope``'s supervision work in ``year``, as of ``today``."""
    today = today or date.today()
    if year > today.year:
        raise UserError(f"{year}年尚未开始")
    sheet = sheet_of(session)
    counter = _Counter(session, year, scope, today)
    entries = _entries(session, year, scope)
    values: dict[str, int] = {}
    meta: dict[str, tuple[int | None, int | None, str, str | None]] = {}
    for group in GROUPS:
        for it in getattr(sheet, group):
            for ln in it.lines:
                key = line_key(it.name, ln)
                computed = getattr(counter, ln.compute)() if ln.compute else None
                manual = entries.get(key)
                if manual is not None:
                    value, note, who = manual
                    source = who + (f"（本库计得 {computed.value}：{computed.source}）" if computed else "")
                    meta[key] = (computed.value if computed else None, value, source, note)
                elif computed is not None:
                    value = computed.value
                    meta[key] = (computed.value, None, "据本库：" + computed.source, None)
                else:
                    value = 0
                    meta[key] = (None, None, "本库无从得知，未填写（按未出现计）", None)
                values[key] = value
    t = tally(sheet, values)
    for it in t.items:
        for ln in it.lines:
            ln.computed, ln.manual, ln.source, ln.note = meta[ln.key]
    return Assessment(year, scope, sheet, today, t, t.items)
