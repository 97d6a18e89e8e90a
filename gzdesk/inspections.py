"""Quarterly inspections of accounts with the indicator sheet (南通 附件2 政务新媒体检查指标).

按季度组织检查 (南通 第三十二条, 太白 第二十一条, 盐湖 第二十七条): an inspection is one account in one
quarter — date, inspector, each 单项否决 item and 扣分 item found, with its occurrences and a note.
Scoring is ``gzdesk.indicator_sheets``' (exactly 指标说明): any veto → 不合格 and no further scoring;
otherwise 100 minus the deductions, below 60 → 不合格.

Findings the registry already knows (``rules.sheet_facts``: 监测时间点前2周内无更新, APP 无法下载或使用,
以内设机构名义开设, 认证信息未标明主办单位, 每周更新少于1次) are pre-filled and may be confirmed or
cleared. Every finding of an inspection is a 整改 item (``gzdesk.rectify``), due 10 days after the
通报 is recorded (附件3 通报整改: 通报公开之日起10日内).

An inspection by an upper level (市办、省办、国办抽查) is recorded the same way with its ``level``; the
annual assessment reads those for 上级抽查检查情况 and 合格率 (附件3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from gzdesk import enums, indicator_sheets, quarters, rules
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, InspectionLevel
from gzdesk.errors import NotFound, UserError
from gzdesk.fetch import all_rows
from gzdesk.indicator_sheets import FAIL, Sheet
from gzdesk.models import Account, Inspection, InspectionFinding, Unit
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.quarters import Quarter
from gzdesk.scope import Scope

ACTIVE = (AccountStatus.NORMAL, AccountStatus.PAUSED)
VETO, DEDUCT = "veto", "deduct"
DEFAULT_RECTIFY_DAYS = 10  # 附件3 通报整改: 通报公开之日起10日内


# --------------------------------------------------------------------------- scoring (pure)


@dataclass(slots=True)
class FindingInput:
    """One finding as entered: a veto item (with the number of its 评分细则, if known) or a deduction."""

    kind: str  # veto / deduct
    item: str
    count: int = 1
    rule_no: int | None = None
    note: str | None = None
    prefilled: bool = False


@dataclass(slots=True)
class ScoredFinding:
    kind: str
    item: str
    count: int
    points: int | None  # deducted after the item's cap; None for a veto, or a deduction not scored
    rule_no: int | None = None
    rule: str = ""  # the 评分细则 text
    note: str | None = None
    prefilled: bool = False


@dataclass(slots=True)
class Scored:
    score: int | None  # None when vetoed
    result: str  # 合格 / 不合格
    findings: list[ScoredFinding]

    @property
    def vetoed(self) -> bool:
        return any(f.kind == VETO for f in self.findings)

    @property
    def veto(self) -> list[ScoredFinding]:
        return [f for f in self.findings if f.kind == VETO]

    @property
    def deductions(self) -> list[ScoredFinding]:
        return [f for f in self.findings if f.kind == DEDUCT]


def score(sheet: Sheet, findings: list[FindingInput]) -> Scored:
    """Score findings on ``sheet`` as its 指标说明 says; findings come back in sheet order.

    Refuses an item not on the sheet, a count below 1, a 评分细则 number the item does not have, and
    the same deduction item twice (give its count instead).
    """
    order = {indicator_sheets.normalize_name(it.name): i for i, it in enumerate(sheet.items())}
    out: list[ScoredFinding] = []
    seen: set[tuple[str, str, int | None]] = set()
    for f in findings:
        if f.kind not in (VETO, DEDUCT):
            raise UserError(f"未知的检查结果类型“{f.kind}”")
        item = sheet.item(f.item, ("veto",) if f.kind == VETO else ("deductions",))
        if not isinstance(f.count, int) or isinstance(f.count, bool) or f.count < 1:
            raise UserError(f"“{item.name}”的次数应为正整数，收到“{f.count}”")
        rule_text = ""
        if f.kind == VETO and f.rule_no is not None:
            rule_text = item.line(f.rule_no).rule
        elif f.kind == DEDUCT:
            rule_text = item.lines[0].rule
        key = (f.kind, item.name, f.rule_no if f.kind == VETO else None)
        if key in seen:
            raise UserError(f"“{item.name}”给了两次，请只给一次并写明次数（如 {item.name}=2）")
        seen.add(key)
        out.append(ScoredFinding(f.kind, item.name, f.count, None, f.rule_no, rule_text, f.note, f.prefilled))
    out.sort(key=lambda x: (order[indicator_sheets.normalize_name(x.item)], x.rule_no or 0))
    if any(f.kind == VETO for f in out):
        # 指标说明: 出现单项否决指标中的任意一种情形，即判定为不合格，不再对其他指标进行评分
        return Scored(None, FAIL, out)
    total = sheet.total
    for scored in out:
        scored.points = sheet.item(scored.item, ("deductions",)).score({None: scored.count})
        total -= scored.points
    total = max(total, 0)
    return Scored(total, sheet.result_of(total), out)


# --------------------------------------------------------------------------- pre-filled findings


def prefill(session: Session, account_id: int, on: date, sheet: Sheet) -> list[FindingInput]:
    """The findings the registry already knows for this account on ``on``, as the sheet names them."""
    out: list[FindingInput] = []
    for fact in rules.sheet_facts(session, account_id, on):
        for it in sheet.veto:
            if fact.rule in it.prefill:
                out.append(FindingInput(VETO, it.name, 1, it.prefill[fact.rule], fact.message, True))
        for it in sheet.deductions:
            if fact.rule in it.prefill:
                out.append(FindingInput(DEDUCT, it.name, fact.count, None, fact.message, True))
    return out


def compose(sheet: Sheet, prefilled: list[FindingInput], vetoes: list[tuple[str, int | None]],
            deductions: list[tuple[str, int]], cleared: Sequence[str] = (), notes: dict[str, str] | None = None
            ) -> list[FindingInput]:
    """The findings of an inspection: pre-filled ones not cleared, with those given explicitly
    (an explicit count replaces a pre-filled one), and a note per item."""
    notes = {indicator_sheets.normalize_name(k): v for k, v in (notes or {}).items()}
    clear = {indicator_sheets.normalize_name(sheet.item(c).name) for c in cleared}
    out: dict[tuple[str, str, int | None], FindingInput] = {}
    for f in prefilled:
        if indicator_sheets.normalize_name(f.item) not in clear:
            out[(f.kind, f.item, f.rule_no if f.kind == VETO else None)] = f
    for name, rule_no in vetoes:
        it = sheet.item(name, ("veto",))
        if rule_no is not None:
            it.line(rule_no)  # refuses a 评分细则 number the item does not have
        elif any(k[0] == VETO and k[1] == it.name for k in out):
            continue  # already pre-filled (with its 评分细则): confirmed
        if rule_no is not None:
            out.pop((VETO, it.name, None), None)
        key = (VETO, it.name, rule_no)
        before = out.get(key)
        out[key] = FindingInput(VETO, it.name, 1, rule_no, before.note if before else None, before is not None)
    for name, count in deductions:
        it = sheet.item(name, ("deductions",))
        before = out.get((DEDUCT, it.name, None))
        out[(DEDUCT, it.name, None)] = FindingInput(DEDUCT, it.name, count, None, before.note if before else None,
                                                    before is not None)
    for f in out.values():
        extra = notes.get(indicator_sheets.normalize_name(f.item))
        if extra:
            f.note = f"{f.note}；{extra}" if f.note and f.prefilled else extra
    unknown = set(notes) - {indicator_sheets.normalize_name(f.item) for f in out.values()}
    if unknown:
        raise UserError(f"备注所指的“{'、'.join(sorted(unknown))}”不在本次检查发现的问题中")
    return list(out.values())


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class FindingData:
    id: int
    seq: int
    kind: str
    item: str
    rule_no: int | None
    rule: str
    count: int
    points: int | None
    prefilled: bool
    note: str | None
    due_on: date | None
    done_on: date | None
    rectify_note: str | None

    def to_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "item": self.item, "rule_no": self.rule_no, "rule": self.rule,
                "count": self.count, "points": self.points, "prefilled": self.prefilled, "note": self.note,
                "due_on": self.due_on, "done_on": self.done_on, "rectify_note": self.rectify_note}


@dataclass
class InspectionData:
    id: int
    uuid: str
    account_id: int | None
    account_name: str
    platform: str | None
    host_unit: str | None
    quarter: str
    inspected_on: date
    inspector: str
    level: str
    sheet_source: str
    score: int | None
    result: str
    notified_on: date | None
    note: str | None
    origin: str | None
    findings: list[FindingData] = field(default_factory=list)

    @property
    def platform_label(self) -> str:
        return enums.label("platform", self.platform)

    @property
    def level_label(self) -> str:
        return enums.label("inspection_level", self.level)

    @property
    def quarter_label(self) -> str:
        return quarters.parse(self.quarter).label

    @property
    def veto(self) -> list[FindingData]:
        return [f for f in self.findings if f.kind == VETO]

    @property
    def deductions(self) -> list[FindingData]:
        return [f for f in self.findings if f.kind == DEDUCT]

    def to_json(self) -> dict:
        return {"id": self.id, "uuid": self.uuid, "account_id": self.account_id, "account": self.account_name,
                "platform": self.platform_label, "host_unit": self.host_unit, "quarter": self.quarter,
                "date": self.inspected_on, "inspector": self.inspector, "level": self.level,
                "level_label": self.level_label, "sheet": self.sheet_source, "score": self.score,
                "result": self.result,
                "veto": [{"item": f.item, "rule_no": f.rule_no, "rule": f.rule, "note": f.note,
                          "prefilled": f.prefilled} for f in self.veto],
                "deductions": [{"item": f.item, "count": f.count, "points": f.points, "note": f.note,
                                "prefilled": f.prefilled} for f in self.deductions],
                "findings": [f.to_json() for f in self.findings],
                "notified_on": self.notified_on, "note": self.note, "origin": self.origin}


def sheet_of(session: Session) -> Sheet:
    return indicator_sheets.for_profile(current_profile(session), "inspection")


def rectify_days(session: Session) -> int:
    rule = current_profile(session).rule("inspection") or {}
    return int(rule.get("rectify_days") or DEFAULT_RECTIFY_DAYS)


def find_account(session: Session, key: str | int) -> int:
    """An account by its 编号, or by its exact name when only one account has it."""
    text = str(key).strip()
    if text.isdigit():
        if session.get(Account, int(text)) is None:
            raise NotFound(f"没有编号为 {text} 的账号")
        return int(text)
    rows = session.execute(select(Account.id, Account.platform).where(Account.name == text)
                           .order_by(Account.id)).all()
    if not rows:
        raise NotFound(f"没有名为“{text}”的账号")
    if len(rows) > 1:
        which = "、".join(f"编号{i}（{enums.label('platform', p)}）" for i, p in rows[:10])
        raise UserError(f"名为“{text}”的账号有 {len(rows)} 个：{which}，请用编号")
    return rows[0][0]


def _level_code(level: str | None) -> str:
    code = enums.code_for("inspection_level", level or InspectionLevel.OWN)
    if code is None:
        raise UserError(f"未知的检查类别“{level}”，可选：{'、'.join(enums.labels('inspection_level').values())}")
    return code


def new_inspection(session: Session, account_id: int, quarter: Quarter | str, on: date, inspector: str,
                   findings: list[FindingInput], level: str | None = None, note: str | None = None,
                   today: date | None = None) -> InspectionData:
    """Record an inspection; its findings become 整改 items (due once the 通报 is recorded)."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    q = quarters.parse(quarter) if isinstance(quarter, str) else quarter
    today = today or date.today()
    inspector = (inspector or "").strip()
    if not inspector:
        raise UserError("请填写检查人")
    if on > today:
        raise UserError(f"检查日期{cn_date(on)}晚于今天，不能预先登记")
    if not q.contains(on):
        raise UserError(f"检查日期{cn_date(on)}不在{q.label}（{cn_date(q.start)}至{cn_date(q.end)}）内")
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有编号为 {account_id} 的账号")
    code = _level_code(level)
    same = session.scalar(select(func.count(Inspection.id)).where(
        Inspection.account_id == account_id, Inspection.inspected_on == on, Inspection.level == code,
        Inspection.origin.is_(None)))
    if same:
        raise UserError(f"账号“{account.name}”{cn_date(on)}已有一条{enums.label('inspection_level', code)}记录")
    sheet = sheet_of(session)
    scored = score(sheet, findings)
    host = session.get(Unit, account.host_unit_id) if account.host_unit_id else None
    ins = Inspection(account_id=account.id, account_name=account.name, platform=account.platform,
                     host_unit=host.name if host else None, quarter=q.code, inspected_on=on,
                     inspector=inspector, level=code, sheet_id=sheet.id, sheet_borrowed=sheet.borrowed,
                     score=scored.score, result=scored.result, note=(note or "").strip() or None)
    for seq, f in enumerate(scored.findings, start=1):
        ins.findings.append(InspectionFinding(seq=seq, kind=f.kind, item=f.item, rule_no=f.rule_no, count=f.count,
                                              points=f.points, prefilled=f.prefilled, note=f.note))
    session.add(ins)
    session.flush()
    return get_inspection(session, ins.id)


def _local(ins: Inspection) -> None:
    if ins.origin:
        raise UserError(f"该检查记录来自“{ins.origin}”的上报快照，应由该单位修改后重新上报")


def get_inspection(session: Session, inspection_id: int) -> InspectionData:
    ins = session.get(Inspection, inspection_id)
    if ins is None:
        raise NotFound(f"没有编号为 {inspection_id} 的检查记录")
    sheet = indicator_sheets.by_id(ins.sheet_id)
    source = replace(sheet, borrowed=True).source_note if ins.sheet_borrowed else sheet.source
    out = InspectionData(ins.id, ins.uuid, ins.account_id, ins.account_name, ins.platform, ins.host_unit,
                         ins.quarter, ins.inspected_on, ins.inspector, ins.level, source, ins.score, ins.result,
                         ins.notified_on, ins.note, ins.origin)
    for f in ins.findings:
        rule = ""
        try:
            it = sheet.item(f.item)
            rule = it.line(f.rule_no).rule if f.rule_no is not None else (it.lines[0].rule if f.kind == DEDUCT else "")
        except UserError:
            pass
        out.findings.append(FindingData(f.id, f.seq, f.kind, f.item, f.rule_no, rule, f.count, f.points, f.prefilled,
                                        f.note, f.due_on, f.done_on, f.rectify_note))
    return out


def find_inspection(session: Session, key: str | int) -> int:
    text = str(key).strip()
    if not text.isdigit() or session.get(Inspection, int(text)) is None:
        raise NotFound(f"没有编号为 {text} 的检查记录")
    return int(text)


def delete_inspection(session: Session, inspection_id: int) -> str:
    """Delete an inspection entered by mistake (with its findings and 整改); returns its account name."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    ins = session.get(Inspection, inspection_id)
    if ins is None:
        raise NotFound(f"没有编号为 {inspection_id} 的检查记录")
    _local(ins)
    name = ins.account_name
    session.delete(ins)
    session.flush()
    return name


@dataclass(slots=True)
class InspectionRow:
    """One line of the inspection list."""

    id: int
    account_id: int | None
    account: str
    platform: str | None
    host_unit: str | None
    quarter: str
    inspected_on: date
    inspector: str
    level: str
    score: int | None
    result: str
    findings: int
    open_items: int
    notified_on: date | None
    origin: str | None

    @property
    def platform_label(self) -> str:
        return enums.label("platform", self.platform)

    @property
    def level_label(self) -> str:
        return enums.label("inspection_level", self.level)

    @property
    def score_text(self) -> str:
        return "否决" if self.score is None else str(self.score)

    def to_json(self) -> dict:
        return {"id": self.id, "account_id": self.account_id, "account": self.account,
                "platform": self.platform_label, "host_unit": self.host_unit, "quarter": self.quarter,
                "date": self.inspected_on, "inspector": self.inspector, "level": self.level,
                "score": self.score, "result": self.result, "findings": self.findings,
                "open_items": self.open_items, "notified_on": self.notified_on, "origin": self.origin}


def list_inspections(session: Session, quarter: Quarter | str | None = None, scope: Scope | None = None,
                     account_id: int | None = None, level: str | None = None) -> list[InspectionRow]:
    """Inspections, newest first; by quarter, whose (``scope``), account and level when given."""
    counts = (select(InspectionFinding.inspection_id, func.count(InspectionFinding.id).label("n"),
                     func.sum(case((InspectionFinding.done_on.is_(None), 1), else_=0)).label("open"))
              .group_by(InspectionFinding.inspection_id).subquery())
    stmt = (select(Inspection.id, Inspection.account_id, Inspection.account_name, Inspection.platform,
                   Inspection.host_unit, Inspection.quarter, Inspection.inspected_on, Inspection.inspector,
                   Inspection.level, Inspection.score, Inspection.result,
                   func.coalesce(counts.c.n, 0), func.coalesce(counts.c.open, 0), Inspection.notified_on,
                   Inspection.origin)
            .outerjoin(counts, counts.c.inspection_id == Inspection.id))
    if quarter is not None:
        stmt = stmt.where(Inspection.quarter == (quarters.parse(quarter).code if isinstance(quarter, str)
                                                 else quarter.code))
    if scope is not None:
        stmt = stmt.where(scope.where(Inspection.origin))
    if account_id is not None:
        stmt = stmt.where(Inspection.account_id == account_id)
    if level is not None:
        stmt = stmt.where(Inspection.level == _level_code(level))
    stmt = stmt.order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
    return [InspectionRow(*tuple(r)) for r in session.execute(stmt)]


def notify(session: Session, quarter: Quarter | str, on: date, inspection_ids: list[int] | None = None,
           today: date | None = None) -> int:
    """Record the 通报 of a quarter's inspections (those with findings, not yet notified; or the ones
    named): their 整改 items become due ``rectify_days`` days later (附件3: 通报公开之日起10日内 —
    calendar days, the 通报 day not counted). Returns how many inspections were notified."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    q = quarters.parse(quarter) if isinstance(quarter, str) else quarter
    if on > (today or date.today()):
        raise UserError(f"通报日期{cn_date(on)}晚于今天")
    days = rectify_days(session)
    stmt = select(Inspection).where(Inspection.quarter == q.code, Inspection.origin.is_(None))
    if inspection_ids:
        stmt = stmt.where(Inspection.id.in_(inspection_ids))
    chosen = list(session.scalars(stmt.order_by(Inspection.id)))
    if inspection_ids:
        missing = set(inspection_ids) - {i.id for i in chosen}
        if missing:
            raise NotFound(f"{q.label}没有本单位编号为 {'、'.join(map(str, sorted(missing)))} 的检查记录")
    done = 0
    for ins in chosen:
        if not ins.findings:
            continue
        if ins.notified_on is not None:
            if inspection_ids:
                raise UserError(f"检查记录 {ins.id}（{ins.account_name}）已于{cn_date(ins.notified_on)}通报")
            continue
        if on < ins.inspected_on:
            raise UserError(f"通报日期{cn_date(on)}早于检查日期{cn_date(ins.inspected_on)}（{ins.account_name}）")
        ins.notified_on = on
        for f in ins.findings:
            if f.done_on is None:
                f.due_on = on + timedelta(days=days)
        done += 1
    if not done:
        raise UserError(f"{q.label}没有待通报的检查发现问题")
    session.flush()
    return done


# --------------------------------------------------------------------------- coverage


@dataclass(slots=True)
class Coverage:
    """Accounts inspected by this office in a quarter, out of the accounts in operation then."""

    quarter: Quarter
    inspected: int
    active: int
    passed: int
    failed: int

    @property
    def ratio(self) -> float:
        return self.inspected / self.active if self.active else 0.0

    @property
    def percent_text(self) -> str:
        return f"{self.ratio * 100:.1f}%" if self.active else "—"


def active_accounts(session: Session, scope: Scope) -> dict[int, str | None]:
    """Accounts in operation (正常、暂停) in the scope: id → 创建日期 as stored (ISO text, which sorts as
    dates do; turning 200,000 of them into ``date`` objects took most of the time), for ``opened_by``."""
    return dict(all_rows(session.execute(select(Account.id, type_coerce(Account.registered_on, String)).where(
        scope.where(Account.origin), Account.status.in_([str(s) for s in ACTIVE])))))


def opened_by(accounts: dict[int, str | None], until: date) -> set[int]:
    """Those opened by ``until`` (or with no opening date recorded)."""
    day = until.isoformat()
    return {i for i, on in accounts.items() if on is None or on <= day}


def active_account_ids(session: Session, scope: Scope, until: date) -> set[int]:
    """Accounts in operation (正常、暂停) in the scope, opened by ``until`` (or with no opening date)."""
    return opened_by(active_accounts(session, scope), until)


def coverage(session: Session, q: Quarter, scope: Scope, active: set[int] | None = None) -> Coverage:
    """检查比例 of a quarter: distinct accounts with an own-level inspection in the quarter, out of the
    accounts in operation (an account inspected that quarter counts as in operation even if it has
    been closed since — the registry keeps no status history)."""
    rows = session.execute(select(Inspection.account_id, Inspection.result).where(
        Inspection.quarter == q.code, Inspection.level == InspectionLevel.OWN, scope.where(Inspection.origin),
        Inspection.account_id.is_not(None)).order_by(Inspection.inspected_on, Inspection.id)).all()
    last: dict[int, str] = {}
    for account_id, result in rows:  # an account inspected twice counts once, with its last result
        if account_id is not None:  # (the query wants one)
            last[account_id] = result
    base = active if active is not None else active_account_ids(session, scope, q.end)
    failed = sum(1 for r in last.values() if r == FAIL)
    return Coverage(q, len(last), len(base | set(last)), len(last) - failed, failed)


def set_unusable(session: Session, account_id: int, since: date | None, today: date | None = None
                 ) -> tuple[str, str]:
    """Record that a 移动客户端（APP） cannot be downloaded or used since ``since`` (None: usable again),
    for 附件2 内容不更新 2. Returns (name, platform)."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有编号为 {account_id} 的账号")
    if account.platform != enums.Platform.APP:
        raise UserError(f"账号“{account.name}”不是移动客户端（APP），附件2 的“无法下载或使用”只针对 APP")
    if since is not None and since > (today or date.today()):
        raise UserError(f"日期{cn_date(since)}晚于今天")
    account.unusable_since = since
    session.flush()
    return account.name, account.platform


@dataclass(slots=True)
class AccountChoice:
    id: int
    name: str
    platform: str
    host_unit: str
    status: str
    origin: str | None = None  # a lower office's account, merged from its snapshot (市办抽查 at the city)

    @property
    def text(self) -> str:
        return (f"{self.name}（{enums.label('platform', self.platform)}，{self.host_unit or '主办单位未填'}，"
                f"编号{self.id}）" + ("" if self.status in ACTIVE else f"〔{enums.label('status', self.status)}〕")
                + (f"〔{self.origin}〕" if self.origin else ""))


def search_accounts(session: Session, text: str, limit: int = 30) -> list[AccountChoice]:
    """Accounts whose 编号 is ``text`` or whose name or 主办单位 contains it (for the inspection form's
    account box: a registry may hold 200,000 accounts, so only the first ``limit`` come back)."""
    t = (text or "").strip()
    stmt = (select(Account.id, Account.name, Account.platform, func.coalesce(Unit.name, ""), Account.status,
                   Account.origin)
            .outerjoin(Unit, Unit.id == Account.host_unit_id))
    if t.isdigit():
        stmt = stmt.where((Account.id == int(t)) | Account.name.contains(t))
    elif t:
        stmt = stmt.where(Account.name.contains(t) | Unit.name.contains(t))
    rows = session.execute(stmt.order_by(Account.origin.is_not(None), Account.status != AccountStatus.NORMAL,
                                         Account.name, Account.id).limit(limit)).all()
    return [AccountChoice(*r) for r in rows]


def account_choice(session: Session, account_id: int) -> AccountChoice:
    row = session.execute(select(Account.id, Account.name, Account.platform, func.coalesce(Unit.name, ""),
                                 Account.status, Account.origin).outerjoin(Unit, Unit.id == Account.host_unit_id)
                          .where(Account.id == account_id)).first()
    if row is None:
        raise NotFound(f"没有编号为 {account_id} 的账号")
    return AccountChoice(*row)
