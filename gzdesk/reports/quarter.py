"""The quarter's 政务新媒体检查整改情况 report (南通 第三十二条; 附件3 抽查检查 1).

每季度开展的政务新媒体检查整改情况，应于下一季度首月5日前向市政府办公室报送…第四季度报送内容应包括全年
情况. For a quarter and an office (``Scope``): coverage (accounts inspected / accounts in operation),
pass rate, problems by item, 整改 status and the 不合格 accounts; for the fourth quarter also the
year. Written as a PDF to sign and seal and as an Excel workbook. ``record_sent`` keeps the day
it went upward (the assessment counts late ones).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import inspections, quarters, rectify
from gzdesk.dates import cn_date
from gzdesk.enums import InspectionLevel
from gzdesk.errors import UserError
from gzdesk.indicator_sheets import FAIL, Sheet
from gzdesk.inspections import InspectionRow
from gzdesk.models import Inspection, InspectionFinding, QuarterReport
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.quarters import Quarter, report_day
from gzdesk.scope import Scope


@dataclass(slots=True)
class ProblemRow:
    """One 二级指标 and how often it was found."""

    item: str
    kind: str  # veto / deduct
    accounts: int  # inspections in which it was found
    cases: int  # occurrences (每发现一起)
    points: int  # points deducted in all

    @property
    def kind_label(self) -> str:
        return "单项否决" if self.kind == "veto" else "扣分"


@dataclass
class PeriodFigures:
    """Figures of a quarter, or of a whole year (``quarters`` several)."""

    label: str
    coverage: list[inspections.Coverage]
    inspected: int  # distinct accounts
    active: int
    inspections: int  # records (an account may be inspected twice)
    passed: int
    failed: int
    problems: list[ProblemRow]
    rectify: rectify.RectifySummary
    failing: list[InspectionRow]  # (the field ``inspections`` above hides the module here)
    upper: list[InspectionRow]

    @property
    def coverage_text(self) -> str:
        return f"{self.inspected / self.active * 100:.1f}%" if self.active else "—"

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.inspected if self.inspected else None

    @property
    def pass_rate_text(self) -> str:
        return f"{self.pass_rate * 100:.1f}%" if self.pass_rate is not None else "—"


@dataclass
class QuarterReportData:
    scope: Scope
    quarter: Quarter
    today: date
    sheet_source: str
    due: date
    sent_on: date | None
    figures: PeriodFigures
    year: PeriodFigures | None = None  # the fourth quarter's report includes the year
    rows: list[inspections.InspectionRow] = field(default_factory=list)
    items: list[rectify.RectifyRow] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"{self.scope.name}{self.quarter.label}政务新媒体检查整改情况报告"


def _problems(session: Session, scope: Scope, codes: list[str]) -> list[ProblemRow]:
    rows = session.execute(select(InspectionFinding.item, InspectionFinding.kind, InspectionFinding.count,
                                  InspectionFinding.points)
                           .join(Inspection, Inspection.id == InspectionFinding.inspection_id)
                           .where(scope.where(Inspection.origin), Inspection.quarter.in_(codes),
                                  Inspection.level == InspectionLevel.OWN)).all()
    agg: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for item, kind, count, points in rows:
        a = agg[(item, kind)]
        a[0] += 1
        a[1] += count
        a[2] += points or 0
    out = [ProblemRow(item, kind, *v) for (item, kind), v in agg.items()]
    return sorted(out, key=lambda p: (p.kind != "veto", -p.accounts, p.item))


def _figures(session: Session, scope: Scope, qs: list[Quarter], label: str, today: date) -> PeriodFigures:
    codes = [q.code for q in qs]
    rows = [r for q in qs for r in inspections.list_inspections(session, q, scope)]
    own = [r for r in rows if r.level == InspectionLevel.OWN]
    upper = [r for r in rows if r.level != InspectionLevel.OWN]
    cov = [inspections.coverage(session, q, scope) for q in qs]
    last: dict[int | None, str] = {}
    for r in sorted(own, key=lambda r: (r.inspected_on, r.id)):
        if r.account_id is not None:
            last[r.account_id] = r.result
    active = inspections.active_account_ids(session, scope, qs[-1].end) | set(last)
    failed = sum(1 for v in last.values() if v == FAIL)
    items = [i for q in qs for i in rectify.list_items(session, today, quarter=q, scope=scope)]
    return PeriodFigures(label, cov, len(last), len(active), len(own), len(last) - failed, failed,
                         _problems(session, scope, codes), rectify.summarize(items),
                         [r for r in own if r.result == FAIL], upper)


def build(session: Session, quarter: Quarter | str, scope: Scope, today: date | None = None) -> QuarterReportData:
    q = quarters.parse(quarter) if isinstance(quarter, str) else quarter
    today = today or date.today()
    if q.start > today:
        raise UserError(f"{q.label}尚未开始")
    sheet: Sheet = inspections.sheet_of(session)
    day = report_day(current_profile(session))
    sent = session.scalars(select(QuarterReport.sent_on).where(scope.where(QuarterReport.origin),
                                                               QuarterReport.quarter == q.code)).first()
    data = QuarterReportData(scope, q, today, sheet.source_note, q.report_due(day), sent,
                             _figures(session, scope, [q], q.label, today))
    if q.q == 4:
        data.year = _figures(session, scope, quarters.of_year(q.year), f"{q.year}年全年", today)
    data.rows = list(reversed(inspections.list_inspections(session, q, scope)))
    data.items = rectify.list_items(session, today, quarter=q, scope=scope)
    return data


def record_sent(session: Session, quarter: Quarter | str, on: date, note: str | None = None,
                today: date | None = None) -> tuple[Quarter, bool]:
    """Record (or correct) the day this office sent the quarter's report upward; (quarter, on time)."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    q = quarters.parse(quarter) if isinstance(quarter, str) else quarter
    if on > (today or date.today()):
        raise UserError(f"报送日期{cn_date(on)}晚于今天")
    if on <= q.end:
        raise UserError(f"{q.label}尚未结束（{cn_date(q.end)}），报送日期应在季度结束之后")
    row = session.scalars(select(QuarterReport).where(QuarterReport.origin.is_(None),
                                                      QuarterReport.quarter == q.code)).first()
    if row is None:
        row = QuarterReport(quarter=q.code, sent_on=on)
        session.add(row)
    row.sent_on = on
    row.note = (note or "").strip() or None
    session.flush()
    return q, on <= q.report_due(report_day(current_profile(session)))


# --------------------------------------------------------------------------- output


def _summary_text(d: QuarterReportData, f: PeriodFigures) -> str:
    upper = f"；另有上级抽查 {len(f.upper)} 个账号次" if f.upper else ""
    return (f"{f.label}共检查政务新媒体 {f.inspected} 个（{f.inspections} 次），在运行账号 {f.active} 个，"
            f"检查比例 {f.coverage_text}；合格 {f.passed} 个、不合格 {f.failed} 个，合格率 {f.pass_rate_text}"
            f"{upper}。")


def write(path: str | Path, d: QuarterReportData) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf(path, d)
    if suffix == ".xlsx":
        return _xlsx(path, d)
    raise UserError(f"季度报告应写成 .pdf 或 .xlsx：{path.name}")


def _pdf(path: Path, d: QuarterReportData) -> Path:
    from gzdesk.reports.pdf import Doc

    doc = Doc(d.title)
    doc.para(d.title, "title")
    sent = f"，已于{cn_date(d.sent_on)}报送" if d.sent_on else ""
    doc.para(f"（应于{cn_date(d.due)}前报送{sent}）", "subtitle")
    f = d.figures
    doc.para("一、检查情况", "h1")
    doc.para(_summary_text(d, f) + f"检查依据：{d.sheet_source}。")
    doc.table(["季度", "在运行账号", "已检查账号", "检查比例", "合格", "不合格", "合格率"],
              [[f.label, f.active, f.inspected, f.coverage_text, f.passed, f.failed, f.pass_rate_text]],
              [30, 22, 22, 20, 16, 16, 20], centred=range(7))
    doc.para("二、发现问题", "h1")
    if f.problems:
        doc.para(f"本季度检查发现问题 {sum(p.accounts for p in f.problems)} 项，按检查指标分列如下：")
        doc.table(["二级指标", "类别", "涉及账号次", "发现次数", "扣分合计"],
                  [[p.item, p.kind_label, p.accounts, p.cases, p.points if p.kind != "veto" else "—"]
                   for p in f.problems], [58, 22, 24, 22, 22], centred=(1, 2, 3, 4))
    elif f.inspections:
        doc.para("本季度检查未发现问题。")
    else:
        doc.para("本季度没有检查记录。")
    if f.failing:
        doc.para("不合格账号：", "plain")
        doc.table(["序号", "账号", "平台", "主办单位", "检查日期", "得分", "检查人"],
                  [[i, r.account, r.platform_label, r.host_unit or "", cn_date(r.inspected_on), r.score_text,
                    r.inspector] for i, r in enumerate(f.failing, 1)], [12, 36, 22, 40, 28, 12, 18],
                  centred=(0, 5))
    doc.para("三、整改情况", "h1")
    doc.para(f.rectify.text + f"（按{cn_date(d.today)}计）。通报公开之日起10日内应完成整改。")
    open_items = [i for i in d.items if i.done_on is None]
    if open_items:
        doc.table(["序号", "账号", "问题", "通报日期", "整改期限", "状态"],
                  [[n, i.account, i.what, cn_date(i.notified_on), cn_date(i.due_on) or "待通报", i.status]
                   for n, i in enumerate(open_items, 1)], [12, 40, 48, 26, 26, 18], centred=(0, 5))
    if d.year is not None:
        y = d.year
        doc.para("四、全年情况", "h1")
        doc.para(_summary_text(d, y))
        doc.table(["季度", "在运行账号", "已检查账号", "检查比例", "合格", "不合格"],
                  [[c.quarter.label, c.active, c.inspected, c.percent_text, c.passed, c.failed] for c in y.coverage]
                  + [[y.label, y.active, y.inspected, y.coverage_text, y.passed, y.failed]],
                  [34, 24, 24, 22, 18, 18], centred=range(6), shade=[len(y.coverage) + 1])
        if y.problems:
            doc.table(["二级指标", "类别", "涉及账号次", "发现次数", "扣分合计"],
                      [[p.item, p.kind_label, p.accounts, p.cases, p.points if p.kind != "veto" else "—"]
                       for p in y.problems], [58, 22, 24, 22, 22], centred=(1, 2, 3, 4))
        doc.para(y.rectify.text + "。")
    doc.signature([f"报送单位（盖章）：{d.scope.name}", "负责人（签字）：______________",
                   "______年____月____日"])
    return doc.write(path)


def _xlsx(path: Path, d: QuarterReportData) -> Path:
    from gzdesk.reports.xlsx import Book

    f = d.figures
    sub = f"{d.scope.name}　应于{cn_date(d.due)}前报送" + (f"，已于{cn_date(d.sent_on)}报送" if d.sent_on else "")
    with Book(path) as b:
        periods = [f] + ([] if d.year is None else [d.year])
        b.sheet("检查情况", d.title, sub, ["期间", "在运行账号", "已检查账号", "检查比例", "检查次数", "合格", "不合格", "合格率"],
                [[p.label, p.active, p.inspected, (p.inspected / p.active) if p.active else "—", p.inspections,
                  p.passed, p.failed, p.pass_rate if p.pass_rate is not None else "—"] for p in periods]
                + ([[c.quarter.label, c.active, c.inspected, c.ratio if c.active else "—", "", c.passed, c.failed, ""]
                    for c in d.year.coverage] if d.year else []),
                [18, 12, 12, 12, 10, 10, 10, 10], pct_cols=(3, 7))
        for p, name in [(f, "发现问题")] + ([(d.year, "全年问题")] if d.year else []):
            b.sheet(name, f"{p.label}检查发现问题（按检查指标）", d.sheet_source, ["二级指标", "类别", "涉及账号次", "发现次数", "扣分合计"],
                    [[x.item, x.kind_label, x.accounts, x.cases, x.points] for x in p.problems], [28, 10, 12, 12, 12])
        b.sheet("检查明细", f"{d.quarter.label}检查明细", sub,
                ["编号", "检查日期", "账号", "平台", "主办单位", "类别", "得分", "结果", "检查人", "问题数", "通报日期"],
                [[r.id, cn_date(r.inspected_on), r.account, r.platform_label, r.host_unit or "", r.level_label,
                  r.score if r.score is not None else "否决", r.result, r.inspector, r.findings,
                  cn_date(r.notified_on)] for r in d.rows],
                [7, 15, 24, 14, 26, 10, 7, 8, 10, 7, 15],
                red_rows=[i for i, r in enumerate(d.rows) if r.result == FAIL])
        b.sheet("整改情况", f"{d.quarter.label}整改情况", f.rectify.text + f"（按{cn_date(d.today)}计）",
                ["编号", "账号", "问题", "说明", "通报日期", "整改期限", "完成日期", "状态", "整改说明"],
                [[i.id, i.account, i.what, i.note or "", cn_date(i.notified_on), cn_date(i.due_on) or "待通报",
                  cn_date(i.done_on), i.status, i.rectify_note or ""] for i in d.items],
                [7, 24, 24, 30, 15, 15, 15, 9, 30], red_rows=[n for n, i in enumerate(d.items) if i.overdue])
    return path
