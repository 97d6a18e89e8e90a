"""``gzdesk accounts``: list the registry."""

from __future__ import annotations

import argparse

from gzdesk import registry, value_check
from gzdesk.cli.common import add_db_option, add_json_option, open_db, print_json, print_table


def register(sub) -> None:
    p = sub.add_parser("accounts", help="列出账号")
    add_db_option(p)
    add_json_option(p)
    p.add_argument("--platform", metavar="平台", help="只列出该平台（中文名或代码）")
    p.add_argument("--status", metavar="状态", help="只列出该运行状态（正常/暂停/关停/注销）")
    p.add_argument("--search", metavar="文字", help="名称、账号ID或主办单位包含这些文字（以空格分隔的每个词都须出现，与窗口的查找框相同）")
    p.set_defaults(func=cmd_accounts)


def cmd_accounts(args: argparse.Namespace) -> int:
    from gzdesk import enums
    from gzdesk.errors import UserError

    db = open_db(args)
    with db.reader() as s:
        rows = registry.list_accounts(s)
    db.close()
    if args.platform:
        code = enums.code_for("platform", args.platform)
        if code is None:
            raise UserError(f"未知平台“{args.platform}”")
        rows = [r for r in rows if r.platform == code]
    if args.status:
        code = enums.code_for("status", args.status)
        if code is None:
            raise UserError(f"未知运行状态“{args.status}”")
        rows = [r for r in rows if r.status == code]
    if args.search:
        words = registry.search_words(args.search)  # as the window's search box: every word
        rows = [r for r in rows if registry.matches_search(registry.account_search_text(r), words)]
    if args.json:
        print_json([{"id": r.id, "uuid": r.uuid, "name": r.name, "platform": r.platform_label,
                     "platform_code": r.platform, "status": r.status_label, "status_code": r.status,
                     "host_unit": r.host_unit, "supervisor_unit": r.supervisor_unit,
                     "operator_unit": r.operator_unit, "handle": r.handle, "followers": r.followers,
                     "registered_on": r.registered_on, "last_update_on": r.last_update_on,
                     "bad_values": [{"field": f, "message": m} for f, m in r.bad_values]} for r in rows])
        return 0
    print_table(["编号", "名称", "平台", "主办单位", "状态", "最近更新"],
                [[r.id, ("⚠ " if r.bad_values else "") + r.name, r.platform_label, r.host_unit, r.status_label,
                  r.last_update_on] for r in rows])
    print(f"共 {len(rows)} 个账号")
    bad = [r for r in rows if r.bad_values]
    if bad:
        first = bad[0]
        field, message = first.bad_values[0]
        print(f"其中 {len(bad)} 个账号（标 ⚠）有无法识别的值，列表中显示为空，如编号 {first.id}“{first.name}”的"
              f"{value_check.FIELD_LABELS.get(field, field)}{message}；gzdesk verify 列出全部")
    return 0
