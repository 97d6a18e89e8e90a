"""The census report upward (临沂 五 做好问题查摆，确保整改到位).

各县区（开发区）、市直各部门政务新媒体运行整改落实情况(包括开设数量、基本情况、取得成效、存在问题、整改情况、
意见建议等)，请于3月18日前，报市政府办公室. For a period and an office (``Scope``): 开设数量 by platform,
by unit type and by status; accounts opened, closed and merged in the period; basic figures from the
registry (filings, inspections, 整改, fake accounts, problems the rules find); and the prose parts the
clerk writes (基本情况、取得成效、存在问题、整改情况、意见建议), the previous report's text offered. A formal
PDF (issuer, 文号 line, title, 主送, sections, signature, page numbers) and an Excel workbook.

Counts by status are the registry's status now (it keeps no status history); "opened in the
period" reads 创建日期, "closed" the day a 关停/注销 filing took effect, "merged" 整合 filings filed in it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gzdesk import enums, fakes, rectify, rules
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus, FilingKind, FilingState, InspectionLevel
from gzdesk.errors import UserError
from gzdesk.filing_kinds import CLOSING_KINDS, LIVE_STATES
from gzdesk.indicator_sheets import FAIL
from gzdesk.models import Account, CensusReport, Filing, Inspection, Unit
from gzdesk.office import current_profile
from gzdesk.permissions import Cap, require
from gzdesk.scope import Scope

DEFAULT_SECTIONS = ("开设数量", "基本情况", "取得成效", "存在问题", "整改情况", "意见建议")
FIGURES_ONLY = ("开设数量",)  # counted by the program; the others are written by the clerk
ADDRESSEE = "市人民政府办公室"
STATUSES = ("normal", "paused", "closed", "cancelled")


def sections_of(profile) -> list[str]:
    rule = profile.rule("census_report") if profile is not None else None
    names = (rule or {}).get("sections") or DEFAULT_SECTIONS
    return [str(n) for n in names]


def prose_sections(profile) -> list[str]:
    return [s for s in sections_of(profile) if s not in FIGURES_ONLY]


@dataclass
class CensusData:
    scope: Scope
    start: date
    end: date
    written_on: date
    document: str
    by_platform: list[tuple[str, dict[str, int]]]  # platform label → {status: n}
    by_unit_type: list[tuple[str, int, int]]  # unit type label, accounts, in operation
    opened: list[tuple[str, str, str, date]]  # name, platform, host unit, date
    closed: list[tuple[str, str, str, date, str]]  # name, platform, host, date, 关停/注销
    merged: list[tuple[str, str, int]]  # filing number, kept account, accounts closed into it
    figures: list[tuple[str, str]]  # 基本情况 from the registry: (what, value)
    problems: list[tuple[str, str]]  # 存在问题 the registry can see
    rectify_text: str
    texts: dict[str, str] = field(default_factory=dict)
    sections: list[str] = field(default_factory=lambda: list(DEFAULT_SECTIONS))
    addressee: str = ADDRESSEE

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for _p, c in self.by_platform)

    @property
    def active(self) -> int:
        return sum(c.get("normal", 0) + c.get("paused", 0) for _p, c in self.by_platform)

    @property
    def period_text(self) -> str:
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    @property
    def title(self) -> str:
        return "关于政务新媒体排查摸底及整改落实情况的报告"


def _in_scope_accounts(session: Session, scope: Scope, end: date):
    return session.execute(select(Account.id, Account.name, Account.platform, Account.platform_other,
                                  Account.status, Account.host_unit_id, Account.registered_on, Account.followers,
                                  Account.last_update_on)
                           .where(scope.where(Account.origin),
                                  Account.registered_on.is_(None) | (Account.registered_on <= end))
                           .order_by(Account.id)).all()


def build(session: Session, start: date, end: date, scope: Scope, texts: dict[str, str] | None = None,
          today: date | None = None) -> CensusData:
    if end < start:
        raise UserError(f"结束日期{cn_date(end)}早于开始日期{cn_date(start)}")
    today = today or date.today()
    if end > today:
        raise UserError(f"结束日期{cn_date(end)}晚于今天")
    profile = current_profile(session)
    accounts = _in_scope_accounts(session, scope, end)
    units = {u.id: (u.name, u.kind) for u in session.execute(select(Unit.id, Unit.name, Unit.kind))}

    per_platform: dict[str, Counter] = {}
    for a in accounts:
        label = enums.label("platform", a.platform)
        per_platform.setdefault(label, Counter())[a.status] += 1
    order = list(enums.labels("platform").values())
    by_platform = sorted(((k, dict(v)) for k, v in per_platform.items()),
                         key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)
    per_type: dict[str, list[int]] = {}
    for a in accounts:
        kind = units.get(a.host_unit_id, ("", "other"))[1]
        row = per_type.setdefault(enums.label("unit_type", kind), [0, 0])
        row[0] += 1
        row[1] += a.status in ("normal", "paused")
    type_order = list(enums.labels("unit_type").values())
    by_unit_type = sorted(((k, v[0], v[1]) for k, v in per_type.items()),
                          key=lambda r: type_order.index(r[0]) if r[0] in type_order else 99)

    def host(uid):
        return units.get(uid, ("",))[0]

    opened = [(a.name, enums.label("platform", a.platform), host(a.host_unit_id), a.registered_on)
              for a in accounts if a.registered_on is not None and start <= a.registered_on <= end]
    closed = []
    for name, platform, host_id, kind, eff, event in session.execute(
            select(Account.name, Account.platform, Account.host_unit_id, Filing.kind, Filing.effective_on,
                   Filing.event_on)
            .join(Account, Account.id == Filing.account_id)
            .where(scope.where(Filing.origin), Filing.kind.in_(CLOSING_KINDS),
                   Filing.state.in_([FilingState.FILED, FilingState.REPORTED]),
                   Account.status.in_([AccountStatus.CLOSED, AccountStatus.CANCELLED]))):
        day = eff or event
        if day is not None and start <= day <= end:
            closed.append((name, enums.label("platform", platform), host(host_id), day,
                           enums.label("filing_kind", kind)))
    merged = []
    for fid, number, kept in session.execute(select(Filing.id, Filing.number, Filing.kept_account_id).where(
            scope.where(Filing.origin), Filing.kind == FilingKind.MERGE, Filing.state.in_(LIVE_STATES),
            Filing.filled_on >= start, Filing.filled_on <= end)):
        n = session.scalar(select(func.count(Filing.id)).where(Filing.merge_parent_id == fid))
        kept_name = session.scalar(select(Account.name).where(Account.id == kept)) if kept else ""
        merged.append((number, kept_name or "", n or 0))

    active = [a for a in accounts if a.status in ("normal", "paused")]
    filings_in = Counter(k for k, in session.execute(select(Filing.kind).where(
        scope.where(Filing.origin), Filing.state.in_(LIVE_STATES), Filing.filled_on >= start, Filing.filled_on <= end)))
    filed_accounts = set(session.scalars(select(Filing.account_id).distinct().where(Filing.state.in_(LIVE_STATES))))
    ins = session.execute(select(Inspection.account_id, Inspection.result).where(
        scope.where(Inspection.origin), Inspection.level == InspectionLevel.OWN,
        Inspection.inspected_on >= start, Inspection.inspected_on <= end)).all()
    fake_rows = fakes.list_reports(session, scope=scope, since=start, until=end)
    figures = [
        ("政务新媒体账号", f"{len(accounts)} 个（在运行 {len(active)} 个）"),
        ("开设账号的主办单位", f"{len({a.host_unit_id for a in active if a.host_unit_id})} 个"),
        ("关注量合计", f"{sum(a.followers or 0 for a in active):,} 人次（在运行账号登记值）"),
        ("期间新开设", f"{len(opened)} 个"),
        ("期间关停、注销", f"{len(closed)} 个"),
        ("期间整合", f"{len(merged)} 次，关停 {sum(m[2] for m in merged)} 个账号"),
        ("期间办理备案", "、".join(f"{enums.label('filing_kind', k)} {n} 件" for k, n in sorted(filings_in.items()))
         or "0 件"),
        ("期间本级检查", f"{len(ins)} 次，涉及账号 {len({a for a, _r in ins if a})} 个，不合格 "
                     f"{sum(1 for _a, r in ins if r == FAIL)} 次"),
        ("期间发现假冒账号", f"{len(fake_rows)} 个，已办结 {sum(1 for f in fake_rows if f.closed_on)} 个"),
    ]
    groups = Counter((a.host_unit_id, rules.platform_group(a.platform, a.platform_other)) for a in active
                     if a.host_unit_id is not None)
    dup = sum(1 for n in groups.values() if n > 1)
    stale = sum(1 for a in active if a.status == "normal" and
                (a.last_update_on is None or end - a.last_update_on > timedelta(days=14)))
    internal = sum(1 for a in active if units.get(a.host_unit_id, ("", ""))[1] == "internal")
    unfiled = sum(1 for a in active if a.id not in filed_accounts)
    problems = [
        ("一个单位在同一平台开设多个账号", f"{dup} 起"),
        ("以内设机构名义开设", f"{internal} 个"),
        (f"截至{cn_date(end)}两周以上未更新", f"{stale} 个"),
        ("没有备案记录", f"{unfiled} 个"),
    ]
    rows = [r for r in rectify.list_items(session, today, scope=scope)
            if start <= r.inspected_on <= end]
    document = f"《{profile.data.get('document', '')}》（{profile.data.get('document_number', '')}）" \
        if profile.data.get("document") else ""
    data = CensusData(scope, start, end, today, document, by_platform, by_unit_type, opened, closed, merged,
                      figures, problems, rectify.summarize(rows).text, sections=sections_of(profile))
    data.texts = dict(texts or {})
    data.addressee = data.texts.pop("主送", "") or ADDRESSEE
    return data


# --------------------------------------------------------------------------- the clerk's text


_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)?\s*[、.．]?\s*[【\[（(]?\s*(?P<name>[^】\]）)：:]+?)\s*"
                   r"[】\]）)]?\s*[:：]?\s*$")


def parse_text(raw: str, sections: list[str]) -> dict[str, str]:
    """The prose of a report from a text file: each section starts with its heading on a line of its
    own (基本情况 / 一、基本情况 / 【基本情况】 / 基本情况：), or from JSON {"基本情况": "…"}; 主送 may be given."""
    wanted = [*sections, "主送"]
    text = raw.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UserError(f"报告文字不是有效的 JSON：{exc}") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise UserError("报告文字 JSON 应为 {\"基本情况\": \"…\"} 的形式")
        unknown = set(data) - set(wanted)
        if unknown:
            raise UserError(f"报告文字中有未知的部分：{'、'.join(sorted(unknown))}（可选：{'、'.join(wanted)}）")
        return {k: v.strip() for k, v in data.items()}
    out: dict[str, list[str]] = {}
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        m = _HEAD.match(line)
        name = m.group("name").strip() if m else None
        if name in wanted:
            if name in out:
                raise UserError(f"报告文字第 {n} 行：“{name}”出现了两次")
            current = name
            out[current] = []
        elif current is None:
            if line.strip():
                raise UserError(f"报告文字第 {n} 行：应以“{sections[0]}”等标题开头（每个标题单独一行）")
        else:
            out[current].append(line.rstrip())
    return {k: "\n".join(v).strip() for k, v in out.items()}


def template_text(sections: list[str], previous: dict[str, str]) -> str:
    """A text file to edit: each heading, with the previous report's text under it."""
    parts = [f"主送\n{previous.get('主送', ADDRESSEE)}\n"]
    for s in sections:
        if s in FIGURES_ONLY:
            continue
        parts.append(f"{s}\n{previous.get(s, '')}\n")
    return "\n".join(parts)


def previous_texts(session: Session) -> tuple[dict[str, str], date | None]:
    """The prose of this office's last census report (offered for the next one) and its date."""
    row = session.execute(select(CensusReport.sections, CensusReport.written_on).where(CensusReport.origin.is_(None))
                          .order_by(CensusReport.written_on.desc(), CensusReport.id.desc())).first()
    if row is None:
        return {}, None
    try:
        texts = json.loads(row.sections)
    except json.JSONDecodeError:
        texts = {}
    if not isinstance(texts, dict):
        texts = {}
    return {k: v for k, v in texts.items() if isinstance(v, str)}, row.written_on


def save(session: Session, data: CensusData) -> int:
    """Keep the report's text, so the next report can start from it."""
    require(session, Cap.EDIT)  # 经办人 or 管理员 (gzdesk.permissions)
    texts = dict(data.texts)
    if data.addressee != ADDRESSEE:
        texts["主送"] = data.addressee
    row = CensusReport(period_from=data.start, period_to=data.end, written_on=data.written_on,
                       sections=json.dumps(texts, ensure_ascii=False))
    session.add(row)
    session.flush()
    return row.id


# --------------------------------------------------------------------------- output

NUMERALS = "一二三四五六七八九十"


def write(path: str | Path, data: CensusData) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        return _pdf(path, data)
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path, data)
    raise UserError(f"排查摸底报告应写成 .pdf 或 .xlsx：{path.name}")


def _status_row(label: str, counts: dict[str, int]) -> list[object]:
    return [label, sum(counts.values()), *(counts.get(s, 0) for s in STATUSES)]


def _pdf(path: Path, d: CensusData) -> Path:
    from gzdesk.reports.pdf import Doc

    doc = Doc(f"{d.scope.name}{d.title}")
    doc.para(d.scope.name, "issuer")
    doc.para(f"________〔{d.written_on.year}〕____号", "docno")
    doc.red_rule()
    doc.space(4)
    doc.para(d.title, "title")
    doc.para(f"{d.addressee}：", "plain")
    basis = f"根据{d.document}要求，" if d.document else ""
    doc.para(f"{basis}我单位对{d.period_text}本地区、本系统政务新媒体开展了全面排查，摸清底数、查明问题，"
             "并抓好整改落实。现将有关情况报告如下：")
    totals: dict[str, int] = {}
    for _p, c in d.by_platform:
        for k, v in c.items():
            totals[k] = totals.get(k, 0) + v
    for n, section in enumerate(d.sections):
        doc.para(f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、{section}", "h1")
        if section == "开设数量":
            doc.para(f"截至{cn_date(d.end)}，本库登记政务新媒体账号 {d.total} 个，其中在运行 {d.active} 个"
                     f"（正常 {totals.get('normal', 0)} 个、暂停 {totals.get('paused', 0)} 个），已关停 "
                     f"{totals.get('closed', 0)} 个、已注销 {totals.get('cancelled', 0)} 个。期间新开设 {len(d.opened)} 个，"
                     f"关停、注销 {len(d.closed)} 个，整合 {len(d.merged)} 次。按平台、单位类型分列如下：")
            doc.table(["平台", "合计", "正常", "暂停", "关停", "注销"],
                      [_status_row(p, c) for p, c in d.by_platform] + [_status_row("合计", totals)],
                      [44, 22, 22, 22, 22, 22], centred=range(1, 6), shade=[len(d.by_platform) + 1])
            doc.space(2)
            doc.table(["主办单位类型", "账号", "在运行"], [list(r) for r in d.by_unit_type]
                      + [["合计", d.total, d.active]], [70, 40, 40], centred=(1, 2), shade=[len(d.by_unit_type) + 1])
            if d.opened or d.closed:
                doc.space(2)
                doc.table(["变化", "账号", "平台", "主办单位", "日期"],
                          [["新开设", n, p, h, cn_date(day)] for n, p, h, day in d.opened[:40]]
                          + [[k, n, p, h, cn_date(day)] for n, p, h, day, k in d.closed[:40]],
                          [18, 42, 24, 50, 30], centred=(0,))
            continue
        if section == "基本情况":
            doc.table(["项目", "情况"], [list(r) for r in d.figures], [60, 110])
            doc.space(2)
        elif section == "存在问题":
            doc.para("本库检查所见：" + "；".join(f"{w} {v}" for w, v in d.problems) + "。")
        elif section == "整改情况":
            doc.para(f"检查发现问题的整改：{d.rectify_text}。")
        text = d.texts.get(section, "").strip()
        if text:
            for para in [p.strip() for p in text.split("\n") if p.strip()]:
                doc.para(para)
        else:
            doc.para("（未填写）")
    doc.signature([d.scope.name, cn_date(d.written_on)], space_mm=5)
    return doc.write(path)


def _xlsx(path: Path, d: CensusData) -> Path:
    from gzdesk.reports.xlsx import Book

    sub = f"{d.scope.name}　{d.period_text}"
    totals: dict[str, int] = {}
    for _p, c in d.by_platform:
        for k, v in c.items():
            totals[k] = totals.get(k, 0) + v
    with Book(path) as b:
        b.sheet("开设数量", "政务新媒体开设数量（按平台）", sub + "　运行状态为本库当前登记",
                ["平台", "合计", "正常", "暂停", "关停", "注销"],
                [_status_row(p, c) for p, c in d.by_platform] + [_status_row("合计", totals)], [20, 10, 10, 10, 10, 10])
        b.sheet("单位类型", "政务新媒体开设数量（按主办单位类型）", sub, ["主办单位类型", "账号", "在运行"],
                [list(r) for r in d.by_unit_type] + [["合计", d.total, d.active]], [22, 10, 10])
        b.sheet("期间变化", "期间新开设、关停注销、整合", sub, ["变化", "账号", "平台", "主办单位", "日期/备案号", "整合关停数"],
                [["新开设", n, p, h, cn_date(day), ""] for n, p, h, day in d.opened]
                + [[k, n, p, h, cn_date(day), ""] for n, p, h, day, k in d.closed]
                + [["整合", kept, "", "", number, n] for number, kept, n in d.merged], [10, 26, 14, 28, 18, 10])
        b.sheet("基本情况", "基本情况（据本库）", sub, ["项目", "情况"], [list(r) for r in d.figures + d.problems], [30, 60])
        b.text_sheet("报告文字", d.title, [("主送", d.addressee)] + [(s, d.texts.get(s, "")) for s in d.sections
                                                                   if s not in FIGURES_ONLY])
    return path
