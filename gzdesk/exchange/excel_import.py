"""Import an office's 台账 spreadsheet: read, map, preview every row with its problems, apply.

``read_workbook(path)`` finds the accounts sheet and its header row (under title rows and merged
cells), maps columns by header synonyms, types every cell and lists each row's problems — no
database needed. ``check_against(session, plan)`` adds what the database knows: which rows match
an existing account (same uuid, or same 名称 + 平台 + 主办单位) and will update or keep it, and
whether the 管理队伍 / 备案记录 rows of our own export name accounts that exist.
``apply_plan(session, plan)`` writes it all in the caller's one transaction — all or nothing:
nothing is written while a row has a problem unless the caller excludes the bad rows explicitly
(``skip_bad`` or ``row.excluded``). New records go in as bulk inserts with one summary audit
event; changed existing records go through the ORM and are audited field by field.

A blank cell never erases a stored value, and a masked phone (138****1234) never replaces the real
number it masks, so re-importing a 脱敏 copy or a partial sheet loses nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from gzdesk import audit, enums, registry
from gzdesk.dates import cn_date, normalize_text, parse_date
from gzdesk.errors import UserError
from gzdesk.exchange.columns import (
    ACCOUNT_COLUMN_BY_KEY,
    ACCOUNT_SYNONYMS,
    ACCOUNTS_SHEET,
    BOOL,
    DATE,
    FILING_COLUMNS,
    FILING_SYNONYMS,
    FILINGS_SHEET,
    IMPORT_ONLY_KEYS,
    INT,
    KIND,
    PHONE,
    PLATFORM,
    ROLE,
    SEQ,
    STATE,
    STATUS,
    TEAM_COLUMNS,
    TEAM_SHEET,
    TEAM_SYNONYMS,
    UNIT,
    UNIT_COLUMNS,
    UNIT_FIELDS,
    UNIT_SYNONYMS,
    UNIT_TYPE,
    UNITS_SHEET,
    UUID,
    Column,
)
from gzdesk.exchange.csv_text import BIG5
from gzdesk.exchange.long_text import join_long_texts, truncated_copy
from gzdesk.exchange.masking import masked_copy_of
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.sheet_reader import (
    Table,
    auto_mapping,
    cell_text,
    find_header,
    header_score,
    is_blank,
    read_file,
)
from gzdesk.models import Account, AccountRole, ApprovalStep, Filing, Person, Task, Unit
from gzdesk.models.base import new_uuid, now
from gzdesk.people_tasks import office_departure_article
from gzdesk.permissions import Cap, require
from gzdesk.validation import MASKED_MOBILE_RE, MOBILE_RE, clean_phone, phone_problem, read_yes_no

CREATE, UPDATE, SAME = "create", "update", "same"
UNIT_UUID_KEYS = tuple(f"{k}_uuid" for k in UNIT_FIELDS)  # resolved when applied; names are compared
UNIT_SCALARS = ("name", "kind", "head", "leader", "phone", "classified", "notes")
ACTION_LABELS = {CREATE: "新增", UPDATE: "更新", SAME: "不变"}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
INSERT_CHUNK = 5000
PERSON_FIELDS = ("name", "title", "office_phone", "mobile", "trained_on", "left_on", "notes")
FILING_SCALARS = ("kind", "state", "reason", "filled_on", "event_on", "announce_from", "announce_until",
                  "effective_on", "reported_on", "notes")
MAX_LISTED_PROBLEMS = 10


# --------------------------------------------------------------------------- plan


@dataclass
class PlanRow:
    """One data row of a sheet: its typed values and what is wrong with it."""

    line: int  # the row number the spreadsheet shows (1-based)
    values: dict[str, Any]
    parse_problems: list[str] = field(default_factory=list)
    link_problems: list[str] = field(default_factory=list)  # found against the database
    notes: list[str] = field(default_factory=list)
    action: str = CREATE
    target_uuid: str | None = None  # the record this row creates or updates
    excluded: bool = False  # left out on purpose (wizard checkbox / --skip-bad)

    @property
    def problems(self) -> list[str]:
        return self.parse_problems + self.link_problems

    @property
    def bad(self) -> bool:
        return bool(self.parse_problems or self.link_problems)


@dataclass
class SheetPart:
    """One mapped sheet: where its header is and which column feeds which field."""

    sheet: str
    header_row: int  # 0-based index into the sheet's rows
    headers: list[str]
    mapping: dict[int, str]  # column index → field key
    rows: list[PlanRow]


@dataclass
class ImportPlan:
    """Everything read from a file, ready to preview and apply."""

    path: Path
    sheets: list[str]
    accounts: SheetPart
    team: SheetPart | None = None
    filings: SheetPart | None = None
    units: SheetPart | None = None
    tables: dict[str, Table] = field(default_factory=dict, repr=False)
    checked: bool = False
    encoding: str | None = None  # a text file: the encoding it was read in
    long_text_problems: dict[tuple[str, int], list[str]] = field(default_factory=dict, repr=False)
    renamed: bool = False  # the content was not what the file name says (read as what it is)

    # Shortcuts used by the CLI and the wizard
    @property
    def sheet(self) -> str:
        return self.accounts.sheet

    @property
    def header_row(self) -> int:
        return self.accounts.header_row

    @property
    def mapping(self) -> dict[int, str]:
        return self.accounts.mapping

    @property
    def rows(self) -> list[PlanRow]:
        return self.accounts.rows

    def parts(self) -> list[SheetPart]:
        return [p for p in (self.accounts, self.team, self.filings, self.units) if p is not None]

    def all_rows(self) -> list[tuple[str, PlanRow]]:
        return [(p.sheet, r) for p in self.parts() for r in p.rows]

    def bad_rows(self) -> list[tuple[str, PlanRow]]:
        return [(s, r) for s, r in self.all_rows() if r.bad]

    def problem_lines(self, include_excluded: bool = True) -> list[str]:
        """“第 7 行：平台“微信群”无法识别”, prefixed with the sheet name outside the accounts sheet."""
        out: list[str] = []
        for part in self.parts():
            prefix = "" if part is self.accounts else f"“{part.sheet}”"
            for r in part.rows:
                if r.bad and (include_excluded or not r.excluded):
                    out.extend(f"{prefix}第 {r.line} 行：{p}" for p in r.problems)
        return out

    def counts(self) -> dict[str, int]:
        c = Counter(r.action for r in self.rows if not r.bad and not r.excluded)
        return {"rows": len(self.rows), "bad": sum(1 for r in self.rows if r.bad),
                "excluded": sum(1 for r in self.rows if r.excluded), "create": c[CREATE], "update": c[UPDATE],
                "same": c[SAME], "team_rows": len(self.team.rows) if self.team else 0,
                "filing_rows": len(self.filings.rows) if self.filings else 0,
                "unit_rows": len(self.units.rows) if self.units else 0}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    units_created: int = 0
    units_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    roles_added: int = 0
    filings_created: int = 0
    filings_updated: int = 0
    departures: int = 0  # people whose 离职日期 this import recorded
    tasks_created: int = 0

    def summary(self) -> str:
        parts = [f"新增账号 {self.created} 个", f"更新 {self.updated} 个", f"未变 {self.unchanged} 个"]
        if self.skipped:
            parts.append(f"跳过有问题的行 {self.skipped} 行")
        if self.units_created or self.units_updated:
            parts.append(f"新建单位 {self.units_created} 个" + (f"、更新 {self.units_updated} 个" if self.units_updated else ""))
        if self.people_created or self.people_updated or self.roles_added:
            parts.append(f"人员新增 {self.people_created} 人、更新 {self.people_updated} 人，岗位新增 {self.roles_added} 个")
        if self.filings_created or self.filings_updated:
            parts.append(f"备案记录新增 {self.filings_created} 条、更新 {self.filings_updated} 条")
        if self.departures:
            parts.append(f"登记离职 {self.departures} 人，生成改密码、收回设备待办 {self.tasks_created} 项")
        return "，".join(parts)


# --------------------------------------------------------------------------- cells


def _text(raw: Any) -> str:
    """Text as typed, trimmed at the ends only (the editors store it so); inside, ideographic
    spaces (a paragraph's 　　), line breaks and punctuation are kept exactly."""
    if isinstance(raw, (datetime, date)):
        return raw.isoformat()
    return cell_text(raw).strip()


def parse_cell(col: Column, raw: Any) -> tuple[Any, str | None]:
    """(typed value, problem) for one cell of a column; blank gives (None, None)."""
    if is_blank(raw):
        return None, None
    kind = col.kind
    if kind == DATE:
        try:
            return parse_date(raw), None
        except ValueError:
            return None, f"{col.header}“{_text(raw)}”不是有效日期（可写 2019-03-12 或 2019年3月12日）"
    if kind == INT:
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return int(raw), None if raw >= 0 else f"{col.header}不能为负数"
        t = normalize_text(str(raw)).replace(",", "").replace(" ", "")
        scale = 1
        if t.endswith("万"):
            t, scale = t[:-1], 10000
        try:
            value = round(float(t) * scale)
        except ValueError:
            return None, f"{col.header}“{_text(raw)}”不是数字"
        return value, None if value >= 0 else f"{col.header}不能为负数"
    text = _text(raw)
    if kind == BOOL:
        answer = read_yes_no(text)
        if answer is not None:
            return answer, None
        return None, f"{col.header}“{text}”应填“是”或“否”"
    if kind in (PLATFORM, STATUS, ROLE, KIND, STATE, UNIT_TYPE):
        t = normalize_text(text)
        code = enums.code_for(kind if kind not in (PLATFORM, STATUS) else kind, t)
        if code is None and kind == PLATFORM:
            m = re.match(r"^其他[:：](.+)$", t)
            if m:
                return ("other", m.group(1).strip()), None
        if code is None:
            return None, f"{col.header}“{text}”无法识别"
        return code, None
    if kind == PHONE:
        return normalize_text(text), None
    if kind == UNIT:
        return " ".join(text.split()), None
    if kind == UUID:
        t = normalize_text(text).lower()
        return (t, None) if UUID_RE.match(t) else (None, f"{col.header}“{text}”格式不正确")
    if col.key in ("handle", "url"):
        return normalize_text(text), None
    return text, None


def _parse_row(row: list[Any], mapping: dict[int, str], columns: dict[str, Column]) -> tuple[dict, list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for col_index, key in mapping.items():
        col = columns[key]
        if col.kind == SEQ:
            continue
        raw = row[col_index] if col_index < len(row) else None
        value, problem = parse_cell(col, raw)
        if problem:
            problems.append(problem)
        elif value is not None:
            values[key] = value
    return values, problems


def _data_rows(rows: Table, header_row: int, mapping: dict[int, str], columns: dict[str, Column],
               ticker: Ticker | None = None):
    """(line, values, problems) for every non-blank row below the header (序号-only rows are blank)."""
    useful = [i for i, k in mapping.items() if columns[k].kind != SEQ]
    for index in range(header_row + 1, len(rows)):
        if ticker is not None:
            ticker.advance()
        row = rows[index]
        if all(is_blank(row[i]) for i in useful if i < len(row)):
            continue
        values, problems = _parse_row(row, mapping, columns)
        yield index + 1, values, problems


# --------------------------------------------------------------------------- the accounts sheet


def _account_row(line: int, values: dict, problems: list[str], mapping_keys: set[str]) -> PlanRow:
    if "platform" in values and isinstance(values["platform"], tuple):
        values["platform"], other = values["platform"]
        values.setdefault("platform_other", other)
    if "name" not in mapping_keys:
        problems.append("没有指定“账号名称”列")
    elif not values.get("name"):
        problems.append("账号名称为空")
    if "platform" not in mapping_keys:
        problems.append("没有指定“平台”列")
    elif "platform" not in values and not any("平台" in p for p in problems):
        problems.append("平台为空")
    if values.get("admin_phone") and "*" not in values["admin_phone"]:
        problem = phone_problem(values["admin_phone"])
        if problem:
            problems.append(problem)
    if values.get("admin_phone") and not values.get("admin_name"):
        problems.append("填了管理员联系电话，但没有填管理员姓名")
    if "platform" in values:
        data = registry.AccountData(**{k: v for k, v in values.items()
                                       if k in registry.ACCOUNT_FIELDS})
        for key, message in registry.account_problems(data):
            if key == "name" or (key.endswith("phone") and "*" in (values.get(key) or "")):
                continue  # reported above / a masked copy's phone is acceptable
            problems.append(message)
    return PlanRow(line, values, problems)


def build_accounts_part(rows: Table, sheet: str, header_row: int, mapping: dict[int, str] | None = None,
                        ticker: Ticker | None = None                        ) -> SheetPart:
    header = rows[header_row] if header_row < len(rows) else []
    if mapping is None:
        mapping = auto_mapping(header, ACCOUNT_SYNONYMS)
    keys = set(mapping.values())
    plan_rows = [_account_row(line, values, problems, keys)
                 for line, values, problems in _data_rows(rows, header_row, mapping, ACCOUNT_COLUMN_BY_KEY, ticker)]
    _mark_file_duplicates(plan_rows)
    return SheetPart(sheet, header_row, [cell_text(c) for c in header], mapping, plan_rows)


def _mark_file_duplicates(rows: list[PlanRow]) -> None:
    seen_uuid: dict[str, int] = {}
    seen_key: dict[tuple, PlanRow] = {}
    for r in rows:
        v = r.values
        if v.get("uuid"):
            first = seen_uuid.setdefault(v["uuid"], r.line)
            if first != r.line:
                r.parse_problems.append(f"唯一标识与第 {first} 行重复")
                continue
        if v.get("name") and v.get("platform"):
            # Two rows with their own different uuids are two accounts (a unit may really have two
            # accounts of one name, which the checks report); without uuids they are one account twice.
            key = (v["name"], v["platform"], v.get("host_unit") or "")
            first_row = seen_key.setdefault(key, r)
            if first_row is not r and not (v.get("uuid") and first_row.values.get("uuid")):
                r.parse_problems.append(f"与第 {first_row.line} 行是同一账号（名称、平台、主办单位相同）")


def _pick_accounts_sheet(tables: dict[str, Table], sheet: str | None,
                        encoding: str | None = None) -> tuple[str, int, int]:
    if sheet is not None:
        if sheet not in tables:
            raise UserError(f"文件中没有名为“{sheet}”的工作表（有：{'、'.join(tables)}）")
        candidates = [sheet]
    elif ACCOUNTS_SHEET in tables:
        candidates = [ACCOUNTS_SHEET]
    else:
        candidates = [n for n in tables if n not in (TEAM_SHEET, FILINGS_SHEET)] or list(tables)
    best = None
    for name in candidates:
        row, score = find_header(tables[name], ACCOUNT_SYNONYMS)
        if best is None or score > best[2]:
            best = (name, row, score)
    assert best is not None
    if best[2] < 2:
        where = f"工作表“{best[0]}”" if len(candidates) == 1 else "各工作表"
        hint = "；文件按 Big5 繁体中文编码读取，表头须用简体字" if encoding == BIG5 else ""
        raise UserError(f"{where}的前 30 行中找不到表头（应有“账号名称”“平台”“主办单位”等列名）{hint}")
    return best


# --------------------------------------------------------------------------- 管理队伍 and 备案记录 sheets


def _team_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    columns = {c.key: c for c in TEAM_COLUMNS}
    header_row, score = find_header(rows, TEAM_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, TEAM_SYNONYMS)
    if score < 3 or "name" not in mapping.values():
        return None
    out = []
    for line, values, problems in _data_rows(rows, header_row, mapping, columns, ticker):
        if not values.get("name"):
            problems.append("姓名为空")
        if values.get("role") is None and (values.get("account_uuid") or values.get("account_name")) \
                and not any("岗位" in p for p in problems):
            problems.append("岗位为空")
        for key, mobile_only in (("office_phone", False), ("mobile", True)):
            v = values.get(key)
            if v and "*" not in v:
                p = phone_problem(v, mobile_only=mobile_only)
                if p:
                    problems.append(p)
        if values.get("left_on") and values.get("trained_on") and values["left_on"] < values["trained_on"]:
            problems.append("离职日期不能早于培训日期")
        out.append(PlanRow(line, values, problems))
    return SheetPart(TEAM_SHEET, header_row, [cell_text(c) for c in header], mapping, out)


def _filings_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    columns = {c.key: c for c in FILING_COLUMNS}
    header_row, score = find_header(rows, FILING_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, FILING_SYNONYMS)
    if score < 3 or not {"number", "kind"} <= set(mapping.values()):
        return None
    out = []
    numbers: dict[str, int] = {}
    for line, values, problems in _data_rows(rows, header_row, mapping, columns, ticker):
        if not values.get("number"):
            problems.append("备案编号为空")
        elif numbers.setdefault(values["number"], line) != line:
            problems.append(f"备案编号与第 {numbers[values['number']]} 行重复")
        if values.get("kind") is None and not any("事由" in p for p in problems):
            problems.append("事由为空")
        for key in ("chain", "steps", "frozen", "proposed"):
            if values.get(key):
                try:
                    json.loads(values[key])
                except ValueError:
                    problems.append(f"{columns[key].header}已损坏（不是有效的 JSON）")
        out.append(PlanRow(line, values, problems))
    return SheetPart(FILINGS_SHEET, header_row, [cell_text(c) for c in header], mapping, out)


def _units_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    columns = {c.key: c for c in UNIT_COLUMNS}
    header_row, score = find_header(rows, UNIT_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, UNIT_SYNONYMS)
    if score < 3 or "name" not in mapping.values():
        return None
    out = []
    for line, values, problems in _data_rows(rows, header_row, mapping, columns, ticker):
        if not values.get("name"):
            problems.append("单位名称为空")
        out.append(PlanRow(line, values, problems))
    return SheetPart(UNITS_SHEET, header_row, [cell_text(c) for c in header], mapping, out)


# --------------------------------------------------------------------------- reading


def read_workbook(path: Path | str, sheet: str | None = None, session: Session | None = None,
                  progress: ProgressCallback | None = None) -> ImportPlan:
    """Read and map a spreadsheet. With ``session``, also check it against the database.
    ``progress(done, total)`` counts the rows of every sheet read; False cancels (``Cancelled``)."""
    path = Path(path)
    read = read_file(path, progress)
    tables = read.tables
    long_problems = join_long_texts(tables)  # 超长文本 back onto its cells, before anything reads them
    name, header_row, _score = _pick_accounts_sheet(tables, sheet, read.encoding)
    ticker = Ticker(progress, sum(len(t) for n, t in tables.items()
                                  if n in (name, TEAM_SHEET, FILINGS_SHEET, UNITS_SHEET)))
    ticker.check()
    plan = ImportPlan(path, list(tables), build_accounts_part(tables[name], name, header_row, ticker=ticker),
                      tables=tables, encoding=read.encoding, renamed=read.renamed)
    if TEAM_SHEET in tables and name != TEAM_SHEET:
        plan.team = _team_part(tables[TEAM_SHEET], ticker)
    if FILINGS_SHEET in tables and name != FILINGS_SHEET:
        plan.filings = _filings_part(tables[FILINGS_SHEET], ticker)
    if UNITS_SHEET in tables and name != UNITS_SHEET:
        plan.units = _units_part(tables[UNITS_SHEET], ticker)
    plan.long_text_problems = long_problems
    _attach_long_text_problems(plan)
    ticker.finish()
    if session is not None:
        check_against(session, plan)
    return plan


def _attach_long_text_problems(plan: ImportPlan) -> None:
    for part in plan.parts():
        for r in part.rows:
            for problem in plan.long_text_problems.get((part.sheet, r.line), []):
                if problem not in r.parse_problems:
                    r.parse_problems.append(problem)


def remap(plan: ImportPlan, *, sheet: str | None = None, header_row: int | None = None,
          mapping: dict[int, str] | None = None, session: Session | None = None) -> ImportPlan:
    """The same file with another accounts sheet, header row or column mapping (the wizard's fixes)."""
    name = sheet or plan.accounts.sheet
    rows = plan.tables[name]
    if header_row is None:
        header_row = plan.accounts.header_row if name == plan.accounts.sheet else find_header(rows, ACCOUNT_SYNONYMS)[0]
    plan.accounts = build_accounts_part(rows, name, header_row, mapping)
    _attach_long_text_problems(plan)
    plan.checked = False
    if session is not None:
        check_against(session, plan)
    return plan


def row_cells(plan: ImportPlan, line: int) -> list[tuple[str, str, str]]:
    """(field, the file's header, the cell's text) for each mapped column of row ``line`` of the
    accounts sheet: what the wizard offers to correct."""
    part = plan.accounts
    table = plan.tables[part.sheet]
    if not part.header_row < line - 1 < len(table):
        raise UserError(f"第 {line} 行不在工作表“{part.sheet}”的数据中")
    row = table[line - 1]

    def shown(raw: Any) -> str:  # a date cell as 2019年3月12日
        if isinstance(raw, datetime):
            raw = raw.date()
        return cn_date(raw) if isinstance(raw, date) else _text(raw)

    return [(key, part.headers[c] if c < len(part.headers) else "", shown(row[c]) if c < len(row) else "")
            for c, key in sorted(part.mapping.items())]


def fix_cells(plan: ImportPlan, line: int, texts: dict[str, str], session: Session | None = None) -> ImportPlan:
    """The clerk's corrections of row ``line`` of the accounts sheet, made in the wizard's preview.

    The cells change in the plan only (the file stays as it is) and the sheet is read again, so a
    corrected value goes through the same checks as the file's; rows left out stay left out."""
    part = plan.accounts
    row_cells(plan, line)  # the row exists
    column = {key: c for c, key in part.mapping.items()}
    unknown = [k for k in texts if k not in column]
    if unknown:
        raise UserError(f"第 {line} 行：没有对应“{'、'.join(unknown)}”的列")
    table = plan.tables[part.sheet]
    row = table[line - 1] = list(table[line - 1])
    for key, text in texts.items():
        c = column[key]
        row.extend([None] * (c + 1 - len(row)))
        row[c] = text
    excluded = {r.line for r in part.rows if r.excluded}
    remap(plan, mapping=dict(part.mapping), session=session)
    for r in plan.accounts.rows:
        r.excluded = r.bad and r.line in excluded
    return plan


def sheet_header_score(plan: ImportPlan, sheet: str, row: int) -> int:
    rows = plan.tables.get(sheet) or []
    return header_score(rows[row], ACCOUNT_SYNONYMS) if row < len(rows) else 0


# --------------------------------------------------------------------------- against the database


@dataclass
class _Index:
    """What the database already holds, looked up by uuid and by natural keys."""

    accounts: dict[str, dict[str, Any]]  # uuid → row with unit names
    account_ids: dict[str, int]
    by_key: dict[tuple, str]  # (name, platform, host unit) → uuid
    by_name_platform: dict[tuple, list[str]]
    people: dict[str, dict[str, Any]]  # uuid → person row
    people_by_key: dict[tuple, str]  # (name, unit name) → uuid
    filings: dict[str, dict[str, Any]]  # uuid → filing row
    filing_numbers: dict[str, str]  # number → uuid
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # uuid → unit row with parent uuid
    units_by_name: dict[str, list[str]] = field(default_factory=dict)


def _keys(rows, *keys: str) -> set:
    return {r.values.get(k) for r in rows if not r.parse_problems for k in keys} - {None, ""}


def _rows_matching(session: Session, stmt, id_col, wanted: list[tuple[Any, set]]) -> list[dict[str, Any]]:
    """Rows of ``stmt`` whose column is one of the values wanted (each through its index, 500
    values a query), once each, in id order — as a full read would give them, but only those."""
    found: dict[Any, dict[str, Any]] = {}
    for col, values in wanted:
        ordered = sorted(values, key=str)
        for start in range(0, len(ordered), 500):
            for r in session.execute(stmt.where(col.in_(ordered[start:start + 500]))).mappings():
                found.setdefault(r[id_col], dict(r))
    return [found[k] for k in sorted(found)]


def _load_index(session: Session, plan: ImportPlan) -> _Index:
    """What the database holds that the file's rows can match: the records named in the file by
    uuid, name or number — looked up through their indexes, so that checking a 300-row file
    against 200,000 accounts costs what the 300 rows need, not a read of the whole library."""
    from gzdesk.exchange.excel_export import _account_stmt

    team = plan.team.rows if plan.team else []
    filing_rows = plan.filings.rows if plan.filings else []
    unit_rows = plan.units.rows if plan.units else []
    account_uuids = _keys(plan.rows, "uuid") | _keys(team + filing_rows, "account_uuid")
    account_names = _keys(plan.rows, "name") | _keys(team + filing_rows, "account_name")
    accounts = {r["uuid"]: r for r in _rows_matching(
        session, _account_stmt(), "id", [(Account.uuid, account_uuids), (Account.name, account_names)])}
    by_key: dict[tuple, str] = {}
    by_np: dict[tuple, list[str]] = {}
    for u, a in accounts.items():
        by_key[(a["name"], a["platform"], a["host_unit"] or "")] = u
        by_np.setdefault((a["name"], a["platform"]), []).append(u)
    people: dict[str, dict[str, Any]] = {}
    people_by_key: dict[tuple, str] = {}
    stmt = select(Person.__table__, Unit.name.label("unit")).outerjoin(Unit, Person.unit_id == Unit.id)
    for r in _rows_matching(session, stmt, "id", [(Person.uuid, _keys(team, "person_uuid")),
                                                   (Person.name, _keys(team, "name"))]):
        people[r["uuid"]] = r
        people_by_key.setdefault((r["name"], r["unit"] or ""), r["uuid"])
    filings: dict[str, dict[str, Any]] = {}
    numbers: dict[str, str] = {}
    for r in _rows_matching(session, select(Filing.__table__), "id",
                            [(Filing.uuid, _keys(filing_rows, "uuid")), (Filing.number, _keys(filing_rows, "number"))]):
        filings[r["uuid"]] = r
        numbers[r["number"]] = r["uuid"]
    parent = aliased(Unit)
    units: dict[str, dict[str, Any]] = {}
    units_by_name: dict[str, list[str]] = {}
    stmt = select(Unit.__table__, parent.uuid.label("parent_uuid")).outerjoin(parent, Unit.parent_id == parent.id)
    for r in _rows_matching(session, stmt, "id", [(Unit.uuid, _keys(unit_rows, "uuid")),
                                                   (Unit.name, _keys(unit_rows, "name"))]):
        units[r["uuid"]] = r
        units_by_name.setdefault(r["name"], []).append(r["uuid"])
    return _Index(accounts, {u: r["id"] for u, r in accounts.items()}, by_key, by_np, people, people_by_key,
                  filings, numbers, units, units_by_name)


def _same_value(key: str, new: Any, old: Any) -> bool:
    """Equal, or a copy that must not replace the stored value: its numbers masked (a 脱敏
    copy), or the stored text cut at Excel's cell limit (issue 8 item 7)."""
    if new == old:
        return True
    if isinstance(new, str) and isinstance(old, str):
        return masked_copy_of(new, old) or truncated_copy(new, old)
    return False


def _changed_fields(values: dict[str, Any], existing: dict[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    return [k for k, v in values.items() if k not in skip and not _same_value(k, v, existing.get(k))]


def check_against(session: Session, plan: ImportPlan) -> ImportPlan:
    """Decide create / update / same for every row and find links that do not resolve."""
    index = _load_index(session, plan)
    file_accounts: dict[str, str] = {}  # uuid → uuid as it will be after import
    file_np: dict[tuple, list[str]] = {}
    key_count = Counter((r.values.get("name"), r.values.get("platform"), r.values.get("host_unit") or "")
                        for r in plan.rows if not r.parse_problems)
    for r in plan.rows:
        r.link_problems, r.notes = [], []
        v = r.values
        if r.parse_problems:
            continue
        target = None
        if v.get("uuid") and v["uuid"] in index.accounts:
            target = v["uuid"]
        elif (v["name"], v["platform"], v.get("host_unit") or "") in index.by_key and \
                key_count[(v["name"], v["platform"], v.get("host_unit") or "")] == 1:
            target = index.by_key[(v["name"], v["platform"], v.get("host_unit") or "")]
            if v.get("uuid") and v["uuid"] != target:
                r.notes.append("唯一标识不同，但名称、平台、主办单位与现有账号相同，按同一账号更新")
        if target is None:
            r.action, r.target_uuid = CREATE, v.get("uuid") or None
        else:
            changed = _changed_fields(v, index.accounts[target], skip=("uuid", *IMPORT_ONLY_KEYS, *UNIT_UUID_KEYS))
            r.action, r.target_uuid = (UPDATE if changed else SAME), target
            if changed:
                labels = "、".join(ACCOUNT_COLUMN_BY_KEY[k].header for k in changed[:4])
                r.notes.append(f"已有此账号，将更新：{labels}{'等' if len(changed) > 4 else ''}")
            else:
                r.notes.append("已有此账号，内容相同")
            cut = [ACCOUNT_COLUMN_BY_KEY[k].header for k, val in v.items()
                   if k in ACCOUNT_COLUMN_BY_KEY and truncated_copy(val, index.accounts[target].get(k))]
            if cut:
                r.notes.append(f"文件中的“{'、'.join(cut)}”被截断在 Excel 单元格上限，保留库中的完整内容")
        key_uuid = r.target_uuid or f"row:{r.line}"
        if v.get("uuid"):
            file_accounts[v["uuid"]] = key_uuid
        file_np.setdefault((v["name"], v["platform"]), []).append(key_uuid)

    file_names: dict[str, list[str]] = {}  # name → account keys, for rows that give no platform
    for (n, _p), keys in file_np.items():
        file_names.setdefault(n, []).extend(keys)
    db_names: dict[str, list[str]] = {}
    for (n, _p), keys in index.by_name_platform.items():
        db_names.setdefault(n, []).extend(keys)

    def resolve_account(v: dict[str, Any]) -> tuple[str | None, str | None]:
        """(account key, problem) for a 管理队伍 / 备案记录 row."""
        u = v.get("account_uuid")
        if u:
            if u in file_accounts:
                return file_accounts[u], None
            if u in index.accounts:
                return u, None
        name, platform = v.get("account_name"), v.get("account_platform")
        if name:
            found = set(file_np.get((name, platform), []) if platform else file_names.get(name, []))
            if not found:
                found = set(index.by_name_platform.get((name, platform), []) if platform else
                            db_names.get(name, []))
            if len(found) == 1:
                return found.pop(), None
            if len(found) > 1:
                return None, f"账号“{name}”有多个（请填写平台或唯一标识）"
        if not name and not u:
            return None, None
        return None, f"找不到账号“{name or u}”"

    if plan.team:
        for r in plan.team.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            key, problem = resolve_account(r.values)
            if problem:
                r.link_problems.append(problem)
            r.values["_account"] = key
            pu = r.values.get("person_uuid")
            existing = pu if pu in index.people else index.people_by_key.get((r.values["name"],
                                                                                r.values.get("unit") or ""))
            r.action, r.target_uuid = (CREATE, pu) if existing is None else (UPDATE, existing)
    if plan.filings:
        for r in plan.filings.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            v = r.values
            key, problem = resolve_account(v)
            if problem:
                r.link_problems.append(problem)
            v["_account"] = key
            existing = v.get("uuid") if v.get("uuid") in index.filings else index.filing_numbers.get(v["number"])
            if existing is None:
                r.action, r.target_uuid = CREATE, v.get("uuid")
            else:
                if v.get("uuid") and v["uuid"] != existing:
                    r.link_problems.append(f"备案编号“{v['number']}”已被另一条备案使用")
                changed = [k for k in FILING_SCALARS if k in v and not _same_value(k, v[k], index.filings[existing].get(k))]
                r.action, r.target_uuid = (UPDATE if changed else SAME), existing
    if plan.units:
        names_in_file = Counter(r.values.get("name") for r in plan.units.rows)
        for r in plan.units.rows:
            r.link_problems, r.notes = [], []
            if r.parse_problems:
                continue
            v = r.values
            existing = v.get("uuid") if v.get("uuid") in index.units else None
            same_name = index.units_by_name.get(v["name"], [])
            if existing is None and len(same_name) == 1 and (not v.get("uuid") or names_in_file[v["name"]] == 1):
                existing = same_name[0]  # e.g. this office's own unit, made by init with another uuid
            if existing is None:
                r.action, r.target_uuid = CREATE, v.get("uuid")
            else:
                old = index.units[existing]
                changed = [k for k in UNIT_SCALARS if k in v and not _same_value(k, v[k], old.get(k))]
                r.action, r.target_uuid = (UPDATE if changed else SAME), existing
    plan.checked = True
    return plan


# --------------------------------------------------------------------------- applying


def _refuse_if_bad(plan: ImportPlan, skip_bad: bool) -> int:
    """Raise unless every row passes or the bad ones are excluded; returns how many are left out."""
    left_out = 0
    for _sheet, r in plan.all_rows():
        if r.bad and skip_bad:
            r.excluded = True
        if r.excluded:
            left_out += 1
    remaining = plan.problem_lines(include_excluded=False)
    if remaining:
        n = sum(1 for _s, r in plan.bad_rows() if not r.excluded)
        shown = "；".join(remaining[:MAX_LISTED_PROBLEMS])
        more = f"……等共 {len(remaining)} 处" if len(remaining) > MAX_LISTED_PROBLEMS else ""
        raise UserError(f"有 {n} 行存在问题，未导入任何内容：{shown}{more}"
                        "（请改正后重新导入，或明确排除有问题的行）")
    return left_out


def _bulk_insert(session: Session, model, rows: list[dict[str, Any]]) -> None:
    """A plain executemany on the session's connection (same transaction, no ORM bookkeeping);
    the rows are noted for the import's audit event (``audit.record_bulk``)."""
    session.connection().execute(insert(model.__table__), rows)
    audit.note_rows(session, model.__tablename__, (r["uuid"] for r in rows))


def _chunks(items: list, size: int = INSERT_CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Units:
    """Unit names → ids, creating missing units through the ORM (audited)."""

    def __init__(self, session: Session):
        self.session = session
        self.ids: dict[str, int] = {}
        self.by_uuid: dict[str, int] = {}
        for uid, name, uuid in session.execute(select(Unit.id, Unit.name, Unit.uuid).order_by(Unit.id)):
            self.ids.setdefault(name, uid)
            self.by_uuid[uuid] = uid
        self.created = 0
        self.updated = 0

    def prepare(self, names: set[str | None]) -> None:
        """Create every missing unit in one flush (audited; kind guessed from the name)."""
        missing = sorted(n for n in names if n and n not in self.ids)
        made = [Unit(name=n, kind=registry.guess_unit_kind(n)) for n in missing]
        self.session.add_all(made)
        self.session.flush()
        self.ids.update((u.name, u.id) for u in made)
        self.created += len(made)

    def id_for(self, name: str | None, uuid: str | None = None) -> int | None:
        """The unit named by uuid (when known here) or else by name, made if missing."""
        if uuid and uuid in self.by_uuid:
            return self.by_uuid[uuid]
        if not name:
            return None
        if name not in self.ids:
            self.ids[name] = registry.find_or_create_unit(self.session, name).id
            self.created += 1
        return self.ids[name]


def _apply_units(session: Session, rows: list[PlanRow], units: _Units) -> None:
    """The 单位名录 sheet: units keep their uuid, type, parent and contacts (ORM, audited).

    Parents come first in our export, so each unit is linked to its parent as it is made (one
    insert per unit, no second round of updates); a parent listed later is linked afterwards."""
    if not rows:
        return
    objs: list[tuple[PlanRow, Unit]] = []
    made: dict[str, Unit] = {}  # the file's uuid / name → unit of this sheet
    later: list[tuple[PlanRow, Unit]] = []
    for r in rows:
        v = r.values
        parent_key = v.get("parent_uuid") or v.get("parent")
        parent_obj = made.get(parent_key) if parent_key else None
        parent_id = None
        if parent_key and parent_obj is None:  # a unit already in the database, else linked later
            parent_id = (units.by_uuid.get(v["parent_uuid"]) if v.get("parent_uuid")
                         else units.ids.get(v["parent"]))
        fields = {k: v[k] for k in UNIT_SCALARS if k in v}
        if r.action == CREATE:
            fields.setdefault("kind", registry.guess_unit_kind(v["name"]))
            fields["classified"] = bool(fields.get("classified"))
            unit = Unit(uuid=r.target_uuid or new_uuid(), **fields)
            if parent_obj is not None:
                unit.parent = parent_obj
            elif parent_id is not None:
                unit.parent_id = parent_id
            session.add(unit)
            units.created += 1
        else:
            unit = session.scalars(select(Unit).where(Unit.uuid == r.target_uuid)).one()
            for k, value in fields.items():
                if not _same_value(k, value, getattr(unit, k)):
                    setattr(unit, k, value)
            if r.action == UPDATE:
                units.updated += 1
        if parent_key and parent_obj is None and parent_id is None:
            later.append((r, unit))
        elif r.action != CREATE and parent_key:
            later.append((r, unit))  # an existing unit: compare its parent after the flush
        for key in (v.get("uuid"), v["name"]):
            if key:
                made.setdefault(key, unit)
        objs.append((r, unit))
    session.flush()
    for r, unit in objs:
        units.by_uuid[unit.uuid] = unit.id
        if r.values.get("uuid"):
            units.by_uuid[r.values["uuid"]] = unit.id  # the file's uuid for a unit matched by name
        units.ids.setdefault(unit.name, unit.id)
    for r, unit in later:
        v = r.values
        parent_id = units.id_for(v.get("parent"), v.get("parent_uuid"))
        if parent_id != unit.id and unit.parent_id != parent_id:
            unit.parent_id = parent_id
    session.flush()


def _account_columns(values: dict[str, Any], units: _Units) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        if key in UNIT_FIELDS:
            out[UNIT_FIELDS[key]] = units.id_for(value, values.get(f"{key}_uuid"))
        elif key in registry.ACCOUNT_FIELDS:
            out[key] = value
    return out


def apply_plan(session: Session, plan: ImportPlan, skip_bad: bool = False,
               progress: ProgressCallback | None = None) -> ImportResult:
    """Write the plan in the caller's transaction; raise (writing nothing) while bad rows remain."""
    require(session, Cap.IMPORT)
    check_against(session, plan)
    result = ImportResult(skipped=_refuse_if_bad(plan, skip_bad))
    team_rows = [r for r in plan.team.rows if not r.excluded] if plan.team else []
    filing_rows = [r for r in plan.filings.rows if not r.excluded] if plan.filings else []
    rows = [r for r in plan.rows if not r.excluded]
    ticker = Ticker(progress, len(rows) + len(team_rows) + len(filing_rows))
    ticker.check()
    units = _Units(session)
    unit_rows = [r for r in plan.units.rows if not r.excluded] if plan.units else []
    _apply_units(session, unit_rows, units)
    units.prepare({r.values.get(k) for r in rows for k in UNIT_FIELDS
                   if r.values.get(f"{k}_uuid") not in units.by_uuid}
                  | {r.values.get("unit") for r in team_rows if r.values.get("unit_uuid") not in units.by_uuid})
    stamp = now()
    account_fields = [k for k in registry.ACCOUNT_FIELDS if k != "qr_image"] + list(UNIT_FIELDS.values())

    # Accounts: inserts in bulk, updates through the ORM.
    new_accounts: list[dict[str, Any]] = []
    row_uuid: dict[int, str] = {}
    for r in rows:
        cols = _account_columns(r.values, units)
        if r.action == CREATE:
            rec: dict[str, Any] = dict.fromkeys(account_fields)
            rec.update(cols)
            rec["status"] = rec.get("status") or enums.AccountStatus.NORMAL
            rec.update(uuid=r.target_uuid or new_uuid(), created_at=stamp, updated_at=stamp, origin=None)
            new_accounts.append(rec)
            row_uuid[r.line] = rec["uuid"]
            result.created += 1
        elif r.action == UPDATE:
            account = session.scalars(select(Account).where(Account.uuid == r.target_uuid)).one()
            for key, value in cols.items():
                if not _same_value(key, value, getattr(account, key)):
                    setattr(account, key, value)
            result.updated += 1
        else:
            result.unchanged += 1
        ticker.advance()
    for chunk in _chunks(new_accounts):
        _bulk_insert(session, Account, chunk)
    session.flush()
    account_ids = dict(session.execute(select(Account.uuid, Account.id)).all())

    def account_id(key: str | None) -> int | None:
        if key is None:
            return None
        if key.startswith("row:"):  # an account created from this row of the file
            made = row_uuid.get(int(key[4:]))
            return account_ids.get(made) if made else None
        return account_ids.get(key)

    _apply_team(session, team_rows, units, account_id, result, stamp, ticker)
    _apply_admins(session, [(r, row_uuid.get(r.line) or r.target_uuid) for r in rows if r.values.get("admin_name")],
                  units, account_ids, result, stamp)
    _apply_filings(session, filing_rows, account_id, account_ids, result, stamp, ticker)
    result.units_created, result.units_updated = units.created, units.updated
    audit.record_bulk(session, "import", "account",
                      summary=f"从“{plan.path.name}”导入台账：{result.summary()}"[:500],
                      changes={"file": [None, str(plan.path)], "sheet": [None, plan.sheet],
                               "created": [None, result.created], "updated": [None, result.updated],
                               "people_created": [None, result.people_created],
                               "filings_created": [None, result.filings_created]})
    session.flush()
    ticker.finish()
    return result


def _apply_team(session: Session, rows: list[PlanRow], units: _Units, account_id, result: ImportResult,
                stamp: datetime, ticker: Ticker) -> None:
    if not rows:
        return
    person_uuid_of: dict[tuple, str] = {}  # person key in this file → uuid
    new_people: list[dict[str, Any]] = []
    newly_left: list[Person] = []  # existing people whose 离职日期 the file records for the first time
    updated: set[str] = set()
    for r in rows:
        v = r.values
        key = ("uuid", v["person_uuid"]) if v.get("person_uuid") else ("name", v["name"], v.get("unit") or "")
        if key in person_uuid_of:
            continue
        if r.action == CREATE:
            rec: dict[str, Any] = {k: v.get(k) for k in PERSON_FIELDS}
            rec.update(unit_id=units.id_for(v.get("unit"), v.get("unit_uuid")), uuid=r.target_uuid or new_uuid(),
                       created_at=stamp, updated_at=stamp, origin=None)
            new_people.append(rec)
            person_uuid_of[key] = rec["uuid"]
            result.people_created += 1
        else:
            assert r.target_uuid is not None, "an update names the person it updates"
            person_uuid_of[key] = r.target_uuid
            if r.target_uuid not in updated:
                person = session.scalars(select(Person).where(Person.uuid == r.target_uuid)).one()
                changes = {k: v[k] for k in PERSON_FIELDS if k in v}
                if v.get("unit"):
                    changes["unit_id"] = units.id_for(v["unit"], v.get("unit_uuid"))
                dirty = False
                was_left = person.left_on
                for k, value in changes.items():
                    if not _same_value(k, value, getattr(person, k)):
                        setattr(person, k, value)
                        dirty = True
                if dirty:
                    result.people_updated += 1
                if person.left_on and not was_left:
                    newly_left.append(person)
                updated.add(r.target_uuid)
    for chunk in _chunks(new_people):
        _bulk_insert(session, Person, chunk)
    session.flush()
    person_ids = dict(session.execute(select(Person.uuid, Person.id)).all())
    have: set[tuple[Any, ...]] = {
        tuple(row) for row in session.execute(select(AccountRole.account_id, AccountRole.person_id, AccountRole.role))}
    new_roles = []
    for r in rows:
        v = r.values
        ticker.advance()
        aid = account_id(v.get("_account"))
        if aid is None or not v.get("role"):
            continue
        key = ("uuid", v["person_uuid"]) if v.get("person_uuid") else ("name", v["name"], v.get("unit") or "")
        pid = person_ids[person_uuid_of[key]]
        if (aid, pid, v["role"]) in have:
            continue
        have.add((aid, pid, v["role"]))
        new_roles.append({"account_id": aid, "person_id": pid, "role": v["role"], "since": v.get("since"),
                          "until": v.get("until"), "uuid": new_uuid(), "created_at": stamp, "updated_at": stamp,
                          "origin": None})
    for chunk in _chunks(new_roles):
        _bulk_insert(session, AccountRole, chunk)
    result.roles_added += len(new_roles)
    session.flush()
    _apply_departures(session, newly_left, {person_ids[u] for u in person_uuid_of.values()}, result)


def _apply_departures(session: Session, newly_left: list[Person], people_in_file: set[int],
                      result: ImportResult) -> None:
    """What the person editor does when a 离职日期 is entered (云南 第三十七条), for the file's people.

    A departure newly recorded for someone already in the registry creates the tasks to change the
    passwords and take back the devices of every account they handled. A person who left — newly
    imported or not — is no longer on duty from that day: their open roles end on it.
    """
    tasks_before = session.scalar(select(func.count(Task.id)))
    article = office_departure_article(session) if newly_left else None
    for person in newly_left:
        registry.record_departure(session, person, article)
    result.departures += len(newly_left)
    left = dict(session.execute(select(Person.id, Person.left_on)
                                .where(Person.id.in_(people_in_file), Person.left_on.is_not(None))).all())
    if left:
        for role in session.scalars(select(AccountRole).where(AccountRole.person_id.in_(left.keys()),
                                                              AccountRole.until.is_(None))):
            role.until = left[role.person_id]
    session.flush()
    result.tasks_created += (session.scalar(select(func.count(Task.id))) or 0) - (tasks_before or 0)


def _apply_admins(session: Session, rows: list[tuple[PlanRow, str | None]], units: _Units,
                  account_ids: dict[str, int], result: ImportResult, stamp: datetime) -> None:
    """The 管理员 named in an office's own sheet: matched by 姓名 + 主办单位 or created, then put on
    the account's 管理队伍 (盐湖 第二十一条: every account has a responsible person)."""
    if not rows:
        return
    people = {(name, unit or ""): pid for pid, name, unit in
              session.execute(select(Person.id, Person.name, Unit.name).outerjoin(Unit, Person.unit_id == Unit.id))}
    have: set[tuple[Any, ...]] = {
        tuple(row) for row in session.execute(select(AccountRole.account_id, AccountRole.person_id, AccountRole.role))}
    new_people: dict[tuple, dict[str, Any]] = {}
    for r, _uuid in rows:
        key = (r.values["admin_name"], r.values.get("host_unit") or "")
        if key in people or key in new_people:
            continue
        phone = clean_phone(r.values.get("admin_phone"))
        mobile = phone if MOBILE_RE.match(phone) or MASKED_MOBILE_RE.match(phone) else None
        new_people[key] = {"name": key[0], "unit_id": units.id_for(key[1] or None), "title": None,
                           "office_phone": None if mobile or not phone else phone, "mobile": mobile,
                           "trained_on": None, "left_on": None, "notes": None, "uuid": new_uuid(),
                           "created_at": stamp, "updated_at": stamp, "origin": None}
    for chunk in _chunks(list(new_people.values())):
        _bulk_insert(session, Person, chunk)
    result.people_created += len(new_people)
    if new_people:
        ids = dict(session.execute(select(Person.uuid, Person.id)).all())
        people.update({k: ids[p["uuid"]] for k, p in new_people.items()})
    roles = []
    for r, account_uuid in rows:
        aid = account_ids.get(account_uuid) if account_uuid else None
        pid = people[(r.values["admin_name"], r.values.get("host_unit") or "")]
        if aid is None or (aid, pid, enums.Role.ADMIN) in have:
            continue
        have.add((aid, pid, enums.Role.ADMIN))
        roles.append({"account_id": aid, "person_id": pid, "role": enums.Role.ADMIN, "since": None, "until": None,
                      "uuid": new_uuid(), "created_at": stamp, "updated_at": stamp, "origin": None})
    for chunk in _chunks(roles):
        _bulk_insert(session, AccountRole, chunk)
    result.roles_added += len(roles)


def _apply_filings(session: Session, rows: list[PlanRow], account_id, account_ids: dict[str, int],
                   result: ImportResult, stamp: datetime, ticker: Ticker) -> None:
    if not rows:
        return
    new: list[dict[str, Any]] = []
    links: list[tuple[str, str | None, str | None]] = []
    steps_of: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        ticker.advance()
        v = r.values
        if r.action == CREATE:
            aid = account_id(v.get("_account"))
            frozen = v.get("frozen")
            if frozen is None and aid is not None:  # rebuilt from the account as imported
                frozen = json.dumps(registry.account_snapshot(session, aid), ensure_ascii=False)
            rec: dict[str, Any] = {k: v.get(k) for k in FILING_SCALARS}
            rec.update(number=v["number"], account_id=aid, state=v.get("state") or enums.FilingState.FILED,
                       profile_id=v.get("profile_id"), template_id=v.get("template_id"), chain=v.get("chain"),
                       frozen=frozen, proposed=v.get("proposed"), merge_parent_id=None, kept_account_id=None,
                       uuid=r.target_uuid or new_uuid(), created_at=stamp, updated_at=stamp, origin=None)
            new.append(rec)
            if v.get("steps"):
                steps_of[rec["uuid"]] = json.loads(v["steps"])
            if v.get("merge_parent_uuid") or v.get("kept_account_uuid"):
                links.append((rec["uuid"], v.get("merge_parent_uuid"), v.get("kept_account_uuid")))
            result.filings_created += 1
        elif r.action == UPDATE:
            filing = session.scalars(select(Filing).where(Filing.uuid == r.target_uuid)).one()
            for k in FILING_SCALARS:
                if k in v and not _same_value(k, v[k], getattr(filing, k)):
                    setattr(filing, k, v[k])
            result.filings_updated += 1
    for chunk in _chunks(new):
        _bulk_insert(session, Filing, chunk)
    session.flush()
    filing_ids = dict(session.execute(select(Filing.uuid, Filing.id)).all())
    steps = []
    for fuuid, items in steps_of.items():
        for s in items:
            steps.append({"filing_id": filing_ids[fuuid], "seq": s["seq"], "title": s["title"],
                          "opinion": s.get("opinion"), "signer": s.get("signer"),
                          "signed_on": date.fromisoformat(s["signed_on"]) if s.get("signed_on") else None,
                          "result": s.get("result") or "approved", "attachment_id": None,
                          "uuid": s.get("uuid") or new_uuid(), "created_at": stamp, "updated_at": stamp,
                          "origin": None})
    for chunk in _chunks(steps):
        _bulk_insert(session, ApprovalStep, chunk)
    for fuuid, parent_uuid, kept_uuid in links:
        linked = session.get_one(Filing, filing_ids[fuuid])
        linked.merge_parent_id = filing_ids.get(parent_uuid) if parent_uuid else None
        linked.kept_account_id = account_ids.get(kept_uuid) if kept_uuid else None
    session.flush()


def preview_file(session: Session, path: Path | str, sheet: str | None = None,
                 progress: ProgressCallback | None = None) -> ImportPlan:
    """``read_workbook`` with the database check, session first (for ``Controller.read``)."""
    return read_workbook(path, sheet=sheet, session=session, progress=progress)
