"""整改: every finding of an inspection is a rectification item (南通 第三十二条 及时通报…督促落实整改).

An item is due ``rectify_days`` (10) days after its inspection's 通报 is recorded (附件3 通报整改:
通报公开之日起10日内对问题仍未整改…扣10分) — calendar days, as the document writes 10日 (its working-day
limits say 个工作日), the 通报 day itself not counted. Before the 通报 an item has no due date
(待通报). Open items are in 待办; overdue ones red.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import enums, quarters
from gzdesk.dates import cn_date
from gzdesk.errors import NotFound, UserError
from gzdesk.models import Inspection, InspectionFinding
from gzdesk.permissions import Cap, require
from gzdesk.quarters import Quarter
from gzdesk.scope import Scope

WAITING, OPEN, LATE, DONE, DONE_LATE = "待通报", "整改中", "已逾期", "已整改", "逾期整改"


@dataclass(slots=True)
class RectifyRow:
    id: int
    inspection_id: int
    account_id: int | None
    account: str
    platform: str | None
    host_unit: str | None
    quarter: str
    inspected_on: date
    kind: str
    item: str
    count: int
    points: int | None
    note: str | None
    notified_on: date | None
    due_on: date | None
    done_on: date | None
    rectify_note: str | None
    origin: str | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on is not None and self.due_on < self.today

    @property
    def status(self) -> str:
        if self.done_on is not None:
            return DONE_LATE if self.due_on is not None and self.done_on > self.due_on else DONE
        if self.due_on is None:
            return WAITING
        return LATE if self.overdue else OPEN

    @property
    def what(self) -> str:
        """内容更新不及时×3 / 内容不更新（单项否决）."""
        if self.kind == "veto":
            return f"{self.item}（单项否决）"
        return f"{self.item}×{self.count}" if self.count > 1 else self.item

    @property
    def platform_label(self) -> str:
        return enums.label("platform", self.platform)

    def to_json(self) -> dict:
        return {"id": self.id, "inspection_id": self.inspection_id, "account_id": self.account_id,
                "account": self.account, "host_unit": self.host_unit, "quarter": self.quarter,
                "kind": self.kind, "item": self.item, "count": self.count, "points": self.points,
                "note": self.note, "notified_on": self.notified_on, "due": self.due_on, "done_on": self.done_on,
                "overdue": self.overdue, "status": self.status, "rectify_note": self.rectify_note,
                "origin": self.origin}


def list_items(session: Session, today: date, *, open_only: bool = False, quarter: Quarter | str | None = None,
               scope: Scope | None = None, overdue_only: bool = False) -> list[RectifyRow]:
    """整改 items: overdue first, then by due date (待通报 after the dated ones), then the done ones."""
    stmt = (select(InspectionFinding.id, Inspection.id, Inspection.account_id, Inspection.account_name,
                   Inspection.platform, Inspection.host_unit, Inspection.quarter, Inspection.inspected_on,
                   InspectionFinding.kind, InspectionFinding.item, InspectionFinding.count,
                   InspectionFinding.points, InspectionFinding.note, Inspection.notified_on,
                   InspectionFinding.due_on, InspectionFinding.done_on, InspectionFinding.rectify_note,
                   Inspection.origin)
            .join(Inspection, Inspection.id == InspectionFinding.inspection_id))
    if open_only or overdue_only:
        stmt = stmt.where(InspectionFinding.done_on.is_(None))
    if quarter is not None:
        stmt = stmt.where(Inspection.quarter == (quarters.parse(quarter).code if isinstance(quarter, str)
                                                 else quarter.code))
    if scope is not None:
        stmt = stmt.where(scope.where(Inspection.origin))
    rows = [RectifyRow(*[*r, today]) for r in session.execute(stmt)]
    if overdue_only:
        rows = [r for r in rows if r.overdue]
    return sorted(rows, key=lambda r: (r.done_on is not None, not r.overdue, r.due_on is None,
                                       r.due_on or date.max, r.inspected_on, r.id))


def _item(session: Session, item_id: int) -> InspectionFinding:
    f = session.get(InspectionFinding, item_id)
    if f is None:
        raise NotFound(f"没有编号为 {item_id} 的整改事项")
    if f.origin:
        raise UserError(f"整改事项 {item_id} 来自“{f.origin}”的上报快照，应由该单位登记后重新上报")
    return f


def mark_done(session: Session, item_ids: list[int], on: date, note: str | None = None,
              today: date | None = None) -> int:
    """整改完成 on ``on`` (not before the inspection, not in the future); returns how many."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    if not item_ids:
        raise UserError("请给出整改事项编号")
    if on > (today or date.today()):
        raise UserError(f"整改完成日期{cn_date(on)}晚于今天")
    for item_id in item_ids:
        f = _item(session, item_id)
        if f.done_on is not None:
            raise UserError(f"整改事项 {item_id}（{f.item}）已于{cn_date(f.done_on)}整改完成")
        if on < f.inspection.inspected_on:
            raise UserError(f"整改完成日期{cn_date(on)}早于检查日期{cn_date(f.inspection.inspected_on)}")
        f.done_on = on
        if note:
            f.rectify_note = note.strip() or None
    session.flush()
    return len(item_ids)


def reopen(session: Session, item_id: int) -> None:
    """Take back a 整改完成 entered by mistake."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    f = _item(session, item_id)
    if f.done_on is None:
        raise UserError(f"整改事项 {item_id}（{f.item}）尚未整改完成")
    f.done_on = None
    session.flush()


@dataclass(slots=True)
class RectifySummary:
    total: int
    done: int
    done_late: int
    open: int
    overdue: int
    waiting: int  # 待通报

    @property
    def text(self) -> str:
        return (f"整改事项 {self.total} 项：已整改 {self.done} 项（其中逾期整改 {self.done_late} 项），"
                f"整改中 {self.open} 项（已逾期 {self.overdue} 项），待通报 {self.waiting} 项")


def summarize(rows: list[RectifyRow]) -> RectifySummary:
    done = [r for r in rows if r.done_on is not None]
    open_ = [r for r in rows if r.done_on is None and r.due_on is not None]
    return RectifySummary(len(rows), len(done), sum(1 for r in done if r.status == DONE_LATE), len(open_),
                          sum(1 for r in open_ if r.overdue), sum(1 for r in rows if r.status == WAITING))
