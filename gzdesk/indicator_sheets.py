"""Indicator sheets as data (``gzdesk/resources/sheets/*.json``) and their scoring, exactly as 指标说明 says.

Two kinds of sheet, both from 南通市政务新媒体管理办法（试行） (通政办发〔2019〕90号):

- **inspection** (附件2 政务新媒体检查指标), one account: any 单项否决 item → 不合格 and no further
  scoring; otherwise 100 minus the deductions, below 60 → 不合格 (60 passes). An item worded
  "扣10分" deducts its points once however often it is found; an item worded "每发现一起，扣5分"
  deducts per case; no item deducts more than its 分值 (the 分值 column, 10 for each item, which
  together make the 扣分指标（100分）);
- **assessment** (附件3 政务新媒体监管工作年度考核指标), one office's supervision work for a year: the
  same veto rule; deductions where a line may have its own 上限 (抽查检查 1: 5 each up to 20;
  集约整合 1 and 2: 5 each up to 10) and "单项指标扣分之和不超过本项指标总分值"; below 60 不合格;
  **only above 80** the bonus items are scored, and the final score is deductions' result + bonus.

A profile names its sheet in ``inspection.sheet``; a profile whose document has no sheet uses the
南通 sheet and every place that shows it says so (``borrowed``): the scoring is that document's,
not the office's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from gzdesk.errors import UserError
from gzdesk.paths import resources_dir

DEFAULT_SHEET = "nantong_2019"
PASS, FAIL = "合格", "不合格"


@dataclass(frozen=True)
class Line:
    """One scoring line (a numbered 评分细则 within an item, or the item's only rule)."""

    rule: str
    n: int | None = None  # 1, 2 … where the item numbers its rules
    flat: int | None = None  # "扣10分": these points once, however many cases
    each: int | None = None  # "每发现一起，扣5分": per case
    cap: int | None = None  # a line's own 上限 (附件3 抽查检查 1 …)
    choices: tuple[int, ...] = ()  # points given directly, one of these (附件3 检查比例: 10 or 5)
    compute: str | None = None  # what the registry can count for it (see gzdesk.assessment)

    def points_for(self, value: int) -> int:
        """Points for ``value`` cases (or, for a line with choices, the points chosen)."""
        if value <= 0:
            return 0
        if self.choices:
            return value if value in self.choices else 0
        if self.flat is not None:
            pts = self.flat
        else:
            pts = value * (self.each or 0)
        return min(pts, self.cap) if self.cap is not None else pts

    @property
    def key_suffix(self) -> str:
        return f".{self.n}" if self.n is not None else ""


@dataclass(frozen=True)
class Item:
    """One 二级指标: its name (the document's own text), lines and 分值 (the cap of its deductions)."""

    name: str
    lines: tuple[Line, ...]
    points: int | None = None  # 分值; None for veto items
    prefill: dict[str, int | None] = field(default_factory=dict)  # rule code → line number (None: the item)

    def line(self, n: int | None) -> Line:
        for ln in self.lines:
            if ln.n == n or (n is None and len(self.lines) == 1):
                return ln
        raise UserError(f"“{self.name}”没有第{n}项评分细则")

    def score(self, values: dict[int | None, int]) -> int:
        """Points of the item for {line number: value}, capped at the item's 分值."""
        total = sum(ln.points_for(values.get(ln.n, 0)) for ln in self.lines)
        return min(total, self.points) if self.points is not None else total


@dataclass(frozen=True)
class Sheet:
    id: str
    kind: str  # inspection / assessment
    title: str
    document: str
    document_number: str
    article: str
    total: int
    pass_mark: int
    veto: tuple[Item, ...]
    deductions: tuple[Item, ...]
    bonus: tuple[Item, ...] = ()
    bonus_above: int | None = None
    bonus_total: int | None = None
    explanation: str = ""
    groups: dict[str, str] = field(default_factory=dict)
    bonus_note: str = ""
    borrowed: bool = False  # used for a profile whose own document has no such sheet

    @property
    def source(self) -> str:
        """南通市政务新媒体管理办法（试行）（通政办发〔2019〕90号）附件2《政务新媒体检查指标》"""
        return f"{self.document}（{self.document_number}）{self.article}《{self.title}》"

    @property
    def source_note(self) -> str:
        if self.borrowed:
            return f"本单位制度未附{self.title}，参照{self.source}"
        return self.source

    def items(self) -> tuple[Item, ...]:
        return self.veto + self.deductions + self.bonus

    def item(self, name: str, groups: tuple[str, ...] = ("veto", "deductions", "bonus")) -> Item:
        """The item called ``name`` (the document's 二级指标 text; spaces and full-width forms ignored)."""
        wanted = normalize_name(name)
        for group in groups:
            for it in getattr(self, group):
                if normalize_name(it.name) == wanted:
                    return it
        names = "、".join(it.name for g in groups for it in getattr(self, g))
        raise UserError(f"《{self.title}》中没有二级指标“{name}”，可选：{names}")

    def result_of(self, score: int | None) -> str:
        """不合格 below the pass mark (the pass mark itself passes); None (vetoed) is 不合格."""
        return FAIL if score is None or score < self.pass_mark else PASS


def normalize_name(text: str) -> str:
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", text or "").split())


# --------------------------------------------------------------------------- loading


def _line(raw: dict[str, Any], where: str) -> Line:
    if not isinstance(raw, dict) or not isinstance(raw.get("rule"), str):
        raise UserError(f"指标表{where}的评分细则格式不正确")
    ints = {}
    for key in ("n", "flat", "each", "cap"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise UserError(f"指标表{where}的 {key} 应为非负整数")
        ints[key] = value
    choices = raw.get("choices") or []
    if not all(isinstance(c, int) and c > 0 for c in choices):
        raise UserError(f"指标表{where}的 choices 应为正整数")
    return Line(raw["rule"], ints["n"], ints["flat"], ints["each"], ints["cap"], tuple(choices), raw.get("compute"))


def _item(raw: dict[str, Any], group: str, where: str) -> Item:
    if not isinstance(raw, dict) or not raw.get("name"):
        raise UserError(f"指标表{where}缺少二级指标名称")
    name = raw["name"]
    if "lines" in raw:
        lines = tuple(_line(ln, f"{where}“{name}”") for ln in raw["lines"])
    elif "rules" in raw:  # a veto item's numbered rules (附件2)
        lines = tuple(Line(str(r), i + 1) for i, r in enumerate(raw["rules"]))
    else:
        lines = (_line(raw, f"{where}“{name}”"),)
    if not lines:
        raise UserError(f"指标表{where}“{name}”没有评分细则")
    points = raw.get("points")
    if group != "veto" and (not isinstance(points, int) or points <= 0):
        raise UserError(f"指标表{where}“{name}”缺少分值")
    if group != "veto" and not all(ln.flat is not None or ln.each is not None or ln.choices for ln in lines):
        raise UserError(f"指标表{where}“{name}”的评分方式不明")
    prefill: dict[str, int | None] = {}
    raw_prefill = raw.get("prefill") or {}
    if isinstance(raw_prefill, list):
        prefill = {code: None for code in raw_prefill}
    elif isinstance(raw_prefill, dict):
        prefill = {code: n for code, n in raw_prefill.items()}
    return Item(name, lines, points if group != "veto" else None, prefill)


def validate(data: Any, source: str = "") -> Sheet:
    """A Sheet from parsed JSON, or a UserError naming what is wrong."""
    if not isinstance(data, dict):
        raise UserError(f"指标表{source}格式不正确：应为 JSON 对象")
    missing = [k for k in ("id", "kind", "title", "total", "pass_mark", "veto", "deductions") if k not in data]
    if missing:
        raise UserError(f"指标表{source}缺少字段：{'、'.join(missing)}")
    if data["kind"] not in ("inspection", "assessment"):
        raise UserError(f"指标表{source}的 kind 应为 inspection 或 assessment")
    groups = {g: tuple(_item(it, g, source) for it in data.get(g) or []) for g in ("veto", "deductions", "bonus")}
    sheet = Sheet(
        id=data["id"], kind=data["kind"], title=data["title"], document=data.get("document", ""),
        document_number=data.get("document_number", ""), article=data.get("article", ""),
        total=int(data["total"]), pass_mark=int(data["pass_mark"]), veto=groups["veto"],
        deductions=groups["deductions"], bonus=groups["bonus"], bonus_above=data.get("bonus_above"),
        bonus_total=data.get("bonus_total"), explanation=data.get("explanation", ""),
        groups={g: data.get(f"{g}_group", "") for g in ("veto", "deduction", "bonus")},
        bonus_note=data.get("bonus_note", ""))
    names = [normalize_name(it.name) for it in sheet.items()]
    if len(names) != len(set(names)):
        raise UserError(f"指标表{source}有重名的二级指标")
    if sum(it.points or 0 for it in sheet.deductions) != sheet.total:
        raise UserError(f"指标表{source}扣分指标分值之和不等于总分 {sheet.total}")
    return sheet


@lru_cache(maxsize=16)
def _bundled(sheet_id: str, kind: str) -> Sheet:
    path = resources_dir() / "sheets" / f"{sheet_id}_{kind}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到指标表“{sheet_id}”（{kind}）") from None
    return validate(data, f"“{path.name}”")


def for_profile(profile, kind: str = "inspection") -> Sheet:
    """The sheet of ``kind`` the profile names, or the 南通 sheet marked as borrowed."""
    rule = profile.rule("inspection") if profile is not None else None
    sheet_id = (rule or {}).get("sheet")
    if sheet_id:
        return _bundled(sheet_id, kind)
    from dataclasses import replace

    return replace(_bundled(DEFAULT_SHEET, kind), borrowed=True)


def by_id(sheet_id: str, kind: str = "inspection") -> Sheet:
    return _bundled(sheet_id, kind)
