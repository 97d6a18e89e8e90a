"""Dates as Chinese offices write them: parse the usual spellings, print 2026年11月22日."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

_SEP_RE = re.compile(r"^\s*(\d{4})\s*[年./\-_]\s*(\d{1,2})\s*[月./\-_]\s*(\d{1,2})\s*日?\s*$")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_EXCEL_EPOCH = date(1899, 12, 30)
# Dates the registry keeps: nothing it records is older than 1900 or later than 2099. Typed dates
# outside are refused here, stored ones are read as unknown (``gzdesk.models.types.read_date``), so
# no deadline is ever counted from year 1 or into year 9999 (where date arithmetic overflows).
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)


def normalize_text(text: str) -> str:
    """Full-width letters, digits and spaces to half-width (NFKC), ideographic space to space, trimmed."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ").strip()


def parse_date(value: object) -> date | None:
    """A date from 2019-03-12, 2019年3月12日, 2019.3.12, 2019/3/12, 20190312, an Excel serial
    number, or a date/datetime. Blank gives None; anything else raises ValueError."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(f"无法识别的日期：{value}")
    text = normalize_text(str(value))
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{1,2}-\d{1,2} \d", text) else text
    m = _SEP_RE.match(text) or _COMPACT_RE.match(text)
    if not m:
        raise ValueError(f"无法识别的日期：{value}")
    y, mo, d = (int(g) for g in m.groups())
    try:
        day = date(y, mo, d)
    except ValueError:
        raise ValueError(f"不存在的日期：{value}") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(f"日期超出 {DATE_MIN.year}—{DATE_MAX.year} 年的范围：{value}")
    return day


def parse_iso(text: str) -> date:
    """A date given on the command line: ISO (2025-09-30) or any spelling ``parse_date`` reads."""
    try:
        d = parse_date(text)
    except ValueError:
        d = None
    if d is None:
        raise ValueError(f"日期格式不正确：“{text}”，请写成 2026-11-22")
    return d


def cn_date(d: date | None, provisional: bool = False) -> str:
    """2026年11月22日 (with 〔预估〕 when the date rests on an estimated calendar)."""
    if d is None:
        return ""
    text = f"{d.year}年{d.month}月{d.day}日"
    return text + "（预估）" if provisional else text
