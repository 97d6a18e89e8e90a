"""The annual assessment as a printable sheet (南通 附件3 政务新媒体监管工作年度考核指标): the document's
own table — 一级指标, 二级指标, 评分细则, 分值 — with each line's value, points and where the value
came from, the result, and a place to sign. PDF (A4 landscape) or Excel."""

from __future__ import annotations

from pathlib import Path

from gzdesk.assessment import GROUP_LABELS, Assessment
from gzdesk.dates import cn_date
from gzdesk.errors import UserError


def _rows(a: Assessment) -> tuple[list[list[object]], list[tuple], list[int], list[int]]:
    """Table rows: a heading row per 一级指标 (as the document's table groups them), then a row per
    评分细则. Returns rows, SPAN commands, the heading rows and the veto rows hit (1-based)."""
    labels = {"veto": (a.sheet.groups.get("veto") or GROUP_LABELS["veto"]) + "（出现任意一种，即单项否决）",
              "deductions": a.sheet.groups.get("deduction") or GROUP_LABELS["deductions"],
              "bonus": (a.sheet.groups.get("bonus") or GROUP_LABELS["bonus"])
              + ("（扣分指标高于80分方进入加分指标评分环节）" if a.sheet.bonus_above else "")}
    rows: list[list[object]] = []
    spans: list[tuple] = []
    heads: list[int] = []
    hits: list[int] = []
    for group in ("veto", "deductions", "bonus"):
        rows.append([labels[group], "", "", "", "", ""])
        heads.append(len(rows))
        spans.append(((0, len(rows)), (-1, len(rows))))
        scored = not ((group == "bonus" and a.tally.bonus is None) or (group == "deductions" and a.tally.vetoed))
        for it in (i for i in a.items if i.group == group):
            first = len(rows) + 1
            for ln in it.lines:
                rule = (f"{ln.key.split('.')[-1]}. " if "." in ln.key else "") + ln.rule
                if group == "veto":
                    value, pts = ("出现" if ln.value else "未出现"), ("否决" if ln.value else "")
                else:
                    value, pts = str(ln.value), it.points_text(ln, scored)
                source = ln.source + (f"（{ln.note}）" if ln.note else "")
                rows.append([it.name, rule, "否决" if group == "veto" else str(it.cap), value, pts, source])
                if group == "veto" and ln.value:
                    hits.append(len(rows))
            if len(rows) > first:
                spans += [((0, first), (0, len(rows))), ((2, first), (2, len(rows)))]
    return rows, spans, heads, hits


HEADER = ("二级指标", "评分细则", "分值", "本年度情况", "得分", "来源")
WIDTHS_MM = (28, 100, 13, 19, 30, 57)


def write(path: str | Path, a: Assessment) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".pdf":
        return _pdf(path, a)
    if path.suffix.lower() == ".xlsx":
        return _xlsx(path, a)
    raise UserError(f"考核评分表应写成 .pdf 或 .xlsx：{path.name}")


def _title(a: Assessment) -> str:
    return f"{a.scope.name}{a.year}年度{a.sheet.title}评分表"


def _pdf(path: Path, a: Assessment) -> Path:
    from gzdesk.reports.pdf import Doc

    doc = Doc(_title(a), wide=True)
    doc.para(_title(a), "title")
    doc.para(f"依据：{a.sheet.source_note}\n计分日期：{cn_date(a.today)}", "subtitle")
    rows, spans, heads, hits = _rows(a)
    doc.table(HEADER, rows, WIDTHS_MM, centred=(0, 2, 3, 4), spans=spans, shade=heads, red=hits, small=True)
    doc.space(3)
    t = a.tally
    if t.vetoed:
        line = f"考核结果：不合格（单项否决：{'、'.join(t.veto)}），不再对其他指标进行评分。"
    else:
        bonus = (f"加分指标 {t.bonus} 分，最后得分 {t.final} 分" if t.bonus is not None
                 else "未高于80分，不进入加分指标评分环节" if t.deduction_score is not None and t.deduction_score >= 60
                 else "低于60分")
        line = f"考核结果：扣分指标得分 {t.deduction_score} 分；{bonus}；{t.result}。"
    doc.para(line, "plain")
    if a.unknown:
        doc.para(f"本库无从得知、尚未填写的项（按未出现计）：{'、'.join(a.unknown)}。", "small")
    doc.para(a.sheet.explanation, "small")
    if a.sheet.bonus_note:
        doc.para(a.sheet.bonus_note, "small")
    doc.signature([f"被考核单位：{a.scope.name}　考核人（签字）：__________　复核人（签字）：__________"
                   "　______年____月____日"], space_mm=4)
    return doc.write(path)


def _xlsx(path: Path, a: Assessment) -> Path:
    from gzdesk.reports.xlsx import Book

    rows, _spans, _heads, hits = _rows(a)
    with Book(path) as b:
        b.sheet("考核评分", _title(a), f"{a.sheet.source_note}　计分日期：{cn_date(a.today)}　结果：{a.result_text}",
                list(HEADER), rows,
                [16, 60, 8, 10, 14, 50], red_rows=[r - 1 for r in hits])
    return path
