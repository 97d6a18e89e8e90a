"""The catalogue of an account's fields: one entry per field, read by every place that names one.

Each ``Field`` says what the field is called (on the 备案登记表, in the 台账's column, in the
editor), what kind of value it holds, how its text is read, where the editor puts it, whether a
变更 may change it and whether a change of it after filing needs a 变更 filing, and the name a
form template binds it by (``account.<form_name>``). The consumers derive from this table:

- ``registry.ACCOUNT_FIELDS`` and the value checks (phones, dates not after today),
- ``exchange.columns.ACCOUNT_COLUMNS`` (header, cell kind, width, header synonyms; its order),
- ``filings``: the 变更 parser (``parse_change_key`` / ``parse_value``) and the diff's labels,
- ``ui.account_editor`` (labels, groups, and a widget by kind for a field it has no special one for)
  and ``ui.filing_dialogs`` (the 变更 fields a 登记表 shows),
- the form templates' account paths (``printing.templates``) and the dates a form prints,
- the labels of the audit log and the value checks (``column_label``, with the other tables).

A new account field is one entry here (plus its column in the ORM and its migration; tests check
the ORM, ``registry.AccountData`` and every consumer agree with this table).

Words: the 山西省政府系统政务新媒体备案登记表 that 盐湖 第十条 asks every office to fill in names the
count “关注量 / 粉丝量”, 关注量 first; the documents themselves say 粉丝 only in quotation marks, for
what may not be bought (云南 第三十四条: 严禁购买“粉丝”等数据造假行为; 盐湖 第二十三条 alike). The
program says 关注量 everywhere (the 台账's header too) and reads 粉丝量 as a synonym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gzdesk import enums
from gzdesk.dates import normalize_text, parse_date
from gzdesk.validation import read_yes_no

# Kinds of value (also the 台账's cell kinds: gzdesk.exchange.columns).
TEXT, DATE, INT, BOOL, PLATFORM, STATUS, UNIT, PHONE, IMAGE = (
    "text", "date", "int", "bool", "platform", "status", "unit", "phone", "image")

# The editor's groups, in the order it lays them out (left column, then right).
BASIC, CERT, SUPERVISOR, HOST, OPERATOR, LINKS, QR, NOTES = (
    "基本信息", "认证与资质", "主管单位", "主办单位", "承办单位", "链接与简介", "二维码", "备注")
UNIT_ROLES: tuple[tuple[str, str], ...] = (("supervisor", SUPERVISOR), ("host", HOST), ("operator", OPERATOR))


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the attribute of registry.AccountData / models.Account (a unit: host_unit_id)
    label: str  # its name in messages, diffs, the audit log (the 登记表's wording)
    kind: str = TEXT
    header: str | None = ""  # the 台账's column ("": the label; None: not in the sheet)
    width: float = 14  # the column's width in the sheet
    synonyms: tuple[str, ...] = ()  # other headers offices write; the 变更 parser reads them too
    group: str = BASIC  # where the editor puts it
    editor_label: str = ""  # "": the header (or the label)
    hint: str = ""  # the editor's placeholder text
    required: bool = False  # may not be empty (editor ＊, 变更)
    not_future: bool = False  # a date that cannot be later than today
    changeable: bool = True  # a 变更 may change it
    on_form: bool = False  # a change after filing is a 变更 filing (the 变更 dialog offers it)

    @property
    def column(self) -> str:
        """The 台账 column's key and the 变更 dialog's: a unit by its name (host_unit)."""
        return self.key[:-3] if self.kind == UNIT else self.key

    @property
    def form_name(self) -> str:
        """What a form template binds: ``account.<form_name>`` (a unit's name, not its id)."""
        return self.column

    @property
    def column_header(self) -> str | None:
        return None if self.header is None else (self.header or self.label)

    @property
    def shown_label(self) -> str:
        """The editor's label: a unit group's own fields go without the group's name."""
        if self.editor_label:
            return self.editor_label
        text = self.column_header or self.label
        role = dict(UNIT_ROLES).get(self.key.split("_")[0]) if self.group in dict(UNIT_ROLES).values() else None
        if role:
            return "单位名称" if self.kind == UNIT else text.removeprefix(role)
        return text

    @property
    def max_length(self) -> int | None:
        """The longest text the database keeps (the ORM's String(n)); None without a limit."""
        from gzdesk.models import Account

        length = getattr(Account.__table__.c[self.key].type, "length", None)
        return length if isinstance(length, int) else None


def _units() -> tuple[Field, ...]:
    synonyms = {
        "host": (("开设单位", "主体单位", "所属单位", "单位名称", "开办单位", "单位", "责任单位"),
                 ("分管领导", "分管领导及职务", "主办单位分管领导"),
                 ("联系电话", "联系方式", "联系电话及方式", "主办单位联系方式", "主办单位联系电话及方式", "主办单位电话")),
        "supervisor": ((), ("主管单位分管领导",), ("主管单位联系方式", "主管单位电话")),
        "operator": (("运维单位", "承办机构"), ("承办单位分管领导",), ("承办单位联系方式", "承办单位电话")),
    }
    widths = {"host": 24, "supervisor": 22, "operator": 22}
    out = []
    for prefix, title in UNIT_ROLES:
        unit, leader, phone = synonyms[prefix]
        on_form = prefix != "supervisor"
        out += [Field(f"{prefix}_unit_id", title, UNIT, title, widths[prefix], unit, title, on_form=on_form),
                Field(f"{prefix}_leader", f"{title}分管领导及职务", TEXT, "", 18, leader, title, hint="如 张三 副局长",
                      on_form=on_form),
                Field(f"{prefix}_phone", f"{title}联系电话", PHONE, "", 15, phone, title, on_form=on_form)]
    host = [f for f in out if f.key.startswith("host_")]
    return (*host, *(f for f in out if f not in host))  # the 台账 has the 主办单位 first


# The order is the 台账's (export, template, import); fields without a column follow.
CATALOGUE: tuple[Field, ...] = (
    Field("name", "名称", TEXT, "账号名称", 24, ("名称", "新媒体名称", "账号名", "政务新媒体名称", "账号名字",
                                             "新媒体账号名称", "公众号名称", "栏目名称"),
          hint="与平台上显示的名称一致", required=True, on_form=True),
    Field("platform", "平台", PLATFORM, "", 13, ("类型", "发布平台", "平台类型", "账号类型", "平台名称", "新媒体类型"),
          required=True, on_form=True),
    Field("platform_other", "其他平台名称", TEXT, "", 12, ("其他平台",), hint="平台选“其他”时填写，如 哔哩哔哩"),
    Field("handle", "账号ID", TEXT, "", 20, ("微信号", "账号", "账号id", "微博链接", "app下载地址", "微信号/微博号",
                                           "原始id", "id"), hint="微信号 / 微博链接 / APP下载地址", on_form=True),
    Field("status", "运行状态", STATUS, "", 9, ("状态", "账号状态", "运营状态"), required=True),
    *_units(),
    Field("registered_on", "创建日期", DATE, "", 14, ("注册日期", "开设时间", "开通时间", "开设日期", "开通日期",
                                                 "注册时间", "创建时间", "创建/注册日期", "上线时间"), not_future=True),
    Field("followers", "关注量", INT, "", 10, ("粉丝量", "粉丝数", "关注数", "关注量/粉丝量", "粉丝数量", "用户数")),
    Field("followers_on", "关注量统计日期", DATE, "", 14, ("统计日期", "粉丝量统计日期", "关注量日期"), not_future=True),
    Field("verified", "是否通过认证", BOOL, "", 8, ("是否认证", "认证", "认证情况"), CERT),
    Field("verification_names_host", "认证信息是否标明主办单位", BOOL, "", 10, ("认证信息标明主办单位",), CERT),
    Field("news_license", "是否取得互联网新闻信息服务资质", BOOL, "", 10, ("新闻信息服务资质", "是否取得新闻资质", "新闻资质"),
          CERT),
    Field("url", "访问链接", TEXT, "", 24, ("链接", "网址", "访问地址", "url", "主页链接"), LINKS, hint="https://…",
          on_form=True),
    Field("intro", "简介", TEXT, "", 30, ("基本情况介绍", "账号简介", "功能定位", "简要介绍"), LINKS, "简介 / 基本情况",
          hint="账号的定位、主要内容和服务功能", on_form=True),
    Field("last_update_on", "最近更新日期", DATE, "", 14, ("最近更新", "最后更新日期", "最新更新日期", "最近更新时间"),
          not_future=True),
    Field("last_original_on", "最近原创日期", DATE, "", 14, ("最近原创", "最近原创信息日期"), not_future=True),
    Field("tags", "标签", TEXT, "", 12, ("专项",), hint="多个标签用逗号分隔，如 重大活动专项"),
    Field("notes", "备注", TEXT, "", 16, ("说明",), NOTES),
    # 云南 第十六条: a name with a place or agency name needs 同级政府同意
    Field("name_consent_on", "名称经同级政府同意日期", DATE, "", 14, ("同级政府同意日期", "名称同意日期"), CERT),
    Field("name_consent_ref", "同意文号或说明", TEXT, "", 20, ("同级政府同意文号",), CERT,
          hint="名称含行政区划地名或机关名称时填写"),
    Field("qr_image", "二维码", IMAGE, None, group=QR, changeable=False),  # a picture: not in the sheet
)

# The account's columns that no person edits: an inspection records them (``inspections``: 附件2
# 移动客户端（APP）无法下载或使用). Not in the editor, the 台账 or a 变更; named in the audit log.
RECORDED: dict[str, str] = {"unusable_since": "无法下载或使用起始日期"}

BY_KEY: dict[str, Field] = {f.key: f for f in CATALOGUE}
KEYS: tuple[str, ...] = tuple(BY_KEY)
LABELS: dict[str, str] = {f.key: f.label for f in CATALOGUE}
DATE_KEYS: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.kind == DATE)
BOOL_KEYS: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.kind == BOOL)
PHONE_KEYS: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.kind == PHONE)
UNIT_KEYS: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.kind == UNIT)
# column key → attribute for the unit fields: host_unit → host_unit_id
UNIT_COLUMNS: dict[str, str] = {f.column: f.key for f in CATALOGUE if f.kind == UNIT}
CHANGEABLE: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.changeable)
SHEET_KEYS: tuple[str, ...] = tuple(f.key for f in CATALOGUE if f.column_header is not None)  # the 台账's fields
ON_FORM: tuple[Field, ...] = tuple(f for f in CATALOGUE if f.on_form)
FORM_NAMES: frozenset[str] = frozenset(f.form_name for f in CATALOGUE)


def by_column(column: str) -> Field | None:
    """The field of a 台账 column key (``host_unit`` or ``host_unit_id``)."""
    return BY_KEY.get(UNIT_COLUMNS.get(column, column))


def _key(text: str) -> str:
    """A name reduced for matching, as the 台账's headers are (``exchange.columns.header_key``)."""
    t = normalize_text(text)
    t = re.sub(r"[(（\[【][^)）\]】]*[)）\]】]", "", t)
    return re.sub(r"[\s*:：#]", "", t).lower()


def _names() -> dict[str, str]:
    table: dict[str, str] = {}
    for f in CATALOGUE:  # own names first: they win over another field's looser synonym
        for name in (f.key, f.column, f.label, f.column_header or ""):
            if name:
                table.setdefault(_key(name), f.key)
    for f in CATALOGUE:
        for name in f.synonyms:
            table.setdefault(_key(name), f.key)
    return table


NAMES: dict[str, str] = _names()


def field_for(name: object) -> Field | None:
    """The field a name means: its key, label, 台账 header or one of the headers offices write."""
    key = NAMES.get(_key(str(name or "")))
    return BY_KEY[key] if key else None


def typed_text(raw: Any) -> str:
    """A value as the person typed it, trimmed at the ends only (the editors store it so; inside,
    ideographic spaces, line breaks and punctuation are kept): a date as 2019-03-12, a cell's
    13800000000.0 as 13800000000, True as 是."""
    if isinstance(raw, (datetime, date)):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, bool):
        return "是" if raw else "否"
    return str(raw).strip()


# Kinds of value the other sheets of a 台账 hold (people's 角色, filings' 类型 and 状态, units' 类型,
# 唯一标识); ``parse_as`` reads them too, so that every value a person writes is read by one function.
ROLE, KIND, STATE, UNIT_TYPE, UUID = "role", "filing_kind", "filing_state", "unit_type", "uuid"
ENUM_KINDS = frozenset({PLATFORM, STATUS, ROLE, KIND, STATE, UNIT_TYPE})
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_as(kind: str, key: str, raw: Any, what: str) -> tuple[Any, str | None]:
    """(value, problem) for a value of this kind as a person writes it (a 台账 cell, a 变更 on the
    command line); blank gives (None, None). ``what`` is what the message calls the field.

    A platform written ``其他：哔哩哔哩`` gives ``("other", "哔哩哔哩")``.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if kind == DATE:
        try:
            return parse_date(raw), None
        except ValueError:
            return None, f"{what}“{typed_text(raw)}”不是有效日期（可写 2019-03-12 或 2019年3月12日）"
    if kind == INT:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return int(raw), None if raw >= 0 else f"{what}不能为负数"
        t = normalize_text(str(raw)).replace(",", "").replace(" ", "")
        scale = 1
        if t.endswith("万"):
            t, scale = t[:-1], 10000
        try:
            value = round(float(t) * scale)
        except ValueError:
            return None, f"{what}“{typed_text(raw)}”不是数字"
        return value, None if value >= 0 else f"{what}不能为负数"
    text = typed_text(raw)
    if kind == BOOL:
        answer = raw if isinstance(raw, bool) else read_yes_no(text)
        if answer is not None:
            return answer, None
        return None, f"{what}“{text}”应填“是”或“否”"
    if kind in ENUM_KINDS:
        t = normalize_text(text)
        code = enums.code_for(kind, t)
        if code is None and kind == PLATFORM:
            m = re.match(r"^其他[:：](.+)$", t)
            if m:
                return ("other", m.group(1).strip()), None
        if code is None:
            return None, f"{what}“{text}”无法识别"
        return code, None
    if kind == PHONE:
        return normalize_text(text), None
    if kind == UNIT:
        return " ".join(text.split()), None
    if kind == UUID:
        t = normalize_text(text).lower()
        return (t, None) if _UUID_RE.fullmatch(t) else (None, f"{what}“{text}”格式不正确")
    if key in ("handle", "url"):
        return normalize_text(text), None
    return text, None


def parse_value(f: Field, raw: Any, name: str | None = None) -> tuple[Any, str | None]:
    """``parse_as`` for an account field; ``name`` is what the message calls it (default: its
    台账 header, else its label)."""
    return parse_as(f.kind, f.key, raw, name or f.column_header or f.label)


# --------------------------------------------------------------------------- every table's labels

# What the other tables' columns are called (the account's are the catalogue's): the one lookup
# the audit log, the value checks and a snapshot merge's messages read (``column_label``).
TABLE_FIELD_LABELS: dict[str, dict[str, str]] = {
    "account": {**LABELS, **RECORDED},
    "unit": {"name": "名称", "kind": "类型", "parent_id": "上级单位", "head": "主要负责人", "leader": "分管领导及职务",
             "phone": "联系电话", "classified": "涉密单位"},
    "person": {"name": "姓名", "unit_id": "单位", "title": "职务", "office_phone": "办公电话", "mobile": "手机号码",
               "trained_on": "培训日期", "left_on": "离职日期"},
    "account_role": {"account_id": "账号", "person_id": "人员", "role": "岗位", "since": "起始日期", "until": "结束日期"},
    "filing": {"number": "备案编号", "account_id": "账号", "kind": "事由", "state": "状态", "reason": "理由",
               "filled_on": "填表时间", "event_on": "事项日期", "announce_from": "公告开始", "announce_until": "公告截止",
               "effective_on": "生效日期", "reported_on": "报送日期", "frozen": "备案时的账号信息",
               "proposed": "变更内容", "chain": "审批流程", "profile_id": "策略配置", "template_id": "登记表",
               "merge_parent_id": "所属整合备案", "kept_account_id": "保留账号"},
    "approval_step": {"filing_id": "备案", "seq": "步骤", "title": "审批环节", "opinion": "意见", "signer": "负责人",
                      "signed_on": "签批日期", "result": "结果", "attachment_id": "扫描件"},
    "attachment": {"owner_uuid": "所属记录", "filename": "文件名", "mime": "类型", "data": "内容", "note": "说明"},
    "task": {"kind": "类别", "title": "事项", "due_on": "期限", "done_on": "完成日期", "article": "依据"},
    "setting": {"key": "设置项", "value": "值"},
    "office_holiday": {"day": "日期", "workday": "上班（调休）", "name": "名称"},
    "app_user": {"name": "用户名", "role": "角色", "password": "密码（散列）", "disabled": "已停用",
                 "failed_logins": "连续输错次数", "locked_until": "锁定至", "last_login_at": "最近登录",
                 "password_set_at": "设置密码时间"},
}
# Columns named alike in any table (and those of tables with no table of their own above).
COMMON_LABELS: dict[str, str] = {
    "id": "编号", "uuid": "唯一标识", "origin": "来源", "created_at": "创建时间", "updated_at": "修改时间",
    "notes": "备注", "name": "名称", "kind": "类型", "title": "职务/标题", "role": "岗位", "seq": "序号",
    "number": "备案编号", "state": "状态", "reason": "理由", "note": "说明", "account_id": "账号",
    "person_id": "人员", "unit_id": "所在单位", "filing_id": "备案", "result": "结果", "day": "日期",
    "mobile": "手机号码", "office_phone": "办公电话", "phone": "联系电话", "leader": "分管领导",
    "event_id": "审计事件", "entity": "对象", "entity_uuid": "对象标识", "digest": "摘要", "public_key": "公钥",
    "private_key": "私钥", "chain_event_id": "审计链末端编号", "chain_head": "审计链末端",
    "key_pinned_at": "公钥登记时间", "owner_uuid": "所属记录", "filename": "文件名", "data": "文件内容",
}


def column_label(table: str | None, name: str) -> str:
    """The Chinese name of a stored column: the table's own, a common one, another table's, or the
    name itself."""
    own = TABLE_FIELD_LABELS.get(table or "", {}).get(name)
    if own:
        return own
    if name in COMMON_LABELS:
        return COMMON_LABELS[name]
    for labels in TABLE_FIELD_LABELS.values():
        if name in labels:
            return labels[name]
    return name


def flat_labels() -> dict[str, str]:
    """column name → label over every table (the account's and the common names winning): for a
    message that names a column without its table."""
    out: dict[str, str] = {}
    for labels in TABLE_FIELD_LABELS.values():
        for k, v in labels.items():
            out.setdefault(k, v)
    out.update(COMMON_LABELS)
    out.update(LABELS)
    return out
