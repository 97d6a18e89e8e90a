"""假冒政务新媒体: a fake account found or reported, handled step by step until closed.

发现或接到网民举报有假冒政务新媒体，应立即排查核实，商请网信、公安等网络与信息安全监管部门协同处理，致函
有关新媒体平台运营方对其关停，并报上一级政务新媒体工作主管单位备案 (南通 第三十条; 盐湖 第二十五条 and
太白 第二十条 alike, 报区/县政府办公室备案; 云南 第四十一条 adds 电信). 临沂 四（二）: 对发现的假冒政务
新媒体，立即关停并通报有关部门依法依规处置. The steps and their wording are the profile's
(``fake_accounts.steps``); a report closes itself when every step is recorded, or is closed as
核实非假冒 after 排查核实. Open reports are in 待办: 立即排查核实 is due the day it was found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import enums
from gzdesk.dates import cn_date
from gzdesk.enums import FakeStepKind
from gzdesk.errors import NotFound, UserError
from gzdesk.models import Account, Attachment, FakeReport, FakeStep
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.profiles import Profile
from gzdesk.scope import Scope
from gzdesk.validation import url_problem

DEFAULT_STEPS = tuple((code, label) for code, label in enums.FAKE_STEP_LABELS.items())
OUTCOMES = {"closed": "已关停处置", "not_fake": "核实非假冒"}
MAX_SCREENSHOT = 20 * 1024 * 1024


def steps_of(profile: Profile | None) -> list[tuple[str, str]]:
    """(code, wording) of the steps the office's document names, in order."""
    rule = profile.rule("fake_accounts") if profile is not None else None
    steps = (rule or {}).get("steps")
    if isinstance(steps, list) and steps and all(isinstance(s, list) and len(s) == 2 and s[0] in
                                                  enums.FAKE_STEP_LABELS for s in steps):
        return [(str(c), str(w)) for c, w in steps]
    return list(DEFAULT_STEPS)


def article_of(profile: Profile | None) -> str:
    return (profile.cite("fake_accounts") or "") if profile is not None else ""


@dataclass(slots=True)
class StepData:
    id: int
    step: str
    label: str
    done_on: date
    note: str | None


@dataclass
class FakeData:
    id: int
    uuid: str
    name: str
    platform: str | None
    platform_other: str | None
    link: str | None
    imitated_account_id: int | None
    imitated_account: str | None
    how: str
    reporter: str | None
    found_on: date
    found_where: str | None
    closed_on: date | None
    outcome: str | None
    note: str | None
    origin: str | None
    steps: list[StepData] = field(default_factory=list)
    pending_steps: list[tuple[str, str]] = field(default_factory=list)
    screenshots: list[tuple[int, str, int]] = field(default_factory=list)  # (attachment id, filename, bytes)

    @property
    def platform_label(self) -> str:
        if self.platform == enums.Platform.OTHER and self.platform_other:
            return self.platform_other
        return enums.label("platform", self.platform)

    @property
    def how_label(self) -> str:
        return enums.label("fake_how", self.how)

    @property
    def status(self) -> str:
        if self.closed_on is not None:
            return OUTCOMES.get(self.outcome or "closed", "已办结")
        return f"待{self.pending_steps[0][1]}" if self.pending_steps else "办理中"

    def to_json(self) -> dict:
        return {"id": self.id, "uuid": self.uuid, "name": self.name, "platform": self.platform_label,
                "link": self.link, "imitated_account_id": self.imitated_account_id,
                "imitated_account": self.imitated_account, "how": self.how, "how_label": self.how_label,
                "reporter": self.reporter, "found_on": self.found_on, "found_where": self.found_where,
                "closed_on": self.closed_on, "outcome": self.outcome, "status": self.status, "note": self.note,
                "origin": self.origin,
                "steps": [{"step": s.step, "label": s.label, "date": s.done_on, "note": s.note} for s in self.steps],
                "pending_steps": [{"step": c, "label": w} for c, w in self.pending_steps],
                "screenshots": [{"id": i, "filename": n, "size": z} for i, n, z in self.screenshots]}


def _report(session: Session, report_id: int, *, local: bool = False) -> FakeReport:
    r = session.get(FakeReport, report_id)
    if r is None:
        raise NotFound(f"没有编号为 {report_id} 的假冒账号记录")
    if local and r.origin:
        raise UserError(f"该记录来自“{r.origin}”的上报快照，应由该单位登记后重新上报")
    return r


def _check_image(filename: str, data: bytes) -> tuple[str, str]:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "截图"
    if not data:
        raise UserError(f"截图“{name}”是空文件")
    if len(data) > MAX_SCREENSHOT:
        raise UserError(f"截图“{name}”超过 20 MB")
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return name, "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return name, "image/jpeg"
    raise UserError(f"截图“{name}”不是 PNG 或 JPEG 图片")


def add_screenshot(session: Session, report_id: int, filename: str, data: bytes) -> int:
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    r = _report(session, report_id, local=True)
    name, mime = _check_image(filename, data)
    att = Attachment(owner_uuid=r.uuid, filename=name, mime=mime, data=bytes(data), note="假冒账号截图")
    session.add(att)
    session.flush()
    return att.id


def new_report(session: Session, name: str, found_on: date, *, how: str = "found", reporter: str | None = None,
               platform: str | None = None, link: str | None = None, found_where: str | None = None,
               imitated_account_id: int | None = None, note: str | None = None,
               screenshot: tuple[str, bytes] | None = None, today: date | None = None) -> FakeData:
    """A fake account found (自行发现) or reported (网民举报)."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    name = (name or "").strip()
    if not name:
        raise UserError("请填写假冒账号的名称")
    if found_on > (today or date.today()):
        raise UserError(f"发现日期{cn_date(found_on)}晚于今天")
    how_code = enums.code_for("fake_how", how)
    if how_code is None:
        raise UserError(f"来源应为 自行发现 或 网民举报，收到“{how}”")
    platform_code, other = None, None
    if platform:
        platform_code = enums.code_for("platform", platform)
        if platform_code is None:
            platform_code, other = enums.Platform.OTHER, platform.strip()
    link = (link or "").strip() or None
    if link:
        problem = url_problem(link)
        if problem:
            raise UserError(f"链接：{problem}")
    if imitated_account_id is not None and session.get(Account, imitated_account_id) is None:
        raise NotFound(f"没有编号为 {imitated_account_id} 的账号")
    if screenshot is not None:
        _check_image(*screenshot)
    r = FakeReport(name=name, platform=platform_code, platform_other=other, link=link,
                   imitated_account_id=imitated_account_id, how=how_code,
                   reporter=(reporter or "").strip() or None, found_on=found_on,
                   found_where=(found_where or "").strip() or None, note=(note or "").strip() or None)
    session.add(r)
    session.flush()
    if screenshot is not None:
        add_screenshot(session, r.id, *screenshot)
    return get_report(session, r.id)


def find_step(profile: Profile | None, text: str) -> tuple[str, str]:
    """A step of the office's list by its wording, a short name (核实, 致函…) or its code."""
    steps = steps_of(profile)
    code = enums.code_for("fake_step", text)
    for c, w in steps:
        if code == c or "".join(text.split()) == "".join(w.split()):
            return c, w
    raise UserError(f"没有步骤“{text}”，可选：{'、'.join(w for _c, w in steps)}")


def record_step(session: Session, report_id: int, step: str, on: date, note: str | None = None,
                today: date | None = None) -> FakeData:
    """Record a step; the report closes itself once every step of the office's list is recorded."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    r = _report(session, report_id, local=True)
    profile = current_profile(session)
    code, wording = find_step(profile, step)
    if r.closed_on is not None:
        raise UserError(f"该假冒账号记录已于{cn_date(r.closed_on)}办结")
    if on > (today or date.today()):
        raise UserError(f"{wording}日期{cn_date(on)}晚于今天")
    if on < r.found_on:
        raise UserError(f"{wording}日期{cn_date(on)}早于发现日期{cn_date(r.found_on)}")
    r.steps.append(FakeStep(step=code, done_on=on, note=(note or "").strip() or None))
    session.flush()
    done = {s.step for s in r.steps}
    if all(c in done for c, _w in steps_of(profile)):
        r.closed_on = max(s.done_on for s in r.steps)
        r.outcome = "closed"
    session.flush()
    return get_report(session, r.id)


def close(session: Session, report_id: int, on: date, outcome: str = "not_fake", note: str | None = None,
          today: date | None = None) -> FakeData:
    """Close a report by hand: 核实非假冒 (after 排查核实), or 已关停处置."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    r = _report(session, report_id, local=True)
    if outcome not in OUTCOMES:
        raise UserError(f"办结结果应为 {'、'.join(OUTCOMES.values())}")
    if r.closed_on is not None:
        raise UserError(f"该假冒账号记录已于{cn_date(r.closed_on)}办结")
    if on > (today or date.today()) or on < r.found_on:
        raise UserError(f"办结日期{cn_date(on)}应在发现日期{cn_date(r.found_on)}与今天之间")
    if outcome == "not_fake" and not any(s.step == FakeStepKind.VERIFY for s in r.steps):
        r.steps.append(FakeStep(step=FakeStepKind.VERIFY, done_on=on, note=(note or "核实非假冒账号").strip()))
    r.closed_on, r.outcome = on, outcome
    if note:
        r.note = f"{r.note}；{note.strip()}" if r.note else note.strip()
    session.flush()
    return get_report(session, r.id)


def get_report(session: Session, report_id: int) -> FakeData:
    r = _report(session, report_id)
    profile = current_profile(session)
    wording = dict(steps_of(profile))
    imitated = session.get(Account, r.imitated_account_id) if r.imitated_account_id else None
    d = FakeData(r.id, r.uuid, r.name, r.platform, r.platform_other, r.link, r.imitated_account_id,
                 imitated.name if imitated else None, r.how, r.reporter, r.found_on, r.found_where, r.closed_on,
                 r.outcome, r.note, r.origin)
    for s in r.steps:
        d.steps.append(StepData(s.id, s.step, wording.get(s.step) or enums.label("fake_step", s.step), s.done_on,
                                s.note))
    done = {s.step for s in r.steps}
    d.pending_steps = [] if r.closed_on else [(c, w) for c, w in steps_of(profile) if c not in done]
    d.screenshots = [tuple(row) for row in session.execute(
        select(Attachment.id, Attachment.filename, func.length(Attachment.data))
        .where(Attachment.owner_uuid == r.uuid).order_by(Attachment.id))]
    return d


def find_report(session: Session, key: str | int) -> int:
    text = str(key).strip()
    if not text.isdigit() or session.get(FakeReport, int(text)) is None:
        raise NotFound(f"没有编号为 {text} 的假冒账号记录")
    return int(text)


def list_reports(session: Session, *, open_only: bool = False, scope: Scope | None = None,
                 since: date | None = None, until: date | None = None) -> list[FakeData]:
    """Reports, open ones first, newest first (a registry holds a handful, not thousands)."""
    stmt = select(FakeReport.id)
    if open_only:
        stmt = stmt.where(FakeReport.closed_on.is_(None))
    if scope is not None:
        stmt = stmt.where(scope.where(FakeReport.origin))
    if since is not None:
        stmt = stmt.where(FakeReport.found_on >= since)
    if until is not None:
        stmt = stmt.where(FakeReport.found_on <= until)
    rows = [get_report(session, i) for i in session.scalars(stmt)]
    return sorted(rows, key=lambda d: (d.closed_on is not None, -d.found_on.toordinal(), -d.id))
