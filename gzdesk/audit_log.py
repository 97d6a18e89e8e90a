"""Reading the audit log for people: labels, filters (who, when, record, action), before/after, Excel.

The 审计日志 page of the window and ``gzdesk audit`` read through here; the chain and its check are
``gzdesk.audit`` and ``gzdesk.audit_verify``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gzdesk import enums, fields, value_check
from gzdesk.dates import cn_date
from gzdesk.models import AuditEvent
from gzdesk.permissions import Cap, require

# The tables' names as everywhere else (gzdesk.value_check), and what only the log names.
TABLE_LABELS = {**value_check.TABLE_LABELS, "setting": "本单位设置", "*": "全库"}
ACTION_LABELS = {"create": "新建", "update": "修改", "delete": "删除", "import": "导入", "demo": "生成演示数据",
                 "merge": "合并快照", "baseline": "建立基线", "bulk": "批量写入", "restore": "恢复备份",
                 "repin": "更换公钥", "reset_source": "重置来源时间", "pin": "登记公钥"}
# Columns' labels: one lookup for every table (gzdesk.fields.column_label); the names stay.
FIELD_LABELS = fields.TABLE_FIELD_LABELS
COMMON_FIELDS = fields.COMMON_LABELS
# code → label tables for fields that store codes (enums)
CODE_FIELDS = {("account", "platform"): "platform", ("account", "status"): "status", ("unit", "kind"): "unit_type",
               ("filing", "kind"): "filing_kind", ("filing", "state"): "filing_state", ("account_role", "role"): "role",
               ("app_user", "role"): "user_role", ("task", "kind"): "task_kind"}


def entity_label(table: str) -> str:
    return TABLE_LABELS.get(table, table)


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def field_label(table: str, name: str) -> str:
    return fields.column_label(table, name)


def record_label(table: str, row: dict[str, Any], key: str) -> str:
    """``通州发布（编号 3）`` for a record as SQLite holds it (a holiday: ``2027-02-06（春节）``)."""
    if table == "office_holiday":
        return f"{row.get('day')}（{row['name']}）" if row.get("name") else str(row.get("day"))
    for attr in ("name", "number", "title", "filename", "role", "key", "day"):
        if row.get(attr):
            name = str(row[attr])
            return f"{name}（编号 {row['id']}）" if row.get("id") is not None and attr != "key" else name
    return f"编号 {row['id']}" if row.get("id") is not None else key


def display_value(table: str, name: str, value: Any) -> str:
    """A logged value for people: codes as labels, dates as 2026年11月22日, secrets hidden."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if "$secret" in value:
            return "（已隐藏）"
        if "$bytes" in value:
            return f"（{value['$bytes']} 字节）"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "是" if value else "否"
    kind = CODE_FIELDS.get((table, name))
    if kind and isinstance(value, str):
        return enums.label(kind, value)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return cn_date(date.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, str) and len(value) == 19 and value[4:5] == "-" and value[10:11] in (" ", "T"):
        try:
            t = datetime.fromisoformat(value)
            return f"{cn_date(t.date())} {t:%H:%M:%S}"
        except ValueError:
            pass
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


# --------------------------------------------------------------------------- reading


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class EventRow:
    """One event as the 审计日志 page shows it."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_uuid: str | None
    summary: str
    changes: list[Change] = field(default_factory=list)
    rows: int = 0  # records written by a bulk event

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def entity_label(self) -> str:
        return entity_label(self.entity)

    @property
    def at_text(self) -> str:
        return f"{cn_date(self.at.date())} {self.at:%H:%M:%S}"

    def changes_text(self) -> str:
        if self.rows:
            return f"批量写入 {self.rows} 条记录（每条的摘要记入审计明细）"
        return "；".join(f"{c.label}：{c.before or '空'} → {c.after or '空'}" for c in self.changes)

    def to_json(self) -> dict:
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action,
                "action_label": self.action_label, "entity": self.entity, "entity_label": self.entity_label,
                "record": self.entity_uuid, "summary": self.summary, "rows": self.rows,
                "changes": [{"field": c.field, "label": c.label, "before": c.before, "after": c.after}
                            for c in self.changes]}


@dataclass
class Filters:
    actor: str | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None  # part of the record's name or its key
    action: str | None = None
    entity: str | None = None


def _event_row(e: AuditEvent) -> EventRow:
    changes: list[Change] = []
    rows = 0
    try:
        data = json.loads(e.changes) if e.changes else {}
    except ValueError:
        data = {"内容": [None, e.changes]}
    if isinstance(data, dict):
        if "rows_digest" in data:
            rows = int(data.get("rows") or 0)
        for key, pair in data.items():
            if key in ("rows", "rows_digest"):
                continue
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            changes.append(Change(key, field_label(e.entity, key), display_value(e.entity, key, before),
                                  display_value(e.entity, key, after)))
    return EventRow(e.id, e.at, e.actor, e.action, e.entity, e.entity_uuid, e.summary or "", changes, rows)


def list_events(session: Session, filters: Filters | None = None, limit: int = 5000) -> list[EventRow]:
    """Events matching ``filters``, newest first (at most ``limit``)."""
    f = filters or Filters()
    stmt = select(AuditEvent)
    if f.actor:
        stmt = stmt.where(AuditEvent.actor == f.actor)
    if f.since:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.since, time.min))
    if f.until:
        stmt = stmt.where(AuditEvent.at <= datetime.combine(f.until, time.max))
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.entity:
        stmt = stmt.where(AuditEvent.entity == f.entity)
    if f.text:
        like = f"%{f.text.strip()}%"
        stmt = stmt.where(or_(AuditEvent.summary.like(like), AuditEvent.entity_uuid.like(like)))
    stmt = stmt.order_by(AuditEvent.id.desc()).limit(limit)
    return [_event_row(e) for e in session.scalars(stmt)]


def count_events(session: Session) -> int:
    return session.scalar(select(func.count(AuditEvent.id))) or 0


def actors(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))


def history_of(session: Session, key: str) -> list[EventRow]:
    """Every event of one record (its uuid or key), oldest first."""
    stmt = select(AuditEvent).where(AuditEvent.entity_uuid == key).order_by(AuditEvent.id)
    return [_event_row(e) for e in session.scalars(stmt)]


# --------------------------------------------------------------------------- Excel


EXPORT_COLUMNS = ("编号", "时间", "操作人", "操作", "对象", "记录", "字段", "修改前", "修改后")


def export_events(session: Session, path: Path | str, filters: Filters | None = None, *,
                  mask_phones: bool = False) -> int:
    """The events matching ``filters`` as a workbook, one line per changed field; returns the number of events.

    Secrets stay hidden (a password hash is shown as （已隐藏））. ``mask_phones`` gives 138****1234
    for the phone fields; a 只读 user gets only that (``gzdesk.permissions``)."""
    from gzdesk.exchange.excel_export import write_book
    from gzdesk.exchange.masking import mask_phone_field, mask_text

    if not mask_phones:
        require(session, Cap.EXPORT)
    rows = list_events(session, filters, limit=1_000_000)
    if mask_phones:
        for e in rows:
            for ch in e.changes:
                mask = mask_phone_field if "phone" in ch.field or ch.field == "mobile" else mask_text
                ch.before, ch.after = mask(ch.before) or "", mask(ch.after) or ""
            e.summary = mask_text(e.summary) or ""
    def build(book) -> None:
        ws = book.add_worksheet("审计日志")
        head = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
        title = book.add_format({"bold": True, "font_size": 14})
        ws.write(0, 0, "审计日志", title)
        ws.write(1, 0, f"导出时间：{cn_date(date.today())}    共 {len(rows)} 条")
        for c, text in enumerate(EXPORT_COLUMNS):
            ws.write(2, c, text, head)
        for c, width in enumerate((8, 20, 12, 12, 12, 30, 18, 36, 36)):
            ws.set_column(c, c, width)
        r = 3
        for e in rows:
            lines = e.changes or [Change("", "", "", "")]
            if e.rows:
                lines = [Change("", "批量写入", "", f"{e.rows} 条记录")]
            for ch in lines:
                ws.write_row(r, 0, [e.id, e.at_text, e.actor, e.action_label, e.entity_label, e.summary,
                                    ch.label, ch.before, ch.after])
                r += 1
        ws.freeze_panes(3, 0)

    # as the 台账 is written: a temporary name renamed when complete, text never read as a formula
    write_book(Path(path), build)
    return len(rows)
