"""Policy profiles: each jurisdiction's numbers as data (``gzdesk/resources/profiles/*.json``).

A profile holds the form template (and the title its document gives the form), the approval
chain, the filing deadline, the 公告 rule, the backfill window and its policy date, the update
frequency and the other rules, each with the article it comes from — quoted exactly, so that
``tests/test_profile_citations.py`` can find the quotation in the document. The list of approved
platforms is the office's own choice (no document lists platforms) and cites no article.

An office's database keeps its own copy (setting ``profile``), which it may edit; ``gzdesk
profiles export`` / ``import`` copy one out and back in. Every profile is checked in full
(``gzdesk.profile_schema``) when it is loaded: bundled, imported, or read from the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gzdesk import profile_schema
from gzdesk.errors import UserError
from gzdesk.paths import resources_dir

OFFICE_LIST = "本单位自定名单（文件未列出核准平台）"
# Rules that are an article and nothing else: (key, what, what it requires) for ``numbers()``
RULE_LINES = (
    ("supervisor", "主管单位", "备案报主管单位"),
    ("approval_before_opening", "开设审批", "开设前报请审批"),
    ("one_account_per_platform", "账号数量", "一个单位在同一平台原则上只开设一个账号"),
    ("no_internal_units", "开设主体", "不得以内设机构名义开设"),
    ("names", "账号名称", "各平台名称原则上一致"),
    ("verification_names_host", "认证信息", "公开认证信息中标明主办单位名称"),
    ("responsible_person", "专人负责", "管理队伍中须有在岗的负责人员"),
    ("training_required", "人员培训", "经培训后方可上岗"),
    ("departure_password_change", "离职人员", "离职后更改密码、收回设备"),
)


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
    def form_title(self) -> str | None:
        """The title the document gives its form (云南 第十七条 《云南省政务新媒体备案登记表》), if any."""
        return self.data["form_template"].get("title")

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

    def cite_article(self, key: str) -> str:
        """'南通市政务新媒体管理办法（试行）第十五条': the document and the article's number alone
        (its first word), as 待办 and the checks cite it; the document alone for a rule without one."""
        rule = self.rule(key)
        if not rule or not rule.get("article"):
            return self.data.get("document", "")
        return f"{self.data.get('document', '')}{str(rule['article']).split()[0]}"

    def workdays(self, key: str) -> int | None:
        r = self.rule(key)
        return r.get("workdays") if r else None

    def article(self, key: str) -> str:
        r = self.rule(key)
        short = self.data.get("short") or self.name.split("（")[0]
        return f"{short}{r['article']}" if r and r.get("article") else ""

    @property
    def approved_platforms(self) -> list[str] | None:
        """Platform codes on the office's own list of approved platforms, or None (no list)."""
        r = self.rule("approved_platforms")
        return list(r["codes"]) if r else None

    @property
    def approved_other_platforms(self) -> list[str]:
        """Names of 其他 platforms on the office's list (美篇, 知乎 …)."""
        r = self.rule("approved_platforms")
        return list(r.get("others") or []) if r else []

    def kinds(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """The filing kinds a rule applies to (``kinds`` in the rule), else ``default``."""
        r = self.rule(key)
        return tuple(r.get("kinds") or default) if r else ()

    def with_platform_list(self, codes: list[str] | None, others: list[str] | None = None) -> Profile:
        """A copy with the office's own list of approved platforms (None: no list, nothing checked)."""
        import copy

        data = copy.deepcopy(self.data)
        if codes is None:
            data["approved_platforms"] = None
        else:
            old = self.rule("approved_platforms") or {}
            data["approved_platforms"] = {
                "source": "office", "codes": list(codes),
                "others": [x.strip() for x in others or [] if x.strip()],
                "note": old.get("note") or "本单位自定的名单，可修改：文件未列出核准的平台"}
        return validate(data, "（本库）")

    def to_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)

    def numbers(self) -> list[tuple[str, str, str]]:
        """(what, value, article) lines for ``gzdesk profiles`` and the settings dialog."""
        out: list[tuple[str, str, str]] = []
        from gzdesk.printing import templates

        form = self.form_title or templates.get(self.template_id).title
        out.append(("备案登记表", f"《{form}》（{self.template_id}）", self.data["form_template"].get("article", "")))
        out.append(("审批链", " → ".join(s["title"] for s in self.chain), ""))
        for key, what in (("filing_deadline", "备案时限"), ("provincial_filing", "主管单位报送系统时限")):
            r = self.rule(key)
            if r and r.get("workdays"):
                out.append((what, f"{r['workdays']}个工作日", r.get("article", "")))
        a = self.rule("announcement")
        if a:
            from gzdesk.enums import label

            kinds = "、".join(label("filing_kind", k) for k in self.kinds("announcement", ("close", "cancel")))
            text = (f"关停、注销前至少{a['workdays']}个工作日发布" if a["mode"] == "before_close"
                    else f"{kinds}：公告时间不少于{a['workdays']}个工作日（自发布次日起算）")
            out.append(("公告", text, a.get("article", "")))
        m = self.rule("change_needs_meeting_or_head")
        if m and m.get("required"):
            from gzdesk.enums import label

            kinds = "、".join(label("filing_kind", k) for k in self.kinds("change_needs_meeting_or_head",
                                                                         ("change", "close", "cancel")))
            out.append(("本单位决定", f"{kinds}：会议（集体）研究或主要领导同意，登记其一", m.get("article", "")))
        o = self.rule("opening_needs_meeting_and_head")
        if o and o.get("required"):
            out.append(("本单位决定", "开设：集体研究和主要领导同意，两者都登记", o.get("article", "")))
        n = self.rule("place_name_consent")
        if n:
            out.append(("账号名称", "含行政区划地名或机关名称的，须经同级政府同意", n.get("article", "")))
        j = self.rule("objection")
        if j:
            out.append(("异议处理", f"{j['workdays']}个工作日内，经批准可延长，累计不超过{j['max_workdays']}个工作日",
                        j.get("article", "")))
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
        for key, what, value in RULE_LINES:
            r = self.rule(key)
            if r and r.get("article") and (key != "approval_before_opening" or r.get("required")):
                out.append((what, value, r["article"]))
        i = self.rule("inspection")
        if i:
            out.append(("检查", "按季度组织检查" if i.get("quarterly") else "定期检查（未规定按季度）", i.get("article", "")))
        c = self.rule("census_report")
        if c:
            out.append(("摸排报送", "、".join(c["sections"]), c.get("article", "")))
        p = self.approved_platforms
        if p is not None:
            from gzdesk.enums import label

            names = [label("platform", c) for c in p] + self.approved_other_platforms
            out.append(("核准平台", "、".join(names) or "（空）", OFFICE_LIST))
        return out


def validate(data: Any, source: str = "") -> Profile:
    """A Profile from parsed JSON, or a UserError naming the field that is missing or wrong.

    Besides the schema: the form template must exist (and load), and a template with fixed 意见
    blocks must have one for every step of the approval chain — else that step would never print.
    """
    try:
        profile_schema.check(data)
    except profile_schema.ProfileError as exc:
        where = f"的字段 {exc.field}" if exc.field else ""
        raise UserError(f"策略配置{source}{where}：{exc.message}") from None
    from gzdesk.printing import templates

    try:
        t = templates.get(data["form_template"]["id"])
    except UserError as exc:
        raise UserError(f"策略配置{source}的字段 form_template.id：{exc.message}") from None
    if not t.has_chain_region:
        printed = t.step_titles
        missing = [s["title"] for s in data["approval_chain"] if s["title"] not in printed]
        if missing:
            raise UserError(f"策略配置{source}的字段 approval_chain：登记表《{t.title}》没有“{'、'.join(missing)}”"
                            f"一栏（该表的意见栏：{'、'.join(sorted(printed))}）")
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
