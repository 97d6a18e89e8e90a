"""The changes of a 变更: parse what the clerk names, apply it to the account, say it for people.

``Filing.proposed`` holds only the changed fields; the frozen copy shows the NEW data. The field
names and values are the catalogue's (``gzdesk.fields``).
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import enums, fields, registry
from gzdesk.dates import cn_date
from gzdesk.enums import AccountStatus
from gzdesk.errors import UserError
from gzdesk.models import Unit


def parse_change_key(raw_key: object) -> fields.Field:
    """The field a 变更 names: its key, label, 台账 header or a header synonym — the names the
    import reads in a sheet's header row (``gzdesk.fields.field_for``)."""
    f = fields.field_for(raw_key)
    if f is None:
        raise UserError(f"未知的变更字段“{raw_key}”")
    if not f.changeable:
        if f.key == "qr_image":
            raise UserError("二维码图片请在账号编辑窗口中更换，不能作为变更字段")
        raise UserError(f"{f.label}不能作为变更字段")
    return f


def normalize_changes(session: Session, changes: dict | None) -> dict:
    """The changed fields of a 变更 as JSON-ready values with their proper codes.

    Accepts the names and the values the import accepts (``gzdesk.fields.parse_value``: dates in
    any usual spelling, 是/否/√/×, platform labels and 其他：名称, 1.2万), and unit names.
    """
    out: dict = {}
    for raw_key, value in (changes or {}).items():
        f = parse_change_key(raw_key)
        if f.kind == fields.UNIT:
            by_id = str(raw_key).strip().endswith("_id")  # host_unit_id: 12 is a unit's id, else a name
            out.update(_unit_change(session, f.key if by_id else f.column, value))
            continue
        parsed, problem = fields.parse_value(f, value, f.label)
        if problem:
            raise UserError(problem)
        if parsed is None:
            if f.required:
                raise UserError(f"{f.label}不能为空")
            out[f.key] = None
        elif f.kind == fields.DATE:
            out[f.key] = parsed.isoformat()
        elif isinstance(parsed, tuple):  # 其他：哔哩哔哩
            out["platform"], out["platform_other"] = parsed
        elif f.kind == fields.STATUS and parsed not in (AccountStatus.NORMAL, AccountStatus.PAUSED):
            raise UserError("关停、注销请办理关停或注销备案，不能作为变更字段")
        else:
            out[f.key] = parsed
    return out


def _unit_change(session: Session, key: str, value) -> dict:
    id_key = key if key.endswith("_id") else f"{key}_id"
    if value in ("", None):
        return {id_key: None}
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit() and key.endswith("_id")):
        unit = session.get(Unit, int(value))
    else:
        unit = session.scalars(select(Unit).where(Unit.name == " ".join(str(value).split()))).first()
    if unit is None:
        raise UserError(f"找不到单位“{value}”，请先在单位管理中添加")
    return {id_key: unit.id}


def overlay_changes(session: Session, snapshot: dict, proposed: dict) -> dict:
    """The snapshot with the proposed values put in (unit names and labels kept in step)."""
    out = dict(snapshot)
    out.update(proposed)
    for prefix in ("supervisor", "host", "operator"):
        if f"{prefix}_unit_id" in proposed:
            uid = proposed[f"{prefix}_unit_id"]
            unit = session.get(Unit, uid) if uid else None
            out[f"{prefix}_unit"] = unit.name if unit else None
    out["platform_label"] = enums.label("platform", out.get("platform"))
    out["status_label"] = enums.label("status", out.get("status"))
    return out


def changes_text(proposed: dict, frozen: dict) -> str:
    """名称：盐湖发布；主办单位：运城市盐湖区教育局 — a 变更's changed fields for people (the 备案记录
    sheet), unit names from the frozen copy (which shows the new data), dates as 2026年11月22日."""
    parts = []
    for key, value in proposed.items():
        if key.endswith("_unit_id"):
            value = frozen.get(key[: -len("_id")]) or ("（无）" if value is None else value)
        elif key in ("platform", "status"):
            value = enums.label(key, value)
        elif isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            value = cn_date(date.fromisoformat(value))
        parts.append(f"{fields.LABELS.get(key, key)}：{'（空）' if value in (None, '') else value}")
    return "；".join(parts)


def account_with_changes(session: Session, account_id: int, proposed: dict) -> registry.AccountData:
    """The account as it reads with a 变更's changes applied (to validate them, and on approval)."""
    data = registry.get_account(session, account_id)
    for key, value in proposed.items():
        if key in fields.DATE_KEYS and isinstance(value, str):
            value = date.fromisoformat(value)
        setattr(data, key, value)
    return data
