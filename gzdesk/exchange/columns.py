"""The 台账's columns: one definition shared by the export, the blank template and the import.

Each column names the field it carries, the header we write, how its cells are typed, a width,
and the header synonyms offices use in their own spreadsheets (账号名称/名称/新媒体名称 …). Headers are
compared after ``header_key`` (full-width → half-width, spaces, ``*`` and bracketed notes removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gzdesk import fields
from gzdesk.dates import normalize_text
from gzdesk.fields import BOOL, DATE, INT, PHONE, PLATFORM, TEXT, UNIT
from gzdesk.fields import KIND as KIND  # the import reads these from here
from gzdesk.fields import ROLE as ROLE
from gzdesk.fields import STATE as STATE
from gzdesk.fields import STATUS as STATUS
from gzdesk.fields import UNIT_TYPE as UNIT_TYPE
from gzdesk.fields import UUID as UUID

# Cell kinds: how a value is written and read back (``fields.parse_as`` reads every kind; an
# account field's kind is its cell's). 序号 is the sheet's own.
SEQ = "seq"


@dataclass(frozen=True)
class Column:
    key: str  # field name (Account attribute, or a pseudo field such as host_unit)
    header: str  # the header we write
    kind: str = TEXT
    width: float = 14
    synonyms: tuple[str, ...] = ()
    hidden: bool = False  # machine columns (JSON) kept for an exact re-import


def header_key(text: object) -> str:
    """A header cell reduced for matching: 账号名称（必填）* → 账号名称."""
    t = normalize_text(str(text or ""))
    t = re.sub(r"[(（\[【][^)）\]】]*[)）\]】]", "", t)  # （必填）, (单位：个)
    t = re.sub(r"[\s*:：#]", "", t)
    return t.lower()


def _account_column(f: fields.Field) -> Column:
    return Column(f.column, f.column_header or f.label, f.kind, f.width, f.synonyms)


# From the field catalogue (gzdesk.fields), in its order; then the machine columns.
ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", SEQ, 6, ("编号", "no", "no.")),
    *(_account_column(f) for f in fields.CATALOGUE if f.column_header is not None),
    Column("uuid", "唯一标识", UUID, 36, ("uuid",)),
    # Hidden: which unit exactly (names repeat across counties, e.g. 三星街道办事处).
    Column("host_unit_uuid", "主办单位唯一标识", UUID, 36, (), hidden=True),
    Column("supervisor_unit_uuid", "主管单位唯一标识", UUID, 36, (), hidden=True),
    Column("operator_unit_uuid", "承办单位唯一标识", UUID, 36, (), hidden=True),
)

# Read from offices' own sheets only (our export carries people in the 管理队伍 sheet): the person
# named here is matched by 姓名 + 主办单位 or created, and put on the account's team as 管理员.
IMPORT_ONLY_COLUMNS: tuple[Column, ...] = (
    Column("admin_name", "管理员", TEXT, 10, ("管理员姓名", "账号管理员", "运维人员", "管理人员", "联系人")),
    Column("admin_phone", "管理员联系电话", PHONE, 14, ("管理员电话", "管理员手机", "管理员手机号码", "联系人电话",
                                                 "联系人手机", "管理员联系方式")),
)
ACCOUNT_IMPORT_COLUMNS = ACCOUNT_COLUMNS + IMPORT_ONLY_COLUMNS

TEAM_COLUMNS: tuple[Column, ...] = (
    Column("account_name", "账号名称", TEXT, 24, ("账号", "名称")),
    Column("account_platform", "平台", PLATFORM, 12, ()),
    Column("role", "岗位", ROLE, 10, ("角色", "职责")),
    Column("name", "姓名", TEXT, 10, ()),
    Column("unit", "单位", UNIT, 24, ("所在单位",)),
    Column("title", "职务", TEXT, 14, ()),
    Column("office_phone", "办公电话", PHONE, 15, ()),
    Column("mobile", "手机号码", PHONE, 14, ("手机",)),
    Column("trained_on", "培训日期", DATE, 14, ()),
    Column("left_on", "离职日期", DATE, 14, ()),
    Column("since", "上岗日期", DATE, 14, ()),
    Column("until", "离岗日期", DATE, 14, ()),
    Column("notes", "备注", TEXT, 14, ()),
    Column("account_uuid", "账号唯一标识", UUID, 36, ()),
    Column("person_uuid", "人员唯一标识", UUID, 36, ()),
    Column("unit_uuid", "单位唯一标识", UUID, 36, (), hidden=True),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("name", "单位名称", UNIT, 30, ()),
    Column("kind", "单位类型", UNIT_TYPE, 14, ("类型",)),
    Column("parent", "上级单位", UNIT, 30, ()),
    Column("head", "主要负责人", TEXT, 12, ()),
    Column("leader", "分管领导及职务", TEXT, 18, ()),
    Column("phone", "联系电话", PHONE, 15, ()),
    Column("classified", "是否涉密单位", BOOL, 8, ("涉密",)),
    Column("notes", "备注", TEXT, 16, ()),
    Column("uuid", "唯一标识", UUID, 36, ()),
    Column("parent_uuid", "上级单位唯一标识", UUID, 36, (), hidden=True),
)

FILING_COLUMNS: tuple[Column, ...] = (
    Column("number", "备案编号", TEXT, 18, ("编号",)),
    Column("account_name", "账号名称", TEXT, 24, ("账号",)),
    Column("kind", "事由", KIND, 8, ()),
    Column("state", "状态", STATE, 9, ()),
    Column("filled_on", "填表时间", DATE, 14, ()),
    Column("reason", "理由", TEXT, 30, ()),
    Column("steps_summary", "审批情况", TEXT, 40, ()),
    Column("changes_summary", "变更内容", TEXT, 36, ()),  # readable; the import reads the hidden 变更内容数据
    Column("event_on", "办理日期", DATE, 14, ()),
    Column("announce_from", "公告开始日期", DATE, 14, ()),
    Column("announce_until", "公告截止日期", DATE, 14, ()),
    Column("effective_on", "生效日期", DATE, 14, ()),
    Column("reported_on", "报送日期", DATE, 14, ()),
    Column("notes", "备注", TEXT, 14, ()),
    Column("uuid", "唯一标识", UUID, 36, ()),
    Column("account_uuid", "账号唯一标识", UUID, 36, ()),
    # Hidden machine columns: exactly what a re-import needs to rebuild the filing.
    Column("profile_id", "配置编号", TEXT, 10, (), hidden=True),
    Column("template_id", "表样编号", TEXT, 10, (), hidden=True),
    Column("merge_parent_uuid", "所属整合备案", UUID, 36, (), hidden=True),
    Column("kept_account_uuid", "保留账号唯一标识", UUID, 36, (), hidden=True),
    Column("chain", "审批流程数据", TEXT, 20, (), hidden=True),
    Column("steps", "审批步骤数据", TEXT, 20, (), hidden=True),
    Column("frozen", "备案时账号数据", TEXT, 20, (), hidden=True),
    Column("proposed", "变更内容数据", TEXT, 20, (), hidden=True),
)

# Text longer than one Excel cell holds (32,767 characters): the cell keeps the beginning, this
# sheet the rest in parts, and our import joins them back (issue 8 item 7; see long_text.py).
LONG_TEXT_COLUMNS: tuple[Column, ...] = (
    Column("sheet", "工作表", TEXT, 10, ()),
    Column("line", "行号", INT, 7, ()),
    Column("record", "记录", TEXT, 22, ()),
    Column("field", "字段", TEXT, 14, ()),
    Column("part", "段号", INT, 6, ()),
    Column("total", "全文字数", INT, 10, ()),
    Column("text", "内容", TEXT, 80, ()),
    Column("uuid", "唯一标识", UUID, 36, ()),
)

ACCOUNTS_SHEET, TEAM_SHEET, FILINGS_SHEET, UNITS_SHEET = "账号台账", "管理队伍", "备案记录", "单位名录"
LONG_TEXT_SHEET = "超长文本"

# The unit columns of an account row and the attributes they fill: host_unit → host_unit_id.
UNIT_FIELDS = fields.UNIT_COLUMNS


def synonym_table(columns: tuple[Column, ...]) -> dict[str, str]:
    """header_key → field key, our own headers first so they win over looser synonyms."""
    table: dict[str, str] = {}
    for col in columns:
        table.setdefault(header_key(col.header), col.key)
    for col in columns:
        for syn in col.synonyms:
            table.setdefault(header_key(syn), col.key)
    return table


ACCOUNT_SYNONYMS = synonym_table(ACCOUNT_IMPORT_COLUMNS)
TEAM_SYNONYMS = synonym_table(TEAM_COLUMNS)
FILING_SYNONYMS = synonym_table(FILING_COLUMNS)
UNIT_SYNONYMS = synonym_table(UNIT_COLUMNS)
LONG_TEXT_SYNONYMS = synonym_table(LONG_TEXT_COLUMNS)
ACCOUNT_COLUMN_BY_KEY = {c.key: c for c in ACCOUNT_IMPORT_COLUMNS}
IMPORT_ONLY_KEYS = frozenset(c.key for c in IMPORT_ONLY_COLUMNS)


def match_header(text: object, table: dict[str, str] = ACCOUNT_SYNONYMS) -> str | None:
    """The field a header cell names, or None."""
    k = header_key(text)
    return table.get(k) if k else None


def field_label(key: str) -> str:
    """The Chinese header of an account field (for the wizard's mapping combos)."""
    col = ACCOUNT_COLUMN_BY_KEY.get(key)
    return col.header if col else key
