"""脱敏: the phone numbers in a copy that leaves the office (云南 第三十条), every one of them.

One function masks text (``mask_text``); the export uses it on every cell of a masked copy —
phone columns, leaders' and people's text, notes, 简介, the approval summary — and on every
string inside the JSON columns (the frozen account data of a filing, its steps). What is masked:

- mobiles: 13812345678, 138-1234-5678, 138 1234 5678, +86 138 1234 5678, 008613812345678;
- landlines with an area code: 0359-2021234, 0359 2021234, 03592021234, (0513)85012345,
  （0513）85012345, +86-513-85012345, with an extension (-801, 转801);
- 400/800 service numbers: 400-123-4567;
- local numbers without an area code (7 or 8 digits from 2–9) right after 电话/手机/座机/传真/
  热线/号码/Tel or listed after a masked number (0359-2021234、2021235), and every run of 7 or
  more digits in a phone column (a phone column holds phones);
- full-width digits (１３８…) like ASCII ones.

A number keeps its first three digits (a mobile, a service number) or its area code, and its
last four; the digits between become ``*``; separators stay. So 13812345678、13900004321 becomes
138****5678、139****4321.

``masked_copy_of(new, old)`` tells the importer that a cell of a masked copy is the stored value
with its numbers masked, so re-importing a 脱敏 copy never overwrites a real number with stars.
"""

from __future__ import annotations

import json
import re
from typing import Any

_ASCII_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)}  # full-width digits, one for one
_SEP = "[-－—‐ \u3000]?"
_CC = "(?:(?:[+＋]|00)86" + _SEP + ")"
_NB, _NA = "(?<![0-9])", "(?![0-9])"

PHONE_RE = re.compile(_NB + "(?:"
                      f"(?P<mobile>(?:(?:[+＋]|00)?86{_SEP})?1[3-9][0-9](?:{_SEP}[0-9]{{4}}){{2}})"
                      f"|(?P<intl>{_CC}[1-9][0-9]{{1,2}}{_SEP}[0-9]{{7,8}})"
                      f"|(?P<landline>(?:[(（]0?[0-9]{{2,3}}[)）]|0[0-9]{{2,3}}){_SEP}[0-9]{{7,8}})"
                      f"(?P<ext>(?:[-－]|转)[0-9]{{1,6}})?"
                      f"|(?P<service>[48]00{_SEP}[0-9]{{3}}{_SEP}[0-9]{{4}})"
                      ")" + _NA)
_CUES = ("电话", "手机", "座机", "传真", "热线", "号码", "tel", "Tel", "TEL")
CUED_LOCAL_RE = re.compile(f"(?:电话|手机|座机|传真|热线|号码|[Tt][Ee][Ll])[^0-9]{{0,6}}?({_NB}[2-9][0-9]{{6,7}}){_NA}")
# A local number listed right after a masked one: 0359-***1234、2021235
FOLLOWING_RE = re.compile(r"(?<=\*[0-9]{4})(?:[、,，;；/ ]|或)([2-9][0-9]{6,7})(?![0-9])")
DIGIT_RUN_RE = re.compile(r"(?<![0-9*])[0-9](?:[-－ ]?[0-9]){6,}(?![0-9*])")
_COUNTRY = re.compile(r"(?:[+＋]|00)?86[-－—‐ \u3000]?(?=1[3-9])|(?:[+＋]|00)86[-－—‐ \u3000]?")
_AREA = re.compile(r"[(（]?0?[0-9]{2,3}[)）]?|[0-9]{1,3}")
_STARS = re.compile(r"\*+")


_FULL_WIDTH = re.compile("[０-９]")


def _ascii(text: str) -> str:
    """Full-width digits as ASCII ones, one for one (positions unchanged)."""
    return text.translate(_ASCII_DIGITS) if _FULL_WIDTH.search(text) else text


def _hide(t: str, start: int, end: int, keep_head: int, hidden: set[int], keep_tail: int = 4) -> None:
    """Mark the digits of t[start:end] between the first ``keep_head`` and the last ``keep_tail``."""
    positions = [i for i in range(start, end) if t[i].isdigit()]
    inner = positions[keep_head:len(positions) - keep_tail]
    if not inner:  # too short to keep both ends: all but the last four
        inner = positions[:max(len(positions) - keep_tail, 0)]
    hidden.update(inner)


# Where a number may be: a digit (or + or a bracket before one) and what a phone number can hold.
# PHONE_RE, which starts with a look-behind, is slow to scan a whole text; runs of this are fast.
_CANDIDATE = re.compile("[+＋(（]?[0-9][0-9()（）+＋转#\\-－—‐ \u3000]{5,}")


def _phone_matches(t: str):
    for c in _CANDIDATE.finditer(t):
        yield from PHONE_RE.finditer(t, c.start(), c.end())


def _phone_positions(t: str, hidden: set[int]) -> None:
    for m in _phone_matches(t):
        start, end = m.span()
        cc = _COUNTRY.match(t, start)
        if cc and (m.group("mobile") or m.group("intl")):
            start = cc.end()
        if m.group("ext"):
            end = m.start("ext")
        if m.group("mobile") or m.group("service"):
            _hide(t, start, end, 3, hidden)
            continue
        area = _AREA.match(t, start)
        _hide(t, start, end, sum(ch.isdigit() for ch in area.group()) if area else 0, hidden)
    if any(w in t for w in _CUES):
        for m in CUED_LOCAL_RE.finditer(t):
            _hide(t, m.start(1), m.end(1), 0, hidden)
    while hidden:  # a list of numbers after one that is masked
        before = len(hidden)
        masked = _apply(t, hidden)
        for m in FOLLOWING_RE.finditer(masked):
            _hide(masked, m.start(1), m.end(1), 0, hidden)
        if len(hidden) == before:
            return


def _apply(text: str, hidden: set[int]) -> str:
    if not hidden:
        return text
    out = list(text)
    for i in hidden:
        out[i] = "*"
    return "".join(out)


_THREE_DIGITS = re.compile("[0-9０-９]{3}")  # every number masked here has a run of three digits


def mask_text(text: str | None) -> str | None:
    """Every phone-like number in ``text`` masked (see the module's docstring)."""
    if not text or not _THREE_DIGITS.search(text):
        return text
    hidden: set[int] = set()
    _phone_positions(_ascii(text), hidden)
    return _apply(text, hidden)


def mask_phone_field(text: str | None) -> str | None:
    """A phone column: ``mask_text``, and any other run of 7 or more digits (a local number)."""
    if not text:
        return text
    t = _ascii(text)
    hidden: set[int] = set()
    _phone_positions(t, hidden)
    masked = _apply(t, hidden)
    for m in DIGIT_RUN_RE.finditer(masked):
        _hide(masked, m.start(), m.end(), 0, hidden)
    return _apply(text, hidden)


def _mask_value(value: Any, key: str = "") -> Any:
    """Strings masked as text; under a key that names a phone (host_phone, mobile…) as a phone column."""
    if isinstance(value, str):
        return mask_phone_field(value) if ("phone" in key or "mobile" in key) else mask_text(value)
    if isinstance(value, list):
        return [_mask_value(v, key) for v in value]
    if isinstance(value, dict):
        return {k: _mask_value(v, str(k).lower()) for k, v in value.items()}
    return value


def mask_json(text: str | None) -> str | None:
    """Every string inside a JSON document masked; text that is not JSON is masked as text."""
    if not text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return mask_phone_field(text)
    return json.dumps(_mask_value(data), ensure_ascii=False)


def masked_copy_of(new: str, old: str) -> bool:
    """Is ``new`` (from a 脱敏 copy) ``old`` with some digits replaced by ``*``?  Masks of any
    length stand for any digits and separators, so copies made by older versions count too."""
    if "*" not in new or not isinstance(old, str) or "*" in old:
        return False
    parts = _STARS.split(new)
    pattern = "[0-9０-９\\-－—‐ \u3000()（）+＋]+?".join(re.escape(p) for p in parts)
    return re.fullmatch(pattern, old) is not None
