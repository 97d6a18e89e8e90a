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
