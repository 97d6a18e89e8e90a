"""Which account names carry a place or agency name (云南 第十六条).

第十六条: 账号名称中凡含有行政区划地名或国家行政机关单位名称（含全称或规范化简称）中文文字、汉语拼音或
英文的，须经同级政府同意，报同级政务新媒体主管单位备案.

The place names are taken from the registry's own units — every 单位 is named after its place
(运城市盐湖区人民政府办公室 gives 运城市/运城 and 盐湖区/盐湖) — and from any "…省/市/县/区/镇/乡/街道"
in the name itself with a stem of two characters or more; agency names from the words that name an
organ of government (人民政府, 局, 委员会 …). A name with Latin letters may spell a place in pinyin
or English, which no word list can tell: it is reported for the clerk to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DIVISION = re.compile(r"([\u4e00-\u9fff]{2,8}?)(特别行政区|自治区|自治州|自治县|省|市|州|县|区|旗|盟|镇|乡|街道)")
AGENCY_WORDS = ("人民政府", "政府", "管委会", "委员会", "办公室", "公安局", "公安", "法院", "检察院", "局", "厅")


def place_names(unit_names: Iterable[str]) -> set[str]:
    """Place names in the registry's unit names: the full name (盐湖区) and its stem (盐湖)."""
    out: set[str] = set()
    for name in unit_names:
        for m in DIVISION.finditer(name or ""):
            out.add(m.group(0))
            out.add(m.group(1))
    return out


def consent_words(name: str, places: set[str]) -> list[str]:
    """The place and agency names an account name contains (longest first, none inside another)."""
    found: list[str] = []
    text = name or ""
    candidates = {p for p in places if len(p) >= 2 and p in text}
    candidates |= {m.group(0) for m in DIVISION.finditer(text)}
    for word in sorted(candidates, key=len, reverse=True):
        if not any(word in longer for longer in found):
            found.append(word)
    for word in AGENCY_WORDS:
        if word in text and not any(word in longer for longer in found):
            found.append(word)
    if re.search(r"[A-Za-z]{3,}", text):  # 汉语拼音或英文: cannot tell a place from a word; the clerk checks
        found.append("拼音或英文（请核实是否为地名或机关名称）")
    return found
