"""Quarters as offices name them: 2026Q4 on the command line, 2026年第四季度 on paper.

按季度组织检查 (南通 第三十二条, 太白 第二十一条); the quarter's 检查整改情况 is due 于下一季度首月5日前
(南通 附件3 抽查检查 1), i.e. by the 5th of January, April, July or October.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from gzdesk.dates import normalize_text
from gzdesk.errors import UserError

CN_NUMBERS = "一二三四"
_CODE = re.compile(r"^(\d{4})\s*[-_/ ]?\s*[Qq]\s*([1-4])$")
_CN = re.compile(r"^(\d{4})\s*年?\s*第?\s*([1-4一二三四])\s*季度?$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    q: int  # 1–4

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{CN_NUMBERS[self.q - 1]}季度"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def report_due(self, day: int = 5) -> date:
        """下一季度首月5日前: the ``day``-th of the first month of the next quarter."""
        return self.next().start.replace(day=day)

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return self.code


def of(d: date) -> Quarter:
    return Quarter(d.year, (d.month - 1) // 3 + 1)


def parse(text: str) -> Quarter:
    """2026Q4, 2026-Q4, 2026q4, 2026年第四季度, 2026年第4季度; anything else a UserError."""
    t = normalize_text(str(text or ""))
    m = _CODE.match(t) or _CN.match(t)
    if not m:
        raise UserError(f"季度格式不正确：“{text}”，请写成 2026Q4")
    year, q = int(m.group(1)), m.group(2)
    q_num = int(q) if q.isdigit() else CN_NUMBERS.index(q) + 1
    if not 2000 <= year <= 2100:
        raise UserError(f"季度的年份不合理：“{text}”")
    return Quarter(year, q_num)


def of_year(year: int) -> list[Quarter]:
    return [Quarter(year, q) for q in (1, 2, 3, 4)]


def report_day(profile) -> int:
    """下一季度首月5日前 (附件3 抽查检查 1); a profile may give its own day."""
    return int((profile.rule("inspection") or {}).get("report_by_day") or 5)
