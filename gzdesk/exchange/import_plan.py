"""Planning an import: a sheet's rows as records to create or update, each with its problems.

``plan_tables`` finds the accounts sheet and its header row (under title rows and merged cells),
maps columns by header synonyms, and makes one ``PlanRow`` per data row of the accounts, 管理队伍,
备案记录 and 单位名录 sheets with the problems found in the file alone (unreadable cells, missing
names, rows that repeat each other). ``remap`` and ``fix_cells`` are the wizard's corrections.
What the database knows is added by ``import_compare.check_against``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gzdesk import registry
from gzdesk.dates import cn_date
from gzdesk.errors import UserError
from gzdesk.exchange.columns import (
    ACCOUNT_COLUMN_BY_KEY,
    ACCOUNT_SYNONYMS,
    ACCOUNTS_SHEET,
    FILING_COLUMNS,
    FILING_SYNONYMS,
    FILINGS_SHEET,
    TEAM_COLUMNS,
    TEAM_SHEET,
    TEAM_SYNONYMS,
    UNIT_COLUMNS,
    UNIT_FIELDS,
    UNIT_SYNONYMS,
    UNITS_SHEET,
)
from gzdesk.exchange.csv_text import BIG5
from gzdesk.exchange.import_read import SheetsRead, data_rows
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.sheet_reader import (
    Table,
    auto_mapping,
    cell_text,
    find_header,
    header_score,
)
from gzdesk.fields import typed_text
from gzdesk.validation import phone_problem

CREATE, UPDATE, SAME = "create", "update", "same"
UNIT_UUID_KEYS = tuple(f"{k}_uuid" for k in UNIT_FIELDS)  # resolved when applied; names are compared
UNIT_SCALARS = ("name", "kind", "head", "leader", "phone", "classified", "notes")
ACTION_LABELS = {CREATE: "新增", UPDATE: "更新", SAME: "不变"}
PERSON_FIELDS = ("name", "title", "office_phone", "mobile", "trained_on", "left_on", "notes")
FILING_SCALARS = ("kind", "state", "reason", "filled_on", "event_on", "announce_from", "announce_until",
                  "effective_on", "reported_on", "notes")

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
                 for line, values, problems in data_rows(rows, header_row, mapping, ACCOUNT_COLUMN_BY_KEY, ticker)]
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
    for line, values, problems in data_rows(rows, header_row, mapping, columns, ticker):
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
    for line, values, problems in data_rows(rows, header_row, mapping, columns, ticker):
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
    for line, values, problems in data_rows(rows, header_row, mapping, columns, ticker):
        if not values.get("name"):
            problems.append("单位名称为空")
        out.append(PlanRow(line, values, problems))
    return SheetPart(UNITS_SHEET, header_row, [cell_text(c) for c in header], mapping, out)



def plan_tables(path: Path, read: SheetsRead, sheet: str | None = None,
                progress: ProgressCallback | None = None) -> ImportPlan:
    """The plan of a file read by ``import_read.read_sheets``: the accounts sheet (``sheet``, or the
    one found by its header) and the 管理队伍 / 备案记录 / 单位名录 sheets of our own export."""
    tables = read.tables
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
    plan.long_text_problems = read.long_text_problems
    _attach_long_text_problems(plan)
    ticker.finish()
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
        from gzdesk.exchange.import_compare import check_against  # compare builds on this module

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
        return cn_date(raw) if isinstance(raw, date) else typed_text(raw)

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

