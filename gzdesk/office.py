"""This office: its unit, its policy profile (a copy kept in the database) and its settings."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gzdesk import profiles
from gzdesk.enums import UnitType
from gzdesk.errors import UserError
from gzdesk.models import Person, Setting, Unit
from gzdesk.permissions import Cap, require
from gzdesk.profiles import Profile


@dataclass
class OfficeInfo:
    unit_id: int
    unit_name: str
    profile: Profile


_SETTING = Setting.__table__.c
_UNIT = Unit.__table__.c


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    """The setting ``key`` (``default`` when it is missing or empty).

    Read with a Core select on the table, not ``session.get``: the window's first reads (title,
    profile, login) then need no ORM mapping — SQLAlchemy maps every table on the first ORM query
    (~0.1–0.3 s), which now happens after the table is painted. A change not yet flushed in this
    session is seen as before: the session flushes before a Core select as before an ORM one."""
    value = session.execute(select(_SETTING.value).where(_SETTING.key == key)).scalar()
    return value if value is not None else default


def set_setting(session: Session, key: str, value: str | None) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def is_initialized(session: Session) -> bool:
    return get_setting(session, "office_unit_id") is not None


def init_office(session: Session, unit_name: str, profile: Profile | str, actor: str | None = None) -> OfficeInfo:
    """Record which office this database belongs to. Refuses a database already set up."""
    unit_name = (unit_name or "").strip()
    if not unit_name:
        raise UserError("请填写本单位名称")
    if is_initialized(session):
        raise UserError("该数据库已初始化过，不能重复初始化")
    require(session, Cap.SETTINGS)
    if isinstance(profile, str):
        profile = profiles.by_id(profile)
    unit = session.scalars(select(Unit).where(Unit.name == unit_name)).first()
    if unit is None:
        unit = Unit(name=unit_name, kind=UnitType.GOVERNMENT)
        session.add(unit)
        session.flush()
    set_setting(session, "office_unit_id", str(unit.id))
    set_setting(session, "profile", profile.to_json())
    if actor:
        set_setting(session, "actor", actor)
    from gzdesk import signing

    signing.ensure_key(session)  # this office's key pair for signing its 上报快照
    return OfficeInfo(unit.id, unit.name, profile)


def office(session: Session) -> OfficeInfo:
    """This database's office, or a UserError asking to run init."""
    unit_id = get_setting(session, "office_unit_id")
    if unit_id is None:
        raise UserError("数据库尚未初始化，请先运行 gzdesk init --unit 单位名称 --profile 配置编号")
    unit = session.execute(select(_UNIT.name).where(_UNIT.id == int(unit_id))).first()  # no ORM mapping: see get_setting
    return OfficeInfo(int(unit_id), unit.name if unit else "", current_profile(session))


def current_profile(session: Session) -> Profile:
    raw = get_setting(session, "profile")
    if raw is None:
        raise UserError("数据库尚未初始化，请先运行 gzdesk init --unit 单位名称 --profile 配置编号")
    return profiles.validate(json.loads(raw), "（本库）")


_AREA_CODE = re.compile(r"^\s*(0\d{2,3})\s*-")


def area_code(session: Session) -> str | None:
    """The office's telephone area code, for the examples in phone fields: the one most landlines
    in the registry use (the office's own data), else the profile's ``area_code`` (a city or county
    profile has one; a province's does not), else None."""
    codes: Counter[str] = Counter()
    for phone in (*session.scalars(select(Unit.phone).where(Unit.phone.is_not(None)).limit(2000)),
                  *session.scalars(select(Person.office_phone).where(Person.office_phone.is_not(None)).limit(2000))):
        m = _AREA_CODE.match(phone or "")
        if m:
            codes[m.group(1)] += 1
    if codes:
        return codes.most_common(1)[0][0]
    try:
        code = current_profile(session).data.get("area_code")
    except UserError:
        return None
    return str(code) if code else None


def replace_profile(session: Session, profile: Profile) -> None:
    """Use an edited copy of a profile in this office's database. 管理员 only (the setting's change
    is in the audit log, before and after)."""
    require(session, Cap.SETTINGS)
    set_setting(session, "profile", profile.to_json())
