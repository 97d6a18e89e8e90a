"""The 异议 register (云南 第四十五条).

第四十五条: 公民、法人和其他组织认为政务新媒体发布的信息或数据存在错误、遗漏或者侵犯其个人隐私、商业秘密等
合法权益的，可向政务新媒体主管或主（承）办单位提出异议。有关政务新媒体主管或主（承）办单位自收到异议申请之日
起，应当在7个工作日内依法作出处理，并及时将处理结果告知异议申请人。异议处理情况复杂的，经主管或主（承）办单位
负责人批准，可以适当延长处理时间，但累计不得超过30个工作日.

An objection is received (the day counts as the start: the 7 working days are those after it), may
have its time extended once or more with the head's approval — to at most 30 working days in all
(``extended_to``), approved before the time running then is over — and is closed by its handling
and the reply to the person who objected. Open ones are in 待办 (``deadlines.pending``); the
numbers come from the profile's ``objection`` rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.dates import cn_date
from gzdesk.errors import NotFound, UserError
from gzdesk.models import Account, Objection
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.workdays import WorkdayCalendar, WorkdayResult, load_calendar


@dataclass
class ObjectionData:
    id: int
    objector: str
    contact: str | None
    subject: str
    account_id: int | None
    account_name: str
    received_on: date
    workdays: int  # working days allowed now (7, or as extended)
    due: date
    provisional: bool
    extended_to: int | None
    extension_approved_by: str | None
    extension_approved_on: date | None
    handled_on: date | None
    result: str | None
    replied_on: date | None
    notes: str | None

    @property
    def state_label(self) -> str:
        if self.replied_on:
            return "已答复"
        if self.handled_on:
            return "已处理，待告知申请人"
        return "已延长，处理中" if self.extended_to else "处理中"

    @property
    def due_text(self) -> str:
        return cn_date(self.due, self.provisional)

    def to_json(self) -> dict:
        return {"id": self.id, "objector": self.objector, "contact": self.contact, "subject": self.subject,
                "account_id": self.account_id, "account": self.account_name, "received_on": self.received_on,
                "workdays": self.workdays, "due": self.due, "provisional": self.provisional,
                "extended_to": self.extended_to, "extension_approved_by": self.extension_approved_by,
                "extension_approved_on": self.extension_approved_on, "handled_on": self.handled_on,
                "result": self.result, "replied_on": self.replied_on, "state": self.state_label, "notes": self.notes}


def rule(session: Session) -> dict:
    """The profile's 异议 rule, or a UserError when the office's document has none."""
    profile = current_profile(session)
    r = profile.rule("objection")
    if not r:
        raise UserError(f"本单位的策略配置（{profile.name}）没有异议处理的规定（见云南省政务新媒体管理办法第四十五条）")
    return r


def due_of(cal: WorkdayCalendar, received_on: date, workdays: int) -> WorkdayResult:
    return cal.add(received_on, workdays)


def _get(session: Session, objection_id: int) -> Objection:
    o = session.get(Objection, objection_id)
    if o is None:
        raise NotFound(f"没有编号为 {objection_id} 的异议")
    return o


def _data(o: Objection, r: dict, cal: WorkdayCalendar) -> ObjectionData:
    n = o.extended_to or int(r["workdays"])
    due = due_of(cal, o.received_on, n)
    return ObjectionData(o.id, o.objector, o.contact, o.subject, o.account_id, o.account.name if o.account else "",
                         o.received_on, n, due.day, due.provisional, o.extended_to, o.extension_approved_by,
                         o.extension_approved_on, o.handled_on, o.result, o.replied_on, o.notes)


def _not_future(day: date | None, what: str) -> None:
    if day is not None and day > date.today():
        raise UserError(f"{what}（{cn_date(day)}）不能晚于今天")


def new_objection(session: Session, objector: str, subject: str, received_on: date, account_id: int | None = None,
                  contact: str | None = None, notes: str | None = None) -> ObjectionData:
    require(session, Cap.EDIT)  # gzdesk.permissions
    r = rule(session)
    objector, subject = (objector or "").strip(), (subject or "").strip()
    if not objector:
        raise UserError("请填写异议申请人")
    if not subject:
        raise UserError("请写明对哪条信息、提出什么异议")
    if received_on is None:
        raise UserError("请填写收到异议申请的日期")
    _not_future(received_on, "收到日期")
    if account_id is not None and session.get(Account, account_id) is None:
        raise NotFound(f"没有编号为 {account_id} 的账号")
    o = Objection(objector=objector, subject=subject, received_on=received_on, account_id=account_id,
                  contact=(contact or "").strip() or None, notes=(notes or "").strip() or None)
    session.add(o)
    session.flush()
    return _data(o, r, load_calendar(session))


def extend(session: Session, objection_id: int, to_workdays: int, approved_by: str, approved_on: date) -> ObjectionData:
    """第四十五条: 经负责人批准，可以适当延长处理时间，但累计不得超过30个工作日."""
    require(session, Cap.EDIT)  # gzdesk.permissions
    r = rule(session)
    o = _get(session, objection_id)
    limit, base = int(r["max_workdays"]), int(r["workdays"])
    if o.handled_on or o.replied_on:
        raise UserError(f"异议 {o.id} 已处理，不能再延长")
    current = o.extended_to or base
    if not current < to_workdays <= limit:
        raise UserError(f"延长后的处理时间应多于现在的{current}个工作日、累计不超过{limit}个工作日，收到 {to_workdays}")
    approved_by = (approved_by or "").strip()
    if not approved_by:
        raise UserError("延长须经主管或主（承）办单位负责人批准：请填写批准人")
    if approved_on is None:
        raise UserError("请填写批准延长的日期")
    _not_future(approved_on, "批准日期")
    cal = load_calendar(session)
    running = due_of(cal, o.received_on, current)
    if approved_on < o.received_on or approved_on > running.day:
        raise UserError(f"延长应在收到异议后、处理期限（{cn_date(running.day, running.provisional)}）届满前批准")
    o.extended_to, o.extension_approved_by, o.extension_approved_on = to_workdays, approved_by, approved_on
    session.flush()
    return _data(o, r, cal)


def reply(session: Session, objection_id: int, handled_on: date, result: str, replied_on: date | None = None) -> ObjectionData:
    """The handling (依法作出处理) and the reply to the person who objected (告知异议申请人)."""
    require(session, Cap.EDIT)  # gzdesk.permissions
    r = rule(session)
    o = _get(session, objection_id)
    result = (result or "").strip()
    if not result:
        raise UserError("请写明处理结果")
    if handled_on is None:
        raise UserError("请填写处理日期")
    _not_future(handled_on, "处理日期")
    _not_future(replied_on, "告知日期")
    if handled_on < o.received_on:
        raise UserError(f"处理日期不能早于收到日期（{cn_date(o.received_on)}）")
    if replied_on is not None and replied_on < handled_on:
        raise UserError("告知申请人的日期不能早于处理日期")
    o.handled_on, o.result, o.replied_on = handled_on, result, replied_on
    session.flush()
    return _data(o, r, load_calendar(session))


def get(session: Session, objection_id: int) -> ObjectionData:
    return _data(_get(session, objection_id), rule(session), load_calendar(session))


def list_objections(session: Session, open_only: bool = False) -> list[ObjectionData]:
    r = rule(session)
    cal = load_calendar(session)
    stmt = select(Objection).order_by(Objection.received_on.desc(), Objection.id.desc())
    if open_only:
        stmt = stmt.where(Objection.replied_on.is_(None))
    return [_data(o, r, cal) for o in session.scalars(stmt)]


def open_items(session: Session) -> list[tuple[Objection, int]]:
    """The objections not yet answered, with the working days allowed (for 待办); [] without a rule."""
    r = current_profile(session).rule("objection")
    if not r:
        return []
    rows = session.scalars(select(Objection).where(Objection.replied_on.is_(None), Objection.origin.is_(None))
                           .order_by(Objection.received_on, Objection.id)).all()
    return [(o, o.extended_to or int(r["workdays"])) for o in rows]
