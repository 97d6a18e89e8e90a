"""Replies to messages found at a check (太白 第十一条: 原则上回复处理不超过2天).

The registry cannot see an account's messages; an inspector can. At a check the clerk records the
message, the day it was left and the day it was answered (or that it was not answered by the day
of the check). ``gzdesk check`` reports every reply found late in the last ``RECENT_DAYS`` days,
citing the article. The limit is in calendar days (天), as the article says — not working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk.dates import cn_date
from gzdesk.errors import NotFound, UserError
from gzdesk.models import Account, ReplyCheck
from gzdesk.permissions import Cap, require

RECENT_DAYS = 92  # a quarter: the period of the checks (太白 第二十一条 按季度组织检查)


@dataclass
class ReplyRecord:
    id: int
    account_id: int
    account_name: str
    found_on: date
    message_on: date
    replied_on: date | None
    summary: str | None

    @property
    def waited(self) -> int:
        """Days from the message to its reply (or to the check, when unanswered)."""
        return ((self.replied_on or self.found_on) - self.message_on).days

    def late(self, limit: int) -> bool:
        return self.waited > limit

    def describe(self) -> str:
        reply = (f"{cn_date(self.replied_on)}答复，隔{self.waited}天" if self.replied_on
                 else f"至{cn_date(self.found_on)}检查时未答复（已{self.waited}天）")
        what = f"（{self.summary}）" if self.summary else ""
        return f"{cn_date(self.message_on)}的留言{what}{reply}"

    def to_json(self) -> dict:
        return {"id": self.id, "account_id": self.account_id, "account": self.account_name, "found_on": self.found_on,
                "message_on": self.message_on, "replied_on": self.replied_on, "summary": self.summary,
                "days": self.waited}


def add(session: Session, account_id: int, found_on: date, message_on: date, replied_on: date | None = None,
        summary: str | None = None) -> ReplyRecord:
    require(session, Cap.EDIT)  # gzdesk.permissions
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"没有编号为 {account_id} 的账号")
    if found_on is None or message_on is None:
        raise UserError("请填写检查日期和留言日期")
    if found_on > date.today():
        raise UserError(f"检查日期（{cn_date(found_on)}）不能晚于今天")
    if message_on > found_on:
        raise UserError("留言日期不能晚于检查日期")
    if replied_on is not None and not message_on <= replied_on <= found_on:
        raise UserError("答复日期应在留言日期和检查日期之间（检查时尚未答复的，不填答复日期）")
    row = ReplyCheck(account_id=account_id, found_on=found_on, message_on=message_on, replied_on=replied_on,
                     summary=(summary or "").strip()[:300] or None)
    session.add(row)
    session.flush()
    return _record(row)


def _record(r: ReplyCheck) -> ReplyRecord:
    return ReplyRecord(r.id, r.account_id, r.account.name if r.account else "", r.found_on, r.message_on,
                       r.replied_on, r.summary)


def list_records(session: Session, account_id: int | None = None, since: date | None = None) -> list[ReplyRecord]:
    stmt = select(ReplyCheck).order_by(ReplyCheck.found_on.desc(), ReplyCheck.id.desc())
    if account_id is not None:
        stmt = stmt.where(ReplyCheck.account_id == account_id)
    if since is not None:
        stmt = stmt.where(ReplyCheck.found_on >= since)
    return [_record(r) for r in session.scalars(stmt)]


def recent_late(session: Session, today: date, limit: int) -> list[ReplyRecord]:
    """Late replies found at checks in the last RECENT_DAYS days (for ``gzdesk check``)."""
    since = today - timedelta(days=RECENT_DAYS)
    return [r for r in list_records(session, since=since) if r.found_on <= today and r.late(limit)]
