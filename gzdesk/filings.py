"""The 备案 (filing) lifecycle: start a filing, take it up the approval chain, apply its effects.

A filing moves 草稿 → 待签批 (printed) → one approval step per title of the profile's chain
(意见, 负责人, date, optional scan) → 已备案 → 已报送 (the provincial / national system updated).
A step with result ``returned`` sends it to 退回 (it can be reopened as a new draft); a draft or a
filing waiting for signatures can be withdrawn (撤回).

The filing freezes the account data it was made with (``Filing.frozen``, see
``registry.account_snapshot``), so the printed form can be reproduced years later; for a 变更 the
frozen copy shows the NEW data, and ``Filing.proposed`` holds only the changed fields, applied to
the account when the last step approves it.

关停 / 注销 do not change the account at once: its 停更注销公告 must run first (``set_announcement``):
云南 第十八条 / 南通 第十六条 — 公告时间不少于15个工作日 (profile ``announcement.mode`` "min_period");
盐湖区 第十一条 — 关停、注销前3个工作日内应发布停更注销公告 ("before_close"). ``apply_due_effects``
moves the status once the filing is approved and its ``effective_on`` has come.

Every function takes a session from ``Database.transaction()`` / ``reader()``; every change goes
through the ORM and is therefore written to the audit log.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import enums, fields, registry
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, FilingKind, FilingState
from gzdesk.errors import NotFound, UserError
from gzdesk.models import Account, ApprovalStep, Attachment, Filing, Unit
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.workdays import load_calendar

OPEN_STATES = (FilingState.DRAFT, FilingState.PENDING_SIGNATURE)  # still going up the chain
LIVE_STATES = (FilingState.DRAFT, FilingState.PENDING_SIGNATURE, FilingState.FILED, FilingState.REPORTED)
DONE_STATES = (FilingState.FILED, FilingState.REPORTED)
CLOSING_KINDS = (FilingKind.CLOSE, FilingKind.CANCEL)
FIRST_KINDS = (FilingKind.OPEN, FilingKind.BACKFILL)  # an account's first filing
STATUS_AFTER = {FilingKind.CLOSE: AccountStatus.CLOSED, FilingKind.CANCEL: AccountStatus.CANCELLED}

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
class AttachmentInfo:
    id: int
    filename: str
    mime: str | None
    size: int
    note: str | None
    created_on: date | None


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


# --------------------------------------------------------------------------- changes of a 变更

# The account's fields are the catalogue's (gzdesk.fields); these names stay for older callers.
DATE_FIELDS = fields.DATE_KEYS
BOOL_FIELDS = fields.BOOL_KEYS
UNIT_FIELDS = tuple(fields.UNIT_COLUMNS)  # supervisor_unit, host_unit, operator_unit (by name)
CHANGEABLE = list(fields.CHANGEABLE)
FIELD_LABELS: dict[str, str] = fields.LABELS


def parse_change_key(raw_key: object) -> fields.Field:
    """The field a 变更 names: its key, label, 台账 header or a header synonym — the names the
    import reads in a sheet's header row (``gzdesk.fields.field_for``)."""
    f = fields.field_for(raw_key)
    if f is None:
        raise UserError(f"未知的变更字段“{raw_key}”")
    if not f.changeable:
        if f.key == "qr_image":
            raise UserError("二维码图片请在账号编辑窗口中更换，不能作为变更字段")
        raise UserError(f"{f.label}不能作为变更字段")
    return f


def normalize_changes(session: Session, changes: dict | None) -> dict:
    """The changed fields of a 变更 as JSON-ready values with their proper codes.

    Accepts the names and the values the import accepts (``gzdesk.fields.parse_value``: dates in
    any usual spelling, 是/否/√/×, platform labels and 其他：名称, 1.2万), and unit names.
    """
    out: dict = {}
    for raw_key, value in (changes or {}).items():
        f = parse_change_key(raw_key)
        if f.kind == fields.UNIT:
            by_id = str(raw_key).strip().endswith("_id")  # host_unit_id: 12 is a unit's id, else a name
            out.update(_unit_change(session, f.key if by_id else f.column, value))
            continue
        parsed, problem = fields.parse_value(f, value, f.label)
        if problem:
            raise UserError(problem)
        if parsed is None:
            if f.required:
                raise UserError(f"{f.label}不能为空")
            out[f.key] = None
        elif f.kind == fields.DATE:
            out[f.key] = parsed.isoformat()
        elif isinstance(parsed, tuple):  # 其他：哔哩哔哩
            out["platform"], out["platform_other"] = parsed
        elif f.kind == fields.STATUS and parsed not in (AccountStatus.NORMAL, AccountStatus.PAUSED):
            raise UserError("关停、注销请办理关停或注销备案，不能作为变更字段")
        else:
            out[f.key] = parsed
    return out


def _unit_change(session: Session, key: str, value) -> dict:
    id_key = key if key.endswith("_id") else f"{key}_id"
    if value in ("", None):
        return {id_key: None}
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit() and key.endswith("_id")):
        unit = session.get(Unit, int(value))
    else:
        unit = session.scalars(select(Unit).where(Unit.name == " ".join(str(value).split()))).first()
    if unit is None:
        raise UserError(f"找不到单位“{value}”，请先在单位管理中添加")
    return {id_key: unit.id}


def _overlay(session: Session, snapshot: dict, proposed: dict) -> dict:
    """The snapshot with the proposed values put in (unit names and labels kept in step)."""
    out = dict(snapshot)
    out.update(proposed)
    for prefix in ("supervisor", "host", "operator"):
        if f"{prefix}_unit_id" in proposed:
            uid = proposed[f"{prefix}_unit_id"]
            unit = session.get(Unit, uid) if uid else None
            out[f"{prefix}_unit"] = unit.name if unit else None
    out["platform_label"] = enums.label("platform", out.get("platform"))
    out["status_label"] = enums.label("status", out.get("status"))
    return out


def changes_text(proposed: dict, frozen: dict) -> str:
    """名称：盐湖发布；主办单位：运城市盐湖区教育局 — a 变更's changed fields for people (the 备案记录
    sheet), unit names from the frozen copy (which shows the new data), dates as 2026年11月22日."""
    from gzdesk.dates import cn_date

    parts = []
    for key, value in proposed.items():
        if key.endswith("_unit_id"):
            value = frozen.get(key[: -len("_id")]) or ("（无）" if value is None else value)
        elif key in ("platform", "status"):
            value = enums.label(key, value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = cn_date(date.fromisoformat(value))
        parts.append(f"{FIELD_LABELS.get(key, key)}：{'（空）' if value in (None, '') else value}")
    return "；".join(parts)


def _account_with(session: Session, account_id: int, proposed: dict) -> registry.AccountData:
    data = registry.get_account(session, account_id)
    for key, value in proposed.items():
        if key in DATE_FIELDS and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(data, key, value)
    return data


# --------------------------------------------------------------------------- lookups


def _filing(session: Session, filing_id: int) -> Filing:
    f = session.get(Filing, filing_id)
    if f is None:
        raise NotFound(f"找不到编号为 {filing_id} 的备案")
    return f


def find_filing(session: Session, key: str | int) -> int:
    """A filing's id from its id or its number (2025-00012)."""
    text = str(key).strip()
    if text.isdigit():
        _filing(session, int(text))
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


def _label(f: Filing) -> str:
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
        registry._raise_first(registry.account_problems(_account_with(session, account.id, changes)))
        if "name" in changes and changes["name"] == account.name:
            del changes["name"]
    if event_on is None and code in FIRST_KINDS:
        event_on = account.registered_on
    # event_on may lie after filled_on: 盐湖 第十条/第十一条 approve before opening, changing or closing
    snapshot = registry.account_snapshot(session, account.id)
    frozen = _overlay(session, snapshot, changes) if changes else snapshot
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
        _apply_decision(filing, decision)
    session.add(filing)
    session.flush()
    return get_filing(session, filing.id)


def _refuse_conflicts(session: Session, account: Account, code: str) -> None:
    live = session.scalars(select(Filing).where(Filing.account_id == account.id,
                                                Filing.state.in_(LIVE_STATES))).all()
    if code in FIRST_KINDS:
        first = [f for f in live if f.kind in FIRST_KINDS]
        if first:
            raise UserError(f"账号“{account.name}”已有{_label(first[0])}（{enums.label('filing_state', first[0].state)}），"
                            "不能重复办理开设备案")
    if account.status in (AccountStatus.CLOSED, AccountStatus.CANCELLED):
        raise UserError(f"账号“{account.name}”已{enums.label('status', account.status)}，不能再办理"
                        f"{enums.label('filing_kind', code)}备案")
    pending_close = [f for f in live if f.kind in CLOSING_KINDS]
    if pending_close and code in (*CLOSING_KINDS, FilingKind.CHANGE, FilingKind.MERGE):
        raise UserError(f"账号“{account.name}”已有{_label(pending_close[0])}在办理中")
    if code == FilingKind.CHANGE:
        open_change = [f for f in live if f.kind == FilingKind.CHANGE and f.state in OPEN_STATES]
        if open_change:
            raise UserError(f"账号“{account.name}”已有{_label(open_change[0])}尚未办结，请先办结或撤回")


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
    row = _filing(session, parent.id)
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
    f = _filing(session, filing_id)
    if f.state not in OPEN_STATES:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再打印送签")
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
    f = _filing(session, filing_id)
    if result not in ("approved", "returned"):
        raise UserError("审批结果只能是“同意”或“退回”")
    if f.state not in OPEN_STATES:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再记录审批")
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
        raise UserError(f"{_label(f)}的审批步骤已全部完成")
    if f.filled_on and signed_on < f.filled_on:
        raise UserError(f"签批日期（{cn_date(signed_on)}）不能早于填表时间（{cn_date(f.filled_on)}）")
    if steps and steps[-1].signed_on and signed_on < steps[-1].signed_on:
        raise UserError(f"签批日期（{cn_date(signed_on)}）不能早于上一步“{steps[-1].title}”的日期"
                        f"（{cn_date(steps[-1].signed_on)}）")
    attachment_id = None
    if scan is not None:
        attachment_id = _attach(session, f, scan[0], scan[1], note=chain[seq - 1])
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
            registry.write_account(session, _account_with(session, f.account_id, changes))
    elif f.kind in CLOSING_KINDS and f.effective_on is None:
        profile = current_profile(session)
        if f.kind not in announcement_kinds(profile):  # no 公告 rule: effective on the closing day or on approval
            f.effective_on = f.event_on or signed_on


def mark_reported(session: Session, filing_id: int, on: date) -> FilingData:
    """已备案 → 已报送: the provincial / national system (全国政务新媒体信息报送系统) was updated."""
    require(session, Cap.FILE)
    f = _filing(session, filing_id)
    if f.state != FilingState.FILED:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有已备案的事项才能标记已报送")
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
    f = _filing(session, filing_id)
    if f.state != FilingState.DRAFT:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有草稿可以修改理由"
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
    f = _filing(session, filing_id)
    if f.state not in OPEN_STATES:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有草稿或待签批的备案可以撤回")
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
    f = _filing(session, filing_id)
    if f.state != FilingState.RETURNED:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，只有退回的备案可以重新办理")
    if f.account_id is None:
        raise UserError("该备案没有关联账号，无法重新办理")
    new = new_filing(session, f.account_id, f.kind, reason if reason is not None else f.reason,
                     filled_on=filled_on, event_on=f.event_on,
                     proposed=json.loads(f.proposed) if f.proposed else None, kept_account_id=f.kept_account_id,
                     merge_parent_id=f.merge_parent_id)
    row = _filing(session, new.id)
    row.notes = f"重新办理退回的备案{f.number}"
    session.flush()
    return get_filing(session, new.id)


# --------------------------------------------------------------------------- the unit's own decision


@dataclass(slots=True)
class Decision:
    """本单位会议（集体）研究 and/or 主要领导签字确认（同意） behind a filing."""

    meeting_on: date | None = None
    meeting_note: str | None = None
    head_name: str | None = None
    head_approved_on: date | None = None

    def check(self) -> None:
        today = date.today()
        self.meeting_note = (self.meeting_note or "").strip() or None
        self.head_name = (self.head_name or "").strip() or None
        if self.meeting_note and self.meeting_on is None:
            raise UserError("请填写会议（集体）研究的日期")
        if (self.head_name is None) != (self.head_approved_on is None):
            raise UserError("主要领导同意须同时填写领导姓名和签字确认日期")
        for what, day in (("会议研究日期", self.meeting_on), ("主要领导签字确认日期", self.head_approved_on)):
            if day is not None and day > today:
                raise UserError(f"{what}（{cn_date(day)}）不能晚于今天")


@dataclass(slots=True)
class DecisionRule:
    both: bool  # True: 集体研究和主要领导同意 (云南 第十二条); False: either (盐湖 第十一条 …)
    article: str
    text: str


def decision_rule(profile, kind: str) -> DecisionRule | None:
    """What the unit must have decided before filing ``kind``, or None.

    盐湖 第十一条: 变更、关停、注销 应经过本单位会议研究或主要领导签字确认同意; 云南 第十八条 and 南通
    第十六条 likewise (集体研究或主要领导同意; 南通: 关停、注销 only); 云南 第十二条: 以单位名义开办的，
    须经单位集体研究和主要领导同意 — both.
    """
    o = profile.rule("opening_needs_meeting_and_head")
    if kind == FilingKind.OPEN and o and o.get("required"):
        return DecisionRule(True, profile.cite_article("opening_needs_meeting_and_head"), "单位集体研究和主要领导同意")
    m = profile.rule("change_needs_meeting_or_head")
    if m and m.get("required") and kind in profile.kinds("change_needs_meeting_or_head",
                                                          (FilingKind.CHANGE, *CLOSING_KINDS)):
        return DecisionRule(False, profile.cite_article("change_needs_meeting_or_head"),
                            "本单位会议（集体）研究或主要领导签字确认同意")
    return None


def decision_gap(rule: DecisionRule | None, meeting_on: date | None, head_approved_on: date | None) -> str | None:
    """What is missing of the decision the rule asks for ("" when nothing is), as a sentence."""
    if rule is None:
        return None
    have_meeting, have_head = meeting_on is not None, head_approved_on is not None
    if rule.both and not (have_meeting and have_head):
        lacking = "、".join(x for x, ok in (("集体研究", have_meeting), ("主要领导同意", have_head)) if not ok)
        return f"{rule.article}要求{rule.text}，尚未登记{lacking}"
    if not rule.both and not (have_meeting or have_head):
        return f"{rule.article}要求{rule.text}，尚未登记"
    return None


def _decision_missing(session: Session, f: Filing) -> str | None:
    try:
        profile = current_profile(session)
    except UserError:
        return None
    return decision_gap(decision_rule(profile, f.kind), f.meeting_on, f.head_approved_on)


def _apply_decision(f: Filing, d: Decision) -> None:
    d.check()
    if d.meeting_on is not None:
        f.meeting_on, f.meeting_note = d.meeting_on, d.meeting_note
    if d.head_approved_on is not None:
        f.head_name, f.head_approved_on = d.head_name, d.head_approved_on


def record_decision(session: Session, filing_id: int, decision: Decision) -> FilingData:
    """Record the unit's decision on a filing (and on the closures of an 整合 with it)."""
    f = _filing(session, filing_id)
    if f.state not in LIVE_STATES:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能再登记")
    decision.check()
    if decision.meeting_on is None and decision.head_approved_on is None:
        raise UserError("请填写会议（集体）研究日期，或主要领导姓名和签字确认日期")
    for member in _family(session, f):
        _apply_decision(member, decision)
    session.flush()
    return get_filing(session, f.id)


def missing_decisions(session: Session) -> list[tuple[int, str, str | None, int | None, str, str]]:
    """(filing id, number, kind, account id, what is missing, article) for every live filing whose
    profile asks for a decision that is not recorded (for ``gzdesk check``)."""
    profile = current_profile(session)
    kinds = [k for k in FilingKind if decision_rule(profile, k) is not None]
    if not kinds:
        return []
    rows = session.execute(select(Filing.id, Filing.number, Filing.kind, Filing.account_id, Filing.meeting_on,
                                  Filing.head_approved_on)
                           .where(Filing.kind.in_([str(k) for k in kinds]), Filing.state.in_(LIVE_STATES),
                                  Filing.origin.is_(None))
                           .order_by(Filing.id)).all()
    out: list[tuple[int, str, str | None, int | None, str, str]] = []
    for fid, number, kind, account_id, meeting_on, head_on in rows:
        rule = decision_rule(profile, kind)
        gap = decision_gap(rule, meeting_on, head_on)
        if gap and rule is not None:
            out.append((fid, number, kind, account_id, gap, rule.article))
    return out


# --------------------------------------------------------------------------- 公告 of a closure


@dataclass(slots=True)
class AnnouncementCheck:
    effective_on: date
    provisional: bool
    message: str
    warning: str | None = None  # accepted, but the clerk should know (盐湖: later than 3 working days before)


def announcement_kinds(profile) -> tuple[str, ...]:
    """The filing kinds that need a 公告 in this profile: 关停、注销; 变更 too where the document
    says so (云南 第十八条: 变更、关停、注销……并向社会公告)."""
    return profile.kinds("announcement", CLOSING_KINDS)


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
    f = _filing(session, filing_id)
    profile = current_profile(session)
    kinds = announcement_kinds(profile)
    if f.kind not in kinds:
        what = "、".join(enums.label("filing_kind", k) for k in kinds) or "关停、注销"
        raise UserError(f"本单位制度中只有{what}备案需要向社会公告，{_label(f)}不需要")
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
    f = _filing(session, filing_id)
    if f.state not in LIVE_STATES:
        raise UserError(f"{_label(f)}当前为“{enums.label('filing_state', f.state)}”，不能登记公告")
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


def apply_due_effects(session: Session, today: date) -> list[AppliedEffect]:
    """Close or cancel the accounts whose approved 关停/注销 has reached its ``effective_on``."""
    done: list[AppliedEffect] = []
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


# --------------------------------------------------------------------------- scans


def _attach(session: Session, f: Filing, filename: str, data: bytes, note: str | None = None) -> int:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise UserError("扫描件文件名不能为空")
    if not data:
        raise UserError(f"扫描件“{name}”是空文件")
    att = Attachment(owner_uuid=f.uuid, filename=name, mime=mimetypes.guess_type(name)[0], data=bytes(data),
                     note=note)
    session.add(att)
    session.flush()
    return att.id


def attach_scan(session: Session, filing_id: int, filename: str, data: bytes, note: str | None = None) -> int:
    """Keep a scan of the signed and sealed form with the filing; returns the attachment id."""
    require(session, Cap.FILE)
    f = _filing(session, filing_id)
    return _attach(session, f, filename, data, note or "签字盖章扫描件")


def attachment_data(session: Session, attachment_id: int) -> tuple[str, bytes]:
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(f"找不到编号为 {attachment_id} 的附件")
    return att.filename, att.data


def _attachments(session: Session, uuid: str) -> list[AttachmentInfo]:
    rows = session.execute(select(Attachment.id, Attachment.filename, Attachment.mime,
                                  func.length(Attachment.data), Attachment.note, Attachment.created_at)
                           .where(Attachment.owner_uuid == uuid).order_by(Attachment.id)).all()
    return [AttachmentInfo(i, n, m, s or 0, note, c.date() if c else None) for i, n, m, s, note, c in rows]


# --------------------------------------------------------------------------- reading


def get_filing(session: Session, filing_id: int) -> FilingData:
    f = _filing(session, filing_id)
    profile_chain = {}
    try:
        profile_chain = {s["title"]: s.get("signer_label") or "负责人签字" for s in current_profile(session).chain}
    except UserError:
        pass
    attachments = _attachments(session, f.uuid)
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
        head_name=f.head_name, head_approved_on=f.head_approved_on, decision_missing=_decision_missing(session, f))


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
