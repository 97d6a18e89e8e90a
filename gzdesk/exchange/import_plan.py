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
from collections.abc import Callable, Generator, Iterable
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
    LONG_TEXT_SHEET,
    TEAM_COLUMNS,
    TEAM_SHEET,
    TEAM_SYNONYMS,
    UNIT_COLUMNS,
    UNIT_FIELDS,
    UNIT_SYNONYMS,
    UNITS_SHEET,
    Column,
)
from gzdesk.exchange.csv_text import BIG5
from gzdesk.exchange.import_read import SheetsRead, data_rows, row_reader
from gzdesk.exchange.long_text import join_long_texts
from gzdesk.exchange.progress import ProgressCallback, Ticker
from gzdesk.exchange.sheet_reader import (
    HEADER_SEARCH_ROWS,
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


@dataclass(slots=True)
class PlanRow:
    """One data row of a sheet: its typed values and what is wrong with it (slots: a
    200,000-account file has a million of them)."""

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
    # Where the check ran: (the session's transaction, weakly; the connection's total_changes then).
    # ``import_compare.checked_here`` tells from it that the database is still what was checked.
    checked_in: tuple[Any, int] | None = field(default=None, repr=False, compare=False)
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


class _SheetPlanner:
    """How one sheet's rows become ``PlanRow``s: its header and mapping (found in its first rows)
    and the function making each data row's record. Rows can be given a batch at a time, as
    they arrive from the reader (``feed``); ``part`` is the sheet's ``SheetPart`` once all are in."""

    def __init__(self, sheet: str, header_row: int, header: list[Any], mapping: dict[int, str],
                 columns: dict[str, Column], make: Callable[[int, dict[str, Any], list[str]], PlanRow],
                 finish: Callable[[list[PlanRow]], None] | None = None):
        self.sheet, self.header_row, self.header, self.mapping = sheet, header_row, header, mapping
        self.make, self.finish = make, finish
        self.read = row_reader(mapping, columns)
        self.rows: list[PlanRow] = []

    def feed(self, first: int, batch: Iterable[list[Any]], ticker: Ticker | None = None) -> None:
        """Rows ``first``, ``first + 1``… of the sheet (0-based, counted from its first row)."""
        make = self.make
        self.rows.extend(make(*found) for found in data_rows(self.read, batch, self.header_row, first, ticker))

    def part(self) -> SheetPart:
        if self.finish is not None:
            self.finish(self.rows)
        return SheetPart(self.sheet, self.header_row, [cell_text(c) for c in self.header], self.mapping, self.rows)


def _accounts_planner(rows: Table, sheet: str, header_row: int, mapping: dict[int, str] | None = None
                      ) -> _SheetPlanner:
    header = rows[header_row] if header_row < len(rows) else []
    if mapping is None:
        mapping = auto_mapping(header, ACCOUNT_SYNONYMS)
    keys = set(mapping.values())
    return _SheetPlanner(sheet, header_row, header, mapping, ACCOUNT_COLUMN_BY_KEY,
                         lambda line, values, problems: _account_row(line, values, problems, keys),
                         _mark_file_duplicates)


def build_accounts_part(rows: Table, sheet: str, header_row: int, mapping: dict[int, str] | None = None,
                        ticker: Ticker | None = None) -> SheetPart:
    planner = _accounts_planner(rows, sheet, header_row, mapping)
    planner.feed(0, rows, ticker)
    return planner.part()


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


def _team_planner(rows: Table) -> _SheetPlanner | None:
    columns = {c.key: c for c in TEAM_COLUMNS}
    header_row, score = find_header(rows, TEAM_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, TEAM_SYNONYMS)
    if score < 3 or "name" not in mapping.values():
        return None
    checked: dict[tuple[str, bool], str | None] = {}  # a person has a row per role: each number checked once

    def make(line: int, values: dict[str, Any], problems: list[str]) -> PlanRow:
        if not values.get("name"):
            problems.append("姓名为空")
        if values.get("role") is None and (values.get("account_uuid") or values.get("account_name")) \
                and not any("岗位" in p for p in problems):
            problems.append("岗位为空")
        for key, mobile_only in (("office_phone", False), ("mobile", True)):
            v = values.get(key)
            if v and "*" not in v:
                try:
                    p = checked[(v, mobile_only)]
                except KeyError:
                    p = checked[(v, mobile_only)] = phone_problem(v, mobile_only=mobile_only)
                if p:
                    problems.append(p)
        if values.get("left_on") and values.get("trained_on") and values["left_on"] < values["trained_on"]:
            problems.append("离职日期不能早于培训日期")
        return PlanRow(line, values, problems)
    return _SheetPlanner(TEAM_SHEET, header_row, header, mapping, columns, make)


def _filings_planner(rows: Table) -> _SheetPlanner | None:
    columns = {c.key: c for c in FILING_COLUMNS}
    header_row, score = find_header(rows, FILING_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, FILING_SYNONYMS)
    if score < 3 or not {"number", "kind"} <= set(mapping.values()):
        return None
    numbers: dict[str, int] = {}

    def make(line: int, values: dict[str, Any], problems: list[str]) -> PlanRow:
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
        return PlanRow(line, values, problems)
    return _SheetPlanner(FILINGS_SHEET, header_row, header, mapping, columns, make)


def _units_planner(rows: Table) -> _SheetPlanner | None:
    columns = {c.key: c for c in UNIT_COLUMNS}
    header_row, score = find_header(rows, UNIT_SYNONYMS)
    header = rows[header_row] if rows else []
    mapping = auto_mapping(header, UNIT_SYNONYMS)
    if score < 3 or "name" not in mapping.values():
        return None

    def make(line: int, values: dict[str, Any], problems: list[str]) -> PlanRow:
        if not values.get("name"):
            problems.append("单位名称为空")
        return PlanRow(line, values, problems)
    return _SheetPlanner(UNITS_SHEET, header_row, header, mapping, columns, make)


def _whole_part(planner: _SheetPlanner | None, rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    if planner is None:
        return None
    planner.feed(0, rows, ticker)
    return planner.part()


def _team_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    return _whole_part(_team_planner(rows), rows, ticker)


def _filings_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    return _whole_part(_filings_planner(rows), rows, ticker)


def _units_part(rows: Table, ticker: Ticker | None = None) -> SheetPart | None:
    return _whole_part(_units_planner(rows), rows, ticker)


OTHER_PARTS = ((TEAM_SHEET, "team", _team_planner), (FILINGS_SHEET, "filings", _filings_planner),
               (UNITS_SHEET, "units", _units_planner))


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
    for other, attr, planner in OTHER_PARTS:
        if other in tables and name != other:
            setattr(plan, attr, _whole_part(planner(tables[other]), tables[other], ticker))
    plan.long_text_problems = read.long_text_problems
    _attach_long_text_problems(plan)
    ticker.finish()
    return plan


class _Feed:
    """A sheet planned as its rows arrive: the first rows are kept until the header can be
    found among them (``HEADER_SEARCH_ROWS``), then every batch is planned as it comes."""

    def __init__(self, start: Callable[[Table], _SheetPlanner | None]):
        self.start = start
        self.prefix: Table = []
        self.planner: _SheetPlanner | None = None
        self.started = False
        self.count = 0  # rows of the sheet so far
        self.error: UserError | None = None  # raised once the whole file is read, as before

    def add(self, batch: Table) -> None:
        if self.started:
            if self.planner is not None:
                self.planner.feed(self.count, batch)
        else:
            self.prefix.extend(batch)
            if len(self.prefix) >= HEADER_SEARCH_ROWS:
                self._begin()
        self.count += len(batch)

    def _begin(self) -> None:
        self.started = True
        try:
            self.planner = self.start(self.prefix)
        except UserError as exc:
            self.error = exc
        if self.planner is not None:
            self.planner.feed(0, self.prefix)
        self.prefix = []

    def part(self) -> SheetPart | None:
        if not self.started:
            self._begin()
        return self.planner.part() if self.planner is not None else None


def _accounts_start(name: str, sheet: str | None, encoding: str | None) -> Callable[[Table], _SheetPlanner]:
    """The accounts sheet's planner from its first rows, its header found (or refused) as
    ``_pick_accounts_sheet`` finds it in the whole sheet."""
    def start(prefix: Table) -> _SheetPlanner:
        _name, row, _score = _pick_accounts_sheet({name: prefix}, sheet, encoding)
        return _accounts_planner(prefix, name, row)
    return start


def plan_streamed(path: Path, messages: Generator[tuple, None, None], sheet: str | None = None,
                  progress: ProgressCallback | None = None, keep_rows: bool = True) -> ImportPlan:
    """``plan_tables(read_sheets(…))`` with each batch of rows planned as it arrives from the
    reader (``safe_read.stream_tables``), so that planning overlaps the reading instead of
    following it. The same plan: where the accounts sheet is known before its rows come (``sheet``,
    or our export's 账号台账) and no 超长文本 sheet must be joined back first; any other file is
    read whole and planned as before. ``keep_rows=False`` (the command line, which never remaps)
    keeps no sheet's rows in the plan once planned: the wizard's corrections need them."""
    tables: dict[str, Table] = {}
    kind: tuple[str, str | None, bool] = ("", None, False)
    feeds: dict[str, tuple[str, _Feed]] = {}  # sheet → (the plan's part, its feed)
    streaming = False
    accounts = ""
    relevant = 0  # rows of the planned sheets (the progress total, as plan_tables counts it)
    rows: Table = []
    feed: _Feed | None = None
    try:
        for message in messages:
            tag = message[0]
            if tag == "rows":
                batch = message[1]
                if feed is None:
                    rows.extend(batch)
                else:
                    relevant += len(batch)
                    feed.add(batch)
                    if keep_rows:
                        rows.extend(batch)
            elif tag == "sheet":
                rows = tables.setdefault(message[1], [])
                feed = feeds[message[1]][1] if streaming and message[1] in feeds else None
            elif tag == "kind":
                kind = (message[1], message[2], message[3])
            elif tag == "names":
                names = list(message[1])
                accounts = sheet if sheet is not None else ACCOUNTS_SHEET
                streaming = accounts in names and LONG_TEXT_SHEET not in names
                if streaming:
                    feeds[accounts] = ("accounts", _Feed(_accounts_start(accounts, sheet, kind[1])))
                    for other, attr, planner in OTHER_PARTS:
                        if other != accounts:
                            feeds[other] = (attr, _Feed(planner))
    finally:
        messages.close()
    if not tables:
        raise UserError(f"“{path.name}”中没有工作表")
    if not streaming:
        read = SheetsRead(tables, kind[0], kind[1], kind[2])
        read.long_text_problems = join_long_texts(read.tables)
        plan = plan_tables(path, read, sheet, progress)
        if not keep_rows:
            plan.tables = {}
        return plan
    account_feed = feeds[accounts][1]
    part = account_feed.part()
    if account_feed.error is not None:
        raise account_feed.error
    assert part is not None
    ticker = Ticker(progress, relevant)
    ticker.check()
    plan = ImportPlan(path, list(tables), part, tables=tables if keep_rows else {}, encoding=kind[1],
                      renamed=kind[2])
    for name, (attr, f) in feeds.items():
        if attr != "accounts" and name in tables:
            setattr(plan, attr, f.part())
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
    plan.checked, plan.checked_in = False, None
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

