"""The 备案 (filing) lifecycle: start a filing, take it up the approval chain, apply its effects.

A filing moves 草稿 → 待签批 (printed) → one approval step per title of the profile's chain
(意见, 负责人, date, optional scan) → 已备案 → 已报送 (the provincial / national system updated).
A step with result ``returned`` sends it to 退回 (it can be reopened as a new draft); a draft or a
filing waiting for signatures can be withdrawn (撤回).

The filing freezes the account data it was made with (``Filing.frozen``, see
``registry.account_snapshot``), so the printed form can be reproduced years later; for a 变更 the
frozen copy shows the NEW data, and ``Filing.proposed`` holds only the changed fields, applied to
the account when the last step approves it.

关停 / 注销 do not change the account at once: their 停更注销公告 runs first
(``gzdesk.filing_announcements``). Beside this module: ``filing_kinds`` (which states and kinds
mean what), ``filing_changes`` (the changes of a 变更), ``filing_decisions`` (会议研究 / 主要领导同意),
``filing_scans`` (files kept with a filing). They sit below this one; ``filing_announcements``
above it.

Every function takes a session from ``Database.transaction()`` / ``reader()``; every change goes
through the ORM and is therefore written to the audit log.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import enums, registry
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, FilingKind, FilingState
from gzdesk.errors import NotFound, UserError
from gzdesk.filing_changes import account_with_changes, normalize_changes, overlay_changes
from gzdesk.filing_decisions import Decision, apply_decision, filing_decision_gap
from gzdesk.filing_kinds import (
    CLOSING_KINDS,
    DONE_STATES,
    FIRST_KINDS,
    LIVE_STATES,
    OPEN_STATES,
    announcement_kinds,
)
from gzdesk.filing_scans import AttachmentInfo, add_attachment, attachments_of
from gzdesk.models import Account, ApprovalStep, Attachment, Filing
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.workdays import load_calendar

# --------------------------------------------------------------------------- plain objects


@dataclass
class StepData:
    """One approval step: done (``signed_on`` set) or still to come."""

    seq: int
    title: str
    signer_label: str = "负责人签字"
    opinion: str | None = None
    signer: str | None = None
    signed_on: date | None = None
    result: str | None = None  # approved / returned; None while not yet signed
    attachment_id: int | None = None
    attachment_name: str | None = None

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def result_label(self) -> str:
        return {"approved": "同意", "returned": "退回"}.get(self.result or "", "")


@dataclass
class FilingData:
    """A filing with its steps (done and to come), frozen data and attachments."""

    id: int
    uuid: str
    number: str
    kind: str
    state: str
    account_id: int | None
    account_name: str
    reason: str | None
    filled_on: date | None
    event_on: date | None
    profile_id: str | None
    template_id: str | None
    chain: list[str]
    steps: list[StepData]
    frozen: dict
    proposed: dict
    announce_from: date | None = None
    announce_until: date | None = None
    effective_on: date | None = None
    reported_on: date | None = None
    merge_parent_id: int | None = None
    merge_parent_number: str | None = None
    kept_account_id: int | None = None
    kept_account_name: str | None = None
    children: list[FilingRow] = field(default_factory=list)
    attachments: list[AttachmentInfo] = field(default_factory=list)
    notes: str | None = None
    announce_provisional: bool = False  # the 公告 period runs through a year the calendar only estimates
    announce_warning: str | None = None  # set by set_announcement when the 公告 was accepted with a warning
    meeting_on: date | None = None  # 本单位会议（集体）研究
    meeting_note: str | None = None
    head_name: str | None = None  # 主要领导签字确认（同意）
    head_approved_on: date | None = None
    decision_missing: str | None = None  # what the profile asks for and is not recorded (with its article)

    @property
    def effective_text(self) -> str:
        """The day the 公告 lets the filing take effect: 2027年3月1日（预估） when it rests on an estimate."""
        return cn_date(self.effective_on, self.announce_provisional)

    @property
    def kind_label(self) -> str:
        return enums.label("filing_kind", self.kind)

    @property
    def state_label(self) -> str:
        return enums.label("filing_state", self.state)

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done)

    @property
    def next_step(self) -> StepData | None:
        """The step to sign next, or None when the chain is finished or the filing is closed."""
        if self.state not in OPEN_STATES:
            return None
        return next((s for s in self.steps if not s.done), None)


@dataclass(slots=True)
class FilingRow:
    """One line of the filings table."""

    id: int
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    account_id: int | None
    account_name: str
    reason: str | None
    filled_on: date | None
    event_on: date | None
    steps_done: int
    steps_total: int
    next_step: str | None
    announce_from: date | None
    effective_on: date | None
    reported_on: date | None
    merge_parent_id: int | None
    scans: int
    announce_provisional: bool = False  # effective_on rests on an estimated calendar (预估)

# --------------------------------------------------------------------------- lookups


def load_filing(session: Session, filing_id: int) -> Filing:
    """The filing row, or NotFound."""
    f = session.get(Filing, filing_id)
    if f is None:
        raise NotFound(f"找不到编号为 {filing_id} 的备案")
    return f


def find_filing(session: Session, key: str | int) -> int:
    """A filing's id from its id or its number (2025-00012)."""
    text = str(key).strip()
    if text.isdigit():
        load_filing(session, int(text))
        return int(text)
    found = session.execute(select(Filing.id, Filing.origin).where(Filing.number == text)
                            .order_by(Filing.origin.is_not(None), Filing.id)).all()
    if not found:
        raise NotFound(f"找不到备案“{text}”")
    if len(found) > 1 and found[0].origin is not None:  # merged from several counties, none local
        origins = "、".join(o for _, o in found if o)
        raise UserError(f"备案号“{text}”在多个来源中都有（{origins}），请改用备案的编号（id）")
    return found[0].id  # a number of this office wins over merged ones


def _account(session: Session, account_id: int) -> Account:
    a = session.get(Account, account_id)
    if a is None:
        raise NotFound(f"找不到编号为 {account_id} 的账号")
    return a


def _chain(f: Filing) -> list[str]:
    return list(json.loads(f.chain)) if f.chain else []


def next_number(session: Session, year: int) -> str:
    """The next filing number of ``year``: 2025-00001, 2025-00002, …"""
    # this office's own numbers only: merged filings keep their county's numbering (schema 4)
    numbers = session.scalars(select(Filing.number).where(Filing.number.like(f"{year}-%"),
                                                          Filing.origin.is_(None))).all()
    seq = 0
    for n in numbers:
        tail = n.split("-", 1)[1]
        if tail.isdigit():
            seq = max(seq, int(tail))
    return f"{year}-{seq + 1:05d}"


def filing_label(f: Filing) -> str:
    """备案2025-00012（关停） — how messages name a filing."""
    return f"备案{f.number}（{enums.label('filing_kind', f.kind)}）"


# --------------------------------------------------------------------------- creating filings


def new_filing(session: Session, account_id: int, kind: str, reason: str | None, filled_on: date | None = None,
               event_on: date | None = None, proposed: dict | None = None, kept_account_id: int | None = None,
               merge_parent_id: int | None = None, decision: Decision | None = None) -> FilingData:
    """Start a filing (state 草稿) for an account, freezing the account's data as filed; ``decision``:
    the unit's own decision (会议研究 / 主要领导同意) when it is already known."""
    require(session, Cap.FILE)
    code = enums.code_for("filing_kind", kind)
    if code is None:
        raise UserError(f"未知备案事由“{kind}”，可选：开设、变更、关停、注销、整合、补办")
    account = _account(session, account_id)
    reason = (reason or "").strip() or None
    if reason is None:
        raise UserError("请填写备案理由")
    filled_on = filled_on or date.today()
    profile = current_profile(session)
    changes = normalize_changes(session, proposed) if code == FilingKind.CHANGE else {}
    if proposed and code != FilingKind.CHANGE:
        raise UserError("只有变更备案可以填写变更内容")
    _refuse_conflicts(session, account, code)
    if code == FilingKind.CHANGE:
        registry._raise_first(registry.account_problems(account_with_changes(session, account.id, changes)))
        if "name" in changes and changes["name"] == account.name:
            del changes["name"]
    if event_on is None and code in FIRST_KINDS:
        event_on = account.registered_on
    # event_on may lie after filled_on: 盐湖 第十条/第十一条 approve before opening, changing or closing
    snapshot = registry.account_snapshot(session, account.id)
    frozen = overlay_changes(session, snapshot, changes) if changes else snapshot
    if kept_account_id is not None:
        kept = _account(session, kept_account_id)
        frozen["kept_account"] = {"id": kept.id, "name": kept.name, "platform_label": enums.label("platform", kept.platform)}
    filing = Filing(number=next_number(session, filled_on.year), account_id=account.id, kind=code,
                    state=FilingState.DRAFT, reason=reason, filled_on=filled_on, event_on=event_on,
                    profile_id=profile.id, template_id=profile.template_id,
                    chain=json.dumps([s["title"] for s in profile.chain], ensure_ascii=False),
                    frozen=json.dumps(frozen, ensure_ascii=False), proposed=json.dumps(changes, ensure_ascii=False)
                    if code == FilingKind.CHANGE else None,
                    kept_account_id=kept_account_id, merge_parent_id=merge_parent_id)
    if decision is not None:
        apply_decision(filing, decision)
    session.add(filing)
    session.flush()
    return get_filing(session, filing.id)


def _refuse_conflicts(session: Session, account: Account, code: str) -> None:
    live = session.scalars(select(Filing).where(Filing.account_id == account.id,
                                                Filing.state.in_(LIVE_STATES))).all()
    if code in FIRST_KINDS:
        first = [f for f in live if f.kind in FIRST_KINDS]
        if first:
            raise UserError(f"账号“{account.name}”已有{filing_label(first[0])}（{enums.label('filing_state', first[0].state)}），"
                            "不能重复办理开设备案")
    if account.status in (AccountStatus.CLOSED, AccountStatus.CANCELLED):
        raise UserError(f"账号“{account.name}”已{enums.label('status', account.status)}，不能再办理"
                        f"{enums.label('filing_kind', code)}备案")
    pending_close = [f for f in live if f.kind in CLOSING_KINDS]
    if pending_close and code in (*CLOSING_KINDS, FilingKind.CHANGE, FilingKind.MERGE):
        raise UserError(f"账号“{account.name}”已有{filing_label(pending_close[0])}在办理中")
    if code == FilingKind.CHANGE:
        open_change = [f for f in live if f.kind == FilingKind.CHANGE and f.state in OPEN_STATES]
        if open_change:
            raise UserError(f"账号“{account.name}”已有{filing_label(open_change[0])}尚未办结，请先办结或撤回")


def new_merge(session: Session, kept_account_id: int, closed_account_ids: list[int], reason: str | None,
              filled_on: date | None = None, close_kind: str = FilingKind.CLOSE) -> FilingData:
    """整合 (云南 第十二条, 南通 第十二条): keep one account, close the others.

    Makes the 整合 filing of the kept account and one 关停 (or 注销) filing per closed account,
    linked to it by ``merge_parent_id``; the closures follow the 整合 through printing, approval
    steps and withdrawal.
    """
    require(session, Cap.FILE)
    code = enums.code_for("filing_kind", close_kind)
    if code not in CLOSING_KINDS:
        raise UserError("整合中被合并的账号只能关停或注销")
    ids = list(dict.fromkeys(int(i) for i in closed_account_ids))
    if not ids:
        raise UserError("请至少选择一个要关停的账号")
    if kept_account_id in ids:
        raise UserError("保留的账号不能同时被关停")
    kept = _account(session, kept_account_id)
    closed = [_account(session, i) for i in ids]
    parent = new_filing(session, kept.id, FilingKind.MERGE, reason, filled_on=filled_on)
    row = load_filing(session, parent.id)
    frozen = json.loads(row.frozen or "{}")
    frozen["merged_accounts"] = [{"id": a.id, "name": a.name, "platform_label": enums.label("platform", a.platform),
                                  "handle": a.handle} for a in closed]
    row.frozen = json.dumps(frozen, ensure_ascii=False)
    for a in closed:
        new_filing(session, a.id, code, f"整合至“{kept.name}”：{reason}", filled_on=filled_on,
                   kept_account_id=kept.id, merge_parent_id=parent.id)
    session.flush()
    return get_filing(session, parent.id)


# --------------------------------------------------------------------------- the state machine


def _family(session: Session, f: Filing) -> list[Filing]:
    """The filing and, for an 整合, its linked closures that are still live."""
    kids = session.scalars(select(Filing).where(Filing.merge_parent_id == f.id,
                                                Filing.state.in_(LIVE_STATES)).order_by(Filing.id)).all()
    return [f, *kids]


def mark_printed(session: Session, filing_id: int) -> FilingData:
    """草稿 → 待签批: the form was printed and goes up for signatures (printing again is harmless)."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state not in OPEN_STATES:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再打印送签")
    for member in _family(session, f):
        if member.state == FilingState.DRAFT:
            member.state = FilingState.PENDING_SIGNATURE
    session.flush()
    return get_filing(session, f.id)


def record_step(session: Session, filing_id: int, opinion: str | None, signer: str | None,
                signed_on: date | None, result: str = "approved",
                scan: tuple[str, bytes] | None = None) -> FilingData:
    """Record the next approval step of the chain.

    A draft moves to 待签批 implicitly. ``result`` 'returned' sends the filing back (退回); the
    last approving step makes it 已备案 and applies its effects (a 变更's new data). 审核人 or 管理员.
    """
    require(session, Cap.APPROVE)
    f = load_filing(session, filing_id)
    if result not in ("approved", "returned"):
        raise UserError("审批结果只能是“同意”或“退回”")
    if f.state not in OPEN_STATES:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再记录审批")
    signer = (signer or "").strip()
    if not signer:
        raise UserError("请填写签字负责人")
    if signed_on is None:
        raise UserError("请填写签批日期")
    if signed_on > date.today():
        raise UserError(f"签批日期（{cn_date(signed_on)}）不能晚于今天")
    head_seq = len(f.steps) + 1
    for member in _family(session, f):
        # the closures of an 整合 follow it only while they stand at the same step
        if member is not f and (member.state not in OPEN_STATES or len(member.steps) + 1 != head_seq
                                or len(_chain(member)) != len(_chain(f))):
            continue
        _record_one(session, member, opinion, signer, signed_on, result, scan if member is f else None)
    session.flush()
    return get_filing(session, f.id)


def _record_one(session: Session, f: Filing, opinion: str | None, signer: str,
                signed_on: date, result: str, scan: tuple[str, bytes] | None) -> None:
    chain = _chain(f)
    steps = list(f.steps)
    seq = len(steps) + 1
    if seq > len(chain):
        raise UserError(f"{filing_label(f)}的审批步骤已全部完成")
    if f.filled_on and signed_on < f.filled_on:
        raise UserError(f"签批日期（{cn_date(signed_on)}）不能早于填表时间（{cn_date(f.filled_on)}）")
    if steps and steps[-1].signed_on and signed_on < steps[-1].signed_on:
        raise UserError(f"签批日期（{cn_date(signed_on)}）不能早于上一步“{steps[-1].title}”的日期"
                        f"（{cn_date(steps[-1].signed_on)}）")
    attachment_id = None
    if scan is not None:
        attachment_id = add_attachment(session, f, scan[0], scan[1], note=chain[seq - 1])
    step = ApprovalStep(filing_id=f.id, seq=seq, title=chain[seq - 1], opinion=(opinion or "").strip() or None,
                        signer=signer, signed_on=signed_on, result=result, attachment_id=attachment_id)
    f.steps.append(step)
    session.add(step)
    if result == "returned":
        f.state = FilingState.RETURNED
    elif seq == len(chain):
        f.state = FilingState.FILED
        _on_filed(session, f, signed_on)
    else:
        f.state = FilingState.PENDING_SIGNATURE


def _on_filed(session: Session, f: Filing, signed_on: date) -> None:
    """Effects of an approved filing: a 变更 applies its new data; a closure waits for its 公告."""
    if f.kind == FilingKind.CHANGE and f.account_id is not None:
        changes = json.loads(f.proposed or "{}")
        if changes:
            registry.write_account(session, account_with_changes(session, f.account_id, changes))
    elif f.kind in CLOSING_KINDS and f.effective_on is None:
        profile = current_profile(session)
        if f.kind not in announcement_kinds(profile):  # no 公告 rule: effective on the closing day or on approval
            f.effective_on = f.event_on or signed_on


def mark_reported(session: Session, filing_id: int, on: date) -> FilingData:
    """已备案 → 已报送: the provincial / national system (全国政务新媒体信息报送系统) was updated."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state != FilingState.FILED:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有已备案的事项才能标记已报送")
    if on is None:
        raise UserError("请填写报送日期")
    last = f.steps[-1].signed_on if f.steps else f.filled_on
    if last and on < last:
        raise UserError(f"报送日期（{cn_date(on)}）不能早于审批完成日期（{cn_date(last)}）")
    if on > date.today():
        raise UserError(f"报送日期（{cn_date(on)}）不能晚于今天")
    closing = closure_not_effective(f, on)
    if closing:
        raise UserError(closing)
    f.reported_on = on
    f.state = FilingState.REPORTED
    session.flush()
    return get_filing(session, f.id)


def closure_not_effective(f: Filing | FilingData, on: date) -> str | None:
    """Why a 关停/注销 cannot be reported as done on ``on``: the account closes only once its
    停更注销公告 has run (云南 第十八条, 南通 第十六条, 盐湖 第十一条), so the national system is
    updated after that day, not before. None when it may be reported."""
    if f.kind not in CLOSING_KINDS:
        return None
    what = enums.label("filing_kind", f.kind)
    if f.effective_on is None:
        return f"{what}尚未生效（停更注销公告还未登记），生效后才能标记已报送"
    if on < f.effective_on:
        return (f"{what}于{cn_date(f.effective_on)}生效（停更注销公告期满），报送日期（{cn_date(on)}）"
                "不能早于生效日期，请在生效后标记已报送")
    return None


def set_reason(session: Session, filing_id: int, reason: str | None) -> FilingData:
    """Change the 理由 of a draft (once printed and sent for signature, the paper says what it says)."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state != FilingState.DRAFT:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有草稿可以修改理由"
                        "（已送签的请撤回后重新办理）")
    text = (reason or "").strip()
    if not text:
        raise UserError("请填写备案理由")
    f.reason = text
    session.flush()
    return get_filing(session, f.id)


def change_filing_refusal(session: Session, account_id: int) -> str | None:
    """Why no 变更 filing can be started for this account now (another one open, a closure on
    its way, the account closed); None when it can."""
    try:
        _refuse_conflicts(session, _account(session, account_id), FilingKind.CHANGE)
    except UserError as exc:
        return exc.message
    return None


def is_filed(session: Session, account_id: int) -> bool:
    """The account's 开设 or 补办 filing went through: later changes to what its 登记表 shows are
    a 变更 to file (云南 第十七条, 太白 第六条, 盐湖 第十一条, 南通 第十五条)."""
    n = session.scalar(select(func.count(Filing.id)).where(
        Filing.account_id == account_id, Filing.kind.in_(FIRST_KINDS), Filing.state.in_(DONE_STATES)))
    return bool(n)


def withdraw(session: Session, filing_id: int) -> FilingData:
    """撤回 a draft or a filing waiting for signatures (with the closures of an 整合)."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state not in OPEN_STATES:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有草稿或待签批的备案可以撤回")
    for member in _family(session, f):
        if member.state in OPEN_STATES:
            member.state = FilingState.WITHDRAWN
    session.flush()
    return get_filing(session, f.id)


def reopen(session: Session, filing_id: int, filled_on: date | None = None,
           reason: str | None = None) -> FilingData:
    """A returned (退回) filing started again as a new draft with the same content — and, when
    given, a rewritten 理由 (the clerk answers the opinion it was returned with)."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    if f.state != FilingState.RETURNED:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有退回的备案可以重新办理")
    if f.account_id is None:
        raise UserError("该备案没有关联账号，无法重新办理")
    new = new_filing(session, f.account_id, f.kind, reason if reason is not None else f.reason,
                     filled_on=filled_on, event_on=f.event_on,
                     proposed=json.loads(f.proposed) if f.proposed else None, kept_account_id=f.kept_account_id,
                     merge_parent_id=f.merge_parent_id)
    row = load_filing(session, new.id)
    row.notes = f"重新办理退回的备案{f.number}"
    session.flush()
    return get_filing(session, new.id)


def record_decision(session: Session, filing_id: int, decision: Decision) -> FilingData:
    """Record the unit's decision on a filing (and on the closures of an 整合 with it)."""
    f = load_filing(session, filing_id)
    if f.state not in LIVE_STATES:
        raise UserError(f"{filing_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再登记")
    decision.check()
    if decision.meeting_on is None and decision.head_approved_on is None:
        raise UserError("请填写会议（集体）研究日期，或主要领导姓名和签字确认日期")
    for member in _family(session, f):
        apply_decision(member, decision)
    session.flush()
    return get_filing(session, f.id)


def attach_scan(session: Session, filing_id: int, filename: str, data: bytes, note: str | None = None) -> int:
    """Keep a scan of the signed and sealed form with the filing; returns the attachment id."""
    require(session, Cap.FILE)
    f = load_filing(session, filing_id)
    return add_attachment(session, f, filename, data, note or "签字盖章扫描件")


# --------------------------------------------------------------------------- reading


def get_filing(session: Session, filing_id: int) -> FilingData:
    f = load_filing(session, filing_id)
    profile_chain = {}
    try:
        profile_chain = {s["title"]: s.get("signer_label") or "负责人签字" for s in current_profile(session).chain}
    except UserError:
        pass
    attachments = attachments_of(session, f.uuid)
    names = {a.id: a.filename for a in attachments}
    chain = _chain(f)
    steps: list[StepData] = []
    done = {s.seq: s for s in f.steps}
    for i, title in enumerate(chain, start=1):
        s = done.get(i)
        label = profile_chain.get(title, "负责人签字")
        if s is None:
            steps.append(StepData(i, title, label))
        else:
            steps.append(StepData(i, title, label, s.opinion, s.signer, s.signed_on, s.result, s.attachment_id,
                                  names.get(s.attachment_id) if s.attachment_id is not None else None))
    parent = session.get(Filing, f.merge_parent_id) if f.merge_parent_id else None
    kept = session.get(Account, f.kept_account_id) if f.kept_account_id else None
    children = list_filings(session, merge_parent_id=f.id) if f.kind == FilingKind.MERGE else []
    provisional = bool(f.announce_from and f.effective_on
                       and load_calendar(session).provisional_between(f.announce_from, f.effective_on))
    return FilingData(
        id=f.id, uuid=f.uuid, number=f.number, kind=str(f.kind), state=str(f.state), account_id=f.account_id,
        account_name=f.account.name if f.account else "", reason=f.reason, filled_on=f.filled_on,
        event_on=f.event_on, profile_id=f.profile_id, template_id=f.template_id, chain=chain, steps=steps,
        frozen=json.loads(f.frozen) if f.frozen else {}, proposed=json.loads(f.proposed) if f.proposed else {},
        announce_from=f.announce_from, announce_until=f.announce_until, effective_on=f.effective_on,
        reported_on=f.reported_on, merge_parent_id=f.merge_parent_id,
        merge_parent_number=parent.number if parent else None, kept_account_id=f.kept_account_id,
        kept_account_name=kept.name if kept else None, children=children, attachments=attachments, notes=f.notes,
        announce_provisional=provisional, meeting_on=f.meeting_on, meeting_note=f.meeting_note,
        head_name=f.head_name, head_approved_on=f.head_approved_on, decision_missing=filing_decision_gap(session, f))


def list_filings(session: Session, state: str | None = None, account_id: int | None = None,
                 kind: str | None = None, merge_parent_id: int | None = None) -> list[FilingRow]:
    """Filings as table rows, newest first. ``state`` / ``kind`` accept codes or Chinese labels."""
    cols = (Filing.id, Filing.uuid, Filing.number, Filing.kind, Filing.state, Filing.account_id, Filing.reason,
            Filing.filled_on, Filing.event_on, Filing.chain, Filing.announce_from, Filing.effective_on,
            Filing.reported_on, Filing.merge_parent_id)
    stmt = select(*cols, Account.name).outerjoin(Account, Filing.account_id == Account.id)
    if state:
        code = enums.code_for("filing_state", state)
        if code is None:
            raise UserError(f"未知备案状态“{state}”，可选：{'、'.join(enums.FILING_STATE_LABELS.values())}")
        stmt = stmt.where(Filing.state == code)
    if kind:
        code = enums.code_for("filing_kind", kind)
        if code is None:
            raise UserError(f"未知备案事由“{kind}”")
        stmt = stmt.where(Filing.kind == code)
    if account_id is not None:
        stmt = stmt.where(Filing.account_id == account_id)
    if merge_parent_id is not None:
        stmt = stmt.where(Filing.merge_parent_id == merge_parent_id)
    stmt = stmt.order_by(Filing.filled_on.desc(), Filing.id.desc())
    rows = session.execute(stmt).all()
    # counts for every filing at once (an IN list of 100,000 ids would exceed SQLite's limits)
    steps = dict(session.execute(select(ApprovalStep.filing_id, func.count(ApprovalStep.id))
                                 .group_by(ApprovalStep.filing_id)).all()) if rows else {}
    scans = dict(session.execute(select(Attachment.owner_uuid, func.count(Attachment.id))
                                 .group_by(Attachment.owner_uuid)).all()) if rows else {}
    chains: dict[str | None, list[str]] = {}
    cal = load_calendar(session) if rows else None
    out = []
    for (fid, uuid, number, kind, state, account_id, reason, filled_on, event_on, chain_json, announce_from,
         effective_on, reported_on, parent_id, name) in rows:
        if chain_json not in chains:
            chains[chain_json] = list(json.loads(chain_json)) if chain_json else []
        chain = chains[chain_json]
        n = steps.get(fid, 0)
        nxt = chain[n] if state in OPEN_STATES and n < len(chain) else None
        out.append(FilingRow(fid, number, kind, enums.label("filing_kind", kind), state,
                             enums.label("filing_state", state), account_id, name or "", reason, filled_on,
                             event_on, n, len(chain), nxt, announce_from, effective_on, reported_on,
                             parent_id, scans.get(uuid, 0),
                             bool(cal is not None and announce_from and effective_on
                                  and cal.provisional_between(announce_from, effective_on))))
    return out


def filing_json(d: FilingData) -> dict:
    """A filing for ``--json`` output (English snake_case keys)."""
    return {
        "id": d.id, "uuid": d.uuid, "number": d.number, "kind": d.kind_label, "kind_code": d.kind,
        "state": d.state_label, "state_code": d.state, "account_id": d.account_id, "account": d.account_name,
        "reason": d.reason, "filled_on": d.filled_on, "event_on": d.event_on, "profile_id": d.profile_id,
        "template_id": d.template_id, "chain": d.chain,
        "steps": [{"seq": s.seq, "title": s.title, "opinion": s.opinion, "signer": s.signer,
                   "signed_on": s.signed_on, "result": s.result, "attachment_id": s.attachment_id}
                  for s in d.steps],
        "next_step": d.next_step.title if d.next_step else None,
        "proposed": d.proposed, "announce_from": d.announce_from, "announce_until": d.announce_until,
        "effective_on": d.effective_on, "effective_provisional": d.announce_provisional,
        "reported_on": d.reported_on, "merge_parent_id": d.merge_parent_id,
        "merge_parent_number": d.merge_parent_number, "kept_account_id": d.kept_account_id,
        "children": [c.id for c in d.children],
        "attachments": [{"id": a.id, "filename": a.filename, "size": a.size, "note": a.note} for a in d.attachments],
        "notes": d.notes, "meeting_on": d.meeting_on, "meeting_note": d.meeting_note, "head_name": d.head_name,
        "head_approved_on": d.head_approved_on, "decision_missing": d.decision_missing,
    }
