"""The shape of a policy profile, checked in full before a profile is used.

A profile comes from outside (an office edits an exported copy and imports it, or a hand-edited
database holds one), so every key is checked: its type, its range, the values it may take, and
that nothing unknown is there (a misspelt ``anouncement`` would otherwise silently switch a rule
off). A refusal names the field, e.g. ``announcement.mode``.

Adding a rule to the profiles is adding its entry to ``RULES`` (and reading it where it is used).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from gzdesk.enums import FilingKind, Platform

ARTICLE_RE = re.compile(r"^(第[一二三四五六七八九十百]+条|附件\d|[一二三四五六七八九十]+(（[一二三四五六七八九十]+）)?|备案登记表)"
                        r"(?=\s|$|、)")
KINDS = {str(k) for k in FilingKind}
PLATFORMS = {str(p) for p in Platform}


class ProfileError(ValueError):
    """A profile field that is missing or wrong; ``field`` is its dotted path."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}：{message}" if field else message)
        self.field = field
        self.message = message


# ----------------------------------------------------------------------------- field checks


def _str(v: Any, f: str, *, empty: bool = False) -> str:
    if not isinstance(v, str) or (not empty and not v.strip()):
        raise ProfileError(f, "应为文字" if isinstance(v, str) or v is None else f"应为文字，收到 {v!r}")
    return v


def _int(v: Any, f: str, lo: int = 1, hi: int = 366) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
        raise ProfileError(f, f"应为 {lo}–{hi} 之间的整数，收到 {v!r}")
    return v


def _bool(v: Any, f: str) -> bool:
    if not isinstance(v, bool):
        raise ProfileError(f, f"应为 true 或 false，收到 {v!r}")
    return v


def _date(v: Any, f: str) -> date:
    try:
        return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise ProfileError(f, f"应为日期（如 2019-08-03），收到 {v!r}") from None


def _article(v: Any, f: str) -> str:
    """An article reference: 第十七条 …, 附件1, 三（一） (临沂's numbering), optionally with a quote."""
    text = _str(v, f)
    if not ARTICLE_RE.match(text):
        raise ProfileError(f, f"应以条款号开头（如“第十七条”“附件1”“三（一）”），收到“{text}”")
    return text


def _kinds(v: Any, f: str) -> list[str]:
    if not isinstance(v, list) or not v or not all(isinstance(k, str) for k in v):
        raise ProfileError(f, f"应为备案事由的列表（{'、'.join(sorted(KINDS))}），收到 {v!r}")
    bad = [k for k in v if k not in KINDS]
    if bad:
        raise ProfileError(f, f"未知备案事由“{'、'.join(bad)}”，可选：{'、'.join(sorted(KINDS))}")
    return v


def _strings(v: Any, f: str) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise ProfileError(f, f"应为文字的列表，收到 {v!r}")
    return v


def _steps(v: Any, f: str) -> list[list[str]]:
    """[[code, the document's words], …] — the steps of a procedure, in order."""
    if (not isinstance(v, list) or not v
            or not all(isinstance(x, list) and len(x) == 2 and all(isinstance(y, str) and y.strip() for y in x)
                       for x in v)):
        raise ProfileError(f, f"应为步骤的列表，每步为 [代码, 文件中的说法]，收到 {v!r}")
    return v


# Each rule: {key: (check, required)}; every rule entry may also be null (the document has no such rule).
OPTIONAL = False
REQUIRED = True
ARTICLE_ONLY = {"article": (_article, REQUIRED)}

RULES: dict[str, dict[str, tuple[Any, bool]]] = {
    "supervisor": {"name": (_str, REQUIRED), "article": (_article, REQUIRED)},
    "approval_before_opening": {"required": (_bool, REQUIRED), "article": (_article, REQUIRED)},
    # 盐湖 第十一条 / 云南 第十八条 / 南通 第十六条: 本单位会议研究（集体研究）或主要领导签字确认（同意）
    "change_needs_meeting_or_head": {"required": (_bool, REQUIRED), "kinds": (_kinds, OPTIONAL),
                                     "article": (_article, REQUIRED)},
    # 云南 第十二条: 以单位名义开办的，须经单位集体研究和主要领导同意 (both)
    "opening_needs_meeting_and_head": {"required": (_bool, REQUIRED), "article": (_article, REQUIRED)},
    "filing_deadline": {"workdays": (_int, REQUIRED), "article": (_article, REQUIRED)},
    "provincial_filing": {"workdays": (lambda v, f: None if v is None else _int(v, f), REQUIRED),
                          "article": (_article, REQUIRED)},
    "announcement": {"mode": (lambda v, f: _choice(v, f, ("min_period", "before_close")), REQUIRED),
                     "workdays": (_int, REQUIRED), "kinds": (_kinds, OPTIONAL), "article": (_article, REQUIRED)},
    "backfill": {"workdays": (_int, REQUIRED), "from": (_date, REQUIRED), "article": (_article, REQUIRED)},
    "update_frequency": {"per_week": (lambda v, f: _int(v, f, 1, 7), REQUIRED), "daily": (_bool, REQUIRED),
                         "article": (_article, REQUIRED)},
    "original_content": {"weeks": (lambda v, f: _int(v, f, 1, 52), REQUIRED), "article": (_article, REQUIRED)},
    "reply_within_days": {"days": (lambda v, f: _int(v, f, 1, 30), REQUIRED), "article": (_article, REQUIRED)},
    "objection": {"workdays": (lambda v, f: _int(v, f, 1, 60), REQUIRED),
                  "max_workdays": (lambda v, f: _int(v, f, 1, 120), REQUIRED), "article": (_article, REQUIRED)},
    "one_account_per_platform": ARTICLE_ONLY,
    "no_internal_units": ARTICLE_ONLY,
    "names": ARTICLE_ONLY,
    "verification_names_host": ARTICLE_ONLY,
    "verification": ARTICLE_ONLY,  # 未通过认证 (云南 第十五条 实名认证)
    "place_name_consent": ARTICLE_ONLY,
    "training_required": ARTICLE_ONLY,
    "departure_password_change": ARTICLE_ONLY,
    "responsible_person": ARTICLE_ONLY,
    # an office's own list (no document lists platforms): never an article
    "approved_platforms": {"source": (lambda v, f: _choice(v, f, ("office",)), REQUIRED),
                           "codes": (lambda v, f: _platforms(v, f), REQUIRED), "others": (_strings, OPTIONAL),
                           "note": (_str, OPTIONAL)},
    "inspection": {"quarterly": (_bool, REQUIRED), "sheet": (lambda v, f: None if v is None else _str(v, f), REQUIRED),
                   "rectify_days": (lambda v, f: _int(v, f, 1, 90), OPTIONAL),
                   "report_by_day": (lambda v, f: _int(v, f, 1, 31), OPTIONAL), "article": (_article, REQUIRED)},
    "census_report": {"sections": (_strings, REQUIRED), "article": (_article, REQUIRED)},
    # 假冒政务新媒体 (盐湖25, 太白20, 云南41, 南通30, 临沂四（二）): the steps the document names
    "fake_accounts": {"article": (_article, REQUIRED), "steps": (_steps, REQUIRED)},
}
TOP = {"id", "name", "province", "document", "document_number", "published_on", "seed", "short",
       "form_template", "approval_chain", *RULES}


def _choice(v: Any, f: str, options: tuple[str, ...]) -> str:
    if v not in options:
        raise ProfileError(f, f"应为 {' / '.join(options)} 之一，收到 {v!r}")
    return v


def _platforms(v: Any, f: str) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ProfileError(f, f"应为平台代码的列表，收到 {v!r}")
    bad = [x for x in v if x not in PLATFORMS]
    if bad:
        raise ProfileError(f, f"未知平台代码“{'、'.join(bad)}”，可选：{'、'.join(sorted(PLATFORMS))}")
    return v


def _entry(value: Any, field: str, spec: dict[str, tuple[Any, bool]]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise ProfileError(field, f"应为对象或 null，收到 {value!r}")
    unknown = sorted(set(value) - set(spec))
    if unknown:
        hint = "（核准平台名单是本单位自定的，不引用条款）" if field == "approved_platforms" and "article" in unknown else ""
        raise ProfileError(f"{field}.{unknown[0]}", f"未知字段{hint}，可用：{'、'.join(spec)}")
    for key, (check, required) in spec.items():
        if key not in value:
            if required:
                raise ProfileError(f"{field}.{key}", "缺少此字段")
            continue
        check(value[key], f"{field}.{key}")


def check(data: Any) -> None:
    """Raise ProfileError naming the first field that is missing or wrong."""
    if not isinstance(data, dict):
        raise ProfileError("", "应为 JSON 对象")
    for key in ("id", "name", "document", "published_on", "form_template", "approval_chain"):
        if key not in data:
            raise ProfileError(key, "缺少此字段")
    unknown = sorted(set(data) - TOP)
    if unknown:
        raise ProfileError(unknown[0], "未知字段（拼写是否有误？）")
    if not isinstance(data["id"], str) or not re.fullmatch(r"[A-Za-z0-9_\-]{1,60}", data["id"]):
        raise ProfileError("id", f"应为字母、数字、下划线或短横组成的编号，收到 {data['id']!r}")
    _str(data["name"], "name")
    _str(data["document"], "document")
    for key in ("province", "document_number", "seed", "short"):
        if key in data:
            _str(data[key], key, empty=True)
    _date(data["published_on"], "published_on")
    form = data["form_template"]
    _entry(form, "form_template", {"id": (_str, REQUIRED), "article": (_article, REQUIRED), "title": (_str, OPTIONAL),
                                   "note": (_str, OPTIONAL)})
    if form is None:
        raise ProfileError("form_template", "不能为空")
    chain = data["approval_chain"]
    if not isinstance(chain, list) or not chain:
        raise ProfileError("approval_chain", "审批链不能为空")
    titles: set[str] = set()
    for i, step in enumerate(chain):
        where = f"approval_chain[{i + 1}]"
        _entry(step, where, {"title": (_str, REQUIRED), "signer_label": (_str, REQUIRED), "article": (_article, OPTIONAL)})
        if step is None:
            raise ProfileError(where, "不能为空")
        if step["title"] in titles:
            raise ProfileError(f"{where}.title", f"意见标题“{step['title']}”重复")
        titles.add(step["title"])
    for key, spec in RULES.items():
        _entry(data.get(key), key, spec)
    objection = data.get("objection")
    if objection and objection["max_workdays"] < objection["workdays"]:
        raise ProfileError("objection.max_workdays", "延长后的总时限不能短于处理时限")
    a = data.get("announcement")
    if a and a.get("mode") == "before_close" and set(a.get("kinds") or ["close", "cancel"]) - {"close", "cancel"}:
        raise ProfileError("announcement.kinds", "“关停、注销前”公告只适用于关停、注销")
