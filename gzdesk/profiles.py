"""Policy profiles: each jurisdiction's numbers as data (``gzdesk/resources/profiles/*.json``).

A profile holds the form template, the approval chain, the filing deadline, the 公告 rule, the
backfill window and its policy date, the update frequency and the approved platforms, each with
the article it comes from. An office's database keeps its own copy (setting ``profile``), which it
may edit; ``gzdesk profiles export`` / ``import`` copy one out and back in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gzdesk.errors import UserError
from gzdesk.paths import resources_dir

REQUIRED_KEYS = ("id", "name", "published_on", "form_template", "approval_chain")


@dataclass
class Profile:
    """A policy profile; ``data`` is the whole JSON document, the properties read it."""

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def document(self) -> str:
        number = self.data.get("document_number") or ""
        return f"{self.data.get('document', '')}{('（' + number + '）') if number else ''}"

    @property
    def published_on(self) -> date:
        return date.fromisoformat(self.data["published_on"])

    @property
    def template_id(self) -> str:
        return self.data["form_template"]["id"]

    @property
    def chain(self) -> list[dict[str, str]]:
        return list(self.data["approval_chain"])

    def rule(self, key: str) -> dict[str, Any] | None:
        """A rule entry (with its ``article``) or None when the document has no such rule."""
        value = self.data.get(key)
        return value if isinstance(value, dict) else None

    def cite(self, key: str) -> str | None:
        """'<document>第二十二条 …' for a rule's article, or None when the document has no such rule."""
        rule = self.rule(key)
        if not rule or not rule.get("article"):
            return None
        return f"{self.data.get('document', self.name)}{rule['article']}"

    def workdays(self, key: str) -> int | None:
        r = self.rule(key)
        return r.get("workdays") if r else None

    def article(self, key: str) -> str:
        r = self.rule(key)
        short = self.data.get("short") or self.name.split("（")[0]
        return f"{short}{r['article']}" if r and r.get("article") else ""

    @property
    def approved_platforms(self) -> list[str] | None:
        r = self.rule("approved_platforms")
        return list(r["codes"]) if r else None

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)

    def numbers(self) -> list[tuple[str, str, str]]:
        """(what, value, article) lines for ``gzdesk profiles`` and the settings dialog."""
        out: list[tuple[str, str, str]] = []
        out.append(("备案登记表", self.template_id, self.data["form_template"].get("article", "")))
        out.append(("审批链", " → ".join(s["title"] for s in self.chain), ""))
        for key, what in (("filing_deadline", "备案时限"), ("provincial_filing", "主管单位报送系统时限")):
            r = self.rule(key)
            if r and r.get("workdays"):
                out.append((what, f"{r['workdays']}个工作日", r.get("article", "")))
        a = self.rule("announcement")
        if a:
            text = (f"关停、注销前{a['workdays']}个工作日内发布" if a["mode"] == "before_close"
                    else f"不少于{a['workdays']}个工作日")
            out.append(("停更注销公告", text, a.get("article", "")))
        b = self.rule("backfill")
        if b:
            out.append(("补办备案", f"{b['from']} 起{b['workdays']}个工作日内", b.get("article", "")))
        u = self.rule("update_frequency")
        if u:
            out.append(("更新频率", "除节假日外每天" if u.get("daily") else f"每周不少于{u['per_week']}次",
                        u.get("article", "")))
        o = self.rule("original_content")
        if o:
            out.append(("原创信息", f"每{o['weeks']}周至少1条", o.get("article", "")))
        r = self.rule("reply_within_days")
        if r:
            out.append(("留言回复", f"不超过{r['days']}天", r.get("article", "")))
        p = self.rule("approved_platforms")
        if p:
            from gzdesk.enums import label

            out.append(("核准平台", "、".join(label("platform", c) for c in p["codes"]), p.get("article", "")))
        return out


def validate(data: Any, source: str = "") -> Profile:
    """A Profile from parsed JSON, or a UserError naming what is missing."""
    if not isinstance(data, dict):
        raise UserError(f"策略配置{source}格式不正确：应为 JSON 对象")
    missing = [k for k in REQUIRED_KEYS if k not in data]
    if missing:
        raise UserError(f"策略配置{source}缺少字段：{'、'.join(missing)}")
    try:
        date.fromisoformat(data["published_on"])
    except (TypeError, ValueError):
        raise UserError(f"策略配置{source}的 published_on 不是日期：{data['published_on']}") from None
    if not data["approval_chain"] or not all(isinstance(s, dict) and s.get("title") for s in data["approval_chain"]):
        raise UserError(f"策略配置{source}的审批链（approval_chain）不能为空，每步须有 title")
    return Profile(data)


def bundled_dir() -> Path:
    return resources_dir() / "profiles"


def bundled() -> list[Profile]:
    """The five profiles shipped with the program, one per seed document."""
    order = ["yanhu", "taibai", "yunnan", "nantong", "linyi"]
    found = {}
    for path in sorted(bundled_dir().glob("*.json")):
        p = load_file(path)
        found[p.id] = p
    return [found[k] for k in order if k in found] + [p for k, p in found.items() if k not in order]


def load_file(path: Path) -> Profile:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到策略配置文件“{path}”") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"策略配置文件“{Path(path).name}”不是有效的 JSON：{exc}") from None
    return validate(data, f"“{Path(path).name}”")


def by_id(profile_id: str) -> Profile:
    for p in bundled():
        if p.id == profile_id:
            return p
    ids = "、".join(p.id for p in bundled())
    raise UserError(f"没有编号为“{profile_id}”的策略配置，可选：{ids}")
