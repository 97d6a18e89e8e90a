"""Field checks shared by the editors, the importer and the command line (messages in Chinese)."""

from __future__ import annotations

import re

from gzdesk.dates import normalize_text

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MASKED_MOBILE_RE = re.compile(r"^1[3-9]\d\*{4}\d{4}$")
LANDLINE_RE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
SERVICE_RE = re.compile(r"^(400|800)-?\d{3}-?\d{4}$|^1\d{4}$")
URL_RE = re.compile(r"^(https?://)[^\s/$.?#][^\s]*$", re.IGNORECASE)


def clean_phone(text: str | None) -> str:
    t = normalize_text(text or "")
    return re.sub(r"[\s（）()]", "", t).replace("－", "-").replace("—", "-")


def phone_problem(text: str | None, *, mobile_only: bool = False) -> str | None:
    """None if empty or valid; else the problem. Several numbers may be separated by 、 , ; /."""
    t = clean_phone(text)
    if not t:
        return None
    for part in re.split(r"[、,，;；/]", t):
        if not part:
            continue
        if MOBILE_RE.match(part) or MASKED_MOBILE_RE.match(part):
            continue
        if not mobile_only and (LANDLINE_RE.match(part) or SERVICE_RE.match(part)):
            continue
        kind = "手机号码" if mobile_only else "电话号码"
        return f"{kind}“{part}”格式不正确（手机 11 位，座机如 0359-2021234）"
    return None


def url_problem(text: str | None) -> str | None:
    t = (text or "").strip()
    if not t:
        return None
    if not URL_RE.match(t):
        return f"链接“{t}”格式不正确，应以 http:// 或 https:// 开头"
    return None


# The one list of yes/no answers, for the Excel import, a 变更 typed on the command line and
# anything else that reads 是/否 from a person (ticks and crosses as offices mark them in tables).
YES_WORDS = frozenset({"是", "有", "已认证", "已取得", "通过", "已通过", "y", "yes", "true", "1", "√", "✓", "✔", "☑"})
NO_WORDS = frozenset({"否", "无", "未认证", "未取得", "未通过", "n", "no", "false", "0", "×", "✗", "✘", "☐"})


def read_yes_no(text: object) -> bool | None:
    """True / False for a yes/no answer as a person writes it (full-width folded, any case); None
    when it is neither."""
    t = normalize_text(str(text)).lower()
    if t in YES_WORDS:
        return True
    if t in NO_WORDS:
        return False
    return None
