"""Enumerations stored as stable English codes and shown in Chinese.

Codes never change once released (they travel in snapshots and Excel exports); labels may.
``label(kind, code)`` and ``code_for(kind, text)`` translate both ways; ``code_for`` also accepts
the synonyms offices write in their own spreadsheets.
"""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    WECHAT_SERVICE = "wechat_service"
    WECHAT_SUBSCRIPTION = "wechat_subscription"
    WECHAT_MINIPROGRAM = "wechat_miniprogram"
    WEIBO = "weibo"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    TOUTIAO = "toutiao"
    CHANNELS = "wechat_channels"
    APP = "app"
    OTHER = "other"


PLATFORM_LABELS: dict[str, str] = {
    Platform.WECHAT_SERVICE: "微信服务号",
    Platform.WECHAT_SUBSCRIPTION: "微信订阅号",
    Platform.WECHAT_MINIPROGRAM: "微信小程序",
    Platform.WEIBO: "新浪微博",
    Platform.DOUYIN: "抖音",
    Platform.KUAISHOU: "快手",
    Platform.TOUTIAO: "今日头条",
    Platform.CHANNELS: "视频号",
    Platform.APP: "移动客户端APP",
    Platform.OTHER: "其他",
}

PLATFORM_SYNONYMS: dict[str, str] = {
    "服务号": Platform.WECHAT_SERVICE,
    "微信公众号服务号": Platform.WECHAT_SERVICE,
    "微信公众号（服务号）": Platform.WECHAT_SERVICE,
    "微信公众号": Platform.WECHAT_SUBSCRIPTION,
    "公众号": Platform.WECHAT_SUBSCRIPTION,
    "订阅号": Platform.WECHAT_SUBSCRIPTION,
    "微信": Platform.WECHAT_SUBSCRIPTION,
    "微信公众号（订阅号）": Platform.WECHAT_SUBSCRIPTION,
    "小程序": Platform.WECHAT_MINIPROGRAM,
    "微博": Platform.WEIBO,
    "新浪": Platform.WEIBO,
    "头条": Platform.TOUTIAO,
    "头条号": Platform.TOUTIAO,
    "微信视频号": Platform.CHANNELS,
    "APP": Platform.APP,
    "app": Platform.APP,
    "移动客户端": Platform.APP,
    "客户端": Platform.APP,
    "移动客户端（APP）": Platform.APP,
    "新浪微博号": Platform.WEIBO,
    "抖音号": Platform.DOUYIN,
    "快手号": Platform.KUAISHOU,
}


class AccountStatus(StrEnum):
    NORMAL = "normal"
    PAUSED = "paused"
    CLOSED = "closed"  # 关停
    CANCELLED = "cancelled"  # 注销


STATUS_LABELS: dict[str, str] = {
    AccountStatus.NORMAL: "正常",
    AccountStatus.PAUSED: "暂停",
    AccountStatus.CLOSED: "关停",
    AccountStatus.CANCELLED: "注销",
}
# What clerks write in their own 台账 (停用 is left to the clerk: it can mean 暂停 or 关停)
STATUS_SYNONYMS: dict[str, str] = {
    "运行": "normal", "运营": "normal", "运行中": "normal", "在用": "normal", "使用中": "normal",
    "正常运行": "normal", "正常运营": "normal", "正常更新": "normal",
    "停更": "paused", "已停更": "paused", "已暂停": "paused", "暂停更新": "paused", "暂停运营": "paused",
    "已关停": "closed", "关闭": "closed", "已关闭": "closed",
    "已注销": "cancelled",
}


class FilingKind(StrEnum):
    OPEN = "open"  # 开设
    CHANGE = "change"  # 变更
    CLOSE = "close"  # 关停
    CANCEL = "cancel"  # 注销
    MERGE = "merge"  # 整合
    BACKFILL = "backfill"  # 补办


FILING_KIND_LABELS: dict[str, str] = {
    FilingKind.OPEN: "开设",
    FilingKind.CHANGE: "变更",
    FilingKind.CLOSE: "关停",
    FilingKind.CANCEL: "注销",
    FilingKind.MERGE: "整合",
    FilingKind.BACKFILL: "补办",
}
FILING_KIND_SYNONYMS: dict[str, str] = {"开办": "open", "新开": "open", "补办备案": "backfill", "补备案": "backfill"}


class FilingState(StrEnum):
    DRAFT = "draft"  # 草稿
    PENDING_SIGNATURE = "pending_signature"  # 待签批 (printed, going up the chain)
    FILED = "filed"  # 已备案 (every step approved)
    REPORTED = "reported"  # 已报送 (provincial / national system updated)
    RETURNED = "returned"  # 退回
    WITHDRAWN = "withdrawn"  # 撤回


FILING_STATE_LABELS: dict[str, str] = {
    FilingState.DRAFT: "草稿",
    FilingState.PENDING_SIGNATURE: "待签批",
    FilingState.FILED: "已备案",
    FilingState.REPORTED: "已报送",
    FilingState.RETURNED: "退回",
    FilingState.WITHDRAWN: "撤回",
}


class StepResult(StrEnum):
    """The outcome of one approval step (``ApprovalStep.result``)."""

    APPROVED = "approved"  # 同意
    RETURNED = "returned"  # 退回


STEP_RESULT_LABELS: dict[str, str] = {StepResult.APPROVED: "同意", StepResult.RETURNED: "退回"}


class UnitType(StrEnum):
    TOWNSHIP = "township"  # 乡镇人民政府
    SUBDISTRICT = "subdistrict"  # 街道办事处
    DEPARTMENT = "department"  # 政府组成部门
    INSTITUTION = "institution"  # 直属事业单位
    AGENCY = "agency"  # 派出机构
    DEV_ZONE = "dev_zone"  # 开发区管委会
    INTERNAL = "internal"  # 内设机构
    GOVERNMENT = "government"  # 人民政府 / 政府办公室 (the county itself)
    OTHER = "other"


UNIT_TYPE_LABELS: dict[str, str] = {
    UnitType.TOWNSHIP: "乡镇人民政府",
    UnitType.SUBDISTRICT: "街道办事处",
    UnitType.DEPARTMENT: "政府组成部门",
    UnitType.INSTITUTION: "直属事业单位",
    UnitType.AGENCY: "派出机构",
    UnitType.DEV_ZONE: "开发区管委会",
    UnitType.INTERNAL: "内设机构",
    UnitType.GOVERNMENT: "人民政府",
    UnitType.OTHER: "其他",
}
UNIT_TYPE_SYNONYMS: dict[str, str] = {"乡镇": "township", "镇": "township", "乡": "township", "街道": "subdistrict",
                                      "部门": "department", "事业单位": "institution", "开发区": "dev_zone",
                                      "县政府": "government", "区政府": "government"}


class Role(StrEnum):
    LEADER = "leader"  # 分管领导
    DEPT_HEAD = "dept_head"  # 处室负责人
    ADMIN = "admin"  # 管理员
    INFORMANT = "informant"  # 信息员 (太白 第十四条)
    OPERATOR = "operator"  # 运维


ROLE_LABELS: dict[str, str] = {
    Role.LEADER: "分管领导",
    Role.DEPT_HEAD: "处室负责人",
    Role.ADMIN: "管理员",
    Role.INFORMANT: "信息员",
    Role.OPERATOR: "运维",
}
ROLE_SYNONYMS: dict[str, str] = {"负责人": "dept_head", "科室负责人": "dept_head", "运维人员": "operator", "编辑": "admin"}


class TaskKind(StrEnum):
    PASSWORD_CHANGE = "password_change"  # 更改密码 (云南 第三十七条)
    DEVICE_RETURN = "device_return"  # 收回设备 (云南 第三十七条)
    OTHER = "other"


TASK_KIND_LABELS: dict[str, str] = {
    TaskKind.PASSWORD_CHANGE: "更改账号密码",
    TaskKind.DEVICE_RETURN: "收回工作设备",
    TaskKind.OTHER: "其他",
}

class UserRole(StrEnum):
    """Who a program user is (DESIGN "用户"); what each may do is ``gzdesk.permissions.ROLE_CAPS``."""

    ADMIN = "admin"  # 管理员: users, settings, profiles, restore — and everything else
    REVIEWER = "reviewer"  # 审核人: records approval steps
    CLERK = "clerk"  # 经办人: accounts, units, people, drafts and prints filings, imports
    VIEWER = "viewer"  # 只读: views, prints, exports masked copies


USER_ROLE_LABELS: dict[str, str] = {
    UserRole.ADMIN: "管理员",
    UserRole.REVIEWER: "审核人",
    UserRole.CLERK: "经办人",
    UserRole.VIEWER: "只读",
}
USER_ROLE_SYNONYMS: dict[str, str] = {"系统管理员": "admin", "审核": "reviewer", "审批人": "reviewer",
                                      "经办": "clerk", "只读用户": "viewer", "查看": "viewer"}

_TABLES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "platform": (PLATFORM_LABELS, PLATFORM_SYNONYMS),
    "status": (STATUS_LABELS, STATUS_SYNONYMS),
    "filing_kind": (FILING_KIND_LABELS, FILING_KIND_SYNONYMS),
    "filing_state": (FILING_STATE_LABELS, {}),
    "unit_type": (UNIT_TYPE_LABELS, UNIT_TYPE_SYNONYMS),
    "role": (ROLE_LABELS, ROLE_SYNONYMS),
    "task_kind": (TASK_KIND_LABELS, {}),
    "user_role": (USER_ROLE_LABELS, USER_ROLE_SYNONYMS),
    "step_result": (STEP_RESULT_LABELS, {}),
}


def label(kind: str, code: str | None) -> str:
    """Chinese label of a stored code; unknown codes are shown as they are."""
    if code is None:
        return ""
    return _TABLES[kind][0].get(code, code)


def labels(kind: str) -> dict[str, str]:
    """code → label, in display order."""
    return dict(_TABLES[kind][0])


def code_for(kind: str, text: str | None) -> str | None:
    """The code for a label, a synonym or a code itself; None when nothing matches."""
    if text is None:
        return None
    t = "".join(str(text).split()).replace("(", "（").replace(")", "）")  # 微信公众号(订阅号) as （订阅号）
    if not t:
        return None
    table, synonyms = _TABLES[kind]
    if t in table:
        return t
    for code, lab in table.items():
        if lab == t:
            return code
    if t in synonyms:
        return synonyms[t]
    low = t.lower()
    for key, code in synonyms.items():
        if key.lower() == low:
            return code
    return None


# --------------------------------------------------------------------------- supervision (schema 6)


class InspectionLevel(StrEnum):
    """Who made an inspection: this office's own quarterly check, or an upper level's 抽查 (附件3)."""

    OWN = "own"  # 本级检查 (按季度组织检查, 南通 第三十二条)
    CITY = "city"  # 市办抽查
    PROVINCE = "province"  # 省办抽查
    STATE = "state"  # 国办抽查


INSPECTION_LEVEL_LABELS: dict[str, str] = {
    InspectionLevel.OWN: "本级检查",
    InspectionLevel.CITY: "市办抽查",
    InspectionLevel.PROVINCE: "省办抽查",
    InspectionLevel.STATE: "国办抽查",
}
INSPECTION_LEVEL_SYNONYMS: dict[str, str] = {"本级": "own", "自查": "own", "市办": "city", "市": "city",
                                             "省办": "province", "省": "province", "国办": "state", "国": "state"}


class FakeStepKind(StrEnum):
    """The steps the documents name for a fake account (南通 第三十条 and the others alike)."""

    VERIFY = "verify"  # 排查核实
    COORDINATE = "coordinate"  # 商请网信、公安协同处理
    NOTIFY_PLATFORM = "notify_platform"  # 致函平台运营方关停
    REPORT_UP = "report_up"  # 报上级主管单位备案


FAKE_STEP_LABELS: dict[str, str] = {
    FakeStepKind.VERIFY: "排查核实",
    FakeStepKind.COORDINATE: "商请网信、公安协同处理",
    FakeStepKind.NOTIFY_PLATFORM: "致函平台运营方关停",
    FakeStepKind.REPORT_UP: "报上级主管单位备案",
}
FAKE_STEP_SYNONYMS: dict[str, str] = {"核实": "verify", "排查": "verify", "协同处理": "coordinate",
                                      "商请网信公安协同处理": "coordinate", "商请": "coordinate",
                                      "致函": "notify_platform", "致函平台": "notify_platform",
                                      "关停": "notify_platform", "报备": "report_up", "备案": "report_up",
                                      "报上级备案": "report_up"}

FAKE_HOW_LABELS: dict[str, str] = {"found": "自行发现", "reported": "网民举报"}
FAKE_HOW_SYNONYMS: dict[str, str] = {"发现": "found", "举报": "reported", "群众举报": "reported"}

_TABLES.update({
    "inspection_level": (INSPECTION_LEVEL_LABELS, INSPECTION_LEVEL_SYNONYMS),
    "fake_step": (FAKE_STEP_LABELS, FAKE_STEP_SYNONYMS),
    "fake_how": (FAKE_HOW_LABELS, FAKE_HOW_SYNONYMS),
})


def __getattr__(name: str):
    """``ACCOUNT_FIELD_LABELS`` moved to the field catalogue (``gzdesk.fields.LABELS``), which reads
    this module; the old name still answers."""
    if name == "ACCOUNT_FIELD_LABELS":
        from gzdesk.fields import LABELS

        return LABELS
    raise AttributeError(name)
