"""People's accounts and the 离职 to-dos, as plain rows for the people page and the person editor.

云南 第三十七条: “管理人员离职、调任、辞职应及时更改密码，将所配设备收回单位。” ``registry.save_person``
creates the tasks when a 离职日期 is recorded; this module lists them and a person's accounts so that
the window never touches ORM objects outside a session. The tasks cite the office's own article
(盐湖 第二十二条, 太白 第十七条, 南通 第二十七条: 加强离职人员安全保密管理); a profile without one
cites 云南 第三十七条 for reference, the one document of the five that names the measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gzdesk import enums
from gzdesk.errors import UserError
from gzdesk.models import Account, AccountRole, Person, Task
from gzdesk.office import current_profile
from gzdesk.profiles import Profile

YUNNAN_DEPARTURE = "云南省政务新媒体管理办法第三十七条 管理人员离职、调任、辞职应及时更改密码，将所配设备收回单位"


def departure_article(profile: Profile | None) -> str:
    """The article behind the 离职 tasks: the profile's own, else 参照 云南 第三十七条."""
    return (profile.cite("departure_password_change") if profile else None) or f"参照{YUNNAN_DEPARTURE}"


def _office_profile(session: Session) -> Profile | None:
    try:
        return current_profile(session)
    except UserError:  # not initialised yet
        return None


def office_departure_article(session: Session) -> str:
    return departure_article(_office_profile(session))


@dataclass(frozen=True, slots=True)
class StaffArticles:
    """What the people page and the person editor cite, read with one look at the profile."""

    training: str  # "<document>第二十二条 须经培训后方可上岗", or "" when the document has none
    training_number: str  # "第二十二条", or ""
    departure: str  # see ``departure_article``


def staff_articles(session: Session) -> StaffArticles:
    profile = _office_profile(session)
    rule = profile.rule("training_required") if profile else None
    number = str(rule["article"]).split()[0] if rule and rule.get("article") else ""
    training = (profile.cite("training_required") if profile else None) or ""
    return StaffArticles(training, number, departure_article(profile))


@dataclass(slots=True)
class PersonAccountRole:
    """One role of a person on an account's 管理队伍."""

    account_id: int
    account_name: str
    platform_label: str
    status_label: str
    role: str
    role_label: str
    since: date | None
    until: date | None


@dataclass(slots=True)
class TaskRow:
    """One open (or done) to-do, with the names a person reads."""

    id: int
    kind: str
    kind_label: str
    title: str
    account_id: int | None
    account_name: str
    account_platform: str
    person_id: int | None
    person_name: str
    due_on: date | None
    done_on: date | None
    article: str


def accounts_of_person(session: Session, person_id: int) -> list[PersonAccountRole]:
    """Every account the person is (or was) on, with the role, ordered by account name and role."""
    order = {r: i for i, r in enumerate(enums.ROLE_LABELS)}
    stmt = (select(Account.id, Account.name, Account.platform, Account.platform_other, Account.status,
                   AccountRole.role, AccountRole.since, AccountRole.until)
            .join(AccountRole, AccountRole.account_id == Account.id)
            .where(AccountRole.person_id == person_id))
    rows = []
    for aid, name, platform, other, status, role, since, until in session.execute(stmt):
        plabel = enums.label("platform", platform)
        if platform == enums.Platform.OTHER and other:
            plabel = f"其他：{other}"
        rows.append(PersonAccountRole(aid, name, plabel, enums.label("status", status), role,
                                      enums.label("role", role), since, until))
    return sorted(rows, key=lambda r: (r.account_name, order.get(r.role, 99)))


def departure_account_count(session: Session, person_id: int | None) -> int:
    """How many accounts get a password-change and a device-return task when this person leaves.

    Counts the same accounts as ``registry.record_departure``: every account the person is on.
    """
    if person_id is None:
        return 0
    return session.scalar(select(func.count(func.distinct(AccountRole.account_id)))
                          .where(AccountRole.person_id == person_id)) or 0


def task_rows(session: Session, *, open_only: bool = True, person_id: int | None = None) -> list[TaskRow]:
    """Tasks (open ones by default), earliest due first, with account and person names."""
    acc, per = aliased(Account), aliased(Person)
    stmt = (select(Task, acc.name, acc.platform, acc.platform_other, per.name)
            .outerjoin(acc, Task.account_id == acc.id)
            .outerjoin(per, Task.person_id == per.id)
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id))
    if open_only:
        stmt = stmt.where(Task.done_on.is_(None))
    if person_id is not None:
        stmt = stmt.where(Task.person_id == person_id)
    rows = []
    for t, account, platform, other, person in session.execute(stmt):
        plabel = enums.label("platform", platform)
        if platform == enums.Platform.OTHER and other:
            plabel = f"其他：{other}"
        rows.append(TaskRow(t.id, t.kind, enums.label("task_kind", t.kind), t.title, t.account_id,
                            account or "", plabel, t.person_id, person or "", t.due_on, t.done_on,
                            t.article or ""))
    return rows


def complete_tasks(session: Session, task_ids: list[int], on: date | None = None) -> int:
    """Mark several tasks done (one transaction); returns how many were still open."""
    from gzdesk.permissions import Cap, require
    from gzdesk.registry import complete_task

    require(session, Cap.EDIT)
    n = 0
    for task_id in task_ids:
        task = session.get(Task, task_id)
        if task is not None and task.done_on is None:
            n += 1
        complete_task(session, task_id, on)
    return n
