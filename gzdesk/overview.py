"""首页 (overview): the registry at a glance, each figure with the page that lists it.

``overview(session, today, db_path)`` gathers the counts the window's first page shows: accounts by
platform, by 运行状态 and by the type of their 主办单位 (charts), what falls due this week and what
is overdue (``deadlines.pending``), filings in progress and returned, staff on duty without
training, the last backup and the last snapshot sent upward. ``check_section`` adds the rule
findings (``rules.check``: seconds at 200,000 accounts, so the page asks for it after it is shown).

Every figure carries a ``Link``: the page of the window that lists what was counted and the filter
to set there, so that clicking a number shows exactly those rows. Other parts add figures by
adding a function to ``SECTIONS`` (``(session, today) -> Section | None``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gzdesk import deadlines, enums
from gzdesk.backup import backups_dir, list_backups
from gzdesk.enums import FilingState
from gzdesk.models import Account, Filing, Person, Unit
from gzdesk.office import get_setting, office, set_setting

NO_HOST = "none"  # the 主办单位 type of accounts without a 主办单位
SNAPSHOT_SENT_KEY = "last_snapshot_sent"


@dataclass(frozen=True, slots=True)
class Link:
    """Where a figure's rows are listed: a page key of the window and the filters to set there.

    Pages and filters: ``accounts`` (platform, status, host_kind), ``pending`` (scope: overdue /
    week, kind), ``filings`` (state: open / returned / a state code), ``check`` (level),
    ``people`` (show: 未培训); ``action:backup`` / ``action:snapshot`` run that menu action."""

    page: str
    filters: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str | None = None) -> str | None:
        return dict(self.filters).get(key, default)


@dataclass(slots=True)
class Bar:
    label: str
    value: int
    link: Link


@dataclass(slots=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


@dataclass(slots=True)
class Figure:
    """One number on the page: ``tone`` is "bad" (red), "warn" (amber), "good" or "plain"."""

    key: str
    label: str
    value: int | str
    note: str = ""
    tone: str = "plain"
    link: Link | None = None


@dataclass(slots=True)
class Section:
    key: str
    title: str
    figures: list[Figure]


@dataclass(slots=True)
class Overview:
    today: date
    unit_name: str
    profile_name: str
    accounts: int
    charts: list[Chart]
    sections: list[Section] = field(default_factory=list)

    def figure(self, key: str) -> Figure | None:
        return next((f for s in self.sections for f in s.figures if f.key == key), None)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


# --------------------------------------------------------------------------- charts


def _charts(session: Session) -> list[Chart]:
    status = dict(session.execute(select(Account.status, func.count()).group_by(Account.status)).all())
    platform = dict(session.execute(select(Account.platform, func.count()).group_by(Account.platform)).all())
    host = aliased(Unit)
    kinds: dict[str | None, int] = {kind: n for kind, n in session.execute(
        select(host.kind, func.count(Account.id)).select_from(Account)
        .outerjoin(host, Account.host_unit_id == host.id).group_by(host.kind))}
    status_bars = [Bar(label, status.get(code, 0), Link("accounts", (("status", code),)))
                   for code, label in enums.STATUS_LABELS.items() if status.get(code)]
    platform_bars = [Bar(label, platform.get(code, 0), Link("accounts", (("platform", code),)))
                     for code, label in enums.PLATFORM_LABELS.items() if platform.get(code)]
    platform_bars.sort(key=lambda b: -b.value)
    kind_bars = [Bar(label, kinds.get(code, 0), Link("accounts", (("host_kind", code),)))
                 for code, label in enums.UNIT_TYPE_LABELS.items() if kinds.get(code)]
    if kinds.get(None):
        kind_bars.append(Bar("未填主办单位", kinds[None], Link("accounts", (("host_kind", NO_HOST),))))
    kind_bars.sort(key=lambda b: -b.value)
    return [Chart("status", "运行状态", status_bars), Chart("platform", "平台", platform_bars),
            Chart("host_kind", "主办单位类型", kind_bars)]


def host_unit_ids(session: Session, kind: str) -> set[int] | None:
    """The units of one type (the 账号台账 filter behind a bar of 主办单位类型); None for ``NO_HOST``."""
    if kind == NO_HOST:
        return None
    return set(session.scalars(select(Unit.id).where(Unit.kind == kind)))


# --------------------------------------------------------------------------- sections


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (本周: Monday to Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def in_scope(scope: str | None, today: date) -> Callable[[deadlines.DueItem], bool]:
    """Which 待办 items a 范围 keeps: "overdue", "week" (本周到期: due today to Sunday, not yet
    late), "undated" (filings in progress without a deadline), None (all)."""
    if scope == "overdue":
        return lambda i: i.overdue
    if scope == "week":
        end = week_end(today)
        return lambda i: not i.overdue and i.due is not None and today <= i.due <= end
    if scope == "undated":
        return lambda i: i.due is None
    return lambda i: True


def _due_section(session: Session, today: date) -> Section:
    items = deadlines.pending(session, today)
    overdue = list(filter(in_scope("overdue", today), items))
    end = week_end(today)
    week = list(filter(in_scope("week", today), items))
    tasks = [i for i in items if i.kind == "task"]
    late_tasks = sum(1 for i in tasks if i.overdue)
    return Section("due", "时限", [
        Figure("overdue", "已逾期", len(overdue), "已过期限（按工作日计）",
               "bad" if overdue else "good", Link("pending", (("scope", "overdue"),))),
        Figure("due_week", "本周到期", len(week), f"今天至{end.month}月{end.day}日到期",
               "warn" if week else "plain", Link("pending", (("scope", "week"),))),
        Figure("tasks", "离职待办", len(tasks), f"更改密码、收回设备{f'，逾期 {late_tasks} 项' if late_tasks else ''}",
               "bad" if late_tasks else ("warn" if tasks else "plain"), Link("pending", (("kind", "task"),))),
    ])


def _filings_section(session: Session, today: date) -> Section:
    states = dict(session.execute(select(Filing.state, func.count()).where(Filing.origin.is_(None))
                                  .group_by(Filing.state)).all())
    in_progress = states.get(FilingState.DRAFT, 0) + states.get(FilingState.PENDING_SIGNATURE, 0)
    returned = states.get(FilingState.RETURNED, 0)
    filed = states.get(FilingState.FILED, 0)
    return Section("filings", "备案", [
        Figure("in_progress", "办理中", in_progress,
               f"草稿 {states.get(FilingState.DRAFT, 0)}，待签批 {states.get(FilingState.PENDING_SIGNATURE, 0)}",
               "plain", Link("filings", (("state", "open"),))),
        Figure("returned", "退回", returned, "待重新办理或撤回", "warn" if returned else "plain",
               Link("filings", (("state", str(FilingState.RETURNED)),))),
        Figure("filed", "待报送", filed, "已备案，尚未报送信息系统", "warn" if filed else "plain",
               Link("filings", (("state", str(FilingState.FILED)),))),
    ])


def _staff_section(session: Session, today: date) -> Section:
    on_duty = select(Person.id).where(Person.left_on.is_(None))
    untrained = session.scalar(select(func.count()).select_from(on_duty.where(Person.trained_on.is_(None))
                                                               .subquery())) or 0
    people = session.scalar(select(func.count()).select_from(on_duty.subquery())) or 0
    return Section("staff", "人员", [
        Figure("untrained", "在岗未培训", untrained, f"在岗 {people} 人，须经培训后方可上岗",
               "warn" if untrained else "good", Link("people", (("show", "未培训"),))),
    ])


@dataclass(frozen=True, slots=True)
class SectionMaker:
    """A section of 首页: ``slow`` ones (seconds at 200,000 accounts) the page asks for after painting."""

    key: str
    make: Callable[[Session, date], Section | None]
    slow: bool = False


def _supervision_section(session: Session, today: date) -> Section:
    """整改 still open (南通 第三十二条: due 10 days after the 通报) and 假冒账号 reports not closed
    (盐湖 第二十五条, 太白 第二十条, 云南 第四十一条, 南通 第三十条) — this office's own."""
    from gzdesk import fakes, rectify, scope

    here = scope.resolve(session, None)
    items = rectify.list_items(session, today, open_only=True, scope=here)
    summary = rectify.summarize(items)
    reports = fakes.list_reports(session, open_only=True, scope=here)
    return Section("supervision", "监管", [
        Figure("rectify_open", "整改中", summary.open + summary.waiting,
               f"已逾期 {summary.overdue} 项，待通报 {summary.waiting} 项" if summary.overdue or summary.waiting
               else "检查发现的问题，整改期限内",
               "bad" if summary.overdue else ("warn" if summary.open else "good"),
               Link("rectify", (("show", "open"),))),
        Figure("fakes_open", "假冒账号", len(reports), "未办结的假冒账号举报" if reports else "没有未办结的举报",
               "warn" if reports else "good", Link("fakes", (("show", "open"),))),
    ])


SECTIONS: list[SectionMaker] = [
    SectionMaker("due", _due_section, slow=True),  # deadlines.pending: ~2 s at 140,000 accounts
    SectionMaker("filings", _filings_section),
    SectionMaker("staff", _staff_section),
    SectionMaker("supervision", _supervision_section),
]


def check_section(session: Session, today: date) -> Section:
    """The rule findings of ``rules.check`` by level (slow on a big registry: asked for separately)."""
    from gzdesk import rules

    return check_section_from_counts(Counter(f.level for f in rules.check(session, today)))


def check_section_from_counts(counts: Counter[str] | dict[str, int]) -> Section:
    """The 按制度检查 section from findings counted by level (the 检查 page may have them already)."""
    figures = []
    for level, note, tone in (("否决", "单项否决，须立即整改", "bad"), ("问题", "不符合制度规定", "warn"),
                              ("提示", "建议核实", "plain")):
        n = counts.get(level, 0)
        figures.append(Figure(f"check_{level}", level, n, note, tone if n else "good",
                              Link("check", (("level", level),))))
    return Section("checks", "按制度检查", figures)


# --------------------------------------------------------------------------- backups and snapshots


@dataclass(slots=True)
class Exchange:
    last_backup: datetime | None
    backup_path: Path | None
    last_snapshot: datetime | None
    snapshot_path: str | None


def last_backup(db_path: Path, folders: tuple[Path, ...] = ()) -> tuple[datetime | None, Path | None]:
    """The newest timestamped backup copy of ``db_path`` (in ``backups/`` beside it, or ``folders``)."""
    db_path = Path(db_path)
    found: list[tuple[datetime, Path]] = []
    for folder in (backups_dir(db_path), *folders):
        for p in list_backups(folder, db_path.stem)[:1] if Path(folder).is_dir() else []:
            stamp = p.name[len(db_path.stem) + 1:len(db_path.stem) + 16]
            try:
                found.append((datetime.strptime(stamp, "%Y%m%d-%H%M%S"), p))
            except ValueError:
                continue
    if not found:
        return None, None
    return max(found)


def record_snapshot_sent(session: Session, path: Path, created: datetime) -> None:
    """Remember the last 上报快照 written (for 首页); a setting, not an audited change."""
    set_setting(session, SNAPSHOT_SENT_KEY,
                json.dumps({"at": created.isoformat(timespec="seconds"), "file": str(path)}, ensure_ascii=False))


def last_snapshot_sent(session: Session) -> tuple[datetime | None, str | None]:
    raw = get_setting(session, SNAPSHOT_SENT_KEY)
    if not raw:
        return None, None
    try:
        data = json.loads(raw)
        return datetime.fromisoformat(data["at"]), str(data.get("file") or "")
    except (ValueError, KeyError, TypeError):
        return None, None  # a hand-edited setting: show nothing rather than something wrong


def exchange_section(session: Session, today: date, db_path: Path | None,
                     backup_folders: tuple[Path, ...] = ()) -> Section:
    when, where = last_backup(db_path, backup_folders) if db_path is not None else (None, None)
    sent, file = last_snapshot_sent(session)

    def ago(at: datetime | None) -> tuple[str, str]:
        if at is None:
            return "从未", "bad"
        days = (today - at.date()).days
        text = "今天" if days <= 0 else f"{days} 天前"
        return text, "good" if days <= 7 else ("warn" if days <= 30 else "bad")

    backup_text, backup_tone = ago(when)
    sent_text, sent_tone = ago(sent)
    return Section("exchange", "备份与上报", [
        Figure("last_backup", "最近备份", backup_text,
               f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}" if when else "点击立即备份",
               backup_tone, Link("action:backup")),
        Figure("last_snapshot", "最近上报快照", sent_text,
               f"{sent.year}年{sent.month}月{sent.day}日 {sent:%H:%M}" if sent else "点击导出上报快照",
               sent_tone if sent else "plain", Link("action:snapshot")),
    ])


# --------------------------------------------------------------------------- all of it


def overview(session: Session, today: date, db_path: Path | None = None,
             backup_folders: tuple[Path, ...] = (), slow: bool = True) -> Overview:
    """Everything 首页 shows except the rule findings (``check_section``); with ``slow`` False the
    slow sections are left out (the page then asks for each with ``section``)."""
    info = office(session)
    total = session.scalar(select(func.count(Account.id))) or 0
    result = Overview(today, info.unit_name, info.profile.name, total, _charts(session))
    for maker in SECTIONS:
        if slow or not maker.slow:
            made = maker.make(session, today)
            if made is not None:
                result.sections.append(made)
    result.sections.append(exchange_section(session, today, db_path, backup_folders))
    return result


def section(session: Session, today: date, key: str) -> Section | None:
    """One section by its key (``SECTIONS``, or "checks")."""
    if key == "checks":
        return check_section(session, today)
    maker = next((m for m in SECTIONS if m.key == key), None)
    return maker.make(session, today) if maker is not None else None


def sections(session: Session, today: date, keys: tuple[str, ...]) -> list[Section | None]:
    """Several sections in one read (the page loads its slow ones together, off its thread)."""
    return [section(session, today, key) for key in keys]


def slow_keys() -> list[str]:
    return [m.key for m in SECTIONS if m.slow]
