"""The unit's own decision behind a filing: 本单位会议（集体）研究 and/or 主要领导签字确认（同意）.

What a profile asks for (``decision_rule``), what is missing of it (``decision_gap``), and the
live filings that lack it (``missing_decisions``, for ``gzdesk check``). Recording it on a filing
is ``gzdesk.filings.record_decision``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Boolean, func, select
from sqlalchemy.orm import Session

from gzdesk.dates import cn_date
from gzdesk.enums import FilingKind
from gzdesk.errors import UserError
from gzdesk.filing_kinds import CLOSING_KINDS, LIVE_STATES
from gzdesk.models import Filing
from gzdesk.office import current_profile


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


def filing_decision_gap(session: Session, f: Filing) -> str | None:
    """What this filing lacks of the decision its profile asks for (None without a profile)."""
    try:
        profile = current_profile(session)
    except UserError:
        return None
    return decision_gap(decision_rule(profile, f.kind), f.meeting_on, f.head_approved_on)


def apply_decision(f: Filing, d: Decision) -> None:
    """Check ``d`` and write what it records onto the filing row."""
    d.check()
    if d.meeting_on is not None:
        f.meeting_on, f.meeting_note = d.meeting_on, d.meeting_note
    if d.head_approved_on is not None:
        f.head_name, f.head_approved_on = d.head_name, d.head_approved_on


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
                                  # kept from the index on origin (nearly every filing is this office's
                                  # own): reading the wide filing table through it cost 0.2 s at 200,000
                                  # accounts where the few closures by kind cost nothing
                                  func.likely(Filing.origin.is_(None), type_=Boolean))
                           .order_by(Filing.id)).all()
    out: list[tuple[int, str, str | None, int | None, str, str]] = []
    for fid, number, kind, account_id, meeting_on, head_on in rows:
        rule = decision_rule(profile, kind)
        gap = decision_gap(rule, meeting_on, head_on)
        if gap and rule is not None:
            out.append((fid, number, kind, account_id, gap, rule.article))
    return out
