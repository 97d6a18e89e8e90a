"""The registry's tables (schema version: see ``gzdesk.models.migrations``).

Field names follow the two official forms (docs/ARCHITECTURE.md has the module map):
山西省政府系统政务新媒体备案登记表（县市区） (seed 000) and 南通市政务新媒体备案登记表 (seed 003 附件1).
Enumerations are stored as codes from ``gzdesk.enums``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gzdesk.models.base import Base, Record, now
from gzdesk.models.types import (
    Boolean,
    Date,
    DateTime,
    Integer,
    JSONText,
    LargeBinary,
    String,
    Text,
    json_account_data,
    json_list_of_titles,
)

# Column types that read a bad stored value as None instead of raising (see types.py); the names
# are SQLAlchemy's. ``info`` carries what gzdesk.value_check checks beyond the type:
# {"enum": kind in gzdesk.enums}, {"image": True} (PNG/JPEG of sane size), {"max_bytes": n},
# {"uuid": True} (a record's uuid).

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024  # a scanned form or 公告 screenshot; far more is not a scan


class Unit(Record, Base):
    """单位: the county, a township or bureau, or one of its 内设机构. Units form a tree."""

    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="other", info={"enum": "unit_type"})
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    head: Mapped[str | None] = mapped_column(String(100))  # 主要负责人
    leader: Mapped[str | None] = mapped_column(String(200))  # 分管领导及职务
    phone: Mapped[str | None] = mapped_column(String(100))  # 联系电话
    classified: Mapped[bool] = mapped_column(Boolean, default=False)  # 涉密单位
    notes: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")


class Account(Record, Base):
    """账号: one government new-media account, with every field of both official forms."""

    __tablename__ = "account"

    name: Mapped[str] = mapped_column(String(200))  # 名称 (indexed with platform: ix_account_name_platform)
    handle: Mapped[str | None] = mapped_column(String(500))  # 账号ID: 微信号 / 微博链接 / APP下载地址
    platform: Mapped[str] = mapped_column(String(30), index=True, info={"enum": "platform"})
    platform_other: Mapped[str | None] = mapped_column(String(100))  # 其他平台: free text
    registered_on: Mapped[date | None] = mapped_column(Date)  # 创建/注册日期, 开设时间
    followers: Mapped[int | None] = mapped_column(Integer)  # 关注量/粉丝量
    followers_on: Mapped[date | None] = mapped_column(Date)  # date the follower count was read
    status: Mapped[str] = mapped_column(String(20), default="normal", index=True, info={"enum": "status"})
    verified: Mapped[bool | None] = mapped_column(Boolean)  # 是否通过认证
    verification_names_host: Mapped[bool | None] = mapped_column(Boolean)  # 认证信息标明主办单位
    news_license: Mapped[bool | None] = mapped_column(Boolean)  # 是否取得互联网新闻信息服务资质

    supervisor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    supervisor_leader: Mapped[str | None] = mapped_column(String(200))  # 主管单位分管领导及职务
    supervisor_phone: Mapped[str | None] = mapped_column(String(100))
    host_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))  # ix_account_host_unit
    host_leader: Mapped[str | None] = mapped_column(String(200))  # 主办单位分管领导及职务
    host_phone: Mapped[str | None] = mapped_column(String(100))  # 联系电话及方式
    operator_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    operator_leader: Mapped[str | None] = mapped_column(String(200))  # 承办单位分管领导及职务
    operator_phone: Mapped[str | None] = mapped_column(String(100))

    url: Mapped[str | None] = mapped_column(String(500))  # 访问链接
    qr_image: Mapped[bytes | None] = mapped_column(LargeBinary, info={"image": True})  # 二维码 (PNG/JPEG)
    intro: Mapped[str | None] = mapped_column(Text)  # 简介 / 基本情况介绍
    last_update_on: Mapped[date | None] = mapped_column(Date)  # 最近更新日期
    last_original_on: Mapped[date | None] = mapped_column(Date)  # 最近原创信息日期 (云南23, 南通19)
    tags: Mapped[str | None] = mapped_column(String(500))  # comma-separated, e.g. 重大活动专项
    notes: Mapped[str | None] = mapped_column(Text)
    # schema 6: 移动客户端（APP）无法下载或使用 since this day (南通 附件2 内容不更新 2); None: usable
    unusable_since: Mapped[date | None] = mapped_column(Date)
    # 云南 第十六条: a name with a place or agency name needs 同级政府同意 (schema 7)
    name_consent_on: Mapped[date | None] = mapped_column(Date)
    name_consent_ref: Mapped[str | None] = mapped_column(String(200))  # 文号 or how it was given

    supervisor_unit: Mapped[Unit | None] = relationship(foreign_keys=[supervisor_unit_id])
    host_unit: Mapped[Unit | None] = relationship(foreign_keys=[host_unit_id])
    operator_unit: Mapped[Unit | None] = relationship(foreign_keys=[operator_unit_id])
    roles: Mapped[list[AccountRole]] = relationship(back_populates="account", cascade="all, delete-orphan")


class Person(Record, Base):
    """人员: someone on an account's 管理队伍."""

    __tablename__ = "person"

    name: Mapped[str] = mapped_column(String(100), index=True)  # 姓名
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))  # 职务 (printed as 单位及职务 with the unit)
    office_phone: Mapped[str | None] = mapped_column(String(50))  # 办公电话
    mobile: Mapped[str | None] = mapped_column(String(50))  # 手机号码
    trained_on: Mapped[date | None] = mapped_column(Date)  # 培训日期 (须经培训后方可上岗)
    left_on: Mapped[date | None] = mapped_column(Date)  # 离职日期
    notes: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship()
    roles: Mapped[list[AccountRole]] = relationship(back_populates="person", cascade="all, delete-orphan")


class AccountRole(Record, Base):
    """A person's role on an account's 管理队伍 (分管领导, 处室负责人, 管理员, 信息员, 运维)."""

    __tablename__ = "account_role"
    __table_args__ = (UniqueConstraint("account_id", "person_id", "role"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), info={"enum": "role"})
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)

    account: Mapped[Account] = relationship(back_populates="roles")
    person: Mapped[Person] = relationship(back_populates="roles")


class Filing(Record, Base):
    """备案事项: one filing (开设 / 变更 / 关停 / 注销 / 整合 / 补办) of one account.

    ``frozen`` is a JSON copy of the account (and its team) as filed, so the printed form can be
    reproduced years later; ``proposed`` holds the new data of a 变更 until it is approved.
    """

    __tablename__ = "filing"
    # 备案编号 is unique per origin (schema 4): every county numbers its own filings alike
    __table_args__ = (Index("ux_filing_origin_number", func.coalesce(text("origin"), ""), "number", unique=True),)

    number: Mapped[str] = mapped_column(String(40))  # 备案编号
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20), info={"enum": "filing_kind"})
    state: Mapped[str] = mapped_column(String(30), default="draft", index=True, info={"enum": "filing_state"})
    reason: Mapped[str | None] = mapped_column(Text)  # 开办（变更、关停、整合）理由
    filled_on: Mapped[date | None] = mapped_column(Date)  # 填表时间
    event_on: Mapped[date | None] = mapped_column(Date)  # the day the account was opened/changed/closed
    profile_id: Mapped[str | None] = mapped_column(String(60))
    template_id: Mapped[str | None] = mapped_column(String(60))
    chain: Mapped[str | None] = mapped_column(JSONText(json_list_of_titles))  # JSON list of approval step titles, fixed at creation
    frozen: Mapped[str | None] = mapped_column(JSONText(json_account_data))  # JSON: account data as filed
    proposed: Mapped[str | None] = mapped_column(JSONText(json_account_data))  # JSON: new data of a 变更
    announce_from: Mapped[date | None] = mapped_column(Date)  # 停更注销公告 published
    announce_until: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)  # status change takes effect
    reported_on: Mapped[date | None] = mapped_column(Date)  # 全国政务新媒体信息报送系统 updated
    merge_parent_id: Mapped[int | None] = mapped_column(ForeignKey("filing.id", ondelete="RESTRICT"), index=True)
    kept_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # the unit's own decision (schema 7): 盐湖 第十一条 会议研究或主要领导签字确认; 云南 第十二条 (开设)
    # 集体研究和主要领导同意, 第十八条 集体研究或主要领导同意; 南通 第十六条
    meeting_on: Mapped[date | None] = mapped_column(Date)  # 本单位会议（集体）研究
    meeting_note: Mapped[str | None] = mapped_column(String(300))  # 会议名称、纪要
    head_approved_on: Mapped[date | None] = mapped_column(Date)  # 主要领导签字确认（同意）
    head_name: Mapped[str | None] = mapped_column(String(100))

    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])
    steps: Mapped[list[ApprovalStep]] = relationship(
        back_populates="filing", cascade="all, delete-orphan", order_by="ApprovalStep.seq"
    )


class ApprovalStep(Record, Base):
    """One step of a filing's approval chain: 意见, 负责人, date, and an optional scan."""

    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("filing_id", "seq"),)

    filing_id: Mapped[int] = mapped_column(ForeignKey("filing.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))  # e.g. 主办单位意见
    opinion: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(20), default="approved", info={"enum": "step_result"})
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachment.id", ondelete="SET NULL"), index=True)

    filing: Mapped[Filing] = relationship(back_populates="steps")


class Attachment(Record, Base):
    """A scanned file (signed form, approval, 公告 screenshot) kept inside the database."""

    __tablename__ = "attachment"

    owner_uuid: Mapped[str] = mapped_column(String(36), index=True, info={"uuid": True})  # the record it belongs to
    filename: Mapped[str] = mapped_column(String(300))
    mime: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary, info={"max_bytes": MAX_ATTACHMENT_BYTES})
    note: Mapped[str | None] = mapped_column(String(300))


class Task(Record, Base):
    """A to-do with a due date that is not a filing step: 离职 → change passwords, return devices."""

    __tablename__ = "task"

    kind: Mapped[str] = mapped_column(String(30), info={"enum": "task_kind"})
    title: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    article: Mapped[str | None] = mapped_column(String(100))  # the rule that asks for it


class AuditEvent(Base):
    """审计日志: who did what, when, to which record, with fields before and after (JSON).

    Written only by ``gzdesk.audit`` (never through the ORM), chained by hash (schema 8):
    ``prev_hash`` is the previous event's ``hash``, ``hash`` covers this event's content."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_uuid"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))  # create / update / delete / import / merge / …
    entity: Mapped[str] = mapped_column(String(40))  # table name
    entity_uuid: Mapped[str | None] = mapped_column(String(36))  # the record's uuid, or its key
    summary: Mapped[str | None] = mapped_column(String(500))  # e.g. the record's name
    changes: Mapped[str | None] = mapped_column(Text)  # JSON {field: [before, after]}
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class AuditRow(Base):
    """One record written by a bulk operation (import, demo, merge): the digest of its values then
    (``gzdesk.audit.row_digest``), or NULL for a record it deleted. Bound to its event by the
    event's ``rows_digest`` (schema 8)."""

    __tablename__ = "audit_row"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str | None] = mapped_column(String(64))


class Setting(Base):
    """Key/value settings of this office's database: unit, profile (a JSON copy), actor."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class OfficeHoliday(Base):
    """The office's own calendar entries for years chinese-calendar does not cover yet.

    ``workday`` False marks a holiday (休), True a 调休 working day (班). Added in schema 2.
    """

    __tablename__ = "office_holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(100))


# --------------------------------------------------------------------------- schema 3: snapshots
# Added by the snapshot exchange (gzdesk/exchange/snapshot.py, merge.py); DDL in sql/v003_snapshot_source.sql.


class SnapshotSource(Base):
    """来源快照: a lower office whose 上报快照 has been merged into this database.

    One row per source office (keyed by the uuid of its own unit), updated by each newer snapshot:
    the merged library shows, per source, the date of its last snapshot. ``counts`` is the JSON
    {table: rows} of that snapshot's manifest; ``result`` the JSON {added, changed, gone} of the
    last merge that changed something.
    """

    __tablename__ = "snapshot_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    profile_id: Mapped[str | None] = mapped_column(String(60))
    snapshot_created_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    schema_version: Mapped[int] = mapped_column(Integer)
    merged_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    counts: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    # schema 8 (gzdesk/exchange/trust.py): the last merged audit-chain head, and the pinned key
    chain_event_id: Mapped[int | None] = mapped_column(Integer)
    chain_head: Mapped[str | None] = mapped_column(String(64))
    public_key: Mapped[str | None] = mapped_column(String(64))  # Ed25519, hex
    key_pinned_at: Mapped[datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- schema 6: supervision
# Quarterly inspections (南通 附件2), 整改, the quarter's report, the annual assessment's manual
# entries (附件3), fake-account reports and the census report (临沂); DDL in sql/v006_supervision.sql.
# Every table has uuid and origin, so a county's records travel to the city in its snapshot.
# References to an account are SET NULL: a record of supervision outlives a deleted account and
# keeps the account's name as it was when recorded.


# 关停/注销 filings are few among 100,000s: the closure checks (rules.closed_without_notice, 附件3 集约整合 2)
# read them through this index instead of scanning the wide filing table (≈350 ms → 1 ms at 200,000 accounts).
Index("ix_filing_kind", Filing.kind)

# schema 10 (sql/v010_check_indexes.sql). The host unit's index holds what the group rules of
# ``gzdesk.rules`` read (同一平台多个账号, 各平台名称不一致), so SQLite answers them from the index in unit
# order; (name, platform) is the import wizard's lookup of the accounts a file names
# (``gzdesk.exchange.import_compare``). Each replaces an index on its first column alone.
Index("ix_account_host_unit", Account.host_unit_id, Account.name, Account.platform, Account.status)
Index("ix_account_name_platform", Account.name, Account.platform)


class Inspection(Record, Base):
    """检查: one account checked in one quarter with an indicator sheet (附件2)."""

    __tablename__ = "inspection"

    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"), index=True)
    account_name: Mapped[str] = mapped_column(String(200))  # as it was when inspected
    platform: Mapped[str | None] = mapped_column(String(30))
    host_unit: Mapped[str | None] = mapped_column(String(200))
    quarter: Mapped[str] = mapped_column(String(6), index=True)  # 2026Q4
    inspected_on: Mapped[date] = mapped_column(Date)
    inspector: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20), default="own")  # enums.InspectionLevel
    sheet_id: Mapped[str] = mapped_column(String(60))
    sheet_borrowed: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[int | None] = mapped_column(Integer)  # None when vetoed
    result: Mapped[str] = mapped_column(String(10))  # 合格 / 不合格
    notified_on: Mapped[date | None] = mapped_column(Date)  # 通报 date: starts the 10 days of 整改
    note: Mapped[str | None] = mapped_column(Text)

    findings: Mapped[list[InspectionFinding]] = relationship(
        back_populates="inspection", cascade="all, delete-orphan", order_by="InspectionFinding.seq")


class InspectionFinding(Record, Base):
    """One veto or deduction item found in an inspection, and its 整改 (rectification)."""

    __tablename__ = "inspection_finding"
    __table_args__ = (UniqueConstraint("inspection_id", "seq"),)

    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # veto / deduct
    item: Mapped[str] = mapped_column(String(100))  # the sheet's 二级指标 text
    rule_no: Mapped[int | None] = mapped_column(Integer)  # which 评分细则 of a veto item
    count: Mapped[int] = mapped_column(Integer, default=1)
    points: Mapped[int | None] = mapped_column(Integer)  # deducted (capped); None when not scored
    prefilled: Mapped[bool] = mapped_column(Boolean, default=False)  # from what the registry knew
    note: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # 整改 due: 通报 + 10 days
    done_on: Mapped[date | None] = mapped_column(Date)
    rectify_note: Mapped[str | None] = mapped_column(Text)

    inspection: Mapped[Inspection] = relationship(back_populates="findings")


class QuarterReport(Record, Base):
    """The quarter's 检查整改情况 report, recorded as sent (附件3 抽查检查: 下一季度首月5日前报送)."""

    __tablename__ = "quarter_report"
    __table_args__ = (Index("ux_quarter_report_origin_quarter", func.coalesce(text("origin"), ""), "quarter",
                            unique=True),)

    quarter: Mapped[str] = mapped_column(String(6))
    sent_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class AssessmentEntry(Record, Base):
    """A value of the annual assessment (附件3) that the registry cannot know, entered by hand.

    ``scope`` is empty for this office's own assessment, else the name of the lower office (a
    snapshot source) the entry is about; ``item`` is the 二级指标, with ``.N`` for a numbered line.
    """

    __tablename__ = "assessment_entry"
    __table_args__ = (Index("ux_assessment_entry", func.coalesce(text("origin"), ""), "scope", "year", "item",
                            unique=True),)

    year: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(200), default="", info={"blank_ok": True})
    item: Mapped[str] = mapped_column(String(100))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class FakeReport(Record, Base):
    """假冒政务新媒体: found or reported, then handled step by step until closed
    (盐湖 第二十五条, 太白 第二十条, 云南 第四十一条, 南通 第三十条, 临沂 四（二）)."""

    __tablename__ = "fake_report"

    name: Mapped[str] = mapped_column(String(200))  # the fake account's name
    platform: Mapped[str | None] = mapped_column(String(30))  # enums.Platform
    platform_other: Mapped[str | None] = mapped_column(String(100))
    link: Mapped[str | None] = mapped_column(String(500))
    imitated_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"),
                                                            index=True)
    how: Mapped[str] = mapped_column(String(20), default="found")  # found (自行发现) / reported (网民举报)
    reporter: Mapped[str | None] = mapped_column(String(200))  # who found or reported it
    found_on: Mapped[date] = mapped_column(Date)
    found_where: Mapped[str | None] = mapped_column(String(300))
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))  # closed / not_fake
    note: Mapped[str | None] = mapped_column(Text)

    steps: Mapped[list[FakeStep]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                 order_by="FakeStep.id")


class FakeStep(Record, Base):
    """One step of a fake-account report: 排查核实, 商请网信、公安协同处理, 致函平台运营方关停, 报上级主管单位备案."""

    __tablename__ = "fake_step"

    report_id: Mapped[int] = mapped_column(ForeignKey("fake_report.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(20))  # enums.FakeStepKind
    done_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    report: Mapped[FakeReport] = relationship(back_populates="steps")


class CensusReport(Record, Base):
    """排查摸底 report upward (临沂 五): the period and the clerk's prose sections (JSON {section: text})."""

    __tablename__ = "census_report"

    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    sections: Mapped[str] = mapped_column(Text)
    written_on: Mapped[date] = mapped_column(Date)


# --------------------------------------------------------------------------- schema 7: to the letter
# 云南 第四十五条 异议, 太白 第十一条 replies, the State Council's holiday notices.


class Objection(Record, Base):
    """异议 (云南 第四十五条): someone holds that published information is wrong, incomplete or
    infringes their rights. Handled within 7 working days of receipt; with the approval of the
    unit's head the time may be extended (``extended_to``: working days in all, at most 30)."""

    __tablename__ = "objection"

    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"), index=True)
    objector: Mapped[str] = mapped_column(String(200))  # 异议申请人
    contact: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text)  # which information, and what is objected to
    received_on: Mapped[date] = mapped_column(Date)  # 收到异议申请之日
    extended_to: Mapped[int | None] = mapped_column(Integer)
    extension_approved_by: Mapped[str | None] = mapped_column(String(100))
    extension_approved_on: Mapped[date | None] = mapped_column(Date)
    handled_on: Mapped[date | None] = mapped_column(Date)  # 作出处理
    result: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)  # 告知异议申请人
    notes: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account | None] = relationship()


class ReplyCheck(Record, Base):
    """A reply to a message found at a check (太白 第十一条: 原则上回复处理不超过2天)."""

    __tablename__ = "reply_check"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    found_on: Mapped[date] = mapped_column(Date)  # the day of the check
    message_on: Mapped[date] = mapped_column(Date)  # 网民留言
    replied_on: Mapped[date | None] = mapped_column(Date)  # None: not replied when checked
    summary: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)

    account: Mapped[Account] = relationship()


class HolidayNotice(Base):
    """The State Council's holiday notice of a year, as imported (``gzdesk holidays import``): its
    days are in ``office_holiday`` and the year is no longer an estimate."""

    __tablename__ = "holiday_notice"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    title: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    imported_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str | None] = mapped_column(String(100))


# --------------------------------------------------------------------------- schema 8: users
# Who may log in and with which role (gzdesk/users.py, gzdesk/permissions.py); DDL in
# sql/v008_users_audit_chain.sql. Not a ``Record``: users never travel in snapshots.


class AppUser(Base):
    """用户: a person who logs in to this office's database, with one role (enums.UserRole).

    ``password`` is ``scrypt$N$r$p$salt$hash`` (base64; see ``gzdesk.users``), never the password
    itself. Columns marked ``secret`` are never written to the audit log in clear (``gzdesk.audit``).
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), info={"enum": "user_role"})  # enums.UserRole
    password: Mapped[str] = mapped_column(String(300), info={"secret": True})
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # consecutive wrong passwords
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_set_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class SigningKey(Base):
    """This office's Ed25519 key pair (hex), made at init (``gzdesk.signing``); one row.

    The private key signs this office's 上报快照. It never leaves the database: snapshots and Excel
    exports leave this table out, and the audit log keeps only a digest of it."""

    __tablename__ = "signing_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_key: Mapped[str] = mapped_column(String(64))
    private_key: Mapped[str] = mapped_column(String(64), info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
