"""Test data for the form tests: an account with a full team and a Filing row made via the ORM.

The filing service is written in parallel, so the Filing row is created directly here with
``frozen`` = ``registry.account_snapshot(...)`` and a JSON ``chain``, as the service will.
"""

from __future__ import annotations

import json
from datetime import date

from gzdesk import registry
from gzdesk.models import ApprovalStep, Filing

LONG_REASON = ("为加强政务公开和政民互动，" * 18) + "特申请开设本账号。"
LONG_INTRO = ("本账号发布本局政务信息、政策解读、办事指南和便民服务，回应群众关切。" * 10) + "完。"


def make_account(s, platform: str = "wechat_subscription", name: str = "清风镇发布",
                 qr: bytes | None = None, **extra) -> int:
    host = registry.find_or_create_unit(s, "清风镇人民政府")
    sup = registry.find_or_create_unit(s, "测试县人民政府办公室")
    op = registry.find_or_create_unit(s, "清风镇党政综合办公室")
    people = []
    for pname, title, role in (("张建国", "副镇长", "leader"), ("李秀英", "主任", "dept_head"),
                               ("王小明", "干事", "admin")):
        pid = registry.save_person(s, registry.PersonData(name=pname, unit_id=host.id, title=title,
                                                          office_phone="0513-81234567", mobile="13912345678"))
        people.append(registry.TeamMember(person_id=pid, role=role))
    data = registry.AccountData(
        name=name, platform=platform, handle="qingfengzhen_fabu", registered_on=date(2019, 3, 12),
        followers=12345, verified=True, news_license=False, supervisor_unit_id=sup.id,
        host_unit_id=host.id, host_leader="张建国 副镇长", host_phone="0513-81234567",
        operator_unit_id=op.id, operator_leader="李秀英 主任", operator_phone="0513-87654321",
        url="https://mp.weixin.qq.com/qingfeng", intro=extra.pop("intro", LONG_INTRO), qr_image=qr, team=people,
        **extra)
    return registry.save_account(s, data)


def make_filing(s, account_id: int, chain: list[str], kind: str = "open", number: str = "QF-2026-001",
                template_id: str | None = None, steps: list[tuple[str, str, str, date]] | None = None,
                reason: str = LONG_REASON, filled_on: date = date(2026, 11, 20)) -> int:
    f = Filing(number=number, account_id=account_id, kind=kind, reason=reason, filled_on=filled_on,
               template_id=template_id, chain=json.dumps(chain, ensure_ascii=False),
               frozen=json.dumps(registry.account_snapshot(s, account_id), ensure_ascii=False))
    s.add(f)
    s.flush()
    for seq, (title, opinion, signer, on) in enumerate(steps or [], start=1):
        s.add(ApprovalStep(filing_id=f.id, seq=seq, title=title, opinion=opinion, signer=signer, signed_on=on))
    s.flush()
    return f.id


# The official wording of each form (seed 000 / seed 003 附件1), whitespace-insensitive.
SHANXI_SEED_LABELS = [
    "山西省政府系统政务新媒体备案登记表（县市区）", "单位名称：", "填表时间：", "账号 ID 及名称", "创建 / 注册日期",
    "关注量 / 粉丝量", "运行状态", "正常", "暂停", "注销", "关停", "发布平台（系统）", "是否通过认证",
    "主管单位", "是否取得互联网 新闻信息服务资质", "主办单位", "主办单位分管领导及职务", "联系电话及方式",
    "承办单位", "承办单位分管领导及职务", "政务新媒体平台功能", "微博", "微信（服务号 / 订阅号 / 小程序）",
    "移动客户端（APP）", "其他类型（如：今日头条、一点资讯、美篇、知乎、简书、抖音、快手、火山小视频等）",
    "新媒体二维码：", "基本情况介绍：", "访问链接", "开办（变更、关停、整合）理由", "主办单位 意见",
    "已知本单位在网络公共平台开办此政务新媒体账号，并建立有关管理制度，明确对此账号及发布内容负有管理责任。",
    "主要负责人签字：", "（加盖公章）", "县（市、区）办公室 意见", "负责人签字：", "市政府办公室 意见",
    "省政府办公厅 意见",
]
NANTONG_SEED_LABELS = [
    "南通市政务新媒体备案登记表", "基本信息", "名 称", "备案事由", "开设", "变更", "关停", "注销", "类 型",
    "微信公众号: (", "服务号 /", "订阅号 /", "小程序)", "新浪微博", "移动客户端 APP", "其他平台: (", "今日头条 /",
    "快手 /", "抖音 /", "开设时间", "是否通过认证", "是", "否", "简 介", "微信账号 ID / 微博访问链接 /APP 下载地址",
    "管理队伍", "姓 名", "单位及职务", "办公电话", "手机号码", "分管领导", "处室负责人", "管理员",
    "主办 单位 意见", "负责人签字:", "单位盖章", "主管 单位 意见", "说 明",
    "本表一式三份。由政务新媒体主办单位填写，一份报送主管单位备案，一份抄报属地政府办公室，一份存所在主办单位。",
]
GENERIC_LABELS = [
    "政务新媒体建设备案表", "备案事由", "开设", "变更", "关停", "注销", "整合", "补办", "账号名称", "发布平台",
    "账号 ID", "创建 / 注册日期", "关注量 / 粉丝量", "运行状态", "是否通过认证", "是否取得互联网 新闻信息服务资质",
    "主管单位", "主办单位", "承办单位", "分管领导及职务", "联系电话", "访问链接", "二维码", "基本情况 介绍",
    "管理队伍", "姓 名", "单位及职务", "办公电话", "手机号码", "分管领导", "处室负责人", "管理员", "信息员",
    "开办（变更、关停、注销、整合）理由", "（加盖公章）",
]
SEED_LABELS = {"shanxi_county": SHANXI_SEED_LABELS, "nantong": NANTONG_SEED_LABELS, "generic": GENERIC_LABELS}


def squash(text: str) -> str:
    return "".join(text.split())
